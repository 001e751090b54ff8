"""The first screen: every language as a big button with its name in its own script (no flags)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel

from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, wrapping_label


class LanguageScreen(Screen):
    """Signals (besides Screen's): language_chosen(str) with the language code.

    Below the buttons an invitation ("Choose your language") turns through every language in its own words and
    script, the button of that language marked; it is said aloud, one round each time the screen is shown, only
    when the staff turned that on (``invite_aloud``: off by default, halls are shared)."""

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
        header = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(ctx.icon("language"))
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        languages = ctx.shown_languages()
        # The title in the source language and the two languages the others fall back to most (the shared
        # languages of the guide); every language also speaks for itself on its own button.
        source = ctx.store.language(ctx.store.source_language)
        fallbacks = Counter(code for lang in languages for code in lang.fallback if code != source.code)
        shared = [ctx.store.language(code) for code, _ in fallbacks.most_common(2)]
        titles: list[str] = []
        for lang in [source, *shared]:
            text = ctx.store.ui_strings(lang.code).get("choose_language", "")
            if text and text not in titles:
                titles.append(text)
        title = wrapping_label(" · ".join(titles), "screenTitle")
        header.addWidget(title, 1)
        self.column.addLayout(header)
        cols = self.columns(3, 2)
        grid = self.grid(cols)
        rows = -(-len(languages) // cols)
        free = self.window().height() - ctx.metrics.row_height * 3
        height = max(
            ctx.metrics.row_height, min(ctx.metrics.row_height * 2, free // max(1, rows) - ctx.metrics.gap * 2)
        )
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
            sheet = f"QPushButton#language {{ min-height: {height}px; max-height: {height}px; }}"
            if button.styleSheet() != sheet:  # setting a style sheet re-polishes: only when it changes
                button.setStyleSheet(sheet)
            grid.addWidget(button, index // cols, index % cols)
            self.buttons.append(button)
        self.invitation = wrapping_label("", "invitation")
        self.invitation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.addWidget(self.invitation)
        self._invites = [
            (lang.code, text, lang.rtl)
            for lang in languages
            if (text := ctx.store.ui_strings(lang.code).get("choose_language", ""))
        ]
        self._invite_aloud = ctx.invite_aloud
        self._can_say = ctx.can_say
        if not hasattr(self, "_invite_timer"):
            self._invite_timer = QTimer(self, interval=self.INVITE_MS)
            self._invite_timer.timeout.connect(self._next_invitation)
        self._invite_index, self._spoken_round = -1, 0
        self._next_invitation()
        self._invite_timer.start()

    def _next_invitation(self) -> None:
        """Show (and, if the staff want it, say) the invitation in the next language; mark its button."""
        if not self._invites or (not self.isVisible() and self._invite_index >= 0):
            self._invite_timer.stop()
            return
        self._invite_index = (self._invite_index + 1) % len(self._invites)
        code, text, rtl = self._invites[self._invite_index]
        self.invitation.setText(text)
        self.invitation.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
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

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if getattr(self, "_invites", None):  # one spoken round each time it is built (shown again)
            self._invite_timer.start()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().hideEvent(event)
        if hasattr(self, "_invite_timer"):
            self._invite_timer.stop()
