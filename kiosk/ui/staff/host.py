"""What staff mode may ask of the kiosk: a narrow interface, so staff mode does not know the kiosk window."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.contrib.store import Contributions
    from kiosk.qt.speech import SpeechService
    from kiosk.ui.context import ScreenContext
    from kiosk.ui.icons import IconSet


class KioskHost(Protocol):
    """The kiosk as staff mode sees it (the kiosk window implements it)."""

    icons: IconSet
    speech: SpeechService | None
    contributions: Contributions | None

    def context(self) -> ScreenContext:
        """The visitor's current language, sizes and strings (presenter mode takes its type size from it)."""
        ...

    def pause_visitor(self) -> None:
        """Staff took over: the idle reset waits and the voice stops."""
        ...

    def resume_visitor(self) -> None:
        """Staff left: the idle reset runs again."""
        ...

    def reset_session(self) -> None:
        """Forget the visitor, for the next person."""
        ...

    def request_exit(self) -> None:
        """Close the kiosk (the only way it closes)."""
        ...
