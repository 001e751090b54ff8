"""The read API: opening safely, typed objects, fallback, search."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.guide import (
    GuideCorruptError,
    GuideNotFoundError,
    GuideSchemaError,
    GuideStore,
)
from tests.conftest import guide_copy


@pytest.fixture
def store(shipped_guide):
    with GuideStore(shipped_guide) as s:
        yield s


def test_wrong_path_is_an_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(GuideNotFoundError):
        GuideStore(missing)
    assert not missing.exists()


def test_corrupt_file_raises_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GuideCorruptError, match="not a usable guide database"):
        GuideStore(bad)


def test_truncated_database_raises(tmp_path, shipped_guide):
    bad = tmp_path / "truncated.sqlite"
    bad.write_bytes(shipped_guide.read_bytes()[:4096])
    with pytest.raises(GuideCorruptError):
        store = GuideStore(bad)
        store.search("verzekering", "nl")
        store.coverage()


def test_newer_schema_raises(tmp_path, shipped_guide):
    newer = guide_copy(shipped_guide, tmp_path / "newer.sqlite", schema_version="999")
    with pytest.raises(GuideSchemaError, match="newer kiosk"):
        GuideStore(newer)


def test_the_store_never_writes(store):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store._conn.execute("DELETE FROM meta")


def test_languages_in_their_order_with_direction(store):
    langs = store.languages()
    assert len(langs) >= 10
    assert langs[0].code == "ar"  # most used first
    assert [lang.position for lang in langs] == sorted(lang.position for lang in langs)
    by_code = {lang.code: lang for lang in langs}
    assert by_code["ar"].rtl and by_code["prs"].rtl and by_code["ps"].rtl
    assert not by_code["ti"].rtl and by_code["ti"].name == "ትግርኛ"


def test_topics_and_questions_by_audience(store):
    topics = store.topics("nl")
    assert len(topics) >= 8
    assert all(t.title and t.question_count > 0 for t in topics)
    resident_topics = {t.id for t in store.topics("nl", audience="resident")}
    assert "organisations" not in resident_topics
    org = store.questions("organisations", "nl", audience="organisation")
    assert org and all(q.audience in ("organisation", "both") for q in org)
    assert store.questions("organisations", "nl", audience="resident") == []
    assert sum(len(store.questions(t.id, "nl")) for t in topics) >= 35


def test_answer_in_the_source_language(store):
    answer = store.answer("volunteer-during-application", "nl")
    assert answer.lang == "nl" and not answer.fell_back and answer.status == "original"
    assert answer.question.endswith("?")
    assert answer.sources and answer.sources[0].title
    assert "<script" not in answer.body_html and answer.body_html.startswith("<")
    assert answer.checked.year >= 2026


def test_answer_falls_back_along_the_chain_and_says_so(tmp_path, content_copy):
    from kiosk import paths
    from kiosk.content.build import build

    for lang in ("ps", "prs", "en"):
        (content_copy / "lang" / lang / "answers" / "damage.md").unlink(missing_ok=True)
    out = tmp_path / "g.sqlite"
    build(content_copy, out, paths.icons_dir(), paths.fonts_dir())
    with GuideStore(out) as s:
        answer = s.answer("damage", "ps")  # ps -> prs -> en -> nl
        assert answer.fell_back and answer.lang == "nl" and answer.requested_lang == "ps"
        summary = next(q for q in s.questions("insurance", "ps") if q.id == "damage")
        assert summary.fell_back and summary.lang == "nl"


def test_ui_strings_complete_in_every_language(store):
    nl = store.ui_strings("nl")
    for lang in store.languages():
        strings = store.ui_strings(lang.code)
        assert set(strings) == set(nl)


def test_unknown_question_and_language(store):
    with pytest.raises(KeyError):
        store.answer("no-such-question", "nl")
    with pytest.raises(KeyError):
        store.search("x", "xx")


def test_search_dutch_word_finds_insurance_answers(store):
    hits = store.search("verzekering", "nl")
    assert hits and hits[0].topic_id in ("insurance", "organisations")
    assert {"am-i-insured", "org-must-insure"} & {h.question_id for h in hits[:5]}


def test_search_prefix_while_typing(store):
    partial = store.search("verzek", "nl")
    assert store.search("verzekering", "nl")[0].question_id in {h.question_id for h in partial}
    marked = [hit.snippet[s:e] for hit in partial for s, e in hit.snippet_highlights]
    assert marked and all(word.casefold().startswith("verzek") for word in marked)


def test_search_folds_accents(store):
    assert store.search("leefloon", "nl") and store.search("LEEFLOON", "nl")


def test_highlights_point_at_the_matched_words(store):
    for hit in store.search("vergoeding", "nl"):
        for start, end in hit.snippet_highlights:
            assert hit.snippet[start:end].casefold().startswith("vergoeding")
        for start, end in hit.question_highlights:
            assert hit.question[start:end].casefold().startswith("vergoeding")
    assert any(h.snippet_highlights for h in store.search("vergoeding", "nl"))


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "NOT",
        "-",
        "a OR b",
        "*",
        "verzekering)",
        "(",
        "NEAR(a b)",
        "x" * 10_000,
        "\x00",
        "'; DROP TABLE meta; --",
        "   ",
        "",
    ],
)
def test_search_is_safe_for_any_input(store, query):
    assert isinstance(store.search(query, "nl"), list)


def test_search_audience_filter(store):
    hits = store.search("verzekering", "nl", audience="resident")
    assert hits and all(h.question_id and not h.question_id.startswith("org-") for h in hits)


def test_coverage_counts_every_question_once(store):
    total = len(store.question_ids())
    for c in store.coverage():
        assert c.present + c.missing == total
    nl = next(c for c in store.coverage() if c.lang == "nl")
    assert nl.original == total and nl.missing == 0


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("nl", "verzekering", "am-i-insured"),
        ("en", "insurance", "am-i-insured"),
        ("fr", "assurance", "am-i-insured"),
        ("ar", "التأمين", "am-i-insured"),
        ("ar", "التَّأْمِين", "am-i-insured"),  # with harakat: the same answers
        ("ar", "تأمين", "am-i-insured"),
        ("ti", "መድሕን", "am-i-insured"),
        ("uk", "страхування", "am-i-insured"),
        ("prs", "بيمه", "am-i-insured"),  # typed with the Arabic ya
        ("prs", "كارت نارنجي", "which-document"),  # typed with the Arabic kaf and ya
    ],
)
def test_search_finds_the_right_answer_in_every_script(store, lang, query, expected):
    hits = store.search(query, lang)
    assert expected in [h.question_id for h in hits[:5]], [h.question_id for h in hits]
    assert all(h.lang == lang for h in hits[:5])


def test_arabic_with_and_without_harakat_give_the_same_results(store):
    plain = [h.question_id for h in store.search("التأمين", "ar")]
    marked = [h.question_id for h in store.search("التَّأْمِين", "ar")]
    assert plain and plain == marked


def test_only_the_last_few_languages_keep_their_search_vocabulary(store):
    """A vocabulary is 10-20 MiB; a kiosk that kept all fifteen would spend most of its memory on them."""
    from kiosk.guide import VOCABULARIES

    before = store.search_ids("zakgelt", "nl")  # a typo: found through the Dutch vocabulary
    for lang in [lang.code for lang in store.languages()]:
        store.vocabulary(lang)
    assert len(store._vocabularies) == VOCABULARIES and "nl" not in store._vocabularies
    store._searches.clear()
    assert store.search_ids("zakgelt", "nl") == before and before  # built again, the same answers
    assert list(store._vocabularies)[-1] == "nl"
