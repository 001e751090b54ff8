"""The one place that picks a speech engine (no Qt).

``espeak-ng`` is always there. ``piper`` is the neural engine: it needs the ``neural`` extra (piper-tts and
onnxruntime) and at least one Piper voice: the installed voice packs (``voices/`` in the data directory) and
any folder named in ``WEGWIJZER_VOICE_DIRS`` (separated like PATH; for editors trying a voice, and the tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kiosk import paths
from kiosk.speech.engine import SpeechEngine, SpeechError

DEFAULT_ENGINE = "espeak-ng"
ENGINES = ("espeak-ng", "piper")


def voice_folders() -> list[Path]:
    """Folders that each hold one Piper voice: installed packs first, then ``WEGWIJZER_VOICE_DIRS``."""
    found: list[Path] = []
    installed = paths.voices_dir()
    if installed.is_dir():
        found.extend(sorted(p for p in installed.iterdir() if p.is_dir() and not p.name.startswith(".")))
    for entry in os.environ.get("WEGWIJZER_VOICE_DIRS", "").split(os.pathsep):
        if entry.strip():
            found.append(Path(entry.strip()))
    return found


def make_engine(name: str = DEFAULT_ENGINE, voices: Iterable[Path] | None = None) -> SpeechEngine:
    """The speech engine called ``name``; raises SpeechError if it cannot be started here."""
    if name == "espeak-ng":
        from kiosk.speech.espeak import EspeakEngine

        return EspeakEngine()
    if name == "piper":
        from kiosk.speech.piper import PiperEngine

        engine = PiperEngine(voice_folders() if voices is None else voices)
        if not engine.voices:
            reasons = "; ".join(engine.problems) or "install a voice pack (wegwijzer voices add)"
            raise SpeechError(f"the neural engine has no voice: {reasons}")
        return engine
    raise SpeechError(f"no speech engine '{name}' (known: {', '.join(ENGINES)})")
