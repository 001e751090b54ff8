"""The staff PIN: stored only as a salted scrypt hash, with a lock-out after repeated wrong guesses.

``<data dir>/staff-pin.json`` holds the salt, the hash and the scrypt parameters, plus the count of wrong PINs
in a row and the time until which entry is locked (so a restart does not lift a lock-out). The PIN itself is
never written anywhere. Checking takes tens of milliseconds by design (scrypt): the kiosk does it off the GUI
thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths

PIN_FILE = "staff-pin.json"
MAX_FAILURES = 5
LOCKOUT_S = 5 * 60
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 12


class PinError(ValueError):
    """A PIN that cannot be set (too short, not digits) or a PIN file that cannot be used."""


@dataclass(frozen=True)
class PinResult:
    ok: bool
    reason: str = ""  # "", "wrong", "locked", "no-pin"
    attempts_left: int = 0
    locked_until: float = 0.0  # epoch seconds


def _path() -> Path:
    return paths.data_dir() / PIN_FILE


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


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


def _write(data: dict[str, object]) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def validate(pin: str) -> str:
    if not pin.isascii() or not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise PinError(f"a staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise PinError("this PIN is too easy to guess (all the same digit or a run of digits)")
    return pin


def set_pin(pin: str) -> None:
    """Store a new PIN (as a salted scrypt hash); clears any lock-out."""
    validate(pin)
    salt = os.urandom(16)
    digest = _hash(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    _write({"salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(digest).decode(), "n": SCRYPT_N,
            "r": SCRYPT_R, "p": SCRYPT_P, "failures": 0, "locked_until": 0})  # fmt: skip


def has_pin() -> bool:
    try:
        return _read() is not None
    except PinError:
        return False


def check_pin(pin: str, now: float | None = None) -> PinResult:
    """Compare ``pin`` with the stored hash; counts wrong PINs and locks entry after MAX_FAILURES of them."""
    now = time.time() if now is None else now
    data = _read()
    if data is None:
        return PinResult(False, "no-pin")
    locked_until = float(data.get("locked_until", 0) or 0)  # type: ignore[arg-type]
    if now < locked_until:
        return PinResult(False, "locked", 0, locked_until)
    try:
        salt = base64.b64decode(str(data["salt"]))
        expected = base64.b64decode(str(data["hash"]))
        digest = _hash(pin, salt, int(data["n"]), int(data["r"]), int(data["p"]))  # type: ignore[call-overload]
    except (ValueError, TypeError) as exc:
        raise PinError(f"{_path()} is damaged: {exc}") from exc
    if hmac.compare_digest(digest, expected):
        if data.get("failures") or data.get("locked_until"):
            _write({**data, "failures": 0, "locked_until": 0})
        return PinResult(True)
    failures = int(data.get("failures", 0) or 0) + 1  # type: ignore[call-overload]
    if failures >= MAX_FAILURES:
        _write({**data, "failures": 0, "locked_until": now + LOCKOUT_S})
        return PinResult(False, "locked", 0, now + LOCKOUT_S)
    _write({**data, "failures": failures})
    return PinResult(False, "wrong", MAX_FAILURES - failures)
