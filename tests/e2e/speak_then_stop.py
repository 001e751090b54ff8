"""Helper for test_audio.py: speak through the real audio output for a while, then stop (run as a script)."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.guide import GuideStore
from kiosk.speech.service import SpeechService


def main() -> None:
    app = QApplication(sys.argv[:1])
    store = GuideStore(sys.argv[1])
    speech = SpeechService(store, app)
    if speech.output.silent:
        print("no device")
        sys.exit(3)
    text = store.answer("damage", "nl").short

    def go() -> None:
        speech.speak("k", [text], "nl")
        QTimer.singleShot(int(sys.argv[2]), stop)

    def stop() -> None:
        speech.stop()
        print("stopped", flush=True)
        QTimer.singleShot(1500, app.quit)

    speech.voices_checked.connect(lambda _v: QTimer.singleShot(0, go))
    QTimer.singleShot(15_000, app.quit)
    app.exec()
    speech.shutdown()


if __name__ == "__main__":
    main()
