"""Run a function off the GUI thread and get its result back on the GUI thread (as a queued signal)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread: the pool thread emits, Qt queues the call of its slots to the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Callable[[Any], None] | None, on_failed: Callable[[Exception], None] | None) -> None:
        super().__init__()
        self.on_done, self.on_failed = on_done, on_failed
        self.done.connect(self._on_done)
        self.failed.connect(self._on_failed)

    @Slot(object)
    def _on_done(self, result: Any) -> None:
        _relays.discard(self)
        if self.on_done is not None:
            self.on_done(result)

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        _relays.discard(self)
        if self.on_failed is not None:
            self.on_failed(exc)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work, self.relay = work, relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported, never lost in a thread
            log.exception("background task failed")
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_relays: set[_Relay] = set()  # kept alive until their task reports


def run_off_thread(work: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                   on_failed: Callable[[Exception], None] | None = None) -> None:  # fmt: skip
    """Run ``work()`` on Qt's thread pool; ``on_done(result)`` or ``on_failed(exc)`` then run on this thread."""
    relay = _Relay(on_done, on_failed)
    _relays.add(relay)
    QThreadPool.globalInstance().start(_Task(work, relay))
