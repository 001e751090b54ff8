"""Home: the topics as large tiles with an icon and a title."""

from __future__ import annotations

from kiosk.ui.context import ScreenContext
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import TouchButton, wrapping_label


class HomeScreen(Screen):
    name = "home"

    def build(self, ctx: ScreenContext, arg: str) -> None:
        self.column.addWidget(wrapping_label(ctx.text("app_title"), "screenTitle"))
        cols = self.columns(4, 2)
        grid = self.grid(cols)
        self.tiles: list[TouchButton] = []
        for index, topic in enumerate(ctx.store.topics(ctx.lang, ctx.audience)):
            tile = TouchButton(topic.id, topic.title, ctx.icon(topic.icon), vertical=True)
            tile.activated.connect(lambda key: self.navigation_requested.emit("topic", key))
            grid.addWidget(tile, index // cols, index % cols)
            self.tiles.append(tile)
        search = TouchButton("search", ctx.text("search"), ctx.icon("search"), vertical=True)
        search.activated.connect(lambda _key: self.navigation_requested.emit("search", ""))
        count = len(self.tiles)
        grid.addWidget(search, count // cols, count % cols)
        self.tiles.append(search)
