"""Which guide database the kiosk shows: the installed one named by a pointer file, else the bundled one.

Updates (a later issue) install guides into ``<data dir>/guides/`` and switch the small pointer file
``current`` atomically. A guide that cannot be opened is skipped with a logged reason, so the kiosk always
starts on something: the installed guide, the previous one, then the bundled one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk import paths
from kiosk.guide import GuideError, GuideStore

log = logging.getLogger(__name__)

POINTER = "current"
PREVIOUS = "previous"
INCOMING = ".incoming-"  # a database being copied in by an install


def pointed(name: str) -> Path | None:
    """The guide file a pointer file (``current`` or ``previous``) names, or None."""
    pointer = paths.guides_dir() / name
    try:
        target = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not target or "/" in target or "\\" in target or target.startswith("."):
        log.error("guide pointer %s is malformed: %r", pointer, target[:80])
        return None
    return paths.guides_dir() / target


def candidates() -> list[Path]:
    """Guides to try, best first: installed, previous, bundled."""
    out = [p for p in (pointed(POINTER), pointed(PREVIOUS)) if p is not None]
    out.append(paths.bundled_guide())
    return out


def active_guide_path() -> Path:
    """The guide the kiosk should show now (without opening it)."""
    return next((p for p in candidates() if p.is_file()), paths.bundled_guide())


def open_best() -> GuideStore:
    """Open the best guide that works; raise the last error only if none does."""
    error: GuideError | None = None
    for path in candidates():
        try:
            return GuideStore(path)
        except GuideError as exc:
            log.error("guide cannot be used, trying the next one: %s", exc)
            error = exc
    assert error is not None
    raise error


def clean_leftovers() -> list[Path]:
    """Remove half-copied databases and temporary files of an interrupted install."""
    removed = []
    folder = paths.guides_dir()
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith(INCOMING) or (path.name.startswith(".") and path.name.endswith(".tmp")):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
