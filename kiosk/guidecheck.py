"""A signed guide is still checked like a stranger's: structure, sizes, answer HTML and references.

A signature tells who made a guide database, not that it is sound: one mistake by a signer (or a stolen key)
must not hang, crash or fool a kiosk. Two depths:

``check_structure`` runs at every open (:class:`kiosk.guide.GuideStore`, a few milliseconds): every table the
kiosk reads is a real table with the expected columns (no views, no triggers at all; virtual tables only the
build's FTS5 search indexes, with their shadow tables), ``meta`` names a known schema and an existing source
language, and the languages and keyboards parse.

``check_deep`` runs at install time on the copied database: the structure, SQLite's ``integrity_check``, FTS5's
``integrity-check`` of every search index, every cell's type and size (measured with SQL ``length()``, so a huge
value never reaches Python), answer HTML against the allow-list of the build's Markdown renderer, and every
reference between tables.

Both raise :class:`kiosk.guide.GuideCorruptError` (:class:`kiosk.guide.GuideSchemaError` for a guide written for
a newer kiosk) with a one-line reason naming the table and row. Every query runs under a time limit. The
database's size is capped by the bundle (``kiosk.updates.bundle.MAX_DATABASE_BYTES``), not here.

The limits below are generous for real text (the shipped guide's longest is in brackets); the content check
(``wegwijzer content check``) refuses sources that would break them, so a built guide always passes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kiosk.content.marks import check_marks
from kiosk.content.schema import SCHEMA_VERSION, search_table
from kiosk.guide_errors import GuideCorruptError, GuideSchemaError

MAX_ANSWER_CHARS = 20_000  # an answer's Markdown, plain text or spoken variant (1,600)
MAX_ANSWER_HTML_CHARS = 40_000  # an answer's HTML (1,713)
MAX_QUESTION_CHARS = 300  # a question (106)
MAX_SHORT_CHARS = 600  # the "in short" answer (253; the editors' rule is 260)
MAX_TEXT_CHARS = 1_000  # a screen text, topic title, source title or language name (117)
MAX_URL_CHARS = 500  # a source's address (121)
MAX_WORD_CHARS = 150  # characters without a place to break the line (24; 49 with a Latin aside kept whole)
MAX_LIST_DEPTH = 4  # lists inside lists in an answer (1)
MAX_HTML_DEPTH = 12  # elements inside elements in an answer's HTML (3)
MAX_LANGUAGES = 100
MAX_KEYBOARDS = 100
STRUCTURE_SECONDS = 2.0  # the whole structure check at open
DEEP_SECONDS = 120.0  # the whole install-time check (a 1 GiB database's integrity check included)

FTS_SHADOWS = ("data", "idx", "docsize", "config")
TABLES: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "languages": ("code", "position", "name", "english", "direction", "script", "fallback", "voice", "keyboard",
                  "strings_status"),
    "topics": ("id", "position", "icon"),
    "questions": ("id", "topic_id", "position", "icon", "audience", "related"),
    "topic_titles": ("topic_id", "lang", "title"),
    "lexicon": ("lang", "position", "kind", "written", "spoken"),
    "recordings": ("question_id", "lang", "part", "sample_rate", "channels", "frames"),
    "keyboards": ("name", "script", "picker", "rows"),
    "ui_strings": ("lang", "key", "value"),
    "answers": ("question_id", "lang", "question", "short", "body_markdown", "body_html", "body_text", "sources",
                "checked", "status", "stale", "spoken_short", "spoken_answer"),
    "facts": ("id", "kind", "valid_from", "valid_until", "mark", "checked", "source_title", "source_url"),
    "fact_texts": ("fact_id", "lang", "shown", "expired"),
    "answer_facts": ("question_id", "lang", "fact_id"),
    "question_aliases": ("alias", "question_id"),
    "answer_versions": ("question_id", "lang", "text_hash"),
    "recording_marks": ("question_id", "lang", "part", "text_hash", "marks"),
}  # fmt: skip
SINCE_SCHEMA = {"facts": 2, "fact_texts": 2, "answer_facts": 2, "question_aliases": 2,  # tables newer than schema 1
                "answer_versions": 3, "recording_marks": 3}  # fmt: skip
SEARCH_COLUMNS = ("question_id", "question", "short", "body")
FTS_COLUMNS = ("question", "short", "body")

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides (isolates U+2066..U+2069 are fine)
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_ICON = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FTS_SQL = re.compile(r'CREATE VIRTUAL TABLE "?(\w+)"? USING FTS5 ?\((.*)\)', re.IGNORECASE | re.DOTALL)
_PLAIN_INDEX = re.compile(r'CREATE INDEX "?\w+"? ON "?(\w+)"? ?\((?: ?"?\w+"?,?)+ ?\)', re.IGNORECASE)
# Characters a line can break at: Unicode whitespace except the no-break spaces (one character class: fast).
_BREAKABLE = " \t\n\r\f\v\x1c-\x1f\x85\u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000"
# looked for at the start of each run only (not at every character of a word)
_LONG_WORD = re.compile(rf"(?<![^{_BREAKABLE}])[^{_BREAKABLE}]{{{MAX_WORD_CHARS + 1}}}")
_NO_BREAK_SPACES = ("\u00a0", "\u2007", "\u202f")  # Unicode white space a line cannot break at
_MARKUP = re.compile(r"<[a-zA-Z/!?]")
_PLACEHOLDER = re.compile(r"\{\w+\}")


class _Refused(Exception):
    """Internal: one reason, raised deep inside a check and turned into a GuideCorruptError at the top."""


class _Newer(_Refused):
    """Internal: the guide was written for a newer kiosk (a GuideSchemaError at the top)."""


# --- texts ----------------------------------------------------------------------------------------
def long_word(text: str) -> str | None:
    """The start of the first run of more than MAX_WORD_CHARS characters a line cannot break in, if any.
    No-break spaces count as part of the run (the build joins a Latin aside in right-to-left text with them)."""
    if len(text) <= MAX_WORD_CHARS:
        return None
    if not any(space in text for space in _NO_BREAK_SPACES) and max(map(len, text.split())) <= MAX_WORD_CHARS:
        return None  # without no-break spaces, str.split() splits where a line can break (checked in the tests)
    found = _LONG_WORD.search(text)
    return found[0][:20] if found else None


def text_problem(text: str, limit: int, markup: bool = False) -> str | None:
    """What is wrong with a plain text the kiosk shows: too long, a word too long, or (unless ``markup``) what a
    label could take for HTML."""
    if len(text) > limit:
        return f"{len(text)} characters, more than {limit}"
    word = long_word(text)
    if word is not None:
        return f"a word longer than {MAX_WORD_CHARS} characters ('{word}...')"
    if not markup and _MARKUP.search(text):
        return "markup ('<' before a letter) in a text shown as plain text"
    return None


# --- answer HTML ----------------------------------------------------------------------------------
# Exactly what the build's Markdown renderer (kiosk/content/markdown.py) writes, and nothing else.
_START_TAG = re.compile(r'<(?:p|ul|li|strong|em|h[3-6]|ol(?: start="\d{1,9}")?|br(?: /)?)>')
_LISTS = {"ul", "ol"}
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}


_TAG = re.compile(r"<(/?)([^<>]*)>")
_ENTITY = re.compile(r"&([^;<>&\s]{0,20});|&")


def _html_text(html: str) -> str:
    """The text of answer HTML, checked tag by tag against what the build's renderer writes (regular expressions
    over the tags and the entities only: the standard library's HTMLParser was most of an install's check time)."""
    open_tags: list[str] = []
    lists = 0
    parts = _TAG.split(html)  # text, then (closing, tag, text after it) for every tag
    text = [_data(parts[0])]
    for index in range(1, len(parts), 3):
        closing, tag, after = parts[index], parts[index + 1], parts[index + 2]
        if closing:
            if not open_tags or open_tags[-1] != tag:
                raise _Refused(f"</{tag[:20]}> closes {'<' + open_tags[-1] + '>' if open_tags else 'nothing'}")
            open_tags.pop()
            lists -= tag in _LISTS
            if tag in _BREAKS:
                text.append("\n")
        else:
            if tag not in _PLAIN_START:  # most tags are known as they are; the others are looked at closely
                raw = f"<{tag}>"
                for opening, what in (("<!--", "a comment"), ("<!", "a declaration"),
                                      ("<?", "a processing instruction")):  # fmt: skip
                    if raw.startswith(opening):
                        raise _Refused(what)
                if not _START_TAG.fullmatch(raw):
                    raise _Refused(f"the tag {raw[:40]!r} is not one the guide's build writes")
            name = tag.split(" ")[0].rstrip("/")
            if name == "br":
                text.append("\n")
            else:
                open_tags.append(name)
                if len(open_tags) > MAX_HTML_DEPTH:
                    raise _Refused(f"elements nested more than {MAX_HTML_DEPTH} deep")
                if name in _LISTS:
                    lists += 1
                    if lists > MAX_LIST_DEPTH:
                        raise _Refused(f"lists nested more than {MAX_LIST_DEPTH} deep")
        if after:
            text.append(_data(after))
    if open_tags:
        raise _Refused(f"<{open_tags[-1]}> is never closed")
    return "".join(text)


_PLAIN_START = frozenset({"p", "ul", "ol", "li", "strong", "em", "h3", "h4", "h5", "h6", "br", "br /"})
_BREAKS = {"p", "li", "h3", "h4", "h5", "h6", "ul", "ol"}


def _data(data: str) -> str:
    """Text between tags: no stray '<' or '>', and only the entities the build writes."""
    if "<" in data or ">" in data:
        raise _Refused("an unescaped '<', '>' or '&' in the text")
    if "&" not in data:
        return data

    def entity(match: re.Match[str]) -> str:
        name = match[1]
        if name is None:
            raise _Refused("an unescaped '<', '>' or '&' in the text")
        if name not in _ENTITIES:
            raise _Refused(f"the entity &{name}; is not one the guide's build writes" if not name.startswith("#") else
                           f"the character reference &{name}; is not one the guide's build writes")  # fmt: skip
        return _ENTITIES[name]

    return _ENTITY.sub(entity, data)


def html_problem(html: str) -> str | None:
    """What makes ``html`` differ from what the build's Markdown renderer writes, or None when it is such HTML.

    Only p, ul, ol (with ``start``), li, strong, em, h3-h6 and br, written exactly as the renderer writes them,
    properly nested (lists at most MAX_LIST_DEPTH, elements at most MAX_HTML_DEPTH deep); only the entities
    &amp; &lt; &gt; &quot;; no word longer than MAX_WORD_CHARS. Cheap enough to run again before display.
    """
    if len(html) > MAX_ANSWER_HTML_CHARS:
        return f"{len(html)} characters of HTML, more than {MAX_ANSWER_HTML_CHARS}"
    try:
        text = _html_text(html)
    except _Refused as exc:
        return str(exc)
    word = long_word(text)
    if word is not None:
        return f"a word longer than {MAX_WORD_CHARS} characters ('{word}...')"
    return None


# --- time limits and connections ------------------------------------------------------------------
@contextlib.contextmanager
def time_limit(conn: sqlite3.Connection, seconds: float, what: str) -> Iterator[None]:
    """Interrupt any query on ``conn`` once ``seconds`` have passed; then raise GuideCorruptError."""
    deadline = time.monotonic() + seconds
    expired = False

    def progress() -> int:
        nonlocal expired
        expired = time.monotonic() > deadline
        return int(expired)

    conn.set_progress_handler(progress, 10_000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if expired:
            raise GuideCorruptError(f"{what}: a query ran longer than {seconds:g} s (a loop in the database?)") from exc
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None)
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def check_structure(source: sqlite3.Connection | str | Path, name: str = "") -> dict[str, str]:
    """The cheap check run at every open; returns the meta table. Raise GuideCorruptError or GuideSchemaError
    (messages start with ``name``, or the path)."""
    what = name or (str(source) if isinstance(source, (str, Path)) else "the guide database")
    with _reasons(what):
        if isinstance(source, sqlite3.Connection):
            with time_limit(source, STRUCTURE_SECONDS, what):
                return _structure(source)
        with contextlib.closing(_connect(Path(source), "ro")) as conn, time_limit(conn, STRUCTURE_SECONDS, what):
            return _structure(conn)


@contextlib.contextmanager
def _reasons(what: str) -> Iterator[None]:
    """Turn what a check found into the GuideError the kiosk reports, its message starting with ``what``."""
    try:
        yield
    except _Newer as exc:
        raise GuideSchemaError(f"{what} {exc}") from None
    except _Refused as exc:
        raise GuideCorruptError(f"{what}: {exc}") from None
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # SQLite's message may quote undecodable bytes
        raise GuideCorruptError(f"{what} is not a usable guide database: {exc}") from exc
    except OSError as exc:
        raise GuideCorruptError(f"{what} cannot be read: {exc}") from exc


def check_deep(path: str | Path, name: str = "") -> dict[str, str]:
    """The install-time check of a database file; returns the meta table. Messages start with ``name`` (or the
    path). The file is opened read-write because FTS5's integrity-check is an INSERT command (refused on a
    read-only connection); each one is rolled back and nothing else writes: the file is not changed."""
    path = Path(path)
    what = name or str(path)
    if path.is_file() and not os.access(path, os.W_OK):  # e.g. a read-only bundled guide: check a private copy
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "guide.sqlite"
            shutil.copyfile(path, copy)
            return check_deep(copy, what)
    with _reasons(what):
        _check_header(path)
        with contextlib.closing(_connect(path, "rw")) as conn, time_limit(conn, DEEP_SECONDS, what):
            meta = _structure(conn)
            _Deep(conn, meta).run()
            return meta


def _check_header(path: Path) -> None:
    with open(path, "rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        raise _Refused("not an SQLite database")
    if header[18] == 2 or header[19] == 2:  # opening it would create -wal and -shm files next to it
        raise _Refused("a write-ahead-log database; the build writes a plain one")


# --- structure --------------------------------------------------------------------------------------
def _rows(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(sql, params).fetchall()]


def _structure(conn: sqlite3.Connection) -> dict[str, str]:
    conn.execute("PRAGMA trusted_schema = OFF")
    (count,) = _rows(conn, "SELECT count(*) FROM sqlite_master")[0]
    if not isinstance(count, int) or count > 1_000:
        raise _Refused(f"{count} schema entries; the build makes fewer than {1_000}")
    entries = _rows(conn, "SELECT type, name, tbl_name, substr(sql, 1, 2000) FROM sqlite_master")
    schema = [(str(t), str(n), str(tbl), s if isinstance(s, str) else None) for t, n, tbl, s in entries]
    for kind, name, _table, _sql in schema:
        if kind not in ("table", "index"):
            raise _Refused(f"'{name[:60]}' is a {kind}; a guide has tables only (no views, no triggers)")
    tables = {name: sql for kind, name, _table, sql in schema if kind == "table"}
    _columns(conn, tables, "meta")
    meta = _meta(conn)
    for table in TABLES:
        if SINCE_SCHEMA.get(table, 1) <= int(meta["schema_version"]):
            _columns(conn, tables, table)
    codes = _languages(conn, meta["source_language"])
    _search_tables(conn, tables, codes)
    for kind, name, table, sql in schema:
        if kind == "index" and not (table in TABLES or table in {search_table(c) for c in codes}):
            raise _Refused(f"index '{name[:60]}' is on '{table[:60]}', not on a guide table")
        if kind == "index" and sql is not None and not _PLAIN_INDEX.fullmatch(" ".join(sql.split())):
            raise _Refused(f"index '{name[:60]}' is not a plain index of columns")
    return meta


def _columns(conn: sqlite3.Connection, tables: dict[str, str | None], table: str,
             expected: tuple[str, ...] | None = None) -> None:  # fmt: skip
    if table not in tables:
        raise _Refused(f"the table '{table}' is missing")
    sql = tables[table] or ""
    if sql.upper().startswith("CREATE VIRTUAL"):
        raise _Refused(f"'{table}' is a virtual table; the build makes a plain one")
    found = [str(row[1]) for row in _rows(conn, f'PRAGMA table_info("{table}")')]
    want = expected or TABLES[table]
    missing = [c for c in want if c not in found]
    extra = [c for c in found if c not in want]
    if missing or extra:
        what = f"misses the column '{missing[0]}'" if missing else f"has an unexpected column '{extra[0][:60]}'"
        raise _Refused(f"the table '{table}' {what}")


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    rows = _rows(conn, "SELECT key, substr(value, 1, 201), typeof(value) FROM meta LIMIT 101")
    if len(rows) > 100:
        raise _Refused("meta has more than 100 rows")
    meta = {str(k): str(v) for k, v, kind in rows if kind == "text"}
    schema = meta.get("schema_version", "")
    if not schema.isascii() or not schema.isdigit() or len(schema) > 9 or int(schema) < 1:
        raise _Refused(f"meta: schema_version is {schema[:20]!r}, not a schema number: not a guide database")
    if int(schema) > SCHEMA_VERSION:
        raise _Newer(f"needs a newer kiosk (guide schema {schema}; this kiosk reads up to {SCHEMA_VERSION})")
    version = meta.get("content_version", "")
    if not version.isascii() or not version.isdigit() or len(version) > 9:
        raise _Refused(f"meta: content_version is {version[:20]!r}, not a version number")
    if not _LANGUAGE_CODE.fullmatch(meta.get("source_language", "")):
        raise _Refused(f"meta: source_language is {meta.get('source_language', '')[:20]!r}, not a language code")
    if len(meta.get("edition", "")) > 200:
        raise _Refused("meta: edition is longer than 200 characters")
    return meta


_LANGUAGE_CELLS = {
    "code": ("text", 20), "position": ("integer", 0), "name": ("text", MAX_TEXT_CHARS),
    "english": ("text", MAX_TEXT_CHARS), "direction": ("text", 3), "script": ("text", 64),
    "fallback": ("text", 2_000), "voice": ("text", 2_000), "keyboard": ("text", 64),
    "strings_status": ("text null", 16),
}  # fmt: skip
_KEYBOARD_CELLS = {"name": ("text", 64), "script": ("text", 64), "picker": ("text null", 16), "rows": ("text", 10_000)}


def _languages(conn: sqlite3.Connection, source_language: str) -> set[str]:
    """Check the languages and keyboards (small tables the kiosk reads whole at open); return the codes."""
    for table, most in (("languages", MAX_LANGUAGES), ("keyboards", MAX_KEYBOARDS)):
        (count,) = _rows(conn, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {most + 1})")[0]
        if not isinstance(count, int) or count > most:
            raise _Refused(f"{table} has more than {most} rows")
    check_cells(conn, "languages", ("code",), _LANGUAGE_CELLS)
    check_cells(conn, "keyboards", ("name",), _KEYBOARD_CELLS)
    keyboards: set[str] = set()
    for name, picker, rows in _rows(conn, "SELECT name, picker, rows FROM keyboards"):
        where = f"keyboards row '{name}'"
        keys = _json(rows, where, "rows")
        if not (isinstance(keys, list) and len(keys) <= 12 and all(
                isinstance(row, list) and len(row) <= 40 and all(isinstance(k, str) and 0 < len(k) <= 8 for k in row)
                for row in keys)):  # fmt: skip
            raise _Refused(f"{where}: rows is not a list of rows of short keys")
        if picker not in (None, "vowels"):
            raise _Refused(f"{where}: picker '{picker}' is unknown")
        keyboards.add(str(name))
    languages = _rows(conn, "SELECT code, direction, fallback, voice, keyboard, name FROM languages")
    codes = {str(row[0]) for row in languages}
    if not codes:
        raise _Refused("languages is empty")
    for code, direction, fallback, voice, keyboard, name in languages:
        where = f"languages row '{code}'"
        if not _LANGUAGE_CODE.fullmatch(str(code)):
            raise _Refused(f"{where}: not a language code")
        if direction not in ("ltr", "rtl"):
            raise _Refused(f"{where}: direction '{direction}' is neither ltr nor rtl")
        for column, value in (("fallback", fallback), ("voice", voice)):
            items = _json(value, where, column)
            if not (isinstance(items, list) and len(items) <= 20 and all(isinstance(i, str) for i in items)):
                raise _Refused(f"{where}: {column} is not a list of names")
            if column == "fallback" and any(i not in codes or i == code for i in items):
                raise _Refused(f"{where}: a fallback is not another language of this guide")
        if keyboard and keyboard not in keyboards:
            raise _Refused(f"{where}: keyboard '{keyboard}' does not exist")
        problem = text_problem(str(name), MAX_TEXT_CHARS)
        if problem:
            raise _Refused(f"{where}: name has {problem}")
    if source_language not in codes:
        raise _Refused(f"meta: source_language '{source_language}' is not one of the languages")
    return codes


def _search_tables(conn: sqlite3.Connection, tables: dict[str, str | None], codes: set[str]) -> None:
    """One search table per language with its FTS5 index and shadow tables; no other table of any kind."""
    expected = set(TABLES)
    for code in sorted(codes):
        table = search_table(code)
        _columns(conn, tables, table, SEARCH_COLUMNS)
        fts = f"{table}_fts"
        match = _FTS_SQL.fullmatch(" ".join((tables.get(fts) or "").split()))
        if match is None or match[1] != fts:
            raise _Refused(f"the search index '{fts}' is missing or not an FTS5 table")
        parts = [p.strip() for p in match[2].split(",")]
        options = dict(p.split("=", 1) for p in parts if "=" in p)
        columns = tuple(p.strip('"') for p in parts if "=" not in p)
        if columns != FTS_COLUMNS or options.get("content", "").strip("\"'") != table:
            raise _Refused(f"the search index '{fts}' does not index {table}'s question, short and body")
        tokenize = options.get("tokenize", "'unicode61'")
        prefix = options.get("prefix", "'1'")
        if (not re.fullmatch(r"'[\w ]+'", tokenize) or not re.fullmatch(r"'[1-4]( [1-4]){0,3}'", prefix)
                or set(options) - {"tokenize", "content", "prefix"}):  # fmt: skip
            raise _Refused(f"the search index '{fts}' has options the build does not write")
        shadows = {f"{fts}_{s}" for s in FTS_SHADOWS}
        if missing := sorted(shadows - set(tables)):
            raise _Refused(f"the search index '{fts}' misses its table '{missing[0]}'")
        expected |= {table, fts, *shadows}
    if extra := sorted(set(tables) - expected):
        raise _Refused(f"the table '{extra[0][:60]}' is not one a guide has")


# --- cells ------------------------------------------------------------------------------------------
def check_cells(conn: sqlite3.Connection, table: str, key: tuple[str, ...], cells: dict[str, tuple[str, int]]) -> None:
    """Refuse the first row of ``table`` whose cell has another SQLite type than allowed (``"text null"``: text
    or NULL) or is longer than its limit (0: any length). Measured in SQL: no value is loaded into Python."""
    cases = []
    for column, (types, longest) in cells.items():
        allowed = ", ".join(f"'{t}'" for t in types.split())
        cases.append(f"WHEN typeof(\"{column}\") NOT IN ({allowed}) THEN '{column} is ' || typeof(\"{column}\") "
                     f"|| ', not {types.replace(' ', ' or ')}'")  # fmt: skip
        if longest:
            cases.append(f"WHEN length(\"{column}\") > {longest} THEN '{column} has ' || length(\"{column}\") "
                         f"|| ' characters, more than {longest}'")  # fmt: skip
    name = " || '/' || ".join(f"CASE WHEN typeof(\"{c}\") = 'text' AND length(\"{c}\") <= 64 THEN \"{c}\" ELSE '?' END"
                              for c in key)  # fmt: skip
    rows = f'SELECT {name} AS k, CASE {" ".join(cases)} END AS why FROM "{table}"'
    row = conn.execute(f"SELECT k, why FROM ({rows}) WHERE why IS NOT NULL LIMIT 1").fetchone()
    if row is not None:
        raise _Refused(f"{table} row '{row[0]}': {row[1]}")


def _json(value: object, where: str, column: str) -> object:
    try:
        return json.loads(str(value))
    except (ValueError, RecursionError):
        raise _Refused(f"{where}: {column} is not valid JSON") from None


# --- the install-time check ---------------------------------------------------------------------------
_ID, _LANG = ("text", 64), ("text", 20)
_CELLS: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, int]]]] = {
    "meta": (("key",), {"key": ("text", 64), "value": ("text", MAX_TEXT_CHARS)}),
    "topics": (("id",), {"id": _ID, "position": ("integer", 0), "icon": _ID}),
    "questions": (("id",), {"id": _ID, "topic_id": _ID, "position": ("integer", 0), "icon": _ID,
                            "audience": ("text", 16), "related": ("text", 10_000)}),
    "topic_titles": (("topic_id", "lang"), {"topic_id": _ID, "lang": _LANG, "title": ("text", MAX_TEXT_CHARS)}),
    "lexicon": (("lang",), {"lang": _LANG, "position": ("integer", 0), "kind": ("text", 16),
                            "written": ("text", MAX_TEXT_CHARS), "spoken": ("text", MAX_TEXT_CHARS)}),
    "recordings": (("question_id", "lang", "part"), {"question_id": _ID, "lang": _LANG, "part": ("text", 16),
                   "sample_rate": ("integer", 0), "channels": ("integer", 0), "frames": ("blob", 0)}),
    "ui_strings": (("lang", "key"), {"lang": _LANG, "key": _ID, "value": ("text", MAX_TEXT_CHARS)}),
    "facts": (("id",), {"id": _ID, "kind": ("text", 16), "valid_from": ("text null", 10),
                        "valid_until": ("text null", 10), "mark": ("text", 1), "checked": ("text", 10),
                        "source_title": ("text", MAX_TEXT_CHARS), "source_url": ("text null", MAX_URL_CHARS)}),
    "fact_texts": (("fact_id", "lang"), {"fact_id": _ID, "lang": _LANG, "shown": ("text", 200),
                                         "expired": ("text", 400)}),
    "answer_facts": (("question_id", "lang", "fact_id"), {"question_id": _ID, "lang": _LANG, "fact_id": _ID}),
    "question_aliases": (("alias",), {"alias": _ID, "question_id": _ID}),
    "answer_versions": (("question_id", "lang"), {"question_id": _ID, "lang": _LANG, "text_hash": ("text", 16)}),
    "recording_marks": (("question_id", "lang", "part"), {"question_id": _ID, "lang": _LANG, "part": ("text", 16),
                        "text_hash": ("text", 16), "marks": ("text", 60_000)}),
    "answers": (("question_id", "lang"), {
        "question_id": _ID, "lang": _LANG, "question": ("text", MAX_QUESTION_CHARS),
        "short": ("text", MAX_SHORT_CHARS), "body_markdown": ("text", MAX_ANSWER_CHARS),
        "body_html": ("text", MAX_ANSWER_HTML_CHARS), "body_text": ("text", MAX_ANSWER_CHARS),
        "sources": ("text", 50 * (MAX_TEXT_CHARS + MAX_URL_CHARS)), "checked": ("text", 10), "status": ("text", 16),
        "stale": ("integer", 0), "spoken_short": ("text null", MAX_ANSWER_CHARS),
        "spoken_answer": ("text null", MAX_ANSWER_CHARS),
    }),
}  # fmt: skip
# (child table, its column, parent table, its column): every child value must exist in the parent.
_REFERENCES = (
    ("questions", "topic_id", "topics", "id"),
    ("answers", "question_id", "questions", "id"),
    ("answers", "lang", "languages", "code"),
    ("topic_titles", "topic_id", "topics", "id"),
    ("topic_titles", "lang", "languages", "code"),
    ("ui_strings", "lang", "languages", "code"),
    ("lexicon", "lang", "languages", "code"),
    ("fact_texts", "fact_id", "facts", "id"),
    ("fact_texts", "lang", "languages", "code"),
    ("answer_facts", "fact_id", "facts", "id"),
    ("answer_facts", "question_id", "questions", "id"),
    ("question_aliases", "question_id", "questions", "id"),
)


def _expands(pattern: re.Pattern[str], template: str) -> bool:
    """Whether ``template`` is a valid replacement for matches of ``pattern`` (its escapes and group references),
    tried on an empty match of a pattern with the same groups."""
    groups = ["()"] * pattern.groups
    for name, index in pattern.groupindex.items():
        groups[index - 1] = f"(?P<{name}>)"
    found = re.match("".join(groups), "")
    try:
        return found is not None and isinstance(found.expand(template), str)
    except (re.error, IndexError):
        return False


class _Deep:
    def __init__(self, conn: sqlite3.Connection, meta: dict[str, str]) -> None:
        self.conn, self.meta = conn, meta
        self.codes = {str(row[0]) for row in _rows(conn, "SELECT code FROM languages")}

    def run(self) -> None:
        self.integrity()
        for table, (key, cells) in _CELLS.items():
            if self.has(table):
                check_cells(self.conn, table, key, cells)
        for code in sorted(self.codes):
            text = ("text null", MAX_ANSWER_HTML_CHARS)
            check_cells(self.conn, search_table(code), ("question_id",),
                        {"question_id": _ID, "question": text, "short": text, "body": text})  # fmt: skip
        self.references()
        self.questions()
        self.answers()
        self.texts()
        self.lexicon()
        self.recordings()

    def integrity(self) -> None:
        result = _rows(self.conn, "PRAGMA integrity_check(1)")
        if not result or result[0][0] != "ok":
            raise _Refused(f"SQLite's integrity check fails: {str(result[0][0] if result else '')[:200]}")
        for code in sorted(self.codes):
            fts = f"{search_table(code)}_fts"
            self.conn.execute("BEGIN")
            try:  # rank 1: also compare the index with its content table
                self.conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                raise _Refused(f"the search index of '{code}' ({fts}) is damaged: {exc}") from None
            finally:
                self.conn.execute("ROLLBACK")

    def has(self, table: str) -> bool:
        """Whether this guide's schema has ``table`` (older schemas lack the newer tables)."""
        return SINCE_SCHEMA.get(table, 1) <= int(self.meta["schema_version"])

    def references(self) -> None:
        for child, column, parent, key in _REFERENCES:
            if not self.has(child):
                continue
            row = self.conn.execute(
                f"SELECT c.{column} FROM {child} c LEFT JOIN {parent} p ON p.{key} = c.{column} "
                f"WHERE p.{key} IS NULL LIMIT 1"
            ).fetchone()
            if row is not None:
                raise _Refused(f"{child}: {column} '{row[0]}' is not in {parent}")
        row = self.conn.execute(
            "SELECT r.question_id, r.lang FROM recordings r LEFT JOIN answers a ON a.question_id = r.question_id "
            "AND a.lang = r.lang WHERE a.question_id IS NULL LIMIT 1"
        ).fetchone()
        if row is not None:
            raise _Refused(f"recordings: '{row[0]}' in '{row[1]}' has no answer")
        row = self.conn.execute(
            "SELECT q.id FROM questions q LEFT JOIN answers a ON a.question_id = q.id AND a.lang = ? "
            "WHERE a.question_id IS NULL LIMIT 1",
            (self.meta["source_language"],),
        ).fetchone()
        if row is not None:
            raise _Refused(f"answers: question '{row[0]}' has no answer in the source language")
        for code in sorted(self.codes):
            table = search_table(code)
            row = self.conn.execute(
                f"SELECT s.question_id FROM {table} s LEFT JOIN questions q ON q.id = s.question_id "
                "WHERE q.id IS NULL LIMIT 1"
            ).fetchone()
            if row is not None:
                raise _Refused(f"{table}: question '{row[0]}' does not exist")

    def questions(self) -> None:
        ids = {str(row[0]) for row in _rows(self.conn, "SELECT id FROM questions")}
        for table in ("topics", "questions"):
            for key, icon in _rows(self.conn, f"SELECT id, icon FROM {table}"):
                if not _ICON.fullmatch(str(icon)):
                    raise _Refused(f"{table} row '{key}': icon '{str(icon)[:40]}' is not an icon name")
        for qid, audience, related in _rows(self.conn, "SELECT id, audience, related FROM questions"):
            where = f"questions row '{qid}'"
            if audience not in ("resident", "organisation", "both"):
                raise _Refused(f"{where}: audience '{str(audience)[:20]}' is unknown")
            items = _json(related, where, "related")
            if not (isinstance(items, list) and all(isinstance(i, str) and i in ids for i in items)):
                raise _Refused(f"{where}: related is not a list of existing questions")

    def answers(self) -> None:
        for row in self.conn.execute(
            "SELECT question_id, lang, question, short, body_html, body_text, sources, checked, status, stale, "
            "body_markdown, spoken_short, spoken_answer FROM answers"
        ):
            qid, lang, question, short, body_html, body_text, sources, checked, status, stale = row[:10]
            where = f"answers row '{qid}/{lang}'"
            for column, value, limit in (("question", question, MAX_QUESTION_CHARS), ("short", short, MAX_SHORT_CHARS),
                                         ("body_text", body_text, MAX_ANSWER_CHARS)):  # fmt: skip
                if problem := text_problem(value, limit, markup=column == "body_text"):  # body_text: always escaped
                    raise _Refused(f"{where}: {column} has {problem}")
            if problem := html_problem(body_html):
                raise _Refused(f"{where}: body_html has {problem}")
            self.sources(where, sources)
            try:
                dt.date.fromisoformat(checked)
            except ValueError:
                raise _Refused(f"{where}: checked '{checked}' is not a date") from None
            if status not in ("original", "reviewed", "machine") or stale not in (0, 1):
                raise _Refused(f"{where}: status '{status}' or stale '{stale}' is unknown")

    @staticmethod
    def sources(where: str, value: str) -> None:
        items = _json(value, where, "sources")
        if not isinstance(items, list) or len(items) > 50:
            raise _Refused(f"{where}: sources is not a list of at most 50 sources")
        for item in items:
            if not (isinstance(item, dict) and isinstance(item.get("title"), str)
                    and isinstance(item.get("url"), (str, type(None)))):  # fmt: skip
                raise _Refused(f"{where}: a source is not a title with an address")
            if problem := text_problem(item["title"], MAX_TEXT_CHARS):
                raise _Refused(f"{where}: a source's title has {problem}")
            url = item.get("url") or ""
            if len(url) > MAX_URL_CHARS or long_word(url.replace("/", "/ ")) or _MARKUP.search(url):
                raise _Refused(f"{where}: a source's address is longer than {MAX_URL_CHARS} characters or odd")

    def texts(self) -> None:
        for table, key, column in (("topic_titles", "topic_id", "title"), ("ui_strings", "key", "value")):
            for name, lang, value in _rows(self.conn, f"SELECT {key}, lang, {column} FROM {table}"):
                where = f"{table} row '{lang}/{name}'"
                if problem := text_problem(str(value), MAX_TEXT_CHARS):
                    raise _Refused(f"{where}: {column} has {problem}")
                if "{" in _PLACEHOLDER.sub("", str(value)) or "}" in _PLACEHOLDER.sub("", str(value)):
                    raise _Refused(f"{where}: a '{{' or '}}' that is not a {{placeholder}}")

    def lexicon(self) -> None:
        for lang, position, kind, written, spoken in _rows(
            self.conn, "SELECT lang, position, kind, written, spoken FROM lexicon"
        ):
            where = f"lexicon row '{lang} #{position}'"
            if kind not in ("pattern", "word"):
                raise _Refused(f"{where}: kind '{str(kind)[:20]}' is unknown")
            if kind == "pattern":
                try:
                    pattern = re.compile(str(written))
                except (re.error, RecursionError, OverflowError):
                    raise _Refused(f"{where}: not a valid regular expression") from None
                if not _expands(pattern, str(spoken)):
                    raise _Refused(f"{where}: the replacement refers to a group the pattern does not have")

    def recordings(self) -> None:
        durations: dict[tuple[object, object, object], int] = {}
        for qid, lang, part, rate, channels, size in _rows(
            self.conn, "SELECT question_id, lang, part, sample_rate, channels, length(frames) FROM recordings"
        ):
            where = f"recordings row '{qid}/{lang}/{part}'"
            if part not in ("short", "answer") or channels not in (1, 2) or not 8_000 <= int(str(rate)) <= 192_000:
                raise _Refused(f"{where}: part, channels or sample rate is not one a recording has")
            if not isinstance(size, int) or size % (2 * channels):
                raise _Refused(f"{where}: the audio is not whole 16-bit frames")
            durations[(qid, lang, part)] = size * 1000 // (2 * int(str(channels)) * int(str(rate)))
        if not self.has("recording_marks"):
            return
        for qid, lang, part, marks in _rows(self.conn, "SELECT question_id, lang, part, marks FROM recording_marks"):
            where = f"recording_marks row '{qid}/{lang}/{part}'"
            if (qid, lang, part) not in durations:
                raise _Refused(f"{where}: there is no such recording")
            try:
                value = json.loads(str(marks))
            except ValueError:
                raise _Refused(f"{where}: the marks are not JSON") from None
            problem = check_marks(value, MAX_ANSWER_CHARS, durations[(qid, lang, part)])
            if problem:
                raise _Refused(f"{where}: {problem}")
