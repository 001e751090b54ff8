"""The light suffix rules of kiosk.wordforms for languages Snowball lacks: one key for the forms of a word."""

from __future__ import annotations

import pytest

from kiosk.content.fold import fold
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


@pytest.mark.parametrize(("lang", "word"), [("ka", "ხელი"), ("kmr", "kar"), ("kmr", "karê"), ("ka", "ქალი")])
def test_an_ending_is_cut_only_where_four_letters_remain(lang, word):
    """ხელი (hand) is not ხელ-: a cut that would leave fewer than four letters is not made."""
    assert key(word, lang) == fold(word)


def test_different_words_keep_different_keys():
    assert key("კომპანია", "ka") != key("კომპენსაცია", "ka")
    assert key("xebat", "kmr") == "xebat"  # no ending: the word stays whole
