"""Common frame of a screen: a kinetic scroll area holding a vertical column."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.ui.context import ScreenContext
from kiosk.ui.widgets import kinetic_scroll_area


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class Screen(QWidget):
    """A scrolling screen. Subclasses implement ``build(ctx, arg)`` to fill ``self.column``.

    Signals:
        navigation_requested(str, str): go to a route (screen name, argument).
    """

    name = "screen"
    navigation_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.body = QWidget()
        self.column = QVBoxLayout(self.body)
        self.scroll: QScrollArea = kinetic_scroll_area(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.ctx: ScreenContext | None = None
        self.arg = ""

    def render(self, ctx: ScreenContext, arg: str = "") -> None:
        self.ctx, self.arg = ctx, arg
        self.body.setUpdatesEnabled(False)
        clear_layout(self.column)
        gap = ctx.metrics.gap
        self.column.setContentsMargins(gap * 3, gap * 2, gap * 3, gap * 3)
        self.column.setSpacing(gap * 2)
        self.build(ctx, arg)
        self.column.addStretch(1)
        self.body.setUpdatesEnabled(True)

    def build(self, ctx: ScreenContext, arg: str) -> None:
        raise NotImplementedError

    def reset_scroll(self) -> None:
        self.scroll.verticalScrollBar().setValue(0)

    def columns(self, wide: int, narrow: int) -> int:
        """Tiles per row: more in landscape than in portrait."""
        window = self.window()
        return wide if window.width() > window.height() else narrow

    def grid(self, columns: int) -> QGridLayout:
        """A grid whose columns all have the same width, whatever their texts."""
        grid = QGridLayout()
        gap = self.ctx.metrics.gap if self.ctx else 12
        grid.setSpacing(gap * 2)
        margins = self.column.contentsMargins()
        free = self.scroll.viewport().width() - margins.left() - margins.right() - gap * 2 * (columns - 1)
        for column in range(columns):
            grid.setColumnStretch(column, 1)
            grid.setColumnMinimumWidth(column, max(0, free // columns - 1))
        self.column.addLayout(grid)
        return grid
