"""Folding of text for search: the same function is applied to indexed text and to queries.

SQLite's FTS5 ``unicode61`` tokenizer folds Latin accents but not Arabic-script variants, so the kiosk folds
in Python before indexing and before matching:

- case is folded and combining marks are dropped (é -> e, ё -> е, Arabic harakat, superscript alef);
- Arabic-script variants are unified: alef forms -> ا, Persian/Pashto/Arabic ya forms and alef maqsura -> ي,
  Persian/Pashto kaf -> ك, ta marbuta -> ه, hamza carriers -> their base letter; Pashto's own letters -> the
  Persian-keyboard letters people type for them (ګ -> گ, ټ -> ت, ډ -> د, ړ -> ر, ڼ -> ن, ښ -> ش, ږ -> ژ); Sorani's
  likewise (ھ -> ه, ۆ -> و, ڵ -> ل, ڕ -> ر, ڤ -> ف; ێ and ە already fold to ي and ه);
- the Turkish dotless ı -> i (what a keyboard without Turkish letters types);
- tatweel and zero-width joiners/non-joiners are dropped (so "می‌خواهم" and "میخواهم" match);
- Arabic-Indic and Persian digits become ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_ARABIC_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي", "ے": "ي", "ێ": "ي",
    "ک": "ك", "ڪ": "ك",
    "ة": "ه", "ۀ": "ه", "ہ": "ه", "ە": "ه",
    "ؤ": "و",
    # Pashto letters as typed on a Persian or Arabic keyboard, which has none of them
    "ګ": "گ", "ټ": "ت", "ډ": "د", "ړ": "ر", "ڼ": "ن", "ښ": "ش", "ږ": "ژ",
    # Sorani letters as typed on an Arabic or Persian keyboard: the two-eyed heh, o, the velarised l, the trilled r, v
    "ھ": "ه", "ۆ": "و", "ڵ": "ل", "ڕ": "ر", "ڤ": "ف",
    # the dotless i, as typed on a keyboard without Turkish letters
    "ı": "i",
}  # fmt: skip
_DROP = {"\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u00ad", "\ufeff"}

_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    cached = _cache.get(ch)
    if cached is not None:
        return cached
    if ch in _DROP:
        out = ""
    elif ch in _ARABIC_MAP:
        out = _ARABIC_MAP[ch]
    else:
        decimal = unicodedata.decimal(ch, None) if not ch.isascii() else None
        if decimal is not None:
            out = str(decimal)
        else:
            parts = []
            for part in unicodedata.normalize("NFKD", ch):
                if unicodedata.category(part) == "Mn":
                    continue
                parts.append(_ARABIC_MAP.get(part, part))
            out = "".join(parts).casefold()
    _cache[ch] = out
    return out


class _Table(dict[int, str]):
    """Code point -> its search form, filled in as ``str.translate`` meets each character for the first time."""

    def __missing__(self, point: int) -> str:
        global _irregular_pattern
        ch = chr(point)
        out = self[point] = _fold_char(ch)
        if len(out) != 1:
            _irregular.add(ch)
            _irregular_pattern = None  # made again when next needed (searches run on other threads: one name)
        return out


_table = _Table()


def fold(text: str) -> str:
    """Return the search form of ``text``."""
    return text.translate(_table)


_irregular: set[str] = set()  # characters that fold to none or to several (marks, tatweel, ZWNJ, ligatures)
_irregular_pattern: re.Pattern[str] | None = None


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return, for every folded character, the index of the original character it came from.

    Runs of characters that fold to one character each are taken as ranges; only the others (found with one
    regular expression) are looked at one by one."""
    folded = fold(text)
    if len(folded) == len(text) and not _irregular_re().search(text):
        return folded, list(range(len(text)))  # every character folds to one: the offsets are the positions
    offsets: list[int] = []
    position = 0
    for match in _irregular_re().finditer(text):
        index = match.start()
        offsets.extend(range(position, index))
        offsets.extend([index] * len(_table[ord(text[index])]))
        position = index + 1
    offsets.extend(range(position, len(text)))
    return folded, offsets


def _irregular_re() -> re.Pattern[str]:
    global _irregular_pattern
    pattern = _irregular_pattern
    if pattern is None:
        chars = "".join(re.escape(ch) for ch in sorted(_irregular))
        pattern = _irregular_pattern = re.compile(f"[{chars}]" if chars else "(?!)")
    return pattern


_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Folded search tokens of ``text`` (letters and digits; everything else separates)."""
    return [t.replace("_", "") for t in _TOKEN.findall(fold(text)) if t.strip("_")]


def token_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (folded token, start, end) with start/end indexes into the ORIGINAL ``text``."""
    folded, offsets = fold_with_offsets(text)
    for match in _TOKEN.finditer(folded):
        start = offsets[match.start()]
        end = offsets[match.end() - 1] + 1
        while end < len(text) and _fold_char(text[end]) == "":
            end += 1  # trailing marks (tanween, shadda) belong to the word
        yield match.group(), start, end
