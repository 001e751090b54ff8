"""Icons from the bundled SVG set, coloured for the current palette and mirrored where they point."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap, QTransform
from PySide6.QtSvg import QSvgRenderer

# Icons that point along the reading direction: their mirror image is used right-to-left.
MIRRORED = {"arrow-left": "arrow-right", "arrow-right": "arrow-left", "chevron-left": "chevron-right",
            "chevron-right": "chevron-left"}  # fmt: skip


class IconSet:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def name_for(self, name: str, rtl: bool) -> str:
        return MIRRORED.get(name, name) if rtl else name

    def pixmap(self, name: str, size: int, colour: str, rtl: bool = False) -> QPixmap:
        return _render(self.folder, self.name_for(name, rtl), size, colour)

    def icon(self, name: str, size: int, colour: str, rtl: bool = False, rotate: int = 0) -> QIcon:
        """``rotate``: degrees clockwise (e.g. a chevron pointing up or down)."""
        pixmap = self.pixmap(name, size, colour, rtl)
        return QIcon(pixmap.transformed(QTransform().rotate(rotate)) if rotate else pixmap)


@lru_cache(maxsize=512)
def _render(folder: Path, name: str, size: int, colour: str) -> QPixmap:
    path = folder / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8").replace("currentColor", colour)
    except OSError:
        svg = (
            (folder / "help.svg").read_text(encoding="utf-8").replace("currentColor", colour)
            if (folder / "help.svg").exists()
            else "<svg xmlns='http://www.w3.org/2000/svg'/>"
        )
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap
