"""Keep visitors inside the kiosk: blocked keys and menus, no closing, and the staff corner gesture."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QTouchEvent
from PySide6.QtWidgets import QWidget

BLOCKED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_F11, Qt.Key.Key_F4, Qt.Key.Key_Menu, Qt.Key.Key_Tab, Qt.Key.Key_Back}
BLOCKED_CTRL = {Qt.Key.Key_Q, Qt.Key.Key_W, Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_P, Qt.Key.Key_S, Qt.Key.Key_O}
STAFF_CORNER_PX = 90
_WATCHED = frozenset(
    t.value
    for t in (
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.KeyRelease,
        QEvent.Type.ContextMenu,
        QEvent.Type.DragEnter,
        QEvent.Type.DragMove,
        QEvent.Type.Drop,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.TouchEnd,
        QEvent.Type.TouchCancel,
    )
)
STAFF_HOLD_MS = 3000


class Lockdown(QObject):
    """Application event filter.

    Swallows Alt+F4, Ctrl+Q/W (and other Ctrl shortcuts), Esc, F11, Tab, the menu key, context menus and
    drag-and-drop. A press held for 3 seconds in the top-left corner of the window emits ``staff_requested``
    (the seam for staff mode).

    Signals:
        staff_requested(): the hidden staff gesture was made.
        key_blocked(str): a blocked key combination was pressed (for logs and tests).
    """

    staff_requested = Signal()
    key_blocked = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self._hold = QTimer(self, singleShot=True, interval=STAFF_HOLD_MS)
        self._hold.timeout.connect(self.staff_requested)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type().value not in _WATCHED:  # fast path: this runs for every event of the application
            return False
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease):
            return self._blocked_key(event)  # type: ignore[arg-type]
        if kind in (QEvent.Type.ContextMenu, QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return True
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self._maybe_start_hold(event)
        elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            self._hold.stop()
        return False

    def _blocked_key(self, event: QKeyEvent) -> bool:
        key = Qt.Key(event.key())
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        blocked = key in BLOCKED_KEYS or (ctrl and key in BLOCKED_CTRL) or (alt and key == Qt.Key.Key_F4)
        if blocked and event.type() == QEvent.Type.KeyPress:
            self.key_blocked.emit(QKeySequence(event.keyCombination()).toString())
        return blocked

    def _maybe_start_hold(self, event: QEvent) -> None:
        if isinstance(event, QMouseEvent):
            point = event.globalPosition().toPoint()
        elif isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0].globalPosition().toPoint()
        else:
            return
        local = self.window.mapFromGlobal(point)
        if QPoint(0, 0).x() <= local.x() < STAFF_CORNER_PX and 0 <= local.y() < STAFF_CORNER_PX:
            self._hold.start()
