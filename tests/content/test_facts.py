"""Facts as data (issue #13): rendered per locale, judged by date in the check, the build and the kiosk."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.content.build import build
from kiosk.content.check import check
from kiosk.content.facts import Fact, Renderer, babel_locale, state, typed_figures
from kiosk.content.model import Citation
from kiosk.content.problems import ContentError
from kiosk.guide import GuideStore

FSI, PDI = "\u2068", "\u2069"
STRINGS = {"fact_per_km": "{amount} per km", "fact_in_period": "in {period}: {value}"}


def fact(kind="money", value="44.02", unit="", until=dt.date(2026, 12, 31), mark="V", fid="amount") -> Fact:
    number = value if isinstance(value, dt.date) else Decimal(value)
    return Fact(fid, kind, number, unit, dt.date(2026, 1, 1), until, False, Citation("t", "https://x"),
                dt.date(2026, 11, 27), mark, "", 1)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "digits", "expected"),
    [
        ("nl", "latin", "€\u00a044,02"),
        ("fr", "latin", "44,02\u00a0€"),
        ("en", "latin", "€44.02"),
        ("uk", "latin", "44,02\u00a0EUR"),
        ("tr", "latin", "€44,02"),
        ("ti", "latin", "€44.02"),
        ("so", "latin", "€44.02"),
        ("ps", "latin", "€\u00a044,02"),
        ("ar", "native", "\u200f٤٤٫٠٢\u00a0€"),
        ("prs", "native", "\u200e€\u00a0۴۴٫۰۲"),
    ],
)
def test_money_follows_each_locales_conventions(lang, digits, expected):
    assert Renderer(lang, babel_locale(lang), STRINGS, digits).shown(fact()) == expected


def test_other_kinds_and_the_expired_form():
    nl = Renderer("nl", babel_locale("nl", "nl-BE"), STRINGS)
    assert nl.shown(fact("money", "1760.83")) == "€\u00a01.760,83"
    assert nl.shown(fact("money", "8")) == "€\u00a08"
    assert nl.shown(fact("rate-per-km", "0.4326")) == "€\u00a00,4326 per km"
    assert nl.shown(fact("distance", "2000")) == "2.000 km"
    assert nl.shown(fact("duration", "4", "months")) == "4 maanden"
    assert nl.expired(fact()) == "in 2026: €\u00a044,02"
    assert nl.spoken(fact()) == "vierenveertig euro, twee cent"
    assert nl.spoken(fact("duration", "4", "months")) == "vier maanden"


def test_validity_states():
    f = fact(until=dt.date(2026, 12, 31))
    assert state(f, dt.date(2026, 10, 1)) == "current"
    assert state(f, dt.date(2026, 12, 5)) == "expiring"
    assert state(f, dt.date(2027, 1, 2)) == "expired"
    assert state(f, dt.date(2025, 12, 31)) == "future"


def test_figures_typed_by_hand_are_found_in_both_notations():
    facts = {"flat-rate-year": fact(value="1760.83", fid="flat-rate-year"), "small": fact(value="16", fid="small")}
    assert typed_figures("maximaal EUR 1.760,83 per jaar", facts) == [("1.760,83", "flat-rate-year")]
    assert typed_figures("up to EUR 1,760.83", facts) == [("1,760.83", "flat-rate-year")]
    assert typed_figures("vanaf 16 jaar, {{flat-rate-year}}", facts) == []


FACTS_YAML = """facts:
  - id: test-amount
    kind: money
    value: 12.34
    valid_from: 2026-01-01
    valid_until: 2026-12-31
    source: {title: "A source", url: "https://example.org/amounts"}
    checked: 2026-11-27
    mark: V
  - id: test-unsure
    kind: money
    value: 99.99
    source: {title: "A source"}
    checked: 2026-11-27
    mark: U
"""


@pytest.fixture
def facts_content(content_copy: Path) -> Path:
    facts = content_copy / "facts.yaml"
    shipped = facts.read_text(encoding="utf-8") if facts.exists() else "facts:\n"
    facts.write_text(shipped.rstrip("\n") + "\n" + FACTS_YAML.removeprefix("facts:\n"), encoding="utf-8")
    answer = content_copy / "lang/nl/answers/accident.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nTestbedrag: {{test-amount}}.\n", encoding="utf-8")
    return content_copy


def _problems(report, path_part):
    return [(p.severity.value, p.line, p.message) for p in report.sorted() if path_part in p.path]


def test_the_check_judges_facts_by_the_day_given(facts_content):
    lines = (facts_content / "lang/nl/answers/accident.md").read_text(encoding="utf-8").split("\n")
    where = next(i for i, line in enumerate(lines) if "{{test-amount}}" in line) + 1
    _, report = check(facts_content, paths.icons_dir(), paths.fonts_dir(), dt.date(2027, 1, 2))
    assert ("error", where, "fact 'test-amount' expired on 2026-12-31: update it in facts.yaml") in _problems(
        report, "nl/answers/accident.md"
    )
    _, report = check(facts_content, paths.icons_dir(), paths.fonts_dir(), dt.date(2026, 12, 5))
    assert any(s == "warning" and "expires on 2026-12-31" in m for s, _l, m in _problems(report, "nl/answers/accident"))


def test_unverified_unknown_and_typed_figures_are_errors(facts_content):
    answer = facts_content / "lang/nl/answers/accident.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\n{{test-unsure}} {{no-such-fact}} en EUR 12,34.\n",
                      encoding="utf-8")  # fmt: skip
    _, report = check(facts_content, paths.icons_dir(), paths.fonts_dir(), dt.date(2026, 10, 1))
    messages = " | ".join(m for _s, _l, m in _problems(report, "nl/answers/accident.md"))
    assert "fact 'test-unsure' is marked U" in messages
    assert "'{{no-such-fact}}' names no fact" in messages
    assert "the figure 12,34 is fact 'test-amount'" in messages


def test_build_refuses_expired_facts_unless_allowed_and_the_kiosk_shows_the_period(facts_content, tmp_path):
    out = tmp_path / "guide.sqlite"
    build(facts_content, out, paths.icons_dir(), paths.fonts_dir(), dt.date(2026, 12, 5))
    with pytest.raises(ContentError) as refused:
        build(facts_content, tmp_path / "refused.sqlite", paths.icons_dir(), paths.fonts_dir(), dt.date(2027, 1, 2))
    assert any("test-amount" in p.message and "expired" in p.message for p in refused.value.report.errors)
    assert any("flat-rate-day" in p.message and "expired" in p.message for p in refused.value.report.errors)
    assert not (tmp_path / "refused.sqlite").exists()
    allowed = tmp_path / "allowed.sqlite"
    build(facts_content, allowed, paths.icons_dir(), paths.fonts_dir(), dt.date(2027, 1, 2), allow_expired=True)
    with sqlite3.connect(allowed) as conn:
        expired = conn.execute("SELECT value FROM meta WHERE key = 'expired_facts'").fetchone()[0]
        assert "test-amount" in expired and "flat-rate-day" in expired
    with GuideStore(out) as store:
        now = store.answer("accident", "nl", today=dt.date(2026, 12, 5))
        assert f"{FSI}€\u00a012,34{PDI}" in now.body_text and not now.may_be_outdated
        later = store.answer("accident", "nl", today=dt.date(2027, 1, 2))
        assert f"{FSI}in 2026: €\u00a012,34{PDI}" in later.body_text and later.expired_facts == ("test-amount",)
        assert "in 2026: €\u00a012,34" in later.body_html
        never_set = store.answer("accident", "nl", today=dt.date(2000, 1, 1))  # a clock before the edition
        assert not never_set.may_be_outdated
        ending = store.facts_ending(dt.date(2027, 1, 2))
        assert ("test-amount", "2026-12-31", True) in ending
        assert "car-rate-quarterly" not in {fid for fid, _d, _e in ending}  # expired, but no answer uses it
        words = dict((w, s) for w, s, _p in store.lexicon("nl"))
        assert words["€\u00a012,34"] == "twaalf euro, vierendertig cent"


def test_a_language_may_name_a_unit_where_cldr_is_poor():
    ps = Renderer("ps", babel_locale("ps"), {**STRINGS, "unit_duration-hour": "{value} ساعته"})
    assert ps.shown(fact("duration", "24", "hours")) == "24 ساعته"  # CLDR alone gives "24 h"
    ti = Renderer("ti", babel_locale("ti"), {**STRINGS, "unit_duration-month": "{value} ኣዋርሕ"})
    assert ti.shown(fact("duration", "6", "months")) == "6 ኣዋርሕ"  # CLDR alone gives "6/ኣዋርሕ"


def test_a_rate_with_more_than_cents_is_read_digit_by_digit_or_not_at_all():
    nl = Renderer("nl", babel_locale("nl"), {**STRINGS, "fact_per_km_spoken": "{amount} per kilometer"})
    assert nl.spoken(fact("rate-per-km", "0.4326")) == "nul komma vier drie twee zes euro per kilometer"
    # num2words misreads such a decimal in Arabic: better the digits than a wrong amount
    assert Renderer("ar", babel_locale("ar"), STRINGS).spoken(fact("rate-per-km", "0.4326")) is None


def test_the_lexicon_says_a_fact_where_num2words_cannot_and_only_for_its_value():
    said = {"amount": ("44.02", "ኣርብዓን ኣርባዕተን ዩሮን ክልተ ሳንቲምን", 3)}
    ti = Renderer("ti", babel_locale("ti"), STRINGS, said=said)
    assert ti.spoken(fact()) == "ኣርብዓን ኣርባዕተን ዩሮን ክልተ ሳንቲምን"
    assert ti.spoken(fact(value="45.10")) is None  # written for last year's value: the digits, not a wrong amount
    assert Renderer("ti", babel_locale("ti"), STRINGS).spoken(fact()) is None


def test_the_check_names_missing_stale_and_unknown_words_in_a_lexicon(content_copy):
    lexicon = content_copy / "lang/ti/lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8")
    text = text.replace("flat-rate-day: {value: 44.02,", "flat-rate-day: {value: 43.50,")
    text = text.replace("  min-age: {value: 16, say: \"ዓሰርተ ሽዱሽተ\"}\n", "")
    lexicon.write_text(text + "  no-such-fact: {value: 1, say: \"ሓደ\"}\n", encoding="utf-8")
    strings = content_copy / "lang/ps/strings.yaml"
    strings.write_text(strings.read_text(encoding="utf-8").replace(
        'unit_duration-hour: "{value} ساعته"', 'unit_duration-hour: "ساعته"\n  unit_furlong: "{value} x"'),
        encoding="utf-8")  # fmt: skip
    _, report = check(content_copy, paths.icons_dir(), paths.fonts_dir(), dt.date(2026, 10, 1))
    ti = _problems(report, "lang/ti/lexicon.yaml")
    assert any(s == "warning" and "'flat-rate-day' were written for 43.5; it is now 44.02" in m for s, _l, m in ti)
    assert any(s == "error" and "words for fact 'no-such-fact'" in m for s, _l, m in ti)
    missing = next(m for s, _l, m in ti if s == "warning" and "read as digits" in m)
    assert "flat-rate-day" in missing and "min-age" in missing and "travel-cap" not in missing
    ps = " | ".join(m for s, _l, m in _problems(report, "lang/ps/strings.yaml") if s == "error")
    assert "'unit_duration-hour' must hold {value}" in ps and "'unit_furlong': the unit must be one of" in ps
