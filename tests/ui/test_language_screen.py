"""The language screen: every language at once, at every text size, in both orientations (issue #18)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from kiosk.ui.window import Route, ScreenName
from tests.ui.conftest import settle


def _shown_on(kiosk, size, step):
    kiosk.resize(*size)
    settle()
    kiosk.reset_session()
    kiosk.choose_language("ckb")  # right to left, and a long language name of its own
    kiosk.session.text_step = step
    kiosk.refresh()
    kiosk.go(Route(ScreenName.LANGUAGE))
    settle()
    return kiosk.current


@pytest.mark.parametrize("step", [0, 1, 2], ids=["normal", "larger", "largest"])
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_every_language_is_on_screen_at_once_and_no_name_is_cut(qtbot, kiosk, size, step):
    screen = _shown_on(kiosk, size, step)
    codes = [lang.code for lang in kiosk.store.languages()]
    assert len(codes) >= 15 and [b.key for b in screen.buttons] == codes
    viewport = screen.scroll_area.viewport()
    assert screen.body.height() <= viewport.height(), "the screen scrolls"
    assert screen.body.width() <= viewport.width(), "the screen scrolls sideways"
    room = QRect(QPoint(0, 0), viewport.size())
    for button in screen.buttons:
        where = QRect(button.mapTo(viewport, QPoint(0, 0)), button.size())
        assert room.contains(where), f"{button.key} is outside the screen: {where} in {room}"
        label = button.text_label
        assert label.heightForWidth(label.width()) <= label.height() + 2, f"{button.key}'s name is cut"
        assert button.height() >= kiosk.context().metrics.target


def test_the_heading_reads_in_each_visitors_direction(qtbot, kiosk):
    screen = _shown_on(kiosk, (1080, 1920), 0)
    screen._invite_timer.stop()
    seen = {}
    for _ in range(len(screen._invites)):
        screen._next_invitation()
        settle()
        code, text, rtl = screen._invites[screen._invite_index]
        assert screen.invitation.text() == text
        icon = screen.heading.findChildren(type(screen.invitation))[0]  # the first label holds the icon
        icon_right = icon.geometry().center().x() > screen.invitation.geometry().center().x()
        seen[code] = (screen.heading.layoutDirection() == Qt.LayoutDirection.RightToLeft, icon_right)
        assert seen[code] == (rtl, rtl), f"{code}: the heading is laid out {seen[code]}, the language is rtl={rtl}"
    assert seen["ckb"] == (True, True) and seen["ka"] == (False, False)
