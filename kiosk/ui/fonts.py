"""Register the bundled fonts so every script renders the same on any machine."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# Latin/Cyrillic first, then the scripts Noto Sans lacks; Qt falls back along this list per character.
FAMILIES = ["Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", "Noto Sans Georgian"]


def register(fonts_dir: Path) -> list[str]:
    """Add every bundled font to Qt; return the families registered. Failures are logged, not fatal."""
    families: list[str] = []
    for path in sorted(fonts_dir.glob("*.[to]tf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id == -1:
            log.error("font could not be registered: %s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    missing = [f for f in FAMILIES if f not in families]
    if missing:
        log.error("bundled font families missing: %s (some scripts may show boxes)", ", ".join(missing))
    return sorted(set(families))


def apply_default(app: QApplication, pixel_size: int) -> None:
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPixelSize(pixel_size)
    app.setFont(font)
