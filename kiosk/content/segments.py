"""Answer texts cut into pieces a translator sees, and put back together byte for byte.

A body is cut into *blocks* (a paragraph, a list item's text, a heading) by markdown-it, the parser the
checker uses; the Markdown around them (``- ``, ``1. ``, ``### ``, blank lines) is the *skeleton*, which the
translation keeps. Inside a block, the marks a translator must not break are *codes*: ``**bold**`` and
``*italic*`` are paired codes (XLIFF ``<g>``), ``{{fact-id}}`` and the screens' ``{word}`` are placeholders
(XLIFF ``<ph>``, whose text is the native code). Every cut is checked: joining the pieces gives the text back
exactly, or the text is not cut (it becomes one piece).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from kiosk.content.facts import PLACEHOLDER

_parser = MarkdownIt("commonmark")

# What comes before a block's text on its first line: indentation, list markers, a heading's hashes.
_FIRST_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:#{1,6}[ \t]+)?")
_INDENT = re.compile(r"^[ \t]*")


@dataclass(frozen=True)
class Block:
    """One translatable block: ``lead`` (skeleton before it) + its lines, joined by ``joins``."""

    lead: str
    lines: tuple[str, ...]
    joins: tuple[str, ...]  # "\n" + the next line's indentation, one fewer than lines

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def kind(self) -> str:
        """The block's Markdown shape, for pairing a translation's blocks with the source's."""
        prefix = self.lead.rsplit("\n", 1)[-1]
        return re.sub(r"\d+", "1", re.sub(r"[ \t]+", " ", prefix))

    def render(self, text: str | None = None) -> str:
        lines = self.lines if text is None else tuple(line for line in text.split("\n") if line.strip()) or ("",)
        joins = list(self.joins)
        while len(joins) < len(lines) - 1:  # more lines than before: indent like the first line's text
            joins.append(joins[-1] if joins else "\n" + " " * len(self.lead.rsplit("\n", 1)[-1]))
        out = [self.lead, lines[0]]
        for join, line in zip(joins, lines[1:], strict=False):
            out += [join, line]
        return "".join(out)


@dataclass(frozen=True)
class Layout:
    """A body as blocks and the skeleton after the last one."""

    blocks: tuple[Block, ...]
    tail: str

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(block.kind for block in self.blocks)

    def render(self, texts: Sequence[str | None] | None = None) -> str:
        texts = texts or [None] * len(self.blocks)
        return "".join(block.render(text) for block, text in zip(self.blocks, texts, strict=True)) + self.tail


def layout(body: str) -> Layout:
    """Cut ``body`` into blocks; a body the cut cannot reproduce exactly is one block."""
    cut = _cut(body)
    if cut is None or cut.render() != body:
        return Layout((Block("", (body,), ()),), "") if body else Layout((), "")
    return cut


def _cut(body: str) -> Layout | None:
    lines = body.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    blocks: list[Block] = []
    position = 0  # where the skeleton before the next block starts
    last_line = -1
    for token in _parser.parse(body):
        if token.type != "inline" or not token.map:
            continue
        first, end = token.map
        if first <= last_line or end > len(lines):
            return None
        prefix = _FIRST_PREFIX.match(lines[first])
        texts, joins = [lines[first][prefix.end() if prefix else 0 :]], []
        for number in range(first + 1, end):
            indent = _INDENT.match(lines[number])
            width = indent.end() if indent else 0
            joins.append("\n" + lines[number][:width])
            texts.append(lines[number][width:])
        start = offsets[first] + (prefix.end() if prefix else 0)
        blocks.append(Block(body[position:start], tuple(texts), tuple(joins)))
        position = offsets[end - 1] + len(lines[end - 1])
        last_line = end - 1
    return Layout(tuple(blocks), body[position:])


# --- codes inside a block --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Code:
    """A code in a text. ``kind``: 'bold' and 'italic' pair around ``inner``; 'fact', 'word' (a screen text's
    {word}) and 'markup' (Markdown that is not a pair) stand alone and are their ``native`` text."""

    kind: str
    native: str
    inner: tuple[Piece, ...] = field(default=())


Piece = str | Code
PAIRED = {"bold": "**", "italic": "*"}
_INLINE = re.compile(rf"\*\*|\*|{PLACEHOLDER.pattern}")
_WORD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def markdown_pieces(text: str) -> tuple[Piece, ...]:
    """A block's text as pieces: pairs where the Markdown parser sees the same pairs, single codes otherwise."""
    tokens = [m for m in _INLINE.finditer(text)]
    paired = _paired(text, tokens)
    if paired is not None:
        return paired
    return _singles(text, tokens)


def _paired(text: str, tokens: list[re.Match[str]]) -> tuple[Piece, ...] | None:
    stack: list[tuple[str, list[Piece]]] = [("", [])]
    events: list[str] = []
    position = 0
    for match in tokens:
        if match.start() > position:
            stack[-1][1].append(text[position : match.start()])
        position = match.end()
        if match[0].startswith("{"):
            stack[-1][1].append(Code("fact", match[0]))
            continue
        kind = "bold" if match[0] == "**" else "italic"
        tag = "strong" if kind == "bold" else "em"
        if stack[-1][0] == kind:
            closed_kind, inner = stack.pop()
            stack[-1][1].append(Code(closed_kind, PAIRED[closed_kind], tuple(inner)))
            events.append(f"{tag}_close")
        else:
            stack.append((kind, []))
            events.append(f"{tag}_open")
    if len(stack) != 1:
        return None
    if position < len(text):
        stack[0][1].append(text[position:])
    seen = [t.type for t in _parser.parseInline(text)[0].children or [] if t.type.startswith(("strong_", "em_"))]
    return tuple(stack[0][1]) if seen == events else None


def _singles(text: str, tokens: list[re.Match[str]]) -> tuple[Piece, ...]:
    out: list[Piece] = []
    position = 0
    for match in tokens:
        if match.start() > position:
            out.append(text[position : match.start()])
        out.append(Code("fact" if match[0].startswith("{") else "markup", match[0]))
        position = match.end()
    if position < len(text):
        out.append(text[position:])
    return tuple(out)


def word_pieces(text: str) -> tuple[Piece, ...]:
    """A screen text's pieces: its ``{words}`` (filled in by the kiosk) are codes."""
    out: list[Piece] = []
    position = 0
    for match in _WORD.finditer(text):
        if match.start() > position:
            out.append(text[position : match.start()])
        out.append(Code("word", match[0]))
        position = match.end()
    if position < len(text):
        out.append(text[position:])
    return tuple(out)


def body_pieces(body: Layout) -> tuple[Piece, ...]:
    """A whole body as one text: the skeleton between blocks becomes 'markup' codes."""
    out: list[Piece] = []
    for block in body.blocks:
        if block.lead:
            out.append(Code("markup", block.lead))
        for index, line in enumerate(block.lines):
            if index:
                out.append(Code("markup", block.joins[index - 1]))
            out += markdown_pieces(line)
    if body.tail:
        out.append(Code("markup", body.tail))
    return tuple(out)


def native(pieces: Sequence[Piece]) -> str:
    """The pieces as the text they came from."""
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif piece.kind in PAIRED:
            out += [piece.native, native(piece.inner), piece.native]
        else:
            out.append(piece.native)
    return "".join(out)


def facts_named(text: str) -> list[str]:
    return sorted(m[1] for m in PLACEHOLDER.finditer(text))


def words_named(text: str) -> list[str]:
    return sorted(_WORD.findall(text))
