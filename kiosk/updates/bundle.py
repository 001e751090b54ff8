"""Signed guide bundles: an Ed25519 key pair, a manifest, a detached signature over its exact bytes, the database.

A bundle is a folder::

    manifest.json    what the bundle holds (format, product, channel, version, times, database name/length/sha256)
    manifest.sig     Ed25519 signature over the exact bytes of manifest.json
    guide-<N>.sqlite the guide database

``verify_bundle`` trusts nothing it has not checked, in this order: a size-capped read of the manifest, the
signature (with no trusted key, nothing verifies; a test key only where test keys are allowed), the manifest's
shape (strict JSON: no duplicate keys, bounded numbers), the database file's name, length and SHA-256. It raises
:class:`BundleError` with the reason. Files are read through :class:`SafeDir`: a link, a pipe, a device or a
folder where a file should be is refused without being opened.

A key file is PEM with a few ``# key:`` lines before it saying what the key is (``kind: release`` or
``kind: test``, and its name); :class:`TrustedKey` carries that, so every verdict can say which key matched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk import __version__
from kiosk.guide import GuideError, GuideStore
from kiosk.guidecheck import check_deep
from kiosk.updates.safefs import SafeDir, UnsafeFileError

FORMAT = 1
PRODUCT = "wegwijzer-guide"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MANIFEST_BYTES = 16 * 1024
MAX_VERSION = 2**31 - 1
MAX_DATABASE_BYTES = 1 << 30  # 1 GiB: a guide is a few MB; more is a mistake or an attack
MAX_KEY_FILE_BYTES = 8 * 1024
KINDS = ("release", "test")
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
    signed_by: TrustedKey | None = None  # the trusted key whose signature matched (set once verified)


@dataclass(frozen=True)
class TrustedKey:
    """A public key the kiosk trusts, with what its file says about it."""

    key: Ed25519PublicKey
    name: str
    kind: str  # release or test
    fingerprint: str  # the first 16 hex digits of the SHA-256 of the raw public key

    def verify(self, signature: bytes, data: bytes) -> None:
        self.key.verify(signature, data)

    @property
    def label(self) -> str:
        """How status and logs name it: "release key release-2027 (3fa1c2...)"."""
        return f"{self.kind} key {self.name} ({self.fingerprint})"

    @classmethod
    def of(cls, key: Ed25519PublicKey | TrustedKey, name: str = "unnamed") -> TrustedKey:
        if isinstance(key, TrustedKey):
            return key
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(key, name, "release", hashlib.sha256(raw).hexdigest()[:16])


def _key_header(kind: str, name: str) -> bytes:
    note = "A test key's bundles are refused by kiosks unless they are told to take test keys."
    return f"# Wegwijzer guide signing key\n# kind: {kind}\n# name: {name}\n# {note}\n".encode()


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Write a new file with exactly ``mode`` (whatever the umask); a file or a link in its place is refused."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except FileExistsError:
        raise BundleError(f"{path} exists already (perhaps as a link); keys are never overwritten") from None
    except OSError as exc:
        raise BundleError(f"{path} cannot be written: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as f:
        if hasattr(os, "fchmod"):
            os.fchmod(f.fileno(), mode)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def generate_keys(out: Path, name: str = "wegwijzer", kind: str = "test") -> tuple[Path, Path]:
    """Write ``<name>.private.pem`` (owner-only) and ``<name>.public.pem`` (read-only for others); never
    overwrite. Both files say whether this is a ``release`` or a ``test`` key."""
    if kind not in KINDS:
        raise BundleError(f"a key is a release or a test key, not {kind!r}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
        raise BundleError(f"{name!r} is not a usable key name (letters, digits, '.', '_' and '-')")
    if out.exists() and not out.is_dir():
        raise BundleError(f"{out} is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BundleError(f"{out} cannot be created: {exc.strerror or exc}") from None
    private_path, public_path = out / f"{name}.private.pem", out / f"{name}.public.pem"
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise BundleError(f"{path} exists already; keys are never overwritten")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _create_exclusive(private_path, _key_header(kind, name) + private, 0o600)
    try:
        _create_exclusive(public_path, _key_header(kind, name) + public, 0o644)
    except BundleError:
        private_path.unlink(missing_ok=True)
        raise
    return private_path, public_path


def _read_key_file(path: Path) -> tuple[bytes, dict[str, str]]:
    try:
        with SafeDir.open(path.parent) as folder:
            data = folder.read(path.name, MAX_KEY_FILE_BYTES)
    except (OSError, ValueError) as exc:
        raise BundleError(f"{path}: not a usable key ({exc})") from exc
    header: dict[str, str] = {}
    for line in data.split(b"-----BEGIN", 1)[0].decode("utf-8", "replace").splitlines():
        field, sep, value = line.lstrip("# ").partition(":")
        if sep:
            header[field.strip().lower()] = value.strip()
    return data, header


def load_private_key(path: Path) -> Ed25519PrivateKey:
    data, _header = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise BundleError(f"{path}: not a usable private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"{path}: not an Ed25519 private key")
    return key


def key_kind(path: Path) -> str:
    """What a key file says it is: release or test (a file from before keys were marked counts as release)."""
    kind = _read_key_file(path)[1].get("kind", "release")
    if kind not in KINDS:
        raise BundleError(f"{path}: unknown key kind {kind!r} (release or test)")
    return kind


def load_public_key(path: Path) -> TrustedKey:
    """A trusted public key with its name (the file's ``name:`` line, else the file name) and kind."""
    data, header = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise BundleError(f"{path}: not a usable public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError(f"{path}: not an Ed25519 public key")
    kind = header.get("kind", "release")
    if kind not in KINDS:
        raise BundleError(f"{path}: unknown key kind {kind!r} (release or test)")
    name = header.get("name") or path.name.removesuffix(".pem").removesuffix(".public")
    return replace(TrustedKey.of(key), name=name[:64], kind=kind)


def digest_capped(f: BinaryIO, cap: int = MAX_DATABASE_BYTES) -> tuple[int, str]:
    """Length and SHA-256 of what ``f`` holds, reading at most ``cap`` + 1 bytes (enough to tell "more")."""
    digest, length = hashlib.sha256(), 0
    while length <= cap and (chunk := f.read(min(1 << 20, cap + 1 - length))):
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
    try:
        check_deep(tmp / name)  # what every kiosk will check: better refused here than by the whole fleet
    except GuideError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BundleError(f"{database}: kiosks would refuse this guide: {exc}") from exc
    with (tmp / name).open("rb") as f:
        length, sha = digest_capped(f)
    if length > MAX_DATABASE_BYTES:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BundleError(f"{database} is larger than {MAX_DATABASE_BYTES} bytes, more than a kiosk takes")
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


Keys = Sequence[TrustedKey | Ed25519PublicKey]


def _as_dir(folder: Path | SafeDir) -> tuple[SafeDir, bool]:
    if isinstance(folder, SafeDir):
        return folder, False
    try:
        return SafeDir.open(folder), True
    except UnsafeFileError as exc:
        raise BundleError(f"the bundle folder cannot be read: {exc.strerror or exc}") from None


def read_signed_manifest(folder: Path | SafeDir, trusted: Keys, allow_test_keys: bool = False) -> Manifest:
    """The manifest of ``folder`` if its signature matches a trusted key (the database is not read).

    A bundle that only a test key signed is refused unless ``allow_test_keys``."""
    data, key = read_signed_bytes(folder, trusted, allow_test_keys)
    return replace(parse_manifest(data), signed_by=key)


def read_signed_bytes(folder: Path | SafeDir, trusted: Keys, allow_test_keys: bool = False) -> tuple[bytes, TrustedKey]:
    """The exact bytes of ``folder``'s manifest and the trusted key whose signature over them matched.

    Every signed product (guides, voice packs) is checked here; a test key only where test keys are allowed."""
    if not trusted:
        raise BundleError("no trusted key is configured: nothing can be installed")
    where, opened = _as_dir(folder)
    try:
        data = _read_capped(where, MANIFEST, MAX_MANIFEST_BYTES)
        signature = _read_capped(where, SIGNATURE, 1024)
    finally:
        if opened:
            where.close()
    if len(signature) != 64:
        raise BundleError("the signature is missing, empty or malformed")
    for candidate in trusted:
        key = TrustedKey.of(candidate)
        try:
            key.verify(signature, data)
            break
        except InvalidSignature:
            continue
    else:
        raise BundleError("the signature does not match any trusted key")
    if key.kind == "test" and not allow_test_keys:
        raise BundleError(f"signed with the {key.label}: this kiosk takes release keys only "
                          f"(allow test keys for trials: setting accept_test_keys)")  # fmt: skip
    return data, key


def verify_bundle(folder: Path | SafeDir, trusted: Keys, allow_test_keys: bool = False) -> Manifest:
    """Check ``folder``; return its manifest or raise BundleError. Does not judge version or expiry."""
    where, opened = _as_dir(folder)
    try:
        manifest = read_signed_manifest(where, trusted, allow_test_keys)
        try:
            with where.open_file(manifest.database_name) as f:
                length, sha = digest_capped(f, manifest.database_length)
        except UnsafeFileError as exc:
            raise BundleError(f"the database cannot be read: {exc.strerror or exc}") from None
    finally:
        if opened:
            where.close()
    if length != manifest.database_length:
        relation = "more" if length > manifest.database_length else "fewer"
        raise BundleError(f"the database has {relation} bytes than the {manifest.database_length} the manifest says")
    if sha != manifest.database_sha256:
        raise BundleError("the database's SHA-256 does not match the manifest")
    return manifest


def _read_capped(folder: SafeDir, name: str, cap: int) -> bytes:
    try:
        return folder.read(name, cap)
    except UnsafeFileError as exc:
        raise BundleError(f"{name} cannot be read: {exc.strerror or exc}") from None


class _Strict:
    """JSON hooks that refuse what a manifest never holds: duplicate keys, huge numbers, NaN."""

    @staticmethod
    def pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in pairs:
            if key in out:
                raise BundleError(f"the manifest names {key!r} twice")
            out[key] = value
        return out

    @staticmethod
    def integer(text: str) -> int:
        if len(text.lstrip("-")) > 15:
            raise BundleError(f"the manifest holds a number with {len(text)} digits")
        return int(text)

    @staticmethod
    def real(text: str) -> float:
        raise BundleError(f"the manifest holds a fractional number ({text[:20]}); it has none")

    @staticmethod
    def constant(text: str) -> float:
        raise BundleError(f"the manifest holds {text}, which is not JSON")


def strict_json(data: bytes) -> object:
    """Signed manifest bytes as JSON, refusing duplicate keys, long or fractional numbers and NaN."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_Strict.pairs, parse_int=_Strict.integer,
                          parse_float=_Strict.real, parse_constant=_Strict.constant)  # fmt: skip
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise BundleError(f"the manifest is not valid JSON: {exc}") from exc


def field_int(value: object, what: str, low: int = 0, high: int = MAX_VERSION) -> int:
    """A whole number from a signed manifest, within bounds (every signed product reads its fields so)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BundleError(f"the manifest's {what} is missing or out of range")
    return value


def field_text(value: object, what: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BundleError(f"the manifest's {what} is missing or malformed")
    return value


def field_time(value: object, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(field_text(value, what))
    except ValueError as exc:
        raise BundleError(f"the manifest's {what} is not a date and time") from exc
    if moment.tzinfo is None:
        raise BundleError(f"the manifest's {what} has no time zone")
    return moment.astimezone(dt.UTC)


def field_app_version(value: object) -> str:
    version = field_text(value, "minimum app version")
    if not re.fullmatch(r"\d{1,6}(\.\d{1,6}){0,3}", version):
        raise BundleError(f"the manifest's minimum app version {version[:40]!r} is not like 1.2.3")
    return version


def parse_manifest(data: bytes) -> Manifest:
    """The manifest's fields, strictly typed (signed data is still checked: a key can sign a mistake)."""
    raw = strict_json(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("database"), dict):
        raise BundleError("the manifest has the wrong shape")
    db = raw["database"]

    name = field_text(db.get("name"), "database name")
    if not _SAFE_NAME.match(name):
        raise BundleError(f"the database name {name!r} is not a plain file name")
    sha = field_text(db.get("sha256"), "database SHA-256")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise BundleError("the manifest's database SHA-256 is malformed")
    issued, expires = field_time(raw.get("issued"), "issue time"), field_time(raw.get("expires"), "expiry time")
    if expires <= issued:
        raise BundleError(f"the bundle expires ({expires.isoformat()}) before it was issued ({issued.isoformat()})")
    return Manifest(
        format=field_int(raw.get("format"), "format", 1, FORMAT),
        product=field_text(raw.get("product"), "product"),
        channel=field_text(raw.get("channel"), "channel"),
        content_version=field_int(raw.get("content_version"), "content version", 1),
        issued=issued,
        expires=expires,
        min_app_version=field_app_version(raw.get("min_app_version")),
        schema_version=field_int(raw.get("schema_version"), "schema version", 1),
        database_name=name,
        database_length=field_int(db.get("length"), "database length", 1, MAX_DATABASE_BYTES),
        database_sha256=sha,
    )
