"""The one current guide: who holds the open guide database, and when a newer one takes its place.

Everyone who reads the guide (the screens, speech, staff mode, presenter mode) asks :attr:`CurrentGuide.store` at
the moment they read; nobody keeps a copy. A newly installed guide is opened off the GUI thread, then waits for a
safe moment (the kiosk tells when: nobody is reading) and replaces the old one for everyone at once.

The update service reports each install (:meth:`CurrentGuide.check`); a slow poll is only the fallback for
guides installed from the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import guides
from kiosk.guide import GuideError, GuideStore
from kiosk.qt.background import run_off_thread

log = logging.getLogger(__name__)
FALLBACK_POLL_MS = 60_000


class CurrentGuide(QObject):
    """Signals:
    replaced(object): the GuideStore everyone now reads (the previous one is closed right after).
    """

    replaced = Signal(object)

    def __init__(self, store: GuideStore, parent: QObject | None = None, poll_ms: int = FALLBACK_POLL_MS,
                 active_path: Callable[[], Path] = guides.active_guide_path) -> None:  # fmt: skip
        super().__init__(parent)
        self._store = store
        self._pending: GuideStore | None = None
        self._opening: Path | None = None
        self._active_path = active_path
        self._path = store.path.resolve()
        self.safe_moment: Callable[[], bool] = lambda: True  # the kiosk says when nobody is reading
        self._poll = QTimer(self, interval=poll_ms)
        self._poll.timeout.connect(self.check)
        if poll_ms > 0:
            self._poll.start()

    def start_polling(self, interval_ms: int = FALLBACK_POLL_MS) -> None:
        self._poll.start(interval_ms)

    @property
    def store(self) -> GuideStore:
        return self._store

    @property
    def pending(self) -> bool:
        """A newer guide is open and waits for a safe moment."""
        return self._pending is not None

    def check(self) -> None:
        """Look at which guide is installed; a new one is opened off the GUI thread."""
        try:
            path = self._active_path().resolve()
        except OSError as exc:
            log.error("cannot tell which guide is installed: %s", exc)
            return
        if path in (self._path, self._opening):
            return
        self._opening = path
        run_off_thread(lambda: GuideStore(path), lambda store: self._on_opened(path, store),
                       lambda exc: self._on_open_failed(path, exc))  # fmt: skip

    def _on_opened(self, path: Path, store: GuideStore) -> None:
        if self._opening != path:  # a newer one is being opened already
            store.close()
            return
        self._opening, self._path = None, path
        self.offer(store)

    def _on_open_failed(self, path: Path, exc: Exception) -> None:
        self._opening = None
        self._path = path  # not tried again until another guide is installed
        reason = str(exc) if isinstance(exc, GuideError) else f"{type(exc).__name__}: {exc}"
        log.error("newly installed guide cannot be opened; keeping the current one: %s", reason)

    def offer(self, store: GuideStore) -> None:
        """``store`` becomes current at the next safe moment (now, if nobody is reading)."""
        if self._pending is not None and self._pending is not store:
            self._pending.close()
        self._pending = store
        self.switch_if_safe()

    def switch_if_safe(self) -> bool:
        """Switch to the waiting guide if there is one and this is a safe moment; True if it switched."""
        if self._pending is None or not self.safe_moment():
            return False
        old, self._store, self._pending = self._store, self._pending, None
        log.info("guide version %s is now shown", self._store.content_version)
        self.replaced.emit(self._store)
        old.close()
        return True
