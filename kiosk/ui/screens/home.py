"""Home: the topics as large tiles with an icon and a title."""

from __future__ import annotations

from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, wrapping_label

SEARCH = "\x00search"  # not a topic id (ids are a-z, 0-9 and -)


class HomeScreen(Screen):
    name = "home"

    def on_button(self, key: str) -> None:
        if key == SEARCH:
            self.navigation_requested.emit("search", "")
        else:
            self.navigation_requested.emit("topic", key)

    def build(self, ctx: ScreenContext, arg: str) -> None:
        self.column.addWidget(wrapping_label(ctx.text("app_title"), "screenTitle"))
        cols = self.columns(4, 2)
        grid = self.grid(cols)
        self.tiles: list[TouchButton] = []
        for index, topic in enumerate(ctx.store.topics(ctx.lang, ctx.audience)):
            tile = self.button(topic.id, topic.title, ctx.icon(topic.icon), vertical=True, ctx=ctx)
            grid.addWidget(tile, index // cols, index % cols)
            self.tiles.append(tile)
        search = self.button(SEARCH, ctx.text("search"), ctx.icon("search"), vertical=True, ctx=ctx)
        count = len(self.tiles)
        grid.addWidget(search, count // cols, count % cols)
        self.tiles.append(search)
