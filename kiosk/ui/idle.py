"""Idle reset: after a time without touch, ask "Are you still there?", then reset for the next person."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.ui.widgets import wrapping_label

ACTIVITY_EVENTS = frozenset(
    t.value for t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
                      QEvent.Type.TouchUpdate, QEvent.Type.KeyPress, QEvent.Type.Wheel)
)  # fmt: skip


class IdleGuard(QObject):
    """Watches every input event of the application.

    Signals:
        warning_started(int): nobody touched the screen for the time-out; carries the countdown in seconds.
        countdown_ticked(int): seconds left.
        warning_cancelled(): someone touched the screen during the countdown.
        expired(): the countdown ran out: reset everything.
    """

    warning_started = Signal(int)
    countdown_ticked = Signal(int)
    warning_cancelled = Signal()
    expired = Signal()

    def __init__(self, timeout_ms: int = 90_000, countdown_s: int = 15, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.countdown_s = countdown_s
        self._idle = QTimer(self, singleShot=True, interval=timeout_ms)
        self._idle.timeout.connect(self._on_idle_timeout)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self.left = 0
        self.enabled = True

    @property
    def warning(self) -> bool:
        return self._tick.isActive()

    def set_timeout(self, timeout_ms: int) -> None:
        self._idle.setInterval(timeout_ms)
        self.touch()

    def start(self) -> None:
        self._idle.start()

    def pause(self) -> None:
        """No idle reset until :meth:`resume` (staff mode)."""
        self.enabled = False
        self._idle.stop()
        if self._tick.isActive():
            self._tick.stop()
            self.warning_cancelled.emit()

    def resume(self) -> None:
        self.enabled = True
        self._idle.start()

    def touch(self) -> None:
        """Register activity: restart the idle timer and cancel a running countdown."""
        if self._tick.isActive():
            self._tick.stop()
            self.warning_cancelled.emit()
        if self.enabled:
            self._idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type().value in ACTIVITY_EVENTS:  # ints: this runs for every event of the application
            self.touch()
        return False

    def _on_idle_timeout(self) -> None:
        self.left = self.countdown_s
        self._tick.start()
        self.warning_started.emit(self.left)

    def _on_tick_timeout(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self._tick.stop()
            self.expired.emit()
            self._idle.start()
        else:
            self.countdown_ticked.emit(self.left)


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
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def update_countdown(self, seconds: int) -> None:
        if not self.strings:  # never shown: there was nothing to forget
            return
        self.count.setText(str(seconds))
        self.explain.setText(self.strings.get("reset_countdown", "").replace("{seconds}", str(seconds)))
