"""Common frame of a screen: a kinetic scroll area holding a vertical column."""

from __future__ import annotations

from collections.abc import Collection

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.ui.context import ScreenContext
from kiosk.ui.widgets import TouchButton, kinetic_scroll_area


def clear_layout(layout: QLayout, keep: Collection[QWidget] = ()) -> None:
    """Empty ``layout``; widgets in ``keep`` are only hidden (to be reused), the others are deleted.

    ``takeAt`` hands the layout item (a QWidgetItem, a spacer or a nested layout) to the caller, and PySide does
    not free it: each one is deleted here, or every screen render would leak them (about 80 bytes each)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:  # cannot happen while count() > 0; stop rather than loop forever
            break
        widget = item.widget()
        if widget is not None:
            widget.hide()
            if widget not in keep:
                for kept in keep:  # rescue reusable widgets that live inside the one going away
                    if widget.isAncestorOf(kept):
                        kept.hide()
                        kept.setParent(widget.parentWidget())
                widget.setParent(None)
                widget.deleteLater()
        elif (nested := item.layout()) is not None:
            clear_layout(nested, keep)
        shiboken6.delete(item)  # the item only, never the widget it held


class Screen(QWidget):
    """A scrolling screen. Subclasses implement ``build(ctx, arg)`` to fill ``self.column``.

    Signals:
        navigation_requested(str, str): go to a route (screen name, argument).
        speech_requested(str, str): read a label aloud (text, language or "" for the visitor's).
    """

    name = "screen"
    navigation_requested = Signal(str, str)
    speech_requested = Signal(str, str)  # text, language ("" = the visitor's language)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.body = QWidget()
        self.column = QVBoxLayout(self.body)
        self.scroll_area: QScrollArea = kinetic_scroll_area(self.body)
        self.outer = QVBoxLayout(self)  # the scroll area, then what a screen adds below it (the keyboard)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.addWidget(self.scroll_area)
        self.ctx: ScreenContext | None = None
        self.arg = ""
        self._pool: list[TouchButton] = []
        self._pool_used = 0

    def show_content(self, ctx: ScreenContext, arg: str = "") -> None:
        self.ctx, self.arg = ctx, arg
        self.body.setUpdatesEnabled(False)
        clear_layout(self.column, keep=self._kept())
        self._pool_used = 0
        gap = ctx.metrics.gap
        self.column.setContentsMargins(gap * 3, gap * 2, gap * 3, gap * 3)
        self.column.setSpacing(gap * 2)
        self.build(ctx, arg)
        self.column.addStretch(1)
        self.body.setUpdatesEnabled(True)

    def build(self, ctx: ScreenContext, arg: str) -> None:
        raise NotImplementedError

    def _kept(self) -> set[QWidget]:
        return set(self._pool)

    def button(self, key: str, text: str, pixmap: QPixmap | None = None, vertical: bool = False,
               trailing: QPixmap | None = None, rich: bool = False,
               ctx: ScreenContext | None = None, lang: str = "") -> TouchButton:  # fmt: skip
        """A tile or row for this render: reused from earlier renders when possible. With ``ctx``, it carries a
        speaker mark that reads its label, if a voice reads ``lang`` (default: the visitor's language)."""
        while self._pool_used < len(self._pool):
            candidate = self._pool[self._pool_used]
            self._pool_used += 1
            if candidate.vertical == vertical:
                candidate.set_content(key, text, pixmap, trailing, rich)
                candidate.show()
                self._mark(candidate, ctx, lang)
                return candidate
        button = TouchButton(key, text, pixmap, vertical, trailing)
        self._mark(button, ctx, lang)
        if rich:
            button.set_content(key, text, pixmap, trailing, rich)
        button.activated.connect(self.on_button)
        button.long_pressed.connect(self.on_long_press)
        self._pool.append(button)
        self._pool_used = len(self._pool)
        return button

    @staticmethod
    def _mark(button: TouchButton, ctx: ScreenContext | None, lang: str) -> None:
        if ctx is None or not ctx.can_say(lang or ctx.lang):
            button.set_speaker(None)
            return
        m = ctx.metrics
        button.set_speaker(ctx.icon("volume", m.bar_icon, m.palette.accent), m.target, ctx.text("listen"))

    def on_long_press(self, key: str, text: str) -> None:
        """A tile or row was held down: its label is read aloud."""
        self.speech_requested.emit(text, "")

    def on_button(self, key: str) -> None:
        """A tile or row of this screen was tapped."""
        self.navigation_requested.emit("answer", key)

    def reset_scroll(self) -> None:
        self.scroll_area.verticalScrollBar().setValue(0)

    def columns(self, wide: int, narrow: int) -> int:
        """Tiles per row: more in landscape than in portrait."""
        window = self.window()
        return wide if window.width() > window.height() else narrow

    def grid(self, columns: int, spacing: int = 0) -> QGridLayout:
        """A grid whose columns all have the same width, whatever their texts (spacing: two gaps unless given)."""
        grid = QGridLayout()
        spacing = spacing or (self.ctx.metrics.gap if self.ctx else 12) * 2
        grid.setSpacing(spacing)
        margins = self.column.contentsMargins()
        free = self.scroll_area.viewport().width() - margins.left() - margins.right() - spacing * (columns - 1)
        for column in range(columns):
            grid.setColumnStretch(column, 1)
            grid.setColumnMinimumWidth(column, max(0, free // columns - 1))
        self.column.addLayout(grid)
        return grid
