"""The kiosk window: top bar, the screens, navigation history, language switching, idle reset, reload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from kiosk.contrib.store import Contributions
from kiosk.guide import GuideStore
from kiosk.qt.current_guide import CurrentGuide
from kiosk.qt.session import HOME, START, Route, ScreenName, VisitorSession
from kiosk.ui import fonts
from kiosk.ui.context import ScreenContext
from kiosk.ui.icons import IconSet
from kiosk.ui.idle import IdleOverlay
from kiosk.ui.screens.answer import AnswerScreen
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.language import LanguageScreen
from kiosk.ui.screens.search import SearchScreen
from kiosk.ui.screens.topic import TopicScreen
from kiosk.ui.style import stylesheet
from kiosk.ui.theme import Metrics
from kiosk.ui.toast import Toast
from kiosk.ui.topbar import TopBar

if TYPE_CHECKING:
    from kiosk.qt.speech import SpeechService
    from kiosk.ui.staff.controller import StaffController

log = logging.getLogger(__name__)


class _Screens(dict[str, Screen]):
    """The screens made so far; asking for another one makes it."""

    def __init__(self, make: Callable[[str], Screen]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, name: str) -> Screen:
        screen = self._make(name)
        self[name] = screen
        return screen


__all__ = ["START", "KioskWindow", "Route", "ScreenName"]  # Route and START are the session's, re-exported
SCREENS: dict[ScreenName, Callable[[], Screen]] = {
    ScreenName.LANGUAGE: LanguageScreen, ScreenName.HOME: HomeScreen, ScreenName.TOPIC: TopicScreen,
    ScreenName.ANSWER: AnswerScreen, ScreenName.SEARCH: SearchScreen,
}  # fmt: skip


class KioskWindow(QWidget):
    """Signals:
    navigated(str, str): a screen was shown or re-rendered (screen name, argument).
    screen_opened(str, str): a visitor went to a screen (not back to one, not a re-render for text size).
    searched(str): a visitor left the search screen having typed something (the language; never the text).
    language_changed(str): the visitor chose a language.
    session_reset(): everything was reset for the next person (speech must stop).
    guide_reloaded(int): a newer guide is now shown (its content version).
    visitor_paused(), visitor_resumed(): staff mode took over, or gave the kiosk back (the idle reset waits).
    """

    navigated = Signal(str, str)
    screen_opened = Signal(str, str)
    searched = Signal(str)
    language_changed = Signal(str)
    session_reset = Signal()
    guide_reloaded = Signal(int)
    visitor_paused = Signal()
    visitor_resumed = Signal()

    def __init__(self, guide: CurrentGuide | GuideStore, icons: IconSet, allow_close: bool = False,
                 session: VisitorSession | None = None) -> None:  # fmt: skip
        """``guide``: the kiosk's current guide (a bare GuideStore for a window on one guide)."""
        super().__init__()
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.guide = guide if isinstance(guide, CurrentGuide) else CurrentGuide(guide, self, poll_ms=0)
        store = self.guide.store
        self.icons = icons
        self.allow_close = allow_close
        self.session = session or VisitorSession(store.source_language, self)
        self.staff_factory: Callable[[], StaffController] | None = None
        self._staff: StaffController | None = None
        self.language_order: tuple[str, ...] = ()
        self._counted_query = ""
        self.speech: SpeechService | None = None
        self.read_answers_aloud = False  # the staff's setting: each answer is read aloud as it opens
        self.invite_aloud = False  # the staff's setting: the language screen says its invitation aloud
        self.contributions: Contributions | None = None  # recordings and reviews made on this kiosk
        self._shown: Route | None = None  # the route on screen (the session may have moved on already)
        self.bar = TopBar()
        self.stack = QStackedWidget()
        # Screens are made when first shown: the first screen paints sooner.
        self.screens = _Screens(self._make_screen)
        self.language_screen.language_chosen.connect(self.choose_language)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # The window's size is the screen's: screens must not push new minimum sizes to the window system.
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        self.overlay = IdleOverlay(self)
        self.toast = Toast(self)
        self.overlay.start_over_requested.connect(self.reset_session)
        self.bar.home_pressed.connect(lambda: self.go(HOME))
        self.bar.back_pressed.connect(self.back)
        self.bar.language_pressed.connect(lambda: self.go(START))
        self.bar.search_pressed.connect(lambda: self.go(Route(ScreenName.SEARCH)))
        self.bar.text_size_pressed.connect(self.session.next_text_size)
        self.bar.contrast_pressed.connect(self.session.toggle_contrast)
        self.session.route_changed.connect(self._on_session_route_changed)
        self.session.opened.connect(self.screen_opened)
        self.session.language_changed.connect(self.language_changed)
        self.session.language_changed.connect(self._on_session_language_changed)
        self.session.looks_changed.connect(self.refresh)
        self.session.reset_done.connect(self._on_session_reset_done)
        self.guide.safe_moment = self.nobody_is_reading
        self.guide.replaced.connect(self._on_guide_replaced)
        self._last_shape: tuple[bool, int] | None = None  # the first resize renders the first screen
        self._applied_metrics: Metrics | None = None

    @property
    def store(self) -> GuideStore:
        """The current guide, at the moment of asking."""
        return self.guide.store

    # --- the session's state, as the window's (for the composition root, staff mode and tests) --------
    @property
    def lang(self) -> str:
        return self.session.lang

    @property
    def route(self) -> Route:
        return self.session.route

    @property
    def history(self) -> list[Route]:
        return self.session.history

    @property
    def text_step(self) -> int:
        return self.session.text_step

    @property
    def high_contrast(self) -> bool:
        return self.session.high_contrast

    @property
    def audience(self) -> str | None:
        return self.session.audience

    def _make_screen(self, name: str) -> Screen:
        screen = SCREENS[ScreenName(name)]()
        self.stack.addWidget(screen)
        screen.navigation_requested.connect(self._on_screen_navigation_requested)
        if self.speech is not None:
            self._connect_speech(screen)
        return screen

    # --- state -------------------------------------------------------------------------------------
    @property
    def language_screen(self) -> LanguageScreen:
        return self.screens["language"]  # type: ignore[return-value]

    @property
    def search_screen(self) -> SearchScreen:
        return self.screens["search"]  # type: ignore[return-value]

    @property
    def staff(self) -> StaffController:
        """Staff mode, built the first time it is needed (not at start-up: the first screen comes first)."""
        if self._staff is None:
            if self.staff_factory is None:
                raise RuntimeError("staff mode is not wired (see kiosk.app.build_window)")
            self._staff = self.staff_factory()
        return self._staff

    @property
    def staff_built(self) -> bool:
        return self._staff is not None

    @property
    def current(self) -> Screen:
        return self.screens[self.route.screen]

    def attach_speech(self, speech: SpeechService) -> None:
        """Let the answers be heard; speech stops whenever the visitor moves on or leaves."""
        self.speech = speech
        self.navigated.connect(lambda _screen, _arg: speech.stop())
        self.language_changed.connect(lambda _code: speech.stop())
        self.language_changed.connect(speech.prepare)  # a neural voice loads while the visitor looks around
        self.session_reset.connect(speech.reset)
        speech.use_guide(self.guide)
        for screen in self.screens.values():
            self._connect_speech(screen)
        self.bar.label_requested.connect(lambda text: self._on_screen_speech_requested(text, ""))
        speech.voices_checked.connect(lambda _voiced: self.refresh())  # speaker marks only where a voice reads

    def _connect_speech(self, screen: Screen) -> None:
        assert self.speech is not None
        screen.speech_requested.connect(self._on_screen_speech_requested)
        if isinstance(screen, AnswerScreen):
            screen.attach_speech(self.speech)

    def _on_screen_speech_requested(self, text: str, lang: str) -> None:
        if self.speech is not None:
            self.speech.speak("label", [text], lang or self.lang, slow=self.speech.slow)

    def context(self) -> ScreenContext:
        screen = self.screen() or QGuiApplication.primaryScreen()
        dpi = screen.physicalDotsPerInch() if screen else 0.0
        metrics = Metrics.for_screen(self.width(), self.height(), dpi, self.text_step, self.high_contrast)
        speech = self.speech
        voiced = None
        if speech is not None and speech.voices:
            voiced = frozenset(lang.code for lang in self.store.languages() if speech.has_voice(lang.code))
        return ScreenContext(
            self.store, self.store.language(self.lang), self.store.ui_strings(self.lang), metrics, self.icons,
            self.audience, self.language_order, voiced, self.invite_aloud, self.contributions,
        )  # fmt: skip

    def is_at_start(self) -> bool:
        return self.session.is_at_start()

    # --- navigation: the session moves, the window renders ------------------------------------------
    def go(self, route: Route) -> None:
        self.session.go(route)

    def back(self) -> None:
        self.session.back()

    def _on_screen_navigation_requested(self, screen: str, arg: str) -> None:
        self.go(Route(ScreenName(screen), arg))

    def choose_language(self, code: str) -> None:
        """Switch every visible screen to ``code`` (mirrored for right-to-left) without restarting."""
        self.session.choose_language(code)

    def _on_session_route_changed(self, route: Route, fresh: bool) -> None:
        self._render(fresh)
        if fresh and self.read_answers_aloud and route.screen == ScreenName.ANSWER:
            screen = self.current
            if isinstance(screen, AnswerScreen):
                QTimer.singleShot(0, screen.read_aloud)  # after the navigation has stopped the last voice

    def _show(self, ctx: ScreenContext, fresh: bool) -> None:
        route = self.session.route
        if route.screen != ScreenName.SEARCH:
            self._note_search_left()
        self._shown = route
        self.setUpdatesEnabled(False)
        screen = self.current
        screen.show_content(ctx, route.arg)
        if fresh:
            screen.reset_scroll()
        self.stack.setCurrentWidget(screen)
        self.bar.show_content(ctx, self.session.can_go_back, self.width())
        self.setUpdatesEnabled(True)
        self.navigated.emit(route.screen.value, route.arg)
        if self.guide.pending:
            self.guide.switch_if_safe()

    def refresh(self) -> None:
        """Re-apply direction, fonts, colours and sizes, and draw the current screen again in place."""
        self._render(fresh=False)

    def _render(self, fresh: bool) -> None:
        """Draw the session's route: direction, fonts, colours and sizes first where they changed. ``fresh``: a
        new visit (scrolled to the top); else the screen keeps its scroll position."""
        ctx = self.context()
        app = QApplication.instance()
        direction = Qt.LayoutDirection.RightToLeft if ctx.rtl else Qt.LayoutDirection.LeftToRight
        # Each of these re-polishes or re-lays out every widget: only when it really changes.
        if isinstance(app, QApplication) and app.layoutDirection() != direction:
            app.setLayoutDirection(direction)
        if self.layoutDirection() != direction:
            self.setLayoutDirection(direction)
        if ctx.metrics != self._applied_metrics:
            self._applied_metrics = ctx.metrics
            if isinstance(app, QApplication):
                fonts.apply_default(app, ctx.metrics.body)
            self.setStyleSheet(stylesheet(ctx.metrics))
        scroll = 0 if fresh else self.current.scroll_area.verticalScrollBar().value()
        self._show(ctx, fresh)
        if not fresh:
            self.current.scroll_area.verticalScrollBar().setValue(scroll)

    def notify(self, *keys: str, seconds: float = 10.0) -> None:
        """A short notice over the current screen in the current language (screen text keys, joined)."""
        strings = self.store.ui_strings(self.lang)
        text = " ".join(strings.get(key, "") for key in keys).strip()
        if text:
            self.toast.show_text(text, seconds)

    # --- what staff mode may ask (kiosk.ui.staff.host.KioskHost) --------------------------------------
    def pause_visitor(self) -> None:
        if self.speech is not None:
            self.speech.stop()
        self.visitor_paused.emit()

    def resume_visitor(self) -> None:
        self.visitor_resumed.emit()

    def request_exit(self) -> None:
        self.allow_close = True
        self.close()

    # --- idle reset --------------------------------------------------------------------------------
    def show_idle_warning(self, seconds: int) -> None:
        if self.session.is_untouched():
            return  # nothing to forget
        self.overlay.show_countdown(seconds, self.context().strings)

    def reset_session(self) -> None:
        """Forget the visitor: history, scroll positions, search text, sizes, contrast, language, audio."""
        self.session.reset()

    def _on_session_language_changed(self, _code: str) -> None:
        """What was typed was typed on the other language's keyboard: the search starts empty."""
        if "search" in self.screens:
            self._note_search_left()
            self.search_screen.clear()

    def _on_session_reset_done(self) -> None:
        self.overlay.hide()
        self.session_reset.emit()
        self._note_search_left()
        self._counted_query = ""
        self.search_screen.clear()
        self.guide.switch_if_safe()
        for screen in self.screens.values():
            screen.reset_scroll()

    def _note_search_left(self) -> None:
        query = self.search_screen.query.strip() if ScreenName.SEARCH in self.screens else ""
        shown = self._shown
        if shown is not None and shown.screen == ScreenName.SEARCH and query and query != self._counted_query:
            self._counted_query = query  # once per search, also when coming back to it; the text goes nowhere
            self.searched.emit(self.lang)

    # --- guide reload ------------------------------------------------------------------------------
    def nobody_is_reading(self) -> bool:
        """A newer guide may replace the current one now: at the start, no countdown, staff mode closed."""
        staff_open = self._staff is not None and self._staff.active
        return self.is_at_start() and not self.overlay.isVisible() and not staff_open

    def offer_store(self, store: GuideStore) -> None:
        """A newer guide is open: it is shown now if nobody is reading, else at the next safe moment."""
        self.guide.offer(store)

    def _on_guide_replaced(self, store: GuideStore) -> None:
        self.session.keep_language_of({lang.code for lang in store.languages()}, store.source_language)
        self.guide_reloaded.emit(store.content_version)
        self.refresh()

    # --- window ------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())
        if self.toast.isVisible():
            self.toast.place()
        shape = (self.width() > self.height(), self.width() // 200)
        if shape != self._last_shape:
            self._last_shape = shape
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            event.accept()
        else:
            log.info("close request ignored: the kiosk closes only from staff mode")
            event.ignore()
