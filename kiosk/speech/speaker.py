"""From guide text to audio: the language's lexicon, its voice (from the voice hints), synthesis."""

from __future__ import annotations

import io
import wave
from pathlib import Path

from kiosk.guide import GuideStore
from kiosk.speech.engine import DEFAULT_WPM, SLOW_WPM, EspeakEngine, SpeechError, Utterance
from kiosk.speech.lexicon import Lexicon, lexicon_for


class Speaker:
    """Synthesises text of the guide in a language, the way the kiosk says it."""

    def __init__(self, store: GuideStore, engine: EspeakEngine) -> None:
        self.store, self.engine = store, engine
        self._lexicons: dict[str, Lexicon] = {}

    def voice_for(self, lang: str) -> str | None:
        """The espeak-ng voice for ``lang`` (e.g. Dari -> 'fa'), or None when no voice is usable."""
        return self.engine.resolve(self.store.language(lang).voices)

    def lexicon(self, lang: str) -> Lexicon:
        if lang not in self._lexicons:
            self._lexicons[lang] = lexicon_for(self.store, lang)
        return self._lexicons[lang]

    def say(self, text: str, lang: str, slow: bool = False) -> Utterance:
        voice = self.voice_for(lang)
        if voice is None:
            raise SpeechError(f"no voice for language '{lang}' (tried {', '.join(self.store.language(lang).voices)})")
        spoken, spans = self.lexicon(lang).apply(text)
        return self.engine.synthesize(spoken, voice, SLOW_WPM if slow else DEFAULT_WPM, spans)


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
