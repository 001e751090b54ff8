"""One visitor's session: where they are, where they came from, and how they want to read (no widgets).

The session holds the language, the route and the way back, the text size, the contrast and the audience, and
the rules for moving between screens. The window renders it; it can be driven and tested without any widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

TEXT_STEP_COUNT = 3  # normal, large, larger: kiosk.ui.theme.TEXT_STEPS has the sizes
MAX_HISTORY = 50  # steps Back can retrace; nobody goes back further, and memory stays flat


class ScreenName(StrEnum):
    LANGUAGE = "language"
    HOME = "home"
    TOPIC = "topic"
    ANSWER = "answer"
    SEARCH = "search"


@dataclass(frozen=True)
class Route:
    """A screen and what it shows (a topic id, a question id, or nothing)."""

    screen: ScreenName
    arg: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "screen", ScreenName(self.screen))  # "home" -> ScreenName.HOME; unknown: error


START = Route(ScreenName.LANGUAGE)
HOME = Route(ScreenName.HOME)


class VisitorSession(QObject):
    """Signals:
    route_changed(object, bool): the visitor is now on this Route; fresh (a new visit: scroll to the top) or not.
    opened(str, str): the visitor went to a screen by choice (not back, not by changing language).
    language_changed(str): the visitor chose a language.
    looks_changed(): text size or contrast changed (the current screen is drawn again, in place).
    reset_done(): everything was forgotten for the next person.
    """

    route_changed = Signal(object, bool)
    opened = Signal(str, str)
    language_changed = Signal(str)
    looks_changed = Signal()
    reset_done = Signal()

    def __init__(self, default_language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.default_language = default_language
        self.default_text_step = 0
        self.audience: str | None = None  # None: everyone's questions (kiosk.settings.Config.audience)
        self.lang = default_language
        self.route = START
        self.history: list[Route] = []
        self.text_step = 0
        self.high_contrast = False

    # --- where the visitor is ----------------------------------------------------------------------
    def is_at_start(self) -> bool:
        return self.route == START and not self.history

    def is_untouched(self) -> bool:
        """Nothing to forget: at the start, in the default language, size and contrast."""
        return (
            self.is_at_start()
            and self.text_step == self.default_text_step
            and not self.high_contrast
            and self.lang == self.default_language
        )

    @property
    def can_go_back(self) -> bool:
        return bool(self.history)

    # --- moving ------------------------------------------------------------------------------------
    def go(self, route: Route) -> None:
        if route == self.route:
            return
        if route == HOME:
            self.history = [START]  # Home always leads back to the language screen
        else:
            self.history.append(self.route)
            del self.history[:-MAX_HISTORY]
        self._arrive(route, fresh=True)
        self.opened.emit(route.screen.value, route.arg)

    def back(self) -> None:
        if self.history:
            self._arrive(self.history.pop(), fresh=True)

    def choose_language(self, code: str) -> None:
        """Switch to ``code`` and return to where the visitor was before the language screen (or Home)."""
        self.lang = code
        self.language_changed.emit(code)
        previous = self.history[-1] if self.history else None
        if previous is not None and previous.screen != ScreenName.LANGUAGE:
            self.history.pop()
            self._arrive(previous, fresh=True)
        else:
            self.history = [START]
            self._arrive(HOME, fresh=True)

    def next_text_size(self) -> None:
        self.text_step = (self.text_step + 1) % TEXT_STEP_COUNT
        self.looks_changed.emit()

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self.looks_changed.emit()

    def reset(self) -> None:
        """Forget the visitor: the way back, sizes, contrast and language; back to the start."""
        self.history = []
        self.text_step = self.default_text_step
        self.high_contrast = False
        self.lang = self.default_language
        self.route = START  # already at the start while those who listen forget (a new guide may come in now)
        self.reset_done.emit()
        self._arrive(START, fresh=True)

    def keep_language_of(self, codes: set[str], default_language: str) -> None:
        """A new guide is shown: its source language is the new default; a language it lacks falls back to it."""
        self.default_language = default_language
        if self.lang not in codes:
            self.lang = default_language

    def _arrive(self, route: Route, fresh: bool) -> None:
        self.route = route
        self.route_changed.emit(route, fresh)
