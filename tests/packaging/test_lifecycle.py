"""Starting, stopping and maintenance: what a supervisor (systemd, Shell Launcher) relies on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from kiosk import maintenance, paths
from kiosk.cli import main


def start_kiosk(tmp_path, data_dir, *args):
    ready = tmp_path / "ready"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WEGWIJZER_READY_FILE=str(ready),
               WEGWIJZER_DATA_DIR=str(data_dir))  # fmt: skip
    log = (tmp_path / "kiosk.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "run", *args], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "kiosk.log").read_text()
        time.sleep(0.05)
    return process


def test_first_start_without_a_data_directory_uses_the_bundled_guide_and_sigterm_stops_it_cleanly(tmp_path):
    data_dir = tmp_path / "nothing-yet"
    process = start_kiosk(tmp_path, data_dir)  # full-screen and locked: it refuses to close, but SIGTERM ends it
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    log = (tmp_path / "kiosk.log").read_text()
    assert "asked to stop (SIGTERM)" in log
    assert f"guide {paths.bundled_guide()}" in log
    assert (data_dir / "logs" / "wegwijzer.log").is_file()


def test_maintenance_keeps_the_kiosk_off_until_ended_or_the_next_boot(monkeypatch):
    runner = CliRunner()
    assert runner.invoke(main, ["maintenance", "check"]).exit_code == 0
    maintenance.begin()
    result = runner.invoke(main, ["maintenance", "check"])
    assert result.exit_code == 1 and "stays off" in result.output
    assert runner.invoke(main, ["maintenance", "end"]).output.strip() == "maintenance ended"
    assert runner.invoke(main, ["maintenance", "check"]).exit_code == 0
    maintenance.begin()
    marker = paths.data_dir() / maintenance.MARKER
    data = json.loads(marker.read_text())
    marker.write_text(json.dumps({**data, "boot": "another-boot"}))  # the machine restarted since
    assert runner.invoke(main, ["maintenance", "check"]).exit_code == 0


def test_starting_the_kiosk_by_hand_ends_maintenance(tmp_path):
    data_dir = tmp_path / "data"
    paths.set_data_dir(data_dir)
    try:
        maintenance.begin()
    finally:
        paths.set_data_dir(None)
    process = start_kiosk(tmp_path, data_dir)
    process.kill()
    process.wait()
    assert "maintenance ended" in (tmp_path / "kiosk.log").read_text()
