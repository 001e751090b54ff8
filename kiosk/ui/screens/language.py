"""The first screen: every language as a big button with its name in its own script (no flags)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from kiosk.guide import Language
from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import BUTTON_MARGINS, BUTTON_SIDES, BUTTON_SPACING, TouchButton, wrapping_label


def _font(pixels: int) -> QFont:
    font = QFont(QApplication.font())
    font.setPixelSize(pixels)
    font.setBold(True)
    return font


def _text_height(text: str, pixels: int, width: int) -> int:
    """Height of ``text`` in bold at ``pixels``, wrapped at ``width`` (with the fallback fonts of every script)."""
    flags = int(Qt.TextFlag.TextWordWrap)
    return QFontMetrics(_font(pixels)).boundingRect(QRect(0, 0, max(1, width), 100_000), flags, text).height()


def _text_width(text: str, pixels: int) -> int:
    return QFontMetrics(_font(pixels)).horizontalAdvance(text)


class LanguageScreen(Screen):
    """Signals (besides Screen's): language_chosen(str) with the language code.

    Every language is on screen at once, at every text size and in both orientations. The heading, an invitation
    ("Choose your language"), turns through every language in its own words, script and direction, the button of
    that language marked; it is said aloud, one round each time the screen is shown, only when the staff turned
    that on (``invite_aloud``: off by default, halls are shared)."""

    name = "language"
    language_chosen = Signal(str)
    INVITE_MS = 3500

    def on_button(self, key: str) -> None:
        self.language_chosen.emit(key)

    def on_long_press(self, key: str, text: str) -> None:
        """Each language's name is said in its own voice."""
        language = self.ctx.store.language(key) if self.ctx else None
        self.speech_requested.emit(language.name if language else text, key)

    def build(self, ctx: ScreenContext, arg: str) -> None:
        languages = ctx.shown_languages()
        m = ctx.metrics
        self._invites = [
            (lang.code, text, lang.rtl)
            for lang in languages
            if (text := ctx.store.ui_strings(lang.code).get("choose_language", ""))
        ]
        # The heading is the invitation, in each language in turn and in that language's direction (the icon
        # leads, on the right in a right-to-left language); as high as the tallest of them, so nothing moves.
        self.heading = QWidget()
        self.heading.setObjectName("languageHeading")
        row = QHBoxLayout(self.heading)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(m.gap * 2)
        icon = QLabel()
        icon.setPixmap(ctx.icon("language"))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self.invitation = wrapping_label("", "invitation")
        self.invitation.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.invitation, 1)
        margins = self.column.contentsMargins()
        width = self.scroll_area.viewport().width() - margins.left() - margins.right()
        text_width = width - m.icon - m.gap * 2
        heading = max([_text_height(text, m.title, text_width) for _, text, _ in self._invites] + [m.icon])
        self.heading.setFixedHeight(heading)
        self.column.addWidget(self.heading)

        cols, height, spacing, name_size = self._layout(ctx, languages, width, heading)
        grid = self.grid(cols, spacing)
        self.buttons: list[TouchButton] = []
        for index, lang in enumerate(languages):
            button = self.button(lang.code, lang.name, vertical=False, ctx=ctx, lang=lang.code)
            button.setObjectName("language")
            button.text_label.setObjectName("languageText")
            button.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            button.text_label.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if lang.rtl else Qt.LayoutDirection.LeftToRight
            )
            button.setAccessibleName(f"{lang.name} ({lang.english})")
            inner = height - 8  # a style sheet's height leaves out the border and padding (4 px each side)
            sheet = (f"QPushButton#language {{ min-height: {inner}px; max-height: {inner}px; }}"
                     f" QLabel#languageText {{ font-size: {name_size}px; }}")  # fmt: skip
            if button.styleSheet() != sheet:  # setting a style sheet re-polishes: only when it changes
                button.setStyleSheet(sheet)
            grid.addWidget(button, index // cols, index % cols)
            self.buttons.append(button)
        self._invite_aloud = ctx.invite_aloud
        self._can_say = ctx.can_say
        if not hasattr(self, "_invite_timer"):
            self._invite_timer = QTimer(self, interval=self.INVITE_MS)
            self._invite_timer.timeout.connect(self._next_invitation)
        self._invite_index, self._spoken_round = -1, 0
        self._next_invitation()
        self._invite_timer.start()

    def _layout(self, ctx: ScreenContext, languages: list[Language], width: int, heading: int) -> tuple[int, ...]:
        """Columns, button height, spacing and name size that show every language at once (no scrolling): the
        fewest columns whose buttons are high enough for a name; a name that would not fit its button's width is
        set smaller (never below the body text), so no name is cut."""
        m = ctx.metrics
        margins = self.column.contentsMargins()
        # The screen's own height: its scroll area fills it, and the viewport's may not have followed it yet
        viewport = min(self.scroll_area.viewport().height(), self.height()) or self.window().height() - m.row_height
        self._built_for = self.height()
        free = viewport - margins.top() - margins.bottom() - heading - self.column.spacing()
        names = [lang.name for lang in languages] or [""]
        speaker = m.target + BUTTON_SPACING if any(ctx.can_say(lang.code) for lang in languages) else 0
        first = self.columns(3, 2)
        best: tuple[int, ...] = ()
        for cols in range(first, first + 3):
            rows = -(-len(languages) // cols)
            for spacing in (m.gap * 2, m.gap):
                height = (free - spacing * (rows - 1)) // max(1, rows)
                room = (width - spacing * (cols - 1)) // cols - BUTTON_SIDES - speaker - 4  # 4: rounding
                for size in range(m.title, m.body - 1, -1):
                    if max(_text_width(word, size) for name in names for word in name.split()) > room:
                        continue  # a word would be cut
                    need = max(_text_height(name, size, room) for name in names) + BUTTON_MARGINS + 8  # + border
                    if height >= need:
                        return cols, min(height, m.row_height * 2), spacing, size
                best = best or (cols, max(m.target, height), spacing, m.body)
        return best  # nothing fits (a tiny window): the fewest columns, scrolling

    def _next_invitation(self) -> None:
        """Show (and, if the staff want it, say) the invitation in the next language; mark its button."""
        if not self._invites or (not self.isVisible() and self._invite_index >= 0):
            self._invite_timer.stop()
            return
        self._invite_index = (self._invite_index + 1) % len(self._invites)
        code, text, rtl = self._invites[self._invite_index]
        self.invitation.setText(text)
        self.heading.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        for button in self.buttons:
            invited = button.key == code
            if button.property("invited") != invited:
                button.setProperty("invited", invited)
                button.style().unpolish(button)
                button.style().polish(button)
        if self._invite_aloud and self._spoken_round < len(self._invites):
            self._spoken_round += 1
            if self._can_say(code):
                self.speech_requested.emit(text, code)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Built for the room it had: when the bars above settle at a new text size, or the window turns, the
        buttons are sized again (once the resizing is over)."""
        super().resizeEvent(event)
        moved = abs(event.size().height() - getattr(self, "_built_for", 0)) > 2
        if self.ctx is not None and moved and not getattr(self, "_resize_pending", False):
            self._resize_pending = True
            QTimer.singleShot(0, self._rebuild)

    def _rebuild(self) -> None:
        self._resize_pending = False
        if self.ctx is not None and self.isVisible():
            self.show_content(self.ctx, self.arg)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if getattr(self, "_invites", None):  # one spoken round each time it is built (shown again)
            self._invite_timer.start()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().hideEvent(event)
        if hasattr(self, "_invite_timer"):
            self._invite_timer.stop()
