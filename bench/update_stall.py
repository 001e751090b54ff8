"""The longest GUI event-loop stall while the running kiosk installs a 50 MB guide from a USB stick (issue #5).

In a fresh process: the kiosk window (1080x1920, offscreen) with its update service; a "stick" (a folder the
service is told is mounted) carries a signed 50 MB bundle. A 1 ms precise timer on the GUI thread records when
the event loop gets to it; the longest gap between two ticks from "stick found" until the new guide is open
(opened off the GUI thread, switched to at the next safe moment) is the stall. Baseline, in the same process and
right before: the longest gap over the same length of time with the kiosk idle.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.gui_clock import GuiClock, in_fresh_process
from bench.report import Figure

MB = 1024 * 1024


def measure(quick: bool) -> list[Figure]:
    from PySide6.QtWidgets import QApplication

    from bench.updates import make_guide
    from kiosk import paths
    from kiosk.app import RunOptions, build_window, start_updates
    from kiosk.guide import GuideStore
    from kiosk.qt.updates import UPDATE_FOLDER
    from kiosk.ui import fonts
    from kiosk.updates.bundle import create_bundle, generate_keys

    size = (5 if quick else 50) * MB
    work = Path(tempfile.mkdtemp(prefix="wegwijzer-bench-stall-"))
    paths.set_data_dir(work / "data")
    private, public = generate_keys(work / "keys", "bench", kind="release")
    stick = work / "stick"
    create_bundle(make_guide(paths.bundled_guide(), work / "big.sqlite", 99, size), private, stick / UPDATE_FOLDER)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    fonts.register(paths.fonts_dir())
    store = GuideStore(paths.bundled_guide())
    built = build_window(app, store, RunOptions(windowed=True))
    window, idle = built.window, built.idle
    idle.enabled = False
    window.resize(1080, 1920)
    window.show()
    app.processEvents()

    clock = GuiClock()
    longest_gap, spin = clock.longest_gap, clock.spin

    spin(300)  # warm up
    marks: dict[str, float] = {}
    present: list[Path] = []
    service = start_updates(built, RunOptions(trusted_keys=[public]), volumes=lambda: list(present),
                            usb_interval_s=0.5)  # fmt: skip
    service.usb_found.connect(lambda _f: marks.setdefault("found", clock.now()))
    window.guide_reloaded.connect(lambda _v: marks.setdefault("open", clock.now()))
    service.installed.connect(lambda *_a: marks.setdefault("installed", clock.now()))
    service.refused.connect(lambda *args: print("refused:", args, file=sys.stderr))
    spin(1000)
    present.append(stick)  # the stick goes in
    deadline = time.monotonic() + 300
    while "open" not in marks and time.monotonic() < deadline:
        spin(20)
    if "open" not in marks:
        raise RuntimeError("the guide was never installed and opened")
    spin(200)
    during = longest_gap(marks["found"], marks["open"] + 200)
    copying = longest_gap(marks["found"], marks["installed"])
    duration = marks["open"] - marks["found"]
    # Baseline: the same kiosk, idle, for as long as the install took (at least a second).
    base_start = clock.now()
    spin(max(1000, round(duration)))
    baseline = longest_gap(base_start, clock.now())
    service.shutdown()
    clock.stop()
    window.allow_close = True
    window.close()
    label = f"{size // MB} MB"
    return [
        Figure(f"longest GUI stall while installing a {label} guide (USB)", during, "ms", baseline,
               "same kiosk idle, same length of time", "<= 16 ms"),
        Figure("  of which while verifying and copying (worker thread busy)", copying, "ms", baseline, "idle", ""),
        Figure(f"  stick found -> new {label} guide open in the kiosk", duration, "ms"),
    ]  # fmt: skip


def run(figures: list[Figure], quick: bool) -> None:
    figures.extend(in_fresh_process("bench.update_stall", quick))


if __name__ == "__main__":
    print(json.dumps([asdict(f) for f in measure("--quick" in sys.argv)]))
