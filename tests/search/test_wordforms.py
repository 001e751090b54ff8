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


@pytest.mark.parametrize("lang", ["ar", "uk", "ti", "nl"])
def test_typos_are_exactly_the_words_one_edit_away(shipped_guide, lang):
    """The vocabulary looks for typos only among words of about the typed length that share its first or last
    letter: on the guide's own words, changed at random, it finds what a scan of every word and every key finds."""
    import random

    from kiosk.guide import GuideStore
    from kiosk.wordforms import MAX_FORMS, one_edit, typo_lengths

    vocabulary = GuideStore(shipped_guide).vocabulary(lang)
    typed_min, word_min = typo_lengths(lang)

    def scanned(typed: str) -> list[str]:
        folded = fold(typed)
        if len(folded) < typed_min or folded in vocabulary.words:
            return []
        out = {w for w in vocabulary.words if len(w) >= word_min and one_edit(w, folded)}
        k = key(typed, lang)
        if len(k) >= typed_min and k not in vocabulary.by_key:
            for other in vocabulary.by_key:
                if one_edit(other, k):
                    out |= {w for w in vocabulary.by_key[other] if len(w) >= word_min}
        return sorted(out)[:MAX_FORMS]

    rng = random.Random(lang)
    words = sorted(vocabulary.words)
    letters = sorted({ch for word in words for ch in word})
    found = 0
    for word in rng.sample(words, 60):
        at = rng.randrange(len(word) + 1)
        for typed in (word[:at] + rng.choice(letters) + word[at:], word[:at] + word[at + 1 :],
                      word[:at] + rng.choice(letters) + word[at + 1 :]):  # fmt: skip
            expected = scanned(typed)
            assert vocabulary.typos(typed) == expected, typed
            found += bool(expected)
    assert found > 30  # typos were really found, not only none


def test_one_edit_is_one_letter_missing_added_or_replaced():
    """Against its definition, on random words of a small alphabet (many near pairs)."""
    import random

    from kiosk.wordforms import one_edit

    def plain(a: str, b: str) -> bool:
        if a == b or abs(len(a) - len(b)) > 1:
            return False
        if len(a) == len(b):
            return sum(x != y for x, y in zip(a, b, strict=True)) == 1
        short, long = (a, b) if len(a) < len(b) else (b, a)
        return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))

    rng = random.Random(2)
    near = 0
    for _ in range(50_000):
        a = "".join(rng.choice("abب") for _ in range(rng.randint(0, 7)))
        b = "".join(rng.choice("abب") for _ in range(rng.randint(0, 7)))
        assert one_edit(a, b) == plain(a, b), (a, b)
        near += plain(a, b)
    assert near > 1_000
