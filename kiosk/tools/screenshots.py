"""Save a screenshot of every screen in every shipped language, portrait and landscape.

Usage: ``python -m kiosk.tools.screenshots [--out DIR] [--lang CODE ...] [--staff] [--question ID] [--today DAY]
[--text-size 0-2]``
(under Xvfb or offscreen). With every language (no ``--lang``) or ``--staff``, also the PIN pad, the staff view's
pages and presenter mode. ``--question`` picks the answer shown, ``--today`` the kiosk's day (for figures whose
period has passed: ``--question how-much --today 2027-01-02``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from kiosk import clock, guides, paths
from kiosk.app import RunOptions, build_window
from kiosk.contrib.store import answer_version
from kiosk.guide import GuideStore
from kiosk.qt.speech import SpeechService
from kiosk.ui import fonts
from kiosk.ui.screens.answer import AnswerScreen
from kiosk.ui.window import KioskWindow, Route, ScreenName
from kiosk.wordforms import ARABIC_SCRIPT, strip_proclitics

SHAPES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
SAMPLE_QUESTION = "volunteer-during-application"
SAMPLE_TOPIC = "money"


def _settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def capture(out: Path, langs: list[str] | None, shapes: list[str], scale: float, staff: bool = False,
            question: str = SAMPLE_QUESTION, text_step: int = 0) -> list[Path]:  # fmt: skip
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):  # instance() is typed as the core application; the window needs widgets
        raise RuntimeError("screenshots need a QApplication, not a bare QCoreApplication")
    fonts.register(paths.fonts_dir())
    store = guides.open_best()
    built = build_window(app, store, RunOptions(windowed=True))
    window, idle = built.window, built.idle
    idle.enabled = False
    speech = SpeechService(store, window, use_device=False)
    loop = QEventLoop()
    speech.voices_checked.connect(loop.quit)
    QTimer.singleShot(10_000, loop.quit)
    loop.exec()  # the Listen buttons show whether each language has a voice
    window.attach_speech(speech)
    built.services.speech = speech
    saved: list[Path] = []
    codes = langs or [lang.code for lang in store.languages()]
    for shape in shapes:
        width, height = SHAPES[shape]
        window.resize(width, height)
        window.show()
        _settle(app)
        for code in codes:
            window.reset_session()
            window.choose_language(code)
            if text_step:
                window.session.text_step = text_step
                window.refresh()
            query = _sample_word(store, code)

            def search(q: str = query, keys: bool = True) -> None:
                window.go(Route(ScreenName.SEARCH))
                screen = window.search_screen
                screen.show_keyboard(keys)
                screen.set_query(q)
                deadline = time.monotonic() + 10
                while screen.searching and time.monotonic() < deadline:  # the search runs off the GUI thread
                    QThreadPool.globalInstance().waitForDone(100)
                    _settle(app)

            def usb_notice() -> None:
                window.go(Route(ScreenName.HOME))
                window.notify("update_refused", "usb_done")

            def listening() -> None:
                """The answer being read: Listen tapped, the picture taken as its sixth word lights up (a
                language without a voice shows its disabled 'no voice' button instead)."""
                window.go(Route(ScreenName.ANSWER, question))
                screen = window.current
                if not isinstance(screen, AnswerScreen) or not screen.listen.isEnabled():
                    return
                heard: list[int] = []
                wait = QEventLoop()

                def on_word(*_args: object) -> None:
                    heard.append(1)
                    if len(heard) == 6:
                        wait.quit()

                speech.word_spoken.connect(on_word)
                QTimer.singleShot(20_000, wait.quit)
                screen.listen.click()
                wait.exec()
                speech.word_spoken.disconnect(on_word)
                speech.pause()  # the word stays lit while the picture is taken

            steps: list[tuple[str, Callable[[], object]]] = [
                ("1-language", lambda: window.go(Route(ScreenName.LANGUAGE))),
                ("2-home", lambda: window.go(Route(ScreenName.HOME))),
                ("3-topic", lambda: window.go(Route(ScreenName.TOPIC, SAMPLE_TOPIC))),
                ("4-answer", lambda: window.go(Route(ScreenName.ANSWER, question))),
                ("5-search", search),
                ("5-search-keys-hidden", functools.partial(search, query, False)),
                ("6-still-there", lambda: window.overlay.show_countdown(12, window.context().strings)),
                ("7-usb-notice", usb_notice),
                ("8-listening", listening),
            ]
            for name, step in steps:
                step()
                _settle(app)
                path = out / shape / f"{code}-{name}{f'-text{text_step}' if text_step else ''}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                pixmap = window.grab()
                if scale != 1.0:
                    pixmap = pixmap.scaledToWidth(round(pixmap.width() * scale))
                pixmap.save(str(path))
                saved.append(path)
                window.overlay.hide()
                window.toast.hide()
                speech.stop()
        if langs is None or staff:
            saved += _staff_screens(app, window, out / shape, scale)
    speech.shutdown()
    window.allow_close = True
    window.close()
    return saved


PRESENTER_PAIRS = [("nl", "ar"), ("fr", "ti"), ("nl", "uk"), ("en", "prs")]


def _staff_screens(app: QApplication, window: KioskWindow, out: Path, scale: float) -> list[Path]:
    """The PIN pad, every page of the staff view, and presenter mode with pairs of languages in every script."""
    from kiosk.ui.staff.view import PAGES

    staff = window.staff
    window.reset_session()
    steps: list[tuple[str, Callable[[], object]]] = [("staff-0-pin", lambda: staff.pinpad.open("nl", ""))]

    def show_page(page: str) -> None:
        staff.pinpad.hide()
        if not staff.view.isVisible():
            staff.view.open()
        staff.view.show_page(page)

    steps += [(f"staff-{i + 1}-{p.removeprefix('page_')}", functools.partial(show_page, p))
              for i, p in enumerate(PAGES)]  # fmt: skip

    def type_in_a_field() -> None:
        show_page("page_settings")
        page = staff.view.pages.currentWidget()
        if page is None:  # show_page has just made the settings page current
            raise RuntimeError("the staff view shows no page")
        fields = page.findChildren(QLineEdit)
        staff.view.keyboard.open_for(fields[-1])  # the centre name, as a tap would

    steps += [("staff-9-keyboard", type_in_a_field)]

    def contribute(lang: str, what: str) -> None:
        """The record-and-review page in ``lang``: its answers, an answer with review marks, consent, recording."""
        show_page("page_contribute")
        page = staff.view.contribute
        store = window.store
        contributions = page.contributions
        if contributions is None:
            raise RuntimeError("the staff view has no contributions folder")
        page.show_answers(store.language(lang))
        if what == "answers":
            return
        question = "accident"
        version = answer_version(store, question, lang)
        if not contributions.reviews_of(lang, question):
            contributions.add_review(lang, question, "needs-change", "word 3 of the short answer", "TG", version)
        page.show_answer(question)
        if what == "answer":
            return
        page.part = "short"
        if what == "consent":
            page.show_consent()
            return
        consent = contributions.give_consent("TG", page.consent_text(), "nl")
        page.reader = consent.initials
        page.show_recording(0)
        page.meter.setValue(62)
        page.record_message.setText(page.t("record_speak"))
        page.record_button.setText(page.t("record_stop"))

    steps += [(f"staff-8-contribute-{lang}-{what}", functools.partial(contribute, lang, what))
              for lang, what in (("ti", "answers"), ("ti", "answer"), ("ti", "consent"), ("ti", "record"),
                                 ("ar", "answer"), ("ar", "record"), ("uk", "record"), ("fr", "answer"))]  # fmt: skip

    def presenter(presenter_lang: str, audience_lang: str) -> None:
        staff.leave_presenter()
        staff.start_presenter(presenter_lang, audience_lang)

    steps += [(f"presenter-{a}-{b}", functools.partial(presenter, a, b)) for a, b in PRESENTER_PAIRS]
    saved: list[Path] = []
    for name, step in steps:
        step()
        for _ in range(3):
            _settle(app)
            QThreadPool.globalInstance().waitForDone(2000)  # the staff view reads files off the GUI thread
        _settle(app)
        path = out / f"{name}.png"
        pixmap = window.grab()
        if scale != 1.0:
            pixmap = pixmap.scaledToWidth(round(pixmap.width() * scale))
        pixmap.save(str(path))
        saved.append(path)
    staff.close()
    return saved


def _sample_word(store: GuideStore, code: str) -> str:
    answer = store.answer("am-i-insured", code)
    words = [w.strip(".,:;!?()«»።،؟\"'") for w in answer.question.split()]
    longest = max(words, key=len)
    if code in ARABIC_SCRIPT:  # a noun of the short answer typed with a particle and the article (و + ال)
        nouns = [w.strip(".,:;!?()«»،؟\"'") for w in answer.short.split()]
        return "وال" + strip_proclitics(max(nouns, key=len), code)
    return longest[: max(3, len(longest) - 2)]


def main() -> None:  # run as a module: the speech worker process re-imports it, hence the guard below
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--lang", action="append", help="only these languages (repeatable)")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these orientations")
    parser.add_argument("--scale", type=float, default=0.5, help="scale the saved images (default 0.5)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--staff", action="store_true", help="also the staff screens when --lang is given")
    parser.add_argument("--question", default=SAMPLE_QUESTION, help=f"the answer to show (default {SAMPLE_QUESTION})")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="the kiosk's day, YYYY-MM-DD")
    parser.add_argument("--text-size", type=int, choices=(0, 1, 2), default=0,
                        help="the visitor's text size step (0 normal, 2 largest)")  # fmt: skip
    args = parser.parse_args()
    if args.today is not None:
        os.environ[clock.TODAY_ENV] = args.today.isoformat()
    paths.set_data_dir(args.data_dir or Path(tempfile.mkdtemp(prefix="wegwijzer-shots-")))
    saved = capture(args.out, args.lang, args.shape or list(SHAPES), args.scale, args.staff, args.question,
                    args.text_size)  # fmt: skip
    print(f"{len(saved)} screenshots in {args.out}/")


if __name__ == "__main__":
    main()
