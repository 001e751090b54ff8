"""The on-screen keyboard for search. Layouts come from the guide database (content/keyboards/)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.guide import Keyboard, ethiopic_vowel_forms
from kiosk.ui.screens.base import clear_layout


class WordKey(QPushButton):
    """A key with a word on it (Clear all, Space, Delete, the language's name): the word is set smaller when the
    key is too narrow for it in this language (never below half its size), so it is never cut."""

    PADDING = 14  # the key's border and a little air on each side, together

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self._base = 0

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        if not self.styleSheet():
            self._base = self.font().pixelSize()  # the size the window's style gives keys
        if self._base <= 0:
            return
        room = self.width() - self.PADDING
        size = self._base
        font = self.font()
        while size > self._base // 2:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            size -= 1
        sheet = "" if size == self._base else f"font-size: {size}px;"
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)


class OnScreenKeyboard(QWidget):
    """Keys in rows as on a physical keyboard (always left to right), plus space, delete and clear.

    With a ``vowels`` picker (Ethiopic), a consonant key shows its vowel forms in a row above the keys.

    Signals:
        text_typed(str): a character to add.
        backspace_pressed(): delete the last character.
        clear_pressed(): delete everything.
    """

    text_typed = Signal(str)
    backspace_pressed = Signal()
    clear_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.rows = QVBoxLayout(self)
        self.rows.setSpacing(6)
        self.picker = QHBoxLayout()
        self.keys: dict[str, QPushButton] = {}
        self.picker_keys: dict[str, QPushButton] = {}
        self._labels: dict[str, str] = {}
        self._own: Keyboard | None = None
        self._latin: Keyboard | None = None
        self._own_label = ""

    def set_layout(self, keyboard: Keyboard, labels: dict[str, str], latin: Keyboard | None = None,
                   own_label: str = "") -> None:  # fmt: skip
        """Show ``keyboard``; with ``latin``, a key switches to Latin letters ("ABC") and back (``own_label``):
        the answers of every script name things in Latin letters (OCMW, Fedasil)."""
        self._labels, self._own, self._latin, self._own_label = labels, keyboard, latin, own_label
        self._show(keyboard)

    def switch_letters(self) -> None:
        """From the language's own letters to Latin ones, or back."""
        if self._latin is not None and self._own is not None:
            self._show(self._latin if self.keyboard is self._own else self._own)

    def _show(self, keyboard: Keyboard) -> None:
        labels = self._labels
        clear_layout(self.rows)
        self.keys.clear()
        self.keyboard = keyboard
        self.picker = QHBoxLayout()
        self.picker.setSpacing(6)
        self.rows.addLayout(self.picker)
        for row in keyboard.rows:
            line = QHBoxLayout()
            line.setSpacing(6)
            for key in row:
                line.addWidget(self._key(key, key, partial(self._on_key, key)))
            self.rows.addLayout(line)
        bottom = QHBoxLayout()
        if self._latin is not None:
            label = "ABC" if keyboard is self._own else (self._own_label or keyboard.script)
            bottom.addWidget(self._key("letters", label, self.switch_letters), 2)
        bottom.addWidget(self._key("clear", labels.get("keyboard_clear", "×"), self.clear_pressed.emit), 3)
        bottom.addWidget(self._key(" ", labels.get("keyboard_space", "␣"), lambda: self.text_typed.emit(" ")), 4)
        bottom.addWidget(self._key("backspace", labels.get("keyboard_delete", "⌫"), self.backspace_pressed.emit), 3)
        self.rows.addLayout(bottom)

    def _key(self, name: str, label: str, slot) -> QPushButton:  # type: ignore[no-untyped-def]
        text = label.replace("&", "&&")  # a lone & would mark a shortcut and not be shown
        button = WordKey(text) if len(label) > 1 else QPushButton(text)
        button.setObjectName("key")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        self.keys[name] = button
        return button

    def _on_key(self, key: str) -> None:
        if self.keyboard.picker == "vowels" and len(ethiopic_vowel_forms(key)) > 1:
            self._show_vowels(key)
        else:
            self.text_typed.emit(key)  # a digit or a sign has no vowel forms: typed at once

    def _show_vowels(self, consonant: str) -> None:
        clear_layout(self.picker)
        self.picker_keys = {}
        for form in ethiopic_vowel_forms(consonant):
            button = QPushButton(form)
            button.setObjectName("key")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(partial(self._pick, form))
            self.picker.addWidget(button)
            self.picker_keys[form] = button

    def _pick(self, form: str) -> None:
        clear_layout(self.picker)
        self.picker_keys = {}
        self.text_typed.emit(form)
