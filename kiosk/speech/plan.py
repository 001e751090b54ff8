"""What is said for a text, planned once for every speaker (no Qt).

The kiosk's Listen button, presenter mode, ``wegwijzer speak``, the self-test and the benchmarks all turn text
into speech through :func:`plan`: the bidi marks read as spaces, the spoken variant (Arabic with vowel marks)
in place of the shown text, the language's lexicon, the speaking rate from the visitor's choice and the staff's
setting, human recordings in place of the voice, and the text cut into sentences (the first one sounds while the
next ones are synthesised). Each step says which characters of the shown text each spoken word stands for.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.content.marks import text_fingerprint
from kiosk.speech.engine import DEFAULT_WPM, SLOW_WPM
from kiosk.speech.lexicon import Lexicon, Span, speakable
from kiosk.textalign import SENTENCE as _SENTENCE
from kiosk.textalign import align

_CLAUSE = re.compile(r"[,;:،؛፣፤](?=\s)")
LONG_SENTENCE_WORDS = 16  # longer sentences are said clause by clause: sooner first sound, less memory per piece


# The most words an engine is given at once, where it matters: a neural model's memory grows with the length of
# what it says (Piper medium: about 240 MiB for the worker at 16 words, 330 MiB at 24). A longer clause is cut
# between words into near-equal pieces.
MAX_PIECE_WORDS = {"piper": 16}
# The first piece heard, shorter still: a neural engine synthesises a whole piece before its first sound (at a
# real-time factor of about 0.1, 8 words are some 250 ms of waiting after the tap).
FIRST_PIECE_WORDS = {"piper": 8}


def sentences(text: str, max_words: int | None = None) -> list[tuple[int, str]]:
    """(offset, piece) pieces of ``text`` that together cover it: its sentences, a long one cut after its commas
    and semicolons (each piece at least a few words), and with ``max_words`` no piece longer than that (cut
    between words); blank pieces are dropped."""
    out: list[tuple[int, str]] = []
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            for offset, piece in _clauses(match.start(), match.group()):
                out.extend(_at_most(offset, piece, max_words) if max_words else [(offset, piece)])
    return out


def _at_most(offset: int, piece: str, max_words: int) -> list[tuple[int, str]]:
    words = list(re.finditer(r"\S+", piece))
    if len(words) <= max_words:
        return [(offset, piece)]
    count = -(-len(words) // max_words)  # as few pieces as needed, of near-equal length
    size = -(-len(words) // count)
    cuts = [words[i].start() for i in range(size, len(words), size)]
    bounds = [0, *cuts, len(piece)]
    return [(offset + a, piece[a:b]) for a, b in itertools.pairwise(bounds) if piece[a:b].strip()]


def _clauses(offset: int, sentence: str) -> list[tuple[int, str]]:
    if len(sentence.split()) <= LONG_SENTENCE_WORDS:
        return [(offset, sentence)]
    pieces: list[tuple[int, str]] = []
    start = 0
    for mark in _CLAUSE.finditer(sentence):
        piece, rest = sentence[start : mark.end()], sentence[mark.end() :]
        if len(piece.split()) >= 5 and len(rest.split()) >= 5:
            pieces.append((offset + start, piece))
            start = mark.end()
    pieces.append((offset + start, sentence[start:]))
    return pieces


def speaking_rate(slow: bool, speed: float = 1.0) -> int:
    """Words per minute: the visitor's normal or slower choice, times the staff's speed setting."""
    return round((SLOW_WPM if slow else DEFAULT_WPM) * speed)


@dataclass(frozen=True)
class Synthesis:
    """A sentence for the voice. ``offset`` is where it starts in its part (of the variant, when there is one);
    ``spans[i]`` the range of the sentence that spoken character i stands for; ``positions`` maps the variant's
    characters to the shown text's (None: no variant)."""

    part: int
    offset: int
    spoken: str
    spans: tuple[Span, ...]
    voice: str
    wpm: int
    positions: tuple[int, ...] | None = None

    def shown_range(self, start: int, end: int) -> tuple[int, int]:
        """A word's range in the sentence as a range of the shown part."""
        start, end = self.offset + start, self.offset + end
        if self.positions is not None:
            return self.positions[start], self.positions[end - 1] + 1
        return start, end


@dataclass(frozen=True)
class Recording:
    """A human recording of a part, played instead of the voice."""

    part: int
    question_id: str
    which: str  # "short" or "answer"
    text_hash: str = ""  # the fingerprint of the part as shown: the sentences light up only if it was read from it
    folder: str = ""  # a kiosk's own recordings (kiosk.contrib); '' = the guide's


Step = Synthesis | Recording


class NoVoiceError(Exception):
    """A part needs the voice and the language has none."""


def plan(parts: Sequence[str], voice: str | None, lexicon: Lexicon, wpm: int,
         recordings: Sequence[tuple[str, ...] | None] = (),
         variants: Sequence[str | None] = ()) -> tuple[list[Step], list[int]]:  # fmt: skip
    """The steps that say ``parts`` in order, and the parts whose spoken variant did not match their text (read
    as shown instead). ``recordings[i]`` = (question id, 'short' | 'answer'[, folder]) plays that recording for
    part i (the guide's, or with a folder, the kiosk's own: kiosk.contrib);
    ``variants[i]`` is part i with vowel marks. Raises NoVoiceError if a part needs a voice and there is none."""
    steps: list[Step] = []
    mismatched: list[int] = []
    for part, text in enumerate(parts):
        recording = recordings[part] if part < len(recordings) else None
        if recording is not None:
            folder = recording[2] if len(recording) > 2 else ""
            steps.append(Recording(part, recording[0], recording[1], text_fingerprint(text), folder))
            continue
        if voice is None:
            if not text.strip():
                continue  # nothing to say (a part left out where only recordings speak)
            raise NoVoiceError(f"part {part} needs a voice")
        text = speakable(text)
        variant = variants[part] if part < len(variants) else None
        positions = align(text, variant) if variant else None
        if variant and positions is None:
            mismatched.append(part)
        said = tuple(positions) if positions is not None else None
        engine = voice.partition(":")[0] if ":" in voice else ""
        pieces = sentences(variant if positions is not None and variant else text, MAX_PIECE_WORDS.get(engine))
        if not steps and pieces and engine in FIRST_PIECE_WORDS:  # the very first sound of what is said
            pieces[:1] = _at_most(*pieces[0], FIRST_PIECE_WORDS[engine])
        for offset, sentence in pieces:
            spoken, spans = lexicon.apply(sentence)
            steps.append(Synthesis(part, offset, spoken, tuple(spans), voice, wpm, said))
    return steps, mismatched
