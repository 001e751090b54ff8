"""The kiosk judges figures on its own clock (issue #13): an expired figure is shown with its period and a notice."""

from __future__ import annotations

import pytest

from kiosk.clock import TODAY_ENV
from kiosk.ui.window import Route

pytestmark = pytest.mark.gui


def _open_amounts(kiosk, lang, qid="how-much"):
    kiosk.choose_language(lang)
    kiosk.go(Route("answer", qid))
    return kiosk.current


@pytest.mark.parametrize("lang", ["nl", "ar", "ti", "uk"])
def test_expired_amounts_show_their_period_and_a_notice(qtbot, kiosk, monkeypatch, lang):
    monkeypatch.setenv(TODAY_ENV, "2026-12-05")
    screen = _open_amounts(kiosk, lang)
    assert screen.answer is not None and screen.answer.question_id == "how-much"
    assert "\u2068" in screen.answer.body_text  # the answer names its figures as facts
    outdated = kiosk.store.ui_strings(lang)["fact_outdated"]
    assert outdated not in screen.notices
    monkeypatch.setenv(TODAY_ENV, "2027-01-02")
    kiosk.go(Route("home"))
    screen = _open_amounts(kiosk, lang)
    assert screen.answer.may_be_outdated
    assert outdated in screen.notices
    period = kiosk.store.ui_strings(lang)["fact_in_period"].split("{period}")[0]
    assert period.strip() in screen.body_label.toPlainText() or "2026" in screen.body_label.toPlainText()


def test_a_former_question_id_still_opens_the_question(qtbot, kiosk):
    screen = _open_amounts(kiosk, "nl", "how-much-2026")
    assert screen.answer is not None and screen.answer.question_id == "how-much"
