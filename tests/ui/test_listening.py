"""Listening that a non-reader finds: a speaker mark on every tile and row reads its label on a tap (the row still
opens), answers read as they open when the staff want it, the language screen's invitation in every language,
and the staff's engine per language on the voices page. Tapped as a finger would (an input event at a point of
the window)."""

from __future__ import annotations

import pytest

from kiosk.guide import GuideStore
from kiosk.qt.speech import SpeechService
from kiosk.settings import SettingsStore
from kiosk.ui.screens.language import LanguageScreen
from kiosk.ui.window import Route, ScreenName
from tests.ui.conftest import button, settle, tap

pytestmark = pytest.mark.gui


class Heard(list):
    """Every label the screens ask to be read: (text, language); screens are made when first shown."""

    def __init__(self, kiosk):
        super().__init__()
        self.kiosk, self.seen = kiosk, set()
        kiosk.navigated.connect(lambda *_: self.follow())
        self.follow()

    def follow(self):
        for screen in self.kiosk.screens.values():
            if id(screen) not in self.seen:
                self.seen.add(id(screen))
                screen.speech_requested.connect(lambda text, lang: self.append((text, lang)))


@pytest.fixture
def heard(kiosk):
    return Heard(kiosk)


@pytest.fixture
def speaking_kiosk(qtbot, kiosk, shipped_guide, monkeypatch):
    """The kiosk with its speech service (no sound device), once the worker has listed its voices."""
    monkeypatch.delenv("WEGWIJZER_VOICE_DIRS", raising=False)
    speech = SpeechService(GuideStore(shipped_guide), use_device=False)
    kiosk.attach_speech(speech)
    qtbot.waitUntil(lambda: bool(speech.voices), timeout=20_000)
    settle()
    yield kiosk, speech
    speech.shutdown()


def test_a_tiles_speaker_mark_reads_it_and_the_tile_still_opens(qtbot, kiosk, heard):
    kiosk.choose_language("en")
    kiosk.go(Route(ScreenName.HOME))
    settle()
    tile = button(kiosk.current.tiles, "money")
    assert tile.speaker.isVisible() and tile.speaker.width() >= kiosk.context().metrics.target
    tap(qtbot, tile.speaker)
    assert heard == [("Money and expenses", "")]
    assert kiosk.route == Route(ScreenName.HOME)  # the mark only reads
    tap(qtbot, tile)
    assert kiosk.route == Route(ScreenName.TOPIC, "money")


def test_a_rows_speaker_mark_reads_the_question_in_arabic_too(qtbot, kiosk, heard):
    kiosk.choose_language("ar")
    kiosk.go(Route(ScreenName.TOPIC, "money"))
    settle()
    row = kiosk.current.rows[0]
    assert row.speaker.isVisible()
    # right to left: the mark sits left of the question's text, the chevron at the far left
    assert row.speaker.x() < row.text_label.x() and row.trailing_label.x() < row.speaker.x()
    tap(qtbot, row.speaker)
    assert heard == [(row.accessibleName(), "")] and kiosk.route.screen == ScreenName.TOPIC
    tap(qtbot, row)
    assert kiosk.route == Route(ScreenName.ANSWER, row.key)


def test_search_rows_read_the_question_without_the_marks(qtbot, kiosk, heard):
    kiosk.choose_language("nl")
    kiosk.go(Route(ScreenName.SEARCH))
    settle()
    kiosk.current.set_query("verzekering")
    qtbot.waitUntil(lambda: bool(kiosk.current.results), timeout=5000)
    settle()
    row = kiosk.current.results[0]
    tap(qtbot, row.speaker)
    assert heard and "<" not in heard[-1][0] and heard[-1][0] == row.accessibleName()


def test_language_marks_read_each_name_in_its_own_voice_and_only_where_a_voice_reads_it(qtbot, speaking_kiosk):
    kiosk, speech = speaking_kiosk
    kiosk.go(Route(ScreenName.LANGUAGE))
    settle()
    screen = kiosk.current
    assert isinstance(screen, LanguageScreen)
    marks = {b.key: b.speaker.isVisible() for b in screen.buttons}
    assert marks["ar"] and marks["nl"] and not marks["ps"] and not marks["so"]  # no voice: no mark that is silent
    tap(qtbot, button(screen.buttons, "ar").speaker)
    qtbot.waitUntil(lambda: speech.speaking == "label", timeout=5000)
    assert speech.voice_for("ar") is not None
    assert kiosk.route.screen == ScreenName.LANGUAGE


def test_answers_are_read_as_they_open_when_the_staff_turn_it_on(qtbot, speaking_kiosk):
    kiosk, speech = speaking_kiosk
    kiosk.choose_language("nl")
    kiosk.go(Route(ScreenName.TOPIC, "money"))
    settle()
    tap(qtbot, kiosk.current.rows[0])
    settle()
    assert speech.speaking is None  # off by default
    kiosk.read_answers_aloud = True
    kiosk.go(Route(ScreenName.TOPIC, "money"))
    settle()
    row = kiosk.current.rows[1]
    tap(qtbot, row)
    qtbot.waitUntil(lambda: speech.speaking == f"answer:{row.key}", timeout=5000)


def test_the_invitation_turns_through_the_languages_and_is_silent_unless_the_staff_want_it(qtbot, kiosk, heard):
    kiosk.go(Route(ScreenName.LANGUAGE))
    settle()
    screen = kiosk.current
    screen._invite_timer.setInterval(30)
    shown: set[str] = set()
    for _ in range(60):
        qtbot.wait(15)
        shown.add(screen.invitation.text())
        invited = [b.key for b in screen.buttons if b.property("invited")]
        assert len(invited) == 1
        settle()
        heights = {b.height() for b in screen.buttons}
        assert len(heights) == 1, f"the marked button keeps its size, the grid does not jump: {heights}"
    assert {"Kies uw taal", "اختاروا لغتكم", "Choose your language"} <= shown
    assert heard == []  # off by default: halls are shared


def test_the_invitation_said_aloud_is_one_round_in_every_language_with_a_voice(qtbot, speaking_kiosk):
    kiosk, _speech = speaking_kiosk
    heard = Heard(kiosk)
    kiosk.go(Route(ScreenName.LANGUAGE))
    settle()
    screen = kiosk.current
    kiosk.invite_aloud = True
    kiosk.go(Route(ScreenName.HOME))
    kiosk.go(Route(ScreenName.LANGUAGE))
    settle()
    screen._invite_timer.setInterval(20)
    voiced = [code for code, _text, _rtl in screen._invites if kiosk.context().can_say(code)]
    assert {"ps", "so", "ckb"}.isdisjoint(voiced) and {"ar", "ru", "ka"} <= set(voiced)
    qtbot.waitUntil(lambda: len(heard) >= len(voiced), timeout=5000)
    qtbot.wait(200)
    assert [lang for _text, lang in heard] == voiced  # one round, then quiet; never a language without a voice
    assert ("اختاروا لغتكم", "ar") in heard


def test_staff_choose_the_engine_per_language_and_it_is_kept(qtbot, kiosk_parts, shipped_guide, monkeypatch):
    """The voices page: each language's voice and a choice of engine (only engines with a voice for it)."""
    from tests.staff.test_staff_mode import open_staff

    monkeypatch.delenv("WEGWIJZER_VOICE_DIRS", raising=False)
    kiosk = kiosk_parts.window
    speech = SpeechService(kiosk_parts.guide, use_device=False)
    kiosk.attach_speech(speech)
    kiosk_parts.services.speech = speech
    kiosk_parts.settings.follow(lambda config: setattr(speech, "preferred", config.engines))
    try:
        qtbot.waitUntil(lambda: bool(speech.voices), timeout=20_000)
        view = open_staff(qtbot, kiosk_parts)
        tap(qtbot, view.tabs["page_voices"])
        from PySide6.QtWidgets import QPushButton

        def choice(code: str, engine: str) -> QPushButton:
            return next(b for b in view.findChildren(QPushButton) if b.property("engine") == f"{code}-{engine}")

        assert choice("nl", "auto").isChecked() and choice("nl", "espeak-ng").isEnabled()
        assert not choice("ps", "espeak-ng").isEnabled()  # no voice for Pashto in any engine
        tap(qtbot, choice("nl", "espeak-ng"))
        assert SettingsStore().config.voice_engines == ("nl=espeak-ng",)
        assert speech.preferred == {"nl": "espeak-ng"}
        assert choice("nl", "espeak-ng").isChecked()
        tap(qtbot, choice("nl", "auto"))
        assert SettingsStore().config.voice_engines == ()
    finally:
        speech.shutdown()
