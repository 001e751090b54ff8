"""End to end: the real `wegwijzer run` on an X server (Xvfb), driven by real X input events (xdotool)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk import paths

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs xvfb and xdotool"),
]
WEGWIJZER = Path(sys.executable).parent / "wegwijzer"


def free_display() -> str:
    for number in range(91, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    raise RuntimeError("no free X display number")


@pytest.fixture
def xserver():
    display = free_display()
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield display
    server.terminate()
    server.wait(5)


@pytest.fixture
def kiosk_process(xserver, tmp_path, shipped_guide):
    trace = tmp_path / "trace.json"
    env = dict(os.environ, DISPLAY=xserver, QT_QPA_PLATFORM="xcb", WEGWIJZER_UI_TRACE=str(trace))
    env[paths.DATA_DIR_ENV] = str(tmp_path / "data")
    log = (tmp_path / "kiosk.log").open("w")
    process = subprocess.Popen([str(WEGWIJZER), "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
    yield process, trace, xserver
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    log.close()


def read_trace(trace: Path, process, want=None, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the kiosk exited"
        if trace.exists():
            data = json.loads(trace.read_text(encoding="utf-8"))
            if want is None or want(data):
                return data
        time.sleep(0.05)
    raise AssertionError(f"timed out; last trace: {trace.read_text() if trace.exists() else None}")


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display), check=True, timeout=10)


def tap(display: str, data: dict, key: str) -> None:
    x, y, w, h = data["targets"][key]
    xdotool(display, "mousemove", "--sync", str(x + w // 2), str(y + h // 2), "click", "1")


def test_real_kiosk_with_real_input(kiosk_process):
    process, trace, display = kiosk_process
    data = read_trace(trace, process, lambda d: d["route"][0] == "language" and "en" in d["targets"])
    tap(display, data, "en")
    data = read_trace(trace, process, lambda d: d["route"] == ["home", ""] and "insurance" in d["targets"])
    assert data["lang"] == "en"
    tap(display, data, "insurance")
    data = read_trace(trace, process, lambda d: d["route"] == ["topic", "insurance"] and "accident" in d["targets"])
    tap(display, data, "accident")
    data = read_trace(trace, process, lambda d: d["route"] == ["answer", "accident"] and "Listen" in d["targets"])
    tap(display, data, "Listen")  # the real speech worker, silent here (no sound card) but word by word
    read_trace(trace, process, lambda d: d["speaking"] == "answer:accident" and d["spoken_words"] >= 3)
    tap(display, data, "Back")
    data = read_trace(trace, process, lambda d: d["route"] == ["topic", "insurance"])
    assert data["speaking"] is None, "going back stopped the speech"
    tap(display, data, "Home")
    data = read_trace(trace, process, lambda d: d["route"] == ["home", ""])

    search = ["xdotool", "search", "--pid", str(process.pid), "--onlyvisible", "--name", "Wegwijzer"]
    env = dict(os.environ, DISPLAY=display)
    window = subprocess.run(search, env=env, capture_output=True, text=True).stdout.split()
    assert window, "the kiosk window is on the X server"
    xdotool(display, "windowfocus", "--sync", window[0])
    for key in ("Escape", "alt+F4", "ctrl+q", "ctrl+w", "F11"):
        xdotool(display, "key", key)
    data = read_trace(trace, process, lambda d: len(d["blocked"]) >= 5)
    assert data["route"] == ["home", ""], "the blocked keys changed nothing"
    time.sleep(0.5)
    assert process.poll() is None, "the kiosk is still running"
