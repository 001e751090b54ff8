"""The resident's path through the kiosk, by tapping."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.ui.window import Route
from tests.ui.conftest import button, settle, tap


def test_language_topic_question_answer_back_home(qtbot, kiosk):
    assert kiosk.route.screen == "language"
    tap(qtbot, button(kiosk.language_screen.buttons, "en"))
    assert kiosk.route.screen == "home" and kiosk.lang == "en"
    home = kiosk.screens["home"]
    assert len(home.tiles) >= 9  # 8 topics and search
    tap(qtbot, button(home.tiles, "insurance"))
    assert kiosk.route.screen == "topic" and kiosk.route.arg == "insurance"
    topic = kiosk.screens["topic"]
    tap(qtbot, button(topic.rows, "accident"))
    assert kiosk.route.screen == "answer" and kiosk.route.arg == "accident"
    answer = kiosk.screens["answer"]
    assert answer.question_label.text() == answer.answer.question
    assert answer.short_label.toPlainText() == answer.answer.short
    tap(qtbot, kiosk.bar.back)
    assert kiosk.route.screen == "topic" and kiosk.route.arg == "insurance"
    tap(qtbot, kiosk.bar.home)
    assert kiosk.route.screen == "home"
    tap(qtbot, kiosk.bar.back)
    assert kiosk.route.screen == "language"


def test_related_question_opens_its_answer(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    kiosk.go(kiosk.route.__class__("answer", "accident"))
    rows = kiosk.screens["answer"].related_rows
    assert rows
    target = rows[0].key
    tap(qtbot, rows[0])
    assert kiosk.route.arg == target


def test_machine_translation_is_announced(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "en"))
    kiosk.go(kiosk.route.__class__("answer", "damage"))
    answer = kiosk.screens["answer"]
    assert answer.answer.machine_translated
    assert kiosk.context().text("machine_translation") in answer.notices


def test_arabic_mirrors_the_whole_layout_and_back(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    home_x, back_x = kiosk.bar.home.x(), kiosk.bar.back.x()
    assert home_x < back_x
    tap(qtbot, kiosk.bar.language)
    tap(qtbot, button(kiosk.language_screen.buttons, "ar"))
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert kiosk.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert kiosk.bar.home.x() > kiosk.bar.back.x()  # Home is now at the right
    tiles = kiosk.screens["home"].tiles
    assert tiles[0].mapTo(kiosk, tiles[0].rect().topLeft()).x() > tiles[1].mapTo(kiosk, tiles[1].rect().topLeft()).x()
    assert kiosk.icons.name_for("arrow-left", kiosk.context().rtl) == "arrow-right"
    assert kiosk.bar.home.text() == kiosk.context().text("home")
    tap(qtbot, kiosk.bar.language)
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert kiosk.bar.home.x() < kiosk.bar.back.x()


def test_switching_language_rerenders_the_visible_answer(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    kiosk.go(kiosk.route.__class__("answer", "leefloon"))
    dutch = kiosk.screens["answer"].question_label.text()
    tap(qtbot, kiosk.bar.language)
    tap(qtbot, button(kiosk.language_screen.buttons, "uk"))
    assert kiosk.route.screen == "answer" and kiosk.route.arg == "leefloon"
    assert kiosk.screens["answer"].question_label.text() != dutch
    assert kiosk.screens["answer"].answer.lang == "uk"


def open_search(qtbot, kiosk, lang: str):
    """As a visitor: the language's button, then the search button; the search screen."""
    tap(qtbot, button(kiosk.language_screen.buttons, lang))
    tap(qtbot, kiosk.bar.search)
    return kiosk.search_screen


def type_keys(qtbot, search, letters: str) -> None:
    for letter in letters:
        tap(qtbot, search.keyboard.keys[letter])


def test_search_with_the_on_screen_keyboard(qtbot, kiosk):
    search = open_search(qtbot, kiosk, "nl")
    type_keys(qtbot, search, "verzek")
    assert search.query == "verzek"
    qtbot.waitUntil(lambda: not search.searching and bool(search.results), timeout=5000)  # off the GUI thread
    ids = [row.key for row in search.results]
    assert "am-i-insured" in ids
    tap(qtbot, search.keyboard.keys["backspace"])
    assert search.query == "verze"
    qtbot.waitUntil(lambda: not search.searching, timeout=5000)
    tap(qtbot, search.results[0])
    assert kiosk.route.screen == "answer"


def test_ethiopic_keyboard_picks_consonant_then_vowel(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "ti"))
    tap(qtbot, kiosk.bar.search)
    keyboard = kiosk.search_screen.keyboard
    tap(qtbot, keyboard.keys["ሰ"])
    assert kiosk.search_screen.query == ""  # a consonant opens its vowel forms first
    assert "ሱ" in keyboard.picker_keys
    tap(qtbot, keyboard.picker_keys["ራ" if "ራ" in keyboard.picker_keys else "ሱ"])
    assert kiosk.search_screen.query == "ሱ"
    tap(qtbot, keyboard.keys["2"])  # a digit has no vowel forms: typed at once
    assert kiosk.search_screen.query == "ሱ2"
    tap(qtbot, keyboard.keys["ቀ"])
    assert "ቋ" in keyboard.picker_keys, "the labialised forms too (ብቋንቋ)"


def test_arabic_keyboard_with_harakat_free_search(qtbot, kiosk):
    tap(qtbot, button(kiosk.language_screen.buttons, "ar"))
    tap(qtbot, kiosk.bar.search)
    keyboard = kiosk.search_screen.keyboard
    assert keyboard.layoutDirection() == Qt.LayoutDirection.LeftToRight  # keys stay where a keyboard has them
    assert "ض" in keyboard.keys


def test_a_non_latin_keyboard_switches_to_latin_letters_for_names(qtbot, kiosk):
    """Arabic answers name OCMW, Fedasil, leefloon in Latin letters: 'ABC' types them, and back."""
    search = open_search(qtbot, kiosk, "ar")
    tap(qtbot, search.keyboard.keys["letters"])
    type_keys(qtbot, search, "ocmw")
    assert search.query == "ocmw"
    qtbot.waitUntil(lambda: not search.searching and bool(search.results), timeout=5000)
    assert search.keyboard.keys["letters"].text() == "العربية"
    tap(qtbot, search.keyboard.keys["letters"])
    assert "ض" in search.keyboard.keys
    kiosk.go(Route("language"))
    tap(qtbot, button(kiosk.language_screen.buttons, "nl"))
    tap(qtbot, kiosk.bar.search)
    assert "letters" not in search.keyboard.keys, "a Latin keyboard needs no switch"


def test_search_counts_every_answer_shows_more_and_starts_empty_in_another_language(qtbot, kiosk):
    search = open_search(qtbot, kiosk, "nl")
    type_keys(qtbot, search, "vrijwilliger")
    qtbot.waitUntil(lambda: not search.searching and bool(search.results), timeout=5000)
    total = len(search.found)
    assert total > 10 and len(search.results) == 10, "ten at a time"
    assert str(total) in search.status.text(), "the count is of every answer found, not of those shown"
    assert search.more is not None and str(total - 10) in search.more.text_label.text()
    with qtbot.waitSignal(search.results_shown, timeout=5000):
        tap(qtbot, search.more)
    assert len(search.results) == min(total, 20)
    kiosk.go(Route("language"))
    tap(qtbot, button(kiosk.language_screen.buttons, "ar"))
    tap(qtbot, kiosk.bar.search)
    assert search.query == "" and search.results == [], "Dutch letters under the Arabic keyboard: start empty"


def test_the_keyboard_hides_and_in_landscape_four_results_stay_in_view(qtbot, kiosk):
    kiosk.resize(1920, 1080)
    search = open_search(qtbot, kiosk, "uk")
    search.set_query("волонтерськ")
    qtbot.waitUntil(lambda: not search.searching and len(search.results) >= 4, timeout=5000)
    settle()
    viewport = search.scroll_area.viewport()

    def in_view() -> int:
        return sum(1 for row in search.results
                   if row.isVisible() and row.mapTo(viewport, row.rect().bottomLeft()).y() <= viewport.height())

    assert search.keyboard.isVisible() and in_view() >= 4, "landscape: the keys beside the results"
    beside = search.results[0].width()
    tap(qtbot, search.keys_toggle)
    settle()
    assert not search.keyboard.isVisible()
    assert search.results[0].width() > 1.3 * beside, "hidden keys leave the results (most of) the width"
    tap(qtbot, search.keys_toggle)
    settle()
    assert search.keyboard.isVisible() and search.results[0].width() == beside
    kiosk.resize(1080, 1920)
    kiosk.go(Route("home"))
    tap(qtbot, kiosk.bar.search)
    settle()
    tap(qtbot, search.keys_toggle)
    settle()
    assert in_view() >= 4, "portrait, keyboard hidden"
