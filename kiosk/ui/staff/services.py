"""What staff mode works with; cheap to create at start-up (the staff screens themselves are built on demand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.guide import GuideStore
from kiosk.qt.current_guide import CurrentGuide
from kiosk.settings import SettingsStore
from kiosk.usage import Usage


@dataclass
class StaffServices:
    """What the staff view works with (speech and updates may be missing, e.g. in tests or without a voice)."""

    guide: CurrentGuide
    settings: SettingsStore
    usage: Usage
    speech: Any = None  # SpeechService
    updates: Any = None  # UpdateService

    @property
    def store(self) -> GuideStore:
        """The current guide, at the moment of asking."""
        return self.guide.store
