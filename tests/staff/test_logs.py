"""The log file: rotating, in the data directory, readable for the staff view."""

from __future__ import annotations

import logging

from kiosk import logs


def test_log_file_is_written_and_its_tail_readable():
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logs.setup()
        assert path is not None and path.parent.name == "logs"
        logging.getLogger("wegwijzer").error("guide cannot be opened: test message")
        for handler in root.handlers:
            handler.flush()
        assert "test message" in logs.tail()
        assert len(logs.tail(max_bytes=40)) <= 40
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_an_unwritable_log_folder_falls_back_to_standard_error(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "blocked"
    blocker.write_text("x")
    monkeypatch.setattr(logs.paths, "log_dir", lambda: blocker / "logs")
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert logs.setup() is None
        assert "cannot be written" in caplog.text
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
