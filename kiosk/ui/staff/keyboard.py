"""An on-screen keyboard for the staff view's text settings (sync address, channel, centre name).

A kiosk has a touchscreen and often no keyboard: a tap in a text field opens these keys under the page,
Belgian AZERTY with digits, the signs of a web address and the accented letters of Dutch and French names.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.guide import Keyboard
from kiosk.ui.keyboard import OnScreenKeyboard

REVEAL_MARGIN = 24  # px kept free above and below the field being typed in
# The labels the keys take from the staff texts (kiosk/ui/staff/texts.py).
KEY_LABELS = ("keyboard_clear", "keyboard_space", "keyboard_delete", "key_shift", "key_done")
ROWS = (
    "1234567890",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn.-_@",
    ":/?=&,éèàç",
)


LAYOUT = Keyboard(name="staff", script="Latn", picker=None, rows=tuple(tuple(row) for row in ROWS))


class StaffKeyboard(QWidget):
    """Keys that type into the text field last tapped; hidden until one is tapped, and by Done."""

    def __init__(self, labels: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffKeyboard")
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.labels = labels
        self.target: QLineEdit | None = None
        self.upper = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.keys = OnScreenKeyboard(self)
        self.keys.set_layout(LAYOUT, labels)
        self._layouts: dict[str, Keyboard] = {}
        self._shown = LAYOUT
        self.keys.text_typed.connect(self._on_keys_text_typed)
        self.keys.backspace_pressed.connect(self._on_keys_backspace_pressed)
        self.keys.clear_pressed.connect(self._on_keys_clear_pressed)
        column.addWidget(self.keys)
        row = QHBoxLayout()
        self.shift = QPushButton(labels["key_shift"])
        self.done = QPushButton(labels["key_done"])
        for button in (self.shift, self.done):
            button.setObjectName("key")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.shift.setCheckable(True)
        self.shift.toggled.connect(self._on_shift_toggled)
        self.done.clicked.connect(self.close_keys)
        row.addWidget(self.shift, 1)
        row.addStretch(2)
        row.addWidget(self.done, 1)
        column.addLayout(row)
        self.hide()

    def watch(self, edit: QLineEdit, layout: Keyboard | None = None) -> None:
        """Open the keys for ``edit`` when it is tapped: these (Belgian AZERTY) or ``layout``'s (a language's
        keys from the guide, e.g. for a reviewer's note in Tigrinya)."""
        edit.setProperty("keys", layout.name if layout is not None else "")
        if layout is not None:
            self._layouts[layout.name] = layout
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.FocusIn:  # a tap focuses the field
            self.open_for(watched)
        return False

    def open_for(self, edit: QLineEdit) -> None:
        self.target = edit
        wanted = self._layouts.get(str(edit.property("keys") or ""), LAYOUT)
        if wanted is not self._shown:
            self._shown = wanted
            self.keys.set_layout(wanted, self.labels)
            self.shift.setVisible(wanted is LAYOUT)
        self.show()
        QTimer.singleShot(0, self._reveal_target)  # once the keys have taken their room

    def _reveal_target(self) -> None:
        """Scroll the field into view above the keys."""
        # the pages give up the keys' room through posted layout requests: let them land, then scroll
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        area = self.target.parentWidget() if self.target is not None else None
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        content = area.widget() if area is not None else None
        if area is None or self.target is None or content is None:
            return
        top = self.target.mapTo(content, QPoint(0, 0)).y() - REVEAL_MARGIN
        bottom = top + self.target.height() + 2 * REVEAL_MARGIN
        bar = area.verticalScrollBar()
        if bottom > bar.value() + area.viewport().height():
            bar.setValue(bottom - area.viewport().height())
        elif top < bar.value():
            bar.setValue(top)

    def close_keys(self) -> None:
        if self.target is not None:
            self.target.clearFocus()
        self.target = None
        self.hide()

    def _on_keys_text_typed(self, text: str) -> None:
        if self.target is not None:
            self.target.insert(text.upper() if self.upper else text)

    def _on_keys_backspace_pressed(self) -> None:
        if self.target is not None:
            self.target.backspace()

    def _on_keys_clear_pressed(self) -> None:
        if self.target is not None:
            self.target.clear()

    def _on_shift_toggled(self, upper: bool) -> None:
        """Capitals: the letter keys show and type them (relabelled, not rebuilt, so nothing moves)."""
        self.upper = upper
        for key, button in self.keys.keys.items():
            if len(key) == 1 and key.isalpha():
                button.setText(key.upper() if upper else key)
