"""Cross-checks of the guide's sources: references, translations, texts, fonts.

``check(root)`` reads and checks one content folder and returns the sources with a report. Errors stop a
build; warnings (a missing or stale translation, an answer not checked for a year) do not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
import string
from collections import Counter
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import langcodes
from fontTools import unicodedata as unicodedata_ft

from kiosk import guidecheck
from kiosk.content import fonts, voicenames
from kiosk.content.facts import UNITS, typed_by_hand
from kiosk.content.fold import fold
from kiosk.content.markdown import isolate_latin_asides
from kiosk.content.model import (
    AUDIENCES,
    DIRECTIONS,
    STATUSES,
    AnswerSource,
    AnswerTraits,
    GuideSources,
    KeyboardSource,
    LanguageSource,
)
from kiosk.content.problems import Problem, Report
from kiosk.content.schema import LATIN_KEYBOARD
from kiosk.content.sources import AnswerContext, load
from kiosk.content.uikeys import REQUIRED_UI_KEYS
from kiosk.textalign import SENTENCE_END as _SENTENCE_END
from kiosk.textalign import align

SCRIPT_SAMPLE_CHARS = 600  # of an answer's body, with its question and short answer: enough to tell its script
SHORT_MAX_SENTENCES = 2
SHORT_MAX_CHARS = 260
CHECKED_MAX_AGE_DAYS = 366
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_BIDI = re.compile(f"[{guidecheck.BIDI_CONTROLS}]")
LABIALISED = {0x1240: 0x1248, 0x1280: 0x1288, 0x12A8: 0x12B0, 0x12B8: 0x12C0, 0x1308: 0x1310}
_SIGNS = "'’ʼ-"
_LATIN_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z][A-Za-z]+(?![^\W\d_])")


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """ISO 15924 code of ``ch``'s script (Unicode's Scripts.txt, as fontTools ships it)."""
    return str(unicodedata_ft.script(ch))


_NO_SCRIPT = ("Zyyy", "Zinh", "Zzzz")  # common (digits, punctuation), inherited (marks), unknown


def _other_script(text: str, script: str, chars: AbstractSet[str] | None = None) -> tuple[str, int] | None:
    """The script most of the letters of ``text`` are in, and its share, when that is not ``script``. With
    ``chars`` (a superset of the characters of ``text``) holding no letter of another script, it is None at once."""
    if chars is not None and all(_script(ch) in (script, *_NO_SCRIPT) for ch in chars if ch.isalpha()):
        return None
    counts: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        if ch.isalpha() and (found := _script(ch)) not in _NO_SCRIPT:
            counts[found] += n
    letters = sum(counts.values())
    if letters < 10 or counts[script] * 2 > letters:
        return None
    main, count = counts.most_common(1)[0]
    return main, round(100 * count / letters)


def _word_with(text: str, ch: str) -> str:
    """A word of ``text`` that shows ``ch`` (folded), for the message."""
    for match in re.finditer(r"\w+(?:['’ʼ-]\w+)*", text):
        if ch in fold(match.group()) or ch in match.group():
            return match.group()
    return ch


def _vowel_forms(key: str) -> list[str]:
    """An Ethiopic consonant key's row of vowel forms (the picker offers them all); any other key itself."""
    code = ord(key[0]) if len(key) == 1 else 0
    if not 0x1200 <= code <= 0x137F:
        return [key]
    start = code - (code - 0x1200) % 8
    return [chr(start + i) for i in range(8)] + [chr(c) for c in _labialised(start)]


def _labialised(start: int) -> range:
    """The labialised forms that belong to an Ethiopic consonant's row (ቈ ቊ ቋ ... for ቀ; ኰ ... for ከ)."""
    first = LABIALISED.get(start)
    return range(first, first + 6) if first is not None else range(0)


_BIDI_MESSAGE = "a bidi embedding or override control (U+202A..U+202E) would reorder what is shown: remove it"


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a guide is read, checked or built: the sources are a million objects
    that live until the end and hold no cycles worth collecting, and each full collection walks them all again
    (in the answer workers too, which inherit the setting). A tenth of a big build's time otherwise."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check(root: Path, icons_dir: Path, fonts_dir: Path, today: dt.date | None = None,
          loaded: Callable[[GuideSources, Report], None] | None = None) -> tuple[GuideSources, Report]:  # fmt: skip
    """Read and check the content folder ``root``; ``loaded`` is told of the sources as soon as they are read
    (the build starts writing while the guide-wide checks run)."""
    with cyclic_gc_paused():
        return _check(root, icons_dir, fonts_dir, today, loaded)


def _check(root: Path, icons_dir: Path, fonts_dir: Path, today: dt.date | None,
           loaded: Callable[[GuideSources, Report], None] | None) -> tuple[GuideSources, Report]:  # fmt: skip
    report = Report()
    covered, day = fonts.coverage(fonts_dir), today or dt.date.today()
    guide = load(root, report, AnswerChecks(covered, day))
    if loaded is not None:
        loaded(guide, report)
    from kiosk.content.facts import apply_facts

    apply_facts(guide, report, day)
    checker = _Checker(guide, report, icons_dir, covered, day)
    checker.run()
    return guide, report


def count_sentences(text: str) -> int:
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    return len(parts)


class _AnswerTexts:
    """The checks of single texts and of one answer at a time: the texts, the body and its HTML, the fonts, the
    sources, the date. An answer's checks need nothing but the answer, so a big guide runs them where its answers
    are read, in worker processes (``AnswerChecks``)."""

    def __init__(self, report: Report, covered: frozenset[int], today: dt.date, rtl: frozenset[str]) -> None:
        self.r, self.covered, self.today, self.rtl = report, covered, today, rtl
        self.all_drawn = False  # every character of the answer being checked is known to be drawable

    def drawable(self, path: str, line: int, text: str, limit: int = 0) -> None:
        """A text the kiosk shows: every character drawable, no bidi override; with a ``limit``, also within
        the guide's limits (length, longest word, no markup: kiosk/guidecheck.py refuses a guide otherwise)."""
        missing = fonts.undrawable(text, self.covered) if not self.all_drawn else None
        if missing:
            shown = ", ".join(fonts.describe(ch) for ch in missing[:5])
            self.r.error(path, line, f"the bundled fonts cannot draw {shown}")
        if _BIDI.search(text):
            self.r.error(path, line, _BIDI_MESSAGE)
        problem = guidecheck.text_problem(text, limit) if limit else None
        if problem:
            self.r.error(path, line, f"this text has {problem}")

    def answer(self, a: AnswerSource, chars: AbstractSet[str] | None = None) -> None:
        """Everything about one answer that needs nothing but the answer (``chars``: the characters of its
        question, short answer and body, if known: when the fonts draw them all, no text is looked at again)."""
        if chars is None:
            chars = frozenset(answer_text(a))
        titles = "".join(c.title for c in a.sources)
        self.all_drawn = not fonts.undrawn(chars, self.covered) and not fonts.undrawable(titles, self.covered)
        try:
            self._answer(a)
        finally:
            self.all_drawn = False

    def _answer(self, a: AnswerSource) -> None:
        line = a.line_of.get
        for key, text, limit in (("question", a.question, guidecheck.MAX_QUESTION_CHARS),
                                 ("short", a.short, guidecheck.MAX_SHORT_CHARS)):  # fmt: skip
            if "<" in text and re.search(r"<[a-zA-Z/!]", text):
                self.r.error(a.path, line(key, 2), f"raw HTML is not allowed in '{key}'")
                text = text.replace("<", " ")  # said once
            self.drawable(a.path, line(key, 2), text, limit)
        if a.short:
            sentences = count_sentences(a.short)
            if sentences > SHORT_MAX_SENTENCES:
                self.r.error(a.path, line("short", 2), f"'short' has {sentences} sentences; at most 2 are allowed")
            if len(a.short) > SHORT_MAX_CHARS:
                self.r.error(
                    a.path, line("short", 2), f"'short' is {len(a.short)} characters; at most {SHORT_MAX_CHARS}"
                )
        self.body(a)
        self.spoken_variants(a)
        self.citations(a)
        self.checked(a)

    def body(self, a: AnswerSource) -> None:
        if not a.body.strip():
            self.r.error(a.path, a.body_line, "the full answer (text after the front matter) is empty")
            return
        for offset, message in a.analysed().problems:
            self.r.error(a.path, a.body_line + offset, message)
        lines = a.body.split("\n")
        for index, text_line in enumerate(lines if _BIDI.search(a.body) else ()):
            if _BIDI.search(text_line):
                self.r.error(a.path, a.body_line + index, _BIDI_MESSAGE)
        if len(a.body) > guidecheck.MAX_ANSWER_CHARS:
            message = f"the full answer is {len(a.body)} characters; at most {guidecheck.MAX_ANSWER_CHARS}"
            self.r.error(a.path, a.body_line, message)
        elif not a.analysed().problems:
            self.built_html(a, lines)
        if self.all_drawn or not fonts.undrawable(a.body, self.covered):
            return
        for index, text_line in enumerate(lines):
            missing = fonts.undrawable(text_line, self.covered)
            if missing:
                shown = ", ".join(fonts.describe(ch) for ch in missing[:5])
                self.r.error(a.path, a.body_line + index, f"the bundled fonts cannot draw {shown}")

    def built_html(self, a: AnswerSource, lines: list[str]) -> None:
        """The HTML the build will store must pass the kiosk's own check (kiosk/guidecheck.py): its words, its
        size (lists are counted by markdown.py, with their line)."""
        rtl = a.lang in self.rtl
        html, text = a.analysed().html, a.analysed().text
        if rtl:
            html, text = isolate_latin_asides(html), isolate_latin_asides(text)
        problem = guidecheck.html_problem(html)
        if problem:
            word = (guidecheck.long_word(text) or "").strip("\u2068\u2069").replace("\u00a0", " ")[:8]
            index = next((i for i, text_line in enumerate(lines) if word and word in text_line), 0)
            hint = " (in right-to-left text a Latin aside in brackets is kept on one line)" if rtl and word else ""
            self.r.error(a.path, a.body_line + index, f"the full answer has {problem}{hint}")
        if _BIDI.search(text) and not _BIDI.search(a.body):
            self.r.error(a.path, a.body_line, f"{_BIDI_MESSAGE} (it is written as a character reference)")

    def spoken_variants(self, a: AnswerSource) -> None:
        for key, display, spoken in (
            ("spoken_short", a.short, a.spoken_short), ("spoken_answer", a.analysed().text, a.spoken_answer)
        ):  # fmt: skip
            if spoken is not None and align(display, spoken) is None:
                which = "'short'" if key == "spoken_short" else "the full answer"
                message = f"'{key}' must be the text of {which} with vowel marks added, nothing else changed"
                self.r.error(a.path, a.line_of.get(key, 2), message)

    def citations(self, a: AnswerSource) -> None:
        line = a.line_of.get("sources", 2)
        if not a.sources and "sources" in a.line_of:
            self.r.error(a.path, line, "'sources' is empty: every answer cites at least one source")
        for citation in a.sources:
            if not citation.title:
                self.r.error(a.path, line, "a source has no title")
            if citation.url and not _URL.match(citation.url):
                self.r.error(a.path, line, f"source address '{citation.url}' is not an http(s) address")
            if citation.url and len(citation.url) > guidecheck.MAX_URL_CHARS:
                self.r.error(a.path, line, f"a source address is longer than {guidecheck.MAX_URL_CHARS} characters")
            self.drawable(a.path, line, citation.title, guidecheck.MAX_TEXT_CHARS)

    def checked(self, a: AnswerSource) -> None:
        line = a.line_of.get("checked", 2)
        if not a.checked:
            return
        try:
            date = dt.date.fromisoformat(a.checked)
        except ValueError:
            self.r.error(a.path, line, f"'checked' must be a date like 2026-11-27, not '{a.checked}'")
            return
        if date > self.today:
            self.r.error(a.path, line, f"'checked' date {a.checked} is in the future")
        elif (self.today - date).days > CHECKED_MAX_AGE_DAYS:
            self.r.warning(a.path, line, f"last checked {a.checked}, more than a year ago: check it again")



@dataclass(frozen=True)
class AnswerChecks:
    """``_AnswerTexts.answer`` as a picklable callable for the answer loader (kiosk.content.sources)."""

    covered: frozenset[int]
    today: dt.date

    def __call__(self, written: AnswerSource, shown: AnswerSource, context: AnswerContext) -> list[Problem]:
        """Check the answer as shown; note on it as written what the guide-wide checks will need (its traits)."""
        report = Report()
        chars = frozenset(answer_text(shown))  # once, for the fonts and the traits
        rtl = frozenset([shown.lang] if context.rtl else [])
        _AnswerTexts(report, self.covered, self.today, rtl).answer(shown, chars)
        written.traits = answer_traits(written, shown, context.script, context.values, chars)
        return report.problems


def answer_text(a: AnswerSource) -> str:
    return f"{a.question}\n{a.short}\n{a.body}"


# A sign followed by a letter; the letter before it is looked at in Python (a look-behind at every character of
# the text was three times slower).
_SIGN_IN_WORD = re.compile(rf"[{_SIGNS}](?=\w)")


def _word_signs(text: str) -> frozenset[str]:
    """The apostrophes and hyphens of ``text`` that stand between two word characters (as ``\\w`` has them)."""
    return frozenset(m[0] for m in _SIGN_IN_WORD.finditer(text)
                     if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"))  # fmt: skip


def answer_traits(written: AnswerSource, shown: AnswerSource, script: str, values: dict[Any, str],
                  chars: frozenset[str] | None = None) -> AnswerTraits:  # fmt: skip
    """What the guide-wide checks need of one answer (``shown``: with its figures filled in; ``chars``: the
    characters of its ``answer_text``, if known)."""
    text = answer_text(shown)
    chars = chars if chars is not None else frozenset(text)
    sample = f"{shown.question} {shown.short} {shown.body[:SCRIPT_SAMPLE_CHARS]}"
    signs = _word_signs(text) if not chars.isdisjoint(_SIGNS) else frozenset()
    return AnswerTraits(script, _other_script(sample, script, chars) if script else None, "".join(sorted(chars)),
                        "".join(sorted(signs)), tuple(typed_by_hand(written, values)))  # fmt: skip


class _Checker(_AnswerTexts):
    def __init__(
        self, guide: GuideSources, report: Report, icons_dir: Path, covered: frozenset[int], today: dt.date
    ) -> None:
        rtl = frozenset(lang.code for lang in guide.languages if lang.direction == "rtl")
        super().__init__(report, covered, today, rtl)
        self.g, self.icons_dir = guide, icons_dir

    def run(self) -> None:
        self.languages()
        self.topics_and_questions()
        self.strings()
        self.answers()
        self.scripts()
        self.keyboards()
        self.lexicons()
        for (qid, lang, _part), recording in sorted(self.g.recordings.items()):
            if (qid, lang) not in self.g.answers:
                self.r.error(recording.path, 1, f"recording for '{qid}', which has no answer in this language")
            elif recording.meta is not None and recording.meta.answer_hash != self.g.answers[(qid, lang)].text_hash:
                self.r.warning(recording.path.removesuffix(".wav") + ".yaml", recording.meta.hash_line,
                               f"stale recording: the answer changed since it was read (version "
                               f"{recording.meta.answer_hash}, now {self.g.answers[(qid, lang)].text_hash}): "
                               f"record it again")  # fmt: skip

    # --- helpers -------------------------------------------------------------------------------
    def icon(self, path: str, line: int, name: str) -> None:
        if name and not (self.icons_dir / f"{name}.svg").is_file():
            self.r.error(path, line, f"unknown icon '{name}': there is no assets/icons/{name}.svg")

    def duplicates(self, path: str, items: list[tuple[str, int]], what: str) -> None:
        seen: dict[str, int] = {}
        for key, line in items:
            if key and key in seen:
                self.r.error(path, line, f"duplicate {what} id '{key}' (first on line {seen[key]})")
            seen.setdefault(key, line)

    # --- languages ------------------------------------------------------------------------------
    def languages(self) -> None:
        path = "languages.yaml"
        codes = {lang.code for lang in self.g.languages}
        self.duplicates(path, [(lang.code, lang.line) for lang in self.g.languages], "language")
        if self.g.languages and self.g.source_language not in codes:
            self.r.error(path, 1, f"source language '{self.g.source_language}' is not one of the languages")
        for lang in self.g.languages:
            if lang.code and not (langcodes.tag_is_valid(lang.code) and re.fullmatch(r"[a-z]{2,3}", lang.code)):
                self.r.error(path, lang.line, f"'{lang.code}' is not a BCP-47 language code (e.g. nl, ar, prs)")
            if lang.direction not in DIRECTIONS:
                self.r.error(path, lang.line, f"{lang.code}: direction must be ltr or rtl, not '{lang.direction}'")
            for other in lang.fallback:
                if other not in codes or other == lang.code:
                    self.r.error(path, lang.line, f"{lang.code}: fallback '{other}' is not another language here")
            self.drawable(path, lang.line, lang.name, guidecheck.MAX_TEXT_CHARS)
            if lang.keyboard and lang.keyboard not in self.g.keyboards:
                self.r.error(path, lang.line, f"{lang.code}: no keyboard layout keyboards/{lang.keyboard}.yaml")
            self.voices(path, lang)

    def voices(self, path: str, lang: LanguageSource) -> None:
        """A voice name the engines do not know reads nothing; a voice for another script reads letter names; the
        voice of another language of the guide reads this one with that language's sounds (Sorani by the Arabic
        voice): a language without a voice of its own lists none."""
        others = {other.code: other for other in self.g.languages if other.code != lang.code}
        for tag in lang.voice:
            other = others.get(tag.lower().split("-")[0])
            if other is not None:
                name, its = lang.english or lang.code, other.english or other.code
                self.r.error(path, lang.line, f"{lang.code}: voice '{tag}' is the voice of {its}, another language "
                                              f"of the guide: it would read {name} with {its} sounds; a language "
                                              f"without a voice of its own lists none: 'voice: []'")  # fmt: skip
        known = voicenames.espeak_voice_tags()
        if not known:
            return  # espeak-ng's data is not installed here: nothing to compare with
        for tag in lang.voice:
            if tag.lower() not in known:
                self.r.error(path, lang.line, f"{lang.code}: voice '{tag}' is not a voice the speech engines know "
                                              f"(espeak-ng and Piper voices are named by language tags such as "
                                              f"'nl', 'fr-be', 'fa'); a language without a voice lists none: "
                                              f"'voice: []'")  # fmt: skip
                continue
            script = voicenames.script_of(tag)
            if lang.script and script and script != lang.script:
                self.r.error(path, lang.line, f"{lang.code}: voice '{tag}' reads {script} script, but "
                                              f"{lang.english or lang.code} is written in {lang.script}: it would "
                                              f"read letter names, not words")  # fmt: skip

    # --- topics and questions -------------------------------------------------------------------
    def topics_and_questions(self) -> None:
        self.duplicates("topics.yaml", [(t.id, t.line) for t in self.g.topics], "topic")
        self.duplicates("questions.yaml", [(q.id, q.line) for q in self.g.questions], "question")
        topic_ids = {t.id for t in self.g.topics}
        question_ids = {q.id for q in self.g.questions}
        for topic in self.g.topics:
            self.icon("topics.yaml", topic.line, topic.icon)
            if not any(q.topic == topic.id for q in self.g.questions):
                self.r.warning("topics.yaml", topic.line, f"topic '{topic.id}' has no questions")
        for q in self.g.questions:
            path = "questions.yaml"
            self.icon(path, q.line, q.icon)
            if q.topic not in topic_ids:
                self.r.error(path, q.line, f"question '{q.id}': unknown topic '{q.topic}'")
            if q.audience not in AUDIENCES:
                self.r.error(path, q.line, f"question '{q.id}': audience must be one of {', '.join(AUDIENCES)}")
            for other in q.related:
                if other not in question_ids or other == q.id:
                    self.r.error(path, q.line, f"question '{q.id}': related question '{other}' does not exist")

    # --- strings --------------------------------------------------------------------------------
    def strings(self) -> None:
        source = self.g.strings.get(self.g.source_language)
        if source is None:
            return
        for key in sorted(REQUIRED_UI_KEYS - set(source.ui)):
            self.r.error(source.path, source.line, f"screen text '{key}' is missing in the source language")
        for lang in self.g.languages:
            strings = self.g.strings.get(lang.code)
            if strings is None:
                self.r.warning(
                    "languages.yaml", lang.line, f"{lang.code}: no lang/{lang.code}/strings.yaml yet: all falls back"
                )
                continue
            if lang.code != self.g.source_language and strings.status not in ("reviewed", "machine"):
                self.r.error(strings.path, strings.line, "status must be 'reviewed' or 'machine' for a translation")
            for topic in self.g.topics:
                title = strings.topics.get(topic.id)
                if title is None:
                    report = self.r.error if strings is source else self.r.warning
                    report(strings.path, strings.line, f"title of topic '{topic.id}' is missing")
            for name, line in strings.line_of_topic.items():
                if name not in {t.id for t in self.g.topics}:
                    self.r.warning(strings.path, line, f"title for unknown topic '{name}' is ignored")
            for key, value in strings.ui.items():
                line = strings.line_of_ui.get(key, strings.line)
                self.drawable(strings.path, line, value, guidecheck.MAX_TEXT_CHARS)
                if _PLACEHOLDER.sub("", value).count("{") or _PLACEHOLDER.sub("", value).count("}"):
                    self.r.error(strings.path, line, f"'{key}' has a '{{' or '}}' that is not part of a {{word}}")
                if strings is not source:
                    self.placeholders(strings.path, line, key, value, source.ui.get(key))
            for title in strings.topics.values():
                self.drawable(strings.path, strings.line, title, guidecheck.MAX_TEXT_CHARS)
            if strings is not source:
                for key in sorted(set(source.ui) - set(strings.ui)):
                    self.r.warning(strings.path, strings.line, f"screen text '{key}' not translated yet")

    def placeholders(self, path: str, line: int, key: str, value: str, original: str | None) -> None:
        if key.startswith("unit_"):  # a language's own pattern for a unit (facts.py), in place of CLDR's
            unit = key.removeprefix("unit_")
            if unit not in UNITS:
                self.r.error(path, line, f"'{key}': the unit must be one of {', '.join(sorted(UNITS))}")
            elif set(_PLACEHOLDER.findall(value)) != {"value"}:
                self.r.error(path, line, f"'{key}' must hold {{value}} (where the figure goes), nothing else in {{}}")
            return
        if original is None:
            self.r.warning(path, line, f"screen text '{key}' does not exist in the source language; ignored")
            return
        if set(_PLACEHOLDER.findall(value)) != set(_PLACEHOLDER.findall(original)):
            self.r.error(path, line, f"'{key}' must keep the words in {{brackets}} of the original: {original}")

    # --- answers --------------------------------------------------------------------------------
    def answers(self) -> None:
        """Each answer against its question and its source; its own checks ran where it was read (AnswerChecks)."""
        questions = {q.id: q for q in self.g.questions}
        source_lang = self.g.source_language
        for (qid, lang), answer in sorted(self.g.answers.items()):
            if qid not in questions:
                self.r.error(answer.path, 1, f"unknown question '{qid}': it is not in questions.yaml")
                continue
            self.status(answer, self.g.answers.get((qid, source_lang)), lang == source_lang)
        for q in self.g.questions:
            for language in self.g.languages:
                if (q.id, language.code) in self.g.answers:
                    continue
                path = f"lang/{language.code}/answers/{q.id}.md"
                if language.code == source_lang:
                    self.r.error(path, 1, f"answer to '{q.id}' is missing in the source language")
                elif language.code in self.g.strings:
                    self.r.warning(path, 1, "missing translation: the kiosk shows the fallback language")

    def status(self, a: AnswerSource, source: AnswerSource | None, is_source: bool) -> None:
        line = a.line_of.get("status", 2)
        if a.status and a.status not in STATUSES:
            self.r.error(a.path, line, f"status must be one of {', '.join(STATUSES)}, not '{a.status}'")
            return
        if is_source:
            if a.status and a.status != "original":
                self.r.error(a.path, line, "an answer in the source language has status 'original'")
            return
        if a.status == "original":
            self.r.error(a.path, line, "'original' is for the source language; a translation is reviewed or machine")
        if source is None:
            return
        if not a.source_hash:
            self.r.warning(a.path, 1, "translation has no 'source_hash': cannot tell whether it is up to date")
        elif a.source_hash != source.text_hash:
            self.r.warning(
                a.path,
                a.line_of.get("source_hash", 2),
                f"stale translation: {source.path} changed since it was translated "
                f"(run 'wegwijzer content stamp' after updating it)",
            )

    # --- scripts --------------------------------------------------------------------------------
    def scripts(self) -> None:
        """A language's declared script is a real one, its direction is that script's, and its texts (screen texts,
        each answer's question, short answer and beginning) are written in it: Latin text under ``script: Arab``
        reads as letter names and shows left to right on a right-to-left screen. Names in another script (OCMW,
        Fedasil) are fine: the declared script must hold most of the letters."""
        answers: dict[str, list[AnswerSource]] = {}
        for (_qid, code), a in sorted(self.g.answers.items()):
            answers.setdefault(code, []).append(a)
        for lang in self.g.languages:
            if not lang.script:
                continue
            name = unicodedata_ft.script_name(lang.script, default=None)
            if name is None or lang.script.startswith(("Z", "Q")):
                self.r.error("languages.yaml", lang.line, f"{lang.code}: '{lang.script}' is not an ISO 15924 script "
                             f"code of a writing system (Latn, Arab, Cyrl, Ethi, Geor ...)")  # fmt: skip
                continue
            direction = "rtl" if unicodedata_ft.script_horizontal_direction(lang.script, "LTR") == "RTL" else "ltr"
            if lang.direction in DIRECTIONS and lang.direction != direction:
                self.r.error("languages.yaml", lang.line, f"{lang.code}: {name} script is written {direction}, but the "
                             f"direction given is {lang.direction}")  # fmt: skip
            found: list[tuple[str, int, tuple[str, int] | None]] = []  # each text's other script, if any
            strings = self.g.strings.get(lang.code)
            if strings is not None:
                found.append((strings.path, strings.line, _other_script(" ".join(strings.ui.values()), lang.script)))
            for a in answers.get(lang.code, []):
                traits = self._traits(a, lang.script)
                found.append((a.path, 1, traits.other_script))
            wrong = [(path, line, other) for path, line, other in found if other]
            if wrong and len(wrong) * 2 > len(found):  # most of them: the declared script is what is wrong
                most = Counter(script for _, _, (script, _) in wrong).most_common(1)[0][0]
                self.r.error("languages.yaml", lang.line, f"{lang.code}: {len(wrong)} of its {len(found)} texts are in "
                             f"{unicodedata_ft.script_name(most, default=most)} script ({most}), but the script "
                             f"given is {name} ({lang.script})")  # fmt: skip
                continue
            for path, line, (script, share) in wrong:
                self.r.error(path, line, f"this text is in {unicodedata_ft.script_name(script, default=script)} script "
                             f"({share} % of its letters), but {lang.code} is written in {name} ({lang.script}): a "
                             f"text in another language's folder?")  # fmt: skip

    def _traits(self, a: AnswerSource, script: str | None = None) -> AnswerTraits:
        """The answer's traits as its loader noted them, or worked out now (measured against ``script``)."""
        if a.traits is not None and script in (None, a.traits.script):
            return a.traits
        return answer_traits(a, a, script or "", {})

    # --- keyboards ------------------------------------------------------------------------------
    def keyboards(self) -> None:
        for keyboard in self.g.keyboards.values():
            keys = [key for row in keyboard.rows for key in row]
            self.drawable(keyboard.path, keyboard.line, "".join(keys))
            seen: set[str] = set()
            for key in keys:
                if key in seen:
                    self.r.error(keyboard.path, keyboard.line, f"key '{key}' appears twice")
                seen.add(key)
        for language in self.g.languages:
            chosen = self.g.keyboards.get(language.keyboard)
            if chosen is not None:
                self.keyboard_types_the_answers(language.code, chosen)

    def keyboard_types_the_answers(self, lang: str, keyboard: KeyboardSource) -> None:
        """Warn about what a language's answers hold that its search keyboard cannot type: letters of its own
        script, digits, and the signs inside words (an apostrophe, a hyphen). Words in another script (names such
        as OCMW in an Arabic answer) are counted, not listed letter by letter. (Character sets, not words: a
        guide of thousands of answers is checked in a blink.)"""
        typeable: set[str] = set()
        for row in keyboard.rows:
            for key in row:
                forms = _vowel_forms(key) if keyboard.picker == "vowels" else [key]
                for form in forms:
                    typeable |= set(fold(form))
        answers = [a for (_q, code), a in self.g.answers.items() if code == lang]
        characters: set[str] = set()
        signs: set[str] = set()
        for a in answers:
            traits = self._traits(a)
            characters.update(traits.characters)
            signs.update(traits.word_signs)
        latin = keyboard.script == "Latn"
        folded = set(fold("".join(characters)))  # the characters once each: cheap for any size of guide
        needed = {ch for ch in folded if ch.isalnum() and (ch.isdigit() or latin or not ch.isascii())}
        needed |= {sign for sign in signs if sign in folded}
        missing = sorted(ch for ch in needed if ch not in typeable and ch != "_")
        switchable = LATIN_KEYBOARD in self.g.keyboards  # the kiosk's "ABC" key types them
        counted = not latin and not switchable and bool(folded & set(string.ascii_letters))
        # the texts themselves, only to name a word or count the Latin ones (rarely needed)
        text = "\n".join(f"{a.question}\n{a.short}\n{a.body}" for a in answers) if missing or counted else ""
        if missing:
            shown = ", ".join(f"'{ch}' (in '{_word_with(text, ch)}')" for ch in missing[:12])
            self.r.warning(keyboard.path, keyboard.line, f"the {lang} answers hold what this keyboard cannot type: "
                                                         f"{shown}; add keys for them")  # fmt: skip
        foreign = len(_LATIN_WORD.findall(text)) if counted else 0
        if foreign:
            self.r.warning(keyboard.path, keyboard.line, f"{foreign} words of the {lang} answers are in Latin "
                                                         f"letters, which this keyboard cannot type (add "
                                                         f"keyboards/{LATIN_KEYBOARD}.yaml: 'ABC')")  # fmt: skip

    # --- pronunciation --------------------------------------------------------------------------
    def lexicons(self) -> None:
        for lexicon in self.g.lexicons.values():
            for expression, say, line in lexicon.patterns:
                try:
                    groups = re.compile(expression).groups
                except re.error as exc:
                    self.r.error(lexicon.path, line, f"pattern '{expression}' is not a valid regular expression: {exc}")
                    continue
                used = [int(n) for n in re.findall(r"\\(\d+)", say)]
                if any(n > groups or n == 0 for n in used):
                    self.r.error(
                        lexicon.path, line, f"'{say}' refers to a part in (brackets) the pattern does not have"
                    )
