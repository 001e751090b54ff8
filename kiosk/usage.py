"""Usage figures: counts per day, nothing about any person.

What is counted (``KINDS``): question views and listens (per question and language), searches (per language:
a search is counted once when the visitor leaves the search screen having typed something; the typed text is
never stored), language choices and idle resets. Each row is (day, kind, key, language, count): no time finer
than a day, no order of events, no session, nothing sent anywhere. Counts are kept in memory and added to
``<data dir>/stats/usage.sqlite`` by :meth:`Usage.flush` (the kiosk flushes every minute, off the GUI
thread, and at exit).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import paths

if TYPE_CHECKING:
    from kiosk.updates.safefs import SafeDir

STICK_FOLDER = "wegwijzer-stats"
KINDS = ("question_view", "listen", "search", "language", "idle_reset")
DATABASE = "usage.sqlite"
CSV_COLUMNS = ("day", "kind", "key", "lang", "count")


@dataclass(frozen=True)
class Row:
    day: str
    kind: str
    key: str
    lang: str
    count: int


class Usage:
    def __init__(self, folder: Path | None = None, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.folder = folder or paths.stats_dir()
        self.today = today
        self._pending: collections.Counter[tuple[str, str, str, str]] = collections.Counter()
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.folder / DATABASE

    def count(self, kind: str, key: str = "", lang: str = "") -> None:
        """Add one to today's count (cheap: memory only)."""
        if kind not in KINDS:
            raise ValueError(f"unknown usage kind {kind!r}")
        with self._lock:
            self._pending[(self.today().isoformat(), kind, key, lang)] += 1

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS counts (day TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, "
            "lang TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, kind, key, lang)) WITHOUT ROWID"
        )
        return conn

    def flush(self) -> int:
        """Add the counts kept in memory to the database (thread-safe); returns how many rows changed.
        If the database cannot be written, the counts stay in memory for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, collections.Counter()
        if not pending:
            return 0
        try:
            conn = self._connect()
            try:
                with conn:
                    conn.executemany(
                        "INSERT INTO counts VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (day, kind, key, lang) DO UPDATE SET count = count + excluded.count",
                        [(*k, n) for k, n in pending.items()],
                    )
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            with self._lock:
                self._pending.update(pending)
            raise
        return len(pending)

    def rows(self, kind: str | None = None, since: dt.date | None = None) -> list[Row]:
        """Stored counts (after a flush), oldest day first."""
        if not self.path.exists():
            return []
        conn = self._connect()
        try:
            sql = "SELECT day, kind, key, lang, count FROM counts WHERE (? IS NULL OR kind = ?) AND day >= ?"
            params = (kind, kind, since.isoformat() if since else "")
            return [Row(*r) for r in conn.execute(sql + " ORDER BY day, kind, key, lang", params)]
        finally:
            conn.close()

    def totals(self, kind: str, by: str = "key", since: dt.date | None = None) -> list[tuple[str, int]]:
        """Counts of ``kind`` summed by ``key``, ``lang`` or ``day``, largest first (by day: oldest first)."""
        sums: collections.Counter[str] = collections.Counter()
        for row in self.rows(kind, since):
            sums[getattr(row, by)] += row.count
        if by == "day":
            return sorted(sums.items())
        return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))

    def csv_text(self) -> str:
        """Every stored count (after a flush) as CSV."""
        self.flush()
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in self.rows():
            writer.writerow((row.day, row.kind, row.key, row.lang, row.count))
        return buffer.getvalue()

    def _file_name(self, site: str) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", site).strip("-").lower()[:40] or "kiosk"
        return f"wegwijzer-usage-{slug}-{self.today().isoformat()}.csv"

    def export_csv(self, out: Path, site: str = "") -> Path:
        """Write every stored count as CSV into folder ``out``; returns the file (written atomically)."""
        text = self.csv_text()
        out.mkdir(parents=True, exist_ok=True)
        target = out / self._file_name(site)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        tmp.replace(target)
        return target

    def export_to_stick(self, stick: SafeDir, site: str = "") -> Path:
        """Write the CSV into a new folder ``wegwijzer-stats/<site>-<date>-<time>/`` on a stick: nothing on it is
        followed or overwritten (an existing ``wegwijzer-stats`` that is a link or a file is refused)."""
        text = self.csv_text().encode("utf-8")
        stats = stick.subdir(STICK_FOLDER) if stick.lstat(STICK_FOLDER) else stick.make_subdir(STICK_FOLDER)
        with stats:
            stamp = dt.datetime.now().strftime("%H%M%S")
            name = self._file_name(site).removesuffix(".csv").removeprefix("wegwijzer-usage-") + f"-{stamp}"
            with stats.make_subdir(name) as fresh:
                return fresh.write_new(self._file_name(site), text)
