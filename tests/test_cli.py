"""The `wegwijzer` command line: exit codes, output formats, documentation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner

from kiosk import paths
from kiosk.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_is_clean_on_the_shipped_guide():
    result = run("content", "check")
    assert result.exit_code == 0
    assert ": error:" not in result.output


def test_check_exits_1_with_path_and_line(content_copy):
    answer = content_copy / "lang/nl/answers/damage.md"
    answer.write_text(answer.read_text(encoding="utf-8").replace("status: original", "status: [x"), encoding="utf-8")
    result = run("content", "check", "--source", str(content_copy))
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(answer))}:\d+: error: YAML cannot be read", result.output)


def test_build_writes_the_output_and_refuses_errors(tmp_path, content_copy):
    out = tmp_path / "guide.sqlite"
    result = run("content", "build", "--source", str(content_copy), "--output", str(out))
    assert result.exit_code == 0 and out.is_file()
    before = out.read_bytes()
    (content_copy / "guide.yaml").write_text("version: zero\n", encoding="utf-8")
    result = run("content", "build", "--source", str(content_copy), "--output", str(out))
    assert result.exit_code == 1
    assert "build refused" in result.output and "guide.yaml:1: error:" in result.output
    assert out.read_bytes() == before


def test_coverage_json(shipped_guide):
    result = run("content", "coverage", "--database", str(shipped_guide), "--json")
    rows = json.loads(result.output)
    assert len(rows) >= 10
    nl = next(r for r in rows if r["lang"] == "nl")
    assert nl["original"] >= 35 and nl["missing"] == 0
    assert nl["voices"] == ["nl"]


def test_coverage_shows_the_languages_without_a_voice(shipped_guide):
    result = CliRunner().invoke(main, ["content", "coverage", "--database", str(shipped_guide)])
    assert result.exit_code == 0
    ps = next(line for line in result.output.splitlines() if line.startswith("ps "))
    assert "NONE" in ps
    assert "no voice: ps, so" in result.output


def test_search_json(shipped_guide):
    result = run("search", "verzekering", "--lang", "nl", "--database", str(shipped_guide), "--json")
    hits = json.loads(result.output)
    assert hits and {"question_id", "question", "snippet", "snippet_highlights"} <= set(hits[0])


def test_search_unknown_language_is_a_clear_error(shipped_guide):
    result = CliRunner().invoke(main, ["search", "x", "--lang", "xx", "--database", str(shipped_guide)])
    assert result.exit_code != 0 and "unknown language 'xx'" in result.output


def test_search_without_words_still_checks_the_language(shipped_guide):
    for query in ("", "   ", "?!"):
        result = CliRunner().invoke(main, ["search", query, "--lang", "xx", "--database", str(shipped_guide)])
        assert result.exit_code == 1 and "unknown language 'xx'" in result.output, query
    assert run("search", "", "--lang", "nl", "--database", str(shipped_guide)).exit_code == 0


def test_missing_database_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["content", "coverage", "--database", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_build_refuses_an_output_in_a_missing_folder(tmp_path):
    out = tmp_path / "missing" / "deeper" / "guide.sqlite"
    result = CliRunner().invoke(main, ["content", "build", "--output", str(out)])
    assert result.exit_code == 2 and f"the folder {out.parent} does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_speak_refuses_what_it_cannot_write_before_speaking(tmp_path):
    cases = {
        str(tmp_path / "hallo.mp3"): "only WAV is written",
        str(tmp_path / "missing" / "hallo.wav"): "does not exist",
        str(tmp_path): "is a directory",
    }
    for output, reason in cases.items():
        result = CliRunner().invoke(main, ["speak", "hallo", "--lang", "nl", "--output", output])
        assert result.exit_code == 2 and reason in result.output, output
        assert "voice" not in result.output  # refused before anything was synthesised
    assert not (tmp_path / "hallo.mp3").exists() and not (tmp_path / "missing").exists()


def test_data_dir_that_is_a_file_is_a_usage_error(tmp_path, monkeypatch):
    file = tmp_path / "data"
    file.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(file), "settings", "show"])
    assert result.exit_code == 2 and "is a file" in result.stderr
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(file))
    result = CliRunner().invoke(main, ["maintenance", "check"])
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_update_status_shows_a_dash_for_an_attempt_without_a_version(tmp_path):
    from kiosk.updates.bundle import generate_keys

    _, public = generate_keys(tmp_path / "keys", "k")
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["update", "apply", "--from", str(tmp_path / "empty"), "--trust", str(public)])
    assert result.exit_code == 1 and "refused" in result.output
    shown = run("update", "status").output
    attempt = next(line for line in shown.splitlines() if "refused" in line)
    assert "None" not in shown and re.match(r"\s+\S+\s+-\s+refused\s+\S", attempt), shown


def test_data_dir_option_and_environment(tmp_path, monkeypatch):
    run("--data-dir", str(tmp_path / "x"), "content", "--help")
    assert paths.data_dir() == tmp_path / "x"
    paths.set_data_dir(None)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "y"))
    assert paths.data_dir() == tmp_path / "y"


def _commands(group: click.Group, prefix: str = "wegwijzer") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        out.append((full, command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, full))
    return out


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for full, command in _commands(main):
        assert command.help, f"{full} has no help text"
        if not isinstance(command, click.Group):
            assert full in readme, f"'{full}' is not documented in README.md"


def test_recordings_export_then_content_import_reviews(shipped_guide, content_copy, tmp_path, data_dir):
    """The editors' way: a kiosk's review marks exported, listed and taken into the content."""
    from kiosk.contrib.store import Contributions, answer_version
    from kiosk.guide import GuideStore

    store = GuideStore(shipped_guide)
    contributions = Contributions(data_dir / "contrib")
    contributions.add_review("so", "accident", "correct", "", "AH", answer_version(store, "accident", "so"))
    listed = run("recordings", "list")
    assert listed.exit_code == 0 and "review so/accident: correct by AH" in listed.output
    stick = tmp_path / "stick"
    stick.mkdir()
    exported = run("recordings", "export", "--out", str(stick))
    assert exported.exit_code == 0 and "exported 0 recording(s) and 1 review file(s)" in exported.output
    imported = run("content", "import-reviews", str(stick), "--source", str(content_copy))
    assert imported.exit_code == 0, imported.output
    assert "status: reviewed" in (content_copy / "lang/so/answers/accident.md").read_text(encoding="utf-8")
    again = run("content", "import-recordings", str(stick), "--source", str(content_copy))
    assert again.exit_code == 0 and "0 file(s) written" in again.output
