"""Updates inside the running kiosk: USB sticks and network sync, off the GUI thread.

``UpdateService`` lives on the GUI thread and owns a worker thread. Every few seconds it asks the worker to
look at the mounted volumes (``QStorageInfo``) for a ``wegwijzer-update`` folder at the root; a stick with a
bundle not yet tried is installed without anyone touching the screen. When a sync address is configured, the
worker also polls it at the configured interval (with jitter, so a hundred kiosks do not all ask at once).
Results come back as signals; the guide watcher then switches the screens at a safe moment.

Signals (all on the GUI thread):
    usb_found(str): a stick with an update folder is being checked (its folder).
    installed(int, str, str): version, kind ("usb" | "sync"), source.
    refused(str, str, str): kind, source, reason. Also logged and recorded for ``update status``/staff view.
    finished(str): a USB look or sync poll is done (kind), whatever its result.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStorageInfo, QThread, QTimer, Signal, Slot

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger(__name__)

UPDATE_FOLDER = "wegwijzer-update"
# File systems that are never a USB stick (and network ones, which could hang a look at them).
_NOT_REMOVABLE = {
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "efivarfs",
    "fusectl", "hugetlbfs", "mqueue", "nsfs", "overlay", "proc", "pstore", "ramfs", "securityfs", "squashfs",
    "sysfs", "tmpfs", "tracefs", "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "virtiofs",
}  # fmt: skip


def mounted_volumes() -> list[Path]:
    """Roots of mounted volumes that could be a USB stick (not the system's own root)."""
    roots = []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isRoot():
            continue
        kind = bytes(volume.fileSystemType().data()).decode(errors="replace")
        if kind in _NOT_REMOVABLE:
            continue
        roots.append(Path(volume.rootPath()))
    return roots


class _Worker(QObject):
    usb_found = Signal(str)
    installed = Signal(int, str, str)
    refused = Signal(str, str, str)
    finished = Signal(str)

    def __init__(self, keys: list[Path], channel: str, sync_url: str,
                 volumes: Callable[[], list[Path]]) -> None:  # fmt: skip
        super().__init__()
        self.keys, self.channel, self.sync_url, self.volumes = keys, channel, sync_url, volumes
        self.tried: dict[Path, str] = {}  # volume root -> fingerprint of the bundle tried from it
        self.stick_hooks: list[Callable[[Path], None]] = []

    def _trusted(self) -> list[Ed25519PublicKey]:
        from kiosk.updates.bundle import BundleError, load_public_key

        trusted: list[Ed25519PublicKey] = []
        for key in self.keys:
            try:
                trusted.append(load_public_key(key))
            except BundleError as exc:
                log.error("trusted key not usable: %s", exc)
        return trusted

    @Slot()
    def look_at_usb(self) -> None:
        try:
            self._look_at_usb()
        except Exception:  # never let a bad stick kill the worker
            log.exception("looking at USB volumes failed")
        self.finished.emit("usb")

    def _look_at_usb(self) -> None:
        from kiosk.updates.bundle import MANIFEST, BundleError
        from kiosk.updates.install import apply_bundle

        roots = self.volumes()
        for gone in set(self.tried) - set(roots):
            del self.tried[gone]  # taken out: the same stick, put back, is tried again
        for root in roots:
            folder = root / UPDATE_FOLDER
            try:
                if not (folder / MANIFEST).is_file():
                    continue
                with (folder / MANIFEST).open("rb") as f:
                    fingerprint = hashlib.sha256(f.read(64 * 1024)).hexdigest()
            except OSError as exc:
                log.warning("cannot look at %s: %s", folder, exc)
                continue
            if self.tried.get(root) == fingerprint:
                continue
            self.tried[root] = fingerprint
            log.info("USB update folder found: %s", folder)
            self.usb_found.emit(str(folder))
            for hook in self.stick_hooks:
                try:
                    hook(folder)
                except Exception:  # e.g. a read-only or full stick: the update still goes ahead
                    log.exception("a task for the stick at %s failed", root)
            try:
                outcome, manifest = apply_bundle(folder, self._trusted(), self.channel)
            except BundleError as exc:
                log.error("USB update from %s refused: %s", folder, exc)
                self.refused.emit("usb", str(folder), str(exc))
                continue
            version = manifest.content_version if manifest else 0
            if outcome == "installed":
                log.info("guide version %s installed from %s", version, folder)
                self.installed.emit(version, "usb", str(folder))
            else:
                log.info("USB update from %s: version %s is installed already", folder, version)
                self.finished.emit("usb-same")

    @Slot()
    def sync(self) -> None:
        from kiosk.updates.bundle import BundleError
        from kiosk.updates.sync import SyncOptions, sync_once

        try:
            result = sync_once(self.sync_url, self._trusted(), SyncOptions(channel=self.channel))
        except BundleError as exc:
            log.error("sync from %s: %s", self.sync_url, exc)
            self.refused.emit("sync", self.sync_url, str(exc))
        except Exception as exc:
            log.exception("sync from %s failed", self.sync_url)
            self.refused.emit("sync", self.sync_url, f"unexpected error: {exc}")
        else:
            if result.outcome == "unchanged":
                log.info("sync from %s: nothing new", self.sync_url)
            else:
                log.info("sync from %s: %s (version %s, %d bytes downloaded)", self.sync_url, result.outcome,
                         result.version, result.downloaded)  # fmt: skip
            if result.outcome == "installed" and result.version is not None:
                self.installed.emit(result.version, "sync", self.sync_url)
        self.finished.emit("sync")


class UpdateService(QObject):
    usb_found = Signal(str)
    installed = Signal(int, str, str)
    refused = Signal(str, str, str)
    finished = Signal(str)
    _look = Signal()
    _sync = Signal()

    def __init__(self, keys: list[Path], channel: str = "stable", sync_url: str = "", sync_interval_s: int = 3600,
                 usb_interval_s: float = 3.0, volumes: Callable[[], list[Path]] | None = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.sync_url = sync_url
        self.sync_interval_s = sync_interval_s
        self.busy: set[str] = set()  # "usb", "sync": asked and not finished (no pile-up of requests)
        self._thread = QThread()
        self._thread.setObjectName("updates")
        self._worker = _Worker(keys, channel, sync_url, volumes or mounted_volumes)
        self._worker.moveToThread(self._thread)
        self._look.connect(self._worker.look_at_usb)
        self._sync.connect(self._worker.sync)
        self._worker.usb_found.connect(self.usb_found)
        self._worker.installed.connect(self.installed)
        self._worker.refused.connect(self.refused)
        self._worker.finished.connect(self._on_worker_finished)
        self._usb_timer = QTimer(self, interval=round(usb_interval_s * 1000))
        self._usb_timer.timeout.connect(self.look_at_usb)
        self._sync_timer = QTimer(self, singleShot=True)
        self._sync_timer.timeout.connect(self.sync_now)
        if not keys:
            log.warning("no trusted update key is configured: updates will be refused")

    def start(self, first_sync_s: float | None = None) -> None:
        self._thread.start()
        self._usb_timer.start()
        QTimer.singleShot(0, self.look_at_usb)
        if self.sync_url:
            # The first poll comes at a random moment, so kiosks started together do not all ask at once.
            delay = first_sync_s if first_sync_s is not None else random.uniform(10, min(300, self.sync_interval_s))
            self._sync_timer.start(round(delay * 1000))
            log.info("sync from %s every %d s", self.sync_url, self.sync_interval_s)

    def add_stick_hook(self, hook: Callable[[Path], None]) -> None:
        """Run ``hook(update folder)`` on the worker thread for each newly inserted stick (before installing)."""
        self._worker.stick_hooks.append(hook)

    def look_at_usb(self) -> None:
        if "usb" not in self.busy:
            self.busy.add("usb")
            self._look.emit()

    def sync_now(self) -> None:
        if self.sync_url and "sync" not in self.busy:
            self.busy.add("sync")
            self._sync.emit()

    def check_now(self) -> None:
        """Look for an update now: USB and sync (for the staff view)."""
        self.look_at_usb()
        self.sync_now()

    def _on_worker_finished(self, kind: str) -> None:
        if kind in ("usb", "sync"):
            self.busy.discard(kind)
        if kind == "sync" and self.sync_url:
            jitter = random.uniform(0.9, 1.1)
            self._sync_timer.start(round(self.sync_interval_s * jitter * 1000))
        self.finished.emit(kind)

    def shutdown(self) -> None:
        self._usb_timer.stop()
        self._sync_timer.stop()
        self._thread.quit()
        if not self._thread.wait(5000):
            log.warning("the update worker is still busy at shutdown")
