"""Pronunciation: turn written forms (OCMW, EUR 44,02) into what the voice should say, keeping track of
which characters of the original text every spoken character comes from (for word highlighting)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.guide import GuideStore

Span = tuple[int, int]  # [start, end) in the original text


@dataclass(frozen=True)
class LexiconEntry:
    written: str  # a word, or a regular expression when ``pattern``
    spoken: str  # what to say; for a pattern it may use \\1, \\2 for the groups
    pattern: bool = False

    def regex(self) -> re.Pattern[str]:
        if self.pattern:
            return re.compile(self.written)
        return re.compile(rf"(?<!\w){re.escape(self.written)}(?!\w)")


class Lexicon:
    """Entries are applied in order (patterns as written in the content, then words, longest first)."""

    def __init__(self, entries: list[LexiconEntry] | tuple[LexiconEntry, ...] = ()) -> None:
        patterns = [e for e in entries if e.pattern]
        words = sorted((e for e in entries if not e.pattern), key=lambda e: -len(e.written))
        self.entries = tuple(patterns + words)
        self._compiled = [(entry, entry.regex()) for entry in self.entries]

    def apply(self, text: str) -> tuple[str, list[Span]]:
        """Return the text to speak and, for each of its characters, the original span it stands for."""
        spans: list[Span] = [(i, i + 1) for i in range(len(text))]
        for entry, regex in self._compiled:
            if not regex.search(text):
                continue
            out: list[str] = []
            out_spans: list[Span] = []
            last = 0
            for match in regex.finditer(text):
                out.append(text[last : match.start()])
                out_spans.extend(spans[last : match.start()])
                replacement = match.expand(entry.spoken) if entry.pattern else entry.spoken
                if match.end() > match.start():
                    whole = (spans[match.start()][0], spans[match.end() - 1][1])
                else:
                    whole = spans[match.start()] if match.start() < len(spans) else (len(text), len(text))
                out.append(replacement)
                out_spans.extend([whole] * len(replacement))
                last = match.end()
            out.append(text[last:])
            out_spans.extend(spans[last:])
            text, spans = "".join(out), out_spans
        return text, spans


# Bidi isolates (right-to-left answers set Latin asides apart in them) and no-break spaces are not words: the voice
# reads them as spaces, one for one, so every offset still points into the displayed text.
NOT_WORDS = str.maketrans(dict.fromkeys("\u2066\u2067\u2068\u2069\u00a0\u202f", " "))


def speakable(text: str) -> str:
    """``text`` as the voice gets it: isolates and no-break spaces as plain spaces (same length)."""
    return text.translate(NOT_WORDS)


def lexicon_for(store: GuideStore, lang: str) -> Lexicon:
    """The pronunciation lexicon of ``lang`` in a guide database. Its words are matched against speakable text, so
    they are made speakable too ("€\u00a044,02", a fact's figure, matches "€ 44,02")."""
    return Lexicon([LexiconEntry(written if pattern else speakable(written), spoken, pattern)
                    for written, spoken, pattern in store.lexicon(lang)])  # fmt: skip
