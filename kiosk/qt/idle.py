"""Idle reset: after a time without touch, ask "Are you still there?", then reset for the next person (no
widgets: the overlay that asks is kiosk.ui.idle.IdleOverlay)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

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
