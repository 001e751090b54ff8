"""A topic: its questions as big rows (icon, question, an arrow that points the reading way)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel

from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, wrapping_label


def question_row(screen: Screen, ctx: ScreenContext, key: str, text: str, icon: str, rich: bool = False) -> TouchButton:
    """A question as a row: its icon, its text, and an arrow that points the reading way."""
    m = ctx.metrics
    return screen.button(
        key, text, ctx.icon(icon, round(m.icon * 0.7)), vertical=False,
        trailing=ctx.icon("chevron-right", m.bar_icon, m.palette.muted), rich=rich, ctx=ctx,
    )  # fmt: skip


class TopicScreen(Screen):
    name = "topic"

    def build(self, ctx: ScreenContext, arg: str) -> None:
        topic = next((t for t in ctx.store.topics(ctx.lang, ctx.audience) if t.id == arg), None)
        header = QHBoxLayout()
        if topic is not None:
            icon = QLabel()
            icon.setPixmap(ctx.icon(topic.icon))
            header.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(wrapping_label(topic.title if topic else arg, "screenTitle"), 1)
        self.column.addLayout(header)
        self.rows: list[TouchButton] = []
        for q in ctx.store.questions(arg, ctx.lang, ctx.audience):
            row = question_row(self, ctx, q.id, q.text, q.icon)
            self.column.addWidget(row)
            self.rows.append(row)
