"""Shared fixtures: every test gets its own data directory; the shipped guide is built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk import paths

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Redirect the kiosk's writable data directory into the test's temporary folder."""
    target = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(target))
    paths.set_data_dir(None)
    yield target
    paths.set_data_dir(None)


@pytest.fixture(scope="session")
def shipped_guide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, built into a fresh database once per test session."""
    from kiosk.content.build import build

    out = tmp_path_factory.mktemp("guide") / "guide.sqlite"
    build(paths.content_dir(), out, paths.icons_dir(), paths.fonts_dir())
    return out


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped content folder, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(paths.content_dir(), target)
    return target
