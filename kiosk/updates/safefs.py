"""Reading a stranger's folder (a USB stick) without being led anywhere: no links, no pipes, no devices.

A :class:`SafeDir` is a folder opened once. Everything in it is opened *relative to that folder* with
``O_NOFOLLOW``: a symbolic link, a FIFO, a device or a folder where a file is expected is refused by its
``lstat`` before it is opened (so a FIFO never blocks and a device is never touched), and checked again with
``fstat`` after opening (a stick that changes under us gains nothing). Reads are bounded in size; a read that
hangs in the kernel (a dying stick) cannot be bounded here: the update service abandons such a look.

Where the platform cannot open relative to a folder (Windows), the same checks run on paths with ``lstat``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_RELATIVE = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and _NOFOLLOW != 0


class UnsafeFileError(OSError):
    """Something on the stick is not what a bundle may hold (a link, a pipe, a device, a folder, too big)."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _plain_name(name: str) -> str:
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise UnsafeFileError(errno.EINVAL, f"{name!r} is not a plain file name")
    return name


class SafeDir:
    """A folder opened once; names inside it are never followed through links."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: Path, follow: bool = True) -> SafeDir:
        """Open the folder ``path``. With ``follow=False`` the folder itself must not be a link."""
        try:
            info = os.stat(path, follow_symlinks=follow)
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.ENOENT, f"{path}: {exc.strerror or exc}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafeFileError(errno.ENOTDIR, f"{path} is {_kind(info.st_mode)}, not a folder")
        if not _RELATIVE:
            return cls(path, None)
        flags = os.O_RDONLY | _DIRECTORY | _NONBLOCK | _NOCTTY | (0 if follow else _NOFOLLOW)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{path}: {exc.strerror or exc}") from None
        return cls(path, fd)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SafeDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lstat(self, name: str) -> os.stat_result | None:
        """What ``name`` is (not following a link), or None if it does not exist."""
        _plain_name(name)
        try:
            if self._fd is not None:
                return os.stat(name, dir_fd=self._fd, follow_symlinks=False)
            return os.lstat(self.path / name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{self.path / name}: {exc.strerror or exc}") from None

    def folders(self, limit: int = 64) -> list[str]:
        """The names of the real folders in this one (not links), sorted, at most ``limit`` of them."""
        try:
            names = os.listdir(self._fd if self._fd is not None else self.path)
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{self.path}: {exc.strerror or exc}") from None
        found = []
        for name in sorted(names)[: limit * 4]:
            if name.startswith(".") or "/" in name or "\0" in name:
                continue
            info = self.lstat(name)
            if info is not None and stat.S_ISDIR(info.st_mode):
                found.append(name)
        return found[:limit]

    def is_file(self, name: str) -> bool:
        info = self.lstat(name)
        return info is not None and stat.S_ISREG(info.st_mode)

    def subdir(self, name: str) -> SafeDir:
        """The folder ``name`` inside this one (refused if it is a link or not a folder)."""
        info = self.lstat(name)
        if info is None:
            raise UnsafeFileError(errno.ENOENT, f"{self.path / name} does not exist")
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafeFileError(errno.ENOTDIR, f"{self.path / name} is {_kind(info.st_mode)}, not a folder")
        if self._fd is None:
            return SafeDir(self.path / name, None)
        try:
            fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _NONBLOCK | _NOCTTY, dir_fd=self._fd)
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{self.path / name}: {exc.strerror or exc}") from None
        return SafeDir(self.path / name, fd)

    def open_file(self, name: str) -> BinaryIO:
        """Open the regular file ``name`` for reading; anything else is refused without blocking."""
        info = self.lstat(name)
        where = self.path / name
        if info is None:
            raise UnsafeFileError(errno.ENOENT, f"{where} is missing")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(errno.EINVAL, f"{where} is {_kind(info.st_mode)}, not a regular file")
        flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _NOCTTY | _BINARY
        try:
            fd = os.open(name, flags, dir_fd=self._fd) if self._fd is not None else os.open(where, flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafeFileError(errno.ELOOP, f"{where} is a symbolic link, not a regular file") from None
            raise UnsafeFileError(exc.errno or errno.EIO, f"{where}: {exc.strerror or exc}") from None
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):  # swapped between the look and the open
                raise UnsafeFileError(errno.EINVAL, f"{where} is {_kind(mode)}, not a regular file")
            if _NONBLOCK:
                os.set_blocking(fd, True)
            return open(fd, "rb", closefd=True)  # the caller closes it
        except BaseException:
            os.close(fd)
            raise

    def make_subdir(self, name: str) -> SafeDir:
        """Create the new folder ``name`` here (it must not exist, not even as a link) and open it."""
        _plain_name(name)
        try:
            if self._fd is not None:
                os.mkdir(name, 0o755, dir_fd=self._fd)
            else:
                os.mkdir(self.path / name, 0o755)
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{self.path / name}: {exc.strerror or exc}") from None
        return self.subdir(name)

    def write_new(self, name: str, data: bytes, mode: int = 0o644) -> Path:
        """Create the new file ``name`` here (it must not exist, not even as a link) holding ``data``."""
        _plain_name(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _NOCTTY | _BINARY
        try:
            fd = os.open(name, flags, mode, dir_fd=self._fd) if self._fd is not None else os.open(
                self.path / name, flags, mode
            )
        except OSError as exc:
            raise UnsafeFileError(exc.errno or errno.EIO, f"{self.path / name}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return self.path / name

    def read(self, name: str, cap: int) -> bytes:
        """The whole regular file ``name``, refused if it is larger than ``cap`` bytes."""
        with self.open_file(name) as f:
            data = f.read(cap + 1)
        if len(data) > cap:
            raise UnsafeFileError(errno.EFBIG, f"{self.path / name} is larger than {cap} bytes")
        return data
