"""Staff mode in the kiosk: PIN pad, staff view, settings, presenter mode, usage counting, time-out and exit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk import paths
from kiosk.pin import MAX_FAILURES, set_pin
from kiosk.settings import SettingsStore
from kiosk.ui.window import START, Route
from tests.ui.conftest import button, settle, tap

pytestmark = pytest.mark.gui
PIN = "5827"  # "2580", a line on the keypad, is refused since #12


def open_pinpad(qtbot, kiosk_parts):
    kiosk = kiosk_parts.window
    kiosk_parts.lockdown._hold.setInterval(50)
    qtbot.mousePress(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(kiosk.staff.pinpad.isVisible, timeout=2000)
    qtbot.mouseRelease(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    settle()
    return kiosk.staff.pinpad


def enter(qtbot, pad, digits: str) -> None:
    for digit in digits:
        tap(qtbot, pad.keys[digit])
    tap(qtbot, pad.keys["OK"])
    qtbot.waitUntil(lambda: pad.keys["OK"].isEnabled(), timeout=5000)  # checked off the GUI thread
    settle()


def open_staff(qtbot, kiosk_parts):
    kiosk = kiosk_parts.window
    set_pin(PIN)
    pad = open_pinpad(qtbot, kiosk_parts)
    with qtbot.waitSignal(kiosk.staff.opened, timeout=5000):
        enter(qtbot, pad, PIN)
    settle()
    return kiosk.staff.view


def test_wrong_pins_lock_the_pad_and_the_right_one_opens(qtbot, kiosk, kiosk_parts):
    set_pin(PIN)
    pad = open_pinpad(qtbot, kiosk_parts)
    assert "●" not in pad.dots.text()
    for attempt in range(MAX_FAILURES - 1):
        enter(qtbot, pad, "1357")
        assert f"{MAX_FAILURES - attempt - 1}" in pad.message.text()
        assert not kiosk.staff.view.isVisible()
    enter(qtbot, pad, "1357")
    assert "Te veel" in pad.message.text()
    enter(qtbot, pad, PIN)  # locked: even the right PIN does not open
    assert not kiosk.staff.view.isVisible() and "Te veel" in pad.message.text()
    tap(qtbot, pad.cancel)
    assert not pad.isVisible()


def test_the_right_pin_opens_the_staff_view_with_the_guide_and_updates(qtbot, kiosk, kiosk_parts):
    view = open_staff(qtbot, kiosk_parts)
    assert view.isVisible() and not kiosk.staff.pinpad.isVisible()
    qtbot.waitUntil(lambda: "versie 1" in view.guide_labels[0].text(), timeout=5000)
    assert "Nog geen updatepogingen" in view.attempts_label.text()
    assert not kiosk_parts.idle.enabled  # no visitor reset while staff work


def test_without_a_pin_staff_mode_cannot_be_opened(qtbot, kiosk, kiosk_parts):
    pad = open_pinpad(qtbot, kiosk_parts)
    assert "set-pin" in pad.message.text()
    enter(qtbot, pad, "2580")
    assert not kiosk.staff.view.isVisible()


def test_settings_are_saved_applied_and_kept_and_a_bad_value_is_refused(qtbot, kiosk, kiosk_parts):
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.tabs["page_settings"])
    page = view.pages.currentWidget()
    minus = [b for b in page.findChildren(QPushButton) if b.text() == "–"]
    tap(qtbot, minus[0])  # idle_timeout_s: 90 -> 80
    org = next(b for b in page.findChildren(QPushButton) if b.isCheckable() and b.text() == "Ja" and b.isChecked())
    tap(qtbot, org)  # show_organisation_questions: off
    tap(qtbot, next(b for b in page.findChildren(QPushButton) if b.text() == "Bewaren"))
    assert view.settings_message.text() == "Bewaard."
    assert SettingsStore().config.idle_timeout_s == 80
    assert SettingsStore().config.show_organisation_questions is False
    assert kiosk_parts.idle._idle.interval() == 80_000 and kiosk.audience == "resident"

    sync = next(e for e in page.findChildren(QLineEdit) if e.text() == "")  # sync_url is the first text field
    sync.setText("ftp://example.org/guide/")
    before = paths.settings_file().read_bytes()
    tap(qtbot, next(b for b in page.findChildren(QPushButton) if b.text() == "Bewaren"))
    assert "Niet bewaard" in view.settings_message.text() and "sync_url" in view.settings_message.text()
    assert paths.settings_file().read_bytes() == before


def test_text_settings_are_typed_on_screen_keys(qtbot, kiosk, kiosk_parts):
    """A touchscreen kiosk has no keyboard: tapping a text field opens keys under the page."""
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.tabs["page_settings"])
    page = view.pages.currentWidget()
    sync = next(e for e in page.findChildren(QLineEdit) if e.text() == "")  # sync_url is the first text field
    assert not view.keyboard.isVisible()
    qtbot.mouseClick(sync, Qt.MouseButton.LeftButton)
    settle()
    assert view.keyboard.isVisible() and view.keyboard.target is sync
    keys = view.keyboard.keys.keys
    for key in "https://gids.be/":
        if key == "g":  # a capital, then back to small letters
            tap(qtbot, view.keyboard.shift)
            assert keys["g"].text() == "G"
            tap(qtbot, keys["g"])
            tap(qtbot, view.keyboard.shift)
            continue
        tap(qtbot, keys[key])
    tap(qtbot, keys["backspace"])
    assert sync.text() == "https://Gids.be"
    assert view.keyboard.shift.text() == "Hoofdletters" and keys[" "].text() == "spatie"
    tap(qtbot, view.keyboard.done)
    assert not view.keyboard.isVisible() and not sync.hasFocus()
    tap(qtbot, next(b for b in page.findChildren(QPushButton) if b.text() == "Bewaren"))
    assert SettingsStore().config.sync_url == "https://Gids.be"

    name = page.findChildren(QLineEdit)[-1]  # the centre name, the last field: the keys must not cover it
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    qtbot.mouseClick(name, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.keyboard.isVisible)
    settle()
    for _ in range(2):  # capitals on and off again: the field stays where it is
        top = name.mapTo(page.viewport(), QPoint(0, 0)).y()
        assert top >= 0 and top + name.height() <= page.viewport().height()
        assert page.viewport().mapTo(view, QPoint(0, top + name.height())).y() <= view.keyboard.y()
        tap(qtbot, view.keyboard.shift)


def test_language_order_setting_changes_the_language_screen(qtbot, kiosk):
    SettingsStore().set("language_order", ["ti", "ar", "nl"])
    kiosk.staff.settings_changed.emit(SettingsStore().config)  # as the staff view does after saving
    kiosk.reset_session()
    settle()
    assert [b.key for b in kiosk.language_screen.buttons if b.isVisible()] == ["ti", "ar", "nl"]


def test_closing_staff_mode_resets_the_kiosk_and_it_times_out(qtbot, kiosk, kiosk_parts, monkeypatch):
    tap(qtbot, button(kiosk.language_screen.buttons, "ar"))
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.back)
    assert not view.isVisible() and kiosk.route == START and kiosk.lang == "nl" and kiosk_parts.idle.enabled
    monkeypatch.setattr(kiosk.staff, "timeout_ms", lambda: 200)
    closed: list[bool] = []  # listened to from before it opens: on a busy machine it may close while settling
    kiosk.staff.closed.connect(lambda: closed.append(True))
    view = open_staff(qtbot, kiosk_parts)
    qtbot.waitUntil(lambda: bool(closed), timeout=3000)
    assert not view.isVisible() and kiosk.route == START


def test_exit_works_only_from_staff_mode(qtbot, kiosk, kiosk_parts, monkeypatch):
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda *a: quits.append(True))
    kiosk.allow_close = False
    assert not kiosk.close() and kiosk.isVisible()  # outside staff mode: refused
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.exit)
    assert view.confirm.isVisible() and kiosk.isVisible()  # asks first
    yes = next(b for b in view.confirm.findChildren(QPushButton) if b.text() == "Ja, afsluiten")
    tap(qtbot, yes)
    assert quits == [True] and not kiosk.isVisible()


def test_presenter_mode_two_languages_their_own_directions_and_the_clicker(qtbot, kiosk, kiosk_parts):
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.tabs["page_presenter"])
    view.presenter_requested.emit("nl", "ar")
    settle()
    presenter = kiosk.staff.presenter
    assert presenter is not None and presenter.isVisible()
    assert presenter.left.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert presenter.right.layoutDirection() == Qt.LayoutDirection.RightToLeft
    state = kiosk.staff.state
    first = state.question_id
    assert presenter.left.answer.question_id == presenter.right.answer.question_id == first
    assert presenter.left.answer.lang == "nl" and presenter.right.answer.lang == "ar"
    qtbot.keyClick(kiosk.windowHandle(), Qt.Key.Key_PageDown)  # a clicker's "next"
    settle()
    assert state.index == 1 and presenter.right.answer.question_id == state.question_ids[1]
    qtbot.keyClick(kiosk.windowHandle(), Qt.Key.Key_Right)
    qtbot.keyClick(kiosk.windowHandle(), Qt.Key.Key_PageUp)
    settle()
    assert state.index == 1
    tap(qtbot, presenter.buttons["next"])
    assert state.index == 2
    tap(qtbot, presenter.buttons["second_screen"])  # one screen here: says so, stays
    assert "tweede scherm" in presenter.position.text()
    tap(qtbot, presenter.buttons["leave_presenter"])
    assert kiosk.staff.presenter is None and view.isVisible()


def test_usage_counts_add_up_after_a_scripted_session_and_hold_no_search_text(qtbot, kiosk, kiosk_parts):
    tap(qtbot, button(kiosk.language_screen.buttons, "en"))
    kiosk.go(Route("answer", "accident"))
    kiosk.go(Route("answer", "pocket-money"))
    tap(qtbot, kiosk.bar.text_size)  # a re-render is not a second view
    tap(qtbot, kiosk.bar.search)
    for letter in "insur":
        tap(qtbot, kiosk.search_screen.keyboard.keys[letter])
    tap(qtbot, kiosk.bar.back)  # leaves the search: one search counted
    tap(qtbot, kiosk.bar.search)
    tap(qtbot, kiosk.bar.back)  # the same search again: not counted twice
    kiosk_parts.idle.expired.emit()
    settle()
    usage = kiosk_parts.usage
    usage.flush()
    assert usage.totals("question_view", by="key") == [("accident", 1), ("pocket-money", 1)]
    assert usage.totals("language", by="key") == [("en", 1)]
    assert usage.totals("search", by="lang") == [("en", 1)]
    assert usage.totals("idle_reset", by="day")[0][1] == 1
    stored = usage.path.read_bytes()
    assert b"insur" not in stored
    assert not any(r.key == "insur" for r in usage.rows())


def test_staff_texts_exist_in_every_staff_language_and_for_every_setting():
    from kiosk.settings import FIELDS
    from kiosk.ui.staff.texts import TEXTS

    assert set(TEXTS["fr"]) == set(TEXTS["nl"]) == set(TEXTS["en"])
    assert {f"setting_{name}" for name in FIELDS} <= set(TEXTS["nl"])


def test_every_character_of_the_staff_screens_is_in_the_bundled_fonts(qtbot, kiosk, kiosk_parts):
    """A kiosk has no system fonts to fall back on: a sign missing from the bundled fonts shows as a box."""
    from fontTools.ttLib import TTFont
    from PySide6.QtWidgets import QAbstractButton, QLabel

    drawable: set[int] = set()
    for font in paths.fonts_dir().glob("*.ttf"):
        drawable |= set(TTFont(font).getBestCmap())
    view = open_staff(qtbot, kiosk_parts)
    texts = []
    for page in ("page_guide", "page_settings", "page_voices", "page_usage", "page_log", "page_presenter"):
        tap(qtbot, view.tabs[page])
        texts += [w.text() for w in view.findChildren(QLabel) + view.findChildren(QAbstractButton)]
    pad = kiosk.staff.pinpad
    pad.open("nl")
    pad.press("1")
    texts += [w.text() for w in pad.findChildren(QLabel) + pad.findChildren(QAbstractButton)]
    view.presenter_requested.emit("nl", "ar")
    settle()
    texts += [w.text() for w in kiosk.staff.presenter.findChildren(QAbstractButton)]
    missing = {ch for text in texts for ch in text if ord(ch) not in drawable and not ch.isspace()}
    assert not missing, f"not in the bundled fonts: {sorted(missing)}"


def test_presenter_on_a_second_screen(tmp_path, shipped_guide):
    """Two screens (Qt's offscreen platform configured with a touchscreen and a projector), in a process of its own."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    config = tmp_path / "screens.json"
    screen = {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [
        {"name": "touch", "x": 0, "y": 0, "width": 1080, "height": 1920, **screen},
        {"name": "projector", "x": 1080, "y": 0, "width": 1920, "height": 1080, **screen},
    ]}))  # fmt: skip
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    helper = Path(__file__).with_name("second_screen.py")
    result = subprocess.run([sys.executable, str(helper), str(tmp_path), str(shipped_guide)], env=env,
                            capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[2])  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["screens"] == 2 and seen["second"]
    assert seen["geometry"] == seen["projector"]
    assert seen["index"] == 1 and seen["same_question"]
    assert seen["directions"] == [True, True]
    assert seen["closed"]
    assert (tmp_path / "projector.png").stat().st_size > 10_000
