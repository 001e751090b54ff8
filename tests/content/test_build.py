"""`wegwijzer content build`: deterministic, atomic, refuses bad sources and keeps the old database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.content.build import build
from kiosk.content.problems import ContentError
from kiosk.content.schema import SCHEMA_VERSION


def do_build(source: Path, out: Path):
    return build(source, out, paths.icons_dir(), paths.fonts_dir())


def test_same_sources_give_the_same_bytes(tmp_path, shipped_guide):
    out = tmp_path / "again.sqlite"
    do_build(paths.content_dir(), out)
    assert out.read_bytes() == shipped_guide.read_bytes()


def test_changed_source_changes_the_database(tmp_path, content_copy, shipped_guide):
    path = content_copy / "lang/nl/answers/damage.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", "\n---\nExtra zin.\n\n", 1), encoding="utf-8")
    out = tmp_path / "changed.sqlite"
    do_build(content_copy, out)
    assert out.read_bytes() != shipped_guide.read_bytes()


def test_metadata_and_schema_version(shipped_guide):
    conn = sqlite3.connect(shipped_guide)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert int(meta["content_version"]) >= 1
    assert meta["source_language"] == "nl"
    assert len(meta["content_hash"]) == 64
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_errors_refuse_the_build_and_leave_the_existing_database_untouched(tmp_path, content_copy, shipped_guide):
    out = tmp_path / "guide.sqlite"
    out.write_bytes(shipped_guide.read_bytes())
    before = out.read_bytes()
    answer = content_copy / "lang/nl/answers/damage.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        do_build(content_copy, out)
    assert any("raw HTML" in p.message for p in caught.value.report.errors)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_no_half_written_file_when_the_build_fails_midway(tmp_path, content_copy, monkeypatch):
    from kiosk.content import build as build_module

    out = tmp_path / "guide.sqlite"
    out.write_bytes(b"previous")

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "_write_search", explode)
    with pytest.raises(OSError):
        do_build(content_copy, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name != "content"] == ["guide.sqlite"]


def test_search_index_holds_folded_text(shipped_guide):
    conn = sqlite3.connect(shipped_guide)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    langs = [r[0] for r in conn.execute("SELECT code FROM languages")]
    for lang in langs:
        assert f"search_{lang}" in tables and f"search_{lang}_fts" in tables
    (question,) = conn.execute("SELECT question FROM search_nl WHERE question_id = 'accident'").fetchone()
    assert question == question.casefold()
