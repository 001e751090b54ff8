"""Maintenance: when staff exit the kiosk, it stays off until someone ends maintenance or the machine restarts.

A supervisor that restarts the kiosk after a crash (systemd's ``Restart=always``) asks first:
``wegwijzer maintenance check`` exits 1 while maintenance is on, so the kiosk is not started again (systemd's
``ExecCondition=``). The marker ``<data dir>/maintenance`` records the boot it belongs to: after a reboot or a
power cut the kiosk comes back by itself.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kiosk import paths

MARKER = "maintenance"
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def _marker() -> Path:
    return paths.data_dir() / MARKER


def _boot_id() -> str:
    try:
        return BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""  # not Linux: the marker holds until it is ended


def begin(reason: str = "exited from staff mode") -> None:
    _marker().parent.mkdir(parents=True, exist_ok=True)
    data = {"since": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "boot": _boot_id(), "reason": reason}
    _marker().write_text(json.dumps(data), encoding="utf-8")


def active() -> bool:
    try:
        data = json.loads(_marker().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return False  # an unreadable marker never keeps a kiosk off
    return isinstance(data, dict) and data.get("boot", "") == _boot_id()


def end() -> bool:
    """End maintenance; True if it was on."""
    was = active()
    _marker().unlink(missing_ok=True)
    return was
