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

A new PIN is refused, with the rule it breaks, if it is easy to guess (``weakness``): all the same digit, a
run (1234, 8901, 4321), a repeated pattern (1212, 123123, 1122, 112233), a line of neighbouring keys on a
phone/PIN pad or a computer's number pad with at most one bend (2580, 1470, 3690, 1590, 7410, 1478) or the
four corners (1379), digits in equal steps (2468, 1357), and, for 4 digits, a year 1940-2039 or a day and
month (DDMM or MMDD: DataGenetics found birthdays among the most used PINs; this refuses ~6% of 4-digit
PINs), or one of the most common PINs in published studies. Dates and years of longer PINs are not refused:
among 6 digits they are too many to guess before the lock-out has cost weeks. Together the rules refuse about
one 4-digit PIN in ten; a 6-digit PIN is the better choice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
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
    """A PIN that cannot be set (too short, not digits, easy to guess) or a PIN file that cannot be used."""


class PinBusy(PinError):
    """The PIN's lock was not free in time: nothing was checked or changed."""


@dataclass(frozen=True)
class PinResult:
    ok: bool
    reason: str = ""  # "", "wrong", "locked", "no-pin"
    attempts_left: int = 0
    locked_until: float = 0.0  # epoch seconds


# --- easy-to-guess PINs ---------------------------------------------------------------------------------------
# The 20 most used 4-digit PINs in DataGenetics' analysis of 3.4 million (Nick Berry, "PIN analysis", 2012),
# and 6-digit ones that lead lists of leaked PINs. Most also break a rule below, and that rule is named.
COMMON_PINS = frozenset({
    "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969", "9999", "3333", "5555", "6666",
    "1122", "1313", "8888", "4321", "2001", "1010",
    "123456", "654321", "111111", "000000", "123123", "666666", "121212", "112233", "789456", "159753",
})  # fmt: skip
_PHONE_PAD = ("123", "456", "789", " 0 ")  # the kiosk's own pad, phones, card terminals
_NUMBER_PAD = ("789", "456", "123", "0  ")  # a computer keyboard's, where `staff set-pin` is typed
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _keys(rows: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    return {key: (x, y) for y, row in enumerate(rows) for x, key in enumerate(row) if key != " "}


_KEYPADS = (_keys(_PHONE_PAD), _keys(_NUMBER_PAD))


def _steps(pin: str) -> set[int]:
    return {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}


def _is_run(pin: str) -> bool:
    return _steps(pin) in ({1}, {9})


def _is_stepped(pin: str) -> bool:
    return len(_steps(pin)) == 1


def _is_repeated(pin: str) -> bool:
    """A block said again (1212, 123123), or each digit said as often as the others (1122, 112233)."""
    n = len(pin)
    if any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1)):
        return True
    groups = {len(list(group)) for _, group in itertools.groupby(pin)}
    return len(groups) == 1 and groups != {1}


def _is_keypad_walk(pin: str, keypad: dict[str, tuple[int, int]]) -> bool:
    moves = [(keypad[b][0] - keypad[a][0], keypad[b][1] - keypad[a][1]) for a, b in itertools.pairwise(pin)]
    if any(max(abs(dx), abs(dy)) != 1 for dx, dy in moves):
        return False  # not from key to neighbouring key
    return sum(move != after for move, after in itertools.pairwise(moves)) <= 1


def _is_keypad_line(pin: str) -> bool:
    return sorted(pin) == list("1379") or any(_is_keypad_walk(pin, keypad) for keypad in _KEYPADS)


def _is_year(pin: str) -> bool:
    return len(pin) == 4 and 1940 <= int(pin) <= 2039


def _is_day_month(day: str, month: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= _DAYS_IN_MONTH[int(month) - 1]


def _is_date(pin: str) -> bool:
    return len(pin) == 4 and (_is_day_month(pin[:2], pin[2:]) or _is_day_month(pin[2:], pin[:2]))


# In order: the first rule a PIN breaks is the one named.
WEAK_RULES: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda pin: len(set(pin)) == 1, "all the same digit"),
    (_is_run, "a run of digits like 1234"),
    (_is_repeated, "a repeated pattern like 1212 or 1122"),
    (_is_keypad_line, "a line on the keypad like 2580"),
    (_is_stepped, "digits in equal steps like 2468"),
    (_is_year, "a year"),
    (_is_date, "a date (day and month)"),
    (COMMON_PINS.__contains__, "one of the most common PINs"),
)


def weakness(pin: str) -> str | None:
    """The rule that makes a well-formed PIN easy to guess, in plain words, or None."""
    return next((reason for broken, reason in WEAK_RULES if broken(pin)), None)


def validate(pin: str) -> str:
    """Return ``pin`` if it may be the staff PIN; else raise PinError saying why."""
    if not pin.isascii() or not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise PinError(f"a staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    reason = weakness(pin)
    if reason:
        raise PinError(f"this PIN is too easy to guess: {reason}")
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
