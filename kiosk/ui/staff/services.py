"""What staff mode works with; cheap to create at start-up (the staff screens themselves are built on demand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.guide import GuideStore
from kiosk.settings import SettingsStore
from kiosk.usage import Usage


@dataclass
class StaffServices:
    """What the staff view works with (speech and updates may be missing, e.g. in tests or without a voice)."""

    store: GuideStore
    settings: SettingsStore
    usage: Usage
    speech: Any = None  # SpeechService
    updates: Any = None  # UpdateService
