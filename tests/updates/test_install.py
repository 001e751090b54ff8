"""Installing bundles: each refusal leaves the installed guide unchanged; a kill at any moment breaks nothing."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from kiosk import guides, paths
from kiosk.updates import install
from kiosk.updates.bundle import BundleError, generate_keys, load_public_key
from kiosk.updates.install import apply_bundle, installed_version, load_state
from tests.updates.conftest import NOW, make_bundle


def snapshot():
    folder = paths.guides_dir()
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "state.json"} if folder.exists() else {}


def test_install_switches_the_pointer_and_keeps_the_previous(tmp_path, shipped_guide, signer):
    assert apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 2), [signer[1]], now=NOW)[0] == "installed"
    assert installed_version() == 2
    assert apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 3), [signer[1]], now=NOW)[0] == "installed"
    assert installed_version() == 3
    assert guides.pointed(guides.PREVIOUS).is_file()
    assert guides.open_best().content_version == 3


def test_same_version_again_is_a_no_op(tmp_path, shipped_guide, signer):
    bundle = make_bundle(tmp_path, shipped_guide, signer, 2)
    apply_bundle(bundle, [signer[1]], now=NOW)
    before = snapshot()
    assert apply_bundle(bundle, [signer[1]], now=NOW)[0] == "same"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("older", "never go back"),
        ("other-channel", "this kiosk takes"),
        ("expired", "expired"),
        ("wrong-key", "does not match"),
        ("flipped", "SHA-256"),
        ("extra", "more bytes"),
        ("truncated", "fewer bytes"),
    ],
)
def test_refusals_leave_the_installed_guide_unchanged(tmp_path, shipped_guide, signer, kind, reason):
    apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 5), [signer[1]], now=NOW)
    before = snapshot()
    trusted = [signer[1]]
    if kind == "older":
        bundle = make_bundle(tmp_path, shipped_guide, signer, 4)
    elif kind == "other-channel":
        bundle = make_bundle(tmp_path, shipped_guide, signer, 6, channel="test")
    elif kind == "expired":
        bundle = make_bundle(tmp_path, shipped_guide, signer, 6, issued=NOW - dt.timedelta(days=400), days=30)
    elif kind == "wrong-key":
        bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
        trusted = [load_public_key(generate_keys(tmp_path / "other", "x")[1])]
    else:
        bundle = make_bundle(tmp_path, shipped_guide, signer, 6)
        database = next(bundle.glob("*.sqlite"))
        data = bytearray(database.read_bytes())
        if kind == "flipped":
            data[1000] ^= 1
        elif kind == "extra":
            data += b"\0"
        else:
            data = data[:-4096]
        database.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=reason):
        apply_bundle(bundle, trusted, now=NOW)
    assert snapshot() == before and installed_version() == 5
    assert load_state().attempts[-1].result == "refused"


def test_expiry_is_judged_against_the_newest_issue_time_seen(tmp_path, shipped_guide, signer):
    apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 2, issued=NOW), [signer[1]], now=NOW)
    # Expired 3 hours before the newest issue time seen; the kiosk's clock lags 6 hours behind it.
    old_but_newer = make_bundle(tmp_path, shipped_guide, signer, 3, issued=NOW - dt.timedelta(days=30, hours=3),
                                days=30)  # fmt: skip
    with pytest.raises(BundleError, match="expired"):
        apply_bundle(old_but_newer, [signer[1]], now=NOW - dt.timedelta(hours=6))
    with pytest.raises(BundleError, match="later than this kiosk's clock"):  # a clock far in the past: refused too
        apply_bundle(old_but_newer, [signer[1]], now=dt.datetime(1999, 1, 1, tzinfo=dt.UTC))
    assert installed_version() == 2


def test_clock_far_in_the_future_refuses_a_valid_bundle(tmp_path, shipped_guide, signer):
    with pytest.raises(BundleError, match="expired"):
        apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 2), [signer[1]], now=NOW.replace(year=2040))
    assert installed_version() is None


def resign(bundle, signer, database_bytes: bytes | None = None, **changes):
    """Replace the bundle's database and/or manifest fields, and sign it again with the trusted key."""
    from kiosk.updates.bundle import load_private_key

    database = next(bundle.glob("*.sqlite"))
    if database_bytes is not None:
        database.write_bytes(database_bytes)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["database"]["sha256"] = hashlib.sha256(database.read_bytes()).hexdigest()
    manifest["database"]["length"] = database.stat().st_size
    manifest.update(changes)
    data = json.dumps(manifest).encode()
    (bundle / "manifest.json").write_bytes(data)
    (bundle / "manifest.sig").write_bytes(load_private_key(signer[0]).sign(data))


def _other_schema(bundle) -> bytes:
    database = next(bundle.glob("*.sqlite"))
    conn = sqlite3.connect(database)
    conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    return database.read_bytes()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("wrong-schema", "schema"),
        ("not-sqlite", "not a usable guide"),
        ("database-of-the-version-before", "version differs"),
        ("other-product", "this kiosk takes"),
    ],
)
def test_validly_signed_payloads_that_are_not_the_right_guide(tmp_path, shipped_guide, signer, kind, reason):
    previous = make_bundle(tmp_path, shipped_guide, signer, 2)
    apply_bundle(previous, [signer[1]], now=NOW)
    before = snapshot()
    bundle = make_bundle(tmp_path, shipped_guide, signer, 3)
    if kind == "wrong-schema":
        resign(bundle, signer, _other_schema(bundle))
    elif kind == "not-sqlite":
        resign(bundle, signer, b"SQLite format 3\x00" + b"\x00" * 4096)
    elif kind == "database-of-the-version-before":
        resign(bundle, signer, next(previous.glob("*.sqlite")).read_bytes())
    else:
        resign(bundle, signer, product="another-product")
    with pytest.raises(BundleError, match=reason):
        apply_bundle(bundle, [signer[1]], now=NOW)
    assert snapshot() == before and installed_version() == 2


def test_killed_at_random_moments_the_pointer_always_names_a_good_guide(tmp_path, shipped_guide, signer, data_dir):
    rng = random.Random(11)
    bundles = {}
    highest = 0
    for loop in range(200):
        version = highest + 1
        if version not in bundles:
            bundles[version] = make_bundle(tmp_path, shipped_guide, signer, version + 1, issued=dt.datetime.now(dt.UTC))
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "update", "apply", "--from",
             str(bundles[version]), "--trust", str(signer[2])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = guides.pointed(guides.POINTER)
        if current is not None:
            conn = sqlite3.connect(f"{current.resolve().as_uri()}?mode=ro", uri=True)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"loop {loop}"
            conn.close()
            now_installed = installed_version()
            assert now_installed is not None and now_installed >= highest, f"loop {loop}: went back"
            highest = now_installed - 1  # bundle versions are offset by one
    assert highest >= 1, "some installs completed"


class _Failing:
    """A file that fails with ``error`` once ``limit`` bytes have passed through it (a pulled stick, a full disk)."""

    def __init__(self, real, limit: int, error: int) -> None:
        self.real, self.limit, self.error, self.count = real, limit, error, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()
        return False

    def _tick(self, n: int) -> None:
        self.count += n
        if self.count > self.limit:
            raise OSError(self.error, os.strerror(self.error))

    def read(self, size: int = -1) -> bytes:
        data = self.real.read(size)
        self._tick(len(data))
        return data

    def write(self, data: bytes) -> int:
        self._tick(len(data))
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize(("side", "error", "reason"), [("rb", errno.EIO, "Input/output error"),
                                                        ("wb", errno.ENOSPC, "No space left")])  # fmt: skip
def test_stick_pulled_or_disk_full_at_a_random_offset_changes_nothing(tmp_path, shipped_guide, signer, monkeypatch,
                                                                      side, error, reason):  # fmt: skip
    apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 2), [signer[1]], now=NOW)
    before = snapshot()
    bundle = make_bundle(tmp_path, shipped_guide, signer, 3)
    size = next(bundle.glob("*.sqlite")).stat().st_size
    real_open, real_source = install._open, install._open_source
    for offset in random.Random(5).sample(range(size), 5):

        def failing_open(path, mode, offset=offset):
            handle = real_open(path, mode)
            return _Failing(handle, offset, error) if mode == side else handle

        def failing_source(folder, name, offset=offset):
            handle = real_source(folder, name)
            return _Failing(handle, offset, error) if side == "rb" else handle

        monkeypatch.setattr(install, "_open", failing_open)
        monkeypatch.setattr(install, "_open_source", failing_source)
        with pytest.raises(BundleError, match=reason):
            apply_bundle(bundle, [signer[1]], now=NOW)
        assert snapshot() == before, f"offset {offset}"
        assert installed_version() == 2
        assert load_state().attempts[-1].result == "failed"
    monkeypatch.setattr(install, "_open", real_open)  # the stick back in, space freed: it installs
    monkeypatch.setattr(install, "_open_source", real_source)
    assert apply_bundle(bundle, [signer[1]], now=NOW)[0] == "installed"


def test_disk_full_while_switching_the_pointer_keeps_the_old_guide(tmp_path, shipped_guide, signer, monkeypatch):
    apply_bundle(make_bundle(tmp_path, shipped_guide, signer, 2), [signer[1]], now=NOW)
    bundle = make_bundle(tmp_path, shipped_guide, signer, 3)
    real = install.write_atomically

    def full(path, data):
        if path.name == guides.POINTER:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(install, "write_atomically", full)
    with pytest.raises(BundleError, match="No space left"):
        apply_bundle(bundle, [signer[1]], now=NOW)
    assert installed_version() == 2
    assert guides.open_best().content_version == 2
    assert [p.name for p in paths.guides_dir().glob("guide-3-*")] == []  # no orphan left on a full disk
