"""Search: what was typed, the results (updated while typing), and the on-screen keyboard."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.content.schema import LATIN_KEYBOARD
from kiosk.guide import SearchHit
from kiosk.qt.background import run_off_thread
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
    results_shown = Signal()  # the results of the latest query (or a further page) are on the screen

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
        self._generation = self._shown_generation = 0

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
        own = ctx.store.keyboard(ctx.language.keyboard)
        latin = None
        if own.script != "Latn":  # names in the answers are in Latin letters: OCMW, Fedasil, leefloon
            try:
                latin = ctx.store.keyboard(LATIN_KEYBOARD)
            except KeyError:
                latin = None
        self.keyboard.set_layout(own, ctx.strings, latin, ctx.language.name)
        self._arrange()
        store, lang = ctx.store, ctx.lang
        run_off_thread(lambda: store.vocabulary(lang))  # made once per language, before the first word is typed
        self._show_results()

    def set_query(self, text: str) -> None:
        self.query = text[:MAX_QUERY]
        self._show_results()

    def clear(self) -> None:
        """Forget the query (a new visitor, or another language: its letters would not be this keyboard's)."""
        self.query = ""
        self.found, self.shown = [], 0
        self._generation += 1  # a search still under way is not shown
        self.keyboard.show()

    def show_keyboard(self, visible: bool) -> None:
        self.keyboard.setVisible(visible)
        self._arrange()

    def _arrange(self) -> None:
        """The keys below the results in portrait; beside them in landscape, where hidden keys leave the results
        the whole width (only the key to show them again stays, at the side)."""
        window = self.window()
        landscape = window.width() > window.height()
        keys = not self.keyboard.isHidden()
        self.outer.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self.outer.setStretch(0, 12 if landscape else 1)
        self.outer.setStretch(1, 8 if landscape and keys else 0)
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
        """Search for the query off the GUI thread (a keystroke never waits for it); the newest answer wins, the
        results shown until then stay."""
        ctx = self.ctx
        if ctx is None:
            return
        self.query_label.setText(self.query + "│" if self.query else ctx.text("search_hint"))
        self._generation += 1
        if not self.query.strip():
            self._render([], [])
            return
        generation, store, query, lang, audience = self._generation, ctx.store, self.query, ctx.lang, ctx.audience

        def work() -> tuple[list[tuple[str, list[str]]], list[SearchHit]]:
            found = store.search_ids(query, lang, audience)
            return found, store.hits(found, lang, 0, PAGE)

        def done(result: tuple[list[tuple[str, list[str]]], list[SearchHit]]) -> None:
            if generation == self._generation and self.ctx is ctx:
                self._render(*result)

        run_off_thread(work, done, lambda exc: done(([], [])))

    @property
    def searching(self) -> bool:
        """A search is under way whose results are not shown yet."""
        return self._generation != self._shown_generation

    def _render(self, found: list[tuple[str, list[str]]], first: list[SearchHit]) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        clear_layout(self.result_layout, keep=self._kept())
        self.results, self.more = [], None
        self._pool_used = 0
        self.found, self.shown = found, 0
        self._shown_generation = self._generation
        if not self.query.strip():
            self.status.setText("")
            self.results_shown.emit()
            return
        self.status.setText(ctx.text("search_results", count=len(found)) if found else ctx.text("search_no_results"))
        self._add(first)
        self.results_shown.emit()

    def show_more(self) -> None:
        """The next page of results, below those shown (read off the GUI thread)."""
        ctx = self.ctx
        if ctx is None or self.shown >= len(self.found):
            return
        generation, store, found, lang, start = self._generation, ctx.store, self.found, ctx.lang, self.shown

        def done(hits: list[SearchHit]) -> None:
            if generation == self._generation and self.ctx is ctx and self.shown == start:
                self._add(hits)
                self.results_shown.emit()

        run_off_thread(lambda: store.hits(found, lang, start, PAGE), done)

    def _add(self, hits: list[SearchHit]) -> None:
        ctx = self.ctx
        if ctx is None:
            return
        if self.more is not None:
            self.more.hide()
            self.result_layout.removeWidget(self.more)
            self.more.deleteLater()
            self.more = None
        for hit in hits:
            self.result_layout.addWidget(self._row(ctx, hit))
        self.shown = min(len(self.found), self.shown + len(hits))
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
