"""The Qt binding must not corrupt reference counts: the kiosk runs all day and would crash."""

import sys

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def test_void_qt_calls_keep_the_reference_count_of_none(qapp):
    widget = QWidget()
    layout = QVBoxLayout(widget)
    label = QLabel("x")
    layout.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("y")
        layout.invalidate()
    assert sys.getrefcount(None) >= before - 50, "the Qt binding drops references to None (PySide6 6.12.0 did)"
