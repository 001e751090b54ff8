"""Layout items taken out of a layout are freed (PySide does not free what ``takeAt`` returns)."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.screens.base import clear_layout


def test_clear_layout_frees_every_item_and_deletes_only_the_widgets_not_kept(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    column = QVBoxLayout(host)
    gone, kept = QLabel("gone"), QLabel("kept")
    row = QHBoxLayout()
    row.addWidget(kept)
    column.addWidget(gone)
    column.addLayout(row)
    column.addStretch(1)
    items = [column.itemAt(i) for i in range(column.count())] + [row.itemAt(0)]
    clear_layout(column, keep=[kept])
    assert column.count() == 0
    assert not any(shiboken6.isValid(item) for item in items), "a layout item was left behind (a leak)"
    assert shiboken6.isValid(kept) and kept.isHidden()  # kept for reuse
    qtbot.waitUntil(lambda: not shiboken6.isValid(gone))  # deleted (later)
