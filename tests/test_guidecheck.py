"""A signed guide is still checked like a stranger's: hostile guide databases are refused with a reason, at
install (check_deep) and at every open (check_structure, GuideStore), and the kiosk falls back."""

from __future__ import annotations

import hashlib
import logging
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk import guidecheck, guides, paths
from kiosk.content.schema import SCHEMA_VERSION
from kiosk.guide import QUERY_SECONDS, GuideCorruptError, GuideError, GuideSchemaError, GuideStore
from kiosk.guidecheck import check_deep, check_structure, html_problem
from tests.conftest import guide_copy

QID = "accident"  # an answer every language of the shipped guide has


def altered(shipped_guide: Path, tmp_path: Path, *statements: str | tuple[str, tuple[object, ...]]) -> Path:
    """A copy of the shipped guide changed by SQL statements (a string, or (sql, parameters))."""
    target = guide_copy(shipped_guide, tmp_path / "altered.sqlite")
    conn = sqlite3.connect(target)
    for statement in statements:
        sql, params = statement if isinstance(statement, tuple) else (statement, ())
        conn.execute(sql, params)
    conn.commit()
    conn.close()
    return target


def set_body_html(html: str) -> tuple[str, tuple[object, ...]]:
    return "UPDATE answers SET body_html = ? WHERE question_id = ? AND lang = 'nl'", (html, QID)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the shipped guide passes, quickly, and is not changed --------------------------------------------
def test_the_shipped_guide_passes_both_checks_quickly_and_is_not_changed(shipped_guide, tmp_path):
    copy = guide_copy(shipped_guide, tmp_path / "copy.sqlite")
    before = digest(copy)
    started = time.perf_counter()
    meta = check_deep(copy)
    deep = time.perf_counter() - started
    assert meta["source_language"] == "nl"
    assert digest(copy) == before  # FTS5's integrity-check is an INSERT: rolled back, nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]  # no journal left behind
    started = time.perf_counter()
    for _ in range(10):
        check_structure(copy)
    structure = (time.perf_counter() - started) / 10
    assert structure < 0.05, f"check_structure took {structure * 1000:.1f} ms"  # a few ms; generous for CI
    assert deep < 5, f"check_deep took {deep:.2f} s"


def test_a_read_only_file_is_checked_on_a_private_copy(shipped_guide, tmp_path):
    copy = guide_copy(shipped_guide, tmp_path / "ro.sqlite")
    copy.chmod(0o444)
    try:
        assert check_deep(copy)["schema_version"] == str(SCHEMA_VERSION)
    finally:
        copy.chmod(0o644)


def test_guidecheck_imports_no_qt():
    code = "import sys, kiosk.guidecheck; print([m for m in sys.modules if m.startswith('PySide6')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- structure: refused at install and at every open ------------------------------------------------------
NEVER_ENDING = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
    "SELECT 'nl' AS code, x AS position, 'Nederlands' AS name, 'Dutch' AS english, 'ltr' AS direction, "
    "'Latn' AS script, '[]' AS fallback, '[]' AS voice, 'latin-nl' AS keyboard, 'original' AS strings_status FROM n"
)


@pytest.mark.parametrize(
    ("statements", "reason"),
    [
        (("DROP TABLE languages", f"CREATE VIEW languages AS {NEVER_ENDING}"), "'languages' is a view"),
        (("CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END",), "'t' is a trigger"),
        (("ALTER TABLE answers DROP COLUMN status",), "the table 'answers' misses the column 'status'"),
        (("ALTER TABLE topics ADD COLUMN extra TEXT",), "'topics' has an unexpected column 'extra'"),
        (("DROP TABLE search_en_fts",), "the search index 'search_en_fts' is missing"),
        (("DROP TABLE search_en_fts", "CREATE VIRTUAL TABLE search_en_fts USING FTS5 (question, short, body, "
          "prefix='9', content='search_en')"), "has options the build does not write"),
        (("DROP TABLE search_en_fts", "CREATE VIRTUAL TABLE search_en_fts USING FTS5 (question, short, body, "
          "detail='none', content='search_en')"), "has options the build does not write"),
        (("CREATE TABLE notes (x)",), "the table 'notes' is not one a guide has"),
        (("CREATE INDEX odd ON answers (length(body_html))",), "index 'odd' is not a plain index"),
        (("UPDATE meta SET value = 'xx' WHERE key = 'source_language'",), "source_language 'xx' is not one of"),
        (("UPDATE meta SET value = 'n l; DROP' WHERE key = 'source_language'",), "not a language code"),
        (("UPDATE meta SET value = 'two' WHERE key = 'content_version'",), "content_version is 'two'"),
        (("UPDATE languages SET fallback = '[\"zz\"]' WHERE code = 'fr'",), "languages row 'fr': a fallback"),
        (("UPDATE languages SET fallback = '{\"a\": 1}' WHERE code = 'fr'",), "fallback is not a list"),
        (("UPDATE languages SET voice = '[[[' WHERE code = 'fr'",), "voice is not valid JSON"),
        (("UPDATE languages SET keyboard = 'dvorak' WHERE code = 'fr'",), "keyboard 'dvorak' does not exist"),
        (("UPDATE languages SET code = 'nl'' OR 1' WHERE code = 'uk'",), "not a language code"),
        (("UPDATE keyboards SET rows = '[\"abc\"]' WHERE name = 'latin-nl'",), "rows is not a list of rows"),
        (("UPDATE languages SET position = 'first' WHERE code = 'fr'",), "position is text, not integer"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_broken_structure_is_refused_at_install_and_at_open(shipped_guide, tmp_path, statements, reason):
    guide = altered(shipped_guide, tmp_path, *statements)
    started = time.perf_counter()
    with pytest.raises(GuideCorruptError, match=reason):
        check_deep(guide)
    with pytest.raises(GuideCorruptError, match=reason):
        GuideStore(guide)
    assert time.perf_counter() - started < 5  # the never-ending view is never queried


def test_a_newer_schema_is_a_schema_error(shipped_guide, tmp_path):
    newer = guide_copy(shipped_guide, tmp_path / "newer.sqlite", schema_version=str(SCHEMA_VERSION + 1))
    with pytest.raises(GuideSchemaError, match="needs a newer kiosk"):
        check_deep(newer)


def test_a_write_ahead_log_database_is_refused_at_install(shipped_guide, tmp_path):
    guide = guide_copy(shipped_guide, tmp_path / "wal.sqlite")
    conn = sqlite3.connect(guide)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with pytest.raises(GuideCorruptError, match="write-ahead-log"):
        check_deep(guide)


def test_a_query_that_runs_too_long_is_interrupted(shipped_guide, monkeypatch):
    monkeypatch.setattr("kiosk.guide.QUERY_SECONDS", 0.3)
    with GuideStore(shipped_guide) as store:
        started = time.perf_counter()
        with pytest.raises(GuideCorruptError, match=r"a query ran longer than 0\.3 s"):
            store._query(NEVER_ENDING + " LIMIT -1")
        assert time.perf_counter() - started < 3
        assert store.answer(QID, "nl").question  # the next query runs normally


# --- a bad guide at start: the kiosk falls back ---------------------------------------------------------
def test_a_bad_source_language_falls_back_to_the_bundled_guide(shipped_guide, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(paths, "bundled_guide", lambda: shipped_guide)
    folder = paths.guides_dir()
    folder.mkdir(parents=True)
    guide_copy(shipped_guide, folder / "guide-7-abc.sqlite", source_language="xx", content_version="7")
    (folder / guides.POINTER).write_text("guide-7-abc.sqlite")
    with pytest.raises(GuideCorruptError, match="source_language 'xx'"):
        GuideStore(folder / "guide-7-abc.sqlite")
    with caplog.at_level(logging.ERROR, logger="kiosk.guides"):
        store = guides.open_best()
    assert store.path == shipped_guide and store.content_version != 7
    assert "source_language 'xx' is not one of the languages" in caplog.text


def test_a_view_in_the_previous_guide_falls_back_to_the_bundled_one(shipped_guide, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "bundled_guide", lambda: shipped_guide)
    folder = paths.guides_dir()
    folder.mkdir(parents=True)
    bad = altered(shipped_guide, tmp_path, "DROP TABLE languages", f"CREATE VIEW languages AS {NEVER_ENDING}")
    shutil.copy(bad, folder / "guide-8-abc.sqlite")
    (folder / guides.POINTER).write_text("guide-8-abc.sqlite")
    started = time.perf_counter()
    assert guides.open_best().path == shipped_guide
    assert time.perf_counter() - started < 3


# --- install-time checks: integrity, sizes, HTML, references ------------------------------------------------
@pytest.mark.parametrize(
    ("statements", "reason"),
    [
        (("DELETE FROM search_nl WHERE rowid IN (SELECT rowid FROM search_nl LIMIT 3)",), "index of 'nl'.*damaged"),
        (("DELETE FROM search_fr_fts_data WHERE id > 137438953473 AND id < 137438953477",), "index of 'fr'.*damaged"),
        (("UPDATE search_en_fts_data SET block = zeroblob(length(block)) WHERE id = 137438953474",), "index of 'en'"),
        ((set_body_html("<p>" + "x" * 200_000 + "</p>"),), "body_html has 200007 characters, more than 40000"),
        ((set_body_html("<p>" + "x" * 2_000 + "</p>"),), "body_html has a word longer than 150 characters"),
        (
            (("UPDATE answers SET body_text = ? WHERE question_id = ? AND lang = 'nl'", ("y" * 200_000, QID)),),
            "body_text has 200000 characters",
        ),
        ((set_body_html("<ul><li>" * 10_000 + "deep" + "</li></ul>" * 10_000),), "body_html has 180004 characters"),
        ((set_body_html("<ul><li>" * 5 + "deep" + "</li></ul>" * 5),), "lists nested more than 4 deep"),
        ((set_body_html("<p>" + "<em>" * 13 + "x" + "</em>" * 13 + "</p>"),), "elements nested more than 12 deep"),
        (
            (("UPDATE answers SET body_markdown = ? WHERE question_id = ? AND lang = 'nl'", ("word " * 800_000, QID)),),
            "body_markdown has 4000000 characters, more than 20000",
        ),
        ((set_body_html('<p><img src="file:///dev/zero"></p>'),), "the tag '<img src=\"file:///dev/zero\">' is not"),
        ((set_body_html('<p><a href="javascript:alert(1)">x</a></p>'),), "the tag '<a href"),
        ((set_body_html('<p style="color: red">x</p>'),), "the tag '<p style"),
        ((set_body_html("<p>x &#x202E; y</p>"),), "character reference"),
        ((set_body_html("<p>x <!-- y --> z</p>"),), "a comment"),
        ((set_body_html("<p>x <img"),), "unescaped"),
        ((set_body_html("<p>x"),), "<p> is never closed"),
        ((set_body_html("<ul><li>x</ul></li>"),), "</ul> closes <li>"),
        (("UPDATE answers SET question = '<img src=x>' WHERE question_id = 'accident' AND lang = 'nl'",), "markup"),
        (("UPDATE ui_strings SET value = '<b>Home</b>' WHERE lang = 'nl' AND key = 'home'",), "ui_strings row"),
        (("UPDATE ui_strings SET value = '{language:>999999999}' WHERE key = 'fallback_language'",), "placeholder"),
        (("UPDATE answers SET question_id = 'nowhere' WHERE question_id = 'accident' AND lang = 'fr'",), "nowhere"),
        (("UPDATE questions SET topic_id = 'nowhere' WHERE id = 'accident'",), "topic_id 'nowhere' is not in topics"),
        (("UPDATE questions SET related = '[\"nowhere\"]' WHERE id = 'accident'",), "related is not a list of exist"),
        (("UPDATE answers SET lang = 'xx' WHERE question_id = 'accident' AND lang = 'fr'",), "lang 'xx' is not in"),
        (("DELETE FROM answers WHERE question_id = 'accident' AND lang = 'nl'",), "no answer in the source language"),
        (("UPDATE topics SET icon = '../../../../dev/zero' WHERE id = 'money'",), "is not an icon name"),
        (("UPDATE answers SET checked = 'yesterday' WHERE question_id = 'accident'",), "checked 'yesterday'"),
        (("UPDATE answers SET sources = '[{\"url\": 1}]' WHERE question_id = 'accident'",), "a source is not"),
        (("UPDATE answers SET short = x'00ff' WHERE question_id = 'accident'",), "short is blob, not text"),
        (("INSERT INTO lexicon VALUES ('nl', 999, 'pattern', '(unclosed', 'x')",), "not a valid regular expression"),
        (("INSERT INTO lexicon VALUES ('nl', 999, 'pattern', '(a)', '\\2')",), "refers to a group"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_a_hostile_guide_is_refused_at_install_with_the_reason(shipped_guide, tmp_path, statements, reason):
    guide = altered(shipped_guide, tmp_path, *statements)
    before = digest(guide)
    started = time.perf_counter()
    with pytest.raises(GuideCorruptError, match=reason):
        check_deep(guide)
    assert time.perf_counter() - started < 10
    assert digest(guide) == before


def test_install_refuses_a_hostile_guide_and_keeps_the_installed_one(tmp_path, shipped_guide, monkeypatch):
    from kiosk.updates import install
    from kiosk.updates.bundle import BundleError

    guide = altered(shipped_guide, tmp_path, set_body_html('<p><img src="file:///dev/zero"></p>'))
    manifest = type("M", (), {"schema_version": 1, "content_version": 1})()
    with pytest.raises(BundleError, match=r"answers row 'accident/nl': body_html has the tag '<img"):
        install._check_database(guide, manifest)  # type: ignore[arg-type]


# --- what the read API shows ----------------------------------------------------------------------------------
def test_bidi_overrides_are_stripped_from_what_the_read_api_returns_and_isolates_stay(shipped_guide, tmp_path):
    rlo = "\u202e"
    guide = altered(
        shipped_guide, tmp_path,
        ("UPDATE topic_titles SET title = ? WHERE lang = 'nl' AND topic_id = 'money'", (f"geld{rlo}txt.exe",)),
        ("UPDATE answers SET question = ?, short = short || ? WHERE question_id = ? AND lang = 'nl'",
         (f"Verzekerd? {rlo}fdp.exe\u202c", f" {rlo}x", QID)),
        ("UPDATE ui_strings SET value = ? WHERE lang = 'nl' AND key = 'home'", (f"\u202bStart{rlo}",)),
    )  # fmt: skip
    check_deep(guide)  # stripped on reading, not refused
    with GuideStore(guide) as store:
        titles = {t.id: t.title for t in store.topics("nl")}
        assert titles["money"] == "geldtxt.exe"
        answer = store.answer(QID, "nl")
        assert answer.question == "Verzekerd? fdp.exe" and rlo not in answer.short
        assert store.ui_strings("nl")["home"] == "Start"
        hits = store.search("ongeval", "nl")
        assert QID in [h.question_id for h in hits]
        assert all(rlo not in h.question and rlo not in h.snippet for h in hits)
        assert [s for s in store.questions("money", "nl") if rlo in s.text] == []
        arabic = [store.answer(q, "ar").body_html for q in store.question_ids()]
        assert any("\u2068" in body for body in arabic)  # the build's isolates stay


def test_html_problem_accepts_every_shipped_answer(shipped_guide):
    conn = sqlite3.connect(shipped_guide)
    bodies = [row[0] for row in conn.execute("SELECT body_html FROM answers")]
    conn.close()
    assert bodies and [html_problem(b) for b in bodies] == [None] * len(bodies)
    assert html_problem('<ol start="3">\n<li>a<br />\nb &amp; c &quot;d&quot;</li>\n</ol>') is None


# --- the kiosk loads no resource and draws no link ----------------------------------------------------------
def test_rich_text_loads_no_resource_and_shows_links_as_plain_text(qtbot, tmp_path):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QColor, QImage, QTextDocument

    from kiosk.ui.widgets import RichText

    picture = tmp_path / "secret.png"
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(QColor("red"))
    image.save(str(picture))
    asked: list[str] = []

    class Watched(RichText):
        def loadResource(self, kind, name):  # type: ignore[no-untyped-def]
            asked.append(name.toString())
            return super().loadResource(kind, name)

    view = Watched()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.set_content(
        f'<p>before <img src="{picture.as_uri()}" width="64" height="64"> <img src="file:///etc/passwd">'
        f' <a href="javascript:x">link</a> <a href="file:///etc/passwd">file</a> after</p>'
        f'<p style="background-image: url({picture.as_uri()})">styled</p>'
    )
    view.show()
    qtbot.waitExposed(view)
    view.grab()  # lay out and paint
    document = view.document()
    assert document.toPlainText().split() == ["before", "link", "file", "after", "styled"]
    fragments = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragments.append(it.fragment().charFormat())
            it += 1
        block = block.next()
    assert not any(f.isImageFormat() or f.isAnchor() or f.anchorHref() or f.fontUnderline() for f in fragments)
    assert {f.foreground().color().name() for f in fragments} <= {QColor(view.palette().text().color()).name(),
                                                                   "#000000"}  # fmt: skip
    for url in [picture.as_uri(), *asked]:  # whatever Qt asked for, it got nothing of the file
        loaded = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(url))
        assert loaded is None or loaded.width() <= 1, url  # never the file's 64x64 picture


def test_rich_text_given_a_hostile_answer_shows_its_plain_text(qtbot):
    from kiosk.ui.widgets import answer_html

    shown = answer_html('<p>Hi <img src="file:///dev/zero"><a href="javascript:x">link</a></p>', "Hi link\nnext")
    assert "<img" not in shown and "<a" not in shown and "Hi link" in shown and "next" in shown
    safe = "<p>Veilig <strong>genoeg</strong></p>"
    assert answer_html(safe, "Veilig genoeg") == safe


# --- fuzz: any mutation ends in a clean pass or a GuideError, never another exception, never a hang ----------
@pytest.fixture(scope="module")
def small_guide(tmp_path_factory, shipped_guide):
    """The shipped guide cut down to three questions of one topic (a fast deep check)."""
    target = tmp_path_factory.mktemp("small") / "small.sqlite"
    shutil.copy(shipped_guide, target)
    conn = sqlite3.connect(target)
    topic = conn.execute("SELECT id FROM topics ORDER BY position LIMIT 1").fetchone()[0]
    rows = conn.execute("SELECT id FROM questions WHERE topic_id = ? ORDER BY position LIMIT 3", (topic,))
    keep = [r[0] for r in rows]
    marks = ", ".join("?" * len(keep))
    conn.execute(f"DELETE FROM questions WHERE id NOT IN ({marks})", keep)
    conn.execute("UPDATE questions SET related = '[]'")
    conn.execute("DELETE FROM topics WHERE id != ?", (topic,))
    conn.execute("DELETE FROM topic_titles WHERE topic_id != ?", (topic,))
    for table in ("answers", "recordings", "answer_facts", "question_aliases"):
        conn.execute(f"DELETE FROM {table} WHERE question_id NOT IN ({marks})", keep)
    for (code,) in conn.execute("SELECT code FROM languages").fetchall():
        table = f"search_{code}"
        conn.execute(f"DELETE FROM {table} WHERE question_id NOT IN ({marks})", keep)
        conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    check_deep(target)
    return target


_NASTY = [
    "", "\u202e", "\u2066x\u2069", "\x00", "<img src='file:///dev/zero'>", "<ul>" * 50, "&#x202E;", "&bogus;",
    '<ol start="99999999999">', "<a href='javascript:x'>x</a>", "[[[[", "{}", "[]", '["nl"]', "null", "1e999",
    "2026-02-30", "x" * 300, "{language}", "{0.__class__}", "\\9", "(a+)+$", "رسالة", "ሰላም", "</p>", "<br/>",
]  # fmt: skip


def _nasty_text(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(_NASTY) * rng.choice((1, 1, 2, 50))
    if roll < 0.7:  # random code points (no surrogates: SQLite stores UTF-8)
        return "".join(chr(rng.choice((rng.randrange(32, 0x2FF), rng.randrange(0x2000, 0x2070),
                                        rng.randrange(0x600, 0x6FF), rng.randrange(0xE000, 0x10FFFF))))
                       for _ in range(rng.randrange(0, 40)))  # fmt: skip
    return rng.choice((None, 0, -1, 2**62, 3.5, b"\xff\xfe", bytes(rng.randrange(0, 300))))


def _mutate(path: Path, rng: random.Random) -> str:
    kind = rng.choice(("flip", "flip", "update", "update", "update", "drop", "delete"))
    if kind == "flip":
        data = bytearray(path.read_bytes())
        for _ in range(rng.randrange(1, 12)):
            data[rng.randrange(0, min(len(data), rng.choice((128, 4096, len(data)))))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        return kind
    conn, table = sqlite3.connect(path), ""
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        table = rng.choice(tables)
        if kind == "drop":
            conn.execute(f'DROP TABLE "{table}"')
        elif kind == "delete":
            conn.execute(f'DELETE FROM "{table}" WHERE rowid % 3 = 0')
        else:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            column = rng.choice(columns)
            some = f'SELECT rowid FROM "{table}" ORDER BY random() LIMIT 2'
            conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid IN ({some})', (_nasty_text(rng),))
        conn.commit()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        pass  # e.g. a shadow table FTS5 will not let go of, a WITHOUT ROWID table: mutate less this time
    finally:
        conn.close()
    return f"{kind} {table}"


def _read_everything(path: Path) -> None:
    """What the kiosk would do with a guide that passed: every read must work or raise a GuideError."""
    with GuideStore(path) as store:
        for language in store.languages():
            code = language.code
            store.ui_strings(code)
            if language.keyboard:
                store.keyboard(language.keyboard)
            store.lexicon(code)
            for topic in store.topics(code):
                for q in store.questions(topic.id, code):
                    answer = store.answer(q.id, code)
                    html_problem(answer.body_html)
                    store.related(q.id, code)
                    store.recorded(q.id, code)
            store.search("a", code)
        store.coverage()


def test_fuzz_mutated_guides_end_in_a_pass_or_a_guide_error(small_guide, tmp_path):
    rng = random.Random(20261212)
    deadline = time.monotonic() + 4
    outcomes: dict[str, int] = {"passed": 0, "refused": 0}

    def hung(signum, frame):  # type: ignore[no-untyped-def]
        raise AssertionError("a check hung")

    previous = signal.signal(signal.SIGALRM, hung)
    try:
        runs = 0
        while time.monotonic() < deadline or runs < 20:
            runs += 1
            target = tmp_path / f"fuzz-{runs % 2}.sqlite"
            shutil.copy(small_guide, target)
            done = [_mutate(target, rng) for _ in range(rng.randrange(1, 4))]
            signal.alarm(20)
            try:
                check_deep(target)
                _read_everything(target)
                outcomes["passed"] += 1
            except GuideError:
                outcomes["refused"] += 1
            except Exception as exc:  # the point: nothing else may escape
                pytest.fail(f"run {runs} ({done}): {type(exc).__name__}: {exc}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert outcomes["refused"] > 0 and outcomes["passed"] > 0, outcomes


def test_the_limits_are_documented_in_the_readme():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    updates = " ".join(text[text.index("### Updates") : text.index("### Staff mode")].split())
    g = guidecheck
    for phrase in (
        f"an answer {g.MAX_ANSWER_CHARS:,} characters", f"{g.MAX_ANSWER_HTML_CHARS:,} of HTML",
        f"a question {g.MAX_QUESTION_CHARS}", f"a short answer {g.MAX_SHORT_CHARS}",
        f"another text {g.MAX_TEXT_CHARS:,}", f"address {g.MAX_URL_CHARS}", f"a word {g.MAX_WORD_CHARS} characters",
        f"lists {g.MAX_LIST_DEPTH} deep", f"elements {g.MAX_HTML_DEPTH} deep", f"longer than {QUERY_SECONDS:g} s",
    ):  # fmt: skip
        assert phrase in updates, phrase


def test_a_long_word_is_found_where_a_search_at_every_character_finds_it():
    """long_word looks only at the start of each run: the same first run, at the same place, as the plain pattern."""
    import re

    plain = re.compile(rf"[^{guidecheck._BREAKABLE}]{{{guidecheck.MAX_WORD_CHARS + 1}}}")
    rng = random.Random(5)
    spaces = ["\u00a0", "\u2007", "\u202f"]  # no-break: part of a word
    alphabet = ["a", "ب", " ", "\n", "\u3000", "\u200b", "\x85", "\x1c", "-", "\u2028"]
    outcomes = set()
    for number in range(1200):
        chosen = alphabet + spaces if number % 2 else alphabet  # half without no-break spaces (str.split's way)
        rate = rng.choice([0.2, 0.02, 0.005])  # short words only, some long ones, mostly long ones
        text = "".join(rng.choice(chosen) if rng.random() < rate else "a"
                       for _ in range(rng.randint(0, 4 * guidecheck.MAX_WORD_CHARS)))  # fmt: skip
        found = plain.search(text)
        assert guidecheck.long_word(text) == (found[0][:20] if found else None), text
        outcomes.add((number % 2, found is None))
    assert len(outcomes) == 4  # with and without no-break spaces, long words found and not
