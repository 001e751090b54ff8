"""The visitor session on its own, without any widget (issue #14): go, back, choose a language, reset, idle."""

from __future__ import annotations

import pytest

from kiosk.qt.idle import IdleGuard
from kiosk.qt.session import HOME, START, Route, ScreenName, VisitorSession


@pytest.fixture
def session(qapp):
    s = VisitorSession("nl")
    seen: list[tuple[Route, bool]] = []
    s.route_changed.connect(lambda route, fresh: seen.append((route, fresh)))
    s.seen = seen  # type: ignore[attr-defined]
    return s


def test_a_route_names_its_screen_by_the_enum():
    assert Route("answer", "damage").screen is ScreenName.ANSWER
    assert Route("home") == HOME
    with pytest.raises(ValueError):
        Route("no-such-screen")


def test_go_and_back(session):
    opened = []
    session.opened.connect(lambda screen, arg: opened.append((screen, arg)))
    assert session.is_at_start() and not session.can_go_back
    session.go(HOME)
    session.go(Route("topic", "money"))
    session.go(Route("answer", "how-much"))
    session.go(Route("answer", "how-much"))  # the same route again: nothing happens
    assert session.route == Route(ScreenName.ANSWER, "how-much")
    assert session.history == [START, HOME, Route("topic", "money")]
    assert opened == [("home", ""), ("topic", "money"), ("answer", "how-much")]
    session.back()
    assert session.route == Route("topic", "money") and session.seen[-1] == (Route("topic", "money"), True)
    session.go(HOME)  # Home always leads back to the language screen
    assert session.history == [START]
    session.back()
    assert session.is_at_start()
    session.back()  # nothing further back
    assert session.is_at_start()
    assert len(opened) == 4  # going back is not opening


def test_history_is_bounded(session):
    for i in range(200):
        session.go(Route("answer", f"q{i}"))
    assert len(session.history) == 50


def test_choosing_a_language_returns_to_where_the_visitor_was(session):
    changed = []
    session.language_changed.connect(changed.append)
    session.choose_language("ar")  # from the start: to Home
    assert (session.lang, session.route, session.history) == ("ar", HOME, [START])
    session.go(Route("answer", "damage"))
    session.go(START)  # the language button
    session.choose_language("ti")
    assert session.route == Route("answer", "damage") and session.lang == "ti"
    assert session.history == [START, HOME]
    assert changed == ["ar", "ti"]


def test_reset_forgets_the_visitor(session):
    resets = []
    session.reset_done.connect(lambda: resets.append(session.route))
    session.default_text_step = 1
    session.choose_language("uk")
    session.go(Route("topic", "insurance"))
    session.next_text_size()
    session.toggle_contrast()
    assert not session.is_untouched()
    session.reset()
    assert session.is_untouched() and session.is_at_start()
    assert (session.lang, session.text_step, session.high_contrast) == ("nl", 1, False)
    assert session.seen[-1] == (START, True)
    assert len(resets) == 1


def test_text_size_and_contrast_change_the_looks_not_the_route(session):
    looks = []
    session.looks_changed.connect(lambda: looks.append(session.text_step))
    session.go(Route("answer", "damage"))
    for _ in range(3):
        session.next_text_size()
    assert looks == [1, 2, 0] and session.route == Route("answer", "damage")


def test_a_new_guide_keeps_the_language_only_if_it_has_it(session):
    session.choose_language("so")
    session.keep_language_of({"nl", "fr", "so"}, "nl")
    assert session.lang == "so"
    session.keep_language_of({"fr", "en"}, "fr")
    assert session.lang == "fr" and session.default_language == "fr"


def test_the_idle_guard_resets_the_session(session, qtbot):
    guard = IdleGuard(timeout_ms=50, countdown_s=1)
    guard.expired.connect(session.reset)
    session.choose_language("ar")
    session.go(Route("answer", "damage"))
    with qtbot.waitSignal(session.reset_done, timeout=5000):
        guard.start()
    assert session.is_untouched()
    guard.pause()
