"""Which characters the bundled fonts can draw (read from their cmap tables with fontTools)."""

from __future__ import annotations

import unicodedata
from collections.abc import Set as AbstractSet
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
    missing = undrawn(set(text), covered)
    if not missing:
        return []
    return [ch for ch in dict.fromkeys(text) if ch in missing]


def undrawn(chars: AbstractSet[str], covered: frozenset[int]) -> set[str]:
    """The characters of ``chars`` that no bundled font can draw (and that are not invisible)."""
    return {ch for ch in chars - _as_chars(covered) if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES}


@lru_cache(maxsize=8)
def _as_chars(covered: frozenset[int]) -> frozenset[str]:
    return frozenset(chr(point) for point in covered)


def describe(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
