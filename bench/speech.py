"""Benchmarks of speech (issue #4): latency to the first sound, stop, GUI stalls, synthesis speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict

from bench.report import Figure, median, percentile


def long_answer(store, lang: str = "nl", words: int = 400) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    for qid in store.question_ids():
        answer = store.answer(qid, lang)
        parts.append(answer.body_text)
        if len(" ".join(parts).split()) >= words:
            break
    return " ".join(" ".join(parts).split()[:words]) + "."


def synthesis_speed(figures: list[Figure]) -> None:
    from kiosk import guides
    from kiosk.speech.engines import make_engine
    from kiosk.speech.speaker import Speaker

    store = guides.open_best()
    speaker = Speaker(store, make_engine())
    for lang in store.languages():
        if speaker.voice_for(lang.code) is None:
            figures.append(
                Figure(f"  synthesis time per second of speech, {lang.code} (no voice)", float("nan"), "ms/s")
            )
            continue
        text = store.answer("damage", lang.code).body_text
        t0 = time.perf_counter()
        utterance = speaker.say(text, lang.code)
        elapsed = time.perf_counter() - t0
        ms_per_s = elapsed * 1000 / (utterance.duration_ms / 1000)
        figures.append(Figure(f"  synthesis time per second of speech, {lang.code}", ms_per_s, "ms/s"))


def service(figures: list[Figure], runs: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk import guides
    from kiosk.qt.speech import SpeechService, sentences
    from kiosk.speech.engines import make_engine

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = guides.open_best()
    speech = SpeechService(store, app, use_device=True)
    loop = QEventLoop()
    speech.voices_checked.connect(lambda _v: loop.quit())
    QTimer.singleShot(10_000, loop.quit)
    loop.exec()
    text = long_answer(store)
    engine = make_engine()
    first = sentences(text)[0][1]
    raw = []
    for _ in range(runs):
        t0 = time.perf_counter()
        engine.synthesize(first, "nl")
        raw.append(time.perf_counter() - t0)

    latencies, stops = [], []
    for _ in range(runs):
        done = QEventLoop()
        speech.started.connect(done.quit)
        t0 = time.perf_counter()
        speech.speak("bench", [text], "nl")
        QTimer.singleShot(5000, done.quit)
        done.exec()
        latencies.append(time.perf_counter() - t0)
        speech.started.disconnect(done.quit)
        t0 = time.perf_counter()
        speech.stop()
        stops.append(time.perf_counter() - t0)
    device = "silent clock: no audio device here" if speech.output.silent else "audio device"
    figures.append(
        Figure(f"tap -> first audio handed to output, 400 words (median; {device})", median(latencies) * 1000, "ms",
               median(raw) * 1000, "synthesising the first sentence in-process", "<= 150 ms")
    )  # fmt: skip
    figures.append(Figure("  tap -> first audio (p95)", percentile(latencies, 95) * 1000, "ms",
                          percentile(raw, 95) * 1000, "", "<= 150 ms"))  # fmt: skip
    figures.append(Figure("stop -> silence (p95)", percentile(stops, 95) * 1000, "ms", None, "", "<= 50 ms"))

    def longest_stall(seconds: float, speaking: bool) -> float:
        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        last = [0]

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer(interval=1)
        timer.timeout.connect(tick)
        if speaking:
            speech.speak("bench", [text], "nl")
        timer.start()
        wait = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), wait.quit)
        wait.exec()
        timer.stop()
        speech.stop()
        return float(max(gaps[1:] or [0]))

    idle = longest_stall(3, speaking=False)
    busy = longest_stall(8, speaking=True)
    figures.append(Figure("longest GUI event-loop stall while speaking", busy, "ms", idle, "same loop, not speaking",
                          "<= 16 ms"))  # fmt: skip
    speech.shutdown()


def run(figures: list[Figure], quick: bool) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    args = [sys.executable, "-m", "bench.speech"] + (["--quick"] if quick else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    figures.extend(Figure(**f) for f in json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    collected: list[Figure] = []
    service(collected, runs=5 if "--quick" in sys.argv else 20)
    synthesis_speed(collected)
    print(json.dumps([asdict(f) for f in collected]))
