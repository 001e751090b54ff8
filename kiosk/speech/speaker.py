"""From guide text to audio in this process (no Qt): the same plan as the kiosk's (kiosk.speech.plan), the same
engine seam (kiosk.speech.engine); used by ``wegwijzer speak``, the self-test and the benchmarks."""

from __future__ import annotations

import io
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.guide import GuideStore
from kiosk.speech.engine import SpeechEngine, SpeechError, Utterance, WordTiming
from kiosk.speech.lexicon import Lexicon, lexicon_for
from kiosk.speech.plan import NoVoiceError, Recording, Step, Synthesis, plan, speaking_rate


@dataclass(frozen=True)
class SpokenWord:
    """A word as heard: its part, its range in that part as shown, and when it starts (ms into the whole)."""

    part: int
    start: int
    end: int
    ms: int


class Speaker:
    """Says text of the guide in a language, the way the kiosk says it."""

    def __init__(self, store: GuideStore, engine: SpeechEngine) -> None:
        self.store, self.engine = store, engine
        self._lexicons: dict[str, Lexicon] = {}

    def voice_for(self, lang: str) -> str | None:
        """The engine's voice for ``lang`` (e.g. Dari -> 'fa'), or None when no voice is usable."""
        return self.engine.resolve(self.store.language(lang).voices)

    def lexicon(self, lang: str) -> Lexicon:
        if lang not in self._lexicons:
            self._lexicons[lang] = lexicon_for(self.store, lang)
        return self._lexicons[lang]

    def plan(self, parts: Sequence[str], lang: str, slow: bool = False, speed: float = 1.0,
             variants: Sequence[str | None] = ()) -> list[Step]:  # fmt: skip
        """The kiosk's plan for saying ``parts`` (kiosk.speech.plan.plan); SpeechError if there is no voice."""
        try:
            steps, _ = plan(parts, self.voice_for(lang), self.lexicon(lang), speaking_rate(slow, speed),
                            variants=variants)  # fmt: skip
        except NoVoiceError:
            tried = ", ".join(self.store.language(lang).voices)
            if not tried:
                raise SpeechError(f"no voice for language '{lang}': it has none that may be shipped (languages.yaml "
                                  f"gives none), so the kiosk plays recordings of its answers where they exist, and "
                                  f"never another language's voice") from None  # fmt: skip
            raise SpeechError(f"no voice for language '{lang}' (tried {tried})") from None
        return steps

    def synthesize(self, step: Synthesis) -> Utterance:
        return self.engine.synthesize(step.spoken, step.voice, step.wpm, step.spans)

    def speak(self, parts: Sequence[str], lang: str, slow: bool = False, speed: float = 1.0,
              variants: Sequence[str | None] = ()) -> tuple[Utterance, list[SpokenWord]]:  # fmt: skip
        """All of ``parts`` as one utterance, sentence after sentence as the kiosk plays them, and every word heard
        as a range of its part as shown."""
        samples: list[bytes] = []
        words: list[SpokenWord] = []
        rate, elapsed_ms = 0, 0
        for step in self.plan(parts, lang, slow, speed, variants):
            if isinstance(step, Recording):  # the plan has none: no recordings asked for
                continue
            utterance = self.synthesize(step)
            rate = utterance.sample_rate
            for word in utterance.words:
                start, end = step.shown_range(word.start, word.end)
                words.append(SpokenWord(step.part, start, end, elapsed_ms + word.ms))
            samples.append(utterance.samples)
            elapsed_ms += utterance.duration_ms
        timings = tuple(WordTiming(w.start, w.end, w.ms) for w in words)
        return Utterance(b"".join(samples), rate, timings), words

    def say(self, text: str, lang: str, slow: bool = False, speed: float = 1.0) -> Utterance:
        """``text`` as one utterance; its words are ranges of ``text``."""
        utterance, _ = self.speak([text], lang, slow, speed)
        return utterance


def wav_bytes(utterance: Utterance) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(utterance.sample_rate)
        out.writeframes(utterance.samples)
    return buffer.getvalue()


def write_wav(utterance: Utterance, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(wav_bytes(utterance))
    tmp.replace(path)
