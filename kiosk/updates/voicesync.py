"""Voice packs by network sync: published beside the guide bundle, fetched and installed like it (no Qt).

The sync address's folder may hold ``voices/index.txt`` (one pack folder name per line) and, per name,
``voices/<name>/`` with what ``wegwijzer voices bundle`` wrote. The index itself is not signed: it only says where
to look; every pack is. Per pack: ``manifest.json`` and ``manifest.sig`` (small, size-capped) -> signature and
judgement (product, channel, app version, version floor, expiry) *before* the model is downloaded, so a pack
already installed or refused costs a few hundred bytes -> each file into ``<data dir>/voices/download/<name>/``,
never more than its declared length, resumed after a dropped connection -> the same install as a folder or a
stick (:func:`kiosk.updates.voicepack.install_pack`, with its trial synthesis). A missing index (404) means the
site publishes no voices. A failure of one pack is recorded and the others are still tried.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths
from kiosk.updates import install
from kiosk.updates.bundle import MANIFEST, MAX_MANIFEST_BYTES, SIGNATURE, BundleError, Keys
from kiosk.updates.sync import SyncError, SyncOptions, _Dropped, _Fetcher, _join, split_credentials
from kiosk.updates.voicepack import install_pack, judge_pack, read_signed_pack, record_attempt

INDEX = "voices/index.txt"
MAX_INDEX_BYTES = 4096
MAX_PACKS = 32
_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class _Length:
    database_length: int


@dataclass
class VoiceSyncResult:
    installed: list[str]  # 'nl_BE-nathalie-medium v2'
    refused: list[tuple[str, str]]  # (pack address, reason)
    same: int = 0


def staging_root() -> Path:
    return paths.voices_dir() / "download"


def sync_voices(base_url: str, trusted: Keys, options: SyncOptions | None = None) -> VoiceSyncResult:
    """Install every new voice pack the sync address publishes; one bad pack does not stop the others."""
    options = options or SyncOptions()
    try:
        base_url, authorization = split_credentials(base_url)
    except ValueError as exc:
        raise SyncError(f"{install.redact(base_url)}: not a usable address ({exc})") from None
    fetcher = _Fetcher(options, authorization, urllib.parse.urlsplit(base_url).netloc)
    result = VoiceSyncResult([], [])
    try:
        index, _ = fetcher.small(_join(base_url, INDEX), MAX_INDEX_BYTES)
    except SyncError as exc:
        if " 404 " in str(exc):
            return result  # this site publishes no voices
        raise
    except (_Dropped, urllib.error.HTTPError) as exc:
        raise SyncError(f"{_join(base_url, INDEX)}: {exc}") from None
    names = [line.strip() for line in index.decode("utf-8", "replace").splitlines() if line.strip()]
    for name in names[:MAX_PACKS]:
        source = _join(base_url, f"voices/{name}/")
        if not _FOLDER.match(name):
            result.refused.append((source, f"{name[:80]!r} is not a plain folder name"))
            continue
        try:
            outcome, label = _one(fetcher, source, name, trusted, options)
        except BundleError as exc:
            result.refused.append((source, str(exc)))
            continue
        except OSError as exc:
            reason = f"the download could not be stored: {exc.strerror or exc}"
            record_attempt(source, "failed", reason)
            result.refused.append((source, reason))
            continue
        if outcome == "installed":
            result.installed.append(label)
        else:
            result.same += 1
    return result


def _one(fetcher: _Fetcher, source: str, name: str, trusted: Keys, options: SyncOptions) -> tuple[str, str]:
    staging = staging_root() / name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        try:
            manifest_bytes, _ = fetcher.small(_join(source, MANIFEST), MAX_MANIFEST_BYTES)
            signature, _ = fetcher.small(_join(source, SIGNATURE), 1024)
        except (_Dropped, urllib.error.HTTPError) as exc:
            raise SyncError(f"{source}: {exc}") from None
        except SyncError as exc:
            record_attempt(source, "failed", str(exc))
            raise
        (staging / MANIFEST).write_bytes(manifest_bytes)
        (staging / SIGNATURE).write_bytes(signature)
        try:
            manifest = read_signed_pack(staging, trusted, options.allow_test_keys)
            if judge_pack(manifest, options.channel) == "same":
                return "same", manifest.label
        except BundleError as exc:
            record_attempt(source, "refused", str(exc))
            raise
        for item in manifest.files:  # names checked by the manifest's parser: plain, and only the pack's own
            part = staging / f"{item.sha256}.part"
            try:
                fetcher.database(_join(source, item.name), part, _Length(item.length), None)
            except SyncError as exc:
                record_attempt(source, "failed", str(exc))
                raise
            os.replace(part, staging / item.name)
        outcome, installed = install_pack(staging, trusted, options.channel, source=source,
                                          allow_test_keys=options.allow_test_keys)  # fmt: skip
        return outcome, installed.label if installed else name
    finally:
        shutil.rmtree(staging, ignore_errors=True)
