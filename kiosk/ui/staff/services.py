"""What staff mode works with; cheap to create at start-up (the staff screens themselves are built on demand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.contrib.store import Contributions
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
    contributions: Contributions | None = None  # recordings and review marks made on this kiosk
    recorder: Any = None  # a Recorder (tests give a simulated one); None: the page makes one for the microphone
    audio_device: bool = True  # takes are heard back on the sound card (tests: a silent clock)

    @property
    def store(self) -> GuideStore:
        """The current guide, at the moment of asking."""
        return self.guide.store
