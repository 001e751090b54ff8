"""Read API of the guide database (no Qt): typed objects, language fallback, search.

A :class:`GuideStore` opens one database file read-only. A wrong path, a corrupt file or a database written
for a newer schema raises a :class:`GuideError` subclass with a clear message.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast, overload

from kiosk.content.fold import fold, fold_with_offsets, token_spans
from kiosk.content.schema import SEARCH_WEIGHTS, search_table

# re-exported: callers catch them from here
from kiosk.guide_errors import GuideCorruptError as GuideCorruptError
from kiosk.guide_errors import GuideError as GuideError
from kiosk.guide_errors import GuideNotFoundError as GuideNotFoundError
from kiosk.guide_errors import GuideSchemaError as GuideSchemaError
from kiosk.wordforms import Vocabulary

RESIDENT, ORGANISATION, BOTH = "resident", "organisation", "both"
MAX_QUERY_TOKENS = 8
MAX_TOKEN_CHARS = 40
PARTIAL_BELOW = 5  # fewer answers than this with every typed word: also those with some of them
VOCABULARIES = 3  # languages whose search vocabulary is kept (see GuideStore.vocabulary)
SEARCH_CACHE = 256
WIDEN_BELOW = 10  # fewer answers than this with the words as typed: also other forms and typos of them
SNIPPET_CHARS = 140
QUERY_SECONDS = 2.0  # no query runs longer (a guide that needs more is broken or hostile)
# Bidi embeddings and overrides (U+202A..U+202E) reorder what is shown ("txt.exe" as "exe.txt"): the read API
# drops them from every text; the isolates the build adds (U+2066..U+2069) stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e]")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    english: str
    direction: str
    script: str
    fallback: tuple[str, ...]
    voices: tuple[str, ...]
    keyboard: str
    position: int

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


@dataclass(frozen=True)
class Topic:
    id: str
    icon: str
    title: str
    lang: str  # the language the title is in (may be a fallback)
    question_count: int


@dataclass(frozen=True)
class QuestionSummary:
    id: str
    topic_id: str
    icon: str
    audience: str
    text: str
    lang: str
    requested_lang: str

    @property
    def fell_back(self) -> bool:
        return self.lang != self.requested_lang


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None


@dataclass(frozen=True)
class Answer:
    question_id: str
    topic_id: str
    icon: str
    audience: str
    lang: str  # the language of the text shown
    requested_lang: str
    question: str
    short: str
    body_html: str
    body_text: str
    body_markdown: str
    sources: tuple[Source, ...]
    checked: dt.date
    status: str  # original, reviewed or machine
    stale: bool
    related: tuple[str, ...]
    spoken_short: str | None = None  # with vowel marks, for the voice (Arabic harakat)
    spoken_answer: str | None = None
    expired_facts: tuple[str, ...] = ()  # facts shown with their period: no longer valid on the day asked

    @property
    def may_be_outdated(self) -> bool:
        """Some figure in this answer was valid for a period that has passed (shown with that period)."""
        return bool(self.expired_facts)

    @property
    def fell_back(self) -> bool:
        """True when the answer is not available in the requested language and is shown in another."""
        return self.lang != self.requested_lang

    @property
    def machine_translated(self) -> bool:
        return self.status == "machine"


@dataclass(frozen=True)
class SearchHit:
    question_id: str
    topic_id: str
    icon: str
    question: str
    question_highlights: tuple[tuple[int, int], ...]
    snippet: str
    snippet_highlights: tuple[tuple[int, int], ...]
    lang: str
    rank: float  # its place in the results (0: the best)


@dataclass(frozen=True)
class Recording:
    """16-bit PCM audio of a person reading a text."""

    sample_rate: int
    channels: int
    frames: bytes
    text_hash: str = ""  # the fingerprint of the text read (kiosk.content.recmeta); '' when not known
    marks: tuple[tuple[int, int, int], ...] = ()  # (start, end, ms) of each sentence in that text

    def mono(self) -> bytes:
        """The frames as mono (stereo channels are averaged)."""
        if self.channels == 1:
            return self.frames
        import array

        samples = array.array("h", self.frames)
        return array.array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples) - 1, 2))).tobytes()


@dataclass(frozen=True)
class Keyboard:
    """An on-screen keyboard layout. With ``picker == "vowels"`` a key opens its vowel forms (Ethiopic)."""

    name: str
    script: str
    picker: str | None
    rows: tuple[tuple[str, ...], ...]


_LABIALISED = {0x1240: 0x1248, 0x1280: 0x1288, 0x12A8: 0x12B0, 0x12B8: 0x12C0, 0x1308: 0x1310}


def ethiopic_vowel_forms(consonant: str) -> list[str]:
    """The vowel orders of an Ethiopic consonant (its base form first), as laid out in Unicode."""
    base = ord(consonant)
    if not 0x1200 <= base <= 0x137F:
        return [consonant]
    start = base - (base - 0x1200) % 8
    forms = [chr(start + i) for i in range(8)]
    labialised = _LABIALISED.get(start)  # ቈ ቊ ቋ ቌ ቍ for ቀ, and the same for ኀ ከ ኸ ገ
    if labialised is not None:
        forms += [chr(labialised + i) for i in range(6)]
    return [f for f in forms if _assigned(f)]


def _assigned(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) != "Cn"


@dataclass(frozen=True)
class Coverage:
    lang: str
    original: int
    reviewed: int
    machine: int
    stale: int
    missing: int
    voices: tuple[str, ...] = ()  # the language's voice names, best first; none: only recordings speak
    recorded: int = 0  # answers with a human recording

    @property
    def present(self) -> int:
        return self.original + self.reviewed + self.machine


class GuideStore:
    """One guide database, opened read-only. Safe to share between threads (calls are serialised)."""

    def __init__(self, path: str | Path) -> None:
        from kiosk.guidecheck import check_structure  # here: guidecheck raises this module's errors

        self.path = Path(path)
        if not self.path.is_file():
            raise GuideNotFoundError(f"guide database not found: {self.path}")
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        self._lock = threading.Lock()
        self._vocabularies: OrderedDict[str, Vocabulary] = OrderedDict()
        self._row_ids: dict[str, dict[int, str]] = {}
        self._searches: OrderedDict[tuple[object, ...], list[tuple[str, list[str]]]] = OrderedDict()
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise GuideCorruptError(f"{self.path} is not a usable guide database: {exc}") from exc
        try:
            self.meta = check_structure(self._conn, str(self.path))
        except GuideError:
            self._conn.close()
            raise
        self._conn.row_factory = sqlite3.Row
        self._deadline = 0.0
        self._conn.set_progress_handler(self._on_progress, 10_000)
        self.source_language = self.meta["source_language"]
        self.content_version = int(self.meta["content_version"])
        self.edition = _clean(self.meta.get("edition", ""))
        self._languages = {lang.code: lang for lang in self._load_languages()}

    def _on_progress(self) -> int:
        """SQLite calls this every few thousand steps of a query: non-zero interrupts one running too long."""
        return int(time.monotonic() > self._deadline)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> GuideStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            self._deadline = time.monotonic() + QUERY_SECONDS
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except (sqlite3.Error, UnicodeDecodeError) as exc:  # SQLite's message may quote undecodable bytes
                if time.monotonic() > self._deadline:
                    raise GuideCorruptError(f"{self.path}: a query ran longer than {QUERY_SECONDS:g} s") from exc
                raise GuideCorruptError(f"{self.path}: {exc}") from exc

    # --- languages and strings -------------------------------------------------------------------
    def _load_languages(self) -> list[Language]:
        rows = self._query("SELECT * FROM languages ORDER BY position")
        return [
            Language(r["code"], _clean(r["name"]), _clean(r["english"]), r["direction"], r["script"],
                     tuple(json.loads(r["fallback"])), tuple(json.loads(r["voice"])), r["keyboard"], r["position"])
            for r in rows
        ]  # fmt: skip

    def languages(self) -> list[Language]:
        return list(self._languages.values())

    def language(self, code: str) -> Language:
        try:
            return self._languages[code]
        except KeyError:
            raise KeyError(f"unknown language '{code}'") from None

    def chain(self, lang: str) -> list[str]:
        """The languages to try for ``lang``: itself, its fallbacks, then the source language."""
        out: list[str] = []
        for code in (lang, *self.language(lang).fallback, self.source_language):
            if code not in out:
                out.append(code)
        return out

    def ui_strings(self, lang: str) -> dict[str, str]:
        """Every screen text for ``lang``, with missing ones taken from the fallback chain."""
        chain = self.chain(lang)
        rows = self._query(f"SELECT lang, key, value FROM ui_strings WHERE lang IN ({_marks(chain)})", chain)
        return _pick_by_chain(rows, chain, key="key", value="value")

    def lexicon(self, lang: str) -> list[tuple[str, str, bool]]:
        """(written, spoken, is_pattern) entries of ``lang``'s pronunciation lexicon, in content order."""
        rows = self._query("SELECT kind, written, spoken FROM lexicon WHERE lang = ? ORDER BY position", (lang,))
        return [(r["written"], r["spoken"], r["kind"] == "pattern") for r in rows]

    def recorded(self, question_id: str, lang: str) -> tuple[bool, bool]:
        """Whether human recordings exist for (the "in short" text, the full answer) - without loading them."""
        rows = self._query("SELECT part FROM recordings WHERE question_id = ? AND lang = ?", (question_id, lang))
        parts = {r["part"] for r in rows}
        return ("short" in parts, "answer" in parts)

    def recording(self, question_id: str, lang: str, part: str) -> Recording | None:
        """A human recording of ``part`` ('short' or 'answer') of the answer in ``lang``, if there is one."""
        rows = self._query(
            "SELECT sample_rate, channels, frames FROM recordings WHERE question_id = ? AND lang = ? AND part = ?",
            (question_id, lang, part),
        )
        if not rows:
            return None
        r = rows[0]
        text_hash, marks = "", cast(tuple[tuple[int, int, int], ...], ())
        if int(self.meta.get("schema_version", "1")) >= 3:
            found = self._query("SELECT text_hash, marks FROM recording_marks WHERE question_id = ? AND lang = ? "
                                "AND part = ?", (question_id, lang, part))  # fmt: skip
            if found:
                text_hash = found[0]["text_hash"]
                marks = tuple((int(a), int(b), int(ms)) for a, b, ms in json.loads(found[0]["marks"]))
        return Recording(r["sample_rate"], r["channels"], bytes(r["frames"]), text_hash, marks)

    def answer_hash(self, question_id: str, lang: str) -> str:
        """The version of the answer in ``lang`` as written in the content (what translations record as their
        ``source_hash``; recordings and reviews made on a kiosk record it); '' for a guide too old to say."""
        if int(self.meta.get("schema_version", "1")) < 3:
            return ""
        rows = self._query("SELECT text_hash FROM answer_versions WHERE question_id = ? AND lang = ?",
                           (question_id, lang))  # fmt: skip
        return str(rows[0]["text_hash"]) if rows else ""

    def keyboard(self, name: str) -> Keyboard:
        rows = self._query("SELECT * FROM keyboards WHERE name = ?", (name,))
        if not rows:
            raise KeyError(f"unknown keyboard '{name}'")
        r = rows[0]
        keys = tuple(tuple(_clean(key) for key in row) for row in json.loads(r["rows"]))
        return Keyboard(r["name"], r["script"], r["picker"], keys)

    # --- topics and questions --------------------------------------------------------------------
    def topics(self, lang: str, audience: str | None = None) -> list[Topic]:
        chain = self.chain(lang)
        titles = self._query(f"SELECT lang, topic_id, title FROM topic_titles WHERE lang IN ({_marks(chain)})", chain)
        best = _pick_by_chain(titles, chain, key="topic_id", value="title")
        best_lang = _pick_by_chain(titles, chain, key="topic_id", value="lang")
        counts = {
            r["topic_id"]: r["n"]
            for r in self._query(
                f"SELECT topic_id, count(*) AS n FROM questions WHERE {_audience_sql(audience)} GROUP BY topic_id",
                _audience_params(audience),
            )
        }
        return [
            Topic(r["id"], r["icon"], best.get(r["id"], r["id"]), best_lang.get(r["id"], lang), counts.get(r["id"], 0))
            for r in self._query("SELECT id, icon FROM topics ORDER BY position, id")
            if counts.get(r["id"], 0) > 0
        ]

    def questions(self, topic_id: str, lang: str, audience: str | None = None) -> list[QuestionSummary]:
        rows = self._query(
            f"SELECT * FROM questions WHERE topic_id = ? AND {_audience_sql(audience)} ORDER BY position, id",
            (topic_id, *_audience_params(audience)),
        )
        return self._summaries(rows, lang)

    def related(self, question_id: str, lang: str, audience: str | None = None) -> list[QuestionSummary]:
        rows = self._query("SELECT related FROM questions WHERE id = ?", (question_id,))
        if not rows:
            return []
        ids = json.loads(rows[0]["related"])
        found = {
            r["id"]: r
            for r in self._query(
                f"SELECT * FROM questions WHERE id IN ({_marks(ids)}) AND {_audience_sql(audience)}",
                (*ids, *_audience_params(audience)),
            )
        }
        return self._summaries([found[i] for i in ids if i in found], lang)

    def _summaries(self, rows: list[sqlite3.Row], lang: str) -> list[QuestionSummary]:
        if not rows:
            return []
        chain = self.chain(lang)
        ids = [r["id"] for r in rows]
        texts = self._query(
            f"SELECT question_id, lang, question FROM answers WHERE question_id IN ({_marks(ids)}) "
            f"AND lang IN ({_marks(chain)})",
            (*ids, *chain),
        )
        best = _pick_by_chain(texts, chain, key="question_id", value="question")
        best_lang = _pick_by_chain(texts, chain, key="question_id", value="lang")
        return [
            QuestionSummary(r["id"], r["topic_id"], r["icon"], r["audience"], best[r["id"]], best_lang[r["id"]], lang)
            for r in rows
            if r["id"] in best
        ]

    def answer(self, question_id: str, lang: str, today: dt.date | None = None) -> Answer:
        """The answer in ``lang``, or along its fallback chain (``Answer.fell_back`` tells). With ``today``, a
        figure whose fact has expired on that day is shown with its period (``Answer.expired_facts`` names them);
        a day before the guide's edition counts as the edition day (a clock that was never set)."""
        chain = self.chain(lang)
        sql = (f"SELECT a.*, q.topic_id, q.icon, q.audience, q.related FROM answers a JOIN questions q "
               f"ON q.id = a.question_id WHERE a.question_id = ? AND a.lang IN ({_marks(chain)})")  # fmt: skip
        rows = self._query(sql, (question_id, *chain))
        if not rows and self.resolve(question_id) != question_id:  # asked by a former id (an alias)
            question_id = self.resolve(question_id)
            rows = self._query(sql, (question_id, *chain))
        if not rows:
            raise KeyError(f"no answer for question '{question_id}'")
        r = min(rows, key=lambda row: chain.index(row["lang"]))
        answer = Answer(
            question_id=question_id, topic_id=r["topic_id"], icon=r["icon"], audience=r["audience"],
            lang=r["lang"], requested_lang=lang, question=_clean(r["question"]), short=_clean(r["short"]),
            body_html=_clean(r["body_html"]), body_text=_clean(r["body_text"]),
            body_markdown=_clean(r["body_markdown"]),
            sources=tuple(Source(_clean(s["title"]), _clean(s.get("url"))) for s in json.loads(r["sources"])),
            checked=dt.date.fromisoformat(r["checked"]), status=r["status"], stale=bool(r["stale"]),
            related=tuple(json.loads(r["related"])), spoken_short=_clean(r["spoken_short"]),
            spoken_answer=_clean(r["spoken_answer"]),
        )  # fmt: skip
        return self._dated(answer, today) if today is not None else answer

    # --- facts ---------------------------------------------------------------------------------------
    @property
    def has_facts(self) -> bool:
        return int(self.meta.get("schema_version", "1")) >= 2

    def effective_day(self, today: dt.date) -> dt.date:
        """``today``, or the guide's edition day if the clock is earlier (a clock that was never set)."""
        try:
            edition = dt.date.fromisoformat(self.edition)
        except ValueError:
            return today
        return max(today, edition)

    def facts_ending(self, today: dt.date, within_days: int = 60) -> list[tuple[str, str, bool]]:
        """(fact id, last day, expired) of every fact an answer uses that has expired or will within
        ``within_days`` (a fact no answer uses any more is nobody's concern at the kiosk)."""
        if not self.has_facts:
            return []
        day = self.effective_day(today)
        limit = (day + dt.timedelta(days=within_days)).isoformat()
        rows = self._query("SELECT id, valid_until FROM facts WHERE valid_until IS NOT NULL AND valid_until < ? "
                           "AND EXISTS (SELECT 1 FROM answer_facts a WHERE a.fact_id = facts.id) "
                           "ORDER BY valid_until, id", (limit,))  # fmt: skip
        return [(r["id"], r["valid_until"], r["valid_until"] < day.isoformat()) for r in rows]

    @functools.cached_property
    def _first_end(self) -> str | None:
        """The earliest last day of a fact an answer uses (None: none ends): before it, no answer needs dating."""
        if not self.has_facts:
            return None
        rows = self._query("SELECT MIN(valid_until) AS first FROM facts WHERE valid_until IS NOT NULL "
                           "AND EXISTS (SELECT 1 FROM answer_facts a WHERE a.fact_id = facts.id)")  # fmt: skip
        return rows[0]["first"] if rows else None

    def _dated(self, answer: Answer, today: dt.date) -> Answer:
        first_end = self._first_end
        day = self.effective_day(today).isoformat()
        if first_end is None or day <= first_end:
            return answer  # every figure still holds: the answer as built
        rows = self._query(
            "SELECT t.fact_id, t.shown, t.expired FROM answer_facts a JOIN facts f ON f.id = a.fact_id "
            "JOIN fact_texts t ON t.fact_id = a.fact_id AND t.lang = a.lang WHERE a.question_id = ? AND a.lang = ? "
            "AND f.valid_until IS NOT NULL AND f.valid_until < ? ORDER BY t.fact_id",
            (answer.question_id, answer.lang, day),
        )
        if not rows:
            return answer
        changes = {}
        for name in ("question", "short", "body_html", "body_text", "spoken_short", "spoken_answer"):
            text = getattr(answer, name)
            if text is None:
                continue
            for r in rows:
                text = text.replace(f"\u2068{r['shown']}\u2069", f"\u2068{_clean(r['expired'])}\u2069")
            changes[name] = text
        return replace(answer, expired_facts=tuple(r["fact_id"] for r in rows), **changes)

    def resolve(self, question_id: str) -> str:
        """The current id of a question, also when asked by a former id (an alias)."""
        if not self.has_facts or self._query("SELECT 1 FROM questions WHERE id = ?", (question_id,)):
            return question_id
        rows = self._query("SELECT question_id FROM question_aliases WHERE alias = ?", (question_id,))
        return str(rows[0]["question_id"]) if rows else question_id

    def question_ids(self) -> list[str]:
        return [r["id"] for r in self._query("SELECT id FROM questions ORDER BY topic_id, position")]

    # --- search ----------------------------------------------------------------------------------
    def search(self, query: str, lang: str, audience: str | None = None, limit: int = 10,
               offset: int = 0) -> list[SearchHit]:  # fmt: skip
        """Ranked answers for ``query`` in ``lang`` (any input is safe): first those where every typed word begins a
        word of the text, then those found through other forms of the typed words and one-letter typos
        (kiosk.wordforms). ``offset``/``limit`` take a page of :meth:`search_ids`."""
        if limit <= 0:
            return []
        return self.hits(self.search_ids(query, lang, audience), lang, offset, limit)

    def hits(self, found: list[tuple[str, list[str]]], lang: str, offset: int = 0, limit: int = 10) -> list[SearchHit]:
        """A page of :meth:`search_ids`' answers as shown: the question and a snippet, the found words marked."""
        page = found[offset : offset + limit]
        if not page:
            return []
        chain = self.chain(lang)
        ids = [question_id for question_id, _words in page]
        rows = self._query(  # the page's texts in one query
            f"SELECT a.question_id, a.lang, a.question, a.short, a.body_text, q.topic_id, q.icon FROM answers a "
            f"JOIN questions q ON q.id = a.question_id WHERE a.question_id IN ({_marks(ids)}) "
            f"AND a.lang IN ({_marks(chain)})",
            (*ids, *chain),
        )
        best: dict[str, sqlite3.Row] = {}
        for row in rows:
            held = best.get(row["question_id"])
            if held is None or chain.index(row["lang"]) < chain.index(held["lang"]):
                best[row["question_id"]] = row
        return [self._hit(best[question_id], words, offset + i)
                for i, (question_id, words) in enumerate(page) if question_id in best]  # fmt: skip

    def search_ids(self, query: str, lang: str, audience: str | None = None) -> list[tuple[str, list[str]]]:
        """Every answer ``query`` finds in ``lang`` (see :meth:`_search_ids`); the last few hundred searches are
        remembered (a guide never changes; people type the same first letters)."""
        typed = tuple(_typed_words(query))
        cache_key = (typed, lang, audience)
        with self._lock:
            cached = self._searches.get(cache_key)
            if cached is not None:
                self._searches.move_to_end(cache_key)
                return list(cached)
        found = self._search_ids(list(typed), lang, audience)
        with self._lock:
            self._searches[cache_key] = found
            while len(self._searches) > SEARCH_CACHE:
                self._searches.popitem(last=False)
        return list(found)

    def _search_ids(self, typed: list[tuple[str, str]], lang: str, audience: str | None) -> list[tuple[str, list[str]]]:
        """Every answer ``query`` finds in ``lang``, best first, each with the words it was found by (for marks):
        every typed word beginning a word of the text; then, when those are fewer than WIDEN_BELOW, other forms
        and one-letter typos of every typed word (kiosk.wordforms); then, for several words, the answers with
        some of them."""
        words = [folded for _original, folded in typed]
        if not words:
            return []
        self.language(lang)
        exact = self._match(" ".join(f"{_quoted(w)}*" for w in words), lang, audience)
        out = [(question_id, words) for question_id in exact]
        if len(exact) >= WIDEN_BELOW:
            return out  # the words as typed find plenty: other forms would only come after them
        vocabulary = self.vocabulary(lang)
        alternatives = [[w, *vocabulary.forms(original), *vocabulary.typos(original)] for original, w in typed]
        groups = ["(" + " OR ".join([f"{_quoted(a[0])}*", *(_quoted(f) for f in a[1:])]) + ")" for a in alternatives]
        marks = [form for a in alternatives for form in a]
        seen = set(exact)
        if any(len(a) > 1 for a in alternatives):
            wider = [q for q in self._match(" AND ".join(groups), lang, audience) if q not in seen]
            out += [(question_id, marks) for question_id in wider]
            seen.update(wider)
        if len(groups) > 1 and len(out) < PARTIAL_BELOW:
            some = [q for q in self._match(" OR ".join(groups), lang, audience) if q not in seen]
            out += [(question_id, marks) for question_id in some]
        return out

    def _match(self, match: str, lang: str, audience: str | None) -> list[str]:
        """The questions whose ``lang`` search text matches, best first (bm25; the question id breaks ties). The
        index gives row ids and ranks only; they become question ids here (a join per matching row was most of a
        short prefix's time: 6 ms of 7 for 1,000 answers)."""
        table = search_table(lang)
        weights = ", ".join(str(w) for w in SEARCH_WEIGHTS)
        rows = self._query(f"SELECT rowid, bm25({table}_fts, {weights}) FROM {table}_fts WHERE {table}_fts MATCH ?",
                           (match,))  # fmt: skip
        ids, audiences = self._search_rows(lang), self._audience_of
        wanted = _audience_params(audience)
        found = sorted((rank, ids[rowid]) for rowid, rank in rows
                       if rowid in ids and (not wanted or audiences.get(ids[rowid]) in wanted))  # fmt: skip
        return [question_id for _rank, question_id in found]

    def _search_rows(self, lang: str) -> dict[int, str]:
        """Row id -> question id of ``lang``'s search table (read once)."""
        cached = self._row_ids.get(lang)
        if cached is None:
            rows = self._query(f"SELECT rowid, question_id FROM {search_table(lang)}")
            cached = self._row_ids[lang] = {int(r[0]): str(r[1]) for r in rows}
        return cached

    @functools.cached_property
    def _audience_of(self) -> dict[str, str]:
        """Question id -> its audience (read once)."""
        return {str(r["id"]): str(r["audience"]) for r in self._query("SELECT id, audience FROM questions")}

    def vocabulary(self, lang: str) -> Vocabulary:
        """The words of ``lang``'s search index, arranged to find forms and typos: built when first needed (about
        20 ms, on the search's own thread) and kept for the VOCABULARIES languages used last (1-2 MiB each: a
        visitor uses one language)."""
        with self._lock:
            cached = self._vocabularies.get(lang)
            if cached is not None:
                self._vocabularies.move_to_end(lang)
                return cached
        chain = self.chain(lang)
        rows = self._query(f"SELECT question, short, body_text FROM answers WHERE lang IN ({_marks(chain)})", chain)
        written = (word for r in rows for text in (r["question"], r["short"], r["body_text"])
                   for word in _written_words(_clean(text) or ""))  # fmt: skip
        vocabulary = Vocabulary.of(lang, written)
        with self._lock:
            self._vocabularies[lang] = vocabulary
            while len(self._vocabularies) > VOCABULARIES:
                self._vocabularies.popitem(last=False)
        return vocabulary

    def _hit(self, t: sqlite3.Row, words: list[str], rank: int = 0) -> SearchHit:
        question, short, body_text = _clean(t["question"]), _clean(t["short"]), _clean(t["body_text"])
        snippet, marks = _snippet(short, words)
        if not marks:
            snippet, marks = _snippet(body_text, words)
        if not marks:
            snippet = _trim(short, 0, SNIPPET_CHARS)
        return SearchHit(
            t["question_id"], t["topic_id"], t["icon"], question, tuple(_matches(question, words)),
            snippet, tuple(marks), t["lang"], float(rank),
        )  # fmt: skip

    # --- coverage --------------------------------------------------------------------------------
    def recorded_counts(self) -> dict[str, int]:
        """Per language code, how many answers have a human recording (languages without any are left out)."""
        rows = self._query("SELECT lang, count(DISTINCT question_id) AS n FROM recordings GROUP BY lang", ())
        return {str(r["lang"]): int(r["n"]) for r in rows}

    def coverage(self) -> list[Coverage]:
        total = len(self.question_ids())
        out = []
        for lang in self.languages():
            rows = self._query(
                "SELECT status, stale, count(*) AS n FROM answers WHERE lang = ? GROUP BY status, stale", (lang.code,)
            )
            by = {s: sum(r["n"] for r in rows if r["status"] == s) for s in ("original", "reviewed", "machine")}
            stale = sum(r["n"] for r in rows if r["stale"])
            recorded = self._query("SELECT count(DISTINCT question_id) AS n FROM recordings WHERE lang = ?",
                                   (lang.code,))[0]["n"]  # fmt: skip
            out.append(Coverage(lang.code, by["original"], by["reviewed"], by["machine"], stale,
                                total - sum(by.values()), tuple(lang.voices), recorded))  # fmt: skip
        return out


def _typed_words(query: str) -> list[tuple[str, str]]:
    """(as typed, folded) for each word of ``query`` (marks such as harakat stay with their word), at most
    MAX_QUERY_TOKENS of at most MAX_TOKEN_CHARS."""
    out = []
    for folded, start, end in token_spans(query[: MAX_QUERY_TOKENS * (MAX_TOKEN_CHARS + 2) * 4]):
        folded = folded.replace("_", "")[:MAX_TOKEN_CHARS]
        if folded:
            out.append((query[start:end][: MAX_TOKEN_CHARS * 2], folded))
    return out[:MAX_QUERY_TOKENS]


# a word as written: letters and digits with the marks that sit on them (harakat, accents), apostrophes inside
_WRITTEN = re.compile(r"(?:\w|[\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d])+")


def _written_words(text: str) -> list[str]:
    return _WRITTEN.findall(text)


def _quoted(term: str) -> str:
    """A term as an FTS5 string: what people type never reaches the query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _marks(items: Iterable[object]) -> str:
    return ", ".join("?" for _ in items) or "NULL"


def _audience_sql(audience: str | None, prefix: str = "") -> str:
    return "1" if audience is None else f"{prefix}audience IN (?, ?)"


def _audience_params(audience: str | None) -> tuple[str, ...]:
    if audience is None:
        return ()
    if audience not in (RESIDENT, ORGANISATION):
        raise ValueError(f"audience must be '{RESIDENT}' or '{ORGANISATION}', not '{audience}'")
    return (audience, BOTH)


def _pick_by_chain(rows: list[sqlite3.Row], chain: list[str], key: str, value: str) -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        rank = chain.index(r["lang"])
        if r[key] not in best or rank < best[r[key]][0]:
            best[r[key]] = (rank, r[value])
    return {k: _clean(v) for k, (_, v) in best.items()}


@overload
def _clean(text: str) -> str: ...
@overload
def _clean(text: None) -> None: ...
def _clean(text: str | None) -> str | None:
    """``text`` without bidi embedding and override controls (cheap when there are none: a regex search)."""
    return _BIDI_CONTROLS.sub("", text) if text and _BIDI_CONTROLS.search(text) else text


def _matches(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Ranges of ``text`` holding a word that starts with one of the (folded) ``words``: one regular expression
    over the folded text, mapped back to the original characters."""
    if not words:
        return []
    folded, offsets = fold_with_offsets(text)
    spans = []
    for match in _starts_pattern(tuple(sorted(set(words), key=len, reverse=True))).finditer(folded):
        start, end = offsets[match.start()], offsets[match.end() - 1] + 1
        while end < len(text) and not fold(text[end]):
            end += 1  # trailing marks (tanween, shadda) belong to the word
        spans.append((start, end))
    return spans


@functools.lru_cache(maxsize=256)
def _starts_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(f"(?<!\\w)(?:{'|'.join(re.escape(word) for word in words)})\\w*")


def _snippet(text: str, words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first match, with match ranges relative to the window."""
    spans = _matches(text, words)
    if not spans:
        return "", []
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and spans[0][0] - space < SNIPPET_CHARS // 2 else start
    window = _trim(text, start, SNIPPET_CHARS)
    prefix = 1 if start > 0 else 0
    end = start + len(window) - prefix - (1 if window.endswith("…") else 0)
    shift = start - prefix
    return window, [(s - shift, e - shift) for s, e in spans if s >= start and e <= end]


def _trim(text: str, start: int, length: int) -> str:
    body = text[start : start + length].replace("\n", " ")
    if start + length < len(text):
        cut = body.rfind(" ")
        body = (body[:cut] if cut > length // 2 else body) + "…"
    return ("…" if start > 0 else "") + body
