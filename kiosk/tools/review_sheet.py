"""A bilingual review sheet on paper: the source text beside a translation, one answer per page (PDF).

For interpreters and reviewers without translation software. Each row is one unit of the translators' XLIFF
file (:mod:`kiosk.content.translation`): the question, the short answer, each paragraph, list item and heading,
so a reviewer reads a paragraph beside its translation; the sources close the page. Each side is set in its own
direction (right to left for Arabic-script languages) in the kiosk's bundled fonts, figures filled in as the
kiosk shows them. A header names the answer and the state of its translation. Drawn with Qt's own PDF writer,
so it works without a display (the offscreen platform).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCursor,
    QTextDocument,
    QTextOption,
    QTextTable,
)

from kiosk.content.facts import PLACEHOLDER, renderers
from kiosk.content.markdown import FIRST_STRONG_ISOLATE, POP_ISOLATE, analyse, isolate_latin_asides
from kiosk.content.model import AnswerSource, LanguageSource
from kiosk.content.problems import Report
from kiosk.content.segments import Layout
from kiosk.content.translation import AnswerPlan, plan
from kiosk.ui import fonts

MIN_SCALE = 0.8  # a long answer is set smaller down to 8 points, then continues on the next page


@dataclass(frozen=True)
class Page:
    """One answer's page: a header line, a state line and the table's HTML."""

    title: str
    state: str
    table: str


@dataclass(frozen=True)
class Sheet:
    heading: str
    pages: list[Page]
    rtl: bool


def sheet(root: Path, lang: str) -> Sheet:
    """What the sheet shows (no Qt): one page per answer of the source language."""
    current = plan(root, lang)
    guide = current.guide
    source, target = guide.language(current.source_lang), guide.language(lang)
    assert source is not None and target is not None  # plan() refused unknown languages
    facts = {code: {fid: r.isolated(f) for fid, f in guide.facts.items()}
             for code, r in renderers(guide, Report()).items()}  # fmt: skip
    heading = (f"Wegwijzer review sheet: {source.english} ({source.code}) beside {target.english} ({target.code}), "
               f"guide version {current.version} ({current.edition})")  # fmt: skip
    pages = []
    total = len(current.answers)
    for number, (qid, answer) in enumerate(current.answers.items(), start=1):
        title = f"Answer {number} of {total}: {qid}"
        table = _table(answer, source, target, facts.get(source.code, {}), facts.get(target.code, {}))
        pages.append(Page(title, _state(answer), table))
    return Sheet(heading, pages, target.direction == "rtl")


def _state(answer: AnswerPlan) -> str:
    if answer.target is None:
        return "not translated yet"
    if answer.stale:
        return f"{answer.target.status}, stale: translated from an older source text - check every row"
    if answer.target.status == "machine":
        return "machine translation: to be reviewed"
    return f"{answer.target.status}: checked by a person"


def _table(answer: AnswerPlan, source: LanguageSource, target: LanguageSource,
           source_facts: dict[str, str], target_facts: dict[str, str]) -> str:  # fmt: skip
    rtl = target.direction == "rtl"
    rows = [_row(f"<b>{html.escape(source.name)}</b> ({source.code})",
                 f"<b>{html.escape(target.name)}</b> ({target.code}, {target.english})", rtl, header=True)]  # fmt: skip
    for unit in answer.units:
        part = unit.id.split("/", 2)[2]
        left = _cell(part, unit.source_text, answer.source_layout, source_facts)
        if unit.target_text is None:
            right = "<p><i>(not translated yet)</i></p>"
        else:
            right = _cell(part, unit.target_text, answer.target_layout or answer.source_layout, target_facts)
            right = isolate_latin_asides(right) if rtl else right
        rows.append(_row(left, right, rtl))
    theirs = answer.target.sources if answer.target is not None else []
    rows.append(_row(_sources(answer.source), _sources(answer.target) if theirs else "", rtl, small=True))
    return ('<table width="100%" cellspacing="0" cellpadding="5" border="1" style="border-collapse: collapse; '
            'border-color: #999999;">' + "".join(rows) + "</table>")  # fmt: skip


def _row(left: str, right: str, rtl: bool, header: bool = False, small: bool = False) -> str:
    style = ' style="background-color: #e8e8e8;"' if header else ""
    size = ' style="font-size: 8pt;"' if small else ""
    align = "right" if rtl else "left"
    return (
        f'<tr{style}><td width="50%" align="left" valign="top"{size}>{left}</td>'
        f'<td width="50%" align="{align}" valign="top"{size}>{right}</td></tr>'
    )


def _cell(part: str, text: str, shape: Layout, facts: dict[str, str]) -> str:
    filled = PLACEHOLDER.sub(lambda m: facts.get(m[1], m[0]), text)
    if part == "question":
        return f"<p><b>{html.escape(filled)}</b></p>"
    if part == "short":
        return f'<p style="background-color: #f2f2f2;"><b>{analyse(filled).html.removeprefix("<p>")}'
    if part.startswith("body/"):
        index = int(part.split("/")[1]) - 1
        blocks = shape.blocks
        prefix = blocks[index].lead.rsplit("\n", 1)[-1].strip() if index < len(blocks) else ""
        if prefix[:1].isdigit():  # "3." would start a list at 1: say the number as text
            return f"<p>{html.escape(prefix)} {_inline(filled)}</p>"
        filled = f"{prefix} {filled}" if prefix else filled
    return analyse(filled).html


def _inline(text: str) -> str:
    rendered = analyse(text).html
    return rendered.removeprefix("<p>").removesuffix("</p>")


def _sources(answer: AnswerSource | None) -> str:
    """The answer's sources; each title and address in its own direction (a Dutch title and an address in a
    right-to-left list would otherwise have their slashes and colons moved to the other end)."""
    if answer is None:
        return ""
    items = "".join(f"<li>{_isolated(c.title)}{'<br/>' + _isolated(c.url) if c.url else ''}</li>"
                    for c in answer.sources)  # fmt: skip
    return f"<p><b>Sources</b></p><ul>{items}</ul>"


def _isolated(text: str) -> str:
    return f"{FIRST_STRONG_ISOLATE}{html.escape(text)}{POP_ISOLATE}"


# --- drawing (Qt) -----------------------------------------------------------------------------------------------
_keep: list[QGuiApplication] = []  # the application made for drawing lives as long as the process


def write_pdf(content: Sheet, out: Path, fonts_dir: Path) -> tuple[list[int], int]:
    """Draw the sheet into ``out`` (replaced only when complete); return each answer's first page (0-based) and
    the number of pages.

    Every answer starts on a new page. A long answer is set smaller, down to ``MIN_SCALE``, and continues on the
    next page (the header says so, and the row of language names is repeated) rather than shrink any further.
    """
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _keep.append(QGuiApplication([]))
    fonts.register(fonts_dir)
    tmp = out.with_name(f".{out.name}.tmp")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))  # fmt: skip
    writer.setTitle(content.heading)
    writer.setCreator("wegwijzer content review-sheet")
    area = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
    area.moveTo(0, 0)
    base = QFont()
    base.setFamilies(fonts.FAMILIES)
    base.setPointSizeF(10)
    painter = QPainter(writer)
    if not painter.isActive():
        raise OSError(f"cannot write {tmp}")
    try:
        top = _header_height(painter, base)
        body = QRectF(area.left(), top, area.width(), area.bottom() - top)
        laid = [_laid_out(page, writer, base, body, content.rtl) for page in content.pages]
        total = sum(doc.pageCount() for doc, _ in laid)
        firsts, number = [], 0
        for page, (doc, scale) in zip(content.pages, laid, strict=True):
            firsts.append(number)
            for part in range(doc.pageCount()):
                if number:
                    writer.newPage()
                number += 1
                _header(painter, area, content.heading, page, base, f"{number} / {total}", part)
                _draw_part(painter, doc, scale, body, part)
    except BaseException:
        painter.end()
        tmp.unlink(missing_ok=True)
        raise
    painter.end()
    os.replace(tmp, out)
    return firsts, total


def _laid_out(page: Page, writer: QPdfWriter, base: QFont, body: QRectF, rtl: bool) -> tuple[QTextDocument, float]:
    """The page's table laid out at the largest scale (down to MIN_SCALE) at which it fits one page."""
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(base)
    doc.setDocumentMargin(0)
    option = doc.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # a long address must not widen the table
    doc.setDefaultTextOption(option)
    doc.setHtml(page.table)
    for frame in doc.rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            fmt = frame.format()
            fmt.setHeaderRowCount(1)  # the languages' names on every page of the answer
            frame.setFormat(fmt)
            if rtl:
                _right_to_left(frame)
    scale = 1.0
    for _ in range(4):
        doc.setTextWidth(body.width() / scale)  # one long page: its height is the content's
        height = doc.size().height() * scale
        if height <= body.height() or scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale * body.height() / height * 0.98)
    doc.setPageSize(QSizeF(body.width() / scale, body.height() / scale))
    return doc, scale


def _header_height(painter: QPainter, base: QFont) -> float:
    small, bold = _header_fonts(base)
    painter.setFont(small)
    line = painter.fontMetrics().height()
    painter.setFont(bold)
    return float(line * 1.3 + painter.fontMetrics().height() * 1.5)


def _header_fonts(base: QFont) -> tuple[QFont, QFont]:
    small, bold = QFont(base), QFont(base)
    small.setPointSizeF(8)
    bold.setPointSizeF(11)
    bold.setBold(True)
    return small, bold


def _header(painter: QPainter, area: QRectF, heading: str, page: Page, base: QFont, number: str, part: int) -> None:
    """The sheet's heading and the page number, then the answer and the state of its translation."""
    small, bold = _header_fonts(base)
    painter.setFont(small)
    line = painter.fontMetrics().height()
    first = QRectF(area.left(), area.top(), area.width(), line)
    painter.drawText(first, Qt.AlignmentFlag.AlignLeft, heading)
    painter.drawText(first, Qt.AlignmentFlag.AlignRight, number)
    painter.setFont(bold)
    second = QRectF(area.left(), area.top() + line * 1.3, area.width(), painter.fontMetrics().height())
    title = f"{page.title} (continued)" if part else f"{page.title}  -  {page.state}"
    painter.drawText(second, Qt.AlignmentFlag.AlignLeft, title)


def _right_to_left(table: QTextTable) -> None:
    """Every block of the table's second column right to left and right-aligned (lists too)."""
    for row in range(table.rows()):
        cell = table.cellAt(row, 1)
        cursor = cell.firstCursorPosition()
        end = cell.lastCursorPosition().position()
        while True:
            fmt = cursor.blockFormat()
            fmt.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            fmt.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
            cursor.setBlockFormat(fmt)
            if not cursor.movePosition(QTextCursor.MoveOperation.NextBlock) or cursor.position() > end:
                break


def _draw_part(painter: QPainter, doc: QTextDocument, scale: float, body: QRectF, part: int) -> None:
    """Draw page ``part`` of the laid-out document into ``body``."""
    height = doc.pageSize().height()
    painter.save()
    painter.translate(body.left(), body.top())
    painter.scale(scale, scale)
    painter.translate(0, -part * height)
    doc.drawContents(painter, QRectF(0, part * height, doc.pageSize().width(), height))
    painter.restore()
