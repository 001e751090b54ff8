"""Touch targets, fonts, contrast, and noticing a newly installed guide."""

from __future__ import annotations

import logging
import shutil

import pytest
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QScroller

from kiosk import paths
from kiosk.guide import GuideStore
from kiosk.qt.current_guide import CurrentGuide
from kiosk.ui import fonts
from kiosk.ui.theme import HIGH_CONTRAST, MIN_TARGET_PX, NORMAL, Metrics, contrast_ratio, mm_to_px
from kiosk.ui.window import Route
from tests.conftest import guide_copy
from tests.ui.conftest import button, settle, tap


def test_targets_are_at_least_10_mm_with_a_minimum_at_unknown_dpi():
    assert mm_to_px(10, 96) == 38
    assert mm_to_px(10, 200) == 79
    assert mm_to_px(10, 0) == mm_to_px(10, 96)  # unknown DPI
    assert Metrics.for_screen(1920, 1080, 0, 0, False).target == MIN_TARGET_PX
    assert Metrics.for_screen(1920, 1080, 200, 0, False).target == 79


@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST], ids=["normal", "high-contrast"])
def test_text_contrast_is_at_least_7_to_1(palette):
    pairs = [
        (palette.text, palette.background), (palette.text, palette.surface), (palette.text, palette.short_bg),
        (palette.text, palette.notice_bg), (palette.text, palette.pressed), (palette.muted, palette.background),
        (palette.accent_text, palette.accent), (palette.accent, palette.short_bg),
    ]  # fmt: skip
    for foreground, background in pairs:
        assert contrast_ratio(foreground, background) >= 7, (foreground, background)


def test_every_tappable_thing_is_big_enough(qtbot, kiosk):
    target = kiosk.context().metrics.target
    for route in (
        Route("language"),
        Route("home"),
        Route("topic", "money"),
        Route("answer", "damage"),
        Route("search"),
    ):
        kiosk.go(route)
        settle()
        small = [
            (b.accessibleName() or b.text(), b.width(), b.height())
            for b in kiosk.findChildren(QAbstractButton)
            if b.isVisible() and (b.width() < target or b.height() < target)
        ]
        assert small == [], route


def test_every_scrolling_list_scrolls_by_touch(qtbot, kiosk):
    for route in (Route("home"), Route("topic", "money"), Route("answer", "damage"), Route("search")):
        kiosk.go(route)  # screens are made when first shown
    areas = [area for area in kiosk.findChildren(QScrollArea) if area.objectName() != "answerBody"]
    assert len(areas) >= 5
    assert all(QScroller.hasScroller(area.viewport()) for area in areas)


def test_bundled_fonts_register(qapp):
    families = fonts.register(paths.fonts_dir())
    assert set(fonts.FAMILIES) <= set(families)


def test_a_broken_font_file_is_logged_not_fatal(qapp, tmp_path, caplog):
    shutil.copy(paths.fonts_dir() / "NotoSans-Regular.ttf", tmp_path)
    (tmp_path / "Broken.ttf").write_bytes(b"not a font")
    with caplog.at_level(logging.ERROR):
        families = fonts.register(tmp_path)
    assert "Noto Sans" in families
    assert any("Broken.ttf" in r.message for r in caplog.records)


def test_text_size_and_contrast_toggles(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    body = kiosk.context().metrics.body
    tap(qtbot, kiosk.bar.text_size)
    assert kiosk.context().metrics.body > body
    tap(qtbot, kiosk.bar.contrast)
    assert kiosk.context().metrics.palette == HIGH_CONTRAST
    assert HIGH_CONTRAST.background in kiosk.styleSheet()


def test_the_current_guide_opens_a_newly_installed_one_and_switches_when_safe(qtbot, shipped_guide, data_dir):
    current = CurrentGuide(GuideStore(shipped_guide), poll_ms=0)
    reading = [True]
    current.safe_moment = lambda: not reading[0]
    guides = paths.guides_dir()
    guides.mkdir(parents=True)
    guide_copy(shipped_guide, guides / "guide-2.sqlite", content_version="2")
    (guides / "current").write_text("guide-2.sqlite", encoding="utf-8")
    current.check()
    qtbot.waitUntil(lambda: current.pending, timeout=5000)  # opened off the GUI thread; someone is reading
    assert current.store.content_version == 1
    reading[0] = False
    with qtbot.waitSignal(current.replaced, timeout=1000) as replaced:
        assert current.switch_if_safe()
    assert replaced.args[0].content_version == 2 and current.store.content_version == 2


def test_the_current_guide_ignores_a_broken_new_guide(qtbot, shipped_guide, data_dir, caplog):
    current = CurrentGuide(GuideStore(shipped_guide), poll_ms=0)
    guides = paths.guides_dir()
    guides.mkdir(parents=True)
    (guides / "guide-2.sqlite").write_bytes(b"garbage" * 1000)
    (guides / "current").write_text("guide-2.sqlite", encoding="utf-8")
    with qtbot.assertNotEmitted(current.replaced, wait=500):
        current.check()
    assert not current.pending and current.store.content_version == 1
    assert "cannot be opened; keeping the current one" in caplog.text


def test_a_quick_tap_seen_late_is_a_tap_not_a_hold(qtbot):
    """On a busy machine the hold timer can fire before the GUI has seen a quick tap's release: still a tap."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from kiosk.ui.widgets import TouchButton

    button = TouchButton("en", "English")
    qtbot.addWidget(button)
    button.resize(300, 120)
    button.show()
    qtbot.waitExposed(button)
    taps, holds = [], []
    button.activated.connect(taps.append)
    button.long_pressed.connect(lambda key, text: holds.append(key))
    centre = QPoint(150, 60)
    QTest.mousePress(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    button._hold.stop()
    button._hold.timeout.emit()  # the timer's turn came first, the release was still queued
    QTest.mouseRelease(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.wait(button.RELEASE_GRACE_MS + 100)
    assert (taps, holds) == (["en"], [])

    QTest.mousePress(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.waitUntil(lambda: holds == ["en"], timeout=button.LONG_PRESS_MS + 1000)  # a real hold is still a hold
    QTest.mouseRelease(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.wait(50)
    assert taps == ["en"], "the release after a hold does not also open"
