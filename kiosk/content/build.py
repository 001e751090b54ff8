"""Build the guide database from checked sources (with sqlite-utils).

The build refuses sources with errors, writes into a temporary file next to the output and renames it into
place only when complete, and is deterministic: the same sources give the same bytes (no timestamps; rows
inserted in a fixed order, in one transaction into a new file).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kiosk import __version__
from kiosk.content.check import check
from kiosk.content.markdown import isolate_latin_asides
from kiosk.content.model import AnswerSource, GuideSources, TopicSource
from kiosk.content.problems import ContentError, Report
from kiosk.content.schema import SCHEMA_VERSION, search_table


@dataclass
class BuildResult:
    output: Path
    report: Report
    content_version: int
    languages: int
    questions: int
    answers: int


def build(root: Path, output: Path, icons_dir: Path, fonts_dir: Path) -> BuildResult:
    """Check ``root`` and write the guide database to ``output``; raise ContentError on errors."""
    guide, report = check(root, icons_dir, fonts_dir)
    if report.errors:
        raise ContentError(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    try:
        answers = _write(guide, tmp)
        _fsync(tmp)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(output.parent)
    return BuildResult(output, report, guide.version, len(guide.languages), len(guide.questions), answers)


def _write(guide: GuideSources, path: Path) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        db = sqlite_utils.Database(conn)
        with conn:
            conn.execute("BEGIN")
            _write_tables(db, guide)
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
        strings += [{"lang": lang, "key": k, "value": v} for k, v in sorted(source.ui.items())]
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
    db.table("keyboards").insert_all(
        (
            {"name": k.name, "script": k.script, "picker": k.picker, "rows": json.dumps(k.rows, ensure_ascii=False)}
            for k in sorted(guide.keyboards.values(), key=lambda k: k.name)
        ),
        pk="name",
    )
    db.table("ui_strings").insert_all(strings, pk=("lang", "key"))


def _order(topic: TopicSource) -> tuple[int, str]:
    return (topic.position, topic.id)


def _write_answers(db: sqlite_utils.Database, guide: GuideSources) -> int:
    rows = []
    rtl = {lang.code for lang in guide.languages if lang.direction == "rtl"}
    for (qid, lang), a in sorted(guide.answers.items()):
        source = guide.answers.get((qid, guide.source_language))
        stale = int(lang != guide.source_language and source is not None and a.source_hash != source.text_hash)
        html = isolate_latin_asides(a.analysed().html) if lang in rtl else a.analysed().html
        rows.append(
            {
                "question_id": qid, "lang": lang, "question": a.question, "short": a.short,
                "body_markdown": a.body, "body_html": html, "body_text": a.analysed().text,
                "sources": json.dumps([{"title": c.title, "url": c.url} for c in a.sources], ensure_ascii=False),
                "checked": a.checked, "status": a.status, "stale": stale,
                "spoken_short": a.spoken_short, "spoken_answer": a.spoken_answer,
            }
        )  # fmt: skip
    db.table("answers").insert_all(
        rows, pk=("question_id", "lang"), columns={"spoken_short": str, "spoken_answer": str}
    )
    return len(rows)


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
        db.table(table).insert_all(rows, pk="question_id")
        db.table(table).enable_fts(["question", "short", "body"], tokenize="unicode61 remove_diacritics 2")
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
