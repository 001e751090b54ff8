"""The GUI event loop's stalls, as the benchmarks measure them: a 1 ms precise timer on the GUI thread records
when the loop gets to it; the longest gap between two ticks in a span of time is the longest stall there."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

from bench.report import Figure


class GuiClock:
    """Ticks every millisecond from construction until :meth:`stop` (needs a QApplication)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self._clock = QElapsedTimer()
        self._clock.start()
        self.ticks: list[float] = []
        self._timer = QTimer(interval=1)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(lambda: self.ticks.append(self.now()))
        self._timer.start()

    def now(self) -> float:
        """Milliseconds since the clock started."""
        return self._clock.nsecsElapsed() / 1e6

    def longest_gap(self, start: float, end: float) -> float:
        inside = [t for t in self.ticks if start <= t <= end]
        return max((b - a for a, b in itertools.pairwise(inside)), default=float("nan"))

    @staticmethod
    def spin(ms: float) -> None:
        """Let the event loop run for ``ms``."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(round(ms), loop.quit)
        loop.exec()

    def spin_until(self, condition: Callable[[], object], limit_s: float = 60) -> None:
        deadline = time.monotonic() + limit_s
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("timed out")
            self.spin(5)

    def stop(self) -> None:
        self._timer.stop()


def in_fresh_process(module: str, quick: bool) -> list[Figure]:
    """Run ``python -m module [--quick]`` offscreen (a process of its own: its stalls are its own) and read the
    figures it prints as JSON on its last line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    args = [sys.executable, "-X", "faulthandler", "-m", module] + (["--quick"] if quick else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    try:
        figures = [Figure(**f) for f in json.loads(lines[-1])]
    except (IndexError, ValueError, TypeError):
        figures = []
    if done.returncode != 0:  # said, with the end of its error output; the other benchmarks still run
        what = "after printing its figures" if figures else "before measuring anything"
        print(f"note: {module} ended with exit status {done.returncode} {what}; the end of its error output:\n"
              f"{done.stderr[-3000:]}", file=sys.stderr)  # fmt: skip
    return figures
