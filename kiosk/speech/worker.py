"""The speech worker process: owns the speech engine, answers synthesis requests over a pipe (no Qt).

Running the engine in its own process keeps the kiosk alive when the engine crashes or hangs: the service
notices, starts a new worker and carries on. The messages are the dataclasses of :mod:`kiosk.speech.messages`:
``ListVoices`` -> ``Voices``; ``Synthesize`` or ``PlayRecording`` -> ``Audio`` or ``Failed``; ``Prepare`` (load a
voice before it is needed) -> ``Prepared``; ``Cancel`` (the kiosk stopped: requests still waiting are dropped,
so the next Listen is not queued behind them); ``Quit``. At start
the worker says ``Ready`` (or ``Broken`` and ends).
"""

from __future__ import annotations

import time
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path

from kiosk import paths
from kiosk.content.marks import text_fingerprint
from kiosk.contrib.store import ContribError, Contributions
from kiosk.guide import GuideError, GuideStore
from kiosk.speech.engine import SpeechEngine, SpeechError
from kiosk.speech.engines import DEFAULT_ENGINE, ChainEngine, make_engine
from kiosk.speech.messages import (
    Audio,
    Broken,
    Cancel,
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


def serve(conn: Connection, engine_name: str = DEFAULT_ENGINE, data_dir: str | None = None) -> None:
    """Worker main loop (runs in the child process); ``data_dir``: the kiosk's ``--data-dir`` (its voice packs)."""
    if data_dir is not None:
        paths.set_data_dir(data_dir)
    try:
        made = make_engine(engine_name)
    except SpeechError as exc:
        conn.send(Broken(str(exc)))
        return
    engine = made if isinstance(made, ChainEngine) else ChainEngine({engine_name: made})
    conn.send(Ready(engine_name, engine.sample_rate))
    waiting: deque[Request] = deque()
    cancelled_below = 0
    while True:
        try:
            if not waiting:
                waiting.append(conn.recv())
            while conn.poll(0):  # everything asked so far: a Cancel behind stale sentences is seen before them
                waiting.append(conn.recv())
        except (EOFError, OSError):
            return
        for item in [m for m in waiting if isinstance(m, Cancel)]:
            cancelled_below = max(cancelled_below, item.below)
            waiting.remove(item)
        if not waiting:
            continue
        message = waiting.popleft()
        if isinstance(message, Quit):
            return
        if isinstance(message, Synthesize | PlayRecording) and message.request_id < cancelled_below:
            continue  # the kiosk stopped: no one waits for it
        conn.send(answer(engine, message))


def answer(engine: SpeechEngine, message: Request) -> Reply:
    """The reply to one request (also used in-process by tests)."""
    if isinstance(message, ListVoices):
        by_engine = engine.by_engine if isinstance(engine, ChainEngine) else {"engine": dict(engine.voices)}
        return Voices(dict(engine.voices), by_engine)
    if isinstance(message, PlayRecording):
        return _recording(message)
    if isinstance(message, Prepare):
        started = time.perf_counter()
        try:
            prepare = getattr(engine, "prepare", None)
            if prepare is not None:
                prepare(message.voice)
        except SpeechError as exc:
            return Prepared(message.voice, 0, str(exc))
        return Prepared(message.voice, round((time.perf_counter() - started) * 1000))
    if isinstance(message, Synthesize):
        step = message.step
        try:
            utterance = engine.synthesize(step.spoken, step.voice, step.wpm, step.spans)
        except SpeechError as exc:
            return Failed(message.request_id, str(exc))
        words = tuple((w.start, w.end, w.ms) for w in utterance.words)
        return Audio(message.request_id, utterance.samples, utterance.sample_rate, words)
    return Failed(-1, f"unknown request {type(message).__name__}")


def _recording(message: PlayRecording) -> Reply:
    """A person reading the part: the kiosk's own recording (its sentences assembled) or the guide's; with the
    sentence marks when it was read from the text shown."""
    where = f"{message.question_id} ({message.lang}, {message.which})"
    if message.folder:
        contributions = Contributions(Path(message.folder))
        try:
            own = contributions.recording(message.lang, message.question_id, message.which)
            if own is None or not own.complete or text_fingerprint(own.text) != message.text_hash:
                return Failed(message.request_id, f"no finished recording of {where} on this kiosk")
            played = contributions.assemble(own)
        except ContribError as exc:
            return Failed(message.request_id, str(exc))
        return Audio(message.request_id, played.samples, played.rate, played.marks)
    try:
        with GuideStore(message.database) as store:
            recording = store.recording(message.question_id, message.lang, message.which)
    except GuideError as exc:
        return Failed(message.request_id, str(exc))
    if recording is None:
        return Failed(message.request_id, f"no recording of {where}")
    marks = recording.marks if recording.text_hash and recording.text_hash == message.text_hash else ()
    return Audio(message.request_id, recording.mono(), recording.sample_rate, marks)
