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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk import __version__
from kiosk.content.check import check
from kiosk.content.facts import expired_facts, renderers
from kiosk.content.markdown import isolate_latin_asides
from kiosk.content.marks import text_fingerprint
from kiosk.content.model import AnswerSource, GuideSources, TopicSource
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
    guide, report = check(root, icons_dir, fonts_dir, today)
    expired: list[str] = []
    if allow_expired:
        expired = expired_facts(guide, today or dt.date.today())
        report = _downgrade_expired(report)
    if report.errors:
        raise ContentError(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    try:
        answers = _write(guide, tmp, expired)
        _fsync(tmp)
        os.replace(tmp, output)
    finally:
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


def _write(guide: GuideSources, path: Path, expired: list[str]) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        db = sqlite_utils.Database(conn)
        with conn:
            conn.execute("BEGIN")
            _write_tables(db, guide)
            if expired:
                db.table("meta").insert({"key": "expired_facts", "value": ",".join(expired)})
            _write_facts(db, guide)
            answers = _write_answers(db, guide)
            _write_search(db, guide)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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
    db.table("answer_versions").insert_all(
        {"question_id": qid, "lang": lang, "text_hash": a.text_hash} for (qid, lang), a in sorted(guide.answers.items())
    )
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
    db.table("answer_facts").insert_all(
        {"question_id": qid, "lang": lang, "fact_id": fid}
        for (qid, lang), a in sorted(guide.answers.items()) for fid in sorted(set(a.facts))
    )  # fmt: skip
    db.table("question_aliases").create({"alias": str, "question_id": str}, pk="alias")
    db.table("question_aliases").insert_all(
        {"alias": alias, "question_id": q.id}
        for q in sorted(guide.questions, key=lambda q: q.id)
        for alias in q.aliases
    )  # fmt: skip


def _order(topic: TopicSource) -> tuple[int, str]:
    return (topic.position, topic.id)


def _write_answers(db: sqlite_utils.Database, guide: GuideSources) -> int:
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
    _insert_many(db, "answers", rows, pk=("question_id", "lang"), columns={
        "question_id": str, "lang": str, "question": str, "short": str, "body_markdown": str, "body_html": str,
        "body_text": str, "sources": str, "checked": str, "status": str, "stale": int, "spoken_short": str,
        "spoken_answer": str})  # fmt: skip
    return len(rows)


def _insert_many(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], pk: str | tuple[str, ...],
                 columns: dict[str, type]) -> None:  # fmt: skip
    """The big tables: created by sqlite-utils with their columns named, filled with one ``executemany`` (what
    ``insert_all`` does row by row in Python was a third of the build's writing time)."""
    db.table(table).create(columns, pk=pk)
    names = list(columns)
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    db.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                        ([row[name] for name in names] for row in rows))  # fmt: skip


def _resolved(guide: GuideSources, qid: str, lang: str) -> AnswerSource | None:
    language = guide.language(lang)
    chain = [lang, *(language.fallback if language else []), guide.source_language]
    return next((guide.answers[(qid, c)] for c in chain if (qid, c) in guide.answers), None)


def _write_search(db: sqlite_utils.Database, guide: GuideSources) -> None:
    """One full-text index per language, over the answer a reader of that language is shown."""
    for lang in guide.languages:
        table = search_table(lang.code)
        rows = []
        for q in sorted(guide.questions, key=lambda q: q.id):
            a = _resolved(guide, q.id, lang.code)
            if a is not None:
                question, short, body = a.folded()
                rows.append({"question_id": q.id, "question": question, "short": short, "body": body})
        _insert_many(db, table, rows, pk="question_id",
                     columns={"question_id": str, "question": str, "short": str, "body": str})
        # FTS5 with prefix indexes for one- and two-letter starts: what is typed first, and what matches most
        db.execute(f'CREATE VIRTUAL TABLE "{table}_fts" USING FTS5 ("question", "short", "body", '
                   f"tokenize='unicode61 remove_diacritics 2', prefix='{SEARCH_PREFIXES}', content=\"{table}\")")
        db.execute(f"INSERT INTO \"{table}_fts\"(\"{table}_fts\") VALUES('rebuild')")
        db.table(f"{table}_fts").optimize()


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
