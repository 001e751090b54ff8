"""The query set (tests/search/queries.yaml): realistic queries per language, each with the answer that must be
in the top 5: with and without articles and prefixes, other word forms, a typo, no diacritics (issue #17)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from kiosk.guide import GuideStore

QUERIES = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text(encoding="utf-8"))
OVERALL_GOAL, LANGUAGE_FLOOR = 0.95, 0.90  # the goals of issue #17


def recall(store: GuideStore) -> dict[str, tuple[int, int, list[str]]]:
    """Per language: (found in the top 5, queries, the queries that missed)."""
    out: dict[str, tuple[int, int, list[str]]] = {}
    for lang, items in QUERIES.items():
        missed = [f"{q['query']} -> {q['expect']} ({q['kind']})" for q in items
                  if q["expect"] not in [qid for qid, _ in store.search_ids(q["query"], lang)][:5]]  # fmt: skip
        out[lang] = (len(items) - len(missed), len(items), missed)
    return out


def test_the_query_set_is_realistic_and_complete(shipped_guide):
    store = GuideStore(shipped_guide)
    ids = set(store.question_ids())
    assert set(QUERIES) == {lang.code for lang in store.languages()}
    kinds: dict[str, set[str]] = defaultdict(set)
    for lang, items in QUERIES.items():
        assert len(items) >= 10, lang
        for q in items:
            assert q["expect"] in ids, q
            kinds[lang].add(q["kind"])
        assert {"plain", "form", "typo"} <= kinds[lang], lang


def test_recall_at_5(shipped_guide):
    results = recall(GuideStore(shipped_guide))
    found = sum(r[0] for r in results.values())
    total = sum(r[1] for r in results.values())
    report = "\n".join(f"{lang}: {ok}/{n}  missed: {missed}" for lang, (ok, n, missed) in results.items())
    assert found / total >= OVERALL_GOAL, report
    for lang, (ok, n, _missed) in results.items():
        assert ok / n >= LANGUAGE_FLOOR, f"{lang}\n{report}"


@pytest.mark.parametrize(("lang", "typed", "expect"), [
    ("ar", "والحقوق", "for-my-employer"),  # article and conjunction attached: the text has حقوق
    ("tr", "sözleşmesi", "written-agreement"),
    ("nl", "zakgelt", "pocket-money"),  # one letter wrong
    ("en", "pocket mony", "pocket-money"),  # one letter missing
    ("uk", "роботодавець", "for-my-employer"),
    ("ti", "ውዕላት", "written-agreement"),
])  # fmt: skip
def test_forms_and_typos_rank_below_what_was_typed(shipped_guide, lang, typed, expect):
    store = GuideStore(shipped_guide)
    found = [qid for qid, _ in store.search_ids(typed, lang)]
    assert expect in found[:5]


def test_exact_matches_come_first(shipped_guide):
    """An answer with the word as typed ranks above one found through another form of it."""
    store = GuideStore(shipped_guide)
    exact = [qid for qid in store._match('"zakgeld"*', "nl", None)]
    found = [qid for qid, _ in store.search_ids("zakgeld", "nl")]
    assert found[: len(exact)] == exact


def test_hostile_queries_never_reach_the_query_syntax(shipped_guide):
    store = GuideStore(shipped_guide)
    for query in ['"', 'a" OR "b', "NEAR(a b)", "*", "a AND", "^x", "x:y", "-", "(", '""""', "\x00", "a" * 5000]:
        store.search_ids(query, "nl")  # no error
