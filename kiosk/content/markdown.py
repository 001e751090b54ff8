"""The small Markdown dialect of answer bodies: validation, HTML for the screen, plain text for search/speech.
``analyse`` parses a body once and returns all three.

Allowed: paragraphs, bullet and numbered lists (at most ``MAX_LIST_DEPTH`` deep), **bold**, *italic*,
``###``/``####`` sub-headings, and links (shown as their text only: a kiosk never opens anything). Everything
else is refused with its line. The HTML written is exactly what ``kiosk.guidecheck.html_problem`` accepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kiosk.guidecheck import MAX_LIST_DEPTH

_ALLOWED = {
    "paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak",
    "bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close",
    "list_item_open", "list_item_close", "strong_open", "strong_close", "em_open", "em_close",
    "heading_open", "heading_close", "link_open", "link_close",
}  # fmt: skip
_NAMES = {
    "html_block": "raw HTML", "html_inline": "raw HTML", "image": "an image", "code_inline": "code",
    "code_block": "an indented code block (remove the indentation)", "fence": "a code block",
    "blockquote_open": "a block quote", "hr": "a horizontal rule",
}  # fmt: skip

_LIST_OPEN, _LIST_CLOSE = {"bullet_list_open", "ordered_list_open"}, {"bullet_list_close", "ordered_list_close"}

_checker = MarkdownIt("commonmark", {"html": True})
_renderer = MarkdownIt("commonmark", {"html": False})


def _render_link_as_text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return ""


_renderer.add_render_rule("link_open", _render_link_as_text)
_renderer.add_render_rule("link_close", _render_link_as_text)


@dataclass(frozen=True)
class Analysis:
    """One parse of an answer body: what is wrong with it, and what the kiosk shows and reads."""

    problems: tuple[tuple[int, str], ...]
    html: str
    text: str


@lru_cache(maxsize=4096)
def analyse(markdown: str) -> Analysis:
    """Parse ``markdown`` once (the checker and the build both ask; the second time is a cache hit)."""
    tokens = _checker.parse(markdown)
    found = _problems(tokens)
    html = "" if found else _renderer.renderer.render(tokens, _renderer.options, {}).strip()
    return Analysis(tuple(found), html, _plain_text(tokens))


def _problems(tokens: Sequence[Token]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    lists = 0
    for token, line in _walk(tokens):
        if token.type in _LIST_OPEN:
            lists += 1
            if lists == MAX_LIST_DEPTH + 1:
                found.append((line, f"lists nested more than {MAX_LIST_DEPTH} deep: the kiosk refuses such a guide"))
        elif token.type in _LIST_CLOSE:
            lists -= 1
        if token.type in _ALLOWED:
            if token.type == "heading_open" and token.tag in ("h1", "h2"):
                found.append((line, f"heading '{token.markup}' is too big: use ### for a sub-heading"))
            continue
        name = _NAMES.get(token.type, f"unsupported Markdown ({token.type})")
        found.append((line, f"{name} is not allowed in an answer"))
    return found


def _walk(tokens: Sequence[Token], line: int = 0) -> list[tuple[Token, int]]:
    out: list[tuple[Token, int]] = []
    for token in tokens:
        here = token.map[0] if token.map else line
        out.append((token, here))
        if token.children:
            out.extend(_walk(token.children, here))
    return out


def _plain_text(tokens: Sequence[Token]) -> str:
    blocks: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "text":
                    current.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    current.append(" ")
        elif token.type.endswith("_close") and token.type in ("paragraph_close", "heading_close"):
            text = "".join(current).strip()
            if text:
                blocks.append(text)
            current = []
    return "\n".join(blocks)


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
