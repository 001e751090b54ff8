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
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import paths
from kiosk.guide import GuideStore
from kiosk.qt.audio import AudioOutput
from kiosk.qt.current_guide import CurrentGuide
from kiosk.speech.engine import Utterance, WordTiming, choose_voice
from kiosk.speech.engines import DEFAULT_ENGINE
from kiosk.speech.lexicon import Lexicon, lexicon_for
from kiosk.speech.messages import (
    Audio,
    Broken,
    Cancel,
    Died,
    Failed,
    ListVoices,
    PlayRecording,
    Prepare,
    Prepared,
    Quit,
    Ready,
    Reply,
    Request,
    Synthesize,
    Voices,
)
from kiosk.speech.plan import NoVoiceError, Recording, Step, plan, sentences, speaking_rate
from kiosk.speech.worker import serve

__all__ = ["SpeechService", "sentences"]
log = logging.getLogger(__name__)
LOOKAHEAD = 3  # sentences synthesised ahead of the one playing


@dataclass
class _Piece:
    request_id: int
    step: Step
    message: Request
    sent: bool = False
    utterance: Utterance | None = None


@dataclass
class _Job:
    key: str
    lang: str
    pieces: deque[_Piece] = field(default_factory=deque)
    voice: str | None = None  # 'engine:tag' it was planned with
    again: Callable[[], bool] | None = None  # speaks the same again (with another voice, after a failure)


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

    def __init__(self, guide: CurrentGuide | GuideStore, parent: QObject | None = None, use_device: bool = True,
                 timeout_ms: int = 8000, engine: str = DEFAULT_ENGINE) -> None:  # fmt: skip
        """``guide``: the kiosk's current guide (a bare GuideStore for tools and tests that have one guide)."""
        super().__init__(parent)
        self.guide = guide if isinstance(guide, CurrentGuide) else CurrentGuide(guide, self, poll_ms=0)
        self.guide.replaced.connect(self._on_guide_replaced)
        self.engine = engine
        self.timeout_ms = timeout_ms
        self.output = AudioOutput(self, use_device)
        self.voices: dict[str, str] = {}  # language tag -> 'engine:tag' (the worker's best)
        self.engine_voices: dict[str, dict[str, str]] = {}  # engine -> its voices, best engine first
        self.preferred: dict[str, str] = {}  # the staff's engine per language ('espeak-ng', 'piper'); else the best
        self.failed_engines: dict[str, set[str]] = {}  # language -> engines that failed it in this run
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
        self._conn: multiprocessing.connection.Connection[Request, Reply] | None = None
        self._start_worker()

    # --- the worker ------------------------------------------------------------------------------
    def _start_worker(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent_conn, child_conn = context.Pipe()
        override = paths.data_dir_override()
        process = context.Process(target=serve, args=(child_conn, self.engine, str(override) if override else None),
                                  daemon=True, name="wegwijzer-speech")  # fmt: skip
        process.start()
        child_conn.close()
        self._process, self._conn = process, parent_conn
        threading.Thread(target=self._read, args=(parent_conn, process), daemon=True).start()
        parent_conn.send(ListVoices())

    def _read(self, conn, process) -> None:  # type: ignore[no-untyped-def]
        """Reader thread: forwards every message to the GUI thread (as a queued signal)."""
        try:
            while True:
                try:
                    message = conn.recv()
                except Exception:  # EOF: the worker is gone
                    self._inbox.received.emit(Died(process.pid))
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

    def prepare(self, lang: str) -> None:
        """A visitor chose ``lang``: have the worker load its voice now (a neural voice takes about half a second),
        so the first Listen does not wait for it."""
        voice = self.voice_for(lang) if self.voices else None
        if voice is None or self._conn is None:
            return
        with contextlib.suppress(OSError):  # a broken pipe is noticed, and the worker replaced, by the next request
            self._conn.send(Prepare(voice))

    def reload_voices(self) -> None:
        """A voice pack was installed: a fresh worker lists the voices again, once nothing is being said."""
        if self._closing:
            return
        if self._job is not None:
            QTimer.singleShot(2000, self.reload_voices)
            return
        log.info("voices changed: the speech worker starts again to use them")
        self.failed_engines.clear()
        old = self._process
        if old is not None and old.is_alive() and self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(Quit())
        self._start_worker()

    def shutdown(self) -> None:
        """Stop speaking and end the worker (at exit)."""
        self._closing = True
        self.stop()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(Quit())
        if self._process is not None:
            self._process.join(1)
            if self._process.is_alive():
                self._process.kill()

    @property
    def worker_pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # --- voices and text ---------------------------------------------------------------------------
    @property
    def store(self) -> GuideStore:
        """The current guide, at the moment of asking."""
        return self.guide.store

    def use_guide(self, guide: CurrentGuide) -> None:
        """Read from ``guide`` (the kiosk's) from now on."""
        if guide is self.guide:
            return
        self.guide.replaced.disconnect(self._on_guide_replaced)
        self.guide = guide
        guide.replaced.connect(self._on_guide_replaced)
        self._on_guide_replaced(guide.store)

    def _on_guide_replaced(self, _store: GuideStore) -> None:
        self.stop()
        self._lexicons.clear()
        self._emit_voices()

    def voice_for(self, lang: str) -> str | None:
        """'engine:tag' of the voice that reads ``lang``: the staff's engine for it if it has one, else the best;
        never an engine that failed for it in this run (a voice pack that crashes or hangs the worker)."""
        failed = self.failed_engines.get(lang, set())
        engines = {name: voices for name, voices in self.engine_voices.items() if name not in failed}
        return choose_voice(self.store.language(lang).voices, engines, self.preferred.get(lang))

    def _fall_back(self, job: _Job, reason: str) -> bool:
        """``job``'s engine failed (an error, a crash, no answer): if another engine reads its language, say it again
        with that one, and keep away from the failed engine for this language until the voices change."""
        engine = job.voice.partition(":")[0] if job.voice else ""
        if not engine or job.again is None or len(self.engine_voices) < 2:
            return False
        self.failed_engines.setdefault(job.lang, set()).add(engine)
        if self.voice_for(job.lang) is None:
            return False
        log.error("the %s voice for %s failed (%s): %s is used instead until the voices change", engine, job.lang,
                  reason, self.voice_for(job.lang))  # fmt: skip
        return bool(job.again())

    def engine_for(self, lang: str) -> str | None:
        """The engine that reads ``lang`` ('piper', 'espeak-ng'), or None when no engine has a voice for it."""
        voice = self.voice_for(lang)
        return voice.partition(":")[0] if voice else None

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
              recordings: list[tuple[str, ...] | None] | None = None,
              variants: list[str | None] | None = None) -> bool:  # fmt: skip
        """Speak ``parts`` (e.g. the short answer, then the full answer) in ``lang``.

        ``recordings[i]`` = (question id, 'short' | 'answer'[, folder]) plays that human recording instead of the
        voice for part i (with a folder: the kiosk's own, kiosk.contrib); its sentences light up as heard.
        ``variants[i]`` is part i with vowel marks, read instead of it (the displayed words still light up).
        Returns False if a part needs the voice and ``lang`` has none.
        """
        self.stop()
        try:
            steps, mismatched = plan(parts, self.voice_for(lang), self._lexicon(lang), speaking_rate(slow, self.speed),
                                     recordings or (), variants or ())  # fmt: skip
        except NoVoiceError:
            self.failed.emit(f"no voice for language '{lang}'")
            return False
        for part in mismatched:
            log.warning("speech variant of part %d does not match its text; reading the text", part)
        job = _Job(key, lang, voice=self.voice_for(lang))
        job.again = lambda: self.speak(key, parts, lang, slow, recordings, variants)
        for step in steps:
            request_id = next(self._ids)
            message: Request
            if isinstance(step, Recording):
                message = PlayRecording(request_id, str(self.store.path), step.question_id, lang, step.which,
                                        step.text_hash, step.folder)  # fmt: skip
            else:
                message = Synthesize(request_id, step)
            job.pieces.append(_Piece(request_id, step, message))
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

    def _send(self, message: Request) -> None:
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
            sent = [piece.request_id for piece in job.pieces if piece.sent]
            if sent and self._conn is not None:
                with contextlib.suppress(OSError):  # the sentences it has not begun are dropped
                    self._conn.send(Cancel(max(sent) + 1))
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
    def _on_inbox_received(self, message: Reply) -> None:
        if isinstance(message, Voices):
            self.voices, self.engine_voices = message.tags, message.engines
            self._emit_voices()
        elif isinstance(message, Audio):
            piece = self._piece(message.request_id)
            if piece is not None:
                words = tuple(WordTiming(*w) for w in message.words)
                piece.utterance = Utterance(message.samples, message.sample_rate, words)
                self._feed()
                self._on_tick_timeout()
        elif isinstance(message, Failed):
            if self._piece(message.request_id) is not None:
                job = self._job
                self.stop()
                if job is None or not self._fall_back(job, message.reason):
                    self.failed.emit(message.reason)
        elif isinstance(message, Died):
            if not self._closing and self._process is not None and message.pid == self._process.pid:
                job = self._job
                self.stop()
                self._process.join(0.5)
                self._restart_worker(f"the worker process ended (exit code {self._process.exitcode})")
                if job is not None and not self._fall_back(job, "the worker process ended"):
                    self.failed.emit("the speech engine stopped; please try again")
        elif isinstance(message, Broken):
            log.error("speech engine cannot start: %s", message.reason)
            self.failed.emit(f"speech is not available: {message.reason}")
        elif isinstance(message, Prepared):
            if message.problem:
                log.error("voice %s could not be loaded: %s", message.voice, message.problem)
            elif message.ms:
                log.info("voice %s loaded in %d ms", message.voice, message.ms)
        elif isinstance(message, Ready):
            log.info("speech engine %s ready (%d Hz)", message.engine, message.sample_rate)

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
        job = self._job
        if job is not None:
            self.stop()
            self._restart_worker(f"no answer within {self.timeout_ms} ms")
            if not self._fall_back(job, f"no answer within {self.timeout_ms} ms"):
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
            step = piece.step
            if isinstance(step, Recording):  # a recording's marks are sentences of the part as shown
                start, end = word.start, word.end
            else:
                start, end = step.shown_range(word.start, word.end)
            current = (step.part, start, end)
            if current != self._word:
                self._word = current
                self.word_spoken.emit(job.key, *current)
