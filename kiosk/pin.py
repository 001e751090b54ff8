"""The staff PIN: stored only as a salted scrypt hash, with a lock-out after repeated wrong guesses.

``<data dir>/staff-pin.json`` holds the salt, the hash and the scrypt parameters, plus the count of wrong PINs
in a row and the time until which entry is locked (so a restart does not lift a lock-out). The PIN itself is
never written anywhere. Checking takes tens of milliseconds by design (scrypt): the kiosk does it off the GUI
thread.

One check at a time: a check holds a threading lock and the lock file ``staff-pin.lock`` (other processes)
from reading the count to writing it, and counts the attempt *before* the slow comparison (a right PIN then
clears it). So N wrong PINs checked at once count N, entry locks after MAX_FAILURES of them whoever checks,
and ending a process in the middle of a check cannot save a guess. A lock not free within LOCK_TIMEOUT_S
refuses the check (PinBusy); it never lets one through unchecked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import filelock

from kiosk import paths

PIN_FILE = "staff-pin.json"
LOCK_FILE = "staff-pin.lock"
LOCK_TIMEOUT_S = 5.0
MAX_FAILURES = 5
LOCKOUT_S = 5 * 60
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 12

_thread_lock = threading.Lock()


class PinError(ValueError):
    """A PIN that cannot be set (too short, not digits) or a PIN file that cannot be used."""


class PinBusy(PinError):
    """The PIN's lock was not free in time: nothing was checked or changed."""


@dataclass(frozen=True)
class PinResult:
    ok: bool
    reason: str = ""  # "", "wrong", "locked", "no-pin"
    attempts_left: int = 0
    locked_until: float = 0.0  # epoch seconds


def validate(pin: str) -> str:
    if not pin.isascii() or not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise PinError(f"a staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise PinError("this PIN is too easy to guess (all the same digit or a run of digits)")
    return pin


# --- the PIN file -----------------------------------------------------------------------------------------------
def _path() -> Path:
    return paths.data_dir() / PIN_FILE


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Hold the PIN against other threads and processes, or raise PinBusy after LOCK_TIMEOUT_S."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    busy = f"the staff PIN is busy (another check held it for over {LOCK_TIMEOUT_S:g} s); try again"
    if not _thread_lock.acquire(timeout=LOCK_TIMEOUT_S):
        raise PinBusy(busy)
    try:
        _path().parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(_path().with_name(LOCK_FILE), mode=0o600)
        try:
            lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        except filelock.Timeout:
            raise PinBusy(busy) from None
        try:
            yield
        finally:
            lock.release()
    finally:
        _thread_lock.release()


def _read() -> dict[str, object] | None:
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise PinError(f"{_path()} cannot be read: {exc}") from exc
    if not isinstance(raw, dict) or not {"salt", "hash", "n", "r", "p"} <= raw.keys():
        raise PinError(f"{_path()} is not a staff PIN file")
    return raw


def _number(data: dict[str, object], key: str) -> int | float:
    value = data.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PinError(f"{_path()} is damaged: {key} is not a number")
    return value


def _write(data: dict[str, object]) -> None:
    """Replace the PIN file atomically (mode 0600), durably: a counted attempt survives a power cut."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if os.name == "posix":
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def set_pin(pin: str) -> None:
    """Store a new PIN (as a salted scrypt hash); clears any lock-out. Raises PinError for a weak PIN."""
    validate(pin)
    salt = os.urandom(16)
    digest = _hash(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    with _locked():  # not between a check's reading and writing the count
        _write({"salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(digest).decode(),
                "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "failures": 0, "locked_until": 0})  # fmt: skip


def has_pin() -> bool:
    try:
        return _read() is not None
    except PinError:
        return False


def check_pin(pin: str, now: float | None = None) -> PinResult:
    """Compare ``pin`` with the stored hash; counts wrong PINs and locks entry after MAX_FAILURES of them.

    Raises PinError if the PIN file is damaged, PinBusy if the check could not take its turn in time.
    """
    now = time.time() if now is None else now
    with _locked():
        data = _read()
        if data is None:
            return PinResult(False, "no-pin")
        locked_until = float(_number(data, "locked_until"))
        if now < locked_until:
            return PinResult(False, "locked", 0, locked_until)
        try:
            salt = base64.b64decode(str(data["salt"]), validate=True)
            expected = base64.b64decode(str(data["hash"]), validate=True)
        except ValueError as exc:
            raise PinError(f"{_path()} is damaged: {exc}") from exc
        n, r, p = (int(_number(data, key)) for key in ("n", "r", "p"))
        failures = int(_number(data, "failures")) + 1
        if failures >= MAX_FAILURES:
            _write({**data, "failures": 0, "locked_until": now + LOCKOUT_S})
        else:
            _write({**data, "failures": failures})
        try:
            digest = _hash(pin, salt, n, r, p)
        except ValueError as exc:
            raise PinError(f"{_path()} is damaged: {exc}") from exc
        if hmac.compare_digest(digest, expected):
            _write({**data, "failures": 0, "locked_until": 0})
            return PinResult(True)
        if failures >= MAX_FAILURES:
            return PinResult(False, "locked", 0, now + LOCKOUT_S)
        return PinResult(False, "wrong", MAX_FAILURES - failures)
