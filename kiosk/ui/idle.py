"""The "Are you still there?" overlay (the idle timer itself is kiosk.qt.idle.IdleGuard)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.ui.widgets import wrapping_label


class IdleOverlay(QWidget):
    """Full-screen "Are you still there?" with a countdown. A tap anywhere keeps the session.

    Signals:
        start_over_requested(): the visitor asked to start over now.
    """

    start_over_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.strings: dict[str, str] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = wrapping_label("", "idleTitle")
        self.count = wrapping_label("", "idleCount")
        self.explain = wrapping_label("", "")
        for label in (self.title, self.count, self.explain):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        self.stay = QPushButton()
        self.stay.setObjectName("primary")
        self.again = QPushButton()
        self.again.setObjectName("primary")
        self.again.clicked.connect(self.start_over_requested)
        self.stay.clicked.connect(self.hide)
        for button in (self.stay, self.again):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_countdown(self, seconds: int, strings: dict[str, str]) -> None:
        self.strings = strings
        self.title.setText(strings.get("still_there", ""))
        self.stay.setText(strings.get("still_here", ""))
        self.again.setText(strings.get("start_over", ""))
        self.update_countdown(seconds)
        parent = self.parentWidget()
        if parent is None:  # made with a parent (the window) and never reparented
            raise RuntimeError("the countdown overlay has no window to cover")
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def update_countdown(self, seconds: int) -> None:
        if not self.strings:  # never shown: there was nothing to forget
            return
        self.count.setText(str(seconds))
        self.explain.setText(self.strings.get("reset_countdown", "").replace("{seconds}", str(seconds)))
