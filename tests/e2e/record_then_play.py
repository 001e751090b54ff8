"""Helper for test_record.py (and by hand), run as a script with a PulseAudio server whose default source is a
virtual microphone fed by the sink 'mic':

    record_then_play.py GUIDE WAV LANG QUESTION[,QUESTION...] EXPORT_DIR

Through the real staff page (its real Recorder on the default microphone), each sentence of each question's
"in short" text is recorded and kept: for sentence N the script prints ``RECORD N`` and waits for the driver
(the test) to play a reading into the microphone (``paplay -d mic WAV``) and create ``played-N`` beside
EXPORT_DIR; the answer screen then
plays the recording on the default output (the test records that sink) with the sentence highlight moving; then
everything is exported to EXPORT_DIR as onto a stick. Prints one JSON line with what happened and the longest
stalls of the GUI thread (a 5 ms timer's lateness) while recording and while exporting.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.app import RunOptions, build_window
from kiosk.contrib.export import export
from kiosk.guide import GuideStore
from kiosk.qt.background import run_off_thread
from kiosk.qt.speech import SpeechService
from kiosk.ui import fonts
from kiosk.ui.window import Route, ScreenName
from kiosk.updates.safefs import SafeDir


class StallMeter(QObject):
    """The longest gap between two ticks of a 5 ms timer, minus 5 ms: how long the GUI thread was busy."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.timer = QTimer(self, interval=5)
        self.timer.timeout.connect(self._tick)
        self.worst = 0
        self.last = 0

    def start(self) -> None:
        self.worst, self.last = 0, 0
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last - 5)
        self.last = now

    def stop(self) -> int:
        self.timer.stop()
        return max(0, self.worst)


def wait_for(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    return True


def main() -> int:
    guide, _wav, lang, questions, export_dir = sys.argv[1:6]  # the driver plays the WAV
    app = QApplication(sys.argv[:1])
    fonts.register(paths.fonts_dir())
    store = GuideStore(Path(guide))
    built = build_window(app, store, RunOptions(windowed=True, idle_timeout_s=3600))
    window, services = built.window, built.services
    window.resize(1080, 1920)
    window.show()
    speech = SpeechService(store, window)
    window.attach_speech(speech)
    services.speech = speech
    wait_for(lambda: bool(speech.voices), 30)
    window.staff.view.open()
    window.staff.view.show_page("page_contribute")
    page = window.staff.view.contribute
    contributions = services.contributions
    out: dict[str, object] = {"microphone": page.recorder.microphone(), "failures": [], "sentences": 0}
    page.recorder.failed.connect(lambda reason: out["failures"].append(reason))  # type: ignore[attr-defined]
    contributions.give_consent("TG", page.consent_text(), "nl")
    page.reader = "TG"
    meter = StallMeter()
    recording_stall, keep_ms = 0, []
    for question in questions.split(","):
        page.show_answers(store.language(lang))
        page.show_answer(question)
        page.begin_recording("short")
        while page.recording is not None and not page.recording.complete:
            meter.start()
            page.toggle_recording()
            if not page.recorder.recording:
                print(json.dumps(out))
                return 2
            sentence = int(out["sentences"])  # type: ignore[call-overload]
            played = Path(export_dir).with_name(f"played-{sentence}")
            print(f"RECORD {sentence}", flush=True)  # the driver plays WAV into the microphone, then says so
            wait_for(played.exists, 60)
            wait_for(lambda: False, 0.4)  # the tail of the sound reaches the source
            page.toggle_recording()
            if not wait_for(lambda: page.take is not None or bool(out["failures"]), 20) or page.take is None:
                print(json.dumps(out))
                return 3
            recording_stall = max(recording_stall, meter.stop())
            kept_before = page.recording.kept
            clock = QElapsedTimer()
            clock.start()
            page.keep()
            text = page.recording.text
            wait_for(lambda k=kept_before: page.recording.kept > k, 20)
            if page.recording.complete:  # playable from here on
                wait_for(lambda t=text, q=question: contributions.playable(lang, q, "short", t) is not None, 5)
            keep_ms.append(clock.elapsed())
            out["sentences"] = int(out["sentences"]) + 1  # type: ignore[call-overload]
    window.staff.view.back_requested.emit()
    window.staff.close()
    # heard at the kiosk, the sentence lit up
    heard: list[list[int]] = []
    speech.word_spoken.connect(lambda _key, part, start, end: heard.append([part, start, end]))
    window.choose_language(lang)
    question = questions.split(",")[0]
    window.go(Route(ScreenName.ANSWER, question))
    wait_for(lambda: False, 0.3)
    screen = window.current
    out["recorded"] = list(screen.recorded)
    print("LISTEN", flush=True)
    screen.listen.click()
    wait_for(lambda: any(part == 1 for part, _s, _e in heard) or speech.speaking is None, 60)
    speech.stop()
    out["highlights"] = [h for h in heard if h[0] == 0]
    out["short"] = screen.answer.short
    print("DONE LISTENING", flush=True)
    # exported as onto a stick, off the GUI thread
    result: dict[str, object] = {}
    meter.start()
    target = SafeDir.open(Path(export_dir))
    run_off_thread(lambda: export(contributions, target, "hand test"), lambda r: result.update(done=r))
    wait_for(lambda: "done" in result, 30)
    export_stall = meter.stop()
    target.close()
    out["export_folder"] = result["done"].folder if "done" in result else ""  # type: ignore[attr-defined]
    out["stall_recording_ms"], out["stall_export_ms"] = recording_stall, export_stall
    out["keep_to_playable_ms"] = keep_ms
    speech.shutdown()
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
