"""Signed guide bundles: an Ed25519 key pair, a manifest, a detached signature over its exact bytes, the database.

A bundle is a folder::

    manifest.json    what the bundle holds (format, product, channel, version, times, database name/length/sha256)
    manifest.sig     Ed25519 signature over the exact bytes of manifest.json
    guide-<N>.sqlite the guide database

``verify_bundle`` trusts nothing it has not checked, in this order: a size-capped read of the manifest, the
signature (with no trusted key, nothing verifies), the manifest's shape, the database file's name, length and
SHA-256. It raises :class:`BundleError` with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk import __version__
from kiosk.guide import GuideError, GuideStore

FORMAT = 1
PRODUCT = "wegwijzer-guide"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MANIFEST_BYTES = 16 * 1024
MAX_VERSION = 2**31 - 1
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.sqlite$")


class BundleError(Exception):
    """The bundle must not be installed; the message says why."""


@dataclass(frozen=True)
class Manifest:
    format: int
    product: str
    channel: str
    content_version: int
    issued: dt.datetime
    expires: dt.datetime
    min_app_version: str
    schema_version: int
    database_name: str
    database_length: int
    database_sha256: str


def generate_keys(out: Path, name: str = "wegwijzer") -> tuple[Path, Path]:
    """Write ``<name>.private.pem`` (readable by its owner only) and ``<name>.public.pem``; never overwrite."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / f"{name}.private.pem", out / f"{name}.public.pem"
    for path in (private_path, public_path):
        if path.exists():
            raise BundleError(f"{path} exists already; keys are never overwritten")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    public_path.write_bytes(public)
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"{path}: not a usable private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"{path}: not a usable public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError(f"{path}: not an Ed25519 public key")
    return key


def _sha256(path: Path) -> tuple[int, str]:
    digest, length = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            length += len(chunk)
    return length, digest.hexdigest()


def create_bundle(database: Path, key: Path, out: Path, channel: str = "stable", valid_days: int = 365,
                  now: dt.datetime | None = None) -> Manifest:  # fmt: skip
    """Sign ``database`` into the new bundle folder ``out``."""
    private = load_private_key(key)
    try:
        with GuideStore(database) as store:
            version, schema = store.content_version, int(store.meta["schema_version"])
    except GuideError as exc:
        raise BundleError(f"{database}: {exc}") from exc
    if out.exists() and any(out.iterdir()):
        raise BundleError(f"{out} is not empty")
    issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    name = f"guide-{version}.sqlite"
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copyfile(database, tmp / name)
    length, sha = _sha256(tmp / name)
    manifest = {
        "format": FORMAT, "product": PRODUCT, "channel": channel, "content_version": version,
        "issued": issued.isoformat(), "expires": (issued + dt.timedelta(days=valid_days)).isoformat(),
        "min_app_version": __version__, "schema_version": schema,
        "database": {"name": name, "length": length, "sha256": sha},
    }  # fmt: skip
    data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    (tmp / MANIFEST).write_bytes(data)
    (tmp / SIGNATURE).write_bytes(private.sign(data))
    if out.exists():
        out.rmdir()
    tmp.rename(out)
    return parse_manifest(data)


def read_signed_manifest(folder: Path, trusted: list[Ed25519PublicKey]) -> Manifest:
    """The manifest of ``folder`` if its signature matches a trusted key (the database is not read)."""
    if not trusted:
        raise BundleError("no trusted key is configured: nothing can be installed")
    data = _read_capped(folder / MANIFEST, MAX_MANIFEST_BYTES)
    signature = _read_capped(folder / SIGNATURE, 1024)
    if len(signature) != 64:
        raise BundleError("the signature is missing, empty or malformed")
    for key in trusted:
        try:
            key.verify(signature, data)
            break
        except InvalidSignature:
            continue
    else:
        raise BundleError("the signature does not match any trusted key")
    return parse_manifest(data)


def verify_bundle(folder: Path, trusted: list[Ed25519PublicKey]) -> Manifest:
    """Check ``folder``; return its manifest or raise BundleError. Does not judge version or expiry."""
    manifest = read_signed_manifest(folder, trusted)
    database = folder / manifest.database_name
    if database.is_symlink() or not database.is_file():
        raise BundleError(f"the database {manifest.database_name} is missing")
    length, sha = _sha256(database)
    if length != manifest.database_length:
        raise BundleError(f"the database has {length} bytes; the manifest says {manifest.database_length}")
    if sha != manifest.database_sha256:
        raise BundleError("the database's SHA-256 does not match the manifest")
    return manifest


def _read_capped(path: Path, cap: int) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except OSError as exc:
        raise BundleError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    if len(data) > cap:
        raise BundleError(f"{path.name} is larger than {cap} bytes")
    return data


def parse_manifest(data: bytes) -> Manifest:
    """The manifest's fields, strictly typed (signed data is still checked: a key can sign a mistake)."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(f"the manifest is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("database"), dict):
        raise BundleError("the manifest has the wrong shape")
    db = raw["database"]

    def integer(value: object, what: str, low: int = 0, high: int = MAX_VERSION) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BundleError(f"the manifest's {what} is missing or out of range")
        return value

    def text(value: object, what: str) -> str:
        if not isinstance(value, str) or not value or len(value) > 200:
            raise BundleError(f"the manifest's {what} is missing or malformed")
        return value

    def when(value: object, what: str) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(text(value, what))
        except ValueError as exc:
            raise BundleError(f"the manifest's {what} is not a date and time") from exc
        if moment.tzinfo is None:
            raise BundleError(f"the manifest's {what} has no time zone")
        return moment

    name = text(db.get("name"), "database name")
    if not _SAFE_NAME.match(name):
        raise BundleError(f"the database name {name!r} is not a plain file name")
    sha = text(db.get("sha256"), "database SHA-256")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise BundleError("the manifest's database SHA-256 is malformed")
    return Manifest(
        format=integer(raw.get("format"), "format", 1, FORMAT),
        product=text(raw.get("product"), "product"),
        channel=text(raw.get("channel"), "channel"),
        content_version=integer(raw.get("content_version"), "content version", 1),
        issued=when(raw.get("issued"), "issue time"),
        expires=when(raw.get("expires"), "expiry time"),
        min_app_version=text(raw.get("min_app_version"), "minimum app version"),
        schema_version=integer(raw.get("schema_version"), "schema version", 1),
        database_name=name,
        database_length=integer(db.get("length"), "database length", 1, 2**40),
        database_sha256=sha,
    )
