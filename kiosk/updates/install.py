"""Installing a signed guide bundle into the data directory: verified, atomic, never backwards.

Order (issues #5, #12): size-capped manifest read -> signature (a test key only where allowed) -> strict
manifest (no duplicate keys, bounded numbers, expiry after issue) -> product/channel -> this kiosk's version is
at least ``min_app_version`` -> version higher than the highest ever installed -> issue time not in the future
(beyond :data:`FUTURE_TOLERANCE`) -> expiry, judged against the later of the clock and the newest issue time
seen -> room on the disk -> copy the database into the data directory while hashing, stopping at the declared
length -> check the copy's length and SHA-256 -> the guide checks on the copy (:mod:`kiosk.guidecheck`) ->
switch the ``current`` pointer file atomically (the commit point). The previous guide is kept. One install at
a time (a lock file); leftovers of an interrupted install are removed by the next one.

The newest issue time is remembered only from an installed bundle. One that lies in the future (a signer's clock
was wrong before issue #12 refused such bundles) is not used to judge expiry; the next correctly dated install
replaces it, so a fleet recovers with one correctly dated bundle.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, cast

import filelock

from kiosk import __version__, guides, paths
from kiosk.atomic import replace_file
from kiosk.content.schema import SCHEMA_VERSION
from kiosk.updates.bundle import PRODUCT, BundleError, Keys, Manifest, read_signed_manifest
from kiosk.updates.safefs import SafeDir, UnsafeFileError

STATE = "state.json"
LOCK = ".install.lock"
INCOMING = guides.INCOMING
KEEP_ATTEMPTS = 20
FUTURE_TOLERANCE = dt.timedelta(hours=12)  # clocks without network time drift; time zones get mixed up
SPARE_BYTES = 32 * 1024 * 1024  # left free on the disk after a copy (logs, usage figures, SQLite journals)


@dataclass
class Attempt:
    when: str
    source: str
    version: int | None
    result: str  # installed, same, refused, failed
    reason: str
    key: str = ""  # which trusted key signed it (when the signature was checked)


@dataclass
class State:
    highest_version: int = 0
    newest_issued: str = ""
    attempts: list[Attempt] | None = None


def _state_path() -> Path:
    return paths.guides_dir() / STATE


def load_state() -> State:
    state = State(attempts=[])
    try:
        raw = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        state.highest_version = max(0, int(str(raw.get("highest_version", 0))[:12]))
    newest = raw.get("newest_issued", "")
    with contextlib.suppress(TypeError, ValueError):
        state.newest_issued = dt.datetime.fromisoformat(newest).isoformat() if newest else ""
    fields = set(Attempt.__dataclass_fields__)
    for item in raw.get("attempts", []) if isinstance(raw.get("attempts"), list) else []:
        with contextlib.suppress(TypeError):
            state.attempts.append(Attempt(**{k: v for k, v in item.items() if k in fields}))  # type: ignore[union-attr]
    state.attempts = (state.attempts or [])[-KEEP_ATTEMPTS:]
    # The pointer is the commit point: a guide it names counts as installed even if the state file lags.
    state.highest_version = max(state.highest_version, installed_version() or 0)
    return state


def _save_state(state: State) -> None:
    data = {"highest_version": state.highest_version, "newest_issued": state.newest_issued,
            "attempts": [asdict(a) for a in (state.attempts or [])][-KEEP_ATTEMPTS:]}  # fmt: skip
    write_atomically(_state_path(), json.dumps(data, indent=2).encode("utf-8"))


def _inside_data_dir(path: Path) -> Path:
    """``path`` if its folder, links resolved, lies inside the data directory; else refuse to write there."""
    home = paths.data_dir().resolve()
    folder = path.parent.resolve()
    if folder != home and home not in folder.parents:
        raise BundleError(f"refusing to write {path}: its folder resolves to {folder}, outside {home}")
    return folder / path.name


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` (inside the data directory) with ``data``: a private temporary file, fsync, rename."""
    replace_file(_inside_data_dir(path), data)


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


def apply_bundle(folder: Path | SafeDir, trusted: Keys, channel: str = "stable", now: dt.datetime | None = None,
                 source: str | None = None, allow_test_keys: bool = False) -> tuple[str, Manifest | None]:  # fmt: skip
    """Install the bundle in ``folder``; return ("installed" | "same", manifest). Raises BundleError.

    ``source`` names where the bundle came from in the recorded attempt (default: the folder)."""
    label = source or str(folder.path if isinstance(folder, SafeDir) else folder)
    with _install_lock():
        guides.clean_leftovers()
        state = load_state()
        manifest: Manifest | None = None
        try:
            manifest = read_signed_manifest(folder, trusted, allow_test_keys)
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
    key = manifest.signed_by.label if isinstance(manifest, Manifest) and manifest.signed_by else ""
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    attempt = Attempt(when, redact(source), version, result, redact(reason)[:500], key)
    state.attempts = [*(state.attempts or []), attempt][-KEEP_ATTEMPTS:]
    with contextlib.suppress(OSError, BundleError):
        _save_state(state)


def redact(text: str) -> str:
    """``text`` with the password of any ``scheme://user:password@host`` address replaced by ``***``."""
    return _USERINFO.sub(lambda m: f"{m[1]}{m[2]}:***@", text)


_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)([^/@:\s]*):[^/@\s]*@")


def _newest_issued(state: State, now: dt.datetime) -> dt.datetime | None:
    """The newest issue time of an installed bundle, unless it lies in the future (a signer's wrong clock)."""
    if not state.newest_issued:
        return None
    newest = dt.datetime.fromisoformat(state.newest_issued)
    return None if newest > now + FUTURE_TOLERANCE else newest


def version_tuple(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:4]]
    return tuple(parts + [0] * (4 - len(parts)))


def judge(m: Manifest, channel: str = "stable", now: dt.datetime | None = None,
          state: State | None = None) -> str | None:  # fmt: skip
    """Whether a signed manifest may be installed, before any database byte is read or downloaded.

    Returns "same" when exactly this version is installed already, None when it may be installed; raises
    BundleError (another product or channel, a newer kiosk needed, not newer than the highest ever installed,
    issued in the future, expired)."""
    state = state or load_state()
    now = now or dt.datetime.now(dt.UTC)
    if m.product != PRODUCT or m.channel != channel:
        raise BundleError(f"bundle is for {m.product}/{m.channel}, this kiosk takes {PRODUCT}/{channel}")
    if version_tuple(m.min_app_version) > version_tuple(__version__):
        raise BundleError(f"the guide needs Wegwijzer {m.min_app_version} or newer; this kiosk runs {__version__}")
    if m.content_version == state.highest_version and installed_version() == m.content_version:
        return "same"
    if m.content_version <= state.highest_version:
        raise BundleError(f"version {m.content_version} is not newer than {state.highest_version}: never go back")
    if m.issued > now + FUTURE_TOLERANCE:
        raise BundleError(f"the bundle was issued on {m.issued.isoformat()}, later than this kiosk's clock "
                          f"({now.replace(microsecond=0).isoformat()}): check the clock of the signing computer "
                          f"(or of this kiosk) and sign again")  # fmt: skip
    newest = _newest_issued(state, now)
    reference = max(now, newest) if newest else now
    if m.expires <= reference:
        raise BundleError(f"the bundle expired on {m.expires.isoformat()}")
    return None


def _install(folder: Path | SafeDir, m: Manifest, state: State, channel: str, now: dt.datetime) -> str:
    if judge(m, channel, now, state) == "same":
        return "same"
    newest = _newest_issued(state, now)
    _check_room(m)
    target = paths.guides_dir() / f"guide-{m.content_version}-{m.database_sha256[:12]}.sqlite"
    incoming = paths.guides_dir() / f"{INCOMING}{os.getpid()}.sqlite"
    _inside_data_dir(incoming)
    try:
        _copy_hashed(folder, incoming, m)
        _check_database(incoming, m)
        os.replace(incoming, target)
    finally:
        incoming.unlink(missing_ok=True)
    previous = guides.pointed(guides.POINTER)
    if previous is not None and previous.is_file() and previous != target:
        write_atomically(paths.guides_dir() / guides.PREVIOUS, previous.name.encode())
    try:
        write_atomically(paths.guides_dir() / guides.POINTER, target.name.encode())  # the commit point
    except OSError:
        if guides.pointed(guides.POINTER) != target:  # not committed: the new file is of no use
            target.unlink(missing_ok=True)
        raise
    state.highest_version = m.content_version
    if newest is None or m.issued > newest:  # also replaces an issue time that lay in the future
        state.newest_issued = m.issued.isoformat()
    _prune(keep={target.name, previous.name if previous else ""})
    return "installed"


def _check_room(m: Manifest) -> None:
    """Refuse before copying when the disk cannot hold the guide (and a little more)."""
    try:
        free = shutil.disk_usage(paths.guides_dir()).free
    except OSError:
        return  # the copy itself will say what is wrong
    if free < m.database_length + SPARE_BYTES:
        raise BundleError(f"the disk is too full: the guide needs {m.database_length // 1_000_000 + 1} MB and "
                          f"{SPARE_BYTES // 1_000_000} MB to spare, {free // 1_000_000} MB are free")  # fmt: skip


def _open(path: Path, mode: str) -> BinaryIO:
    """Opens the file an install writes (a seam for tests of a full disk)."""
    return cast(BinaryIO, open(path, mode))


def _open_source(folder: Path | SafeDir, name: str) -> BinaryIO:
    """Opens the bundle's database: a regular file, never through a link (a seam for tests of a pulled stick)."""
    if isinstance(folder, SafeDir):
        return folder.open_file(name)
    with SafeDir.open(folder) as where:
        return where.open_file(name)


def _copy_hashed(folder: Path | SafeDir, target: Path, m: Manifest) -> None:
    """Copy at most the declared length (+1 byte to notice more), hashing what is written."""
    try:
        src = _open_source(folder, m.database_name)
    except UnsafeFileError as exc:
        raise BundleError(f"the database cannot be read: {exc.strerror or exc}") from None
    with src, _open(target, "wb") as dst:
        copy_declared(src, dst, m.database_length, m.database_sha256, "the copied database")


def copy_declared(src: BinaryIO, dst: BinaryIO, length: int, sha256: str, what: str) -> None:
    """Copy ``src`` into ``dst`` (synced to the disk), never more than ``length`` bytes (+1 to notice more);
    BundleError unless exactly ``length`` bytes with that SHA-256 came."""
    digest, written = hashlib.sha256(), 0
    while written <= length:
        chunk = src.read(min(1 << 20, length + 1 - written))
        if not chunk:
            break
        digest.update(chunk)
        dst.write(chunk[: length - written] if written + len(chunk) > length else chunk)
        written += len(chunk)
    dst.flush()
    os.fsync(dst.fileno())
    if written != length:
        raise BundleError(f"{what} has {'more' if written > length else 'fewer'} bytes than declared")
    if digest.hexdigest() != sha256:
        raise BundleError(f"{what}'s SHA-256 does not match the manifest")


def _check_database(path: Path, m: Manifest) -> None:
    from kiosk.guide import GuideError  # imported here: this function is install's one use of them
    from kiosk.guidecheck import check_deep

    try:  # structure, SQLite and FTS5 integrity, sizes, answer HTML, references (kiosk/guidecheck.py)
        meta = check_deep(path, "the database")
    except GuideError as exc:  # the reason names the table and row
        raise BundleError(str(exc)) from exc
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
    installed = next((a for a in reversed(state.attempts or []) if a.result == "installed"), None)
    return {
        "installed_version": installed_version(),
        "in_use": str(guides.active_guide_path()),
        "highest_version": state.highest_version,
        "newest_issued": state.newest_issued,
        "signed_by": installed.key if installed and installed.version == installed_version() else "",
        "attempts": [asdict(a) for a in state.attempts or []],
    }
