"""The guide's facts: every figure as data with a validity period, rendered per language (no Qt).

``content/facts.yaml`` names each figure once: its kind, value, the period it is valid for, its source, the date
it was checked and its verification mark (V verified, L likely, U unverified, as in the editors' brief). Answers
write ``{{fact-id}}`` instead of the figure; the build renders the fact in each language with that language's
conventions through Babel (CLDR): decimal sign, grouping, the currency symbol and its place, unit words, and
Latin or native digits as the language's ``strings.yaml`` says (``digits: native``). The rendering is wrapped in
a first-strong isolate, so a figure stays whole inside right-to-left text.

For the voice, each rendering also gets its words ("vierenveertig euro, twee cent") from num2words where it
covers the language; the build adds them to the language's pronunciation lexicon. Where num2words does not
cover a language, the engine reads the digits (noted by the check).

A fact's validity is judged on a given day (:func:`state`): the check warns ``WARN_DAYS`` before the end and
reports an expired fact as an error; the kiosk, on its own clock, shows an expired figure with its period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

from kiosk.content.model import Citation
from kiosk.content.problems import Report

KINDS = ("money", "rate-per-km", "distance", "number", "duration", "date")
DURATION_UNITS = {"hours": "duration-hour", "days": "duration-day", "weeks": "duration-week",
                  "months": "duration-month", "years": "duration-year"}  # fmt: skip
UNITS = frozenset({"length-kilometer", *DURATION_UNITS.values()})  # units a language may name itself (unit_...)
MARKS = ("V", "L", "U")
WARN_DAYS = 60
FACTS_FILE = "facts.yaml"
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"
# Babel locale for a guide language code where the code alone is not a CLDR locale (Dari is Persian of Afghanistan).
LOCALE_OF = {"prs": "fa_AF"}
# The digit zero of the numbering systems a language may ask for with ``digits: native`` (CLDR numbering systems).
_ZERO = {"arab": 0x0660, "arabext": 0x06F0, "deva": 0x0966, "beng": 0x09E6, "mymr": 0x1040}
# num2words language for a guide language code.
WORDS_LANG = {"prs": "fa"}
# Languages whose num2words currency mode says euros correctly (others get cardinal words + the strings' pattern).
CURRENCY_WORDS = {"nl", "fr", "en", "uk", "es", "ru", "de", "it", "pt", "pl"}
# Languages whose num2words reads a decimal such as 0.4326 digit by digit ("nul komma vier drie twee zes"; Arabic,
# Persian, Turkish and Ukrainian misread it): elsewhere such a figure needs the lexicon's words.
DECIMAL_WORDS = {"nl", "fr", "en"}


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    value: Decimal | dt.date
    unit: str  # duration only: hours, days, weeks, months, years
    valid_from: dt.date | None
    valid_until: dt.date | None  # the last day it holds
    approximate: bool
    source: Citation
    checked: dt.date
    mark: str
    about: str
    line: int


def state(fact: Fact, today: dt.date) -> str:
    """``current``, ``expiring`` (within WARN_DAYS of its last day), ``expired`` or ``future``."""
    if fact.valid_from is not None and today < fact.valid_from:
        return "future"
    if fact.valid_until is None:
        return "current"
    if today > fact.valid_until:
        return "expired"
    return "expiring" if (fact.valid_until - today).days < WARN_DAYS else "current"


# --- reading facts.yaml -------------------------------------------------------------------------------
def load_facts(root: Path, report: Report) -> dict[str, Fact]:
    """The facts of ``root/facts.yaml`` (none if the file is absent); problems go to ``report``."""
    from kiosk.content.files import ID_PATTERN, Fields, parse_yaml, read_text

    path = root / FACTS_FILE
    if not path.exists():
        return {}
    source = read_text(root, path, report)
    if source is None:
        return {}
    data = parse_yaml(source, report)
    top = Fields(data, source.path, report, FACTS_FILE)
    items = top.map.get("facts")
    if not isinstance(items, list):
        report.error(source.path, top.line("facts"), "'facts' must be a list of facts")
        return {}
    facts: dict[str, Fact] = {}
    for item in items:
        f = Fields(item, source.path, report, "fact", top.line("facts"))
        if not f.ok:
            continue
        fact = _fact(f, ID_PATTERN, source.path, report)
        if fact is None:
            continue
        if fact.id in facts:
            first = facts[fact.id].line
            report.error(source.path, fact.line, f"fact '{fact.id}' is defined twice (first at line {first})")
            continue
        facts[fact.id] = fact
    return facts


def _date(f: Any, key: str, path: str, report: Report, required: bool = False) -> dt.date | None:
    value = f.map.get(key)
    if value is None:
        if required:
            report.error(path, f.line(), f"fact: '{key}' is missing")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        report.error(path, f.line(key), f"fact: '{key}' must be a date like 2026-12-31")
        return None


def _fact(f: Any, id_pattern: re.Pattern[str], path: str, report: Report) -> Fact | None:
    fid = f.text("id")
    if fid and not id_pattern.match(fid):
        report.error(path, f.line("id"), f"fact: id '{fid}' may only hold a-z, 0-9 and '-'")
        return None
    if re.search(r"(19|20)\d\d", fid):
        report.error(path, f.line("id"), f"fact: id '{fid}' holds a year; the period belongs in valid_from/valid_until")
    kind = f.text("kind")
    if kind not in KINDS:
        report.error(path, f.line("kind"), f"fact '{fid}': kind '{kind}' is not one of {', '.join(KINDS)}")
        return None
    unit = f.text("unit", required=kind == "duration")
    if kind == "duration" and unit not in DURATION_UNITS:
        report.error(path, f.line("unit"), f"fact '{fid}': unit must be one of {', '.join(DURATION_UNITS)}")
        return None
    raw = f.map.get("value")
    value: Decimal | dt.date
    if kind == "date":
        parsed = _date(f, "value", path, report, required=True)
        if parsed is None:
            return None
        value = parsed
    else:
        try:
            if isinstance(raw, bool) or raw is None:
                raise InvalidOperation
            value = Decimal(str(raw))
            if not value.is_finite() or value < 0 or value > 10**9:
                raise InvalidOperation
        except InvalidOperation:
            report.error(path, f.line("value"), f"fact '{fid}': value must be a number like 44.02")
            return None
    valid_from, valid_until = _date(f, "valid_from", path, report), _date(f, "valid_until", path, report)
    if valid_from and valid_until and valid_until < valid_from:
        report.error(path, f.line("valid_until"), f"fact '{fid}': valid_until is before valid_from")
    mark = f.text("mark")
    if mark not in MARKS:
        report.error(path, f.line("mark"), f"fact '{fid}': mark must be V (verified), L (likely) or U (unverified)")
    source = f.map.get("source")
    citation = Citation("")
    if isinstance(source, dict) and isinstance(source.get("title"), str) and source["title"].strip():
        url = source.get("url")
        citation = Citation(source["title"].strip(), url.strip() if isinstance(url, str) else None)
        if citation.url is not None and not citation.url.startswith("https://") and not citation.url.startswith(
            "http://"
        ):
            report.error(path, f.line("source"), f"fact '{fid}': the source's url must start with https://")
    else:
        report.error(path, f.line("source"), f"fact '{fid}': 'source' needs a title (and a url where there is one)")
    checked = _date(f, "checked", path, report, required=True)
    approximate = f.map.get("approximate", False)
    return Fact(fid, kind, value, unit, valid_from, valid_until, approximate is True, citation,
                checked or dt.date.min, mark, f.text("about", required=False), f.line())  # fmt: skip


# --- rendering --------------------------------------------------------------------------------------
def babel_locale(code: str, locale: str = "") -> Locale:
    """The CLDR locale of a guide language (``locale`` from languages.yaml, else the code); raises ValueError."""
    name = (locale or LOCALE_OF.get(code, code)).replace("-", "_")
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"'{name}' is not a locale CLDR knows ({exc})") from None


class Renderer:
    """Renders facts in one language. ``strings`` are the language's screen texts (patterns for "per km", the
    expired form and the spoken money form); ``digits`` is ``latin`` or ``native``."""

    def __init__(self, code: str, locale: Locale, strings: dict[str, str], digits: str = "latin",
                 said: dict[str, tuple[str, str, int]] | None = None) -> None:  # fmt: skip
        self.code, self.locale, self.strings = code, locale, strings
        self.said = said or {}  # the lexicon's words per fact, where num2words does not cover the language
        self._shown: dict[tuple[object, ...], str] = {}
        self.numbering = locale.other_numbering_systems.get("native", "latn") if digits == "native" else "latn"

    def _number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, numbering_system=self.numbering, decimal_quantization=False)

    def _digits(self, text: str) -> str:
        """Babel gives a numbering system's separators; its digits are put in here (CLDR's zero of the system)."""
        zero = _ZERO.get(self.numbering)
        return text if zero is None else text.translate({ord("0") + i: zero + i for i in range(10)})

    def written(self, fact: Fact) -> str:
        """The figure as a reader of this language sees it (without the isolate)."""
        value = fact.value
        if isinstance(value, dt.date):
            return format_date(value, "long", locale=self.locale)
        if fact.kind in ("money", "rate-per-km"):
            whole = value == value.to_integral()
            amount = format_currency(value, "EUR", format=self._whole_pattern() if whole else None, locale=self.locale,
                                     currency_digits=not whole, decimal_quantization=False,
                                     numbering_system=self.numbering)  # fmt: skip
            if fact.kind == "rate-per-km":
                return self.strings.get("fact_per_km", "{amount}/km").format(amount=amount)
            return amount
        if fact.kind == "distance":
            return self._unit(value, "length-kilometer", "short")
        if fact.kind == "duration":
            return self._unit(value, DURATION_UNITS[fact.unit], "long")
        return self._number(value)

    def _unit(self, value: Decimal, unit: str, length: Literal["short", "long"]) -> str:
        """A figure with its unit; the language's strings may give the pattern (``unit_duration-hour: "{value} ..."``)
        where CLDR has none or a poor one (Pashto writes "24 h", Tigrinya "6/ኣዋርሕ")."""
        pattern = self.strings.get(f"unit_{unit}")
        if pattern:
            return pattern.format(value=self._number(value))
        return format_unit(value, unit, length=length, locale=self.locale, numbering_system=self.numbering)

    def _whole_pattern(self) -> str:
        """The locale's currency pattern without decimals (EUR 8, not EUR 8,00)."""
        pattern = self.locale.currency_formats["standard"].pattern.split(";")[0]
        return re.sub(r"0([.,]0+)", "0", pattern)

    def isolated(self, fact: Fact) -> str:
        return f"{FIRST_STRONG_ISOLATE}{self.shown(fact)}{POP_ISOLATE}"

    def shown(self, fact: Fact) -> str:
        """The figure in this language's digits."""
        key = (fact.id, fact.value, fact.kind, fact.unit)
        if key not in self._shown:
            self._shown[key] = self._digits(self.written(fact))
        return self._shown[key]

    def period(self, fact: Fact) -> str:
        """When the fact held: "2026" for a calendar year, else the dates."""
        start, end = fact.valid_from, fact.valid_until
        if start and end and start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
            return format_decimal(start.year, format="0", locale=self.locale, numbering_system=self.numbering)
        if start and end:
            return format_interval(start, end, "yMMMd", locale=self.locale)
        if end:
            return format_date(end, "long", locale=self.locale)
        return ""

    def expired(self, fact: Fact) -> str:
        """The figure with its period, for a fact whose period has passed: "in 2026: € 44,02"."""
        pattern = self.strings.get("fact_in_period", "{period}: {value}")
        return self._digits(pattern.format(period=self.period(fact), value=self.written(fact)))

    def spoken(self, fact: Fact) -> str | None:
        """The figure in words, or None where num2words does not cover the language (the engine reads digits)."""
        from num2words import CONVERTER_CLASSES, num2words

        lang = WORDS_LANG.get(self.code, self.code)
        if isinstance(fact.value, dt.date):
            return None
        if lang not in CONVERTER_CLASSES or self.said.get(fact.id):  # the lexicon's words come first
            return self.lexicon_words(fact)
        value = fact.value
        written = self.written(fact)
        if fact.kind in ("money", "rate-per-km"):
            words = self._money_words(value, lang)
            if words is None:
                return None
            if fact.kind == "rate-per-km":
                return self.strings.get("fact_per_km_spoken", "{amount} per km").format(amount=words)
            return words
        if fact.kind == "distance":  # the unit's name, not its abbreviation
            written = self._unit(value, "length-kilometer", "long")
        number = self._number(value)
        said = num2words(value if value != value.to_integral() else int(value), lang=lang)
        return written.replace(number, said) if number in written else said

    def _money_words(self, value: Decimal, lang: str) -> str | None:
        from babel.numbers import get_currency_name
        from num2words import num2words

        if value == value.to_integral():  # "acht euro", not "acht euro, nul cent"
            name = get_currency_name("EUR", count=int(value), locale=self.locale)
            return f"{num2words(int(value), lang=lang)} {name}"
        if value != value.quantize(Decimal("0.01")):  # a rate such as 0.4326: every digit, then the currency
            if lang not in DECIMAL_WORDS:
                return None
            return f"{num2words(value, lang=lang)} {get_currency_name('EUR', count=2, locale=self.locale)}"
        if lang in CURRENCY_WORDS:
            return str(num2words(float(value), lang=lang, to="currency", currency="EUR"))
        pattern = self.strings.get("fact_money_spoken")
        if not pattern:
            return None
        euros, cents = int(value), int((value - int(value)) * 100)
        whole = self.strings.get("fact_money_spoken_whole", pattern.split("{cents}")[0].rstrip(" و,"))
        chosen = pattern if cents else whole
        return chosen.format(euros=num2words(euros, lang=lang), cents=num2words(cents, lang=lang)).strip()


    def lexicon_words(self, fact: Fact) -> str | None:
        """The words the language's lexicon gives for ``fact``, if they were written for its current value."""
        entry = self.said.get(fact.id)
        if entry is None or not _same_value(entry[0], fact.value):
            return None
        return entry[1]


def _same_value(written: str, value: Decimal | dt.date) -> bool:
    try:
        return isinstance(value, Decimal) and Decimal(written) == value
    except InvalidOperation:
        return False


def expand(text: str, facts: dict[str, Fact], renderer: Renderer) -> tuple[str, list[str], list[str]]:
    """``text`` with every ``{{id}}`` replaced by its isolated rendering; also the ids used and the unknown ones."""
    used: list[str] = []
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        fid = match[1]
        fact = facts.get(fid)
        if fact is None:
            unknown.append(fid)
            return match[0]
        if fid not in used:
            used.append(fid)
        return renderer.isolated(fact)

    return PLACEHOLDER.sub(replace, text), used, unknown


# --- figures typed by hand -------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?(?![\w])|(?<![\w.,])\d+(?:[.,]\d+)?")


def typed_figures(text: str, facts: dict[str, Fact]) -> list[tuple[str, str]]:
    """Numbers in ``text`` (outside placeholders) that equal a fact's value: (as written, fact id). Small whole
    numbers (below 100) are left alone: they are too often something else (an article, an age, a count)."""
    return _typed_in(text, fact_values(facts))


_DIGIT = re.compile(r"\d")
_MAYBE_FACT = re.compile(r"\d(?:[.,]\d|\d\d)")  # what a fact's value (100 or more, or with decimals) looks like written


def _typed_in(text: str, values: dict[Decimal, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not values or not _DIGIT.search(text):
        return found
    for match in _NUMBER.finditer(PLACEHOLDER.sub(" ", text)):
        for candidate in _readings(match[0]):
            if candidate in values:
                found.append((match[0], values[candidate]))
                break
    return found


def fact_values(facts: dict[str, Fact]) -> dict[Decimal, str]:
    """The values a figure typed by hand is compared with, and the fact each one is."""
    values: dict[Decimal, str] = {}
    for fact in facts.values():
        if isinstance(fact.value, Decimal) and (fact.value >= 100 or fact.value != fact.value.to_integral()):
            values.setdefault(fact.value.normalize(), fact.id)
    return values


def _readings(written: str) -> list[Decimal]:
    """The values a written number may mean: "1.760,83" (Dutch) and "1,760.83" (English), "44,02" and "44.02"."""
    compact = re.sub(r"[\u00a0\u202f ]", "", written)
    out = []
    for group, decimal in ((".", ","), (",", ".")):
        candidate = compact.replace(group, "").replace(decimal, ".")
        try:
            out.append(Decimal(candidate).normalize())
        except InvalidOperation:
            continue
    return out


# --- applying facts to the guide's answers -------------------------------------------------------------
def renderers(guide: Any, report: Report) -> dict[str, Renderer]:
    """One renderer per language of ``guide`` (its strings with the source language's as fallback)."""
    out: dict[str, Renderer] = {}
    base = guide.strings.get(guide.source_language)
    for lang in guide.languages:
        try:
            locale = babel_locale(lang.code, lang.locale)
        except ValueError as exc:
            report.error("languages.yaml", lang.line, f"language '{lang.code}': {exc}; set 'locale:'")
            continue
        strings = guide.strings.get(lang.code)
        merged = {**(base.ui if base else {}), **(strings.ui if strings else {})}
        digits = strings.digits if strings else "latin"
        if digits not in ("latin", "native"):
            report.error(strings.path if strings else "", 1, f"digits must be 'latin' or 'native', not '{digits}'")
            digits = "latin"
        lexicon = guide.lexicons.get(lang.code)
        out[lang.code] = Renderer(lang.code, locale, merged, digits, lexicon.facts if lexicon else None)
    return out


def apply_facts(guide: Any, report: Report, today: dt.date) -> None:
    """Fill every answer's ``{{fact}}`` names in with the rendered figures (keeping the text hash of the text as
    written) and report: unknown names, facts marked U, expired facts (errors) and facts that expire within
    WARN_DAYS (warnings), each at the line that uses them, and figures typed by hand that equal a fact's value."""
    facts: dict[str, Fact] = guide.facts
    by_lang = renderers(guide, report)
    used_at: dict[str, list[tuple[str, int]]] = {}
    used_in: dict[str, set[str]] = {}
    values = fact_values(facts)  # (each answer's raw_hash, of the text as written, was set by its loader)
    for (qid, lang), a in sorted(guide.answers.items()):
        renderer = by_lang.get(lang)
        source = guide.answers.get((qid, guide.source_language))
        stale = lang != guide.source_language and source is not None and a.source_hash != source.raw_hash
        _typed_by_hand(a, values, report, stale)
        if renderer is None:
            continue
        changed = False
        for key in ("question", "short", "body", "spoken_short", "spoken_answer"):
            text = getattr(a, key)
            if text is None or "{{" not in text:
                continue
            expanded, used, unknown = expand(text, facts, renderer)
            line = _line_of(a, key, text)
            for fid in unknown:
                report.error(a.path, line(fid), f"'{{{{{fid}}}}}' names no fact in facts.yaml")
            for fid in used:
                used_at.setdefault(fid, []).append((a.path, line(fid)))
                used_in.setdefault(lang, set()).add(fid)
                if fid not in a.facts:
                    a.facts.append(fid)
            setattr(a, key, expanded)
            changed = True
        if changed and not a.prefilled:
            _expand_analysis(a, facts, renderer)
    for fid, places in sorted(used_at.items()):
        fact = facts[fid]
        judged = state(fact, today)
        for path, line in places:
            if fact.mark == "U":
                report.error(path, line, f"fact '{fid}' is marked U (unverified): an answer must not state it; "
                                         f"tell the reader to ask the staff or their social worker")  # fmt: skip
            if judged == "expired":
                report.error(path, line, f"fact '{fid}' expired on {fact.valid_until}: update it in facts.yaml")
            elif judged == "expiring":
                report.warning(path, line, f"fact '{fid}' expires on {fact.valid_until}: update it in facts.yaml soon")
            elif judged == "future":
                report.error(path, line, f"fact '{fid}' holds only from {fact.valid_from}")
    _lexicon_words(guide, by_lang, used_in, report)


def _lexicon_words(guide: Any, by_lang: dict[str, Renderer], used_in: dict[str, set[str]], report: Report) -> None:
    """For a voiced language num2words does not cover, the lexicon's words for each fact its answers use: missing
    or written for an older value (the voice then reads the digits) is a warning; words for no fact an error."""

    for lang in guide.languages:
        renderer = by_lang.get(lang.code)
        lexicon = guide.lexicons.get(lang.code)
        path = lexicon.path if lexicon else f"lang/{lang.code}/lexicon.yaml"
        for fid, (value, _, line) in sorted((lexicon.facts if lexicon else {}).items()):
            if fid not in guide.facts:
                report.error(path, line, f"words for fact '{fid}', which facts.yaml does not have")
            elif not _same_value(value, guide.facts[fid].value):
                now = guide.facts[fid].value
                report.warning(path, line, f"the words for fact '{fid}' were written for {value}; it is now {now}: "
                                           f"the voice reads the digits until they are updated")  # fmt: skip
        if renderer is None or not lang.voice:
            continue
        used = [guide.facts[fid] for fid in sorted(used_in.get(lang.code, set()))]
        missing = [f.id for f in used if not isinstance(f.value, dt.date) and renderer.spoken(f) is None]
        if missing:
            report.warning(path, 1, f"no words for a voice in '{lang.code}' (num2words does not say them): these "
                                    f"facts are read as digits until their words are written under 'facts:': "
                                    f"{', '.join(missing)}")  # fmt: skip


def _expand_analysis(a: Any, facts: dict[str, Fact], renderer: Renderer) -> None:
    """The body's parse (made in a worker process) with the figures filled in, rather than parsing it again: a
    ``{{name}}`` is plain text to Markdown, so it stands as written in the HTML and the plain text."""
    import dataclasses
    import html

    a.search_form = None
    if a.analysis is None:
        return
    text, _, _ = expand(a.analysis.text, facts, renderer)
    shown = PLACEHOLDER.sub(lambda m: html.escape(renderer.isolated(facts[m[1]])) if m[1] in facts else m[0],
                            a.analysis.html)  # fmt: skip
    a.analysis = dataclasses.replace(a.analysis, html=shown, text=text)


def _line_of(a: Any, key: str, text: str) -> Any:
    first: dict[str, int] = {}
    if key == "body":  # the line of each name's first use, counting line ends from one use to the next
        number, position = int(a.body_line), 0
        for match in PLACEHOLDER.finditer(text):
            number += text.count("\n", position, match.start())
            position = match.start()
            first.setdefault(match[1], number)

    def line(fid: str) -> int:
        if key != "body":
            return int(a.line_of.get(key, 2))
        return first.get(fid, int(a.body_line))

    return line


def _typed_by_hand(a: Any, values: dict[Decimal, str], report: Report, stale: bool) -> None:
    """A figure typed by hand is an error; in a translation that is out of date anyway (it is re-translated from
    the source, which names the fact) it is a warning."""
    for written, line, fid in a.traits.typed if a.traits is not None else typed_by_hand(a, values):
        message = f"the figure {written} is fact '{fid}': write {{{{{fid}}}}} instead"
        if stale:
            report.warning(a.path, line, f"{message} (when this out-of-date translation is updated)")
        else:
            report.error(a.path, line, message)


def typed_by_hand(a: Any, values: dict[Decimal, str]) -> list[tuple[str, int, str]]:
    """The figures in answer ``a`` (as written) that are a fact's value: (as written, line, fact id)."""
    found: list[tuple[str, int, str]] = []
    if not values:
        return found
    for key in ("question", "short", "body"):
        text = getattr(a, key)
        if not _MAYBE_FACT.search(text):  # no three digits and no decimals: no figure that could be a fact
            continue
        blanked = PLACEHOLDER.sub(lambda m: " " * len(m[0]), text)  # same offsets, names left out
        for match in _NUMBER.finditer(blanked):
            written = match[0]
            if len(written) < 3:  # a fact worth checking is 100 or more, or has decimals: never one or two digits
                continue
            fid = next((values[v] for v in _readings(written) if v in values), None)
            if fid is None:
                continue
            index = text.count("\n", 0, match.start())
            found.append((written, int(a.body_line) + index if key == "body" else int(a.line_of.get(key, 2)), fid))
    return found


def expired_facts(guide: Any, today: dt.date) -> list[str]:
    """The facts an answer uses that have expired on ``today``."""
    used = {fid for a in guide.answers.values() for fid in a.facts}
    return sorted(fid for fid in used if state(guide.facts[fid], today) == "expired")
