"""Usage figures: counts per day only; flushing, totals and the CSV export agree."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.usage import CSV_COLUMNS, Usage


def test_counts_add_up_across_flushes_and_days():
    day = [dt.date(2026, 11, 26)]
    usage = Usage(today=lambda: day[0])
    for _ in range(3):
        usage.count("question_view", "accident", "ar")
    usage.count("language", "ar", "ar")
    assert usage.flush() == 2
    usage.count("question_view", "accident", "ar")
    day[0] = dt.date(2026, 11, 27)
    usage.count("question_view", "accident", "ar")
    usage.count("idle_reset")
    usage.flush()
    assert usage.totals("question_view") == [("accident", 5)]
    assert usage.totals("question_view", by="day") == [("2026-11-26", 4), ("2026-11-27", 1)]
    assert usage.totals("idle_reset", by="day") == [("2026-11-27", 1)]


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown usage kind"):
        Usage().count("typed_text", "hello")


def test_a_failed_flush_keeps_the_counts(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    usage = Usage(folder=blocker)
    usage.count("search", "", "nl")
    with pytest.raises(OSError):
        usage.flush()
    usage.folder = tmp_path / "stats"
    assert usage.flush() == 1
    assert usage.totals("search", by="lang") == [("nl", 1)]


def test_csv_export_matches_the_counts(tmp_path):
    usage = Usage(today=lambda: dt.date(2026, 11, 27))
    usage.count("question_view", "pocket-money", "prs")
    usage.count("question_view", "pocket-money", "prs")
    usage.count("listen", "pocket-money", "prs")
    usage.flush()
    result = CliRunner().invoke(main, ["settings", "set", "site_name", "Klein Kasteeltje"])
    assert result.exit_code == 0
    result = CliRunner().invoke(main, ["stats", "export", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*.csv")
    assert "klein-kasteeltje" in path.name
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    exported = {(r[1], r[2], r[3]): int(r[4]) for r in rows[1:]}
    assert exported == {("question_view", "pocket-money", "prs"): 2, ("listen", "pocket-money", "prs"): 1}
