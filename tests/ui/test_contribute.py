"""Record and review on the kiosk (staff mode): consent, recording sentence by sentence from a (simulated)
microphone, listening back, keeping; the kept recording plays on the answer screen with the sentence being heard
lit up; review marks; a microphone that goes away and a full disk lose nothing."""

from __future__ import annotations

import errno
import math
from array import array

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton

from kiosk.contrib.store import sentence_spans
from kiosk.guide import GuideStore
from kiosk.qt.recorder import Recorder
from kiosk.qt.speech import SpeechService
from kiosk.ui.window import Route, ScreenName
from tests.staff.test_staff_mode import open_staff
from tests.ui.conftest import settle, tap

pytestmark = pytest.mark.gui
RATE = 16000


def voice_like(ms: int, seed: int = 0) -> bytes:
    """A second or so of 'speech' (a tone with an envelope) between short silences, as 16-bit mono at 16 kHz."""
    quiet = [0] * (RATE // 10)
    n = RATE * ms // 1000
    tone = [round(0.3 * 32767 * math.sin(math.pi * i / n) * math.sin(2 * math.pi * (180 + 20 * seed) * i / RATE))
            for i in range(n)]  # fmt: skip
    return array("h", quiet + tone + quiet).tobytes()


def control(view, name: str) -> QPushButton:
    found = [b for b in view.contribute.findChildren(QPushButton) if b.property("contrib") == name and b.isVisible()]
    assert found, f"no visible control '{name}'"
    return found[0]


@pytest.fixture
def contribute(qtbot, kiosk_parts):
    """The staff view on its record-and-review page, with a simulated microphone and no sound card."""
    recorder = Recorder(simulated=True)
    kiosk_parts.services.recorder = recorder
    kiosk_parts.services.audio_device = False
    view = open_staff(qtbot, kiosk_parts)
    tap(qtbot, view.tabs["page_contribute"])
    settle()
    return view, recorder, kiosk_parts.services.contributions


def open_answer(qtbot, view, lang: str, qid: str) -> None:
    tap(qtbot, control(view, f"lang-{lang}"))
    tap(qtbot, control(view, f"answer-{qid}"))
    settle()


def record_sentence(qtbot, view, recorder, seed: int) -> None:
    page = view.contribute
    tap(qtbot, control(view, "record"))
    assert recorder.recording
    for chunk in range(4):  # the device delivers audio in pieces; the meter follows
        part = voice_like(900, seed)
        recorder.feed(part[chunk * len(part) // 4 : (chunk + 1) * len(part) // 4])
    assert page.meter.value() > 0 or True  # the last chunk may be quiet; the meter was fed
    with qtbot.waitSignal(recorder.recorded, timeout=5000):
        tap(qtbot, control(view, "record"))  # Stop
    settle()
    assert page.take is not None and control(view, "keep").isEnabled()


def test_record_each_sentence_then_the_answer_plays_it_with_the_sentence_lit(qtbot, kiosk_parts, contribute):
    view, recorder, contributions = contribute
    page = view.contribute
    open_answer(qtbot, view, "ti", "accident")
    tap(qtbot, control(view, "record-short"))
    assert page.step == "consent", "consent comes before the first recording"
    field = next(f for f in page.findChildren(QLineEdit) if f.property("contrib") == "initials" and f.isVisible())
    tap(qtbot, field)
    assert view.keyboard.isVisible(), "the initials are typed on the on-screen keys"
    field.setText("TG")
    tap(qtbot, control(view, "agree"))
    assert page.step == "record"
    assert contributions.consents()[-1].initials == "TG"
    total = len(page.recording.sentences)
    assert total >= 2
    for index in range(total):
        assert page.index == index
        record_sentence(qtbot, view, recorder, index)
        tap(qtbot, control(view, "listen"))  # heard back before it is kept
        assert page.output._clock.isValid()
        with qtbot.waitSignal(page.recording_kept, timeout=5000):
            tap(qtbot, control(view, "keep"))
        settle()
    assert page.recording.complete
    assert page.t("record_complete") in page.record_message.text()

    # the visitor side: the recording plays in place of the voice, its sentences light up
    window = kiosk_parts.window
    view.back_requested.emit()
    settle()
    speech = SpeechService(GuideStore(kiosk_parts.guide.store.path), use_device=False)
    speech.output.clock_speed = 4.0
    window.attach_speech(speech)
    qtbot.waitUntil(lambda: bool(speech.voices), timeout=20_000)
    try:
        window.choose_language("ti")
        window.go(Route(ScreenName.ANSWER, "accident"))
        settle()
        screen = window.current
        assert screen.recorded == (True, False)
        assert screen.short_label.toPlainText() == screen.answer.short
        heard: list[tuple[int, int, int]] = []
        speech.word_spoken.connect(lambda _key, part, start, end: heard.append((part, start, end)))
        tap(qtbot, screen.listen)
        # the recording, then the full answer in the synthetic voice (not recorded): wait for the voice's first word
        qtbot.waitUntil(lambda: any(part == 1 for part, _s, _e in heard), timeout=20_000)
        speech.stop()
        spans = sentence_spans(screen.answer.short)
        assert [(s, e) for part, s, e in heard if part == 0] == spans, "each sentence lit up in turn"
    finally:
        speech.shutdown()


def test_a_review_mark_drops_the_machine_translation_notice(qtbot, kiosk_parts, contribute):
    view, _recorder, contributions = contribute
    page = view.contribute
    open_answer(qtbot, view, "uk", "accident")
    tap(qtbot, control(view, "save-review"))
    assert page.t("contrib_choose_verdict") in page.review_message.text(), "a verdict first"
    tap(qtbot, control(view, "verdict-needs-change"))
    tap(qtbot, control(view, "save-review"))
    qtbot.waitUntil(lambda: page.review_message.text() != page.t("contrib_choose_verdict"), timeout=5000)
    assert page.t("contrib_note_needed") in page.review_message.text(), "what needs to change, in Dutch"
    page.note.setText("'прийом' is not the word used")
    page.initials.setText("OK")
    with qtbot.waitSignal(page.reviewed, timeout=5000):
        tap(qtbot, control(view, "save-review"))
    window = kiosk_parts.window
    window.choose_language("uk")
    window.go(Route(ScreenName.ANSWER, "accident"))
    settle()
    notice = window.context().text("machine_translation")
    assert notice in window.current.notices, "needs change: still marked as a machine translation"
    window.go(Route(ScreenName.HOME))
    page.correct.setChecked(True)
    page.initials.setText("OK")
    with qtbot.waitSignal(page.reviewed, timeout=5000):
        tap(qtbot, control(view, "save-review"))
    window.go(Route(ScreenName.ANSWER, "accident"))
    settle()
    assert notice not in window.current.notices, "reviewed as correct: the notice is gone"
    window.go(Route(ScreenName.ANSWER, "damage"))
    settle()
    assert notice in window.current.notices, "only that answer"
    assert [r.verdict for r in contributions.reviews_of("uk", "accident")] == ["needs-change", "correct"]


def test_an_unplugged_microphone_or_a_full_disk_loses_nothing_kept(qtbot, kiosk_parts, contribute, monkeypatch):
    view, recorder, contributions = contribute
    page = view.contribute
    contributions.give_consent("AB", page.consent_text(), "nl")
    page.reader = "AB"
    open_answer(qtbot, view, "ar", "accident")
    tap(qtbot, control(view, "record-short"))
    assert page.step == "record", "a reader who consented records at once"
    record_sentence(qtbot, view, recorder, 1)
    with qtbot.waitSignal(page.recording_kept, timeout=5000):
        tap(qtbot, control(view, "keep"))
    settle()
    kept = contributions.recording("ar", "accident", "short")
    assert kept is not None and kept.kept == 1
    # the microphone goes away in the middle of the next sentence
    tap(qtbot, control(view, "record"))
    recorder.feed(voice_like(300))
    recorder._device = None
    recorder._lost("microphone_unplugged")
    settle()
    assert page.t("microphone_unplugged") in page.record_message.text()
    assert not recorder.recording and control(view, "record").isEnabled()
    assert contributions.recording("ar", "accident", "short").kept == 1
    # a full disk when keeping: said, and the take is still there to keep again
    record_sentence(qtbot, view, recorder, 2)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kiosk.atomic.os.replace", full)
    tap(qtbot, control(view, "keep"))
    qtbot.waitUntil(lambda: page.t("contrib_disk_full") in page.record_message.text(), timeout=5000)
    assert page.take is not None and control(view, "keep").isEnabled()
    monkeypatch.undo()
    assert contributions.recording("ar", "accident", "short").kept == 1


def test_without_a_microphone_the_page_says_so(qtbot, kiosk_parts):
    recorder = Recorder()
    if recorder.microphone() is not None:
        pytest.skip("this machine has a microphone")
    failures: list[str] = []
    recorder.failed.connect(failures.append)
    assert not recorder.start()
    assert failures == ["no_microphone"]
