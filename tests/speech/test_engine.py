"""Synthesis with the bundled espeak-ng: real audio, word timings, lexicon, missing voices."""

from __future__ import annotations

import array
import itertools
import math
import re
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.guide import GuideStore
from kiosk.speech.engine import SpeechError
from kiosk.speech.espeak import shared_engine
from kiosk.speech.lexicon import Lexicon, LexiconEntry
from kiosk.speech.speaker import Speaker

WITHOUT_VOICE = {"ps", "so", "ckb"}  # espeak-ng 1.52 has no Pashto, Somali or Sorani voice


@pytest.fixture(scope="module")
def engine():
    return shared_engine()


@pytest.fixture
def speaker(engine, shipped_guide):
    return Speaker(GuideStore(shipped_guide), engine)


def peak(samples: bytes) -> int:
    values = array.array("h", samples)
    return max(abs(v) for v in values) if values else 0


def test_every_voiced_language_speaks_its_answers(speaker):
    for lang in speaker.store.languages():
        if lang.code in WITHOUT_VOICE:
            continue
        text = speaker.store.answer("damage", lang.code).short
        utterance = speaker.say(text, lang.code)
        words = len(text.split())
        assert peak(utterance.samples) > 1000, f"{lang.code}: silent"
        assert 80 * words <= utterance.duration_ms <= 1500 * words, f"{lang.code}: {utterance.duration_ms} ms"
        times = [w.ms for w in utterance.words]
        assert times == sorted(times) and len(set(times)) == len(times), f"{lang.code}: timings not increasing"
        starts = [w.start for w in utterance.words]
        assert starts == sorted(starts)
        assert len(utterance.words) >= 0.6 * words, f"{lang.code}: only {len(utterance.words)} of {words} words timed"
        assert utterance.words[-1].ms < utterance.duration_ms


def test_languages_without_a_voice_are_reported(speaker):
    for code in WITHOUT_VOICE:
        assert speaker.voice_for(code) is None
        with pytest.raises(SpeechError, match="no voice"):
            speaker.say("test", code)


def test_dari_uses_the_persian_voice(speaker):
    assert speaker.voice_for("prs") == "fa"


def test_lexicon_turns_abbreviations_and_amounts_into_speech():
    lexicon = Lexicon(
        [
            LexiconEntry("OCMW", "O C M W"),
            LexiconEntry(r"EUR (\d{1,3})\.(\d{3}),(\d{2})(?!\d)", r"\1\2 euro \3", pattern=True),
            LexiconEntry(r"EUR (\d+),(\d{2})(?!\d)", r"\1 euro \2", pattern=True),
        ]
    )
    text = "Het OCMW betaalt EUR 44,02 per dag, EUR 1.760,83 per jaar."
    spoken, spans = lexicon.apply(text)
    assert spoken == "Het O C M W betaalt 44 euro 02 per dag, 1760 euro 83 per jaar."
    assert len(spans) == len(spoken)
    ocmw = spoken.index("O C M W")
    assert text[spans[ocmw][0] : spans[ocmw + 6][1]] == "OCMW"
    assert Lexicon([LexiconEntry("OCMW", "x")]).apply("OCMWX")[0] == "OCMWX"  # whole words only


def test_word_timings_point_at_the_original_written_words(engine):
    lexicon = Lexicon([LexiconEntry("OCMW", "O C M W"), LexiconEntry(r"EUR (\d+),(\d{2})", r"\1 euro \2", True)])
    text = "Het OCMW betaalt EUR 44,02 per dag."
    spoken, spans = lexicon.apply(text)
    utterance = engine.synthesize(spoken, "nl", spans=spans)
    said = [text[w.start : w.end] for w in utterance.words]
    assert said == ["Het", "OCMW", "betaalt", "EUR 44,02", "per", "dag"]


def test_the_word_at_a_playback_position_is_the_one_being_spoken(engine):
    text = "Ja, u mag vrijwilligerswerk doen."
    utterance = engine.synthesize(text, "nl")
    words = utterance.words
    for current, following in itertools.pairwise(words):
        middle = (current.ms + following.ms) // 2
        assert utterance.word_at(middle) == current
    assert utterance.word_at(words[-1].ms + 10) == words[-1]
    assert utterance.word_at(-1) is None


def test_slow_is_slower(speaker):
    text = speaker.store.answer("accident", "nl").short
    assert speaker.say(text, "nl", slow=True).duration_ms > speaker.say(text, "nl").duration_ms * 1.15


def test_speak_command_saves_a_wav(tmp_path, shipped_guide):
    out = tmp_path / "speech.wav"
    result = CliRunner().invoke(
        main, ["speak", "Het OCMW helpt u.", "--lang", "nl", "--output", str(out), "--database", str(shipped_guide)]
    )
    assert result.exit_code == 0, result.output
    with wave.open(str(out)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getnframes() > wav.getframerate() // 2
    assert "O C M W" in result.output


@pytest.mark.parametrize(("lang", "text"), [("ps", "سلام"), ("ckb", "سڵاو")])
def test_speak_command_without_a_voice_says_so(shipped_guide, tmp_path, lang, text):
    result = CliRunner().invoke(
        main, ["speak", text, "--lang", lang, "--output", str(tmp_path / "x.wav"), "--database", str(shipped_guide)]
    )
    assert result.exit_code != 0 and f"no voice for language '{lang}'" in result.output
    assert "none that may be shipped" in result.output and "never another language's voice" in result.output
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("lang", ["ru", "es", "ka", "kmr"])
def test_the_new_languages_are_read_by_their_own_espeak_voice(shipped_guide, tmp_path, lang):
    """Each is said at a speaking length and loudness: not silence, not letter names of another script."""
    out = tmp_path / "answer.wav"
    result = CliRunner().invoke(main, ["speak", "--lang", lang, "--question", "accident", "--output", str(out),
                                       "--engine", "espeak-ng", "--database", str(shipped_guide)])  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = {"ru": "ru", "es": "es", "ka": "ka", "kmr": "ku"}[lang]  # Kurmanji: espeak-ng's "ku"
    assert re.match(f"voice (espeak-ng:)?{expected},", result.output), result.output[:80]
    with wave.open(str(out)) as wav:
        rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
    samples = array.array("h", frames)
    seconds = len(samples) / rate
    rms = math.sqrt(sum(x * x for x in samples[::50]) / len(samples[::50]))
    assert 30 < seconds < 150, seconds  # the whole answer at a speaking pace (about 70-100 s)
    assert -30 < 20 * math.log10(rms / 32768) < -10


@pytest.mark.parametrize("lang", ["nl", "fr", "en", "ar", "prs", "ti", "tr", "uk"])
def test_speak_a_question_reads_every_figure_as_words(lang, tmp_path, shipped_guide):
    """Issue #13: each voiced language reads the amounts of the amount answer as words, not digits."""
    out = tmp_path / "speech.wav"
    result = CliRunner().invoke(main, ["speak", "--question", "how-much", "--lang", lang, "--today", "2026-12-05",
                                       "--output", str(out), "--database", str(shipped_guide)])  # fmt: skip
    assert result.exit_code == 0, result.output
    spoken = result.output.split(": ", 1)[1].split("\nsaved")[0]
    assert not re.search(r"[0-9\u0660-\u0669\u06f0-\u06f9]", spoken), spoken  # no digit is left to the voice
    assert out.stat().st_size > 100_000


def test_speak_a_question_on_a_day_after_its_figures_expired_adds_the_notice(tmp_path, shipped_guide):
    out = str(tmp_path / "x.wav")
    result = CliRunner().invoke(main, ["speak", "--question", "how-much", "--lang", "nl", "--today", "2027-01-02",
                                       "--output", out, "--database", str(shipped_guide)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "in 2026: vierenveertig euro, twee cent" in result.output
    assert "Vraag het aan het personeel" in result.output


def test_without_the_neural_engine_installed_piper_is_refused_with_its_reason(monkeypatch):
    import sys

    from kiosk.speech.engines import make_engine

    monkeypatch.setitem(sys.modules, "piper", None)  # as on a kiosk without the 'neural' extra
    with pytest.raises(SpeechError, match="piper-tts"):
        make_engine("piper")
    with pytest.raises(SpeechError, match="known: auto, espeak-ng, piper"):
        make_engine("festival")
    assert make_engine("espeak-ng").resolve(["nl"]) == "nl"
    # the kiosk's engine goes on with espeak-ng, even with a voice folder it cannot use
    assert make_engine("auto", voices=[Path("/nonexistent")]).resolve(["nl"]) == "espeak-ng:nl"


def test_choose_voice_takes_the_staff_engine_first_then_the_best_that_has_one():
    from kiosk.speech.engine import choose_voice

    engines = {"piper": {"en": "joe", "en-us": "joe"}, "espeak-ng": {"en": "en", "en-gb": "en-gb", "nl": "nl"}}
    assert choose_voice(["en-gb", "en"], engines) == "piper:en"  # the neural voice beats a closer accent
    assert choose_voice(["en-gb", "en"], engines, prefer="espeak-ng") == "espeak-ng:en-gb"
    assert choose_voice(["nl"], engines, prefer="piper") == "espeak-ng:nl"  # the staff's engine has none: best
    assert choose_voice(["ps"], engines) is None
