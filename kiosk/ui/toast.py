"""A short, non-blocking notice at the bottom of the window (e.g. "The guide has been updated").

It never takes a tap: touches pass through to the screen below, and it hides itself after a few seconds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget


class Toast(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setTextFormat(Qt.TextFormat.PlainText)  # screen texts come from the guide: never drawn as markup
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_text(self, text: str, seconds: float = 8.0) -> None:
        """Show ``text`` for ``seconds`` (0: until replaced or hidden), over whatever screen is showing."""
        self.setText(text)
        self.place()
        self.raise_()
        self.show()
        if seconds > 0:
            self._timer.start(round(seconds * 1000))
        else:
            self._timer.stop()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        margin = max(16, parent.width() // 40)
        width = min(parent.width() - 2 * margin, max(parent.width() * 2 // 3, 600))
        height = self.heightForWidth(width)
        self.setGeometry((parent.width() - width) // 2, parent.height() - height - margin, width, height)
