"""A large PIN pad over the whole window: digits, delete, OK, cancel; the PIN shows as dots only."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.pin import MAX_DIGITS
from kiosk.ui.icons import IconSet
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import wrapping_label

DELETE = "delete"


class PinPad(QWidget):
    """Signals:
    entered(str): OK was pressed with this PIN (the pad clears itself).
    cancelled(): the person gave up.
    """

    entered = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget, icons: IconSet) -> None:
        super().__init__(parent)
        self.icons = icons
        self.setObjectName("staffOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # digits are laid out the same everywhere
        self.lang = "nl"
        self.pin = ""
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = wrapping_label("", "screenTitle")
        self.dots = wrapping_label("", "pinDots")
        self.message = wrapping_label("", "muted")
        for label in (self.title, self.dots, self.message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            outer.addWidget(label)
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for index, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", DELETE, "0", "OK"]):
            button = QPushButton("" if key == DELETE else key)
            button.setObjectName("key" if key != "OK" else "primary")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, k=key: self.press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[key] = button
        outer.addLayout(grid)
        row = QHBoxLayout()
        self.cancel = QPushButton()
        self.cancel.setObjectName("primary")
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        row.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addLayout(row)
        self.hide()

    def open(self, lang: str, message: str = "") -> None:
        self.lang = lang
        self.pin = ""
        self.title.setText(staff_text(lang, "pin_title"))
        size = 56
        self.keys[DELETE].setIcon(self.icons.icon("backspace", size, "#1A1A1A"))
        self.keys[DELETE].setIconSize(QSize(size, size))
        self.cancel.setText(staff_text(lang, "cancel"))
        self.keys["OK"].setText(staff_text(lang, "ok"))
        self.show_message(message)
        self._update()
        parent = self.parentWidget()
        if parent is None:  # made with a parent (the window) and never reparented
            raise RuntimeError("the PIN pad has no window to cover")
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def show_message(self, message: str) -> None:
        self.message.setText(message)

    def set_busy(self, busy: bool) -> None:
        for button in self.keys.values():
            button.setEnabled(not busy)
        if busy:
            self.show_message(staff_text(self.lang, "pin_checking"))

    def press(self, key: str) -> None:
        if key == DELETE:
            self.pin = self.pin[:-1]
        elif key == "OK":
            if self.pin:
                pin, self.pin = self.pin, ""
                self._update()
                self.entered.emit(pin)
            return
        elif len(self.pin) < MAX_DIGITS:
            self.pin += key
        self._update()

    def _update(self) -> None:
        self.dots.setText(" ".join("•" * len(self.pin)) if self.pin else "—")

    def _on_cancel_clicked(self) -> None:
        self.pin = ""
        self.hide()
        self.cancelled.emit()
