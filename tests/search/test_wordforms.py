"""The light suffix rules of kiosk.wordforms for languages Snowball lacks: one key for the forms of a word."""

from __future__ import annotations

import pytest

from kiosk.wordforms import key


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("ka", ["კომპანია", "კომპანიები", "კომპანიის", "კომპანიებში", "კომპანიისთვის"]),
        ("ka", ["დაზღვევა", "დაზღვევის", "დაზღვევებს", "დაზღვევაში", "დაზღვევას", "დაზღვევაზე"]),
        ("kmr", ["rêxistin", "rêxistina", "rêxistinê", "rêxistinên", "rêxistinan", "rêxistinek"]),
        ("kmr", ["sîgorte", "sîgorteya", "sîgorteyê", "sîgorteyên"]),
        ("uk", ["організація", "організації", "організацією"]),
    ],
)
def test_the_forms_of_a_word_share_one_key(lang, forms):
    assert len({key(form, lang) for form in forms}) == 1, {form: key(form, lang) for form in forms}


@pytest.mark.parametrize(("lang", "word"), [("ka", "ხელი"), ("kmr", "kar"), ("kmr", "karê")])
def test_a_short_word_keeps_at_least_four_letters_or_stays_whole(lang, word):
    assert len(key(word, lang)) >= min(4, len(word) - 1)


def test_different_words_keep_different_keys():
    assert key("კომპანია", "ka") != key("კომპენსაცია", "ka")
    assert key("xebat", "kmr") != key("xebata", "kmr") or key("xebat", "kmr") == "xebat"
