"""Every command answers bad input with a short reason and exit status 1 or 2, never with a traceback.

The command tree is walked, so a new command is covered: the generic cases (a missing required value, an unknown
option, an empty path, garbage numbers, an unknown language or choice, a data directory that is a file) come from
its parameters, and the test fails until the command has its own rows in ``SPECIFIC`` (what is bad for it: a
file where it wants a folder, a folder where it wants a file, a path that cannot exist or be written).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import DEBUG_ENV, QT_MULTIMEDIA_QUIET, main

ROOT = Path(__file__).resolve().parent.parent
MISSING = "{tmp}/missing/deeper/x"  # in a folder that does not exist (and must not be created)
UNWRITABLE = "/proc/wegwijzer-test/x"  # not even root can create it
BIG = "9" * 30


@dataclass(frozen=True)
class Case:
    """One bad invocation: ``args`` after the command's name; placeholders in {braces} are filled per test."""

    what: str
    args: tuple[str, ...]
    before: tuple[str, ...] = ()  # options before the command's name (--data-dir)


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _leaves(command, (*prefix, name))
        else:
            out.append(((*prefix, name), command))
    return out


COMMANDS = {" ".join(path): command for path, command in _leaves(main)}

# What a command needs to get past its required values (so that the one bad value is what is refused).
VALID = {
    "lang": "nl",
    "query": "verzekering",
    "text": "hallo",
    "name": "site_name",
    "value": "Klein Kasteeltje",
    "folder": "{folder}",
    "database": "{guide}",
    "key": "{private}",
    "out": "{new}",
    "source": "{folder}",
    "kind": "test",
    "voice_folder": "{folder}",
    "xliff_file": "{file}",
}

SPECIFIC: dict[str, list[Case]] = {
    "run": [
        Case("size not a size", ("--size", "big")),
        Case("size too small", ("--size", "0x0")),
        Case("size garbage number", ("--size", f"{BIG}x10")),
        Case("a trusted key that does not exist", ("--trust", MISSING)),
        Case("a folder as the trusted key", ("--trust", "{folder}")),
        Case("sync address not http", ("--sync-url", "ftp://example.org/")),
        Case("sync address without a host", ("--sync-url", "http://")),
        Case("sync address that cannot be parsed", ("--sync-url", "http://[::1")),
        Case("sync address with a bad port", ("--sync-url", "http://example.org:99999/")),
        Case("a data directory that cannot be created", (), ("--data-dir", UNWRITABLE)),
    ],
    "content check": [
        Case("source does not exist", ("--source", MISSING)),
        Case("a file as the source", ("--source", "{file}")),
    ],
    "content build": [
        Case("output in a missing folder", ("--output", MISSING)),
        Case("output where nothing can be written", ("--output", UNWRITABLE)),
        Case("a folder as the output", ("--output", "{folder}")),
        Case("output under a file", ("--output", "{file}/guide.sqlite")),
        Case("source does not exist", ("--source", MISSING, "--output", "{new}")),
    ],
    "content coverage": [
        Case("database does not exist", ("--database", MISSING)),
        Case("a folder as the database", ("--database", "{folder}")),
        Case("not a database", ("--database", "{file}")),
    ],
    "content stamp": [
        Case("the source language", ("nl",)),
        Case("an unknown question", ("fr", "no-such-question")),
        Case("source does not exist", ("fr", "--source", MISSING)),
        Case("an empty source folder", ("fr", "--source", "{folder}")),
    ],
    "content import-recordings": [
        Case("folder does not exist", (MISSING,)),
        Case("a file as the folder", ("{file}",)),
        Case("a folder without an export", ("{folder}",)),
        Case("source does not exist", ("{folder}", "--source", MISSING)),
    ],
    "content import-reviews": [
        Case("folder does not exist", (MISSING,)),
        Case("a file as the folder", ("{file}",)),
        Case("a folder without an export", ("{folder}",)),
        Case("source does not exist", ("{folder}", "--source", MISSING)),
    ],
    "content export-xliff": [
        Case("the source language", ("nl",)),
        Case("out in a missing folder", ("fr", "--out", MISSING)),
        Case("out where nothing can be written", ("fr", "--out", UNWRITABLE)),
        Case("a folder as the out", ("fr", "--out", "{folder}")),
        Case("source does not exist", ("fr", "--source", MISSING)),
        Case("an empty source folder", ("fr", "--source", "{folder}")),
    ],
    "content import-xliff": [
        Case("file does not exist", (MISSING,)),
        Case("a folder as the file", ("{folder}",)),
        Case("not XML", ("{file}",)),
        Case("a key, not XLIFF", ("{public}",)),
        Case("source does not exist", ("{file}", "--source", MISSING)),
    ],
    "content review-sheet": [
        Case("the source language", ("nl", "--out", "{new}.pdf")),
        Case("out in a missing folder", ("fr", "--out", f"{MISSING}.pdf")),
        Case("out where nothing can be written", ("fr", "--out", f"{UNWRITABLE}.pdf")),
        Case("a folder as the out", ("fr", "--out", "{folder}")),
        Case("source does not exist", ("fr", "--out", "{new}.pdf", "--source", MISSING)),
        Case("an empty source folder", ("fr", "--out", "{new}.pdf", "--source", "{folder}")),
    ],
    "keys generate": [
        Case("a file as the folder", ("--out", "{file}")),
        Case("a folder that cannot be created", ("--out", UNWRITABLE)),
        Case("a name that is a path", ("--out", "{new}", "--name", "../x")),
    ],
    "bundle create": [
        Case("database does not exist", ("--database", MISSING, "--key", "{private}", "--out", "{new}")),
        Case("not a database", ("--database", "{file}", "--key", "{private}", "--out", "{new}")),
        Case("a folder as the key", ("--database", "{guide}", "--key", "{folder}", "--out", "{new}")),
        Case("the public key to sign", ("--database", "{guide}", "--key", "{public}", "--out", "{new}")),
        Case("a file as the bundle folder", ("--database", "{guide}", "--key", "{private}", "--out", "{file}")),
        Case("a bundle folder under /proc", ("--database", "{guide}", "--key", "{private}", "--out", UNWRITABLE)),
        Case("an empty channel", ("--database", "{guide}", "--key", "{private}", "--out", "{new}", "--channel", "")),
    ],
    "bundle verify": [
        Case("folder does not exist", (MISSING,)),
        Case("a file as the folder", ("{file}",)),
        Case("an empty folder", ("{folder}", "--trust", "{public}")),
        Case("a folder as the key", ("{folder}", "--trust", "{folder}")),
        Case("a private key as the trusted key", ("{folder}", "--trust", "{private}")),
    ],
    "update apply": [
        Case("folder does not exist", ("--from", MISSING, "--trust", "{public}")),
        Case("a file as the folder", ("--from", "{file}", "--trust", "{public}")),
        Case("an empty folder", ("--from", "{folder}", "--trust", "{public}")),
        Case("an empty source", ("--from", "", "--trust", "{public}")),
        Case("an address without a host", ("--from", "https://", "--trust", "{public}")),
        Case("an address that cannot be parsed", ("--from", "http://[::1", "--trust", "{public}")),
        Case("a missing key", ("--from", "{folder}", "--trust", MISSING)),
        Case("a data directory that cannot be created", ("--from", "{folder}"), ("--data-dir", UNWRITABLE)),
    ],
    "voices bundle": [
        Case("folder does not exist", (MISSING, "--key", "{private}", "--out", "{new}")),
        Case("an empty folder (no voice)", ("{folder}", "--key", "{private}", "--out", "{new}")),
        Case("a folder as the key", ("{folder}", "--key", "{folder}", "--out", "{new}")),
        Case("the public key to sign", ("{folder}", "--key", "{public}", "--out", "{new}")),
    ],
    "voices verify": [
        Case("folder does not exist", (MISSING, "--trust", "{public}")),
        Case("an empty folder", ("{folder}", "--trust", "{public}")),
        Case("a private key as the trusted key", ("{folder}", "--trust", "{private}")),
    ],
    "voices add": [
        Case("folder does not exist", (MISSING, "--trust", "{public}")),
        Case("a file as the folder", ("{file}", "--trust", "{public}")),
        Case("an empty folder", ("{folder}", "--trust", "{public}")),
        Case("a private key as the trusted key", ("{folder}", "--trust", "{private}")),
        Case("a data directory that cannot be created", ("{folder}", "--trust", "{public}"),
             ("--data-dir", UNWRITABLE)),
    ],
    "voices list": [Case("a data directory under a file", (), ("--data-dir", "{file}/data"))],
    "update status": [
        Case("a data directory under a file", (), ("--data-dir", "{file}/data")),
        Case("a guides folder that is a file", (), ("--data-dir", "{odd_data}")),
    ],
    "staff set-pin": [
        Case("a PIN with letters", ("--pin-stdin",)),  # stdin: see _invoke
        Case("a data directory that cannot be created", ("--pin-stdin",), ("--data-dir", UNWRITABLE)),
    ],
    "settings show": [Case("a guides folder that is a file", (), ("--data-dir", "{odd_data}"))],
    "settings set": [
        Case("an unknown setting", ("no_such_setting", "1")),
        Case("not a number", ("idle_timeout_s", "soon")),
        Case("a garbage number", ("idle_timeout_s", BIG)),
        Case("not yes or no", ("stats_to_usb", "perhaps")),
        Case("a data directory under a file", ("site_name", "x"), ("--data-dir", "{file}/data")),
    ],
    "stats export": [
        Case("a file as the folder", ("--out", "{file}")),
        Case("a folder that cannot be created", ("--out", UNWRITABLE)),
    ],
    "recordings export": [
        Case("a folder that does not exist", ("--out", MISSING)),
        Case("a file as the folder", ("--out", "{file}")),
        Case("a folder where nothing can be written", ("--out", "/proc")),
        Case("a data directory under a file", ("--out", "{folder}"), ("--data-dir", "{file}/data")),
    ],
    "recordings list": [Case("a data directory under a file", (), ("--data-dir", "{file}/data"))],
    "maintenance check": [Case("a data directory that cannot be created", (), ("--data-dir", UNWRITABLE))],
    "maintenance end": [Case("a guides folder that is a file", (), ("--data-dir", "{odd_data}"))],
    "search": [
        Case("database does not exist", ("hallo", "--lang", "nl", "--database", MISSING)),
        Case("not a database", ("hallo", "--lang", "nl", "--database", "{file}")),
        Case("a folder as the database", ("hallo", "--lang", "nl", "--database", "{folder}")),
    ],
    "speak": [
        Case("nothing to say", ("", "--lang", "nl", "--output", "{new}.wav")),
        Case("not WAV", ("hallo", "--lang", "nl", "--output", "{new}.mp3")),
        Case("output in a missing folder", ("hallo", "--lang", "nl", "--output", f"{MISSING}.wav")),
        Case("output where nothing can be written", ("hallo", "--lang", "nl", "--output", f"{UNWRITABLE}.wav")),
        Case("a folder as the output", ("hallo", "--lang", "nl", "--output", "{folder}")),
        Case("a language without a voice", ("hallo", "--lang", "ps", "--output", "{new}.wav")),
        Case("text and a question", ("hallo", "--question", "accident", "--lang", "nl", "--output", "{new}.wav")),
        Case("no such question", ("--question", "no-such-question", "--lang", "nl", "--output", "{new}.wav")),
        Case("database does not exist", ("hallo", "--lang", "nl", "--database", MISSING)),
    ],
}


def _generic(name: str, command: click.Command) -> list[Case]:
    """Bad input any command can get, derived from its parameters."""
    base = _required(name, command)
    cases = [
        Case("an unknown option", (*base, "--no-such-option")),
        Case("a data directory that is a file", tuple(base), ("--data-dir", "{file}")),
    ]
    if any(p.required for p in command.params):
        cases.append(Case("nothing given", ()))
    for param in command.params:
        opt = param.opts[0] if isinstance(param, click.Option) else None
        if isinstance(param.type, click.Path):
            cases.append(Case(f"{param.name} empty", _with(base, param, opt, "")))
        if isinstance(param.type, (click.types.IntParamType, click.IntRange)):
            for garbage in ("many", BIG, "1.5"):
                cases.append(Case(f"{param.name} {garbage}", _with(base, param, opt, garbage)))
        if isinstance(param.type, click.Choice):
            cases.append(Case(f"{param.name} not a choice", _with(base, param, opt, "nonsense")))
        if param.name == "lang":
            for unknown in ("xx", "", "../nl"):
                cases.append(Case(f"language {unknown!r}", _with(base, param, opt, unknown)))
    return cases


def _required(name: str, command: click.Command) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        assert param.name in VALID, f"'{name}': add a valid value for {param.name} to VALID"
        value = VALID[param.name]
        args += [param.opts[0], value] if isinstance(param, click.Option) else [value]
    return args


def _complete(name: str, command: click.Command, case: Case) -> Case:
    """A row with valid values added for the required options it does not name (it gives its arguments itself)."""
    extra: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.required and not set(param.opts) & set(case.args):
            assert param.name in VALID, f"'{name}': add a valid value for {param.name} to VALID"
            extra += [param.opts[0], VALID[param.name]]
    return replace(case, args=(*case.args, *extra))


def _with(base: list[str], param: click.Parameter, opt: str | None, value: str) -> tuple[str, ...]:
    if opt is None:  # an argument: replace its valid value, or add it
        if param.required:
            args = list(base)
            args[base.index(VALID[param.name])] = value
            return tuple(args)
        return (*base, value)
    if opt in base:
        args = list(base)
        args[base.index(opt) + 1] = value
        return tuple(args)
    return (*base, opt, value)


def _all_cases() -> list[pytest.param]:
    params = []
    for name, command in COMMANDS.items():
        for case in _generic(name, command):
            params.append(pytest.param(name, case, id=f"{name}: {case.what}"))
        for case in SPECIFIC.get(name, []):
            params.append(pytest.param(name, _complete(name, command, case), id=f"{name}: {case.what}"))
    return params


def test_every_command_has_its_own_bad_input():
    missing = sorted(set(COMMANDS) - set(SPECIFIC))
    assert not missing, f"add the bad input of {missing} to SPECIFIC in {Path(__file__).name}"
    assert not set(SPECIFIC) - set(COMMANDS), "SPECIFIC names a command that no longer exists"


@pytest.fixture(scope="module")
def places(tmp_path_factory, shipped_guide) -> dict[str, str]:
    """Things the placeholders name: a file, a folder, the guide, a key pair, a data dir whose guides/ is a file."""
    from kiosk.updates.bundle import generate_keys

    base = tmp_path_factory.mktemp("places")
    (base / "file").write_text("not a folder, a key or a database\n", encoding="utf-8")
    (base / "folder").mkdir()
    generate_keys(base / "keys", "k")
    odd = base / "odd-data"
    odd.mkdir()
    (odd / "guides").write_text("a file where a folder belongs\n", encoding="utf-8")
    return {
        "file": str(base / "file"),
        "folder": str(base / "folder"),
        "guide": str(shipped_guide),
        "private": str(base / "keys" / "k.private.pem"),
        "public": str(base / "keys" / "k.public.pem"),
        "odd_data": str(odd),
    }


@pytest.fixture
def no_kiosk(monkeypatch):
    """`wegwijzer run` must refuse before the kiosk starts."""
    import kiosk.app

    def refuse(_options):  # pragma: no cover - reached only when a bad input slips through
        raise AssertionError("the kiosk was started")

    monkeypatch.setattr(kiosk.app, "run", refuse)


def _fill(args: tuple[str, ...], places: dict[str, str], tmp_path: Path) -> list[str]:
    return [a.format(**places, new=str(tmp_path / "new"), tmp=str(tmp_path)) if "{" in a else a for a in args]


def _invoke(name: str, case: Case, places: dict[str, str], tmp_path: Path):
    args = [*_fill(case.before, places, tmp_path), *name.split(), *_fill(case.args, places, tmp_path)]
    return CliRunner().invoke(main, args, input="12ab\n")


@pytest.mark.parametrize(("name", "case"), _all_cases())
def test_bad_input_gets_a_reason_not_a_traceback(name, case, places, tmp_path, no_kiosk):
    umask = os.umask(0o022)
    os.umask(umask)
    result = _invoke(name, case, places, tmp_path)
    everything = result.output + result.stderr
    assert result.exit_code in (1, 2), f"exit {result.exit_code}: {everything}"
    assert "Traceback" not in everything and "unexpected error" not in everything, everything
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    reason = [line for line in result.stderr.splitlines() if line.strip()]
    assert reason, f"no reason on standard error: {everything}"
    # a usage error: Usage, Try, Error (and the choices, if a choice is missing)
    assert len(reason) <= 6 and len(reason[-1]) <= 400, result.stderr
    assert os.umask(umask) == umask  # a private command gives the old umask back when it ends
    assert not (tmp_path / "missing").exists(), "a folder was created for a path in a missing folder"


# --- the safety net ------------------------------------------------------------------------------------------------
@pytest.fixture
def broken_command(monkeypatch):
    """`maintenance check` fails in a way no command foresees."""
    import kiosk.maintenance

    def boom() -> bool:
        raise RuntimeError("the marker is\nhaunted")

    monkeypatch.setattr(kiosk.maintenance, "active", boom)


def test_an_unexpected_error_is_one_line_and_status_1(broken_command, monkeypatch):
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    result = CliRunner().invoke(main, ["maintenance", "check"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.strip() == (
        f"wegwijzer: unexpected error: RuntimeError: the marker is haunted (set {DEBUG_ENV}=1 for the details)"
    )


def test_the_traceback_is_shown_on_request(broken_command, monkeypatch):
    monkeypatch.setenv(DEBUG_ENV, "1")
    result = CliRunner().invoke(main, ["maintenance", "check"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "in boom" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("(details above)")


def test_the_traceback_goes_to_the_kiosk_log_when_it_is_open(broken_command, tmp_path, monkeypatch):
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    log = tmp_path / "wegwijzer.log"
    handler = logging.FileHandler(log, encoding="utf-8")
    handler._wegwijzer = True  # as kiosk.logs marks its own
    logging.getLogger().addHandler(handler)
    try:
        result = CliRunner().invoke(main, ["maintenance", "check"])
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"details in {log}" in result.stderr
    assert "Traceback" in log.read_text(encoding="utf-8") and "haunted" in log.read_text(encoding="utf-8")


def test_run_keeps_its_own_exit_status(monkeypatch):
    import kiosk.app

    monkeypatch.setattr(kiosk.app, "run", lambda _options: 2)  # what run() returns when no guide opens
    result = CliRunner().invoke(main, ["run", "--windowed"])
    assert result.exit_code == 2 and "unexpected" not in result.output


def test_the_console_script_answers_with_a_reason(tmp_path):
    """The reported case, as a user runs it."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("wegwijzer")), "speak", "hallo", "--lang", "nl",
         "--output", str(tmp_path / "missing" / "hallo.wav")],
        capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "does not exist" in result.stderr.splitlines()[-1]


# --- Qt's multimedia chatter -----------------------------------------------------------------------------------------
@pytest.fixture
def rules_seen(monkeypatch) -> list[str | None]:
    """What QT_LOGGING_RULES is while `maintenance check` (standing in for any command) runs."""
    import kiosk.maintenance

    seen: list[str | None] = []
    monkeypatch.setattr(kiosk.maintenance, "active", lambda: seen.append(os.environ.get("QT_LOGGING_RULES")))
    for name in ("QT_LOGGING_RULES", "QT_LOGGING_CONF", DEBUG_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(Path(os.environ["WEGWIJZER_DATA_DIR"]).parent / "config"))
    return seen


def test_commands_silence_qt_multimedia_and_put_the_environment_back(rules_seen):
    assert CliRunner().invoke(main, ["maintenance", "check"]).exit_code == 0
    assert rules_seen == [QT_MULTIMEDIA_QUIET] and "QT_LOGGING_RULES" not in os.environ


def test_a_rule_the_user_set_wins(rules_seen, monkeypatch):
    monkeypatch.setenv("QT_LOGGING_RULES", "qt.multimedia.ffmpeg=true")
    CliRunner().invoke(main, ["maintenance", "check"])
    assert rules_seen == [f"{QT_MULTIMEDIA_QUIET};qt.multimedia.ffmpeg=true"]  # Qt: the last matching rule wins
    assert os.environ["QT_LOGGING_RULES"] == "qt.multimedia.ffmpeg=true"


@pytest.mark.parametrize("setting", ["QT_LOGGING_CONF", DEBUG_ENV])
def test_a_logging_configuration_or_debugging_leaves_qt_alone(rules_seen, monkeypatch, tmp_path, setting):
    monkeypatch.setenv(setting, str(tmp_path / "qtlogging.ini") if setting == "QT_LOGGING_CONF" else "1")
    CliRunner().invoke(main, ["maintenance", "check"])
    assert rules_seen == [None]


def test_speak_prints_no_qt_chatter(tmp_path):
    """Playing with no sound server reachable: only the command's own lines (this machine printed pipewire,
    FFmpeg and PulseAudio messages before)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PULSE_SERVER": str(tmp_path / "no-pulse"),
           "PIPEWIRE_REMOTE": str(tmp_path / "no-pipewire"), "XDG_RUNTIME_DIR": str(tmp_path)}  # fmt: skip
    for name in ("QT_LOGGING_RULES", "QT_LOGGING_CONF", DEBUG_ENV):
        env.pop(name, None)
    result = subprocess.run([str(Path(sys.executable).with_name("wegwijzer")), "speak", "hallo", "--lang", "nl"],
                            capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("voice espeak-ng:nl"), result.stderr
    if result.returncode == 1:  # no device: the command says so itself
        assert lines[1:] == ["Error: no audio output device here; use --output FILE.wav to save the speech"]
    else:
        assert result.returncode == 0 and len(lines) == 1, result.stderr
    assert not any(word in result.stderr for word in ("qt.multimedia", "pipewire", "PulseAudio", "FFmpeg"))
