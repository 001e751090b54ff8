"""An answer: notices, the question, the "in short" box, the full answer, sources, date, related questions."""

from __future__ import annotations

import html

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.guide import Answer
from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.topic import question_row
from kiosk.ui.widgets import RichText, TouchButton, wrapping_label


def format_date(date: QDate, lang: str) -> str:
    locale = QLocale(lang)
    if locale.language() == QLocale.Language.C:
        return date.toString(Qt.DateFormat.ISODate)
    return locale.toString(date, QLocale.FormatType.LongFormat)


class AnswerScreen(Screen):
    name = "answer"

    def _kept(self) -> set[QWidget]:
        kept = super()._kept()
        if getattr(self, "_rich", None) is not None:
            kept.add(self._rich)
        return kept

    def _body_text(self) -> RichText:
        """The answer body's rich text widget, created once (a QTextBrowser is slow to create)."""
        if getattr(self, "_rich", None) is None:
            self._rich = RichText("", "answerBody")
        self._rich.show()
        return self._rich

    def build(self, ctx: ScreenContext, arg: str) -> None:
        try:
            answer = ctx.store.answer(arg, ctx.lang)
        except KeyError:
            self.column.addWidget(wrapping_label(ctx.text("search_no_results"), "screenTitle"))
            return
        self.answer = answer
        for notice in self._notices(ctx, answer):
            self.column.addWidget(notice)
        title = wrapping_label(answer.question, "screenTitle")
        self.question_label = title
        self.column.addWidget(title)
        self.column.addWidget(self._short_box(ctx, answer))
        self.column.addWidget(wrapping_label(ctx.text("full_answer"), "sectionTitle"))
        direction = "rtl" if ctx.store.language(answer.lang).rtl else "ltr"
        align = Qt.AlignmentFlag.AlignRight if direction == "rtl" else Qt.AlignmentFlag.AlignLeft
        self.body_label = self._body_text()
        self.body_label.set_content(f"<div dir='{direction}'>{answer.body_html}</div>")
        self.column.addWidget(self.body_label)
        self.column.addWidget(wrapping_label(ctx.text("sources"), "sectionTitle"))
        lines = [
            html.escape(s.title) + (f"<br>&nbsp;&nbsp;{html.escape(s.url)}" if s.url else "") for s in answer.sources
        ]
        sources = "<br>".join(f"• {line}" for line in lines)
        sources_label = wrapping_label(f"<div dir='{direction}'>{sources}</div>", "muted", rich=True)
        sources_label.setAlignment(align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignTop)
        self.column.addWidget(sources_label)
        checked = QDate(answer.checked.year, answer.checked.month, answer.checked.day)
        self.column.addWidget(wrapping_label(ctx.text("last_checked", date=format_date(checked, ctx.lang)), "muted"))
        self.related_rows: list[TouchButton] = []
        related = ctx.store.related(arg, ctx.lang, ctx.audience)
        if related:
            self.column.addWidget(wrapping_label(ctx.text("related_questions"), "sectionTitle"))
            for q in related:
                row = question_row(self, ctx, q.id, q.text, q.icon)
                self.column.addWidget(row)
                self.related_rows.append(row)

    def _notices(self, ctx: ScreenContext, answer: Answer) -> list[QFrame]:
        texts = []
        if answer.fell_back:
            shown = ctx.store.language(answer.lang).name
            texts.append(ctx.text("fallback_language", language=shown))
        if answer.machine_translated:
            texts.append(ctx.text("machine_translation"))
        frames = []
        for text in texts:
            frame = QFrame()
            frame.setObjectName("notice")
            row = QHBoxLayout(frame)
            icon = QLabel()
            icon.setPixmap(ctx.icon("info-circle", ctx.metrics.bar_icon, ctx.metrics.palette.text))
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(wrapping_label(text, "noticeText"), 1)
            frames.append(frame)
        self.notices = [t for t in texts]
        return frames

    def _short_box(self, ctx: ScreenContext, answer: Answer) -> QFrame:
        box = QFrame()
        box.setObjectName("shortBox")
        row = QHBoxLayout(box)
        gap = ctx.metrics.gap
        row.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        row.setSpacing(gap * 2)
        icon = QLabel()
        icon.setPixmap(ctx.icon(answer.icon))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.addWidget(wrapping_label(ctx.text("in_short"), "shortLabel"))
        self.short_label = wrapping_label(answer.short, "shortText")
        texts.addWidget(self.short_label)
        row.addLayout(texts, 1)
        return box
