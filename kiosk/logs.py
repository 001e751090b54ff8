"""The kiosk's log: standard error plus a rotating file in the data directory, readable in the staff view.

It holds start-ups, errors, updates and voice problems; never what a visitor typed or looked at (usage figures
are counts, kept apart in ``kiosk/usage.py``). If the file cannot be opened (read-only or full disk), the kiosk
logs to standard error only and says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk import paths

LOG_FILE = "wegwijzer.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE


class _Early(logging.Handler):
    """Keeps the records of the first moments until the log file is open (see :func:`open_file`)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < 1000:
            self.records.append(record)


def setup(level: int = logging.INFO, file: bool = True) -> Path | None:
    """Log to standard error and to the rotating file; returns the file, or None if it cannot be written.

    With ``file=False`` the file is opened later by :func:`open_file` (the kiosk does that after its first screen
    is painted: ``logging.handlers`` costs start-up time); nothing logged meanwhile is lost."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_wegwijzer", False) for h in root.handlers):
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter(FORMAT))
        console._wegwijzer = True  # type: ignore[attr-defined]
        root.addHandler(console)
    if not file:
        root.addHandler(_Early())
        return None
    return open_file()


def open_file() -> Path | None:
    """Add the rotating log file (and write what was logged before it was open)."""
    import logging.handlers

    root = logging.getLogger()
    early = next((h for h in root.handlers if isinstance(h, _Early)), None)
    if early is not None:
        root.removeHandler(early)
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8")  # fmt: skip
    except OSError as exc:
        logging.getLogger(__name__).error("the log file %s cannot be written: %s", path, exc)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler._wegwijzer = True  # type: ignore[attr-defined]
    for record in early.records if early is not None else []:
        handler.handle(record)
    root.addHandler(handler)
    return path


def tail(max_bytes: int = 200_000) -> str:
    """The end of the log (the current file and, if it is short, the one before), for the staff view."""
    files = [log_file(), log_file().with_name(LOG_FILE + ".1")]
    chunks: list[bytes] = []
    budget = max_bytes
    for path in files:
        try:
            with path.open("rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - budget))
                data = f.read(budget)
        except OSError:
            continue
        chunks.insert(0, data)
        budget -= len(data)
        if budget <= 0:
            break
    text = b"".join(chunks).decode("utf-8", errors="replace")
    return text[text.find("\n") + 1 :] if len(text) >= max_bytes else text
