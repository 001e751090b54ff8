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


@pytest.fixture
def kiosk_parts(qtbot, shipped_guide):
    """The kiosk (kiosk.app.Kiosk: window, current guide, idle guard, lock-down, usage, settings) on the shipped
    guide; its window 1080x1920 portrait, shown."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from kiosk.app import RunOptions, build_window
    from kiosk.guide import GuideStore
    from kiosk.ui import fonts

    app = QApplication.instance()
    fonts.register(paths.fonts_dir())
    store = GuideStore(shipped_guide)
    built = build_window(app, store, RunOptions(windowed=True, idle_timeout_s=600))
    window = built.window
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    with qtbot.waitExposed(window):
        window.show()
    yield built
    window.allow_close = True
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


@pytest.fixture
def kiosk(kiosk_parts):
    """The kiosk window on the shipped guide, 1080x1920 portrait, shown."""
    return kiosk_parts.window


def guide_copy(source: Path, target: Path, **meta: str) -> Path:
    """A copy of a built guide with some meta values changed (e.g. content_version='2')."""
    import sqlite3

    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    for key, value in meta.items():
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    conn.commit()
    conn.close()
    return target
