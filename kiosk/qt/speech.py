"""The kiosk's speech service: synthesis in a worker process, playback through QtMultimedia, word events.

The GUI thread only sends requests and receives results as signals. Text is spoken sentence by sentence:
the first sentence sounds as soon as it is synthesised while the next ones are prepared. ``stop()`` is
immediate. A worker that dies or does not answer within ``timeout_ms`` is replaced, and the next request
works again.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import re
import threading
from collections import deque
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.guide import GuideStore
from kiosk.qt.audio import AudioOutput
from kiosk.speech.engine import DEFAULT_WPM, SLOW_WPM, Utterance, WordTiming, pick_voice
from kiosk.speech.lexicon import Lexicon, lexicon_for
from kiosk.speech.worker import serve
from kiosk.textalign import align

log = logging.getLogger(__name__)
# Bidi isolates (right-to-left answers set Latin asides apart in them) and no-break spaces are not words: read
# as spaces, one for one, so every offset still points into the displayed text.
_NOT_WORDS = str.maketrans(dict.fromkeys("\u2066\u2067\u2068\u2069\u00a0", " "))
LOOKAHEAD = 3  # sentences synthesised ahead of the one playing
_SENTENCE = re.compile(r".+?(?:[.!?؟።፧]+(?=\s|$)|\n|$)", re.DOTALL)


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces of ``text`` that together cover it; blank pieces are dropped."""
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]


@dataclass
class _Piece:
    request_id: int
    part: int
    offset: int
    message: tuple[object, ...]
    positions: list[int] | None = None  # spoken variant -> displayed text, for the whole part
    sent: bool = False
    utterance: Utterance | None = None


@dataclass
class _Job:
    key: str
    lang: str
    pieces: deque[_Piece] = field(default_factory=deque)


class _Inbox(QObject):
    received = Signal(object)


class SpeechService(QObject):
    """Signals:
    voices_checked(object): {language code: True/False} once the worker has listed its voices.
    started(str): speech for ``key`` began (its first sound).
    word_spoken(str, int, int, int): key, part (0 = "in short", 1 = full answer, ...), start, end.
    finished(str): everything for ``key`` was spoken.
    stopped(str): speech for ``key`` was stopped before the end.
    failed(str): a readable reason (engine crashed, no voice, ...).
    """

    voices_checked = Signal(object)
    started = Signal(str)
    word_spoken = Signal(str, int, int, int)
    finished = Signal(str)
    stopped = Signal(str)
    failed = Signal(str)

    def __init__(self, store: GuideStore, parent: QObject | None = None, use_device: bool = True,
                 timeout_ms: int = 8000) -> None:  # fmt: skip
        super().__init__(parent)
        self.store = store
        self.timeout_ms = timeout_ms
        self.output = AudioOutput(self, use_device)
        self.voices: dict[str, str] = {}
        self.slow = False  # the visitor's choice; forgotten at the idle reset
        self.speed = 1.0  # the staff's setting: a factor on every speaking rate
        self._lexicons: dict[str, Lexicon] = {}
        self._ids = itertools.count(1)
        self._job: _Job | None = None
        self._playing: _Piece | None = None
        self._word: tuple[int, int, int] | None = None
        self._announced = False
        self._paused = False
        self._inbox = _Inbox(self)
        self._inbox.received.connect(self._on_inbox_received)
        self._tick = QTimer(self, interval=25)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._watchdog = QTimer(self, singleShot=True, interval=timeout_ms)
        self._watchdog.timeout.connect(self._on_watchdog_timeout)
        self._closing = False
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn = None
        self._start_worker()

    # --- the worker ------------------------------------------------------------------------------
    def _start_worker(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent_conn, child_conn = context.Pipe()
        process = context.Process(target=serve, args=(child_conn,), daemon=True, name="wegwijzer-speech")
        process.start()
        child_conn.close()
        self._process, self._conn = process, parent_conn
        threading.Thread(target=self._read, args=(parent_conn, process), daemon=True).start()
        parent_conn.send(("voices",))

    def _read(self, conn, process) -> None:  # type: ignore[no-untyped-def]
        """Reader thread: forwards every message to the GUI thread (as a queued signal)."""
        try:
            while True:
                try:
                    message = conn.recv()
                except Exception:  # EOF: the worker is gone
                    self._inbox.received.emit(("died", process.pid))
                    return
                self._inbox.received.emit(message)
        finally:
            conn.close()  # only this thread closes it: a descriptor closed under a blocked reader gets reused

    def _restart_worker(self, reason: str) -> None:
        log.error("speech worker replaced: %s", reason)
        old = self._process
        if old is not None and old.is_alive():
            old.kill()  # its reader thread then sees the end of the pipe and closes it
        self._start_worker()

    def shutdown(self) -> None:
        """Stop speaking and end the worker (at exit)."""
        self._closing = True
        self.stop()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(("quit",))
        if self._process is not None:
            self._process.join(1)
            if self._process.is_alive():
                self._process.kill()

    @property
    def worker_pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # --- voices and text ---------------------------------------------------------------------------
    def set_store(self, store: GuideStore) -> None:
        self.stop()
        self.store = store
        self._lexicons.clear()
        self._emit_voices()

    def voice_for(self, lang: str) -> str | None:
        return pick_voice(self.store.language(lang).voices, self.voices)

    def has_voice(self, lang: str) -> bool:
        return self.voice_for(lang) is not None

    def can_speak(self, lang: str, has_recording: bool) -> bool:
        return has_recording or self.has_voice(lang)

    def _emit_voices(self) -> None:
        if self.voices:
            self.voices_checked.emit({lang.code: self.has_voice(lang.code) for lang in self.store.languages()})

    def _lexicon(self, lang: str) -> Lexicon:
        if lang not in self._lexicons:
            self._lexicons[lang] = lexicon_for(self.store, lang)
        return self._lexicons[lang]

    # --- speaking ----------------------------------------------------------------------------------
    @property
    def speaking(self) -> str | None:
        """The key being spoken, or None."""
        return self._job.key if self._job is not None else None

    def speak(self, key: str, parts: list[str], lang: str, slow: bool = False,
              recordings: list[tuple[str, str] | None] | None = None,
              variants: list[str | None] | None = None) -> bool:  # fmt: skip
        """Speak ``parts`` (e.g. the short answer, then the full answer) in ``lang``.

        ``recordings[i]`` = (question id, 'short' | 'answer') plays that human recording instead of the voice for
        part i. ``variants[i]`` is part i with vowel marks, read instead of it (the displayed words still light up).
        Returns False if a part needs the voice and ``lang`` has none.
        """
        self.stop()
        recordings = recordings or [None] * len(parts)
        voice = self.voice_for(lang)
        if voice is None and not all(recordings):
            self.failed.emit(f"no voice for language '{lang}'")
            return False
        job = _Job(key, lang)
        lexicon = self._lexicon(lang)
        wpm = round((SLOW_WPM if slow else DEFAULT_WPM) * self.speed)
        for part, text in enumerate(parts):
            text = text.translate(_NOT_WORDS)
            recording = recordings[part] if part < len(recordings) else None
            if recording is not None:
                request_id = next(self._ids)
                message = ("recording", request_id, str(self.store.path), recording[0], lang, recording[1])
                job.pieces.append(_Piece(request_id, part, 0, message))
                continue
            variant = variants[part] if variants and part < len(variants) else None
            positions = align(text, variant) if variant else None
            if variant and positions is None:
                log.warning("speech variant of part %d does not match its text; reading the text", part)
            for offset, sentence in sentences(variant if positions is not None else text):
                spoken, spans = lexicon.apply(sentence)
                request_id = next(self._ids)
                message = ("synth", request_id, spoken, voice, wpm, spans)
                job.pieces.append(_Piece(request_id, part, offset, message, positions))
        if not job.pieces:
            return False
        self._job, self._announced = job, False
        self._feed()
        self._tick.start()
        return True

    def _feed(self) -> None:
        """Keep a few sentences in the worker's queue, not all: after a stop it has little left to finish."""
        if self._job is None:
            return
        for piece in itertools.islice(self._job.pieces, LOOKAHEAD):
            if not piece.sent:
                piece.sent = True
                self._send(piece.message)
        self._arm_watchdog()

    def _send(self, message: tuple[object, ...]) -> None:
        try:
            assert self._conn is not None
            self._conn.send(message)
        except (OSError, AssertionError):
            self._restart_worker("the pipe to the worker is broken")
            assert self._conn is not None
            self._conn.send(message)

    def stop(self) -> None:
        """Stop at once; late results of this job are ignored."""
        job, self._job = self._job, None
        self._playing, self._word, self._paused = None, None, False
        self.output.stop()
        self._tick.stop()
        self._watchdog.stop()
        if job is not None:
            self.stopped.emit(job.key)

    def reset(self) -> None:
        """Forget the visitor: stop, normal speed."""
        self.stop()
        self.slow = False

    def pause(self) -> None:
        if self._job is not None and not self._paused:
            self._paused = True
            self.output.pause()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self.output.resume()

    # --- results and playback ----------------------------------------------------------------------
    def _on_inbox_received(self, message: tuple) -> None:  # type: ignore[type-arg]
        kind = message[0]
        if kind == "voices":
            self.voices = message[1]
            self._emit_voices()
        elif kind == "audio":
            _, request_id, samples, rate, words = message
            piece = self._piece(request_id)
            if piece is not None:
                piece.utterance = Utterance(samples, rate, tuple(WordTiming(*w) for w in words))
                self._feed()
                self._on_tick_timeout()
        elif kind == "error":
            if self._piece(message[1]) is not None:
                self.failed.emit(message[2])
                self.stop()
        elif kind == "died":
            if not self._closing and self._process is not None and message[1] == self._process.pid:
                job = self._job
                self.stop()
                self._process.join(0.5)
                self._restart_worker(f"the worker process ended (exit code {self._process.exitcode})")
                if job is not None:
                    self.failed.emit("the speech engine stopped; please try again")
        elif kind == "broken":
            log.error("speech engine cannot start: %s", message[1])
            self.failed.emit(f"speech is not available: {message[1]}")

    def _piece(self, request_id: int) -> _Piece | None:
        if self._job is None:
            return None
        return next((p for p in self._job.pieces if p.request_id == request_id), None)

    def _arm_watchdog(self) -> None:
        """Run the watchdog only while some sentence is still waiting for the worker."""
        if self._job is not None and any(p.sent and p.utterance is None for p in self._job.pieces):
            self._watchdog.start()
        else:
            self._watchdog.stop()

    def _on_watchdog_timeout(self) -> None:
        if self._job is not None:
            self.stop()
            self._restart_worker(f"no answer within {self.timeout_ms} ms")
            self.failed.emit("the speech engine did not answer; please try again")

    def _on_tick_timeout(self) -> None:
        job = self._job
        if job is None or self._paused:
            return
        if self._playing is None or self.output.done():
            if self._playing is not None:
                job.pieces.popleft()
                self._playing = None
                self._feed()
            if not job.pieces:
                self._job = None
                self._tick.stop()
                self._watchdog.stop()
                self.finished.emit(job.key)
                return
            head = job.pieces[0]
            if head.utterance is None:
                return  # still being synthesised
            self._playing = head
            self.output.play(head.utterance.samples, head.utterance.sample_rate)
            if not self._announced:
                self._announced = True
                self.started.emit(job.key)
        piece = self._playing
        word = piece.utterance.word_at(self.output.position_ms()) if piece.utterance else None
        if word is not None:
            start, end = piece.offset + word.start, piece.offset + word.end
            if piece.positions is not None:
                start, end = piece.positions[start], piece.positions[end - 1] + 1
            current = (piece.part, start, end)
            if current != self._word:
                self._word = current
                self.word_spoken.emit(job.key, *current)
