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


@pytest.mark.parametrize("step", ["_write_search", "_index_search", "_write_answers"])
def test_no_half_written_file_when_the_build_fails_midway(tmp_path, content_copy, monkeypatch, step):
    """A full disk while the search text is written (at once), while it is indexed (in a thread) or later."""
    from kiosk.content import build as build_module

    out = tmp_path / "guide.sqlite"
    out.write_bytes(b"previous")

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, step, explode)
    with pytest.raises(OSError, match="No space left"):
        do_build(content_copy, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name != "content"] == ["guide.sqlite"]


def test_errors_found_after_reading_stop_the_search_indexing_and_leave_nothing(tmp_path, content_copy):
    """An unknown fact name is found by the facts check, after the answers are read and the search index has
    started: the build is refused and the half-made file is gone."""
    answer = content_copy / "lang/nl/answers/damage.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nTot {{no-such-fact}}.\n", encoding="utf-8")
    out = tmp_path / "guide.sqlite"
    with pytest.raises(ContentError) as caught:
        do_build(content_copy, out)
    assert any("no-such-fact" in p.message for p in caught.value.report.errors)
    assert [p.name for p in tmp_path.iterdir() if p.name != "content"] == []


def test_a_search_text_changed_by_the_checks_is_indexed_as_changed(tmp_path, content_copy, monkeypatch):
    """The search text is written as soon as the answers are read; if the checks then change an answer's search
    form, the build writes the search tables again: the same bytes as a build that starts them late."""
    from kiosk.content import build as build_module

    original = build_module.check

    def check_then_change(*args, **kwargs):
        loaded = kwargs.pop("loaded")

        def early(guide, report):
            loaded(guide, report)  # the search text is written and its indexing started ...
            answer = guide.answers[("damage", "nl")]  # ... and then an answer's search form changes
            answer.search_form = (*answer.folded()[:2], answer.folded()[2] + " zzextra")

        return original(*args, **kwargs, loaded=early)

    monkeypatch.setattr(build_module, "check", check_then_change)
    out = tmp_path / "changed.sqlite"
    do_build(content_copy, out)
    conn = sqlite3.connect(out)
    (body,) = conn.execute("SELECT body FROM search_nl WHERE question_id = 'damage'").fetchone()
    assert body.endswith(" zzextra")
    hits = conn.execute("SELECT s.question_id FROM search_nl_fts f JOIN search_nl s ON s.rowid = f.rowid "
                        "WHERE search_nl_fts MATCH 'zzextra'").fetchall()  # fmt: skip
    assert hits == [("damage",)]
    conn.close()

    monkeypatch.setattr(build_module._SearchWriter, "start", lambda self, guide, report: None)
    late = tmp_path / "late.sqlite"
    do_build(content_copy, late)
    assert late.read_bytes() == out.read_bytes()


def test_search_index_holds_folded_text(shipped_guide):
    conn = sqlite3.connect(shipped_guide)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    langs = [r[0] for r in conn.execute("SELECT code FROM languages")]
    for lang in langs:
        assert f"search_{lang}" in tables and f"search_{lang}_fts" in tables
    (question,) = conn.execute("SELECT question FROM search_nl WHERE question_id = 'accident'").fetchone()
    assert question == question.casefold()
