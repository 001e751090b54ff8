"""The speech-engine seam (no Qt): what an engine offers, what it returns, and the one place that picks one.

An engine lists its voices (language tags) and synthesises a sentence into 16-bit mono PCM with the time of every
word. espeak-ng (:mod:`kiosk.speech.espeak`) is the first; :func:`kiosk.speech.engines.make_engine` is where the
kiosk's speech worker, ``wegwijzer speak``, the self-test and the benchmarks get theirs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

DEFAULT_WPM = 165
SLOW_WPM = 120


class SpeechError(Exception):
    """The speech engine cannot be used (no library, no voice, synthesis failed)."""


@dataclass(frozen=True)
class WordTiming:
    """A word of the ORIGINAL text (character range) and when it starts in the audio."""

    start: int
    end: int
    ms: int


@dataclass(frozen=True)
class Utterance:
    """16-bit mono PCM with the timing of every word."""

    samples: bytes
    sample_rate: int
    words: tuple[WordTiming, ...]

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // (2 * self.sample_rate)

    def word_at(self, ms: int) -> WordTiming | None:
        """The word being spoken at ``ms`` into the audio (the last one that started)."""
        current = None
        for word in self.words:
            if word.ms > ms:
                break
            current = word
        return current


def pick_voice(hints: list[str] | tuple[str, ...], available: Collection[str]) -> str | None:
    """The first voice hint (a language's ``voice:`` list, e.g. Dari -> ['fa']) that is available."""
    return next((hint for hint in hints if hint.lower() in available), None)


def choose_voice(hints: list[str] | tuple[str, ...], by_engine: Mapping[str, Collection[str]],
                 prefer: str | None = None) -> str | None:  # fmt: skip
    """The voice for a language as 'engine:tag': the first engine (``prefer`` first, then in the given order) that
    has a voice for one of ``hints``; the first such hint. None when no engine has one."""
    order = ([prefer] if prefer is not None and prefer in by_engine else []) + [n for n in by_engine if n != prefer]
    for name in order:
        hint = pick_voice(hints, by_engine[name])
        if hint is not None:
            return f"{name}:{hint}"
    return None


class SpeechEngine(Protocol):
    """A speech engine, used from one thread of one process."""

    sample_rate: int

    @property
    def voices(self) -> Mapping[str, str]:
        """Language tags it has a voice for (e.g. 'nl', 'fr-be', 'fa'), with the voice's identifier."""
        ...

    def resolve(self, hints: list[str] | tuple[str, ...]) -> str | None:
        """The first of ``hints`` (a language's ``voice:`` list) it has a voice for, or None."""
        ...

    def synthesize(self, spoken: str, voice: str, wpm: int = DEFAULT_WPM,
                   spans: list[tuple[int, int]] | tuple[tuple[int, int], ...] | None = None) -> Utterance:  # fmt: skip
        """``spoken`` as audio; ``spans[i]`` is the range of the original text spoken character i stands for, and
        every WordTiming is a range of that original text."""
        ...
