"""The bar that is always there: Home, Back, the current language, text size, contrast, search."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from kiosk.ui.context import ScreenContext
from kiosk.ui.widgets import HoldToHear


class TopBar(QFrame):
    """Signals: home_pressed, back_pressed, language_pressed, text_size_pressed, contrast_pressed, search_pressed,
    label_requested(str) (a button was held down: read its label)."""

    home_pressed = Signal()
    back_pressed = Signal()
    language_pressed = Signal()
    text_size_pressed = Signal()
    contrast_pressed = Signal()
    search_pressed = Signal()
    label_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = self._row = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.home = self._button(self.home_pressed)
        self.back = self._button(self.back_pressed)
        layout.addWidget(self.home)
        layout.addWidget(self.back)
        layout.addStretch(1)
        self.search = self._button(self.search_pressed)
        self.language = self._button(self.language_pressed)
        self.text_size = self._button(self.text_size_pressed)
        self.contrast = self._button(self.contrast_pressed)
        for button in (self.search, self.language, self.text_size, self.contrast):
            layout.addWidget(button)
        self._hold = HoldToHear(self)
        self._hold.held.connect(self.label_requested)
        for button in (self.home, self.back, self.search, self.language, self.text_size, self.contrast):
            self._hold.watch(button)

    def _button(self, signal: SignalInstance) -> QToolButton:
        button = QToolButton()
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(signal)
        return button

    def show_content(self, ctx: ScreenContext, can_go_back: bool, width: int) -> None:
        """Show the buttons in ``ctx``'s language; drop labels (least needed first) until they fit ``width``."""
        state = (id(ctx.store), ctx.lang, ctx.metrics, width)
        self.back.setEnabled(can_go_back)
        if state == getattr(self, "_state", None):
            return  # nothing changed: no new icons, no relayout (this runs on every tap)
        self._state = state
        m = ctx.metrics
        colour = m.palette.accent_text
        size = QSize(m.bar_icon, m.bar_icon)
        items = [
            (self.home, "home", ctx.text("home")),
            (self.back, "arrow-left", ctx.text("back")),
            (self.search, "search", ctx.text("search")),
            (self.language, "language", ctx.language.name),
            (self.text_size, "text-size", ctx.text("text_size")),
            (self.contrast, "contrast", ctx.text("contrast")),
        ]
        for button, icon, text in items:
            button.setIcon(ctx.icons.icon(icon, m.bar_icon, colour, ctx.rtl))
            button.setIconSize(size)
            button.setAccessibleName(text)
            button.setToolTip("")
        self.back.setEnabled(can_go_back)
        # Labels go in this order when space runs out; the language's own name always stays.
        steps = [(), (self.contrast, self.text_size), (self.search,), (self.back, self.home)]
        hidden: set[QToolButton] = set()
        for step in steps:
            hidden.update(step)
            self._label(items, hidden)
            margins = self._row.contentsMargins()
            needed = sum(b.sizeHint().width() for b, _, _ in items) + self._row.spacing() * 6
            if needed + margins.left() + margins.right() <= width:
                break

    @staticmethod
    def _label(items: list[tuple[QToolButton, str, str]], hidden: set[QToolButton]) -> None:
        for button, _icon, text in items:
            button.setText("" if button in hidden else text)
            button.setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonTextBesideIcon if button.text() else Qt.ToolButtonStyle.ToolButtonIconOnly
            )
