"""What a stranger's stick or a careless signer can do, and what the kiosk does instead (issue #12).

Every test asserts the refusal, the reason, and that the installed guide, its version floor and the data
directory are unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest

from kiosk.updates import install
from kiosk.updates.bundle import (
    MANIFEST,
    SIGNATURE,
    BundleError,
    create_bundle,
    generate_keys,
    load_public_key,
    parse_manifest,
    verify_bundle,
)
from kiosk.updates.install import apply_bundle, installed_version, load_state
from tests.conftest import guide_copy
from tests.updates.conftest import NOW, make_bundle
from tests.updates.test_bundle import resign


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the data directory with its content hash (links as their target)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(root))] = "link:" + os.readlink(path)
        elif path.is_file() and not path.name.endswith(".lock"):
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def installed(tmp_path, shipped_guide, signer, data_dir):
    """Version 5 installed, so a refusal can be seen not to move the floor or the pointer."""
    apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 5), [signer[1]], now=NOW)
    return snapshot(data_dir)


def refused(folder, signer, match, now=NOW, **kw) -> str:
    with pytest.raises(BundleError, match=match) as caught:
        apply_bundle(folder, [signer[1]], now=now, **kw)
    return str(caught.value)


def assert_unchanged(data_dir, before, version=5):
    after = snapshot(data_dir)
    assert {k: v for k, v in after.items() if k != "guides/state.json"} == {
        k: v for k, v in before.items() if k != "guides/state.json"
    }
    assert installed_version() == version and load_state().highest_version == version


def within(seconds: float, work):
    """Run ``work`` on a thread; fail (instead of hanging the suite) if it does not end in time."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(_catch(work)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (blocked)"
    return result[0]


def _catch(work):
    try:
        return work()
    except Exception as exc:
        return exc


# --- files on a stick that are not what they claim --------------------------------------------------------
@pytest.mark.parametrize("name", [MANIFEST, SIGNATURE])
def test_a_fifo_in_a_bundle_is_refused_at_once(tmp_path, shipped_guide, signer, installed, data_dir, name):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    (bundle / name).unlink()
    os.mkfifo(bundle / name)
    error = within(5, lambda: apply_bundle(bundle, [signer[1]], now=NOW))
    assert isinstance(error, BundleError) and "pipe (FIFO)" in str(error)
    assert_unchanged(data_dir, installed)
    assert load_state().attempts[-1].result == "refused" and "FIFO" in load_state().attempts[-1].reason


def test_a_fifo_as_the_database_is_refused_at_once(tmp_path, shipped_guide, signer, installed, data_dir):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    database = next(bundle.glob("*.sqlite"))
    database.unlink()
    os.mkfifo(database)
    error = within(5, lambda: apply_bundle(bundle, [signer[1]], now=NOW))
    assert isinstance(error, BundleError) and "pipe (FIFO)" in str(error)
    error = within(5, lambda: verify_bundle(bundle, [signer[1]]))
    assert isinstance(error, BundleError) and "pipe (FIFO)" in str(error)
    assert_unchanged(data_dir, installed)


@pytest.mark.parametrize("what", ["manifest-link", "database-link", "manifest-folder", "database-device"])
def test_links_folders_and_devices_are_never_followed(tmp_path, shipped_guide, signer, installed, data_dir, what):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    database = next(bundle.glob("*.sqlite"))
    if what == "manifest-link":
        real = tmp_path / "elsewhere.json"
        shutil.move(bundle / MANIFEST, real)
        (bundle / MANIFEST).symlink_to(real)
        reason = "symbolic link"
    elif what == "database-link":
        real = tmp_path / "elsewhere.sqlite"
        shutil.move(database, real)
        database.symlink_to(real)  # the very bytes the manifest names: still refused
        reason = "symbolic link"
    elif what == "manifest-folder":
        (bundle / MANIFEST).unlink()
        (bundle / MANIFEST).mkdir()
        reason = "a folder"
    else:
        database.unlink()
        try:
            os.mknod(database, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
        except PermissionError:
            pytest.skip("cannot make a device node here")
        reason = "a device"
    assert reason in str(within(5, lambda: apply_bundle(bundle, [signer[1]], now=NOW)))
    assert_unchanged(data_dir, installed)


def test_an_oversized_manifest_is_refused_without_reading_it_all(tmp_path, shipped_guide, signer, installed, data_dir):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    resign(bundle, b" " * (16 * 1024 + 1), signer[0])
    refused(bundle, signer, "larger than 16384 bytes")
    assert_unchanged(data_dir, installed)


def test_usage_figures_are_never_written_through_a_link_on_the_stick(tmp_path, shipped_guide, data_dir):
    from kiosk.updates.safefs import SafeDir, UnsafeFileError
    from kiosk.usage import Usage

    usage = Usage(tmp_path / "stats")
    usage.count("search", "", "nl")
    stick = tmp_path / "stick"
    stick.mkdir()
    (data_dir / "guides").mkdir(parents=True)
    (stick / "wegwijzer-stats").symlink_to(data_dir / "guides")
    with SafeDir.open(stick) as root, pytest.raises(UnsafeFileError, match="symbolic link"):
        usage.export_to_stick(root, "Jette")
    assert list((data_dir / "guides").iterdir()) == []
    (stick / "wegwijzer-stats").unlink()
    with SafeDir.open(stick) as root:
        first = usage.export_to_stick(root, "Jette")
    assert first.parent.parent == stick / "wegwijzer-stats" and "search,,nl,1" in first.read_text()


# --- the manifest is read strictly ------------------------------------------------------------------------
def _manifest(bundle: Path) -> dict:
    return json.loads((bundle / MANIFEST).read_text())


def test_duplicate_keys_are_refused_not_last_one_wins(tmp_path, shipped_guide, signer, installed, data_dir):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6, channel="test")
    text = (bundle / MANIFEST).read_text().replace('"channel": "test",', '"channel": "test", "channel": "stable",')
    assert text.count('"channel"') == 2
    resign(bundle, text.encode(), signer[0])
    refused(bundle, signer, "names 'channel' twice")
    assert load_state().attempts[-1].result == "refused"
    assert_unchanged(data_dir, installed)


def test_a_5000_digit_number_is_a_recorded_refusal_not_a_traceback(tmp_path, shipped_guide, signer, installed,
                                                                   data_dir):  # fmt: skip
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    text = (bundle / MANIFEST).read_text().replace('"content_version": 6', '"content_version": ' + "9" * 5000)
    resign(bundle, text.encode(), signer[0])
    refused(bundle, signer, "a number with 5000 digits")
    assert "5000 digits" in load_state().attempts[-1].reason
    assert_unchanged(data_dir, installed)


def test_min_app_version_is_enforced(tmp_path, shipped_guide, signer, installed, data_dir):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    manifest = _manifest(bundle)
    manifest["min_app_version"] = "99.0.0"
    resign(bundle, json.dumps(manifest).encode(), signer[0])
    refused(bundle, signer, r"needs Wegwijzer 99.0.0 or newer; this kiosk runs 0\.")
    manifest["min_app_version"] = "1.0; rm -rf /"
    resign(bundle, json.dumps(manifest).encode(), signer[0])
    refused(bundle, signer, "is not like 1.2.3")
    assert_unchanged(data_dir, installed)


def test_manifest_parser_fuzz_only_ever_says_why(tmp_path, shipped_guide, signer):
    """Seeded random damage to a real manifest: parse_manifest returns a Manifest or raises BundleError, fast."""
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    good = (bundle / MANIFEST).read_bytes()
    rng = random.Random(12)
    pieces = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"9" * 400, b"-", b"1e999", b"NaN", b"null", b"true",
              b'"channel": "x",', b"\xff", b"\\u0000", b"[" * 3000, b'{"a":' * 3000]  # fmt: skip
    deadline = time.monotonic() + 3
    runs = 0
    while time.monotonic() < deadline:
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[at] = rng.randrange(256)
            else:
                data[at:at] = rng.choice(pieces)
        started = time.monotonic()
        with contextlib.suppress(BundleError):
            parse_manifest(bytes(data[: 16 * 1024]))
        assert time.monotonic() - started < 0.5
        runs += 1
    assert runs > 200


# --- issue and expiry times -------------------------------------------------------------------------------
def test_a_bundle_issued_in_the_future_is_refused_and_never_remembered(tmp_path, shipped_guide, signer, installed,
                                                                      data_dir):  # fmt: skip
    future = make_bundle(tmp_path, shipped_guide, signer, 6, issued=NOW + dt.timedelta(days=400))
    reason = refused(future, signer, "later than this kiosk's clock")
    assert "check the clock of the signing computer" in reason
    assert load_state().newest_issued == NOW.isoformat()
    assert_unchanged(data_dir, installed)
    # A correctly dated bundle still installs: the future one poisoned nothing.
    assert apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 7), [signer[1]], now=NOW)[0] == "installed"


def test_a_bundle_that_expires_before_it_was_issued_is_refused(tmp_path, shipped_guide, signer, installed, data_dir):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
    manifest = _manifest(bundle)
    manifest["expires"] = (NOW - dt.timedelta(days=1)).isoformat()
    resign(bundle, json.dumps(manifest).encode(), signer[0])
    refused(bundle, signer, "expires .* before it was issued")
    assert_unchanged(data_dir, installed)


def test_a_fleet_poisoned_by_a_wrong_signing_clock_recovers_with_one_correct_bundle(tmp_path, shipped_guide, signer,
                                                                                   installed, data_dir):  # fmt: skip
    # Before #12 a bundle issued in 2031 was accepted and its issue time remembered.
    state = json.loads((data_dir / "guides/state.json").read_text())
    state["newest_issued"] = "2031-01-01T00:00:00+00:00"
    (data_dir / "guides/state.json").write_text(json.dumps(state))
    correct = make_bundle(tmp_path, shipped_guide, signer, 6, issued=NOW, days=30)
    assert apply_bundle(correct, [signer[1]], now=NOW + dt.timedelta(days=1))[0] == "installed"
    assert load_state().newest_issued == NOW.isoformat()


# --- keys ------------------------------------------------------------------------------------------------
def test_test_keys_are_told_apart_and_refused_unless_allowed(tmp_path, shipped_guide, installed, data_dir):
    private, public = generate_keys(tmp_path / "trial", "trial-2027", kind="test")
    assert "kind: test" in public.read_text()
    database = guide_copy(shipped_guide, tmp_path / "v6.sqlite", content_version="6")
    create_bundle(database, private, tmp_path / "b6", now=NOW)
    key = load_public_key(public)
    with pytest.raises(BundleError, match=r"signed with the test key trial-2027 \([0-9a-f]{16}\).*release keys only"):
        apply_bundle(tmp_path / "b6", [key], now=NOW)
    assert_unchanged(data_dir, installed)
    assert apply_bundle(tmp_path / "b6", [key], now=NOW, allow_test_keys=True)[0] == "installed"
    status = install.status()
    assert status["signed_by"] == key.label and key.label.startswith("test key trial-2027")
    assert load_state().attempts[-1].key == key.label


def test_key_files_get_fixed_modes_and_never_follow_a_dangling_link(tmp_path):
    old = os.umask(0)
    try:
        private, public = generate_keys(tmp_path / "k", "release-2027", kind="release")
    finally:
        os.umask(old)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and stat.S_IMODE(public.stat().st_mode) == 0o644
    (tmp_path / "k2").mkdir()
    (tmp_path / "k2" / "x.public.pem").symlink_to(tmp_path / "victim")
    with pytest.raises(BundleError, match="exists already"):
        generate_keys(tmp_path / "k2", "x", kind="release")
    assert not (tmp_path / "victim").exists() and not (tmp_path / "k2" / "x.private.pem").exists()


# --- sync addresses with a password -----------------------------------------------------------------------
def test_a_sync_address_with_a_password_works_and_the_password_is_stored_nowhere(tmp_path, shipped_guide, signer,
                                                                                 data_dir, caplog):  # fmt: skip
    from kiosk.updates.sync import SyncOptions, sync_once
    from tests.updates.static_server import StaticServer

    site = tmp_path / "site"
    site.mkdir()
    for path in make_bundle(tmp_path, shipped_guide, signer, 3).iterdir():
        shutil.copyfile(path, site / path.name)
    server = StaticServer(site).start()
    server.require_auth = ("kiosk", "s3cret:pw")
    try:
        url = server.url.replace("http://", "http://kiosk:s3cret%3Apw@")
        with caplog.at_level("DEBUG"):
            result = sync_once(url, [signer[1]], SyncOptions(retry_pause_s=0))
            assert result.outcome == "installed"
            bad = url.replace("s3cret%3Apw", "wrong-one")
            with pytest.raises(BundleError, match="401"):
                sync_once(bad, [signer[1]], SyncOptions(retry_pause_s=0, conditional=False))
        assert load_state().attempts[-1].source == server.url  # the address without its user and password
    finally:
        server.close()
    assert server.auth_seen and all(seen == ("kiosk", "s3cret:pw") for seen in server.auth_seen[:3])
    everything = "".join(p.read_text(errors="replace") for p in data_dir.rglob("*") if p.is_file()) + caplog.text
    assert "s3cret" not in everything and "wrong-one" not in everything


def test_a_guide_kiosks_would_refuse_is_not_signed(tmp_path, shipped_guide, signer):
    import sqlite3

    database = guide_copy(shipped_guide, tmp_path / "hostile.sqlite", content_version="6")
    conn = sqlite3.connect(database)
    conn.execute("UPDATE answers SET body_html = '<img src=\"file:///dev/zero\">' WHERE rowid = 1")
    conn.commit()
    conn.close()
    with pytest.raises(BundleError, match="kiosks would refuse this guide"):
        create_bundle(database, signer[0], tmp_path / "out", now=NOW)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.part").exists()
