"""The small Markdown dialect of answer bodies: validation, HTML for the screen, plain text for search/speech.
``analyse`` returns all three (markdown-it-pyrs parses the body for its tree and for its HTML).

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

# A link reference definition is not shown; its links show their text.
_BLOCKS_ALLOWED = {"root", "paragraph", "bullet_list", "ordered_list", "list_item", "heading", "lheading", "definition"}
_INLINE_ALLOWED = {"text", "text_special", "softbreak", "hardbreak", "strong", "em", "link", "autolink"}
_NAMES = {
    "html_block": "raw HTML", "html_inline": "raw HTML", "image": "an image", "code_inline": "code",
    "code_block": "an indented code block (remove the indentation)", "fence": "a code block",
    "blockquote": "a block quote", "hr": "a horizontal rule",
}  # fmt: skip
_LISTS = {"bullet_list", "ordered_list"}
_LINE_BLOCKS = {"paragraph", "heading", "lheading"}
# A link shows its text only (a kiosk never opens anything). Text is escaped, so "<a " can only be a link.
_LINK_TAGS = re.compile(r'<a href="[^"]*"(?: title="[^"]*")?>|</a>')


@dataclass(frozen=True)
class Analysis:
    """One parse of an answer body: what is wrong with it, and what the kiosk shows and reads."""

    problems: tuple[tuple[int, str], ...]
    html: str
    text: str


@lru_cache(maxsize=4096)
def analyse(markdown: str) -> Analysis:
    """The problems, HTML and text of ``markdown`` (the checker and the build both ask: the second is a cache hit).

    Most answers are read from their HTML alone (``_analyse_html``); the others, and every answer with a problem,
    from the parser's tree, which knows each problem's line."""
    return _analyse_html(markdown) or _analyse_tree(markdown)


def _analyse_html(markdown: str) -> Analysis | None:
    """The answer read from its rendered HTML, or None when the HTML does not settle it."""
    if "<" in markdown:  # raw HTML or an autolink: the HTML's tags are not only the Markdown's own
        return None
    html = _LINK_TAGS.sub("", _parser.render(markdown)).strip()
    text = _text_of_html(html)
    return Analysis((), html, text) if text is not None else None


def _analyse_tree(markdown: str) -> Analysis:
    tree = _parser.tree(markdown)
    found: list[tuple[Node, str]] = []
    _problems(tree, 0, found)
    html = "" if found else _LINK_TAGS.sub("", _parser.render(markdown)).strip()
    texts: list[str] = []
    _plain_text(tree, texts)
    encoded = markdown.encode("utf-8") if found else b""
    problems = tuple((_line(node, encoded), message) for node, message in found)
    return Analysis(problems, html, "\n".join(texts))


# What the renderer writes for the Markdown an answer may use, links' tags taken out: a block tag ends a line of
# the plain text; an inline one does not. Any other tag (an image, code, a quote, a big heading ...) is a problem,
# found with its line in the tree.
_BLOCK_TAGS = frozenset({"p", "/p", "li", "/li", "ul", "/ul", "ol", "/ol",
                         *(f"{c}h{n}" for c in ("", "/") for n in "3456")})  # fmt: skip
_INLINE_TAGS = frozenset({"strong", "/strong", "em", "/em"})
_OL_START = re.compile(r'ol start="\d+"')
_HTML_TAG = re.compile(r"<([^<>]*)>")


def _text_of_html(html: str) -> str | None:
    """The plain text ``_plain_text`` gives, read from the rendered HTML of Markdown without raw HTML: one line
    per paragraph, heading and list item's own text, line breaks as spaces, entities decoded. None when the HTML
    holds a tag an answer may not have or lists nested too deep (the tree then says what and where)."""
    parts = _HTML_TAG.split(html)  # text, tag, text, tag ... (text has no '<' or '>': the renderer escapes them)
    blocks: list[str] = []
    run: list[str] = [parts[0]]
    lists = 0
    for index in range(1, len(parts), 2):
        tag, after = parts[index], parts[index + 1]
        if tag in _BLOCK_TAGS or _OL_START.fullmatch(tag):
            _flush_html(run, blocks)
            if tag in ("ul", "ol") or tag.startswith("ol "):
                lists += 1
                if lists > MAX_LIST_DEPTH:
                    return None
            elif tag in ("/ul", "/ol"):
                lists -= 1
        elif tag == "br /":  # a hard line break, written "<br />\n": one space, as a soft one
            run.append(" ")
            after = after[1:] if after.startswith("\n") else after
        elif tag not in _INLINE_TAGS:
            return None
        run.append(after)
    _flush_html(run, blocks)
    return "\n".join(blocks)


def _flush_html(run: list[str], blocks: list[str]) -> None:
    text = "".join(run)
    if "\n" in text:  # a soft line break
        text = text.replace("\n", " ")
    if "&" in text:  # what the renderer escapes, and only that
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    text = text.strip()
    if text:
        blocks.append(text)
    run.clear()


def _line(node: Node, encoded: bytes) -> int:
    """0-based line of ``node`` in the body (the parser's source map counts UTF-8 bytes)."""
    return encoded.count(b"\n", 0, node.srcmap[0] if node.srcmap else 0)


def _problems(node: Node, lists: int, found: list[tuple[Node, str]]) -> None:
    for child in node.children:
        name = child.name
        if name in _LISTS:
            if lists == MAX_LIST_DEPTH:
                found.append((child, f"lists nested more than {MAX_LIST_DEPTH} deep: the kiosk refuses such a guide"))
            _problems(child, lists + 1, found)
            continue
        if name in ("heading", "lheading") and child.meta.get("level", 3) in (1, 2):
            marker = "#" * child.meta["level"] if name == "heading" else child.meta.get("marker", "=")
            found.append((child, f"heading '{marker}' is too big: use ### for a sub-heading"))
        elif name not in _BLOCKS_ALLOWED and name not in _INLINE_ALLOWED:
            message = _NAMES.get(name, f"unsupported Markdown ({name})")
            found.append((child, f"{message} is not allowed in an answer"))
            continue
        _problems(child, lists, found)


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
