"""Signed bundles: everything that must not be installed is refused, with its reason."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.updates.bundle import (
    MANIFEST,
    SIGNATURE,
    BundleError,
    create_bundle,
    generate_keys,
    load_private_key,
    load_public_key,
    verify_bundle,
)


@pytest.fixture
def keys(tmp_path):
    private, public = generate_keys(tmp_path / "keys", "test", kind="release")
    other_private, other_public = generate_keys(tmp_path / "keys", "other", kind="release")
    return {"private": private, "public": load_public_key(public), "other_private": other_private,
            "other_public": load_public_key(other_public), "public_path": public}  # fmt: skip


@pytest.fixture
def bundle(tmp_path, shipped_guide, keys):
    folder = tmp_path / "bundle"
    create_bundle(shipped_guide, keys["private"], folder)
    return folder


def resign(folder, data: bytes, private) -> None:
    (folder / MANIFEST).write_bytes(data)
    (folder / SIGNATURE).write_bytes(load_private_key(private).sign(data))


def test_a_good_bundle_verifies(bundle, keys, shipped_guide):
    manifest = verify_bundle(bundle, [keys["public"]])
    assert manifest.content_version >= 1 and manifest.database_length == shipped_guide.stat().st_size
    assert manifest.expires > manifest.issued


def test_private_key_is_private_and_never_overwritten(tmp_path, keys):
    assert stat.S_IMODE(os.stat(keys["private"]).st_mode) == 0o600
    with pytest.raises(BundleError, match="never overwritten"):
        generate_keys(tmp_path / "keys", "test")


def test_no_trusted_key_fails_closed(bundle):
    with pytest.raises(BundleError, match="no trusted key"):
        verify_bundle(bundle, [])


def test_wrong_key(bundle, keys):
    with pytest.raises(BundleError, match="does not match any trusted key"):
        verify_bundle(bundle, [keys["other_public"]])


def test_one_byte_of_the_manifest_changed(bundle, keys):
    data = bytearray((bundle / MANIFEST).read_bytes())
    data[data.index(b'"stable"') + 1] ^= 0x01
    (bundle / MANIFEST).write_bytes(bytes(data))
    with pytest.raises(BundleError, match="signature does not match"):
        verify_bundle(bundle, [keys["public"]])


@pytest.mark.parametrize(
    "signature", [None, b"", b"garbage", os.urandom(64)], ids=["missing", "empty", "short", "random"]
)
def test_bad_signatures(bundle, keys, signature):
    if signature is None:
        (bundle / SIGNATURE).unlink()
    else:
        (bundle / SIGNATURE).write_bytes(signature)
    with pytest.raises(BundleError):
        verify_bundle(bundle, [keys["public"]])


@pytest.mark.parametrize("damage", ["flip", "truncate", "extra"])
def test_damaged_database(bundle, keys, damage):
    database = next(bundle.glob("*.sqlite"))
    data = bytearray(database.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x10
    elif damage == "truncate":
        data = data[:-100]
    else:
        data += b"x"
    database.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"SHA-256|bytes"):
        verify_bundle(bundle, [keys["public"]])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m.pop("content_version"), "content version"),
        (lambda m: m.update(content_version=-1), "content version"),
        (lambda m: m.update(content_version=10**20), "a number with 21 digits"),
        (lambda m: m.update(content_version="7"), "content version"),
        (lambda m: m["database"].update(name="../../etc/passwd.sqlite"), "not a plain file name"),
        (lambda m: m["database"].update(name="/tmp/guide.sqlite"), "not a plain file name"),
        (lambda m: m.update(expires="tomorrow"), "expiry"),
        (lambda m: m.update(format=99), "format"),
    ],
)
def test_signed_but_malformed_manifests_are_refused(bundle, keys, change, reason):
    manifest = json.loads((bundle / MANIFEST).read_text())
    change(manifest)
    resign(bundle, json.dumps(manifest).encode(), keys["private"])
    with pytest.raises(BundleError, match=reason):
        verify_bundle(bundle, [keys["public"]])


def test_huge_and_deeply_nested_manifests(bundle, keys):
    resign(bundle, b'{"x": "' + b"a" * 100_000 + b'"}', keys["private"])
    with pytest.raises(BundleError, match="larger than"):
        verify_bundle(bundle, [keys["public"]])
    resign(bundle, b"[" * 5000 + b"]" * 5000, keys["private"])
    with pytest.raises(BundleError):
        verify_bundle(bundle, [keys["public"]])


def test_not_a_guide_cannot_be_bundled(tmp_path, keys):
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"not sqlite" * 100)
    with pytest.raises(BundleError):
        create_bundle(bogus, keys["private"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_round_trip(tmp_path, shipped_guide):
    runner = CliRunner()
    generate = ["keys", "generate", "--out", str(tmp_path / "k"), "--name", "test", "--kind", "release"]
    assert runner.invoke(main, generate).exit_code == 0
    result = runner.invoke(main, ["bundle", "create", "--database", str(shipped_guide), "--key",
                                  str(tmp_path / "k/test.private.pem"), "--out", str(tmp_path / "b")])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["bundle", "verify", str(tmp_path / "b"), "--trust", str(tmp_path / "k/test.public.pem")]
    )
    assert result.exit_code == 0 and "valid" in result.output
    result = runner.invoke(main, ["bundle", "verify", str(tmp_path / "b")])
    assert result.exit_code == 1 and "no trusted key" in result.output
