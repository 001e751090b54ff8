"""An answer: notices, the question, the "in short" box, the full answer, sources, date, related questions."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk import clock
from kiosk.contrib.store import recordings_for, reviewed_correct
from kiosk.guide import Answer
from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.screens.topic import question_row
from kiosk.ui.widgets import RichText, TouchButton, answer_html, wrapping_label

if TYPE_CHECKING:
    from kiosk.qt.speech import SpeechService


def format_date(date: QDate, lang: str) -> str:
    locale = QLocale(lang)
    if locale.language() == QLocale.Language.C:
        return date.toString(Qt.DateFormat.ISODate)
    return locale.toString(date, QLocale.FormatType.LongFormat)


class AnswerScreen(Screen):
    name = "answer"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Created once and reused (a QTextBrowser is slow to create); both can light up spoken words.
        self.short_label = RichText("", "shortText")
        self.body_label = RichText("", "answerBody")
        self.listen = QPushButton()
        self.listen.setObjectName("primary")
        self.listen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.listen.clicked.connect(self._on_listen_clicked)
        self.slower = QPushButton()
        self.slower.setObjectName("toggle")
        self.slower.setCheckable(True)
        self.slower.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slower.toggled.connect(self._on_slower_toggled)
        self.short_box = QFrame()
        self.short_box.setObjectName("shortBox")
        box_row = self.short_row = QHBoxLayout(self.short_box)
        self.short_icon = QLabel()
        box_row.addWidget(self.short_icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.short_title = wrapping_label("", "shortLabel")
        texts.addWidget(self.short_title)
        texts.addWidget(self.short_label)
        box_row.addLayout(texts, 1)
        self._speech: SpeechService | None = None
        self.answer: Answer | None = None
        self.recorded = (False, False)  # a human recording of (short, full answer) exists

    def _kept(self) -> set[QWidget]:
        return super()._kept() | {self.short_label, self.body_label, self.listen, self.slower, self.short_box}

    @property
    def speech_key(self) -> str:
        return f"answer:{self.answer.question_id}" if self.answer else ""

    def attach_speech(self, speech: SpeechService) -> None:
        """Connect once: the service tells which word is being spoken; the screen lights it up."""
        self._speech = speech
        speech.word_spoken.connect(self._on_speech_word_spoken)
        speech.finished.connect(self._on_speech_ended)
        speech.stopped.connect(self._on_speech_ended)
        speech.voices_checked.connect(lambda _voices: self._update_listen())

    def build(self, ctx: ScreenContext, arg: str) -> None:
        try:
            answer = ctx.store.answer(arg, ctx.lang, today=clock.today())
        except KeyError:
            self.column.addWidget(wrapping_label(ctx.text("search_no_results"), "screenTitle"))
            return
        self.answer = answer
        played = recordings_for(ctx.store, ctx.contributions, answer.question_id, answer.lang,
                                [answer.short, answer.body_text])  # fmt: skip
        self.recorded = (played[0] is not None, played[1] is not None)
        for notice in self._notices(ctx, answer):
            self.column.addWidget(notice)
        title = wrapping_label(answer.question, "screenTitle")
        self.question_label = title
        self.column.addWidget(title)
        self.column.addLayout(self._listen_row(ctx))
        self.column.addWidget(self._short_box(ctx, answer))
        self.column.addWidget(wrapping_label(ctx.text("full_answer"), "sectionTitle"))
        direction = "rtl" if ctx.store.language(answer.lang).rtl else "ltr"
        align = Qt.AlignmentFlag.AlignRight if direction == "rtl" else Qt.AlignmentFlag.AlignLeft
        self.body_label.show()
        self.body_label.set_content(f"<div dir='{direction}'>{answer_html(answer.body_html, answer.body_text)}</div>")
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
        if answer.machine_translated and not reviewed_correct(ctx.store, ctx.contributions, answer.question_id,
                                                              answer.lang):  # fmt: skip
            texts.append(ctx.text("machine_translation"))  # unless a reader of the language found it correct
        if answer.may_be_outdated:  # a figure is shown with a period that has passed
            texts.append(ctx.text("fact_outdated"))
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
        """The "in short" box: the question's icon first, then the short answer in large type (reused)."""
        gap = ctx.metrics.gap
        row = self.short_row
        row.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        row.setSpacing(gap * 2)
        self.short_icon.setPixmap(ctx.icon(answer.icon))
        self.short_title.setText(ctx.text("in_short"))
        direction = "rtl" if ctx.store.language(answer.lang).rtl else "ltr"
        self.short_label.set_content(f"<div dir='{direction}'>{html.escape(answer.short)}</div>")
        for widget in (self.short_box, self.short_label):
            widget.show()
        return self.short_box

    # --- listening ---------------------------------------------------------------------------------
    def _listen_row(self, ctx: ScreenContext) -> QHBoxLayout:
        row = QHBoxLayout()
        self.slower.setText(ctx.text("slower"))
        self.slower.blockSignals(True)
        self.slower.setChecked(bool(self._speech and self._speech.slow))
        self.slower.blockSignals(False)
        self.listen.show()
        row.addWidget(self.listen)
        row.addWidget(self.slower)
        row.addStretch(1)
        self._update_listen()
        return row

    def _update_listen(self) -> None:
        ctx, answer = self.ctx, self.answer
        if ctx is None or answer is None:
            return
        m = ctx.metrics
        speaking = self._speech is not None and self._speech.speaking == self.speech_key
        voiced = self._speech is not None and self._speech.can_speak(answer.lang, any(self.recorded))
        icon, text = ("player-stop", ctx.text("stop")) if speaking else ("volume", ctx.text("listen"))
        colour = m.palette.accent_text
        if not voiced:
            icon, text, colour = "volume-off", ctx.text("no_voice"), m.palette.text
        self.listen.setIcon(ctx.icons.icon(icon, m.bar_icon, colour))
        self.listen.setIconSize(QSize(m.bar_icon, m.bar_icon))
        self.listen.setText(text)
        self.listen.setEnabled(voiced)
        self.slower.setVisible(voiced)

    def read_aloud(self) -> None:
        """Start reading this answer, as the Listen button does (the staff's setting: answers read as they open)."""
        speech = self._speech
        idle = speech is not None and speech.speaking != self.speech_key
        if idle and self.answer is not None and self.listen.isEnabled():
            self._on_listen_clicked()

    def _on_listen_clicked(self) -> None:
        if self._speech is None or self.answer is None:
            return
        if self._speech.speaking == self.speech_key:
            self._speech.stop()
        else:
            parts = [self.short_label.toPlainText(), self.body_label.toPlainText()]
            qid = self.answer.question_id
            contributions = self.ctx.contributions if self.ctx is not None else None
            recordings = recordings_for(self.ctx.store, contributions, qid, self.answer.lang, parts) if self.ctx else []
            variants = [self.answer.spoken_short, self.answer.spoken_answer]
            voiced = self._speech.voice_for(self.answer.lang) is not None
            if not voiced:  # only a person's voice: the recorded parts, the others are not said
                parts = [text if recordings[i] is not None else "" for i, text in enumerate(parts)]
            if self.answer.may_be_outdated and self.ctx is not None and voiced:  # listening says it too, at the end
                parts.append(self.ctx.text("fact_outdated"))
                recordings.append(None)
                variants.append(None)
            self._speech.speak(self.speech_key, parts, self.answer.lang, self._speech.slow, recordings, variants)
        self._update_listen()

    def _on_slower_toggled(self, checked: bool) -> None:
        if self._speech is not None:
            self._speech.slow = checked

    def _on_speech_word_spoken(self, key: str, part: int, start: int, end: int) -> None:
        if key != self.speech_key or not self.isVisible():
            return
        self._update_listen()
        if part > 1:  # the notice that a figure may have changed: not lit up word by word
            self.short_label.highlight(None)
            self.body_label.highlight(None)
            return
        target, other = (self.short_label, self.body_label) if part == 0 else (self.body_label, self.short_label)
        other.highlight(None)
        rect = target.highlight((start, end))
        if rect is not None:
            top_left = target.mapTo(self.body, rect.topLeft())
            self.scroll_area.ensureVisible(top_left.x(), top_left.y() + rect.height() // 2, 0, self.height() // 4)

    def _on_speech_ended(self, key: str) -> None:
        if key == self.speech_key:
            self.short_label.highlight(None)
            self.body_label.highlight(None)
            self._update_listen()
