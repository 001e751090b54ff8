"""Which characters the bundled fonts can draw (read from their cmap tables with fontTools)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

# Characters that are never drawn as a glyph of their own: spaces, line breaks, joiners, direction marks.
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


@lru_cache(maxsize=8)
def coverage(fonts_dir: Path) -> frozenset[int]:
    """Every code point that at least one ``.ttf``/``.otf`` in ``fonts_dir`` maps to a glyph."""
    points: set[int] = set()
    for path in sorted(fonts_dir.glob("*.[to]tf")):
        with TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap() or {}
            points.update(cmap)
    return frozenset(points)


def undrawable(text: str, covered: frozenset[int]) -> list[str]:
    """The distinct characters of ``text`` that no bundled font can draw, in order of appearance."""
    missing: dict[str, None] = {}
    for ch in text:
        if ord(ch) in covered or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            continue
        missing[ch] = None
    return list(missing)


def describe(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
