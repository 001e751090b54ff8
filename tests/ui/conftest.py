from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import paths
from kiosk.app import RunOptions, build_window
from kiosk.guide import GuideStore
from kiosk.ui import fonts


@pytest.fixture
def kiosk(qtbot, shipped_guide):
    """The kiosk window on the shipped guide, 1080x1920 portrait, shown."""
    app = QApplication.instance()
    fonts.register(paths.fonts_dir())
    store = GuideStore(shipped_guide)
    window, _idle = build_window(app, store, RunOptions(windowed=True, idle_timeout_s=600))
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    with qtbot.waitExposed(window):
        window.show()
    yield window
    window.allow_close = True
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def settle() -> None:
    """Let queued layout requests and show events run, as the event loop would between taps."""
    for _ in range(4):
        QApplication.processEvents()


def tap(qtbot, widget: QWidget) -> None:
    """Tap the middle of ``widget`` the way a finger does: an input event at that point of the window."""
    settle()
    assert widget.isVisible(), f"{widget} is not visible"
    top = widget.window()
    point = widget.mapTo(top, QPoint(widget.width() // 2, widget.height() // 2))
    assert top.childAt(point) is not None and (top.childAt(point) is widget or widget.isAncestorOf(top.childAt(point)))
    qtbot.mouseClick(top.windowHandle(), Qt.MouseButton.LeftButton, pos=point)
    settle()


def button(buttons, key: str):
    return next(b for b in buttons if b.key == key)
