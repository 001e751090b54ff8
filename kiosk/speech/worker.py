"""The speech worker process: owns espeak-ng, answers synthesis requests over a pipe.

Running espeak in its own process keeps the kiosk alive when the engine crashes or hangs: the service
notices, starts a new worker and carries on. Messages are tuples:

    -> ("voices",)                                   <- ("voices", {tag: identifier})
    -> ("synth", request_id, spoken, voice, wpm, spans)  <- ("audio", request_id, samples, rate, words)
    -> ("recording", request_id, database, question_id, lang, part)
                                                     <- ("audio", request_id, samples, rate, [])
                                                     <- ("error", request_id, message)
    -> ("quit",)
"""

from __future__ import annotations

from multiprocessing.connection import Connection

from kiosk.guide import GuideError, GuideStore
from kiosk.speech.engine import EspeakEngine, SpeechError


def serve(conn: Connection) -> None:
    """Worker main loop (runs in the child process)."""
    try:
        engine = EspeakEngine()
    except SpeechError as exc:
        conn.send(("broken", str(exc)))
        return
    conn.send(("ready", engine.sample_rate))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "quit":
            return
        if kind == "voices":
            conn.send(("voices", dict(engine.voices)))
        elif kind == "recording":
            _, request_id, database, question_id, lang, part = message
            try:
                with GuideStore(database) as store:
                    recording = store.recording(question_id, lang, part)
            except GuideError as exc:
                conn.send(("error", request_id, str(exc)))
                continue
            if recording is None:
                conn.send(("error", request_id, f"no recording of {question_id} ({lang}, {part})"))
            else:
                conn.send(("audio", request_id, recording.mono(), recording.sample_rate, []))
        elif kind == "synth":
            _, request_id, spoken, voice, wpm, spans = message
            try:
                utterance = engine.synthesize(spoken, voice, wpm, spans)
            except SpeechError as exc:
                conn.send(("error", request_id, str(exc)))
                continue
            words = [(w.start, w.end, w.ms) for w in utterance.words]
            conn.send(("audio", request_id, utterance.samples, utterance.sample_rate, words))
