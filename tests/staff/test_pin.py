"""The staff PIN: a salted slow hash, never the PIN; five wrong PINs lock entry for minutes, across restarts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kiosk import paths
from kiosk.cli import main
from kiosk.pin import LOCKOUT_S, MAX_FAILURES, PIN_FILE, PinError, check_pin, has_pin, set_pin


def test_the_hash_is_not_the_pin_and_is_salted():
    set_pin("2580")
    first = (paths.data_dir() / PIN_FILE).read_text()
    assert "2580" not in first
    assert (paths.data_dir() / PIN_FILE).stat().st_mode & 0o077 == 0
    set_pin("2580")
    assert json.loads((paths.data_dir() / PIN_FILE).read_text())["hash"] != json.loads(first)["hash"]


def test_the_right_pin_opens():
    set_pin("2580")
    assert check_pin("2580").ok


def test_five_wrong_pins_lock_even_the_right_one_until_the_lock_out_ends():
    set_pin("2580")
    now = 1_000_000.0
    for attempt in range(MAX_FAILURES - 1):
        result = check_pin("1111", now)
        assert (result.ok, result.reason, result.attempts_left) == (False, "wrong", MAX_FAILURES - attempt - 1)
    locked = check_pin("1111", now)
    assert (locked.reason, locked.locked_until) == ("locked", now + LOCKOUT_S)
    assert check_pin("2580", now + 10).reason == "locked"  # even the right PIN
    assert check_pin("2580", now + LOCKOUT_S + 1).ok


def test_a_right_pin_resets_the_count_of_wrong_ones():
    set_pin("2580")
    for _ in range(MAX_FAILURES - 1):
        check_pin("0000", 1.0)
    assert check_pin("2580", 2.0).ok
    assert check_pin("0000", 3.0).attempts_left == MAX_FAILURES - 1


def test_no_pin_means_no_staff_mode():
    assert not has_pin()
    assert check_pin("2580").reason == "no-pin"


@pytest.mark.parametrize("pin", ["12", "abcd", "1111", "1234", "9876", "١٢٣٤٥"])
def test_weak_or_malformed_pins_are_refused(pin):
    with pytest.raises(PinError):
        set_pin(pin)
    assert not has_pin()


def test_cli_set_pin():
    result = CliRunner().invoke(main, ["staff", "set-pin"], input="2580\n2580\n")
    assert result.exit_code == 0, result.output
    assert check_pin("2580").ok
    result = CliRunner().invoke(main, ["staff", "set-pin", "--pin-stdin"], input="12\n")
    assert result.exit_code == 1 and "4 to 12 digits" in result.output
