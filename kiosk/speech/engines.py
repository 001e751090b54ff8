"""The one place that picks a speech engine (no Qt)."""

from __future__ import annotations

from kiosk.speech.engine import SpeechEngine, SpeechError

DEFAULT_ENGINE = "espeak-ng"
ENGINES = ("espeak-ng",)


def make_engine(name: str = DEFAULT_ENGINE) -> SpeechEngine:
    """The speech engine called ``name``; raises SpeechError if it cannot be started here."""
    if name == "espeak-ng":
        from kiosk.speech.espeak import EspeakEngine

        return EspeakEngine()
    raise SpeechError(f"no speech engine '{name}' (known: {', '.join(ENGINES)})")
