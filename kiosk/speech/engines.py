"""The one place that picks a speech engine (no Qt).

``espeak-ng`` is always there. ``piper`` is the neural engine: it needs the ``neural`` extra (piper-tts and
onnxruntime) and at least one Piper voice: the installed voice packs (``voices/`` in the data directory) and
any folder named in ``WEGWIJZER_VOICE_DIRS`` (separated like PATH; for editors trying a voice, and the tests).
``auto`` (the kiosk's) is both: per language the neural voice where one is installed, espeak-ng elsewhere.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from kiosk.speech.engine import DEFAULT_WPM, SpeechEngine, SpeechError, Utterance, choose_voice
from kiosk.speech.installed import installed_folders

log = logging.getLogger(__name__)
DEFAULT_ENGINE = "auto"
ENGINES = ("auto", "espeak-ng", "piper")
NEURAL, ESPEAK = "piper", "espeak-ng"


def voice_folders() -> list[Path]:
    """Folders that each hold one Piper voice: installed (signed, verified) packs first, then the folders in
    ``WEGWIJZER_VOICE_DIRS`` (a developer's or a test's voices)."""
    found: list[Path] = installed_folders()
    for entry in os.environ.get("WEGWIJZER_VOICE_DIRS", "").split(os.pathsep):
        if entry.strip():
            found.append(Path(entry.strip()))
    return found


class ChainEngine:
    """Several engines as one, best first: a voice is 'engine:tag' (a bare tag goes to the first engine with it)."""

    def __init__(self, engines: Mapping[str, SpeechEngine]) -> None:
        if not engines:
            raise SpeechError("no speech engine could be started")
        self.engines = dict(engines)
        self.sample_rate = next(iter(self.engines.values())).sample_rate

    @property
    def by_engine(self) -> dict[str, dict[str, str]]:
        """Each engine's voices (language tag -> its identifier), best engine first."""
        return {name: dict(engine.voices) for name, engine in self.engines.items()}

    @property
    def voices(self) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for name, engine in self.engines.items():
            for tag in engine.voices:
                found.setdefault(tag, f"{name}:{tag}")
        return found

    def resolve(self, hints: list[str] | tuple[str, ...], prefer: str | None = None) -> str | None:
        return choose_voice(hints, self.by_engine, prefer)

    def prepare(self, voice: str) -> None:
        """Load ``voice`` ('engine:tag') if its engine loads voices (a neural model); others need nothing."""
        name, _, tag = voice.partition(":")
        engine = self.engines.get(name)
        prepare = getattr(engine, "prepare", None)
        if prepare is not None:
            prepare(tag)

    def synthesize(
        self, spoken: str, voice: str, wpm: int = DEFAULT_WPM,
        spans: list[tuple[int, int]] | tuple[tuple[int, int], ...] | None = None,
    ) -> Utterance:
        name, _, tag = voice.partition(":")
        if not tag:
            qualified = self.resolve([voice])
            if qualified is None:
                raise SpeechError(f"no voice '{voice}'")
            name, _, tag = qualified.partition(":")
        engine = self.engines.get(name)
        if engine is None:
            raise SpeechError(f"no speech engine '{name}' here")
        return engine.synthesize(spoken, tag, wpm, spans)


def make_engine(name: str = DEFAULT_ENGINE, voices: Iterable[Path] | None = None) -> SpeechEngine:
    """The speech engine called ``name``; raises SpeechError if it cannot be started here."""
    if name == ESPEAK:
        from kiosk.speech.espeak import shared_engine

        return shared_engine()
    if name == NEURAL:
        from kiosk.speech.piper import PiperEngine

        engine = PiperEngine(voice_folders() if voices is None else voices)
        if not engine.voices:
            reasons = "; ".join(engine.problems) or "install a voice pack (wegwijzer voices add)"
            raise SpeechError(f"the neural engine has no voice: {reasons}")
        return engine
    if name == "auto":
        engines: dict[str, SpeechEngine] = {}
        folders = voice_folders() if voices is None else list(voices)
        if folders:  # no voice packs: onnxruntime is not even loaded
            try:
                engines[NEURAL] = make_engine(NEURAL, folders)
            except SpeechError as exc:
                log.warning("neural voices not used: %s", exc)
        try:
            engines[ESPEAK] = make_engine(ESPEAK)
        except SpeechError as exc:
            if not engines:
                raise
            log.warning("espeak-ng not used: %s", exc)
        return ChainEngine(engines)
    raise SpeechError(f"no speech engine '{name}' (known: {', '.join(ENGINES)})")
