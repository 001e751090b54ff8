"""Every path the kiosk uses, in one place.

Bundled, read-only files (fonts, icons, the guide database shipped with the app) are found next to the
source tree, or inside the PyInstaller bundle when frozen. Writable state (installed guides, settings, logs,
usage figures) lives in one data directory: ``--data-dir``, else ``WEGWIJZER_DATA_DIR``, else the
platform's user data directory (platformdirs). It is private to the kiosk's user: :func:`ensure_private_data_dir`.
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


def voices_dir() -> Path:
    """Installed voice packs, one folder per voice."""
    return data_dir() / "voices"


def log_dir() -> Path:
    return data_dir() / "logs"


def settings_file() -> Path:
    return data_dir() / "settings.json"


def stats_dir() -> Path:
    return data_dir() / "stats"


# --- a data directory private to the kiosk's user -----------------------------------------------------
PRIVATE_DIR_MODE = 0o700
PRIVATE_UMASK = 0o077
PRIVATE_SUBDIRS = ("guides", "logs", "stats")


class DataDirError(Exception):
    """The data directory cannot be made private to this user; the message says why."""


def ensure_private_data_dir() -> Path:
    """Create or repair the data directory and its ``guides/``, ``logs/`` and ``stats/`` as folders only this
    user can open (0700); what others could open in them loses those permissions (older versions wrote 0644 files:
    they become 0600). Commands that write there also set the umask to :data:`PRIVATE_UMASK` (see ``kiosk/cli.py``).

    Refused with :class:`DataDirError`: a file (or anything but a folder) where a folder belongs; a folder owned by
    another user (files written into it would be unreadable to the kiosk's user: run the command as that user);
    a symbolic link as one of the subfolders (nothing inside the data directory needs one); a data directory that
    is a symbolic link unless both the link and the folder it leads to are this user's (an administrator may keep
    the data on another disk; a link someone else planted, a dangling one, or one into another user's folder is
    refused). On Windows only the "is it a folder" checks apply (no POSIX modes or owners there).
    """
    root = data_dir()
    posix = os.name == "posix"
    if root.is_symlink():
        _check_link(root, posix)
    _make_private_dir(root, posix)
    for name in PRIVATE_SUBDIRS:
        sub = root / name
        if sub.is_symlink():
            raise DataDirError(f"{sub} is a symbolic link; in the data directory it must be a plain folder")
        _make_private_dir(sub, posix)
    if posix:
        for folder in (root, *(root / name for name in PRIVATE_SUBDIRS)):
            _repair_entries(folder)
    return root


def _check_link(link: Path, posix: bool) -> None:
    target = link.resolve()
    if not target.is_dir():
        raise DataDirError(f"the data directory {link} is a symbolic link to {target}, which is not a folder")
    if posix:
        uid = os.getuid()
        if os.lstat(link).st_uid != uid or target.stat().st_uid != uid:
            raise DataDirError(f"the data directory {link} is a symbolic link to {target}; the link and the folder "
                               f"must both belong to this user")  # fmt: skip


def _make_private_dir(folder: Path, posix: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise DataDirError(f"{folder} is a file, not a folder (the data directory and its guides/, logs/ and stats/ "
                           f"must be folders)")  # fmt: skip
    try:
        folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"{folder} cannot be created: {exc.strerror or exc}") from exc
    if not posix:
        return
    info = folder.stat()
    if info.st_uid != os.getuid():
        owner = _user_name(info.st_uid)
        raise DataDirError(f"{folder} belongs to {owner}, not to this user; run the command as {owner} "
                           f"(e.g. sudo -u {owner} ...)")  # fmt: skip
    if info.st_mode & 0o777 != PRIVATE_DIR_MODE:
        try:
            os.chmod(folder, PRIVATE_DIR_MODE)
        except OSError as exc:
            raise DataDirError(f"{folder} cannot be made private (0700): {exc.strerror or exc}") from exc


def _repair_entries(folder: Path) -> None:
    """Files and folders directly in ``folder`` that are this user's lose every permission for others."""
    uid = os.getuid()
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
            if info.st_uid == uid and info.st_mode & 0o077 and not entry.is_symlink():
                os.chmod(entry.path, info.st_mode & 0o700)
        except FileNotFoundError:
            continue  # removed meanwhile (an install cleaning up)


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"user {uid}"
