"""The kiosk's idea of today, for judging whether a figure in the guide still holds (no Qt).

The kiosk decides at display time, on its own clock (a clock earlier than the guide's edition counts as the
edition day: see :meth:`kiosk.guide.GuideStore.effective_day`). For screenshots and end-to-end tests,
``WEGWIJZER_TODAY=YYYY-MM-DD`` sets the day.
"""

from __future__ import annotations

import datetime as dt
import os

TODAY_ENV = "WEGWIJZER_TODAY"


def today() -> dt.date:
    value = os.environ.get(TODAY_ENV, "")
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.today()
