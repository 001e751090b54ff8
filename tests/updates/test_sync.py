"""Network sync against a real HTTP server on loopback: conditional polls, caps, time limits, resumption.

Every failing poll must leave the installed guide unchanged."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from click.testing import CliRunner

from kiosk import paths
from kiosk.cli import main
from kiosk.updates import sync
from kiosk.updates.bundle import MANIFEST, BundleError, generate_keys, load_public_key
from kiosk.updates.install import installed_version, load_state
from tests.updates.conftest import make_bundle
from tests.updates.static_server import StaticServer

FAST = sync.SyncOptions(timeout_s=2.0, min_rate=1e6, attempts=3, retry_pause_s=0.05)


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    server = StaticServer(root).start()
    yield server
    server.close()


def publish(site, tmp_path, shipped_guide, signer, version):
    """Upload a bundle's files to the static host, replacing what was there."""
    folder = make_bundle(tmp_path, shipped_guide, signer, version, issued=dt.datetime.now(dt.UTC))
    for old in site.root.iterdir():
        old.unlink()
    for path in folder.iterdir():
        shutil.copyfile(path, site.root / path.name)
    return next(p.name for p in folder.iterdir() if p.suffix == ".sqlite")


def snapshot():
    folder = paths.guides_dir()
    skip = {"state.json", "sync.json"}
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name not in skip}


def test_poll_installs_then_gets_304s_until_something_changes(site, tmp_path, shipped_guide, signer):
    database = publish(site, tmp_path, shipped_guide, signer, 2)
    result = sync.sync_once(site.url, [signer[1]], FAST)
    assert (result.outcome, result.version, installed_version()) == ("installed", 2, 2)
    assert result.downloaded == (site.root / database).stat().st_size
    assert not sync.download_folder().exists()

    again = sync.sync_once(site.url, [signer[1]], FAST)
    assert again.outcome == "unchanged"
    assert site.statuses(MANIFEST) == [200, 304]
    assert site.requests[-1][1].get("if-none-match")
    assert site.statuses(database) == [200]  # nothing else fetched

    new_database = publish(site, tmp_path, shipped_guide, signer, 3)
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "installed"
    assert installed_version() == 3
    assert site.statuses(new_database) == [200]
    assert load_state().attempts[-1].source == site.url


def test_a_manifest_the_server_wrongly_calls_unchanged_is_read_again_within_a_day(
    site, tmp_path, shipped_guide, signer, monkeypatch
):
    site.modes[MANIFEST] = "stale-etag"
    publish(site, tmp_path, shipped_guide, signer, 2)
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "installed"
    publish(site, tmp_path, shipped_guide, signer, 3)  # a new manifest, but the same ETag
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "unchanged"  # the server's 304
    later = sync.time.time() + FAST.revalidate_after_s + 1
    monkeypatch.setattr(sync.time, "time", lambda: later)
    result = sync.sync_once(site.url, [signer[1]], FAST)
    assert (result.outcome, installed_version()) == ("installed", 3)
    assert "if-none-match" not in site.requests[-3][1]  # the manifest asked for without validators
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "unchanged"  # and conditional again after


def test_an_older_bundle_is_refused_before_its_database_is_downloaded(site, tmp_path, shipped_guide, signer):
    publish(site, tmp_path, shipped_guide, signer, 5)
    sync.sync_once(site.url, [signer[1]], FAST)
    before = snapshot()
    old_database = publish(site, tmp_path, shipped_guide, signer, 4)
    with pytest.raises(BundleError, match="never go back"):
        sync.sync_once(site.url, [signer[1]], FAST)
    assert site.statuses(old_database) == []
    assert snapshot() == before
    attempts = len(load_state().attempts)
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "unchanged"  # not refused again every poll
    assert len(load_state().attempts) == attempts


def test_a_bundle_signed_with_another_key_is_refused(site, tmp_path, shipped_guide, signer):
    publish(site, tmp_path, shipped_guide, signer, 2)
    _private, other = generate_keys(tmp_path / "other", "other")
    with pytest.raises(BundleError, match="does not match any trusted key"):
        sync.sync_once(site.url, [load_public_key(other)], FAST)
    assert installed_version() is None
    assert not list(paths.guides_dir().glob("guide-*"))
    assert load_state().attempts[-1].result == "refused"


@pytest.mark.parametrize(
    ("target", "mode", "reason"),
    [
        ("manifest", "404", "404"),
        ("manifest", "500", "500"),
        ("signature", "404", "404"),
        ("database", "404", "404"),
        ("database", "500", "500"),
        ("manifest", "endless", "larger than"),
        ("database", "endless", "more than the"),
        ("manifest", "trickle", "too slow"),
        ("database", "trickle", "too slow"),
        ("database", "drop-always:1000", "connection ended after"),
    ],
)
def test_server_failures_leave_the_installed_guide_unchanged(site, tmp_path, shipped_guide, signer, target, mode,
                                                              reason):  # fmt: skip
    publish(site, tmp_path, shipped_guide, signer, 2)
    sync.sync_once(site.url, [signer[1]], FAST)
    before = snapshot()
    database = publish(site, tmp_path, shipped_guide, signer, 3)
    site.modes[{"manifest": MANIFEST, "signature": "manifest.sig", "database": database}[target]] = mode
    with pytest.raises(BundleError, match=reason):
        sync.sync_once(site.url, [signer[1]], FAST)
    assert snapshot() == before
    assert installed_version() == 2
    last = load_state().attempts[-1]  # staff see why the sync fails
    assert (last.source, last.result) == (site.url, "failed") and re.search(reason, last.reason)


def test_a_dropped_connection_is_resumed_with_a_range_request(site, tmp_path, shipped_guide, signer):
    database = publish(site, tmp_path, shipped_guide, signer, 2)
    site.modes[database] = "drop:50000"
    result = sync.sync_once(site.url, [signer[1]], FAST)
    assert (result.outcome, installed_version()) == ("installed", 2)
    assert site.statuses(database) == [200, 206]
    resumed = [h for path, h, _s in site.requests if path.endswith(database)][1]
    assert resumed["range"] == "bytes=50000-"
    assert resumed["if-range"]


def test_a_download_that_keeps_failing_resumes_at_the_next_poll(site, tmp_path, shipped_guide, signer):
    database = publish(site, tmp_path, shipped_guide, signer, 2)
    site.modes[database] = "drop-always:40000"
    options = sync.SyncOptions(timeout_s=2.0, min_rate=1e6, attempts=1)
    with pytest.raises(BundleError, match="ended after 40000"):
        sync.sync_once(site.url, [signer[1]], options)
    assert installed_version() is None
    site.modes[database] = ""
    result = sync.sync_once(site.url, [signer[1]], options)
    assert result.outcome == "installed"
    assert result.downloaded == (site.root / database).stat().st_size - 40000
    assert site.statuses(database)[-1] == 206


def test_a_server_that_ignores_range_gets_a_clean_retry(site, tmp_path, shipped_guide, signer):
    database = publish(site, tmp_path, shipped_guide, signer, 2)
    site.modes[database] = "drop:30000"
    with pytest.raises(BundleError):
        sync.sync_once(site.url, [signer[1]], sync.SyncOptions(timeout_s=2.0, min_rate=1e6, attempts=1))
    site.modes[database] = "no-range"
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "installed"
    assert site.statuses(database) == [200, 200]
    assert installed_version() == 2


def test_a_changed_file_on_the_server_is_not_spliced_onto_a_partial_download(site, tmp_path, shipped_guide, signer):
    database = publish(site, tmp_path, shipped_guide, signer, 2)
    site.modes[database] = "drop:30000"
    with pytest.raises(BundleError):
        sync.sync_once(site.url, [signer[1]], sync.SyncOptions(timeout_s=2.0, min_rate=1e6, attempts=1))
    publish(site, tmp_path, shipped_guide, signer, 3)  # a new bundle meanwhile: the part belongs to no manifest
    assert sync.sync_once(site.url, [signer[1]], FAST).outcome == "installed"
    assert installed_version() == 3


def test_no_trusted_key_fails_closed_without_asking_the_server(site):
    with pytest.raises(BundleError, match="no trusted key"):
        sync.sync_once(site.url, [], FAST)
    assert site.requests == []


def test_unreachable_server_and_bad_address(signer):
    with pytest.raises(BundleError, match="cannot connect"):
        sync.sync_once("http://127.0.0.1:9/bundle/", [signer[1]], FAST)
    with pytest.raises(BundleError, match="only http"):
        sync.sync_once("file:///etc/", [signer[1]], FAST)


def test_cli_update_apply_from_a_url(site, tmp_path, shipped_guide, signer):
    publish(site, tmp_path, shipped_guide, signer, 7)
    runner = CliRunner()
    result = runner.invoke(main, ["update", "apply", "--from", site.url, "--trust", str(signer[2])])
    assert result.exit_code == 0, result.output
    assert "guide version 7 installed" in result.output
    result = runner.invoke(main, ["update", "apply", "--from", site.url, "--trust", str(signer[2])])
    assert result.exit_code == 0, result.output
    assert "already installed" in result.output
    site.modes[MANIFEST] = "500"
    result = runner.invoke(main, ["update", "apply", "--from", site.url, "--trust", str(signer[2])])
    assert result.exit_code == 1
    assert "500" in result.output
