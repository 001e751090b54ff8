"""Updates inside the running kiosk: a USB stick is noticed and installed off the GUI thread, with a notice."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading

import pytest

from kiosk.app import RunOptions, start_updates
from kiosk.qt.updates import UPDATE_FOLDER, mounted_volumes
from kiosk.updates import install
from kiosk.updates.install import installed_version, load_state
from tests.updates.conftest import make_bundle
from tests.updates.static_server import StaticServer

pytestmark = pytest.mark.gui


@pytest.fixture
def stick(tmp_path):
    """A fake mounted USB volume; the service is told it is mounted while ``present`` holds it."""
    root = tmp_path / "stick"
    root.mkdir()
    return {"root": root, "present": [root]}


def updates_for(kiosk_parts, stick, signer, **extra):
    options = RunOptions(trusted_keys=[signer[2]], **extra)
    service = start_updates(kiosk_parts, options, volumes=lambda: list(stick["present"]),
                            usb_interval_s=0.05)  # fmt: skip
    return service


def put_bundle(stick, tmp_path, shipped_guide, signer, version, **kw):
    folder = make_bundle(tmp_path, shipped_guide, signer, version, issued=dt.datetime.now(dt.UTC), **kw)
    target = stick["root"] / UPDATE_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    return target


def test_a_stick_with_a_valid_bundle_installs_without_a_touch(
    qtbot, kiosk, kiosk_parts, stick, tmp_path, shipped_guide, signer, monkeypatch
):
    threads = []
    real = install.apply_bundle

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(install, "apply_bundle", spy)
    put_bundle(stick, tmp_path, shipped_guide, signer, 2)
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000) as blocker:
            pass
        assert blocker.args[:2] == [2, "usb"]
        assert threads and threading.get_ident() not in threads  # off the GUI thread
        strings = kiosk.store.ui_strings(kiosk.lang)
        qtbot.waitUntil(lambda: kiosk.store.content_version == 2, timeout=5000)  # at the start screen: now
        assert kiosk.toast.isVisible()
        assert strings["guide_updated"] in kiosk.toast.text()
        assert installed_version() == 2
        # The same stick stays in: it is not installed again and again.
        for _ in range(5):
            with qtbot.waitSignal(service.finished, timeout=5000):
                pass
        assert len(threads) == 1
    finally:
        service.shutdown()


def test_a_bad_bundle_is_refused_with_the_reason_in_the_log_and_the_status(qtbot, kiosk, kiosk_parts, stick, tmp_path,
                                                                          shipped_guide, signer, caplog):  # fmt: skip
    folder = put_bundle(stick, tmp_path, shipped_guide, signer, 2)
    database = next(folder.glob("*.sqlite"))
    data = bytearray(database.read_bytes())
    data[5000] ^= 0x01
    database.write_bytes(bytes(data))
    caplog.set_level(logging.ERROR)
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.refused, timeout=20_000) as blocker:
            pass
        kind, _source, reason = blocker.args
        assert kind == "usb" and "SHA-256" in reason
        assert any("refused" in r.message and "SHA-256" in r.message for r in caplog.records)
        assert load_state().attempts[-1].result == "refused"
        assert kiosk.store.ui_strings(kiosk.lang)["update_refused"] in kiosk.toast.text()
        assert installed_version() is None
        for _ in range(5):  # not retried while the stick stays in
            with qtbot.waitSignal(service.finished, timeout=5000):
                pass
        assert len(load_state().attempts) == 1
        stick["present"].clear()  # taken out, fixed, put back: tried again
        with qtbot.waitSignal(service.finished, timeout=5000):
            pass
        put_bundle(stick, tmp_path, shipped_guide, signer, 3)
        stick["present"].append(stick["root"])
        with qtbot.waitSignal(service.installed, timeout=20_000) as blocker:
            pass
        assert blocker.args[0] == 3 and installed_version() == 3
    finally:
        service.shutdown()


def test_a_kiosk_away_from_the_start_screen_switches_guide_only_when_back(qtbot, kiosk, kiosk_parts, stick, tmp_path,
                                                                         shipped_guide, signer):  # fmt: skip
    from kiosk.ui.window import Route

    kiosk.choose_language("ar")
    kiosk.go(Route("answer", "accident"))
    put_bundle(stick, tmp_path, shipped_guide, signer, 2)
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000):
            pass
        qtbot.wait(100)
        assert kiosk.store.content_version == 1  # someone reads: not now
        assert kiosk.route == Route("answer", "accident")
        kiosk.reset_session()
        assert kiosk.store.content_version == 2
    finally:
        service.shutdown()


def test_sync_in_the_kiosk(qtbot, kiosk, kiosk_parts, tmp_path, shipped_guide, signer):
    root = tmp_path / "site"
    root.mkdir()
    server = StaticServer(root).start()
    folder = make_bundle(tmp_path, shipped_guide, signer, 4, issued=dt.datetime.now(dt.UTC))
    for path in folder.iterdir():
        shutil.copyfile(path, root / path.name)
    options = RunOptions(trusted_keys=[signer[2]], sync_url=server.url, sync_interval_s=3600)
    installed = []
    service = start_updates(kiosk_parts, options, volumes=list, first_sync_s=0)
    service.installed.connect(lambda *args: installed.append(list(args)))
    try:
        with qtbot.waitSignal(service.finished, check_params_cb=lambda kind: kind == "sync", timeout=20_000):
            pass
        assert installed and installed[0][:2] == [4, "sync"]
        qtbot.waitUntil(lambda: kiosk.store.content_version == 4, timeout=5000)
        assert not kiosk.toast.isVisible()  # no notice for residents about network sync
        service.check_now()  # "look for an update now": a conditional poll, answered 304
        with qtbot.waitSignal(service.finished, check_params_cb=lambda kind: kind == "sync", timeout=10_000):
            pass
        assert server.statuses("manifest.json") == [200, 304]
    finally:
        service.shutdown()
        server.close()


def test_mounted_volumes_never_lists_the_system_root():
    roots = mounted_volumes()
    assert all(str(root) != "/" for root in roots)


def test_usage_figures_travel_on_an_update_stick_only_when_opted_in(
    qtbot, kiosk, kiosk_parts, stick, tmp_path, shipped_guide, signer
):
    from kiosk.settings import SettingsStore

    kiosk_parts.usage.count("question_view", "accident", "ar")
    put_bundle(stick, tmp_path, shipped_guide, signer, 2)
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000):
            pass
        assert not (stick["root"] / "wegwijzer-stats").exists()  # not opted in
    finally:
        service.shutdown()
    kiosk.staff.services.settings.set("stats_to_usb", True)
    assert SettingsStore().config.stats_to_usb
    stick["present"].clear()
    put_bundle(stick, tmp_path, shipped_guide, signer, 3)
    stick["present"].append(stick["root"])
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000):
            pass
        qtbot.waitUntil(lambda: bool(list((stick["root"] / "wegwijzer-stats").glob("*/*.csv"))), timeout=5000)
        (csv_file,) = (stick["root"] / "wegwijzer-stats").glob("*/*.csv")  # in a new folder of its own
        assert "question_view,accident,ar,1" in csv_file.read_text()
    finally:
        service.shutdown()


def test_recordings_and_reviews_travel_on_an_update_stick_only_when_opted_in(
    qtbot, kiosk, kiosk_parts, stick, tmp_path, shipped_guide, signer
):
    import json

    from kiosk.contrib.store import answer_version

    contributions = kiosk_parts.services.contributions
    store = kiosk_parts.guide.store
    contributions.add_review("ti", "accident", "correct", "", "TG", answer_version(store, "accident", "ti"))
    put_bundle(stick, tmp_path, shipped_guide, signer, 2)
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000):
            pass
        assert not (stick["root"] / "wegwijzer-contrib").exists()  # not opted in
    finally:
        service.shutdown()
    kiosk.staff.services.settings.set("contrib_to_usb", True)
    stick["present"].clear()
    put_bundle(stick, tmp_path, shipped_guide, signer, 3)
    stick["present"].append(stick["root"])
    service = updates_for(kiosk_parts, stick, signer)
    try:
        with qtbot.waitSignal(service.installed, timeout=20_000):
            pass
        qtbot.waitUntil(lambda: bool(list((stick["root"] / "wegwijzer-contrib").glob("*/contrib.json"))), timeout=5000)
        (manifest,) = (stick["root"] / "wegwijzer-contrib").glob("*/contrib.json")
        assert list(json.loads(manifest.read_text(encoding="utf-8"))["files"]) == ["reviews/ti/accident.yaml"]
    finally:
        service.shutdown()
