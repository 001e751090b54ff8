"""Staff mode's wiring: the hidden gesture -> PIN pad -> staff view -> presenter mode, and back.

The PIN is checked off the GUI thread (scrypt is slow on purpose). While staff mode is open the visitor's idle
reset is paused and staff mode closes itself after the staff time-out without a touch or key (presenting
allows much longer: a presenter talks between clicks). Closing staff mode resets the kiosk for the next
visitor. Exiting the kiosk is possible only from here.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import clock, maintenance, pin
from kiosk.contrib.store import recordings_for
from kiosk.qt.background import run_off_thread
from kiosk.settings import Config
from kiosk.ui.staff.pinpad import PinPad
from kiosk.ui.staff.presenter import PresenterState, PresenterView, PresenterWindow
from kiosk.ui.staff.services import StaffServices
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.staff.view import StaffView

if TYPE_CHECKING:
    from kiosk.qt.updates import UpdateService
    from kiosk.ui.staff.host import KioskHost

log = logging.getLogger(__name__)

PRESENTER_TIMEOUT_S = 45 * 60
_INPUT_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress, QEvent.Type.TouchUpdate)
_INPUT = frozenset(t.value for t in _INPUT_EVENTS)


class StaffController(QObject):
    """Signals:
    opened(): the staff view is shown (the PIN was right).
    closed(): staff mode ended (by the staff, or by its time-out).
    exit_requested(): the staff chose to exit the kiosk.
    settings_changed(object): new settings were saved (a Config).
    """

    opened = Signal()
    closed = Signal()
    exit_requested = Signal()
    settings_changed = Signal(object)

    def __init__(self, window: QWidget, kiosk: KioskHost, services: StaffServices) -> None:
        """``window`` is the widget staff mode shows itself over; ``kiosk`` what it may ask of the kiosk."""
        super().__init__(window)
        self.window = window
        self.kiosk = kiosk
        self.services = services
        self.pinpad = PinPad(window, kiosk.icons)
        self.view = StaffView(services, window, kiosk.icons)
        self.presenter: PresenterView | None = None
        self.presenter_window: PresenterWindow | None = None
        self.state: PresenterState | None = None
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timeout)
        self.pinpad.entered.connect(self._on_pin_entered)
        self.pinpad.cancelled.connect(self.close)
        self.view.back_requested.connect(self.close)
        self.view.exit_requested.connect(self._on_exit_requested)
        self.view.settings_changed.connect(self.settings_changed)
        self.view.presenter_requested.connect(self.start_presenter)
        window.windowHandle().installEventFilter(self)
        if services.updates is not None:
            self.attach_updates(services.updates)

    def attach_updates(self, updates: UpdateService) -> None:
        """Show each finished update attempt on the staff view's guide page."""
        updates.finished.connect(self.view.on_update_finished)

    @property
    def config(self) -> Config:
        return self.services.settings.config

    @property
    def active(self) -> bool:
        return self.pinpad.isVisible() or self.view.isVisible() or self.presenter is not None

    # --- getting in ------------------------------------------------------------------------------
    def request(self) -> None:
        """The hidden gesture was made: show the PIN pad (once)."""
        if self.active:
            return
        log.info("staff gesture: PIN pad shown")
        self._pause_visitor()
        message = "" if pin.has_pin() else staff_text(self.config.staff_language, "pin_none")
        self.pinpad.open(self.config.staff_language, message)

    def _on_pin_entered(self, entered: str) -> None:
        self.pinpad.set_busy(True)
        run_off_thread(lambda: pin.check_pin(entered), self._on_pin_checked, self._on_pin_failed)

    def _on_pin_checked(self, result: pin.PinResult) -> None:
        self.pinpad.set_busy(False)
        lang = self.config.staff_language
        if result.ok:
            log.info("staff mode opened")
            self.pinpad.hide()
            self.view.open()
            self.opened.emit()
        elif result.reason == "locked":
            until = dt.datetime.fromtimestamp(result.locked_until).strftime("%H:%M")
            log.warning("staff PIN entry locked until %s after repeated wrong PINs", until)
            self.pinpad.show_message(staff_text(lang, "pin_locked", time=until))
        elif result.reason == "no-pin":
            self.pinpad.show_message(staff_text(lang, "pin_none"))
        else:
            log.warning("wrong staff PIN (%d tries left)", result.attempts_left)
            self.pinpad.show_message(staff_text(lang, "pin_wrong", n=result.attempts_left))

    def _on_pin_failed(self, exc: Exception) -> None:
        self.pinpad.set_busy(False)
        log.error("staff PIN cannot be checked: %s", exc)
        self.pinpad.show_message(str(exc))

    # --- staying in, getting out -----------------------------------------------------------------
    def _pause_visitor(self) -> None:
        self.kiosk.pause_visitor()
        self._restart_timer()

    def timeout_ms(self) -> int:
        """How long staff mode stays open without a touch or key."""
        seconds = self.config.staff_timeout_s
        return max(seconds, PRESENTER_TIMEOUT_S if self.presenter is not None else 0) * 1000

    def _restart_timer(self) -> None:
        self._timer.start(self.timeout_ms())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type().value in _INPUT:
            self._restart_timer()
        return False

    def _on_timeout(self) -> None:
        if self.active:
            log.info("staff mode closed itself after %s s without a touch", self.config.staff_timeout_s)
            self.close()

    def close(self) -> None:
        """Leave staff mode (and presenter mode): the kiosk starts afresh for the next visitor."""
        self.leave_presenter()
        self.pinpad.hide()
        self.view.hide()
        self._timer.stop()
        self.kiosk.resume_visitor()
        self.kiosk.reset_session()
        self.closed.emit()

    def _on_exit_requested(self) -> None:
        log.info("kiosk exited from staff mode: it stays off until maintenance ends or the machine restarts")
        try:
            maintenance.begin()
        except OSError as exc:
            log.error("the maintenance marker cannot be written, a supervisor may restart the kiosk: %s", exc)
        self.exit_requested.emit()
        self.leave_presenter()
        self.kiosk.request_exit()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    # --- presenter mode --------------------------------------------------------------------------
    def start_presenter(self, presenter_lang: str, audience_lang: str) -> None:
        self.state = PresenterState(self.services, presenter_lang, audience_lang, self.config.audience, self)
        self.state.read_requested.connect(self.read_aloud)
        self.presenter = PresenterView(self.state, self.config.staff_language, parent=self.window)
        self.presenter.leave_requested.connect(self._on_presenter_left)
        self.presenter.second_screen_requested.connect(self.to_second_screen)
        self.state.changed.connect(self._on_presenter_changed)
        speech = self.kiosk.speech
        if speech is not None:
            speech.word_spoken.connect(self._on_word_spoken)
        self.presenter.setStyleSheet(self._projector_style())
        self.presenter.setGeometry(self.window.rect())
        self.presenter.show()
        self.presenter.raise_()
        self.presenter.setFocus()
        log.info("presenter mode: %s and %s", presenter_lang, audience_lang)
        self._restart_timer()

    def _projector_style(self) -> str:
        body = round(self.kiosk.context().metrics.body * 1.4)
        return (f"#presenterPane QLabel#screenTitle {{ font-size: {round(body * 1.3)}px; }}"
                f" #presenterPane QTextBrowser#shortText, #presenterPane QTextBrowser#answerBody"
                f" {{ font-size: {body}px; }}")  # fmt: skip

    @property
    def speech_key(self) -> str:
        return f"presenter:{self.state.question_id}" if self.state is not None else ""

    def read_aloud(self) -> None:
        speech = self.kiosk.speech
        if speech is None or self.state is None:
            return
        if speech.speaking == self.speech_key:
            speech.stop()
            return
        store, qid, lang = self.state.store, self.state.question_id, self.state.audience
        answer = store.answer(qid, lang, today=clock.today())  # figures with their period once expired, as shown
        parts = [answer.short, answer.body_text]
        recordings = recordings_for(store, self.kiosk.contributions, qid, answer.lang, parts)
        speech.speak(self.speech_key, parts, answer.lang, False, recordings,
                     [answer.spoken_short, answer.spoken_answer])  # fmt: skip

    def _on_word_spoken(self, key: str, part: int, start: int, end: int) -> None:
        if self.presenter is not None and key == self.speech_key:
            self.presenter.right.highlight(part, (start, end))
            if self.presenter_window is not None:
                self.presenter_window.view.right.highlight(part, (start, end))

    def _on_presenter_changed(self) -> None:
        if self.kiosk.speech is not None:
            self.kiosk.speech.stop()

    def to_second_screen(self) -> None:
        screens = QGuiApplication.screens()
        if self.state is None or self.presenter is None:
            return
        if len(screens) < 2:
            self.presenter.position.setText(staff_text(self.config.staff_language, "no_second_screen"))
            return
        own = self.window.screen()
        target = next(s for s in screens if s is not own)
        style = self.window.styleSheet() + self.presenter.styleSheet()  # the kiosk's look, projector-sized
        self.presenter_window = PresenterWindow(self.state, self.config.staff_language, style)
        self.presenter_window.setGeometry(target.geometry())
        self.presenter_window.showFullScreen()
        log.info("presenter view on the second screen %s", target.name())

    def _on_presenter_left(self) -> None:
        self.leave_presenter()
        self._restart_timer()

    def leave_presenter(self) -> None:
        if self.kiosk.speech is not None:
            self.kiosk.speech.stop()
            if self.presenter is not None:
                self.kiosk.speech.word_spoken.disconnect(self._on_word_spoken)
        if self.presenter_window is not None:
            self.presenter_window.close()
            self.presenter_window.deleteLater()
            self.presenter_window = None
        if self.presenter is not None:
            self.presenter.hide()
            self.presenter.deleteLater()
            self.presenter = None
        self.state = None
