"""Baseline for start-up: a bare PySide6 window with 12 buttons, announcing its first paint like the kiosk."""

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QPushButton, QWidget


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # type: ignore[no-untyped-def]
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, write)
        return False


def write() -> None:
    with open(os.environ["WEGWIJZER_READY_FILE"], "w") as f:
        f.write(f"{os.getpid()}\n")
    if os.environ.get("BENCH_EXIT"):
        QApplication.quit()


app = QApplication(sys.argv)
window = QWidget()
grid = QGridLayout(window)
for i in range(12):
    grid.addWidget(QPushButton(f"Button {i + 1}"), i // 3, i % 3)
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1920, 1080)
window.show()
app.exec()
