"""The kiosk's settings as they change: one signal that the parts which care subscribe to (no widgets)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from kiosk.settings import Config, SettingsStore


class LiveSettings(QObject):
    """Signals:
    changed(object): the settings (a Config) after staff saved new ones.
    """

    changed = Signal(object)

    def __init__(self, store: SettingsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store

    @property
    def config(self) -> Config:
        return self.store.config

    def publish(self, config: Config | None = None) -> None:
        """Tell every subscriber (staff mode calls this after saving)."""
        self.changed.emit(config or self.store.config)

    def follow(self, apply: Callable[[Config], None]) -> None:
        """``apply`` the settings now and each time they change."""
        apply(self.config)
        self.changed.connect(apply)
