"""Build the guide database from checked sources (with sqlite-utils).

The build refuses sources with errors, writes into a temporary file next to the output and renames it into
place only when complete, and is deterministic: the same sources give the same bytes (no timestamps; rows
inserted in a fixed order, in one transaction into a new file).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk import __version__
from kiosk.content.check import check, cyclic_gc_paused
from kiosk.content.facts import expired_facts, renderers
from kiosk.content.markdown import isolate_latin_asides
from kiosk.content.marks import text_fingerprint
from kiosk.content.model import GuideSources, TopicSource
from kiosk.content.problems import ContentError, Report
from kiosk.content.schema import SCHEMA_VERSION, SEARCH_PREFIXES, search_table


@dataclass
class BuildResult:
    output: Path
    report: Report
    content_version: int
    languages: int
    questions: int
    answers: int


def build(root: Path, output: Path, icons_dir: Path, fonts_dir: Path, today: dt.date | None = None,
          allow_expired: bool = False) -> BuildResult:  # fmt: skip
    """Check ``root`` and write the guide database to ``output``; raise ContentError on errors.

    ``today`` judges the facts' validity (default: today). With ``allow_expired`` a guide whose facts have expired
    is built anyway (the expired-fact errors become warnings) and the database records which facts they are."""
    with cyclic_gc_paused():
        return _build(root, output, icons_dir, fonts_dir, today, allow_expired)


def _build(root: Path, output: Path, icons_dir: Path, fonts_dir: Path, today: dt.date | None,
           allow_expired: bool) -> BuildResult:  # fmt: skip
    tmp = output.with_name(f".{output.name}.{os.getpid()}.building")
    search = _SearchWriter(tmp)
    try:
        guide, report = check(root, icons_dir, fonts_dir, today, loaded=search.start)
        expired: list[str] = []
        if allow_expired:
            expired = expired_facts(guide, today or dt.date.today())
            report = _downgrade_expired(report)
        if report.errors:
            raise ContentError(report)
        rows = _answer_rows(guide)  # while the search index is written
        answers = _write(guide, search.finish(guide), expired, rows)
        _fsync(tmp)
        os.replace(tmp, output)
    finally:
        search.abandon()
        tmp.unlink(missing_ok=True)
    _fsync_dir(output.parent)
    return BuildResult(output, report, guide.version, len(guide.languages), len(guide.questions), answers)


def _downgrade_expired(report: Report) -> Report:
    out = Report()
    for problem in report.problems:
        if problem.severity.value == "error" and "expired on" in problem.message and problem.message.startswith("fact"):
            out.warning(problem.path, problem.line, problem.message + " (built with --allow-expired)")
        else:
            out.problems.append(problem)
    return out


SearchRows = list[tuple[str, list[tuple[str, str, str, str]]]]  # per language: its table, (id, question, short, body)


class _SearchWriter:
    """Writes the search tables into the new database while the main thread checks the guide: the search text
    at once, when the sources are read, and the full-text indexes in a thread. Indexing runs inside SQLite, which
    lets go of the GIL for each of its few long statements, so on two cores it costs the build next to nothing.
    The search tables come first in the file and in its transaction, whichever thread wrote them, so the same
    sources still give the same bytes. If the checks change an answer's search text after it was read, or the
    writing could not start, ``finish`` writes them again, in the same order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None
        self.rows: SearchRows | None = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.stopped = False

    def start(self, guide: GuideSources, report: Report) -> None:
        """Called by the check once the sources are read; with errors there is nothing to build."""
        if report.errors:
            return
        try:
            self.conn = self._connect()
            self.rows = _search_rows(guide)
            _write_search(sqlite_utils.Database(self.conn), self.rows)
        except (OSError, sqlite3.Error):
            self.abandon()
            return  # said by ``finish``, when (and if) the build gets there
        thread = threading.Thread(target=self._run, args=(self.conn, self.rows), name="search-index", daemon=True)
        self.thread = thread
        thread.start()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # A new file, renamed into place only once complete and synced (``build``): no journal on disk, and no
        # sync of its own at commit.
        conn.execute("PRAGMA page_size = 16384")
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        return conn

    def _run(self, conn: sqlite3.Connection, rows: SearchRows) -> None:
        try:
            _index_search(conn, rows, lambda: self.stopped)
        except BaseException as exc:  # handed to the main thread by ``finish``
            self.error = exc

    def finish(self, guide: GuideSources) -> sqlite3.Connection:
        """The connection, in its transaction, with the search tables written; raises what the thread met."""
        rows = _search_rows(guide)
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        if self.conn is None or rows != self.rows:
            self.abandon()
            self.conn = self._connect()
            _write_search(sqlite_utils.Database(self.conn), rows)
            _index_search(self.conn, rows, lambda: False)
        conn, self.conn = self.conn, None  # the caller's now
        return conn

    def abandon(self) -> None:
        """Stop the indexing (if the build was refused or failed) and drop what was written."""
        self.stopped = True
        if self.conn is not None:
            self.conn.interrupt()
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.error, self.stopped = None, False


def _write(guide: GuideSources, conn: sqlite3.Connection, expired: list[str], answer_rows: list[dict[str, Any]]) -> int:
    """Everything but the search tables (already written, in ``conn``'s open transaction), then commit."""
    try:
        db = sqlite_utils.Database(conn)
        _write_tables(db, guide)
        if expired:
            db.table("meta").insert({"key": "expired_facts", "value": ",".join(expired)})
        _write_facts(db, guide)
        answers = _write_answers(db, answer_rows)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return answers


def _write_tables(db: sqlite_utils.Database, guide: GuideSources) -> None:
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "content_version": str(guide.version),
        "edition": guide.edition,
        "source_language": guide.source_language,
        "content_hash": guide.content_hash(),
        "builder": f"wegwijzer {__version__}",
    }
    db.table("meta").insert_all(({"key": k, "value": v} for k, v in meta.items()), pk="key")
    db.table("languages").insert_all(
        (
            {
                "code": lang.code, "position": lang.position, "name": lang.name, "english": lang.english,
                "direction": lang.direction, "script": lang.script, "fallback": json.dumps(lang.fallback),
                "voice": json.dumps(lang.voice), "keyboard": lang.keyboard,
                "strings_status": guide.strings[lang.code].status if lang.code in guide.strings else "missing",
            }
            for lang in guide.languages
        ),
        pk="code",
    )  # fmt: skip
    db.table("topics").insert_all(
        ({"id": t.id, "position": t.position, "icon": t.icon} for t in sorted(guide.topics, key=_order)),
        pk="id",
    )
    db.table("questions").insert_all(
        (
            {"id": q.id, "topic_id": q.topic, "position": q.position, "icon": q.icon, "audience": q.audience,
             "related": json.dumps(q.related)}
            for q in sorted(guide.questions, key=lambda q: (q.topic, q.position, q.id))
        ),
        pk="id",
    )  # fmt: skip
    db.table("questions").create_index(["topic_id", "position"])
    titles, strings = [], []
    for lang in sorted(guide.strings):
        source = guide.strings[lang]
        titles += [{"topic_id": k, "lang": lang, "title": v} for k, v in sorted(source.topics.items())]
        # unit_* patterns are for the build's rendering of facts only, not screen texts
        strings += [{"lang": lang, "key": k, "value": v} for k, v in sorted(source.ui.items())
                    if not k.startswith("unit_")]  # fmt: skip
    db.table("topic_titles").insert_all(titles, pk=("topic_id", "lang"))
    lexicon_rows = []
    for lang in sorted(guide.lexicons):
        lexicon = guide.lexicons[lang]
        entries = [("pattern", m, say) for m, say, _ in lexicon.patterns] + [
            ("word", w, say) for w, say, _ in lexicon.words
        ]
        for position, (kind, written, spoken) in enumerate(entries):
            lexicon_rows.append(
                {"lang": lang, "position": position, "kind": kind, "written": written, "spoken": spoken}
            )
    lexicon_rows = _fact_words(guide) + [  # the figures' words first: an editor's pattern never splits them
        {**row, "position": int(str(row["position"])) + 10_000} for row in lexicon_rows
    ]
    db.table("lexicon").create(
        {"lang": str, "position": int, "kind": str, "written": str, "spoken": str}, pk=("lang", "position")
    )
    db.table("lexicon").insert_all(lexicon_rows)
    db.table("recordings").create(
        {"question_id": str, "lang": str, "part": str, "sample_rate": int, "channels": int, "frames": bytes},
        pk=("question_id", "lang", "part"),
    )
    db.table("recordings").insert_all(
        {"question_id": r.question_id, "lang": r.lang, "part": r.part, "sample_rate": r.sample_rate,
         "channels": r.channels, "frames": r.frames}
        for _, r in sorted(guide.recordings.items())
    )  # fmt: skip
    db.table("recording_marks").create(
        {"question_id": str, "lang": str, "part": str, "text_hash": str, "marks": str},
        pk=("question_id", "lang", "part"),
    )
    db.table("recording_marks").insert_all(
        {"question_id": r.question_id, "lang": r.lang, "part": r.part, "text_hash": text_fingerprint(r.meta.text),
         "marks": r.meta.marks_json()}
        for _, r in sorted(guide.recordings.items()) if r.meta is not None
    )  # fmt: skip
    db.table("answer_versions").create({"question_id": str, "lang": str, "text_hash": str},
                                       pk=("question_id", "lang"))  # fmt: skip
    db.conn.executemany('INSERT INTO "answer_versions" ("question_id", "lang", "text_hash") VALUES (?, ?, ?)',
                        ((qid, lang, a.text_hash) for (qid, lang), a in sorted(guide.answers.items())))
    db.table("keyboards").insert_all(
        (
            {"name": k.name, "script": k.script, "picker": k.picker, "rows": json.dumps(k.rows, ensure_ascii=False)}
            for k in sorted(guide.keyboards.values(), key=lambda k: k.name)
        ),
        pk="name",
    )
    db.table("ui_strings").insert_all(strings, pk=("lang", "key"))


def _fact_words(guide: GuideSources) -> list[dict[str, object]]:
    """Lexicon entries that read each rendered figure (and its expired form) as words, per voiced language."""
    rows: list[dict[str, object]] = []
    for lang, renderer in sorted(renderers(guide, Report()).items()):
        position = 0
        for fid in sorted(guide.facts):
            fact = guide.facts[fid]
            words = renderer.spoken(fact)
            if words is None:
                continue
            rows.append({"lang": lang, "position": position, "kind": "word", "written": renderer.shown(fact),
                         "spoken": words})  # fmt: skip
            position += 1
    return rows


def _write_facts(db: sqlite_utils.Database, guide: GuideSources) -> None:
    """The facts (for the kiosk's own judgement of validity), their renderings per language, which answers use
    them, and former question ids."""
    db.table("facts").create({"id": str, "kind": str, "valid_from": str, "valid_until": str, "mark": str,
                              "checked": str, "source_title": str, "source_url": str}, pk="id")  # fmt: skip
    db.table("facts").insert_all(
        {"id": f.id, "kind": f.kind, "valid_from": f.valid_from.isoformat() if f.valid_from else None,
         "valid_until": f.valid_until.isoformat() if f.valid_until else None, "mark": f.mark,
         "checked": f.checked.isoformat(), "source_title": f.source.title, "source_url": f.source.url}
        for f in sorted(guide.facts.values(), key=lambda f: f.id)
    )  # fmt: skip
    texts = []
    for lang, renderer in sorted(renderers(guide, Report()).items()):
        for fid in sorted(guide.facts):
            fact = guide.facts[fid]
            texts.append({"fact_id": fid, "lang": lang, "shown": renderer.shown(fact),
                          "expired": renderer.expired(fact)})  # fmt: skip
    db.table("fact_texts").create({"fact_id": str, "lang": str, "shown": str, "expired": str}, pk=("fact_id", "lang"))
    db.table("fact_texts").insert_all(texts)
    db.table("answer_facts").create({"question_id": str, "lang": str, "fact_id": str},
                                    pk=("question_id", "lang", "fact_id"))  # fmt: skip
    db.conn.executemany('INSERT INTO "answer_facts" ("question_id", "lang", "fact_id") VALUES (?, ?, ?)',
                        ((qid, lang, fid) for (qid, lang), a in sorted(guide.answers.items())
                         for fid in sorted(set(a.facts))))  # fmt: skip
    db.table("question_aliases").create({"alias": str, "question_id": str}, pk="alias")
    db.table("question_aliases").insert_all(
        {"alias": alias, "question_id": q.id}
        for q in sorted(guide.questions, key=lambda q: q.id)
        for alias in q.aliases
    )  # fmt: skip


def _order(topic: TopicSource) -> tuple[int, str]:
    return (topic.position, topic.id)


def _answer_rows(guide: GuideSources) -> list[dict[str, Any]]:
    rows = []
    rtl = {lang.code for lang in guide.languages if lang.direction == "rtl"}
    for (qid, lang), a in sorted(guide.answers.items()):
        source = guide.answers.get((qid, guide.source_language))
        stale = int(lang != guide.source_language and source is not None and a.source_hash != source.text_hash)
        html, text = a.analysed().html, a.analysed().text
        if lang in rtl:  # the plain text is the text of the HTML, character for character (speech lights words up)
            html, text = isolate_latin_asides(html), isolate_latin_asides(text)
        rows.append(
            {
                "question_id": qid, "lang": lang, "question": a.question, "short": a.short,
                "body_markdown": a.body, "body_html": html, "body_text": text,
                "sources": json.dumps([{"title": c.title, "url": c.url} for c in a.sources], ensure_ascii=False),
                "checked": a.checked, "status": a.status, "stale": stale,
                "spoken_short": a.spoken_short, "spoken_answer": a.spoken_answer,
            }
        )  # fmt: skip
    return rows


def _write_answers(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    columns: dict[str, type] = {
        "question_id": str, "lang": str, "question": str, "short": str, "body_markdown": str, "body_html": str,
        "body_text": str, "sources": str, "checked": str, "status": str, "stale": int, "spoken_short": str,
        "spoken_answer": str}  # fmt: skip
    _insert_many(db, "answers", ([row[name] for name in columns] for row in rows), pk=("question_id", "lang"),
                 columns=columns)  # fmt: skip
    return len(rows)


def _insert_many(db: sqlite_utils.Database, table: str, rows: Iterable[Sequence[Any]], pk: str | tuple[str, ...],
                 columns: dict[str, type]) -> None:  # fmt: skip
    """The big tables: created by sqlite-utils with their columns named, filled with one ``executemany`` of rows in
    the columns' order (what ``insert_all`` does row by row in Python was a third of the build's writing time)."""
    db.table(table).create(columns, pk=pk)
    quoted = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)


def _search_rows(guide: GuideSources) -> SearchRows:
    """Per language, the search form of the answer a reader of that language is shown, for every question."""
    out: SearchRows = []
    questions = sorted(q.id for q in guide.questions)
    answers = guide.answers
    for lang in guide.languages:
        chain = [lang.code, *lang.fallback, guide.source_language]  # its own answer, or its fallbacks'
        rows = []
        for qid in questions:
            a = next((answers[(qid, code)] for code in chain if (qid, code) in answers), None)
            if a is not None:
                rows.append((qid, *a.folded()))
        out.append((search_table(lang.code), rows))
    return out


def _write_search(db: sqlite_utils.Database, search_rows: SearchRows) -> None:
    """The search text per language (the content of its full-text index): one row per question."""
    columns: dict[str, type] = {"question_id": str, "question": str, "short": str, "body": str}
    for table, rows in search_rows:
        _insert_many(db, table, rows, pk="question_id", columns=columns)


def _index_search(conn: sqlite3.Connection, search_rows: SearchRows, stopped: Callable[[], bool]) -> None:
    """One full-text index per language over its search text: three long statements each, all in SQLite."""
    for table, _ in search_rows:
        if stopped():
            return
        # FTS5 with prefix indexes for one- and two-letter starts: what is typed first, and what matches most
        conn.execute(f'CREATE VIRTUAL TABLE "{table}_fts" USING FTS5 ("question", "short", "body", '
                     f"tokenize='unicode61 remove_diacritics 2', prefix='{SEARCH_PREFIXES}', content=\"{table}\")")
        conn.execute(f"INSERT INTO \"{table}_fts\"(\"{table}_fts\") VALUES('rebuild')")
        conn.execute(f"INSERT INTO \"{table}_fts\"(\"{table}_fts\") VALUES('optimize')")  # one segment each


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    _fsync(path)
