"""A private PulseAudio server for the end-to-end audio tests (output recorded, microphone fed)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def pulse_server(home: Path, *modules: str) -> Iterator[dict[str, str]]:
    """A PulseAudio server of its own (runtime folder under ``home``) with ``modules`` loaded; yields the
    environment that talks to it."""
    runtime = home / "pulse"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=str(home))
    loads = [f"--load={module}" for module in ("module-native-protocol-unix", *modules)]
    server = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", *loads,
                               "--log-target=stderr"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "pulseaudio did not start"
            time.sleep(0.1)
        yield env
    finally:
        server.terminate()
        server.wait(5)
