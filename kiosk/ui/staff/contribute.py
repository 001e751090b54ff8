"""Staff page "Record and review": interpreters and staff read answers aloud and check translations, on the kiosk.

The flow: a language, then an answer (each with its translation status and what is recorded), then on the answer
page a review mark (correct / needs change, a short note, initials) and the way to record the "in short" text or
the full answer. Before the first recording a reader agrees to a consent text (stored with their recordings).
Recording shows one sentence at a time in large type, in its own direction, with a level meter; each take can be
heard back, redone and kept. A part whose sentences are all kept plays at once in place of the synthetic voice.

Visitors never reach this page (staff mode, behind the PIN), and nothing here is counted in the usage figures.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import clock
from kiosk.contrib.audio import Take
from kiosk.contrib.store import PARTS, ContribError, Contributions, Recording, answer_version
from kiosk.guide import Answer, Language
from kiosk.qt.audio import AudioOutput
from kiosk.qt.background import run_off_thread
from kiosk.qt.recorder import Recorder
from kiosk.ui.screens.base import clear_layout
from kiosk.ui.widgets import staff_button, wrapping_label

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.ui.staff.keyboard import StaffKeyboard
    from kiosk.ui.staff.services import StaffServices

log = logging.getLogger(__name__)
STEPS = ("languages", "answers", "answer", "consent", "record")


def reason_key(exc: Exception) -> str:
    """The staff text that says why a contribution failed (the details are in the log)."""
    return getattr(exc, "key", "contrib_failed")


def _in_direction(label: QLabel, rtl: bool) -> QLabel:
    label.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
    label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)  # the right edge in RTL
    return label


class ContributePage(QWidget):
    """Signals:
    recording_kept(str, str, str): a take was kept (language, question id, part).
    reviewed(str, str, str): a review mark was saved (language, question id, verdict).
    """

    recording_kept = Signal(str, str, str)
    reviewed = Signal(str, str, str)

    def __init__(self, services: StaffServices, text: Callable[..., str], keyboard: StaffKeyboard,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.services, self.t, self.keyboard = services, text, keyboard
        self.contributions: Contributions | None = services.contributions
        self.recorder: Recorder = services.recorder or Recorder(self)
        self.recorder.setParent(self)
        self.recorder.level.connect(self._on_level)
        self.recorder.recorded.connect(self._on_recorded)
        self.recorder.failed.connect(self._on_record_failed)
        self.recorder.busy_changed.connect(lambda _busy: self._update_record_buttons())
        self.output = AudioOutput(self, services.audio_device)
        self._listen_timer = QTimer(self, interval=50)
        self._listen_timer.timeout.connect(self._on_listen_tick)
        self.language: Language | None = None
        self.answer: Answer | None = None
        self.answer_hash = ""
        self.part = "short"
        self.recording: Recording | None = None
        self.index = 0
        self.take: Take | None = None  # the take just made, not kept yet
        self.reader = ""
        self._record_key: tuple[str, str, str] | None = None
        self.steps = QStackedWidget()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.steps)
        self.pages: dict[str, QWidget] = {}
        for step in STEPS:
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            self.pages[step] = page
            self.steps.addWidget(page)
        self.step = "languages"
        self.show_languages()

    # --- moving between steps ------------------------------------------------------------------------
    def _go(self, step: str) -> QVBoxLayout:
        """Show ``step``, emptied: the caller fills it."""
        if self.step == "record" and step != "record":
            self.recorder.cancel()
            self._stop_listening()
        self.keyboard.close_keys()
        self.step = step
        for name, page in self.pages.items():  # each step is built when shown: the others are emptied, so that
            layout = page.layout()  # a new text on this one does not lay out the long answer texts of the others
            assert isinstance(layout, QVBoxLayout)
            if name == step or layout.count():
                clear_layout(layout)
        self.steps.setCurrentWidget(self.pages[step])
        target = self.pages[step].layout()
        assert isinstance(target, QVBoxLayout)
        return target

    def leave(self) -> None:
        """The staff left the page (or staff mode): nothing keeps recording or playing."""
        self.recorder.cancel()
        self._stop_listening()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().hideEvent(event)
        self.leave()

    def _back_row(self, layout: QVBoxLayout, text: str, target: Callable[[], None]) -> None:
        back = staff_button(text)
        back.setProperty("contrib", "back")
        back.clicked.connect(target)
        row = QHBoxLayout()
        row.addWidget(back)
        row.addStretch(1)
        layout.addLayout(row)

    def show_languages(self) -> None:
        layout = self._go("languages")
        layout.addWidget(wrapping_label(self.t("contrib_intro"), "muted"))
        layout.addWidget(wrapping_label(self.t("contrib_choose_language"), "sectionTitle"))
        grid = QGridLayout()
        store = self.services.store
        for index, language in enumerate(x for x in store.languages() if x.code != store.source_language):
            button = staff_button(f"\u2068{language.name}\u2069 ({language.code})", "toggle")
            button.setProperty("contrib", f"lang-{language.code}")
            button.clicked.connect(lambda _c=False, lang=language: self.show_answers(lang))
            grid.addWidget(button, index // 3, index % 3)
        layout.addLayout(grid)
        layout.addStretch(1)

    def show_answers(self, language: Language) -> None:
        self.language = language
        layout = self._go("answers")
        self._back_row(layout, self.t("contrib_languages"), self.show_languages)
        layout.addWidget(wrapping_label(f"\u2068{language.name}\u2069 ({language.code})", "screenTitle"))
        store = self.services.store
        for qid in store.question_ids():
            try:
                answer = store.answer(qid, language.code, today=clock.today())
            except KeyError:
                continue
            if answer.lang != language.code:
                continue  # not translated: nothing to review or read
            button = staff_button("", "row")
            button.setProperty("contrib", f"answer-{qid}")
            button.setMinimumHeight(self.fontMetrics().height() * 3)
            row = QVBoxLayout(button)
            question = _in_direction(wrapping_label(answer.question, "rowText"), language.rtl)
            question.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            row.addWidget(question)
            status = wrapping_label(self._status_line(answer), "muted")
            status.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            row.addWidget(status)
            button.clicked.connect(lambda _c=False, q=qid: self.show_answer(q))
            layout.addWidget(button)
        layout.addStretch(1)

    def _status_line(self, answer: Answer) -> str:
        store = self.services.store
        version = answer_version(store, answer.question_id, answer.lang)
        review = self.contributions.review(answer.lang, answer.question_id, version) if self.contributions else None
        words = [self.t(f"contrib_status_{answer.status}")]
        if review is not None:
            key = "contrib_marked_correct" if review.verdict == "correct" else "contrib_marked_change"
            words.append(self.t(key, initials=review.initials, date=review.at[:10], note=review.note))
        for part, text in zip(PARTS, (answer.short, answer.body_text), strict=True):
            recording = self._recording_of(answer, part, text)
            if recording is not None and recording.kept:
                words.append(self.t("contrib_recorded", part=self.t(f"contrib_part_{part}"), kept=recording.kept,
                                    total=len(recording.sentences)))  # fmt: skip
        return " · ".join(words)

    def _recording_of(self, answer: Answer, part: str, text: str) -> Recording | None:
        if self.contributions is None:
            return None
        try:
            recording = self.contributions.recording(answer.lang, answer.question_id, part)
        except ContribError:
            return None
        return recording if recording is not None and recording.current(text) else None

    # --- one answer: its review and its recordings ---------------------------------------------------
    def show_answer(self, question_id: str) -> None:
        assert self.language is not None
        language = self.language
        store = self.services.store
        self.answer = store.answer(question_id, language.code, today=clock.today())  # as a visitor is shown it
        self.answer_hash = answer_version(store, question_id, language.code)
        layout = self._go("answer")
        self._back_row(layout, self.t("contrib_answers"), lambda: self.show_answers(language))
        answer = self.answer
        layout.addWidget(_in_direction(wrapping_label(answer.question, "sectionTitle"), language.rtl))
        layout.addWidget(wrapping_label(self._status_line(answer), "muted"))
        for part, text in zip(PARTS, (answer.short, answer.body_text), strict=True):
            layout.addWidget(wrapping_label(self.t(f"contrib_part_{part}"), "muted"))
            layout.addWidget(_in_direction(wrapping_label(text, "contribText"), language.rtl))
        source = store.answer(question_id, store.source_language)
        show_source = staff_button(self.t("contrib_show_source"), "toggle", checkable=True)
        source_label = wrapping_label(f"{source.question}\n\n{source.short}\n\n{source.body_text}", "muted")
        source_label.hide()
        show_source.toggled.connect(source_label.setVisible)
        layout.addWidget(show_source)
        layout.addWidget(source_label)
        # the review
        layout.addWidget(wrapping_label(self.t("contrib_review_title"), "sectionTitle"))
        verdicts = QHBoxLayout()
        self.correct = staff_button(self.t("contrib_correct"), "toggle", checkable=True)
        self.change = staff_button(self.t("contrib_needs_change"), "toggle", checkable=True)
        for button, name in ((self.correct, "correct"), (self.change, "needs-change")):
            button.setAutoExclusive(True)
            button.setProperty("contrib", f"verdict-{name}")
            verdicts.addWidget(button)
        verdicts.addStretch(1)
        layout.addLayout(verdicts)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.t("contrib_note"))
        self.note.setMaxLength(500)
        self.keyboard.watch(self.note, store.keyboard(language.keyboard) if language.keyboard else None)
        layout.addWidget(self.note)
        self.initials = self._initials_field()
        save = staff_button(self.t("contrib_save_review"))
        save.setProperty("contrib", "save-review")
        save.clicked.connect(self.save_review)
        row = QHBoxLayout()
        row.addWidget(self.initials, 1)
        row.addWidget(save)
        layout.addLayout(row)
        self.review_message = wrapping_label("", "muted")
        layout.addWidget(self.review_message)
        # the recordings
        layout.addWidget(wrapping_label(self.t("contrib_record_title"), "sectionTitle"))
        if self.recorder.microphone() is None:
            layout.addWidget(wrapping_label(self.t("no_microphone"), "muted"))
        parts = QHBoxLayout()
        for part, text in zip(PARTS, (answer.short, answer.body_text), strict=True):
            recording = self._recording_of(answer, part, text)
            label = self.t(f"contrib_part_{part}")
            if recording is not None and recording.kept:
                label += f" ({recording.kept}/{len(recording.sentences)})"
            button = staff_button(self.t("contrib_record_part", part=label))
            button.setProperty("contrib", f"record-{part}")
            button.clicked.connect(lambda _c=False, p=part: self.begin_recording(p))
            parts.addWidget(button)
        parts.addStretch(1)
        layout.addLayout(parts)
        layout.addStretch(1)

    def _initials_field(self) -> QLineEdit:
        field = QLineEdit(self.reader)
        field.setPlaceholderText(self.t("contrib_initials"))
        field.setMaxLength(6)
        field.setProperty("contrib", "initials")
        self.keyboard.watch(field)
        return field

    def save_review(self) -> None:
        assert self.answer is not None and self.contributions is not None
        verdict = "correct" if self.correct.isChecked() else "needs-change" if self.change.isChecked() else ""
        if not verdict:
            self.review_message.setText(self.t("contrib_choose_verdict"))
            return
        answer, note, initials = self.answer, self.note.text(), self.initials.text()
        contributions, version = self.contributions, self.answer_hash

        def work() -> object:
            return contributions.add_review(answer.lang, answer.question_id, verdict, note, initials, version,
                                            answer.status)  # fmt: skip

        def done(_review: object) -> None:
            self.reader = initials.strip()
            self.reviewed.emit(answer.lang, answer.question_id, verdict)
            self.show_answer(answer.question_id)
            self.review_message.setText(self.t("contrib_review_saved"))

        def failed(exc: Exception) -> None:
            self.review_message.setText(self.t("contrib_error", reason=self.t(reason_key(exc))))

        run_off_thread(work, done, failed)

    # --- consent -------------------------------------------------------------------------------------
    def consent_text(self) -> str:
        return self.t("consent_text")

    def begin_recording(self, part: str) -> None:
        """Record ``part`` of the answer: after the reader's consent (asked once per reader and consent text)."""
        self.part = part
        if self.contributions is None:
            return
        initials = self.reader
        consent = self.contributions.consent(initials, self.consent_text()) if initials else None
        if consent is None:
            self.show_consent()
        else:
            self.show_recording()

    def show_consent(self) -> None:
        layout = self._go("consent")
        assert self.answer is not None
        self._back_row(layout, self.t("cancel"), lambda: self.show_answer(self.answer.question_id))  # type: ignore[union-attr]
        layout.addWidget(wrapping_label(self.t("consent_title"), "screenTitle"))
        layout.addWidget(wrapping_label(self.consent_text(), "contribText"))
        self.consent_initials = self._initials_field()
        agree = staff_button(self.t("consent_agree"))
        agree.setProperty("contrib", "agree")
        agree.clicked.connect(self.agree)
        row = QHBoxLayout()
        row.addWidget(self.consent_initials, 1)
        row.addWidget(agree)
        layout.addLayout(row)
        self.consent_message = wrapping_label("", "muted")
        layout.addWidget(self.consent_message)
        layout.addStretch(1)

    def agree(self) -> None:
        assert self.contributions is not None
        try:
            self.contributions.give_consent(self.consent_initials.text(), self.consent_text(),
                                            self.services.settings.config.staff_language)
        except ContribError as exc:
            self.consent_message.setText(self.t("contrib_error", reason=self.t(reason_key(exc))))
            return
        self.reader = self.consent_initials.text().strip().replace(".", "").replace(" ", "")
        self.show_recording()

    # --- recording -----------------------------------------------------------------------------------
    def show_recording(self, index: int | None = None) -> None:
        assert self.answer is not None and self.contributions is not None and self.language is not None
        text = self.answer.short if self.part == "short" else self.answer.body_text
        try:
            self.recording = self.contributions.start(self.language.code, self.answer.question_id, self.part, text,
                                                      self.answer_hash)  # fmt: skip
        except ContribError as exc:
            self.show_answer(self.answer.question_id)
            self.review_message.setText(self.t("contrib_error", reason=self.t(reason_key(exc))))
            return
        recording = self.recording
        if index is None:  # the first sentence not kept yet
            index = next((i for i, s in enumerate(recording.sentences) if not s.file), 0)
        self.index, self.take = index, None
        key = (recording.lang, recording.question_id, recording.part)
        if self.step != "record" or self._record_key != key:
            self._build_record_step()
            self._record_key = key
        self.sentence.setText(recording.sentence_text(index))  # the rest of the step stays: no widget is made
        self.meter.setValue(0)
        self.record_message.setText("")
        self._update_record_buttons()

    def _build_record_step(self) -> None:
        """The record step's widgets, made once per recording: moving between sentences only changes texts."""
        assert self.answer is not None and self.language is not None
        layout = self._go("record")
        answer = self.answer
        self._back_row(layout, self.t("record_done"), lambda: self.show_answer(answer.question_id))
        self.progress = wrapping_label("", "sectionTitle")
        layout.addWidget(self.progress)
        self.sentence = _in_direction(wrapping_label("", "recordSentence"), self.language.rtl)
        self.sentence.setMinimumHeight(self.fontMetrics().height() * 4)
        layout.addWidget(self.sentence)
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setObjectName("levelMeter")
        layout.addWidget(self.meter)
        buttons = QHBoxLayout()
        self.record_button = staff_button(self.t("record_start"))
        self.listen_button = staff_button(self.t("record_listen"))
        self.keep_button = staff_button(self.t("record_keep"))
        for button, name in ((self.record_button, "record"), (self.listen_button, "listen"),
                             (self.keep_button, "keep")):  # fmt: skip
            button.setProperty("contrib", name)
            buttons.addWidget(button)
        self.record_button.clicked.connect(self.toggle_recording)
        self.listen_button.clicked.connect(self.listen)
        self.keep_button.clicked.connect(self.keep)
        layout.addLayout(buttons)
        moves = QHBoxLayout()
        self.previous_button = staff_button(self.t("record_previous"))
        self.next_button = staff_button(self.t("record_next"))
        self.previous_button.setProperty("contrib", "previous")
        self.next_button.setProperty("contrib", "next")
        self.previous_button.clicked.connect(lambda: self.go_sentence(-1))
        self.next_button.clicked.connect(lambda: self.go_sentence(1))
        moves.addWidget(self.previous_button)
        moves.addStretch(1)
        moves.addWidget(self.next_button)
        layout.addLayout(moves)
        self.record_message = wrapping_label("", "contribText")
        self.record_message.setProperty("contrib", "message")
        lines = self.record_message.fontMetrics().lineSpacing()
        self.record_message.setMinimumHeight(lines * 3)  # room for a message: a new one does not move the page
        layout.addWidget(self.record_message)
        layout.addStretch(1)

    def _update_record_buttons(self) -> None:
        if self.step != "record" or self.recording is None:
            return
        recording, index = self.recording, self.index
        kept = recording.sentences[index].file
        busy = self.recorder.busy
        progress = self.t("record_sentence_of", n=index + 1, total=len(recording.sentences), kept=recording.kept)
        if self.progress.text() != progress:  # each change lays out and repaints: only real changes
            self.progress.setText(progress)
        action = self.t("record_stop" if self.recorder.recording else
                        "record_again" if (self.take or kept) else "record_start")  # fmt: skip
        if self.record_button.text() != action:
            self.record_button.setText(action)
        enabled = {
            self.record_button: not busy or self.recorder.recording,
            self.listen_button: not busy and (self.take is not None or bool(kept)),
            self.keep_button: not busy and self.take is not None,
            self.previous_button: not busy and index > 0,
            self.next_button: not busy and index + 1 < len(recording.sentences),
        }
        for button, on in enabled.items():
            if button.isEnabled() != on:
                button.setEnabled(on)

    def toggle_recording(self) -> None:
        self._stop_listening()
        if self.recorder.recording:
            self.recorder.stop()
            self.record_message.setText(self.t("record_processing"))
        else:
            self.take = None
            if self.recorder.start():
                self.record_message.setText(self.t("record_speak"))
        self._update_record_buttons()

    def _on_level(self, level: float) -> None:
        if self.step == "record":
            self.meter.setValue(round(min(1.0, level) * 100))

    def _on_recorded(self, take: Take) -> None:
        if self.step != "record":
            return
        self.take = take
        self.meter.setValue(0)
        words = [self.t("record_made", seconds=f"{take.duration_ms / 1000:.1f}")]
        words += [self.t(f"record_{problem}") for problem in take.problems]
        self.record_message.setText(" ".join(words))
        self._update_record_buttons()

    def _on_record_failed(self, reason: str) -> None:
        if self.step == "record":
            self.meter.setValue(0)
            self.record_message.setText(self.t(reason))
            self._update_record_buttons()

    def listen(self) -> None:
        """Hear the take just made, or the kept one."""
        if self.recording is None or self.contributions is None:
            return
        if self.take is not None:
            samples, rate = self.take.samples, self.take.rate
        else:
            try:
                kept = self.contributions.take(self.recording, self.index)
            except ContribError as exc:
                self.record_message.setText(self.t("contrib_error", reason=self.t(reason_key(exc))))
                return
            if kept is None:
                return
            samples, rate = kept
        if self.services.speech is not None:
            self.services.speech.stop()
        self.output.play(samples, rate)
        self._listen_timer.start()

    def _on_listen_tick(self) -> None:
        if self.output.done():
            self._stop_listening()

    def _stop_listening(self) -> None:
        self._listen_timer.stop()
        self.output.stop()

    def keep(self) -> None:
        """Keep the take as this sentence (written off the GUI thread); then on to the next sentence not kept."""
        take, recording, contributions = self.take, self.recording, self.contributions
        if take is None or recording is None or contributions is None:
            return
        consent = contributions.consent(self.reader, self.consent_text())
        if consent is None:
            self.show_consent()
            return
        index = self.index
        self.keep_button.setEnabled(False)

        def work() -> Recording:
            return contributions.keep(recording, index, take, consent)

        def done(updated: Recording) -> None:
            self.recording = updated
            self.recording_kept.emit(updated.lang, updated.question_id, updated.part)
            if self.step != "record":
                return
            following = next((i for i, s in enumerate(updated.sentences) if not s.file and i > index),
                             next((i for i, s in enumerate(updated.sentences) if not s.file), index))  # fmt: skip
            self.show_recording(following)
            self.record_message.setText(self.t("record_complete" if updated.complete else "record_kept"))

        def failed(exc: Exception) -> None:
            if self.step == "record":
                self.record_message.setText(self.t("contrib_error", reason=self.t(reason_key(exc))))
                self._update_record_buttons()

        run_off_thread(work, done, failed)

    def go_sentence(self, step: int) -> None:
        if self.recording is not None and 0 <= self.index + step < len(self.recording.sentences):
            self._stop_listening()
            self.show_recording(self.index + step)
