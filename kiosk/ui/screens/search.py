"""Search: what was typed, the results (updated while typing), and the on-screen keyboard."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from kiosk.guide import SearchHit
from kiosk.ui.context import ScreenContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import Screen, clear_layout
from kiosk.ui.screens.topic import question_row
from kiosk.ui.widgets import TouchButton, wrapping_label

MAX_QUERY = 60


def marked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [html.escape(text[last:start]), "<b><u>", html.escape(text[start:end]), "</u></b>"]
        last = end
    return "".join(out) + html.escape(text[last:])


class SearchScreen(Screen):
    name = "search"

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.query = ""
        self.keyboard = OnScreenKeyboard()
        self.outer.addWidget(self.keyboard)
        self.keyboard.text_typed.connect(self._on_keyboard_text_typed)
        self.keyboard.backspace_pressed.connect(lambda: self.set_query(self.query[:-1]))
        self.keyboard.clear_pressed.connect(lambda: self.set_query(""))
        self.results: list[TouchButton] = []

    def build(self, ctx: ScreenContext, arg: str) -> None:
        box = QFrame()
        box.setObjectName("searchBox")
        row = QHBoxLayout(box)
        icon = QLabel()
        icon.setPixmap(ctx.icon("search", ctx.metrics.bar_icon))
        row.addWidget(icon)
        self.query_label = wrapping_label("", "searchText")
        row.addWidget(self.query_label, 1)
        self.column.addWidget(box)
        self.status = wrapping_label("", "muted")
        self.column.addWidget(self.status)
        self.result_column = QFrame()
        from PySide6.QtWidgets import QVBoxLayout

        self.result_layout = QVBoxLayout(self.result_column)
        self.result_layout.setContentsMargins(0, 0, 0, 0)
        self.result_layout.setSpacing(ctx.metrics.gap * 2)
        self.column.addWidget(self.result_column)
        self.keyboard.set_layout(ctx.store.keyboard(ctx.language.keyboard), ctx.strings)
        self._show_results()

    def set_query(self, text: str) -> None:
        self.query = text[:MAX_QUERY]
        self._show_results()

    def clear(self) -> None:
        self.query = ""

    def _on_keyboard_text_typed(self, text: str) -> None:
        self.set_query(self.query + text)

    def _show_results(self) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        self.query_label.setText(self.query + "│" if self.query else ctx.text("search_hint"))
        clear_layout(self.result_layout, keep=self._kept())
        self.results = []
        self._pool_used = 0
        if not self.query.strip():
            self.status.setText("")
            return
        hits = ctx.store.search(self.query, ctx.lang, ctx.audience, limit=10)
        self.status.setText(ctx.text("search_results", count=len(hits)) if hits else ctx.text("search_no_results"))
        for hit in hits:
            self.result_layout.addWidget(self._row(ctx, hit))

    def _row(self, ctx: ScreenContext, hit: SearchHit) -> TouchButton:
        snippet = f"<br><span style='font-weight:400'>{marked(hit.snippet, hit.snippet_highlights)}</span>"
        text = marked(hit.question, hit.question_highlights) + snippet
        row = question_row(self, ctx, hit.question_id, text, hit.icon, rich=True)
        row.setAccessibleName(hit.question)  # what its speaker mark reads: the question, without the marks
        self.results.append(row)
        return row
