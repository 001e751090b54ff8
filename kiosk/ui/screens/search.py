"""Search: what was typed, the results (updated while typing), and the on-screen keyboard."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.guide import SearchHit
from kiosk.ui.context import ScreenContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import Screen, clear_layout
from kiosk.ui.screens.topic import question_row
from kiosk.ui.widgets import TouchButton, wrapping_label

MAX_QUERY = 60
PAGE = 10  # results shown at once; "more results" shows the next ones


def marked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [html.escape(text[last:start]), "<b><u>", html.escape(text[start:end]), "</u></b>"]
        last = end
    return "".join(out) + html.escape(text[last:])


class SearchScreen(Screen):
    """The results say how many answers were found, and show them ten at a time ("more results"); the keyboard
    can be hidden to see more of them (it comes back with a tap on the search box or on "show keyboard")."""

    name = "search"

    def __init__(self, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.query = ""
        self.found: list[tuple[str, list[str]]] = []
        self.shown = 0
        self.keyboard = OnScreenKeyboard()
        self.keys_toggle = QPushButton()
        self.keys_toggle.setObjectName("keysToggle")
        self.keys_toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keys_toggle.clicked.connect(lambda: self.show_keyboard(self.keyboard.isHidden()))
        # the keys below the results (portrait), or beside them (landscape: the results keep the height)
        self.keys_panel = QWidget()
        panel = QVBoxLayout(self.keys_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.keys_toggle, 0, Qt.AlignmentFlag.AlignTrailing)
        panel.addStretch(1)
        panel.addWidget(self.keyboard)
        self.outer.addWidget(self.keys_panel)
        self.keyboard.text_typed.connect(self._on_keyboard_text_typed)
        self.keyboard.backspace_pressed.connect(lambda: self.set_query(self.query[:-1]))
        self.keyboard.clear_pressed.connect(lambda: self.set_query(""))
        self.results: list[TouchButton] = []
        self.more: TouchButton | None = None

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
        self.result_layout = QVBoxLayout(self.result_column)
        self.result_layout.setContentsMargins(0, 0, 0, 0)
        self.result_layout.setSpacing(ctx.metrics.gap)
        self.column.addWidget(self.result_column)
        self.keyboard.set_layout(ctx.store.keyboard(ctx.language.keyboard), ctx.strings)
        window = self.window()
        landscape = window.width() > window.height()
        self.outer.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self.outer.setStretch(0, 12 if landscape else 1)
        self.outer.setStretch(1, 8 if landscape else 0)
        self._label_toggle()
        self._show_results()

    def set_query(self, text: str) -> None:
        self.query = text[:MAX_QUERY]
        self._show_results()

    def clear(self) -> None:
        """Forget the query (a new visitor, or another language: its letters would not be this keyboard's)."""
        self.query = ""
        self.found, self.shown = [], 0
        self.keyboard.show()

    def show_keyboard(self, visible: bool) -> None:
        self.keyboard.setVisible(visible)
        self._label_toggle()

    def _label_toggle(self) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        visible = not self.keyboard.isHidden()
        self.keys_toggle.setText(ctx.text("keyboard_hide" if visible else "keyboard_show"))
        self.keys_toggle.setIcon(ctx.icons.icon("keyboard", ctx.metrics.bar_icon, ctx.metrics.palette.accent))

    def _on_keyboard_text_typed(self, text: str) -> None:
        self.set_query(self.query + text)

    def _show_results(self) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        self.query_label.setText(self.query + "│" if self.query else ctx.text("search_hint"))
        clear_layout(self.result_layout, keep=self._kept())
        self.results, self.more = [], None
        self._pool_used = 0
        if not self.query.strip():
            self.status.setText("")
            self.found, self.shown = [], 0
            return
        self.found = ctx.store.search_ids(self.query, ctx.lang, ctx.audience)
        self.shown = 0
        self.status.setText(ctx.text("search_results", count=len(self.found)) if self.found
                            else ctx.text("search_no_results"))  # fmt: skip
        self.show_more()

    def show_more(self) -> None:
        """The next page of results, below those shown."""
        ctx = self.ctx
        if ctx is None:
            return
        if self.more is not None:
            self.more.hide()
            self.result_layout.removeWidget(self.more)
            self.more = None
        for hit in ctx.store.hits(self.found, ctx.lang, self.shown, PAGE):
            self.result_layout.addWidget(self._row(ctx, hit))
        self.shown = min(len(self.found), self.shown + PAGE)
        if self.shown < len(self.found):
            more = TouchButton("more", ctx.text("search_more", count=len(self.found) - self.shown), vertical=False)
            more.setObjectName("row")
            more.activated.connect(lambda _key: self.show_more())
            self.result_layout.addWidget(more)
            self.more = more

    def _row(self, ctx: ScreenContext, hit: SearchHit) -> TouchButton:
        snippet = f"<br><span style='font-weight:400'>{marked(hit.snippet, hit.snippet_highlights)}</span>"
        text = marked(hit.question, hit.question_highlights) + snippet
        row = question_row(self, ctx, hit.question_id, text, hit.icon, rich=True)
        row.setAccessibleName(hit.question)  # what its speaker mark reads: the question, without the marks
        self.results.append(row)
        return row
