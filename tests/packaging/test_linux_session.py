"""The Linux kiosk session files: a unit systemd accepts as it is, restarting, unprivileged, on tty1 under cage."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
UNIT = LINUX / "wegwijzer-kiosk.service"


def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    return parser


def test_the_unit_restarts_the_kiosk_unprivileged_on_tty1_unless_in_maintenance():
    service = unit()["Service"]
    assert service["Restart"] == "always" and int(service["RestartSec"]) <= 5
    assert service["User"] not in ("root", "0")
    assert service["TTYPath"] == "/dev/tty1"
    assert service["ExecStart"].startswith("/usr/bin/cage ") and service["ExecStart"].endswith("wegwijzer run")
    assert service["ExecCondition"].endswith("wegwijzer maintenance check")
    assert "Environment=WEGWIJZER_DATA_DIR=/var/lib/wegwijzer" in UNIT.read_text().splitlines()
    assert unit()["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up restarting


@pytest.mark.skipif(not (shutil.which("systemd-analyze") and Path("/usr/bin/cage").exists()),
                    reason="needs systemd-analyze and cage")  # fmt: skip
def test_systemd_accepts_the_unit_without_a_single_warning(tmp_path):
    kiosk = Path(sys.executable).parent / "wegwijzer"
    text = UNIT.read_text().replace("/opt/wegwijzer/wegwijzer", str(kiosk))
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


def test_the_install_script_is_valid_shell():
    subprocess.run(["sh", "-n", str(LINUX / "install.sh")], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", str(LINUX / "install.sh")], check=True)
