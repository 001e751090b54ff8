"""Which voice packs are installed: the record the pack install writes and the speech engines read (no Qt).

``<data>/voices/installed.json`` names, per voice, the folder under ``<data>/voices/packs/`` that holds its
verified files; replacing that file is the install's commit point (:mod:`kiosk.updates.voicepack`). A folder
the record does not name (a half-copied pack, a folder dropped there by hand) is never used.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk import paths

INSTALLED = "installed.json"
PACKS = "packs"
MAX_RECORD_BYTES = 256 * 1024


def installed_path() -> Path:
    return paths.voices_dir() / INSTALLED


def read_installed() -> dict[str, dict[str, object]]:
    """Voice name -> what its install recorded (folder, version, language, licences, signed_by, installed)."""
    try:
        with installed_path().open("rb") as f:
            raw = json.loads(f.read(MAX_RECORD_BYTES + 1)[:MAX_RECORD_BYTES].decode("utf-8"))
    except (OSError, ValueError):
        return {}
    packs = raw.get("packs") if isinstance(raw, dict) else None
    if not isinstance(packs, dict):
        return {}
    return {str(k): v for k, v in packs.items() if isinstance(v, dict) and isinstance(v.get("folder"), str)}


def installed_folders() -> list[Path]:
    """The folder of every installed voice pack that is still there, by voice name."""
    base = paths.voices_dir() / PACKS
    found: list[Path] = []
    for _name, record in sorted(read_installed().items()):
        folder = base / str(record["folder"])
        if "/" not in str(record["folder"]) and folder.is_dir():
            found.append(folder)
    return found
