"""Idle reset, lock-down, the staff seam and reloading a newer guide."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.guide import GuideStore
from kiosk.ui.window import START, Route
from tests.conftest import guide_copy
from tests.ui.conftest import button, settle, tap


def wait_for_still_there(qtbot, kiosk_parts, countdown_s: int) -> None:
    """Let the kiosk go idle quickly and wait for "Are you still there?"."""
    kiosk = kiosk_parts.window
    kiosk_parts.idle.countdown_s = countdown_s
    kiosk_parts.idle.set_timeout(50)
    with qtbot.waitSignal(kiosk_parts.idle.warning_started, timeout=2000):
        pass
    assert kiosk.overlay.isVisible()


def test_idle_reset_forgets_everything(qtbot, kiosk, kiosk_parts):
    tap(qtbot, button(kiosk.language_screen.buttons, "ar"))
    tap(qtbot, kiosk.bar.text_size)
    tap(qtbot, kiosk.bar.contrast)
    tap(qtbot, kiosk.bar.search)
    tap(qtbot, kiosk.search_screen.keyboard.keys["ت"])
    kiosk.go(Route("answer", "accident"))
    settle()
    kiosk.current.scroll_area.verticalScrollBar().setValue(200)
    resets = []
    kiosk.session_reset.connect(lambda: resets.append(True))
    wait_for_still_there(qtbot, kiosk_parts, countdown_s=1)
    with qtbot.waitSignal(kiosk_parts.idle.expired, timeout=3000):
        pass
    settle()
    assert resets == [True]
    assert kiosk.route == START and kiosk.history == []
    assert kiosk.lang == "nl" and kiosk.text_step == 0 and not kiosk.high_contrast
    assert kiosk.search_screen.query == ""
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert all(s.scroll_area.verticalScrollBar().value() == 0 for s in kiosk.screens.values())
    assert not kiosk.overlay.isVisible()


def test_a_touch_during_the_countdown_keeps_the_session(qtbot, kiosk, kiosk_parts):
    tap(qtbot, button(kiosk.language_screen.buttons, "en"))
    wait_for_still_there(qtbot, kiosk_parts, countdown_s=5)
    with qtbot.waitSignal(kiosk_parts.idle.warning_cancelled, timeout=1000):
        tap(qtbot, kiosk.overlay.stay)
    assert not kiosk.overlay.isVisible()
    assert kiosk.route.screen == "home" and kiosk.lang == "en"


@pytest.mark.parametrize(
    ("key", "mods"),
    [
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier),
    ],
)
def test_blocked_keys_do_nothing(qtbot, kiosk, kiosk_parts, key, mods):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    kiosk.allow_close = False
    blocked = []
    kiosk_parts.lockdown.key_blocked.connect(blocked.append)
    route = kiosk.route
    event = QKeyEvent(QEvent.Type.KeyPress, key, mods)
    QApplication.sendEvent(kiosk.windowHandle(), event)  # where real key presses arrive first
    settle()
    assert blocked, "the key reached the lock-down filter and was swallowed"
    assert kiosk.isVisible() and kiosk.route == route


def test_close_is_refused_outside_staff_mode(qtbot, kiosk):
    kiosk.allow_close = False
    kiosk.close()
    settle()
    assert kiosk.isVisible()


def test_no_context_menu_and_no_selectable_text(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    kiosk.go(Route("answer", "damage"))
    settle()
    answer = kiosk.screens["answer"]
    assert answer.body_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert not answer.body_label.openExternalLinks() and not answer.body_label.openLinks()
    assert kiosk.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


def test_long_press_in_the_corner_asks_for_staff_mode(qtbot, kiosk, kiosk_parts):
    kiosk_parts.lockdown._hold.setInterval(100)
    with qtbot.waitSignal(kiosk_parts.lockdown.staff_requested, timeout=2000):
        qtbot.mousePress(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseRelease(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def test_a_short_press_in_the_corner_does_not(qtbot, kiosk, kiosk_parts):
    kiosk_parts.lockdown._hold.setInterval(300)
    with qtbot.assertNotEmitted(kiosk_parts.lockdown.staff_requested, wait=500):
        qtbot.mousePress(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        qtbot.mouseRelease(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def _newer_store(tmp_path, shipped_guide):
    return GuideStore(guide_copy(shipped_guide, tmp_path / "newer.sqlite", content_version="99"))


def test_newer_guide_waits_while_someone_reads(qtbot, kiosk, tmp_path, shipped_guide):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    kiosk.go(Route("answer", "accident"))
    old = kiosk.store
    kiosk.offer_store(_newer_store(tmp_path, shipped_guide))
    assert kiosk.store is old and kiosk.route.screen == "answer"
    with qtbot.waitSignal(kiosk.guide_reloaded, timeout=1000) as reloaded:
        kiosk.reset_session()
    assert reloaded.args == [99]
    assert kiosk.store.content_version == 99


def test_newer_guide_is_taken_at_once_on_the_language_screen(qtbot, kiosk, tmp_path, shipped_guide):
    assert kiosk.is_at_start()
    with qtbot.waitSignal(kiosk.guide_reloaded, timeout=1000):
        kiosk.offer_store(_newer_store(tmp_path, shipped_guide))
    assert kiosk.store.content_version == 99


def test_idle_at_the_start_screen_counts_down_silently_and_resets(qtbot, kiosk, kiosk_parts):
    """Nothing to forget: no "Are you still there?", and the countdown ticks raise nothing (a regression)."""
    kiosk_parts.idle.countdown_s = 2
    kiosk_parts.idle.set_timeout(50)
    with qtbot.waitSignal(kiosk_parts.idle.expired, timeout=5000):
        pass
    assert not kiosk.overlay.isVisible()
    assert kiosk.route == START
