"""Every path the kiosk uses, in one place.

Bundled, read-only files (fonts, icons, the guide database shipped with the app) are found next to the
source tree, or inside the PyInstaller bundle when frozen. Writable state (installed guides, settings, logs,
usage figures) lives in one data directory: ``--data-dir``, else ``WEGWIJZER_DATA_DIR``, else the
platform's user data directory (platformdirs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "wegwijzer"
DATA_DIR_ENV = "WEGWIJZER_DATA_DIR"

_data_dir_override: Path | None = None


def bundle_root() -> Path:
    """The folder that holds ``assets/`` and ``content/``: the source tree, or the frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    return bundle_root() / "assets"


def icons_dir() -> Path:
    return assets_dir() / "icons"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"


def content_dir() -> Path:
    """The guide's editable sources (only present in a source checkout)."""
    return bundle_root() / "content"


def trusted_keys_dir() -> Path:
    """Public keys (``*.public.pem``) whose signatures the kiosk accepts: part of the build. None: fail closed."""
    return assets_dir() / "keys"


def bundled_guide() -> Path:
    """The guide database shipped with the app (built by ``wegwijzer content build``)."""
    return assets_dir() / "guide.sqlite"


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Override the data directory for this process (``--data-dir``); ``None`` removes the override."""
    global _data_dir_override
    _data_dir_override = Path(path) if path is not None else None


def data_dir_override() -> Path | None:
    """The ``--data-dir`` override in force, if any (to restore it after a temporary change)."""
    return _data_dir_override


def data_dir() -> Path:
    """The one writable directory of the kiosk (not created here)."""
    if _data_dir_override is not None:
        return _data_dir_override
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def guides_dir() -> Path:
    """Installed guide databases (written by updates)."""
    return data_dir() / "guides"


def log_dir() -> Path:
    return data_dir() / "logs"


def settings_file() -> Path:
    return data_dir() / "settings.json"


def stats_dir() -> Path:
    return data_dir() / "stats"
