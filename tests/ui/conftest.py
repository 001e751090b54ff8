from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget


def settle() -> None:
    """Let queued layout requests and show events run, as the event loop would between taps."""
    for _ in range(4):
        QApplication.processEvents()


def tap(qtbot, widget: QWidget) -> None:
    """Tap the middle of ``widget`` the way a finger does: an input event at that point of the window."""
    settle()
    assert widget.isVisible(), f"{widget} is not visible"
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:  # scroll to it first, as a person would
        area.ensureWidgetVisible(widget)
        settle()
    top = widget.window()
    point = widget.mapTo(top, QPoint(widget.width() // 2, widget.height() // 2))
    assert top.childAt(point) is not None and (top.childAt(point) is widget or widget.isAncestorOf(top.childAt(point)))
    qtbot.mouseClick(top.windowHandle(), Qt.MouseButton.LeftButton, pos=point)
    settle()


def button(buttons, key: str):
    return next(b for b in buttons if b.key == key)
