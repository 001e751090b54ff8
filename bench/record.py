"""Record and review on the kiosk (issue #16): the longest GUI stall while a sentence is recorded and kept, and
while the contributions are exported; the time from "keep" to playable.

In a fresh process: the kiosk window (1080x1920, offscreen) with the staff view on its record page (Tigrinya,
'accident', the short answer). The microphone is simulated at the device's pace (44.1 kHz, a 20 ms chunk every
20 ms, from the GUI thread as a real source delivers it), 5 s per take; Stop processes the take off the GUI thread,
Keep writes it off the GUI thread. A 1 ms precise timer on the GUI thread records when the event loop gets to it;
the longest gap between two ticks is the stall. Baseline, in the same process: the longest gap with the kiosk idle
for as long. The export writes 40 finished recordings (3 s each) and 40 review files, off the GUI thread as the
update service does for a stick.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from array import array
from dataclasses import asdict
from pathlib import Path

from bench.gui_clock import GuiClock, in_fresh_process
from bench.report import Figure

RATE = 44100


def voice(ms: int, seed: int = 0) -> bytes:
    n = RATE * ms // 1000
    quiet = [0] * (RATE // 5)
    tone = [round(0.3 * 32767 * math.sin(math.pi * i / n) * math.sin(2 * math.pi * (170 + seed) * i / RATE))
            for i in range(n)]  # fmt: skip
    return array("h", quiet + tone + quiet).tobytes()


def measure(quick: bool) -> list[Figure]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk import paths
    from kiosk.app import RunOptions, build_window
    from kiosk.contrib.audio import process
    from kiosk.contrib.export import export
    from kiosk.contrib.store import answer_version
    from kiosk.guide import GuideStore
    from kiosk.qt.background import run_off_thread
    from kiosk.qt.recorder import Recorder
    from kiosk.ui import fonts
    from kiosk.updates.safefs import SafeDir

    work = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-record-"))
    paths.set_data_dir(work / "data")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    fonts.register(paths.fonts_dir())
    store = GuideStore(paths.bundled_guide())
    built = build_window(app, store, RunOptions(windowed=True, idle_timeout_s=3600))
    window, services = built.window, built.services
    built.idle.enabled = False
    recorder = Recorder(simulated=True)
    recorder.set_simulated_format("int16", 1, RATE)
    services.recorder, services.audio_device = recorder, False
    window.resize(1080, 1920)
    window.show()
    app.processEvents()

    clock = GuiClock()
    now, longest_gap, spin, spin_until = clock.now, clock.longest_gap, clock.spin, clock.spin_until

    view = window.staff.view
    view.open()
    view.show_page("page_contribute")
    page = view.contribute
    contributions = services.contributions
    contributions.give_consent("TG", page.consent_text(), "nl")
    page.reader = "TG"
    page.show_answers(store.language("ti"))
    page.show_answer("accident")
    page.begin_recording("short")
    spin(300)  # warm up

    takes = 2 if quick else len(page.recording.sentences)
    stalls, keeps = [], []
    phases: list[tuple[float, float, float]] = []
    for index in range(takes):
        start = now()
        page.toggle_recording()
        data = voice(4600, index)
        chunk = RATE * 2 // 50  # 20 ms
        feeder = QTimer(interval=20)
        feeder.setTimerType(Qt.TimerType.PreciseTimer)
        sent = [0]

        def deliver(d: bytes = data, at: list[int] = sent, size: int = chunk) -> None:
            recorder.feed(d[at[0] : at[0] + size])
            at[0] += size

        feeder.timeout.connect(deliver)
        feeder.start()
        spin_until(lambda d=data, at=sent: at[0] >= len(d))
        feeder.stop()
        stop = now()
        page.toggle_recording()
        spin_until(lambda: page.take is not None)
        kept = page.recording.kept
        keep_start = now()
        page.keep()
        spin_until(lambda k=kept: page.recording is not None and page.recording.kept > k)
        keeps.append(now() - keep_start)
        spin(100)
        stalls.append(longest_gap(start, now()))
        phases.append((longest_gap(start, stop), longest_gap(stop, keep_start), longest_gap(keep_start, now())))
    recording_duration = sum(4600 + 400 for _ in range(takes))
    base_start = now()
    spin(min(recording_duration, 6000))
    baseline = longest_gap(base_start, now())

    # an export of many recordings, off the GUI thread
    version = answer_version(store, "accident", "ti")
    consent = contributions.consent("TG", page.consent_text())
    count = 8 if quick else 40
    for qid in store.question_ids()[:count]:
        answer = store.answer(qid, "ti")
        rec = contributions.start("ti", qid, "short", answer.short, answer_version(store, qid, "ti"))
        for i in range(len(rec.sentences)):
            rec = contributions.keep(rec, i, process(array("h", voice(1500, i)), RATE), consent)
        contributions.add_review("ti", qid, "correct", "", "TG", version)
    stick = work / "stick"
    stick.mkdir()
    target = SafeDir.open(stick)
    done: dict[str, object] = {}
    start = now()
    run_off_thread(lambda: export(contributions, target, "bench"), lambda r: done.update(result=r))
    spin_until(lambda: "result" in done, 300)
    export_ms = now() - start
    spin(50)
    export_stall = longest_gap(start, now())
    base_start = now()
    spin(max(500, export_ms))
    export_baseline = longest_gap(base_start, now())
    target.close()
    clock.stop()
    window.allow_close = True
    window.close()
    return [
        Figure("longest GUI stall while recording and keeping a sentence", max(stalls), "ms", baseline,
               "same kiosk idle, same length of time", "<= 16 ms"),
        Figure("  of which while recording", max(p[0] for p in phases), "ms", baseline, "idle", ""),
        Figure("  of which at Stop (the take processed off the GUI thread)", max(p[1] for p in phases), "ms",
               baseline, "idle", ""),
        Figure("  of which at Keep (written off the GUI thread, next sentence shown)", max(p[2] for p in phases),
               "ms", baseline, "idle", ""),
        Figure("  keep -> the sentence on disk (playable when all are)", max(keeps), "ms", None, "", ""),
        Figure(f"longest GUI stall while exporting {count} recordings", export_stall, "ms", export_baseline,
               "same kiosk idle, same length of time", "<= 16 ms"),
        Figure(f"  export of {count} recordings and {count} reviews", export_ms, "ms"),
    ]  # fmt: skip


def run(figures: list[Figure], quick: bool) -> None:
    figures.extend(in_fresh_process("bench.record", quick))


if __name__ == "__main__":
    print(json.dumps([asdict(f) for f in measure("--quick" in sys.argv)]))
