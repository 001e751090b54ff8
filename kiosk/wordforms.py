"""Word forms for search: what a typed word may look like in the guide's text (no Qt).

People type a word as they know it; the text has it with a prefix, a suffix or one letter different. Search
first matches what was typed as the start of words (kiosk.guide); then this module widens each typed word to the
words of the guide's own vocabulary (the terms of that language's full-text index) that are a form of it:

- **the same key**: query and text go through one path, :func:`key`: the folded word (kiosk.content.fold),
  without its Arabic-script proclitics (ar, prs, fa, ps, ckb: the article ال and the one-letter particles
  و ف ب ل ك, alone and combined, e.g. وبال, فلل; only while at least three letters remain), then its stem:
  Snowball (PyStemmer) where Snowball has the language (nl, en, fr, tr, ar, fa/prs, ru, es, de, ...), else the
  light suffix rules below; with no rule for a language the key is the folded word.
- **a longer form of the same stem**: a text key that begins with the typed key's stem, or whose key the typed
  key begins with, when they share at least four letters and differ by at most :data:`MAX_SUFFIX_GAP` letters
  ("sözleşmesi" ~ "sözleşme", "harçlığımı" ~ "harçlık").
- **one typo**: a vocabulary word of five letters or more at one edit (a letter missing, added, or replaced)
  of the typed word ("zakgelt" ~ "zakgeld", "mony" ~ "money"), among the words of about its length that share
  its first or its last letters.

Light rules, where Snowball has no stemmer and the rule is safe:
- Tigrinya (ti, also am): a word is compared by its consonants (each Ethiopic syllable -> the first form of its
  row): words of one root differ in their vowels ("ውዕል" ~ "ውዕላት", "ዩክሬን" ~ "ዩክሬናዊ"); stems of three
  letters count (an Ethiopic letter is a syllable).
- Ukrainian (uk): the common case and adjective endings (-ами, -ями, -ові, -ого, -ому, -ими, -их, -ах, -ях,
  -ою, -ею, -ів, -їв, -ий, -ій, -ої, -ом, -ем, -у, -ю, -а, -я, -і, -и, -е, -о, -ь), removed once, leaving at
  least four letters ("договору" ~ "договір" is left to the suffix-gap and typo rules: the vowel changes).
- Georgian (ka): the case endings and postpositions, also after the plural -ებ-, and the nominative -ი
  ("კომპანიებში" ~ "კომპანია"); a stem whose vowel drops ("დამსაქმებელი", "დამსაქმებლის") is left to the typo rule.
- Kurmanji (kmr): the ezafe and oblique endings (-a, -ya, -ê, -yê, -ên, -yên, -î), the indefinite -ek (-eke, -ekê)
  and the plural -an ("rêxistinên" ~ "rêxistin").
Each rule removes one ending, leaving at least four letters. Sorani (ckb) has only the Arabic-script folding and
proclitics: its suffixes (-ەکە, -ەکان, -ێک) attach to the end, where typing the word's start already finds it.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from kiosk.content.fold import fold

try:  # PyStemmer: Snowball's stemmers in C
    import Stemmer as _stemmer
except ImportError:  # pragma: no cover - a kiosk built without it searches without stems
    _stemmer = None

ARABIC_SCRIPT = {"ar", "prs", "fa", "ps", "ckb"}
ETHIOPIC = {"ti", "am"}
# Ethiopic syllables -> their consonant (the first of each row of eight): Tigrinya words of one root differ in
# their vowels (ውዕል, ውዕላት; ዩክሬን, ዩክሬናዊ), so they are compared by their consonants
_ETHIOPIC_CONSONANTS = {cp: cp - (cp - 0x1200) % 8 for cp in range(0x1200, 0x1358)}
SNOWBALL = {"nl": "dutch", "en": "english", "fr": "french", "tr": "turkish", "ar": "arabic", "prs": "persian",
            "fa": "persian", "ru": "russian", "es": "spanish", "de": "german", "it": "italian",
            "pt": "portuguese"}  # fmt: skip
# Arabic-script proclitics as folded (kiosk.content.fold): conjunctions, then a preposition, then the article.
_CONJUNCTIONS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")
_ARTICLE = "ال"
_UK_ENDINGS = tuple(sorted(("ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "их", "іх", "ах", "ях", "ою",
                            "ею", "єю", "ів", "їв", "ий", "ій", "ої", "ом", "ем", "у", "ю", "а", "я", "і", "и", "е",
                            "о", "ь", "ї"), key=len, reverse=True))  # fmt: skip
# Georgian has no Snowball stemmer: its case endings and postpositions (on the plural -ებ- too, and on a stem's
# final vowel: დაზღვევაში), and the nominative -ი, are cut (კომპანია, კომპანიები, კომპანიებში -> კომპანი).
# A stem that changes inside (the syncope of დამსაქმებელი, დამსაქმებლის) is left to the typo tolerance.
_KA_ENDINGS = tuple(sorted(
    {f"{plural}{case}" for plural in ("", "ებ") for case in ("ისთვის", "ისგან", "იდან", "ამდე", "ში", "ზე", "თან",
                                                            "ით", "ის", "ად", "მა", "ს", "ი", "ო")}
    | {f"{vowel}{case}" for vowel in "აეო" for case in ("ში", "ზე", "თან", "დან", "მდე", "ს", "თ", "მ", "")}
    | {"ებ"}, key=len, reverse=True))  # fmt: skip
# Kurmanji has none either: its ezafe and oblique endings, the indefinite -ek and the plural -an (-ên) are cut
# (rêxistin, rêxistina, rêxistinê, rêxistinên, rêxistinan, rêxistinek -> rêxistin).
_KMR_ENDINGS = tuple(sorted(("yên", "ên", "yê", "ê", "ya", "a", "yan", "an", "ekê", "ekî", "eke", "ek", "î", "yî"),
                            key=len, reverse=True))  # fmt: skip
MIN_STEM = 4
MAX_SUFFIX_GAP = 3
TYPO_MIN_LETTERS = 5
MAX_FORMS = 40  # vocabulary words one typed word may widen to


def strip_proclitics(word: str, lang: str = "ar") -> str:
    """An Arabic-script word (folded) without its leading particles and article, keeping at least 3 letters
    (Pashto: also the particle د, often typed joined to its noun)."""
    rest = word
    if lang == "ps" and len(rest) > 4 and rest[0] == "د":
        rest = rest[1:]
    for group in (_CONJUNCTIONS, _PREPOSITIONS):
        if len(rest) > 3 and rest[0] in group:
            rest = rest[1:]
    if rest.startswith(_ARTICLE) and len(rest) - 2 >= 3:
        rest = rest[2:]
    elif rest.startswith("ل" + "ل") and len(rest) - 2 >= 3 and word.startswith(("لل", "ولل", "فلل")):
        rest = rest[2:]  # لل: ل + the article with its alef dropped
    return rest if len(rest) >= 3 else word


@functools.lru_cache(maxsize=16)
def _snowball(lang: str) -> object | None:
    name = SNOWBALL.get(lang)
    if name is None or _stemmer is None:
        return None
    return cast(object, _stemmer.Stemmer(name))


def _cut(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


LIGHT_RULES = {"ka": _KA_ENDINGS, "kmr": _KMR_ENDINGS}


def _uk_stem(word: str) -> str:
    if word.endswith("ець") and len(word) > 5:  # the fleeting e: роботодавець, роботодавця
        return word[:-3] + "ц"
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def key(word: str, lang: str) -> str:
    """The form a word is compared by (see the module): Arabic script folded, without its proclitics, then
    stemmed; other scripts stemmed as written (Snowball needs the language's own letters: Turkish ğ, ç), then
    folded (so that a word typed without them still meets it)."""
    base = lang.split("-")[0]
    stemmer = _snowball(base)
    if base in ARABIC_SCRIPT:
        folded = strip_proclitics(fold(word), base)
        if stemmer is None:
            return folded
        stem: str = stemmer.stemWord(folded)  # type: ignore[attr-defined]
        return stem if len(stem) >= 2 else folded
    if base in ETHIOPIC:
        return fold(word).translate(_ETHIOPIC_CONSONANTS)
    lower = word.casefold()
    if stemmer is not None:
        lower = stemmer.stemWord(lower)  # type: ignore[attr-defined]
    elif base == "uk":
        lower = _uk_stem(lower)
    elif base in LIGHT_RULES:
        lower = _cut(lower, LIGHT_RULES[base])
    return fold(lower)


def min_stem(lang: str) -> int:
    return 3 if lang.split("-")[0] in ETHIOPIC else MIN_STEM


def typo_lengths(lang: str) -> tuple[int, int]:
    """(the fewest letters a typed word has, the fewest a vocabulary word has) for a typo to be looked for: an
    Ethiopic letter is a whole syllable, so there words are shorter."""
    return (3, 4) if lang.split("-")[0] in ETHIOPIC else (TYPO_MIN_LETTERS - 1, TYPO_MIN_LETTERS)


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one letter missing, added or replaced (the typo search asks this
    of every word it scans: comparisons of whole slices, not a loop over the letters)."""
    if a == b:
        return False
    if len(a) == len(b):
        return bool(sum(map(operator.ne, a, b)) == 1)
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    same, differ = 0, len(short)  # the length of their common beginning, found by halving
    while same < differ:
        middle = (same + differ + 1) // 2
        if short[:middle] == long[:middle]:
            same = middle
        else:
            differ = middle - 1
    return short[same:] == long[same + 1 :]  # the letter after the common beginning is the one added


@dataclass
class Vocabulary:
    """The words of one language's answers (as written), arranged to find a typed word's forms and typos; the
    words it gives back are folded (the search index's terms).

    Typos are found by scanning the few words of about the typed word's length that share its first or its last
    letters (one edit leaves one end in place) rather than through an index of every word's one-letter deletions:
    the same words, in a fifth of the memory (a kiosk keeps a few languages' vocabularies; the deletion index made
    them 10-20 MiB each)."""

    lang: str
    words: frozenset[str] = frozenset()
    by_key: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # sorted: the keys that begin with a key are a range
    # (length, beginning, False) and (length, ending, True) -> the words, and the keys, with them (see _by_ends)
    word_ends: dict[tuple[int, str, bool], tuple[str, ...]] = field(default_factory=dict)
    key_ends: dict[tuple[int, str, bool], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, lang: str, written: Iterable[str]) -> Vocabulary:
        """From the words as written in the answers (original letters: the stemmers need them)."""
        words: set[str] = set()
        by_key: dict[str, set[str]] = defaultdict(set)
        for word in set(written):
            term = fold(word)
            if not term or term.isdigit():
                continue
            words.add(term)
            by_key[key(word, lang)].add(term)
        return cls(lang, frozenset(words), {k: tuple(sorted(terms)) for k, terms in by_key.items()}, sorted(by_key),
                   _by_ends(words), _by_ends(by_key))  # fmt: skip

    def forms(self, typed: str) -> list[str]:
        """Vocabulary words that are another form of ``typed`` (as typed): the same key, or a longer or shorter
        form of the same stem (see the module); not the words the folded typed word already begins."""
        k = key(typed, self.lang)
        found: set[str] = set(self.by_key.get(k, ()))
        shortest = min_stem(self.lang)
        if len(k) >= shortest:
            for cut in range(max(shortest, len(k) - MAX_SUFFIX_GAP), len(k)):
                found.update(self.by_key.get(k[:cut], ()))  # the text's stem is a shorter form of the typed one
            for other in self.keys[bisect.bisect_left(self.keys, k) :]:
                if not other.startswith(k):
                    break
                if len(other) - len(k) <= MAX_SUFFIX_GAP:
                    found.update(self.by_key[other])  # the text's stem is a longer form of the typed one
        folded = fold(typed)
        return sorted(w for w in found if not w.startswith(folded))[:MAX_FORMS]

    def typos(self, typed: str) -> list[str]:
        """Vocabulary words one edit away from ``typed`` (a letter missing, added or replaced; "mony" finds
        "money"), or whose stem is one edit away from its stem ("özgeçmş" finds "özgeçmişiniz")."""
        folded = fold(typed)
        typed_min, word_min = typo_lengths(self.lang)
        if len(folded) < typed_min or folded in self.words:
            return []
        out = {w for w in _one_edit_from(folded, self.word_ends) if len(w) >= word_min}
        k = key(typed, self.lang)
        if len(k) >= typed_min and k not in self.by_key:
            for other in _one_edit_from(k, self.key_ends):
                out.update(w for w in self.by_key[other] if len(w) >= word_min)
        return sorted(out)[:MAX_FORMS]


def _by_ends(words: Iterable[str]) -> dict[tuple[int, str, bool], tuple[str, ...]]:
    """(length, beginning, False) and (length, ending, True) -> the words with them: a beginning or ending of one
    letter for every word, of two letters for words of four letters or more."""
    groups: dict[tuple[int, str, bool], list[str]] = defaultdict(list)
    for word in sorted(words):
        if word:
            groups[(len(word), word[0], False)].append(word)
            groups[(len(word), word[-1], True)].append(word)
        if len(word) >= 4:
            groups[(len(word), word[:2], False)].append(word)
            groups[(len(word), word[-2:], True)].append(word)
    return {end: tuple(group) for end, group in groups.items()}


def _one_edit_from(typed: str, ends: dict[tuple[int, str, bool], tuple[str, ...]]) -> set[str]:
    """The words of ``ends`` one edit away from ``typed`` (two letters or more): they have one letter more, one
    less or as many, and one edit leaves the first or the last letter in place; when both words have four letters
    or more, the first two or the last two."""
    found: set[str] = set()
    for length in (len(typed) - 1, len(typed), len(typed) + 1):
        size = 2 if min(length, len(typed)) >= 4 else 1
        for end in ((length, typed[:size], False), (length, typed[-size:], True)):
            found.update(w for w in ends.get(end, ()) if one_edit(w, typed))
    return found
