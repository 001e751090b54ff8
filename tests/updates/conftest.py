"""Shared set-ups for update tests: a test signing key and signed bundles of the shipped guide."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.updates.bundle import create_bundle, generate_keys, load_public_key
from tests.conftest import guide_copy

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def signer(tmp_path):
    private, public = generate_keys(tmp_path / "keys", "test", kind="release")
    return private, load_public_key(public), public


def make_bundle(tmp_path, shipped_guide, signer, version: int, channel: str = "stable", issued=NOW, days=365):
    database = guide_copy(shipped_guide, tmp_path / f"v{version}.sqlite", content_version=str(version))
    folder = tmp_path / f"bundle-{version}-{channel}-{issued.date()}-{days}"
    create_bundle(database, signer[0], folder, channel, days, now=issued)
    return folder
