"""Benchmarks of the frozen one-folder build (issue #7), when ``dist/wegwijzer/`` exists (``make package``).

Size of the folder, against the bare 12-button window (bench/bare_window.py) frozen in the same run with
PyInstaller's defaults: what any PySide6 Widgets app costs before slimming. Start -> language screen painted
(median, interleaved with the same measure started from source in the same run). Resident set size two seconds
after start (the kiosk process and, separately, its speech worker), against the kiosk started from source.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.kiosk_ui import deployed_env
from bench.report import Figure, median

ROOT = Path(__file__).resolve().parents[1]
FROZEN = ROOT / "dist" / "wegwijzer" / "wegwijzer"


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _start(command: list[str]) -> tuple[float, float, float]:
    """Seconds to the first painted screen, RSS of the kiosk and of its children 2 s after start (MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "ready"
        env = dict(deployed_env(), WEGWIJZER_READY_FILE=str(ready), WEGWIJZER_DATA_DIR=str(Path(tmp) / "data"))
        t0 = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not ready.exists():
                if process.poll() is not None or time.perf_counter() - t0 > 60:
                    raise RuntimeError(f"{command} did not start")
                time.sleep(0.002)
            elapsed = time.perf_counter() - t0
            time.sleep(2)
            # The speech worker only: multiprocessing's resource tracker is a second child (in a frozen build a
            # second copy of the executable, about 30 MiB RSS, mostly pages shared with the kiosk)
            worker = [c for c in _children(process.pid) if b"resource_tracker" not in _cmdline(c)]
            return elapsed, _rss_mib(process.pid), sum(_rss_mib(c) for c in worker)
        finally:
            process.kill()
            process.wait()


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1024 / 1024


def _bare_build_mib() -> float | None:
    """Size of the bare window frozen with PyInstaller's defaults (one folder, no filtering), or None."""
    pyinstaller = Path(sys.executable).parent / "pyinstaller"
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [str(pyinstaller), "--onedir", "--noconfirm", "--log-level", "ERROR", "--distpath", f"{tmp}/dist",
             "--workpath", f"{tmp}/build", "--specpath", tmp, "--name", "bare", str(ROOT / "bench" / "bare_window.py")],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if result.returncode != 0:
            print(f"note: the bare window could not be frozen: {result.stderr[-500:]}")
            return None
        return _size_mib(Path(tmp) / "dist" / "bare")


def _lean_build_mib() -> float | None:
    """Size of the kiosk frozen without the neural engine (WEGWIJZER_FREEZE_NEURAL=0), or None."""
    import os

    pyinstaller = Path(sys.executable).parent / "pyinstaller"
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [str(pyinstaller), str(ROOT / "packaging" / "wegwijzer.spec"), "--noconfirm", "--log-level", "ERROR",
             "--distpath", f"{tmp}/dist", "--workpath", f"{tmp}/build"],
            capture_output=True, text=True, timeout=900, cwd=ROOT, env=dict(os.environ, WEGWIJZER_FREEZE_NEURAL="0"),
        )  # fmt: skip
        if result.returncode != 0:
            print(f"note: the kiosk without the neural engine could not be frozen: {result.stderr[-500:]}")
            return None
        return _size_mib(Path(tmp) / "dist" / "wegwijzer")


def run(figures: list[Figure], quick: bool) -> None:
    if not FROZEN.exists():
        print("note: dist/wegwijzer is missing (make package): frozen-build benchmarks skipped")
        return
    source = [str(Path(sys.executable).parent / "wegwijzer"), "run", "--windowed"]
    frozen = [str(FROZEN), "run", "--windowed"]
    _start(frozen), _start(source)  # warm-up: bytecode written, files in the page cache
    frozen_runs, source_runs = [], []
    for _ in range(3 if quick else 9):  # interleaved: both see the same machine load
        frozen_runs.append(_start(frozen))
        source_runs.append(_start(source))
    size = _size_mib(FROZEN.parent)
    figures.append(Figure("frozen build: size of dist/wegwijzer", size, "MiB", _bare_build_mib(),
                          "bare 12-button window, PyInstaller defaults", "<= 120 MB"))  # fmt: skip
    figures.append(Figure("  the same in MB (10^6 bytes)", size * 2**20 / 1e6, "MB", None, "", "<= 120"))
    neural = (FROZEN.parent / "_internal" / "onnxruntime").is_dir()
    if neural:
        figures.append(Figure("frozen build with the neural engine (no voice inside)", size, "MiB", _lean_build_mib(),
                              "the same without it (WEGWIJZER_FREEZE_NEURAL=0)", ""))  # fmt: skip
    figures.append(Figure("frozen build: start -> language screen painted (median)",
                          median([r[0] for r in frozen_runs]) * 1000, "ms", median([r[0] for r in source_runs]) * 1000,
                          "the same, started from source", ""))  # fmt: skip
    figures.append(Figure("frozen build: RSS 2 s after start (kiosk process)", median([r[1] for r in frozen_runs]),
                          "MiB", median([r[1] for r in source_runs]), "the same, from source", ""))  # fmt: skip
    figures.append(Figure("  its speech worker process", median([r[2] for r in frozen_runs]), "MiB",
                          median([r[2] for r in source_runs]), "from source", ""))  # fmt: skip


if __name__ == "__main__":
    from bench.report import print_table

    collected: list[Figure] = []
    run(collected, quick="--quick" in sys.argv)
    print_table(collected)
