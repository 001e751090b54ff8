"""Human recordings: validated and stored by the build, and played instead of the synthetic voice."""

from __future__ import annotations

import math
import struct
import wave

import pytest

from kiosk import paths
from kiosk.content.build import build
from kiosk.content.check import check
from kiosk.guide import GuideStore
from kiosk.qt.speech import SpeechService


def tone(path, seconds: float = 1.0, rate: int = 16000, channels: int = 1, width: int = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(i / 10))) * channels for i in range(int(seconds * rate))
        )
        wav.writeframes(frames if width == 2 else bytes(len(frames) // 2))


def errors(root):
    _, report = check(root, paths.icons_dir(), paths.fonts_dir())
    return [str(p) for p in report.errors]


@pytest.fixture
def recorded_guide(tmp_path, content_copy):
    tone(content_copy / "lang/ps/recordings/accident.short.wav", 1.5, channels=2)
    tone(content_copy / "lang/ps/recordings/accident.answer.wav", 2.0)
    out = tmp_path / "guide.sqlite"
    build(content_copy, out, paths.icons_dir(), paths.fonts_dir())
    return out


def test_recordings_are_stored_by_the_build(recorded_guide):
    with GuideStore(recorded_guide) as store:
        assert store.recorded("accident", "ps") == (True, True)
        assert store.recorded("accident", "nl") == (False, False)
        short = store.recording("accident", "ps", "short")
        assert short.channels == 2 and short.sample_rate == 16000
        assert len(short.mono()) == len(short.frames) // 2


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("accident.wav", lambda p: tone(p), "is named <question-id>.short.wav"),
        ("accident.short.wav", lambda p: p.write_bytes(b"RIFF garbage"), "not a readable WAV file"),
        ("accident.short.wav", lambda p: tone(p, width=1), "16-bit PCM"),
        ("accident.short.wav", lambda p: tone(p, seconds=0.1), "too short or too long"),
        ("no-such-question.short.wav", lambda p: tone(p), "has no answer in this language"),
    ],
)
def test_bad_recordings_are_refused(content_copy, name, make, expected):
    path = content_copy / "lang/ps/recordings" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    found = errors(content_copy)
    assert any(f"lang/ps/recordings/{name}:1:" in e and expected in e for e in found), found


def test_a_recording_is_played_instead_of_the_missing_voice(qtbot, recorded_guide):
    speech = SpeechService(GuideStore(recorded_guide), use_device=False)
    speech.output.clock_speed = 20.0
    try:
        with qtbot.waitSignal(speech.voices_checked, timeout=10_000):
            pass
        assert not speech.has_voice("ps")  # Pashto has no synthetic voice: the people recorded it
        with qtbot.waitSignal(speech.started, timeout=10_000):
            assert speech.speak(
                "k", ["short", "answer"], "ps", recordings=[("accident", "short"), ("accident", "answer")]
            )
        playing = speech._playing.utterance
        assert playing.duration_ms == 1500 and playing.words == ()  # the recording itself, not synthesis
        with qtbot.waitSignal(speech.finished, timeout=10_000):
            pass
    finally:
        speech.shutdown()


def test_without_recordings_a_voiceless_language_is_refused(qtbot, recorded_guide):
    speech = SpeechService(GuideStore(recorded_guide), use_device=False)
    try:
        with qtbot.waitSignal(speech.voices_checked, timeout=10_000):
            pass
        assert not speech.speak("k", ["text"], "ps", recordings=[None])
        assert speech.speak("k", ["text", "more"], "ps", recordings=[("accident", "short"), ("accident", "answer")])
    finally:
        speech.shutdown()
