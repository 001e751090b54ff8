"""espeak-ng through pyttsx3's ctypes binding, synthesising into memory with word timings (no Qt).

pyttsx3's own Linux driver plays through a blocking ``aplay`` and reports words before any sound (see
``../shared/brief/stack-notes.md``), so the kiosk uses the same binding (``pyttsx3.drivers._espeak``) in
synchronous mode: espeak hands back the samples and, for every word, its character position in the text and
its time in the audio. The library and its voices come from the ``espeakng-loader`` wheel, so no system
package is needed; a system espeak-ng is used only if the wheel's library cannot be loaded.
"""

from __future__ import annotations

import ctypes
import os
import threading
from functools import cached_property
from types import ModuleType

from kiosk.speech.engine import DEFAULT_WPM, SpeechError, Utterance, WordTiming, pick_voice


def _load_binding() -> ModuleType:
    """Load libespeak-ng (the wheel's first) and return pyttsx3's binding to it."""
    try:
        import espeakng_loader

        os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
        # local, not global: Piper carries its own espeak-ng, whose calls must not bind to this one
        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_LOCAL)
    except (ImportError, OSError):
        pass  # fall back to a system espeak-ng, if any
    try:
        from pyttsx3.drivers import _espeak
    except (ImportError, OSError, RuntimeError) as exc:
        raise SpeechError(f"espeak-ng cannot be loaded: {exc}") from exc
    module: ModuleType = _espeak
    return module


_shared: EspeakEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> EspeakEngine:
    """The process's one espeak-ng engine, started on first use.

    espeak-ng keeps global state (one synthesis callback, buffers set up by ``Initialize``): a second
    engine in the same process would take the first one's callback and re-initialise under it.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EspeakEngine()
        return _shared


class EspeakEngine:
    """espeak-ng itself; get it through :func:`shared_engine` (espeak keeps global state: one per process)."""

    def __init__(self) -> None:
        self._e = _load_binding()
        data = os.environ.get("ESPEAK_DATA_PATH")
        rate = self._e.Initialize(self._e.AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode() if data else None, 0)
        if rate <= 0:
            raise SpeechError("espeak-ng failed to initialise")
        self.sample_rate = int(rate)
        self._lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._events: list[tuple[int, int, int]] = []
        self._e.SetSynthCallback(self._on_synth)

    @cached_property
    def voices(self) -> dict[str, str]:
        """Language tags espeak-ng has a voice for (e.g. 'nl', 'fr-be', 'en-gb', 'fa'), with its identifier."""
        found: dict[str, str] = {}
        for voice in self._e.ListVoices(None):
            identifier = (voice.identifier or b"").decode("ascii", "ignore")
            if not identifier:
                continue
            language = voice.languages[1:].decode("ascii", "ignore").lower()
            for tag in (language, identifier.split("/")[-1].lower()):
                if tag:
                    found.setdefault(tag, identifier)
        return found

    def resolve(self, hints: list[str] | tuple[str, ...]) -> str | None:
        """The first of ``hints`` (e.g. ['fr-be', 'fr']) this engine has a voice for, or None."""
        return pick_voice(hints, self.voices)

    def synthesize(
        self, spoken: str, voice: str, wpm: int = DEFAULT_WPM,
        spans: list[tuple[int, int]] | tuple[tuple[int, int], ...] | None = None,
    ) -> Utterance:
        """Synthesise ``spoken``; ``spans[i]`` is the range of the original text that character i stands for."""
        with self._lock:
            identifier = self.voices.get(voice.lower(), voice)
            if self._e.SetVoiceByName(identifier.encode("ascii")) != self._e.EE_OK:
                raise SpeechError(f"no espeak-ng voice '{voice}'")
            self._e.SetParameter(self._e.RATE, wpm, 0)
            self._chunks, self._events = [], []
            data = spoken.encode("utf-8")
            status = self._e.cSynth(data, len(data) + 1, 0, self._e.POS_CHARACTER, 0, self._e.CHARS_AUTO, None, None)
            if status != self._e.EE_OK:
                raise SpeechError(f"espeak-ng could not synthesise (status {status})")
            samples, events = b"".join(self._chunks), self._events
        return Utterance(samples, self.sample_rate, tuple(_words(events, spoken, spans)))

    def _on_synth(self, wav, count, events) -> int:  # type: ignore[no-untyped-def]
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        index = 0
        while events[index].type != self._e.EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == self._e.EVENT_WORD and event.length > 0:
                self._events.append((event.text_position - 1, event.length, event.audio_position))
            index += 1
        return 0


def _words(events: list[tuple[int, int, int]], spoken: str,
           spans: list[tuple[int, int]] | tuple[tuple[int, int], ...] | None) -> list[WordTiming]:  # fmt: skip
    """espeak's (0-based position, length, ms) events as ranges of the original text, in time order."""
    out: list[WordTiming] = []
    for start, length, ms in sorted(events, key=lambda e: e[2]):
        end = min(len(spoken), start + length)
        if start < 0 or start >= end:
            continue
        if spans is not None:
            original_start, original_end = spans[start][0], spans[end - 1][1]
        else:
            original_start, original_end = start, end
        if out and original_start < out[-1].end:
            continue  # a word espeak split in two (e.g. at a zero-width non-joiner) stays one word
        out.append(WordTiming(original_start, original_end, ms))
    return out
