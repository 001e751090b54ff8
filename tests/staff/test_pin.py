"""The staff PIN: a salted slow hash, never the PIN; five wrong PINs lock entry for minutes, across restarts and
however many checks run at once; an easy-to-guess PIN is refused with the rule it breaks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import filelock
import pytest
from click.testing import CliRunner

from kiosk import paths, pin
from kiosk.cli import main
from kiosk.pin import (
    LOCK_FILE,
    LOCKOUT_S,
    MAX_FAILURES,
    PIN_FILE,
    PinBusy,
    PinError,
    PinResult,
    check_pin,
    has_pin,
    set_pin,
)

PIN = "5827"
ROOT = Path(__file__).resolve().parents[2]


def stored() -> dict[str, object]:
    return json.loads((paths.data_dir() / PIN_FILE).read_text())


def test_the_hash_is_not_the_pin_and_is_salted():
    set_pin(PIN)
    first = (paths.data_dir() / PIN_FILE).read_text()
    assert PIN not in first
    for name in (PIN_FILE, LOCK_FILE):
        assert (paths.data_dir() / name).stat().st_mode & 0o077 == 0, name
    set_pin(PIN)
    assert stored()["hash"] != json.loads(first)["hash"]


def test_the_right_pin_opens():
    set_pin(PIN)
    assert check_pin(PIN).ok


def test_five_wrong_pins_lock_even_the_right_one_until_the_lock_out_ends():
    set_pin(PIN)
    now = 1_000_000.0
    for attempt in range(MAX_FAILURES - 1):
        result = check_pin("1111", now)
        assert (result.ok, result.reason, result.attempts_left) == (False, "wrong", MAX_FAILURES - attempt - 1)
    locked = check_pin("1111", now)
    assert (locked.reason, locked.locked_until) == ("locked", now + LOCKOUT_S)
    assert check_pin(PIN, now + 10).reason == "locked"  # even the right PIN
    assert check_pin(PIN, now + LOCKOUT_S + 1).ok


def test_a_right_pin_resets_the_count_of_wrong_ones():
    set_pin(PIN)
    for _ in range(MAX_FAILURES - 1):
        check_pin("0000", 1.0)
    assert check_pin(PIN, 2.0).ok
    assert check_pin("0000", 3.0).attempts_left == MAX_FAILURES - 1


def test_no_pin_means_no_staff_mode():
    assert not has_pin()
    assert check_pin(PIN).reason == "no-pin"


# --- checks at the same time -----------------------------------------------------------------------------------
def check_at_once(pins: list[str], now: float) -> list[PinResult]:
    """Check every PIN in its own thread, all released together."""
    start = threading.Barrier(len(pins))
    results: list[PinResult | Exception] = [RuntimeError("not run")] * len(pins)

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = check_pin(pins[index], now)
        except Exception as exc:  # reported by the assertion below
            results[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(pins))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, PinResult) for result in results), results
    return results  # type: ignore[return-value]


def assert_locked_after_exactly_max_failures(results: list[PinResult], now: float) -> None:
    """Each wrong PIN counted once: MAX_FAILURES - 1 told how many tries are left, the rest found entry locked."""
    wrong = sorted(r.attempts_left for r in results if r.reason == "wrong")
    assert wrong == list(range(1, MAX_FAILURES))
    assert all(r.reason == "locked" and r.locked_until == now + LOCKOUT_S for r in results if r.reason != "wrong")
    assert (stored()["failures"], stored()["locked_until"]) == (0, now + LOCKOUT_S)
    assert check_pin(PIN, now + 1).reason == "locked"


def test_forty_wrong_pins_at_once_from_threads_lock_entry():
    set_pin(PIN)
    now = 1_000_000.0
    assert_locked_after_exactly_max_failures(check_at_once(["1357"] * 40, now), now)


def test_forty_wrong_pins_at_once_from_processes_lock_entry():
    """Eight processes, five wrong PINs each, all started together (the threading lock alone cannot hold this)."""
    set_pin(PIN)
    now = 1_000_000.0
    go = paths.data_dir() / "go"
    script = (
        "import json, pathlib, sys, time\n"
        "from kiosk.pin import check_pin\n"
        "print('ready', flush=True)\n"
        "go = pathlib.Path(sys.argv[1])\n"
        "while not go.exists(): time.sleep(0.001)\n"
        "results = [check_pin('1357', float(sys.argv[2])) for _ in range(5)]\n"
        "print(json.dumps([[r.reason, r.attempts_left, r.locked_until] for r in results]))\n"
    )
    command = [sys.executable, "-c", script, str(go), str(now)]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(8)]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [process.communicate(timeout=60)[0] for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert all(process.returncode == 0 for process in processes)
    results = [PinResult(False, *row) for output in outputs for row in json.loads(output)]
    assert len(results) == 40
    assert_locked_after_exactly_max_failures(results, now)


def test_the_right_pin_opens_among_wrong_ones_checked_at_once_below_the_limit():
    set_pin(PIN)
    results = check_at_once(["1357"] * (MAX_FAILURES - 1) + [PIN], 5.0)
    assert results[-1].ok
    assert sorted(r.reason for r in results[:-1]) == ["wrong"] * (MAX_FAILURES - 1)
    assert check_pin(PIN, 6.0).ok and stored()["failures"] == 0


def test_a_check_that_cannot_take_the_lock_in_time_is_refused_not_let_through(monkeypatch):
    set_pin(PIN)
    monkeypatch.setattr(pin, "LOCK_TIMEOUT_S", 0.2)
    before = stored()
    with filelock.FileLock(paths.data_dir() / LOCK_FILE):  # as another process holding it would
        with pytest.raises(PinBusy, match=r"busy.*try again"):
            check_pin(PIN)
        with pytest.raises(PinBusy):
            set_pin("904613")
    assert stored() == before
    assert check_pin(PIN).ok  # free again


# --- easy-to-guess PINs ----------------------------------------------------------------------------------------
WEAK = {
    "all the same digit": ["1111", "0000", "99999999"],
    "a run of digits like 1234": ["1234", "4321", "0123", "9876", "8901", "123456789", "654321"],
    "a repeated pattern like 1212": ["1212", "123123", "112233", "1122", "4747", "385385", "6969", "1010"],
    "a line on the keypad": ["2580", "0852", "1470", "1379", "1397", "7410", "3690", "1590", "1478", "1236"],
    "digits in equal steps like 2468": ["2468", "1357", "8642", "0369"],
    "a year": ["1940", "1972", "2000", "2039"],
    "a date (day and month)": ["2412", "1231", "0402", "2902", "1004"],
    "one of the most common PINs": ["159753", "789456"],
}


@pytest.mark.parametrize(("digits", "reason"), [(p, reason) for reason, pins in WEAK.items() for p in pins])
def test_an_easy_pin_is_refused_with_the_rule_it_breaks(digits, reason):
    with pytest.raises(PinError, match=re.escape(f"too easy to guess: {reason}")):
        set_pin(digits)
    assert not has_pin()


@pytest.mark.parametrize("digits", sorted(pin.COMMON_PINS))
def test_every_common_pin_is_refused(digits):
    with pytest.raises(PinError, match="too easy to guess"):
        pin.validate(digits)


@pytest.mark.parametrize("digits", ["12", "abcd", "١٢٣٤٥", "1234567890123", " 5827"])
def test_a_malformed_pin_is_refused(digits):
    with pytest.raises(PinError, match="4 to 12 digits"):
        set_pin(digits)


@pytest.mark.parametrize("digits", [PIN, "904613", "7394", "1939", "3241", "60831", "2749", "48150"])
def test_a_pin_that_breaks_no_rule_is_accepted(digits):
    assert pin.weakness(digits) is None
    assert pin.validate(digits) == digits


def test_cli_set_pin():
    result = CliRunner().invoke(main, ["staff", "set-pin"], input=f"{PIN}\n{PIN}\n")
    assert result.exit_code == 0, result.output
    assert check_pin(PIN).ok
    result = CliRunner().invoke(main, ["staff", "set-pin", "--pin-stdin"], input="12\n")
    assert result.exit_code == 1 and "4 to 12 digits" in result.output
    result = CliRunner().invoke(main, ["staff", "set-pin", "--pin-stdin"], input="2580\n")
    assert result.exit_code == 1 and "too easy to guess: a line on the keypad" in result.output
    assert check_pin(PIN).ok  # the old PIN stays
