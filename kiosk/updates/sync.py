"""Network sync: fetch a signed bundle from plain static files (any web server or object store).

The base URL is a folder holding what ``wegwijzer bundle create`` wrote: ``manifest.json``, ``manifest.sig``
and the database. One poll (:func:`sync_once`):

1. ``manifest.json`` with a conditional request (``If-None-Match`` / ``If-Modified-Since`` from the last poll):
   a 304 ends the poll at once, costing the server a few hundred bytes.
2. ``manifest.sig``; signature, product/channel, version and expiry are judged (:func:`install.judge`)
   *before* the database is downloaded, so an old or foreign bundle costs no bandwidth.
3. The database, into ``<data dir>/guides/download/``, never more than the declared length, with a time
   limit; a dropped connection is resumed with a ``Range`` request (``If-Range`` guards against the file having
   changed meanwhile) or retried cleanly, a few times with a pause in between.
4. The downloaded folder goes through the same install as a USB stick (:func:`install.apply_bundle`).

Every failure raises :class:`SyncError` (a :class:`BundleError`) naming the file and what went wrong;
the installed guide is never touched by a failed poll.

An address may carry a user name and password (``https://user:secret@host/guide/``): they are sent as HTTP
Basic authentication to that host only (never along a redirect), and the password never appears in a
message, a log line or a state file (:func:`install.redact`).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import logging
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk import __version__, paths
from kiosk.updates import install
from kiosk.updates.bundle import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    SIGNATURE,
    BundleError,
    Keys,
    read_signed_manifest,
)

log = logging.getLogger(__name__)

SYNC_STATE = "sync.json"
DOWNLOAD = "download"
DOWNLOAD_LOCK = ".download.lock"
USER_AGENT = f"Wegwijzer-kiosk/{__version__}"


class Declared(Protocol):
    """What a download needs to know of a file: the length its signed manifest declares."""

    @property
    def database_length(self) -> int: ...


class SyncError(BundleError):
    """A poll failed (network, server or bundle); the message says which file and why."""


@dataclass
class SyncOptions:
    timeout_s: float = 20.0  # connect and each read
    min_rate: float = 16_000.0  # bytes per second, averaged: slower than this is given up (a trickle)
    attempts: int = 3  # per file, for dropped connections
    retry_pause_s: float = 2.0
    channel: str = "stable"
    allow_test_keys: bool = False  # take bundles signed with a test key (trial kiosks only)
    conditional: bool = True  # send If-None-Match / If-Modified-Since for the manifest
    # Once a day the manifest is asked for without them: a server can answer 304 for a changed file (nginx's
    # ETag is modification second + size, so a same-size manifest published within the same second looks
    # unchanged). The manifest is a few hundred bytes; a kiosk is never stuck on an old guide for long.
    revalidate_after_s: float = 24 * 3600


@dataclass
class SyncResult:
    outcome: str  # unchanged (304 or same manifest), same, installed
    version: int | None = None
    downloaded: int = 0  # bytes of the database fetched in this poll


def _state_path() -> Path:
    return paths.guides_dir() / SYNC_STATE


def _load_validators(url: str) -> dict[str, str]:
    try:
        raw = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = raw.get(url) if isinstance(raw, dict) else None
    return {k: v for k, v in entry.items() if isinstance(v, str)} if isinstance(entry, dict) else {}


def _save_validators(url: str, validators: dict[str, str]) -> None:
    path = _state_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw = raw if isinstance(raw, dict) else {}
    except (OSError, ValueError):
        raw = {}
    raw[url] = validators
    path.parent.mkdir(parents=True, exist_ok=True)
    install.write_atomically(path, json.dumps(raw, indent=2).encode("utf-8"))


def _float(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:
        return 0.0


def _join(base: str, name: str) -> str:
    return urllib.parse.urljoin(base if base.endswith("/") else base + "/", urllib.parse.quote(name))


def split_credentials(url: str) -> tuple[str, str | None]:
    """``url`` without its ``user:password@`` part, and the Basic authorization value for it (or None)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), f"Basic {token}"


class _Fetcher:
    def __init__(self, options: SyncOptions, authorization: str | None = None, host: str = "") -> None:
        self.options = options
        self.opener = urllib.request.build_opener()
        self.authorization, self.host = authorization, host

    def open(self, url: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **headers})
        if self.authorization and urllib.parse.urlsplit(url).netloc == self.host:
            request.add_unredirected_header("Authorization", self.authorization)  # not sent along a redirect
        try:
            response = self.opener.open(request, timeout=self.options.timeout_s)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                raise
            exc.close()
            raise SyncError(f"{url}: the server answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise SyncError(f"{url}: cannot connect ({reason})") from None
        return response  # type: ignore[no-any-return]

    def small(self, url: str, cap: int, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
        """A small file in full, at most ``cap`` bytes, within the time limit; raises HTTPError for a 304."""
        with self.open(url, headers or {}) as response:
            deadline = time.monotonic() + self.options.timeout_s
            data = b""
            while len(data) <= cap:
                chunk = self._read(response, url, min(65536, cap + 1 - len(data)), deadline)
                if not chunk:
                    break
                data += chunk
            if len(data) > cap:
                raise SyncError(f"{url}: larger than {cap} bytes")
            return data, {k.lower(): v for k, v in response.headers.items()}

    def _read(self, response: http.client.HTTPResponse, url: str, size: int, deadline: float) -> bytes:
        if time.monotonic() > deadline:
            raise SyncError(f"{url}: the server is too slow (gave up after the time limit)")
        try:
            return response.read1(size)
        except TimeoutError:
            raise _Dropped(f"{url}: no data for {self.options.timeout_s:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Dropped(f"{url}: the connection dropped ({exc})") from None

    def database(self, url: str, target: Path, m: Declared, progress: Callable[[int, int], None] | None) -> int:
        """Download into ``target`` (resuming what is there) up to the declared length; bytes fetched now."""
        fetched = 0
        for attempt in range(1, self.options.attempts + 1):
            have = target.stat().st_size if target.exists() else 0
            if have > m.database_length:
                target.unlink()
                have = 0
            if have == m.database_length:
                return fetched
            headers = {"Range": f"bytes={have}-"} if have else {}
            validators = _load_validators(url)
            if have and validators.get("etag"):
                headers["If-Range"] = validators["etag"]
            try:
                fetched += self._download(url, target, m, have, headers)
                return fetched
            except _Dropped as exc:
                log.warning("%s (attempt %d of %d)", exc, attempt, self.options.attempts)
                if attempt == self.options.attempts:
                    raise SyncError(str(exc)) from None
                time.sleep(self.options.retry_pause_s)
            finally:
                if progress is not None and target.exists():
                    progress(target.stat().st_size, m.database_length)
        return fetched

    def _download(self, url: str, target: Path, m: Declared, have: int, headers: dict[str, str]) -> int:
        with self.open(url, headers) as response:
            if have and response.status != 206:
                have = 0  # the server sent the whole file: start over
            elif have:
                first = response.headers.get("Content-Range", "").removeprefix("bytes ").split("-")[0]
                if first != str(have):
                    raise SyncError(f"{url}: the server resumed at the wrong place ({first!r})")
            etag = response.headers.get("ETag")
            if etag:
                _save_validators(url, {"etag": etag})
            remaining = m.database_length - have
            deadline = time.monotonic() + self.options.timeout_s + remaining / self.options.min_rate
            fetched = 0
            with open(target, "ab" if have else "wb") as out:
                while fetched <= remaining:
                    chunk = self._read(response, url, min(1 << 20, remaining + 1 - fetched), deadline)
                    if not chunk:
                        break
                    if fetched + len(chunk) > remaining:
                        out.write(chunk[: remaining - fetched])
                        raise SyncError(f"{url}: the server sends more than the {m.database_length} bytes declared")
                    out.write(chunk)
                    fetched += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if fetched < remaining:
                raise _Dropped(f"{url}: the connection ended after {have + fetched} of {m.database_length} bytes")
            return fetched


class _Dropped(Exception):
    """A connection ended early; worth resuming."""


def download_folder() -> Path:
    return paths.guides_dir() / DOWNLOAD


def sync_once(base_url: str, trusted: Keys, options: SyncOptions | None = None,
              progress: Callable[[int, int], None] | None = None) -> SyncResult:  # fmt: skip
    """One poll of ``base_url``; installs a newer valid bundle. Raises SyncError / BundleError with the reason."""
    options = options or SyncOptions()
    try:
        base_url, authorization = split_credentials(base_url)
    except ValueError as exc:  # a port that is not a number, a bracket left open
        raise SyncError(f"{install.redact(base_url)}: not a usable address ({exc})") from None
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise SyncError(f"{base_url}: only http:// and https:// addresses can be synced")
    if not trusted:
        raise BundleError("no trusted key is configured: nothing can be installed")
    try:
        fetcher = _Fetcher(options, authorization, urllib.parse.urlsplit(base_url).netloc)
        return _poll(fetcher, base_url, trusted, options, progress)
    except _Recorded:
        raise
    except BundleError as exc:  # every failed poll is noted once, for `update status` and the staff view
        install.record_attempt(base_url, None, "failed" if isinstance(exc, SyncError) else "refused", str(exc))
        raise
    except OSError as exc:  # the disk, not the network
        reason = f"the download could not be stored: {exc.strerror or exc}"
        install.record_attempt(base_url, None, "failed", reason)
        raise SyncError(reason) from exc


def _poll(fetcher: _Fetcher, base_url: str, trusted: Keys, options: SyncOptions,
          progress: Callable[[int, int], None] | None) -> SyncResult:  # fmt: skip
    manifest_url = _join(base_url, MANIFEST)
    validators = _load_validators(manifest_url) if options.conditional else {}
    if time.time() - _float(validators.get("seen_at")) >= options.revalidate_after_s:
        validators = {}  # ask for the whole manifest, whatever the server says about it
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last-modified"):
        headers["If-Modified-Since"] = validators["last-modified"]
    try:
        manifest_bytes, response_headers = fetcher.small(manifest_url, MAX_MANIFEST_BYTES, headers)
    except urllib.error.HTTPError as exc:  # 304 Not Modified
        exc.close()
        return SyncResult("unchanged")
    except _Dropped as exc:
        raise SyncError(str(exc)) from None
    try:
        signature, _ = fetcher.small(_join(base_url, SIGNATURE), 1024)
    except (_Dropped, urllib.error.HTTPError) as exc:
        raise SyncError(f"{_join(base_url, SIGNATURE)}: {exc}") from None
    with install.exclusive(DOWNLOAD_LOCK, "download"):
        return _fetch_and_install(fetcher, base_url, download_folder(), manifest_bytes, signature, response_headers,
                                  trusted, options, progress)  # fmt: skip


class _Recorded(BundleError):
    """Refused by the install, which recorded the attempt itself."""


def _fetch_and_install(fetcher: _Fetcher, base_url: str, staging: Path, manifest_bytes: bytes, signature: bytes,
                       response_headers: dict[str, str], trusted: Keys, options: SyncOptions,
                       progress: Callable[[int, int], None] | None) -> SyncResult:  # fmt: skip
    manifest_url = _join(base_url, MANIFEST)
    staging.mkdir(parents=True, exist_ok=True)
    _write(staging / MANIFEST, manifest_bytes)
    _write(staging / SIGNATURE, signature)
    wanted = ("etag", "last-modified")
    new_validators: dict[str, str] = {k: response_headers[k] for k in wanted if k in response_headers}
    new_validators["seen_at"] = f"{time.time():.0f}"  # when this kiosk last read the whole manifest
    try:
        manifest = read_signed_manifest(staging, trusted, options.allow_test_keys)
    except BundleError:  # perhaps caught half-way through an upload: asked again at the next poll
        _clear(staging)
        raise
    try:
        if install.judge(manifest, options.channel) == "same":
            _save_validators(manifest_url, new_validators)
            _clear(staging)
            return SyncResult("same", manifest.content_version)
    except BundleError:  # a genuine manifest this kiosk will never take: not asked for again until it changes
        _save_validators(manifest_url, new_validators)
        _clear(staging)
        raise
    # Only the database this manifest names may stay in the download folder (a resumable part).
    part = staging / f"{manifest.database_sha256}.part"
    for leftover in staging.iterdir():
        if leftover.name not in (MANIFEST, SIGNATURE, part.name):
            _remove(leftover)
    fetched = fetcher.database(_join(base_url, manifest.database_name), part, manifest, progress)
    os.replace(part, staging / manifest.database_name)
    try:
        outcome, _ = install.apply_bundle(staging, trusted, options.channel, source=base_url,
                                          allow_test_keys=options.allow_test_keys)  # fmt: skip
    except BundleError as exc:
        _clear(staging)
        raise _Recorded(str(exc)) from exc
    _save_validators(manifest_url, new_validators)
    _clear(staging)
    return SyncResult(outcome, manifest.content_version, fetched)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _clear(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
