"""The update worker can never be stuck by one source (issue #12): a stick or a poll that hangs is abandoned,
the next stick and the next poll still work, and the kiosk always exits cleanly."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from PySide6.QtCore import Qt

from kiosk.app import RunOptions, start_updates
from kiosk.qt.updates import UPDATE_FOLDER, UpdateService
from kiosk.updates.install import installed_version, load_state
from tests.updates.conftest import make_bundle
from tests.updates.static_server import StaticServer


def _stick_with(tmp_path, name, bundle=None):
    root = tmp_path / name
    root.mkdir()
    if bundle is not None:
        shutil.copytree(bundle, root / UPDATE_FOLDER)
    return root


def test_a_job_that_ends_after_shutdown_reports_nothing(qtbot, tmp_path):
    """The kiosk is closing: a scan still running reports nothing when it ends (its report reached Qt objects
    being torn down, and the process died with a segmentation fault at exit)."""
    release, scanning = threading.Event(), threading.Event()

    def volumes():
        scanning.set()
        release.wait(10)
        return [tmp_path]

    service = UpdateService([], volumes=volumes, usb_interval_s=60)
    reports: list[object] = []
    service._bridge.reported.connect(lambda *args: reports.append(args), Qt.ConnectionType.DirectConnection)
    service.look_at_usb()
    assert scanning.wait(5)
    job = next(iter(service._jobs.values()))
    service.shutdown()
    release.set()
    job.thread.join(5)
    assert not job.thread.is_alive() and reports == []

    again = UpdateService([], volumes=lambda: [], usb_interval_s=60)  # and before shutdown, it does report
    again._bridge.reported.connect(lambda *args: reports.append(args), Qt.ConnectionType.DirectConnection)
    again.look_at_usb()
    next(iter(again._jobs.values())).thread.join(5)
    assert len(reports) == 1
    again.shutdown()


@pytest.mark.gui
def test_a_hanging_stick_is_abandoned_and_the_next_stick_still_installs(
    qtbot, kiosk, kiosk_parts, tmp_path, shipped_guide, signer, monkeypatch
):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 2, issued=dt.datetime.now(dt.UTC))
    hung = _stick_with(tmp_path, "hung", bundle)
    good = _stick_with(tmp_path, "good")
    present = [hung]
    release = threading.Event()
    calls: list[str] = []
    real = UpdateService._examine

    def examine(self, root, known):
        calls.append(root.name)
        if root == hung:
            release.wait(60)  # a dying stick: the kernel never answers
            return None
        return real(self, root, known)

    monkeypatch.setattr(UpdateService, "_examine", examine)
    service = start_updates(kiosk_parts, RunOptions(trusted_keys=[signer[2]]),
                            volumes=lambda: list(present), usb_interval_s=0.1, stick_timeout_s=1.0)  # fmt: skip
    refusals: list[list[str]] = []
    service.refused.connect(lambda *args: refusals.append(list(args)))
    try:
        qtbot.waitUntil(lambda: bool(refusals), timeout=10_000)
        assert refusals[0][0] == "usb" and "did not answer within 1 s" in refusals[0][2]
        assert "did not answer" in load_state().attempts[-1].reason
        shutil.copytree(make_bundle(tmp_path, shipped_guide, signer, 3, issued=dt.datetime.now(dt.UTC)),
                        good / UPDATE_FOLDER)  # fmt: skip
        present.append(good)  # the next stick, while the first still hangs
        with qtbot.waitSignal(service.installed, timeout=20_000) as blocker:
            pass
        assert blocker.args[:2] == [3, "usb"] and installed_version() == 3
        qtbot.wait(500)
        assert calls.count("hung") == 1  # abandoned: not looked at again while it stays in
        started = time.monotonic()
        service.shutdown()
        assert time.monotonic() - started < 0.5  # never waits for the hung job
    finally:
        release.set()
        service.shutdown()


def test_the_real_kiosk_survives_a_fifo_stick_installs_the_next_one_polls_and_exits_on_sigterm(
    tmp_path, shipped_guide, signer
):
    fifo_stick = _stick_with(tmp_path, "fifo-stick", make_bundle(tmp_path, shipped_guide, signer, 2,
                                                                 issued=dt.datetime.now(dt.UTC)))  # fmt: skip
    (fifo_stick / UPDATE_FOLDER / "manifest.json").unlink()
    os.mkfifo(fifo_stick / UPDATE_FOLDER / "manifest.json")
    good_stick = _stick_with(tmp_path, "good-stick")
    site = tmp_path / "site"
    site.mkdir()
    for path in make_bundle(tmp_path, shipped_guide, signer, 3, issued=dt.datetime.now(dt.UTC)).iterdir():
        shutil.copyfile(path, site / path.name)
    server = StaticServer(site).start()
    data = tmp_path / "data"
    ready = tmp_path / "ready"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WEGWIJZER_DATA_DIR=str(data),
               WEGWIJZER_READY_FILE=str(ready), WEGWIJZER_USB_ROOTS=os.pathsep.join([str(fifo_stick), str(good_stick)]),
               WEGWIJZER_FIRST_SYNC_S="6")  # fmt: skip
    log = open(tmp_path / "kiosk.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed", "--trust", str(signer[2]),
                                "--sync-url", server.url, "--sync-interval", "60"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), (tmp_path / "kiosk.log").read_text()

        def attempts():
            try:
                return json.loads((data / "guides/state.json").read_text())["attempts"]
            except (OSError, ValueError, KeyError):
                return []

        deadline = time.monotonic() + 20
        while not any("FIFO" in a["reason"] for a in attempts()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any("FIFO" in a["reason"] for a in attempts()), attempts()
        time.sleep(5)  # a good stick comes 5 s later
        shutil.copytree(make_bundle(tmp_path, shipped_guide, signer, 4, issued=dt.datetime.now(dt.UTC)),
                        good_stick / UPDATE_FOLDER)  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            any(a["result"] == "installed" and a["version"] == 4 for a in attempts())
            and server.statuses("manifest.json")
        ):
            time.sleep(0.2)
        assert any(a["result"] == "installed" and a["version"] == 4 for a in attempts()), attempts()
        assert server.statuses("manifest.json"), "the sync poll never ran"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, (tmp_path / "kiosk.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.close()
        log.close()
