"""The small Markdown dialect of answer bodies: validation, HTML for the screen, plain text for search/speech.
``analyse`` parses a body once and returns all three.

Allowed: paragraphs, bullet and numbered lists (at most ``MAX_LIST_DEPTH`` deep), **bold**, *italic*,
``###``/``####`` sub-headings, and links (shown as their text only: a kiosk never opens anything). Everything
else is refused with its line. The HTML written is exactly what ``kiosk.guidecheck.html_problem`` accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it_pyrs import MarkdownIt, Node

from kiosk.guidecheck import MAX_LIST_DEPTH

# markdown-it-pyrs: the Rust port of markdown-it (the same CommonMark dialect as markdown-it-py, which the
# translators' segments use), about twelve times faster to parse; the build parses every answer of every language.
_parser = MarkdownIt("commonmark")

_BLOCKS_ALLOWED = {"root", "paragraph", "bullet_list", "ordered_list", "list_item", "heading", "lheading",
                   "definition"}  # a link reference definition is not shown; its links show their text
_INLINE_ALLOWED = {"text", "text_special", "softbreak", "hardbreak", "strong", "em", "link", "autolink"}
_NAMES = {
    "html_block": "raw HTML", "html_inline": "raw HTML", "image": "an image", "code_inline": "code",
    "code_block": "an indented code block (remove the indentation)", "fence": "a code block",
    "blockquote": "a block quote", "hr": "a horizontal rule",
}  # fmt: skip
_LISTS = {"bullet_list", "ordered_list"}
_LINE_BLOCKS = {"paragraph", "heading", "lheading"}
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


@dataclass(frozen=True)
class Analysis:
    """One parse of an answer body: what is wrong with it, and what the kiosk shows and reads."""

    problems: tuple[tuple[int, str], ...]
    html: str
    text: str


@lru_cache(maxsize=4096)
def analyse(markdown: str) -> Analysis:
    """Parse ``markdown`` once (the checker and the build both ask; the second time is a cache hit)."""
    tree = _parser.tree(markdown)
    newlines = _line_starts(markdown)
    found: list[tuple[int, str]] = []
    _problems(tree, newlines, 0, found)
    html = "" if found else _Html().block(tree).strip()
    texts: list[str] = []
    _plain_text(tree, texts)
    return Analysis(tuple(found), html, "\n".join(texts))


def _line_starts(markdown: str) -> list[int]:
    """Byte offsets where each line starts (the parser's source map counts UTF-8 bytes)."""
    starts = [0]
    for index, byte in enumerate(markdown.encode("utf-8")):
        if byte == 10:
            starts.append(index + 1)
    return starts


def _line(node: Node, starts: list[int]) -> int:
    """0-based line of ``node`` in the body."""
    import bisect

    offset = node.srcmap[0] if node.srcmap else 0
    return bisect.bisect_right(starts, offset) - 1


def _problems(node: Node, starts: list[int], lists: int, found: list[tuple[int, str]]) -> None:
    for child in node.children:
        name = child.name
        if name in _LISTS:
            if lists == MAX_LIST_DEPTH:
                found.append((_line(child, starts),
                              f"lists nested more than {MAX_LIST_DEPTH} deep: the kiosk refuses such a guide"))  # fmt: skip
            _problems(child, starts, lists + 1, found)
            continue
        if name in ("heading", "lheading") and child.meta.get("level", 3) in (1, 2):
            marker = "#" * child.meta["level"] if name == "heading" else child.meta.get("marker", "=")
            found.append((_line(child, starts), f"heading '{marker}' is too big: use ### for a sub-heading"))
        elif name not in _BLOCKS_ALLOWED and name not in _INLINE_ALLOWED:
            message = _NAMES.get(name, f"unsupported Markdown ({name})")
            found.append((_line(child, starts), f"{message} is not allowed in an answer"))
            continue
        _problems(child, starts, lists, found)


class _Html:
    """HTML as markdown-it's renderer writes it (tight list items without <p>; links as their text only)."""

    def block(self, node: Node) -> str:
        out: list[str] = []
        for child in node.children:
            out.append(self._block(child))
        return "".join(out)

    def _block(self, node: Node) -> str:
        name = node.name
        if name == "paragraph":
            return f"<p>{self.inline(node)}</p>\n"
        if name in ("heading", "lheading"):
            tag = f"h{node.meta['level']}"
            return f"<{tag}>{self.inline(node)}</{tag}>\n"
        if name == "bullet_list":
            return "<ul>\n" + self.block(node) + "</ul>\n"
        if name == "ordered_list":
            start = node.meta.get("start", 1)
            opening = "<ol>\n" if start == 1 else f'<ol start="{start}">\n'
            return opening + self.block(node) + "</ol>\n"
        if name == "list_item":
            return self._item(node)
        return ""  # a link reference definition shows nothing

    def _item(self, node: Node) -> str:
        """A tight item holds its text directly, a loose one in paragraphs (markdown-it's hidden paragraphs)."""
        out = ["<li>"]
        inline_run: list[Node] = []
        after_inline = False
        for child in node.children:
            if not _is_block(child):
                inline_run.append(child)
                continue
            if inline_run:  # markdown-it starts a line before a block that follows a hidden paragraph
                out.append(self._inlines(inline_run))
                inline_run, after_inline = [], True
            if after_inline or len(out) == 1:  # ... and after <li> when a block comes first
                out.append("\n")
            out.append(self._block(child))
            after_inline = False
        if inline_run:
            out.append(self._inlines(inline_run))
        out.append("</li>\n")
        return "".join(out)

    def inline(self, node: Node) -> str:
        return self._inlines(node.children)

    def _inlines(self, nodes: list[Node]) -> str:
        out: list[str] = []
        for child in nodes:
            name = child.name
            if name in ("text", "text_special"):
                out.append(child.meta.get("content", "").translate(_ESCAPE))
            elif name == "softbreak":
                out.append("\n")
            elif name == "hardbreak":
                out.append("<br />\n")
            elif name == "strong":
                out.append(f"<strong>{self.inline(child)}</strong>")
            elif name == "em":
                out.append(f"<em>{self.inline(child)}</em>")
            else:  # a link or an autolink: its text only (a kiosk never opens anything)
                out.append(self.inline(child))
        return "".join(out)


def _is_block(node: Node) -> bool:
    return node.name in _BLOCKS_ALLOWED or node.name in ("html_block", "code_block", "fence", "blockquote", "hr")


def _plain_text(node: Node, blocks: list[str]) -> None:
    """The text of each paragraph, heading and tight list item's text, one per line (no markup, links' text)."""
    run: list[str] = []
    for child in node.children:
        if child.name in _LINE_BLOCKS:
            _flush(run, blocks)
            _inline_text(child, run)
            _flush(run, blocks)
        elif _is_block(child):
            _flush(run, blocks)
            _plain_text(child, blocks)
        else:
            _inline_text_node(child, run)
    _flush(run, blocks)


def _flush(run: list[str], blocks: list[str]) -> None:
    text = "".join(run).strip()
    if text:
        blocks.append(text)
    run.clear()


def _inline_text(node: Node, run: list[str]) -> None:
    for child in node.children:
        _inline_text_node(child, run)


def _inline_text_node(node: Node, run: list[str]) -> None:
    name = node.name
    if name in ("text", "text_special"):
        run.append(node.meta.get("content", ""))
    elif name in ("softbreak", "hardbreak"):
        run.append(" ")
    elif name in ("strong", "em", "link", "autolink"):
        _inline_text(node, run)


# Letters of right-to-left scripts (Hebrew, Arabic and its extensions and presentation forms).
_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
# A Latin aside in brackets: "(Agentschap Integratie en Inburgering)", "(inburgering)", with no right-to-left letter.
_LATIN_ASIDE = re.compile(rf"\(([^()<>{_RTL_LETTERS}]*[A-Za-z][^()<>{_RTL_LETTERS}]*)\)")
_TAG = re.compile(r"(<[^>]*>)")
FIRST_STRONG_ISOLATE, POP_ISOLATE, NO_BREAK_SPACE = "\u2068", "\u2069", "\u00a0"


def isolate_latin_asides(html: str) -> str:
    """Right-to-left answers: set each Latin aside in brackets apart, in its own direction and on one line.

    Left alone, the bidirectional algorithm may break "(Agentschap Integratie en Inburgering)" across two lines
    and put each half's bracket on the wrong side. Inside a first-strong isolate the aside reads left to right
    with its brackets around it; no-break spaces keep it whole (a longer line still wraps: the answer view
    breaks anywhere when a word does not fit).
    """
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # the text between tags; odd indexes are the tags themselves
        parts[index] = _LATIN_ASIDE.sub(_isolated, parts[index])
    return "".join(parts)


def _isolated(match: re.Match[str]) -> str:
    return f"{FIRST_STRONG_ISOLATE}({match[1].replace(' ', NO_BREAK_SPACE)}){POP_ISOLATE}"
