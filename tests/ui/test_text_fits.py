"""Every string in every language fits its widget or wraps: nothing is clipped or elided."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QWidget

from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import RichText
from kiosk.ui.window import Route
from tests.ui.conftest import settle


def clipped(root: QWidget) -> list[str]:
    problems = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text() or (label.pixmap() and not label.pixmap().isNull()):
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 2:
                problems.append(
                    f"{label.objectName() or 'label'} needs {needed}px, has {label.height()}: {label.text()[:60]!r}"
                )
        elif label.sizeHint().width() > label.width() + 2:
            problems.append(f"{label.objectName()} too narrow: {label.text()[:60]!r}")
    for text in root.findChildren(RichText):
        if text.isVisibleTo(root) and text.document_height(text.viewport().width()) > text.height() + 2:
            problems.append(f"rich text clipped: {text.toPlainText()[:60]!r}")
    for screen in root.findChildren(Screen):
        if not screen.isVisibleTo(root):
            continue
        shown = sorted(
            (w for w in screen.body.findChildren(QWidget) if w.parentWidget() is screen.body and w.isVisibleTo(root)),
            key=lambda w: w.geometry().top(),
        )
        for upper, lower in itertools.pairwise(shown):
            if lower.geometry().top() < upper.geometry().bottom() and upper.geometry().intersects(lower.geometry()):
                problems.append(f"{upper.objectName()} overlaps {lower.objectName()}")
    for key in root.findChildren(QPushButton, "key"):
        text = key.text().replace("&&", "&")
        if key.isVisibleTo(root) and text and QFontMetrics(key.font()).horizontalAdvance(text) > key.width() - 4:
            problems.append(f"key too narrow: {text!r} needs {QFontMetrics(key.font()).horizontalAdvance(text)}px, "
                            f"has {key.width()}")  # fmt: skip
    for button in root.findChildren(QToolButton):
        if button.isVisibleTo(root) and button.sizeHint().width() > button.width() + 2:
            problems.append(f"bar button too narrow: {button.text()!r}")
    return problems


def routes(kiosk):
    yield Route("language")
    yield Route("home")
    for topic in kiosk.store.topics(kiosk.lang):
        yield Route("topic", topic.id)
    for qid in kiosk.store.question_ids():
        yield Route("answer", qid)
    yield Route("search")


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_every_screen_in_every_language_fits(qtbot, kiosk, size):
    kiosk.resize(*size)
    settle()
    problems = []
    for lang in [lang.code for lang in kiosk.store.languages()]:
        kiosk.reset_session()
        kiosk.choose_language(lang)
        for step, route in enumerate(routes(kiosk)):
            if size[0] > size[1] and route.screen == "answer" and step % 4:
                continue  # landscape is wider: a sample of the answers is enough
            kiosk.go(route)
            settle()
            problems += [f"{lang} {route.screen}:{route.arg}: {p}" for p in clipped(kiosk)]
    assert problems == []


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_largest_text_size_still_fits(qtbot, kiosk, size):
    kiosk.resize(*size)
    problems = []
    for lang in ("nl", "ar", "ti", "uk", "so", "fr"):
        kiosk.reset_session()
        kiosk.choose_language(lang)
        kiosk.session.text_step = 2
        for route in (Route("home"), Route("topic", "money"), Route("answer", "how-much-2026")):
            kiosk.go(route)
            kiosk.refresh()
            settle()
            problems += [f"{lang} {route.screen}: {p}" for p in clipped(kiosk)]
    assert problems == []


def test_turning_the_screen_while_an_answer_is_hidden(qtbot, kiosk):
    """Regression: the reused answer text kept a height measured for the other orientation."""
    kiosk.resize(1920, 1080)
    for lang in ("nl", "ar"):
        kiosk.reset_session()
        kiosk.choose_language(lang)
        for route in (Route("answer", "damage"), Route("topic", "money"), Route("search")):
            kiosk.go(route)
            settle()
    kiosk.resize(1080, 1920)
    settle()
    problems = []
    for lang in ("ar", "prs", "nl"):
        kiosk.reset_session()
        kiosk.choose_language(lang)
        for route in (Route("topic", "money"), Route("answer", "volunteer-during-application")):
            kiosk.go(route)
            settle()
            problems += [f"{lang} {route.screen}: {p}" for p in clipped(kiosk)]
    assert problems == []
