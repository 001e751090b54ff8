"""Recording on the kiosk from a real (virtual) microphone: a PulseAudio source fed with a known WAV, recorded
through the real staff page, kept, heard on the kiosk's output with the sentence highlight moving, exported, and
imported into the content byte for byte, marked with the answer's version."""

from __future__ import annotations

import array
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kiosk.content.contributions import import_recordings
from kiosk.contrib.store import sentence_spans
from kiosk.guide import GuideStore
from tests.e2e.conftest import pulse_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("pulseaudio", "parec", "paplay", "pactl")),
        reason="needs pulseaudio and its utilities",
    ),
]
RATE = 22050
HERE = Path(__file__).parent


@pytest.fixture
def sound_server(tmp_path):
    """A sound server with an output 'kiosk' (recorded by the test) and a microphone 'virtmic' fed by sink 'mic'."""
    modules = ("module-null-sink sink_name=kiosk", "module-null-sink sink_name=mic",
               "module-remap-source master=mic.monitor source_name=virtmic")  # fmt: skip
    with pulse_server(tmp_path, *modules) as env:
        for command in (["pactl", "set-default-sink", "kiosk"], ["pactl", "set-default-source", "virtmic"]):
            subprocess.run(command, env=env, check=True, capture_output=True)
        yield env


@pytest.fixture
def known_wav(tmp_path, shipped_guide):
    """A person reading (here: the kiosk's voice saying a Dutch sentence), as a WAV file."""
    out = tmp_path / "reader.wav"
    result = subprocess.run([str(Path(sys.executable).parent / "wegwijzer"), "speak", "--lang", "nl", "--engine",
                             "espeak-ng", "--database", str(shipped_guide), "--output", str(out),
                             "Dit is een zin die iemand voorleest."],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def rms(samples: array.array) -> float:
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def test_record_from_a_microphone_hear_it_export_and_import(sound_server, known_wav, shipped_guide, content_copy,
                                                            tmp_path):  # fmt: skip
    env = dict(sound_server, QT_QPA_PLATFORM="offscreen")
    stick = tmp_path / "stick"
    stick.mkdir()
    heard_file = tmp_path / "heard.raw"
    with heard_file.open("wb") as heard_out:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "record_then_play.py"), str(shipped_guide), str(known_wav), "ti", "accident",
             str(stick)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parents[1],
        )  # fmt: skip
        recorder = None
        lines = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("RECORD "):  # a reader reads the sentence into the microphone
                subprocess.run(["paplay", "-d", "mic", str(known_wav)], env=env, check=True, timeout=60)
                (tmp_path / f"played-{line.split()[1]}").touch()
            if line.startswith("LISTEN"):  # the kiosk is about to play: record its output
                parec = ["parec", "-d", "kiosk.monitor", "--format=s16le", f"--rate={RATE}", "--channels=1"]
                recorder = subprocess.Popen(parec, env=env, stdout=heard_out)
            if line.startswith("DONE LISTENING") and recorder is not None:
                time.sleep(0.5)
                recorder.terminate()
                recorder.wait(5)
        process.wait(120)
    assert process.returncode == 0, "".join(lines) + (process.stderr.read() if process.stderr else "")
    out = json.loads(lines[-1])
    assert out["microphone"] and out["failures"] == []
    short = GuideStore(shipped_guide).answer("accident", "ti").short
    assert out["sentences"] == len(sentence_spans(short)) and out["recorded"] == [True, False]
    assert [(s, e) for _p, s, e in out["highlights"]] == sentence_spans(short), "each sentence lit up in turn"
    data = heard_file.read_bytes()
    samples = array.array("h", data[: len(data) // 2 * 2])
    loud = [i for i in range(0, len(samples), RATE // 20) if rms(samples[i : i + RATE // 20]) > 300]
    assert loud and (loud[-1] - loud[0]) * 1000 // RATE > 1500, "the recording was heard on the kiosk's output"
    # the export, taken into the content: the same bytes, marked with the answer's version
    folder = Path(out["export_folder"])
    result = import_recordings(content_copy, stick)
    assert not result.report.errors, result.report.sorted()
    imported = content_copy / "lang/ti/recordings/accident.short.wav"
    assert imported.read_bytes() == (folder / "recordings/ti/accident.short.wav").read_bytes()
    sidecar = imported.with_suffix(".yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(sidecar)["answer_hash"] == GuideStore(shipped_guide).answer_hash("accident", "ti")
