"""Updates inside the running kiosk: USB sticks and network sync, off the GUI thread, never stuck.

``UpdateService`` lives on the GUI thread. Every few seconds it lists the mounted volumes (``QStorageInfo``) on
a job thread, then examines each volume in a job of its own: a ``wegwijzer-update`` folder at its root holding
a bundle not yet tried is installed without anyone touching the screen, and so is every voice pack in its
``voices/`` folder (one signed pack per folder, :mod:`kiosk.updates.voicepack`). When a sync address is configured, a
sync job polls it at the configured interval (with jitter, so a hundred kiosks do not all ask at once), for the
guide and for the voice packs published beside it (:mod:`kiosk.updates.voicesync`).

Every job has a deadline. A job that does not finish in time (a dying stick that hangs the kernel, a server
that never answers) is *abandoned*: reported with a reason, and the kiosk goes on: the other sticks, the next
stick and the next poll still work, and shutdown never waits for it. An abandoned stick is not looked at
again until it is taken out. Jobs are plain daemon threads that report back through a queued signal.

Nothing on a stick is written before its bundle's signature has been verified: usage figures (the stick
hooks) go only to a stick that carries a genuine bundle. Files on a stick are read through
:class:`~kiosk.updates.safefs.SafeDir` (no links, pipes, devices; bounded reads).

Signals (all on the GUI thread):
    usb_found(str): a stick with a new update folder is being checked (its folder).
    installed(int, str, str): version, kind ("usb" | "sync"), source.
    voice_installed(str, str): a voice pack ("nl_BE-nathalie-medium v2"), its source.
    refused(str, str, str): kind, source, reason. Also logged and recorded for ``update status``/staff view.
    finished(str): a USB look or sync poll is done (kind), whatever its result.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStorageInfo, QTimer, Signal

from kiosk.updates.install import redact

log = logging.getLogger(__name__)

UPDATE_FOLDER = "wegwijzer-update"
VOICES_FOLDER = "voices"  # inside the update folder: one signed voice pack per folder
# File systems that are never a USB stick (and network ones, which could hang a look at them).
_NOT_REMOVABLE = {
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "efivarfs",
    "fusectl", "hugetlbfs", "mqueue", "nsfs", "overlay", "proc", "pstore", "ramfs", "securityfs", "squashfs",
    "sysfs", "tmpfs", "tracefs", "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "virtiofs",
}  # fmt: skip
_FOUND = 0  # the report "a stick with a new update folder is being checked" (job ids start at 1)
_ABANDONED = "abandoned"  # in place of a fingerprint: this stick is not looked at again until taken out

StickHook = Callable[[Any], None]  # called with the stick's root (a SafeDir) on a job thread


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


@dataclass
class _Job:
    id: int
    kind: str  # scan, stick, sync
    source: str  # the volume root or the sync address (redacted)
    deadline: float
    thread: threading.Thread | None = None
    root: Path | None = None


@dataclass
class _StickResult:
    fingerprint: str = ""  # sha256 of the manifest; "" when the stick has no update folder
    found: str = ""  # the update folder, when a new bundle was looked at
    installed: int | None = None
    same: bool = False
    refused: str = ""
    busy: bool = False  # another install held the lock: try again at the next look
    log: list[str] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)  # voice packs installed ('nl_BE-nathalie-medium v2')
    voice_refused: list[tuple[str, str]] = field(default_factory=list)  # (pack folder, reason)


class _Bridge(QObject):
    """Carries a job's report from its thread to the GUI thread (a queued connection). Once the service has shut
    down it carries nothing: a job that ends while the kiosk closes must not touch Qt objects being torn down (a
    scan that ended at exit crashed the process with a segmentation fault)."""

    reported = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._open = True

    def report(self, job_id: int, result: object) -> None:
        """From a job's thread."""
        with self._lock:
            if self._open:
                self.reported.emit(job_id, result)

    def close(self) -> None:
        """From the GUI thread: no report after this returns."""
        with self._lock:
            self._open = False


class UpdateService(QObject):
    usb_found = Signal(str)
    installed = Signal(int, str, str)
    voice_installed = Signal(str, str)  # the voice ('nl_BE-nathalie-medium v2'), its source
    refused = Signal(str, str, str)
    finished = Signal(str)

    def __init__(self, keys: list[Path], channel: str = "stable", sync_url: str = "", sync_interval_s: int = 3600,
                 usb_interval_s: float = 3.0, volumes: Callable[[], list[Path]] | None = None,
                 stick_timeout_s: float = 600.0, sync_timeout_s: float = 3600.0, allow_test_keys: bool = False,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.keys, self.channel, self.allow_test_keys = keys, channel, allow_test_keys
        self.sync_url = sync_url
        self.sync_interval_s = sync_interval_s
        self.stick_timeout_s, self.sync_timeout_s = stick_timeout_s, sync_timeout_s
        self.volumes = volumes or mounted_volumes
        self.busy: set[str] = set()  # "usb", "sync": asked and not finished (no pile-up of requests)
        self.tried: dict[Path, str] = {}  # volume root -> fingerprint of the bundle tried from it (or abandoned)
        self._stick_hooks: list[StickHook] = []
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._stuck: list[_Job] = []  # abandoned jobs whose threads still run
        self._closing = False
        self._voices_synced: object = None  # the last poll's voice packs (set on its job thread, read after it)
        self._bridge = _Bridge(self)
        self._bridge.reported.connect(self._on_bridge_reported)
        self._usb_timer = QTimer(self, interval=round(usb_interval_s * 1000))
        self._usb_timer.timeout.connect(self.look_at_usb)
        self._sync_timer = QTimer(self, singleShot=True)
        self._sync_timer.timeout.connect(self.sync_now)
        self._watchdog = QTimer(self, interval=min(1000, round(usb_interval_s * 1000)))
        self._watchdog.timeout.connect(self._abandon_overdue)
        if not keys:
            log.warning("no trusted update key is configured: updates will be refused")

    # --- starting and stopping --------------------------------------------------------------------------
    def start(self, first_sync_s: float | None = None) -> None:
        self._usb_timer.start()
        self._watchdog.start()
        QTimer.singleShot(0, self.look_at_usb)
        if self.sync_url:
            # The first poll comes at a random moment, so kiosks started together do not all ask at once.
            delay = first_sync_s if first_sync_s is not None else random.uniform(10, min(300, self.sync_interval_s))
            self._sync_timer.start(round(delay * 1000))
            log.info("sync from %s every %d s", redact(self.sync_url), self.sync_interval_s)

    def shutdown(self) -> None:
        """Stop looking; never waits for a job (an install in progress is atomic: it either lands or not)."""
        self._closing = True
        self._bridge.close()
        for timer in (self._usb_timer, self._sync_timer, self._watchdog):
            timer.stop()
        running = [job.source for job in self._jobs.values()]
        if running:
            log.info("updates stopped with jobs still running: %s", ", ".join(running))

    def add_stick_hook(self, hook: StickHook) -> None:
        """Run ``hook(stick root)`` on a job thread for each stick that carries a genuinely signed bundle."""
        self._stick_hooks.append(hook)

    # --- asking -----------------------------------------------------------------------------------------
    def look_at_usb(self) -> None:
        if "usb" in self.busy or self._closing:
            return
        if any(job.kind == "scan" and job.thread and job.thread.is_alive() for job in self._stuck):
            return  # listing the volumes hung once: not again until that look ends
        self.busy.add("usb")
        self._start("scan", "mounted volumes", self.stick_timeout_s, self._scan)

    def sync_now(self) -> None:
        if not self.sync_url or "sync" in self.busy or self._closing:
            return
        stuck = sum(1 for job in self._stuck if job.kind == "sync" and job.thread and job.thread.is_alive())
        if stuck >= 2:
            log.error("sync: %d earlier polls still hang; not starting another one", stuck)
            self._schedule_sync()
            return
        self.busy.add("sync")
        self._start("sync", redact(self.sync_url), self.sync_timeout_s, self._sync)

    def check_now(self) -> None:
        """Look for an update now: USB and sync (for the staff view)."""
        self.look_at_usb()
        self.sync_now()

    # --- jobs -------------------------------------------------------------------------------------------
    def _start(self, kind: str, source: str, timeout_s: float, work: Callable[..., object], *args: object,
               root: Path | None = None) -> _Job:  # fmt: skip
        job = _Job(next(self._ids), kind, source, time.monotonic() + timeout_s, root=root)
        bridge = self._bridge

        def run() -> None:
            try:
                result: object = work(*args)
            except Exception as exc:  # never let a bad stick or server kill the job silently
                log.exception("update job %s (%s) failed", kind, source)
                result = exc
            with contextlib.suppress(RuntimeError):  # the service is gone (the kiosk is closing)
                bridge.report(job.id, result)

        job.thread = threading.Thread(target=run, name=f"update-{kind}-{job.id}", daemon=True)
        self._jobs[job.id] = job
        job.thread.start()
        return job

    def _on_bridge_reported(self, job_id: int, result: object) -> None:
        if job_id == _FOUND:  # a stick job's news before its result
            if not self._closing:
                self.usb_found.emit(str(result))
            return
        job = self._jobs.pop(job_id, None)
        if job is None:  # abandoned earlier; what it did is on disk and in the log
            self._stuck = [j for j in self._stuck if j.id != job_id]
            log.info("an abandoned update job ended late: %r", result)
            return
        if self._closing:
            return
        if job.kind == "scan":
            self._on_scanned(result)
        elif job.kind == "stick":
            assert job.root is not None
            self._on_stick_examined(job.root, result)
        else:
            self._on_synced(result)

    def _abandon_overdue(self) -> None:
        now = time.monotonic()
        for job in [j for j in self._jobs.values() if j.deadline < now]:
            del self._jobs[job.id]
            self._stuck.append(job)
            reason = "did not finish in time and was abandoned"
            log.error("update job %s (%s) %s", job.kind, job.source, reason)
            if job.kind == "stick" and job.root is not None:
                self.tried[job.root] = _ABANDONED
                self._report_refused("usb", str(job.root / UPDATE_FOLDER),
                                     f"the stick did not answer within {self.stick_timeout_s:g} s and was left "
                                     f"alone; take it out and check it on a computer")  # fmt: skip
                self._usb_done()
            elif job.kind == "scan":
                self._report_refused("usb", "mounted volumes", f"listing the volumes {reason}")
                self.busy.discard("usb")
                self.finished.emit("usb")
            else:
                self._report_refused("sync", job.source, f"the poll {reason} after {self.sync_timeout_s:g} s")
                self._sync_done()

    def _report_refused(self, kind: str, source: str, reason: str) -> None:
        from kiosk.updates.install import record_attempt

        try:
            record_attempt(source, None, "failed", reason)
        except OSError as exc:
            log.error("could not record the attempt: %s", exc)
        self.refused.emit(kind, source, reason)

    # --- USB --------------------------------------------------------------------------------------------
    def _scan(self) -> list[Path]:
        return list(self.volumes())

    def _on_scanned(self, result: object) -> None:
        roots = result if isinstance(result, list) else []
        if isinstance(result, Exception):
            log.error("listing the mounted volumes failed: %s", result)
        for gone in set(self.tried) - set(roots):
            del self.tried[gone]  # taken out: the same stick, put back, is tried again
        examining = {job.root for job in self._jobs.values() if job.kind == "stick"}
        for root in roots:
            if root in examining or self.tried.get(root) == _ABANDONED:
                continue
            self._start("stick", str(root), self.stick_timeout_s, self._examine, root, self.tried.get(root), root=root)
        self._usb_done()

    def _usb_done(self) -> None:
        if "usb" in self.busy and not any(job.kind in ("scan", "stick") for job in self._jobs.values()):
            self.busy.discard("usb")
            self.finished.emit("usb")

    def _examine(self, root: Path, known: str | None) -> _StickResult:
        """On a job thread: look at one volume; install a new guide bundle and new voice packs from it."""
        from kiosk.updates.bundle import MANIFEST, MAX_MANIFEST_BYTES, BundleError, read_signed_manifest
        from kiosk.updates.install import apply_bundle
        from kiosk.updates.safefs import SafeDir, UnsafeFileError

        result = _StickResult()
        try:
            stick = SafeDir.open(root)
        except UnsafeFileError as exc:
            log.warning("cannot look at %s: %s", root, exc.strerror or exc)
            return result
        with stick:
            try:
                if stick.lstat(UPDATE_FOLDER) is None:
                    return result
                folder = stick.subdir(UPDATE_FOLDER)
            except UnsafeFileError as exc:
                result.fingerprint, result.found = f"unusable:{exc}", str(root / UPDATE_FOLDER)
                if known != result.fingerprint:
                    result.refused = f"the update folder cannot be used: {exc.strerror or exc}"
                return result
            with folder:
                packs = self._voice_pack_names(folder)
                has_guide = folder.lstat(MANIFEST) is not None or not packs
                try:
                    guide_print = hashlib.sha256(folder.read(MANIFEST, MAX_MANIFEST_BYTES)).hexdigest()
                except UnsafeFileError as exc:
                    guide_print = f"unusable:{exc}" if has_guide else ""
                result.fingerprint = "+".join([guide_print, *(self._pack_print(folder, name) for name in packs)])
                if result.fingerprint == known:
                    return result
                result.found = str(folder.path)
                self._bridge_found(result.found)
                trusted = self._trusted()
                genuine = False
                if has_guide:
                    try:
                        read_signed_manifest(folder, trusted, self.allow_test_keys)
                        genuine = True
                    except BundleError:
                        genuine = False  # apply_bundle below says why, and records it
                    try:
                        outcome, manifest = apply_bundle(folder, trusted, self.channel, source=result.found,
                                                         allow_test_keys=self.allow_test_keys)  # fmt: skip
                        if outcome == "installed" and manifest is not None:
                            result.installed = manifest.content_version
                        else:
                            result.same = True
                    except BundleError as exc:
                        result.refused, result.busy = str(exc), "another install is running" in str(exc)
                if packs:
                    genuine = self._install_voice_packs(folder, packs, trusted, result) or genuine
            if genuine:
                self._run_stick_hooks(stick, root)
        return result

    @staticmethod
    def _voice_pack_names(folder: Any) -> list[str]:
        from kiosk.updates.safefs import UnsafeFileError

        try:
            if folder.lstat(VOICES_FOLDER) is None:
                return []
            with folder.subdir(VOICES_FOLDER) as voices:
                names: list[str] = voices.folders(limit=32)
                return names
        except UnsafeFileError as exc:
            log.warning("the voices folder on the stick cannot be used: %s", exc)
            return []

    @staticmethod
    def _pack_print(folder: Any, name: str) -> str:
        from kiosk.updates.bundle import MANIFEST, MAX_MANIFEST_BYTES
        from kiosk.updates.safefs import UnsafeFileError

        try:
            with folder.subdir(VOICES_FOLDER) as voices, voices.subdir(name) as pack:
                return hashlib.sha256(pack.read(MANIFEST, MAX_MANIFEST_BYTES)).hexdigest()[:16]
        except UnsafeFileError as exc:
            return f"unusable:{name}:{exc.errno}"

    def _install_voice_packs(self, folder: Any, packs: list[str], trusted: list[Any], result: _StickResult) -> bool:
        """Install each voice pack in ``voices/`` (each in its own folder); True if any was genuine."""
        from kiosk.updates.bundle import BundleError
        from kiosk.updates.safefs import UnsafeFileError
        from kiosk.updates.voicepack import install_pack, read_signed_pack

        genuine = False
        for name in packs:
            source = str(folder.path / VOICES_FOLDER / name)
            try:
                with folder.subdir(VOICES_FOLDER) as voices, voices.subdir(name) as pack:
                    try:
                        read_signed_pack(pack, trusted, self.allow_test_keys)
                        genuine = True
                    except BundleError:
                        pass  # install_pack says why, and records it
                    outcome, manifest = install_pack(pack, trusted, self.channel, source=source,
                                                     allow_test_keys=self.allow_test_keys)  # fmt: skip
                if outcome == "installed" and manifest is not None:
                    result.voices.append(manifest.label)
            except BundleError as exc:
                result.voice_refused.append((source, str(exc)))
            except UnsafeFileError as exc:
                result.voice_refused.append((source, f"the pack folder cannot be used: {exc.strerror or exc}"))
        return genuine

    def _bridge_found(self, folder: str) -> None:
        self._bridge.report(_FOUND, folder)

    def _run_stick_hooks(self, stick: Any, root: Path) -> None:
        for hook in self._stick_hooks:
            try:
                hook(stick)
            except OSError as exc:  # a link in the way, a read-only or full stick: the update still counts
                log.error("a task for the stick at %s was not done: %s", root, exc.strerror or exc)
            except Exception:
                log.exception("a task for the stick at %s failed", root)

    def _on_stick_examined(self, root: Path, result: object) -> None:
        if isinstance(result, Exception):  # logged by the job; not tried again every few seconds
            self.tried[root] = _ABANDONED
            self._report_refused("usb", str(root / UPDATE_FOLDER), f"looking at the stick failed: {result}")
        elif isinstance(result, _StickResult):
            if result.busy:
                self.tried.pop(root, None)  # another install held the lock: the next look tries again
            elif result.fingerprint:
                self.tried[root] = result.fingerprint
            else:
                self.tried.pop(root, None)
            source = result.found or str(root / UPDATE_FOLDER)
            for label in result.voices:
                log.info("voice %s installed from %s", label, source)
                self.voice_installed.emit(label, source)
            for pack, reason in result.voice_refused:
                log.error("voice pack from %s refused: %s", pack, reason)
                self.refused.emit("usb", pack, reason)
            if result.installed is not None:
                log.info("guide version %s installed from %s", result.installed, source)
                self.installed.emit(result.installed, "usb", source)
            elif result.same:
                log.info("USB update from %s: this version is installed already", source)
                self.finished.emit("usb-same")
            elif result.refused:
                log.error("USB update from %s refused: %s", source, result.refused)
                if result.refused.startswith("the update folder cannot be used"):
                    self._report_refused("usb", source, result.refused)
                else:  # apply_bundle recorded it already
                    self.refused.emit("usb", source, result.refused)
        self._usb_done()

    # --- sync -------------------------------------------------------------------------------------------
    def _sync(self) -> object:
        from kiosk.updates.bundle import BundleError
        from kiosk.updates.sync import SyncOptions, sync_once
        from kiosk.updates.voicesync import sync_voices

        options = SyncOptions(channel=self.channel, allow_test_keys=self.allow_test_keys)
        try:
            guide: object = sync_once(self.sync_url, self._trusted(), options)
        except BundleError as exc:
            guide = exc
        try:  # voice packs published beside the guide (voices/index.txt), whatever became of the guide
            self._voices_synced = sync_voices(self.sync_url, self._trusted(), options)
        except BundleError as exc:
            log.error("voice packs from %s: %s", redact(self.sync_url), exc)
            self._voices_synced = None
        return guide

    def _on_synced(self, result: object) -> None:
        from kiosk.updates.bundle import BundleError

        source = redact(self.sync_url)
        voices, self._voices_synced = self._voices_synced, None
        for label in getattr(voices, "installed", []):
            log.info("voice %s installed from %s", label, source)
            self.voice_installed.emit(label, source)
        for pack, reason in getattr(voices, "refused", []):
            log.error("voice pack from %s refused: %s", redact(pack), reason)
            self.refused.emit("sync", redact(pack), reason)
        if isinstance(result, BundleError):
            log.error("sync from %s: %s", source, result)
            self.refused.emit("sync", source, str(result))
        elif isinstance(result, Exception):
            self.refused.emit("sync", source, f"unexpected error: {redact(str(result))}")
        else:
            outcome, version = getattr(result, "outcome", ""), getattr(result, "version", None)
            if outcome == "unchanged":
                log.info("sync from %s: nothing new", source)
            else:
                log.info("sync from %s: %s (version %s, %d bytes downloaded)", source, outcome, version,
                         getattr(result, "downloaded", 0))  # fmt: skip
            if outcome == "installed" and version is not None:
                self.installed.emit(version, "sync", source)
        self._sync_done()

    def _sync_done(self) -> None:
        self.busy.discard("sync")
        self._schedule_sync()
        self.finished.emit("sync")

    def _schedule_sync(self) -> None:
        if self.sync_url and not self._closing:
            jitter = random.uniform(0.9, 1.1)
            self._sync_timer.start(round(self.sync_interval_s * jitter * 1000))

    def _trusted(self) -> list[Any]:
        from kiosk.updates.bundle import BundleError, load_public_key

        trusted = []
        for key in self.keys:
            try:
                trusted.append(load_public_key(key))
            except BundleError as exc:
                log.error("trusted key not usable: %s", exc)
        return trusted
