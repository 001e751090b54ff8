"""The guide's sources as read from ``content/`` (before any cross-checking)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kiosk.content.fold import fold
from kiosk.content.markdown import Analysis, analyse
from kiosk.content.marks import RecordingMeta

AUDIENCES = ("resident", "organisation", "both")
STATUSES = ("original", "reviewed", "machine")
DIRECTIONS = ("ltr", "rtl")


@dataclass
class LanguageSource:
    code: str
    name: str
    english: str
    direction: str
    script: str
    fallback: list[str]
    voice: list[str]
    keyboard: str
    position: int
    line: int
    locale: str = ""  # the CLDR locale for figures (languages.yaml `locale:`); empty: from the code


@dataclass
class TopicSource:
    id: str
    icon: str
    position: int
    line: int


@dataclass
class QuestionSource:
    id: str
    topic: str
    position: int
    icon: str
    audience: str
    related: list[str]
    line: int
    aliases: list[str] = field(default_factory=list)  # former ids that still lead here (related links, usage)


class Citation(NamedTuple):  # a named tuple: thousands come back from the answer workers, and tuples unpickle fast
    title: str
    url: str | None = None


@dataclass
class AnswerTraits:
    """What the guide-wide checks need of one answer, worked out where it was read (a worker process, for a big
    guide) from its texts as shown, figures filled in: the guide-wide checks then look at every answer in a blink."""

    script: str  # the script its language declares, which ``other_script`` was measured against
    other_script: tuple[str, int] | None  # the script most of its letters are in, and their share, if not that one
    # (the characters as text, each once in code point order: a text unpickles far faster than a set)
    characters: str  # of its question, short answer and full answer
    word_signs: str  # the apostrophes and hyphens found inside words
    typed: tuple[tuple[str, int, str], ...]  # figures typed by hand that are a fact's value: (as written, line, fact)


@dataclass
class AnswerSource:
    question_id: str
    lang: str
    path: str
    question: str
    short: str
    body: str
    sources: list[Citation]
    checked: str
    status: str
    source_hash: str | None
    spoken_short: str | None = None  # the "in short" text with vowel marks, for the voice only
    spoken_answer: str | None = None  # the full answer's plain text with vowel marks, for the voice only
    line_of: dict[str, int] = field(default_factory=dict)
    body_line: int = 1
    analysis: Analysis | None = None  # the body parsed once: problems, HTML and plain text

    search_form: tuple[str, str, str] | None = None  # folded question, short answer and body text
    raw_hash: str | None = None  # the text hash before facts were filled in (translations record that one)
    facts: list[str] = field(default_factory=list)  # the facts this answer names, in order of appearance
    prefilled: bool = False  # analysis and search_form were made with the figures filled in (by the loader)
    traits: AnswerTraits | None = None  # worked out by the loader when it checks what it reads

    def analysed(self) -> Analysis:
        if self.analysis is None:
            self.analysis = analyse(self.body)
        return self.analysis

    def folded(self) -> tuple[str, str, str]:
        if self.search_form is None:
            self.search_form = (fold(self.question), fold(self.short), fold(self.analysed().text))
        return self.search_form

    @property
    def text_hash(self) -> str:
        """Fingerprint of the translatable text (as written, with ``{{fact}}`` names); translations record it as
        ``source_hash``."""
        return self.raw_hash or text_hash(self.question, self.short, self.body)


def text_hash(question: str, short: str, body: str) -> str:
    joined = "\n\x1e\n".join(unicodedata.normalize("NFC", part.strip()) for part in (question, short, body))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass
class StringsSource:
    lang: str
    path: str
    status: str
    ui: dict[str, str]
    topics: dict[str, str]
    line_of_ui: dict[str, int]
    line_of_topic: dict[str, int]
    line: int = 1
    digits: str = "latin"  # figures in Latin or the language's native digits


@dataclass
class LexiconSource:
    lang: str
    path: str
    words: list[tuple[str, str, int]]  # written, spoken, line
    patterns: list[tuple[str, str, int]]  # regular expression, spoken, line
    # fact id -> (the value the words were written for, the words, line): for languages num2words does not cover
    facts: dict[str, tuple[str, str, int]] = field(default_factory=dict)


@dataclass
class RecordingSource:
    """A human recording of an answer's "in short" text (part 'short') or full answer (part 'answer')."""

    question_id: str
    lang: str
    part: str
    path: str
    sample_rate: int
    channels: int
    frames: bytes
    meta: RecordingMeta | None = None  # its sidecar: the version and text read, the sentence marks, the reader

    @property
    def duration_ms(self) -> int:
        return len(self.frames) * 1000 // (2 * self.channels * self.sample_rate)


@dataclass
class KeyboardSource:
    name: str
    path: str
    script: str
    picker: str | None
    rows: list[list[str]]
    line: int = 1


@dataclass
class GuideSources:
    """Everything read from one content folder."""

    version: int = 0
    edition: str = ""
    source_language: str = ""
    languages: list[LanguageSource] = field(default_factory=list)
    topics: list[TopicSource] = field(default_factory=list)
    questions: list[QuestionSource] = field(default_factory=list)
    strings: dict[str, StringsSource] = field(default_factory=dict)
    answers: dict[tuple[str, str], AnswerSource] = field(default_factory=dict)  # (question_id, lang)
    keyboards: dict[str, KeyboardSource] = field(default_factory=dict)
    lexicons: dict[str, LexiconSource] = field(default_factory=dict)
    recordings: dict[tuple[str, str, str], RecordingSource] = field(default_factory=dict)  # (question, lang, part)
    file_hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 of its text
    facts: dict[str, Any] = field(default_factory=dict)  # id -> kiosk.content.facts.Fact

    def language(self, code: str) -> LanguageSource | None:
        return next((lang for lang in self.languages if lang.code == code), None)

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.file_hashes):
            digest.update(f"{path}\0{self.file_hashes[path]}\n".encode())
        return digest.hexdigest()
