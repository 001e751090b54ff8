"""Helper for test_audio.py, run as a script: speak through the real audio output, then stop after a while
(``GUIDE MS``), or speak a text of several sentences to its end (``GUIDE end``), or an English text to its
end with the neural voice (``GUIDE neural``, the voice folders in ``WEGWIJZER_VOICE_DIRS``)."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.guide import GuideStore
from kiosk.qt.speech import SpeechService

SENTENCES = "Dit is de eerste zin. Dan komt de tweede zin. En dit is de laatste."
ENGLISH = "You may volunteer while your application runs. Tell your social worker before you start."


def main() -> None:
    app = QApplication(sys.argv[:1])
    store = GuideStore(sys.argv[1])
    speech = SpeechService(store, app)
    if speech.output.silent:
        print("no device")
        sys.exit(3)
    text = store.answer("damage", "nl").short
    neural = sys.argv[2] == "neural"
    to_the_end = sys.argv[2] in ("end", "neural")
    outcome = {"finished": False}

    def go() -> None:
        if neural:
            print("voice", speech.voice_for("en"), flush=True)
            speech.speak("k", [ENGLISH], "en")
        elif to_the_end:
            speech.speak("k", [SENTENCES], "nl")
        else:
            speech.speak("k", [text], "nl")
            QTimer.singleShot(int(sys.argv[2]), stop)

    def stop() -> None:
        speech.stop()
        print("stopped", flush=True)
        QTimer.singleShot(1500, app.quit)

    def finished(_key: str) -> None:
        outcome["finished"] = True
        print("finished", flush=True)
        app.quit()

    speech.word_spoken.connect(lambda _key, _part, start, end: print("word", SENTENCES[start:end], flush=True))
    speech.finished.connect(finished)
    speech.voices_checked.connect(lambda _v: QTimer.singleShot(0, go))
    QTimer.singleShot(20_000, app.quit)
    app.exec()
    speech.shutdown()
    if to_the_end and not outcome["finished"]:
        sys.exit(4)


if __name__ == "__main__":
    main()
