"""Run by test_presenter_on_a_second_screen in its own process: Qt's offscreen platform with two screens
(a 1080x1920 touchscreen and a 1920x1080 projector), the kiosk on the first, presenter mode sent to the second.

Prints one JSON line with what it saw; saves both windows as PNG into the folder given as argument 1."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.app import RunOptions, build_window
from kiosk.guide import GuideStore
from kiosk.ui import fonts


def main() -> None:
    out = Path(sys.argv[1])
    paths.set_data_dir(tempfile.mkdtemp())
    app = QApplication(sys.argv[:1])
    fonts.register(paths.fonts_dir())
    touch, projector = sorted(QGuiApplication.screens(), key=lambda s: s.geometry().x())
    built = build_window(app, GuideStore(Path(sys.argv[2])), RunOptions(windowed=True))
    window, idle = built.window, built.idle
    idle.enabled = False
    window.setGeometry(touch.geometry())
    window.show()
    app.processEvents()
    staff = window.staff
    staff.start_presenter("nl", "ar")
    staff.to_second_screen()
    for _ in range(5):
        app.processEvents()
    second = staff.presenter_window
    seen = {"screens": len(QGuiApplication.screens()), "second": second is not None}
    if second is not None:
        seen["geometry"] = [second.geometry().x(), second.geometry().y(), second.width(), second.height()]
        seen["projector"] = [projector.geometry().x(), projector.geometry().y(), projector.geometry().width(),
                             projector.geometry().height()]  # fmt: skip
        QTest.keyClick(second.windowHandle(), Qt.Key.Key_PageDown)  # the clicker talks to the projector window
        app.processEvents()
        seen["index"] = staff.state.index
        seen["same_question"] = (second.view.right.answer.question_id == staff.presenter.right.answer.question_id
                                 == staff.state.question_ids[1])  # fmt: skip
        seen["directions"] = [second.view.left.layoutDirection() == Qt.LayoutDirection.LeftToRight,
                              second.view.right.layoutDirection() == Qt.LayoutDirection.RightToLeft]  # fmt: skip
        second.grab().save(str(out / "projector.png"))
        window.grab().save(str(out / "touchscreen.png"))
        staff.leave_presenter()
        seen["closed"] = staff.presenter_window is None
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
