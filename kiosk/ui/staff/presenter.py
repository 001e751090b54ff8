"""Presenter mode: the same answer in two languages side by side, for group information sessions.

The presenter (e.g. Dutch, left-to-right) and the audience (e.g. Arabic, right-to-left) each get a pane laid
out in their own direction, in large type for a projector. Next/previous come from the touch buttons, the
keyboard or a presentation clicker (PageDown/PageUp, arrows, space); "B", "." or F5 (what clickers send for
their third button) reads the answer aloud in the audience's language, with the words lighting up.
The view can also be shown on a second screen (``PresenterWindow``) while the touchscreen keeps the controls.
"""

from __future__ import annotations

import html
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk import clock
from kiosk.guide import GuideStore
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import RichText, answer_html, kinetic_scroll_area, wrapping_label

NEXT_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Return}
PREVIOUS_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace}
READ_KEYS = {Qt.Key.Key_B, Qt.Key.Key_Period, Qt.Key.Key_F5}
PROJECTOR_SCALE = 1.4


class HasStore(Protocol):
    @property
    def store(self) -> GuideStore: ...


class PresenterState(QObject):
    """Which answer is shown, in which two languages; shared by every presenter view.

    Signals:
        changed(): the question or the languages changed.
        read_requested(): read the current answer aloud in the audience's language (or stop).
    """

    changed = Signal()
    read_requested = Signal()

    def __init__(self, guide: HasStore, presenter: str, audience: str, audience_filter: str | None = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.guide, self.presenter, self.audience = guide, presenter, audience
        store = guide.store
        self.question_ids = [
            q.id
            for topic in store.topics(presenter, audience_filter)
            for q in store.questions(topic.id, presenter, audience_filter)
        ]
        self.index = 0

    @property
    def store(self) -> GuideStore:
        """The current guide (staff mode holds a new guide back until it closes: the questions stay valid)."""
        return self.guide.store

    @property
    def question_id(self) -> str:
        return self.question_ids[self.index]

    def go(self, index: int) -> None:
        index = max(0, min(len(self.question_ids) - 1, index))
        if index != self.index:
            self.index = index
            self.changed.emit()

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def handle_key(self, key: int) -> bool:
        """A clicker or keyboard key; True if it meant something here."""
        if key in NEXT_KEYS:
            self.next()
        elif key in PREVIOUS_KEYS:
            self.previous()
        elif key in READ_KEYS:
            self.read_requested.emit()
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End:
            self.go(len(self.question_ids) - 1)
        else:
            return False
        return True


class AnswerPane(QFrame):
    """One language's side: notices, the question, "in short", the full answer; in that language's direction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenterPane")
        self.column_widget = QWidget()
        self.column = QVBoxLayout(self.column_widget)
        self.scroll_area = kinetic_scroll_area(self.column_widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.language_label = wrapping_label("", "muted")
        self.notice = wrapping_label("", "noticeText")
        self.question = wrapping_label("", "screenTitle")
        self.short = RichText("", "shortText")
        self.body = RichText("", "answerBody")
        for widget in (self.language_label, self.notice, self.question, self.short, self.body):
            self.column.addWidget(widget)
        self.column.addStretch(1)

    def show_answer(self, store: GuideStore, question_id: str, lang: str) -> None:
        answer = store.answer(question_id, lang, today=clock.today())
        language = store.language(lang)
        strings = store.ui_strings(lang)
        rtl = store.language(answer.lang).rtl
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        direction = "rtl" if rtl else "ltr"
        align = (Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignAbsolute
        notices = []
        if answer.fell_back:
            notices.append(strings.get("fallback_language", "").replace("{language}", store.language(answer.lang).name))
        if answer.machine_translated:
            notices.append(strings.get("machine_translation", ""))
        if answer.may_be_outdated:
            notices.append(strings.get("fact_outdated", ""))
        self.language_label.setText(language.name)
        self.notice.setText(" ".join(n for n in notices if n))
        self.notice.setVisible(bool(notices))
        self.question.setText(answer.question)
        for label in (self.language_label, self.notice, self.question):
            label.setAlignment(align)
        self.short.set_content(f"<div dir='{direction}'><b>{html.escape(answer.short)}</b></div>")
        self.body.set_content(f"<div dir='{direction}'>{answer_html(answer.body_html, answer.body_text)}</div>")
        self.scroll_area.verticalScrollBar().setValue(0)
        self.answer = answer

    def highlight(self, part: int, span: tuple[int, int] | None) -> None:
        target, other = (self.short, self.body) if part == 0 else (self.body, self.short)
        other.highlight(None)
        rect = target.highlight(span)
        if rect is not None:
            top_left = target.mapTo(self.column_widget, rect.topLeft())
            self.scroll_area.ensureVisible(top_left.x(), top_left.y() + rect.height() // 2, 0, self.height() // 4)


class PresenterView(QWidget):
    """Two answer panes side by side and a control row; follows a PresenterState.

    Signals:
        leave_requested(): the presenter wants to stop presenting.
        second_screen_requested(): put the panes on the second screen.
    """

    leave_requested = Signal()
    second_screen_requested = Signal()

    def __init__(self, state: PresenterState, staff_lang: str, controls: bool = True,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("presenter")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # presenter left, audience right, always
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.state = state
        self.left, self.right = AnswerPane(), AnswerPane()
        panes = QHBoxLayout()
        panes.addWidget(self.left, 1)
        panes.addWidget(self.right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(panes, 1)
        self.position = wrapping_label("", "muted")
        layout.addWidget(self.position)
        self.buttons: dict[str, QPushButton] = {}
        if controls:
            grid = QGridLayout()
            keys = ("previous", "next", "read_aloud", "second_screen", "leave_presenter")
            for index, key in enumerate(keys):
                button = QPushButton(staff_text(staff_lang, key))
                button.setObjectName("primary" if index < 3 else "toggle")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                grid.addWidget(button, index // 3, index % 3)
                self.buttons[key] = button
            self.buttons["previous"].clicked.connect(state.previous)
            self.buttons["next"].clicked.connect(state.next)
            self.buttons["read_aloud"].clicked.connect(state.read_requested)
            self.buttons["second_screen"].clicked.connect(self.second_screen_requested)
            self.buttons["leave_presenter"].clicked.connect(self.leave_requested)
            layout.addLayout(grid)
        self.staff_lang = staff_lang
        state.changed.connect(self.show_current)
        self.show_current()

    def show_current(self) -> None:
        state = self.state
        self.left.show_answer(state.store, state.question_id, state.presenter)
        self.right.show_answer(state.store, state.question_id, state.audience)
        self.position.setText(staff_text(self.staff_lang, "question_n", i=state.index + 1, n=len(state.question_ids)))
        if self.buttons:
            self.buttons["previous"].setEnabled(state.index > 0)
            self.buttons["next"].setEnabled(state.index < len(state.question_ids) - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.state.handle_key(event.key()):
            super().keyPressEvent(event)


class PresenterWindow(QWidget):
    """The presenter panes alone, full-screen on another screen (a projector), without controls."""

    def __init__(self, state: PresenterState, staff_lang: str, style: str) -> None:
        super().__init__()
        self.setWindowTitle("Wegwijzer")
        self.setStyleSheet(style)
        self.view = PresenterView(state, staff_lang, controls=False, parent=self)
        QVBoxLayout(self).addWidget(self.view)
