"""Installing a signed guide bundle into the data directory: verified, atomic, never backwards.

Order (issue #5): size-capped manifest read -> signature -> product/channel -> version higher than the
highest ever installed -> expiry, judged against the later of the clock and the newest issue time seen ->
copy the database into the data directory while hashing, stopping at the declared length -> check the copy's
length and SHA-256 -> SQLite integrity and schema check on the copy -> switch the ``current`` pointer file
atomically (the commit point). The previous guide is kept. One install at a time (a lock file); leftovers of an
interrupted install are removed by the next one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, cast

import filelock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk import guides, paths
from kiosk.content.schema import SCHEMA_VERSION
from kiosk.updates.bundle import PRODUCT, BundleError, Manifest, read_signed_manifest

STATE = "state.json"
LOCK = ".install.lock"
INCOMING = guides.INCOMING
KEEP_ATTEMPTS = 20


@dataclass
class Attempt:
    when: str
    source: str
    version: int | None
    result: str  # installed, same, refused, failed
    reason: str


@dataclass
class State:
    highest_version: int = 0
    newest_issued: str = ""
    attempts: list[Attempt] | None = None


def _state_path() -> Path:
    return paths.guides_dir() / STATE


def load_state() -> State:
    try:
        raw = json.loads(_state_path().read_text(encoding="utf-8"))
        attempts = [Attempt(**a) for a in raw.get("attempts", [])][-KEEP_ATTEMPTS:]
        state = State(int(raw.get("highest_version", 0)), str(raw.get("newest_issued", "")), attempts)
    except (OSError, ValueError, TypeError):
        state = State(attempts=[])
    # The pointer is the commit point: a guide it names counts as installed even if the state file lags.
    state.highest_version = max(state.highest_version, installed_version() or 0)
    return state


def _save_state(state: State) -> None:
    data = {"highest_version": state.highest_version, "newest_issued": state.newest_issued,
            "attempts": [asdict(a) for a in (state.attempts or [])][-KEEP_ATTEMPTS:]}  # fmt: skip
    _write_atomically(_state_path(), json.dumps(data, indent=2).encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def installed_version() -> int | None:
    """The content version of the guide the ``current`` pointer names, if it opens."""
    path = guides.pointed(guides.POINTER)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()
        finally:
            conn.close()
        return int(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None


@contextlib.contextmanager
def exclusive(name: str, what: str) -> Iterator[None]:
    """Hold the lock file ``name`` in the guides folder, or raise BundleError at once if someone else does."""
    paths.guides_dir().mkdir(parents=True, exist_ok=True)
    try:
        with filelock.FileLock(paths.guides_dir() / name, timeout=0):
            yield
    except filelock.Timeout:
        raise BundleError(f"another {what} is running") from None


def _install_lock() -> contextlib.AbstractContextManager[None]:
    return exclusive(LOCK, "install")


def apply_bundle(folder: Path, trusted: list[Ed25519PublicKey], channel: str = "stable",
                 now: dt.datetime | None = None, source: str | None = None) -> tuple[str, Manifest | None]:  # fmt: skip
    """Install the bundle in ``folder``; return ("installed" | "same", manifest). Raises BundleError.

    ``source`` names where the bundle came from in the recorded attempt (default: the folder)."""
    label = source or str(folder)
    with _install_lock():
        guides.clean_leftovers()
        state = load_state()
        manifest: Manifest | None = None
        try:
            manifest = read_signed_manifest(folder, trusted)
            outcome = _install(folder, manifest, state, channel, now or dt.datetime.now(dt.UTC))
        except BundleError as exc:
            _record(state, label, manifest, "refused", str(exc))
            raise
        except OSError as exc:
            reason = f"the install failed and nothing changed: {exc.strerror or exc}"
            _record(state, label, manifest, "failed", reason)
            raise BundleError(reason) from exc
        _record(state, label, manifest, outcome, "")
        return outcome, manifest


def record_attempt(source: str, version: int | None, result: str, reason: str) -> None:
    """Note an attempt that never reached the install (e.g. a failed download) for ``update status``."""
    with contextlib.suppress(BundleError), _install_lock():
        _record(load_state(), source, version, result, reason)


def _record(state: State, source: str, manifest: Manifest | int | None, result: str, reason: str) -> None:
    """Add an attempt (the manifest, or just its version) to the state; a state that cannot be written is
    not worth failing for."""
    version = manifest.content_version if isinstance(manifest, Manifest) else manifest
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    state.attempts = [*(state.attempts or []), Attempt(when, source, version, result, reason)][-KEEP_ATTEMPTS:]
    with contextlib.suppress(OSError):
        _save_state(state)


def _newest_issued(state: State) -> dt.datetime | None:
    return dt.datetime.fromisoformat(state.newest_issued) if state.newest_issued else None


def judge(m: Manifest, channel: str = "stable", now: dt.datetime | None = None,
          state: State | None = None) -> str | None:  # fmt: skip
    """Whether a signed manifest may be installed, before any database byte is read or downloaded.

    Returns "same" when exactly this version is installed already, None when it may be installed; raises
    BundleError (another product or channel, not newer than the highest ever installed, expired)."""
    state = state or load_state()
    now = now or dt.datetime.now(dt.UTC)
    if m.product != PRODUCT or m.channel != channel:
        raise BundleError(f"bundle is for {m.product}/{m.channel}, this kiosk takes {PRODUCT}/{channel}")
    if m.content_version == state.highest_version and installed_version() == m.content_version:
        return "same"
    if m.content_version <= state.highest_version:
        raise BundleError(f"version {m.content_version} is not newer than {state.highest_version}: never go back")
    newest = _newest_issued(state)
    reference = max(now, newest) if newest else now
    if m.expires <= reference:
        raise BundleError(f"the bundle expired on {m.expires.isoformat()}")
    return None


def _install(folder: Path, m: Manifest, state: State, channel: str, now: dt.datetime) -> str:
    if judge(m, channel, now, state) == "same":
        return "same"
    newest = _newest_issued(state)
    target = paths.guides_dir() / f"guide-{m.content_version}-{m.database_sha256[:12]}.sqlite"
    incoming = paths.guides_dir() / f"{INCOMING}{os.getpid()}.sqlite"
    try:
        _copy_hashed(folder / m.database_name, incoming, m)
        _check_database(incoming, m)
        os.replace(incoming, target)
    finally:
        incoming.unlink(missing_ok=True)
    previous = guides.pointed(guides.POINTER)
    if previous is not None and previous.is_file() and previous != target:
        _write_atomically(paths.guides_dir() / guides.PREVIOUS, previous.name.encode())
    try:
        _write_atomically(paths.guides_dir() / guides.POINTER, target.name.encode())  # the commit point
    except OSError:
        if guides.pointed(guides.POINTER) != target:  # not committed: the new file is of no use
            target.unlink(missing_ok=True)
        raise
    state.highest_version = m.content_version
    if newest is None or m.issued > newest:
        state.newest_issued = m.issued.isoformat()
    _prune(keep={target.name, previous.name if previous else ""})
    return "installed"


def _open(path: Path, mode: str) -> BinaryIO:
    """Opens the files an install copies (a seam for tests of a pulled stick and a full disk)."""
    return cast(BinaryIO, open(path, mode))


def _copy_hashed(source: Path, target: Path, m: Manifest) -> None:
    """Copy at most the declared length (+1 byte to notice more), hashing what is written."""
    if source.is_symlink() or not source.is_file():
        raise BundleError(f"the database {m.database_name} is missing")
    digest, written = hashlib.sha256(), 0
    with _open(source, "rb") as src, _open(target, "wb") as dst:
        while written <= m.database_length:
            chunk = src.read(min(1 << 20, m.database_length + 1 - written))
            if not chunk:
                break
            digest.update(chunk)
            dst.write(chunk)
            written += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    if written != m.database_length:
        raise BundleError(f"the database has {'more' if written > m.database_length else 'fewer'} bytes than declared")
    if digest.hexdigest() != m.database_sha256:
        raise BundleError("the copied database's SHA-256 does not match the manifest")


def _check_database(path: Path, m: Manifest) -> None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BundleError("the database fails SQLite's integrity check")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BundleError(f"the database is not a usable guide: {exc}") from exc
    if int(meta.get("schema_version", "0")) != m.schema_version or m.schema_version > SCHEMA_VERSION:
        raise BundleError(f"the guide needs schema {meta.get('schema_version')}; this kiosk reads {SCHEMA_VERSION}")
    if int(meta.get("content_version", "0")) != m.content_version:
        raise BundleError("the database's version differs from the manifest's")


def _prune(keep: set[str]) -> None:
    for path in paths.guides_dir().glob("guide-*.sqlite"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def status() -> dict[str, object]:
    state = load_state()
    return {
        "installed_version": installed_version(),
        "in_use": str(guides.active_guide_path()),
        "highest_version": state.highest_version,
        "attempts": [asdict(a) for a in state.attempts or []],
    }
