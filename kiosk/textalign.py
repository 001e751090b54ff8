"""Speech variants: the same text with vowel marks added (e.g. Arabic harakat), because espeak-ng reads
undiacritised Arabic poorly. The screen shows the plain text; the voice reads the variant; the alignment maps
every character of the variant back to the displayed text so the right word lights up."""

from __future__ import annotations

import re
import unicodedata

# Where a sentence ends, in the scripts of the guide: . ! ? ; the Arabic question mark ؟ and the Arabic full stop ۔
# (Urdu, Pashto, some Sorani writers); the Ethiopic full stop ። and question mark ፧; the Armenian full stop ։ ;
# the Georgian paragraph separator ჻ (Georgian otherwise ends a sentence with "."). Followed by a space or the end.
SENTENCE_MARKS = ".!?\u061f\u06d4\u1362\u1367\u0589\u10fb"
SENTENCE_END = re.compile(f"[{SENTENCE_MARKS}]+(?=\\s|$)")
# One sentence (or line) at a time, its end mark included: what speech and recordings go through.
SENTENCE = re.compile(f".+?(?:[{SENTENCE_MARKS}]+(?=\\s|$)|\\n|$)", re.DOTALL)


def _mark(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn" or ch == "\u0640"  # combining marks and tatweel


def align(display: str, spoken: str) -> list[int] | None:
    """For each character of ``spoken``, its index in ``display``; None if they are not the same text.

    The texts may differ only in combining marks (either side) and in the kind and amount of whitespace.
    """
    out: list[int] = []
    i = j = 0
    while j < len(spoken):
        ch = spoken[j]
        if _mark(ch):
            out.append(max(0, i - 1))
            j += 1
        elif i < len(display) and _mark(display[i]):
            i += 1
        elif ch.isspace():
            if i < len(display) and display[i].isspace():
                while i < len(display) and display[i].isspace():
                    i += 1
            out.append(max(0, i - 1))
            j += 1
        elif i < len(display) and display[i] == ch:
            out.append(i)
            i += 1
            j += 1
        else:
            return None
    while i < len(display) and (display[i].isspace() or _mark(display[i])):
        i += 1
    return out if i == len(display) else None
