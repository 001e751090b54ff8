"""The fast path for simple front matter reads exactly what the YAML parser reads, or leaves the text to it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from kiosk import paths
from kiosk.content.files import LineDict, SourceText, parse_yaml, simple_mapping
from kiosk.content.problems import Report


def _shape(value: Any) -> Any:
    """Values, their types and every line number, for comparing two readings."""
    if isinstance(value, LineDict):
        return ("map", value.line, dict(value.key_lines), {k: _shape(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return (type(value).__name__, value)


def _front(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[1 : lines.index("---", 1)])


def _yaml(text: str) -> tuple[Any, Report]:
    report = Report()
    return parse_yaml(SourceText("a.md", text), report, first_line=2), report


def test_every_shipped_answer_takes_the_fast_path_and_reads_the_same() -> None:
    answers = sorted(paths.content_dir().glob("lang/*/answers/*.md"))
    assert len(answers) > 100
    for path in answers:
        front = _front(path.read_text(encoding="utf-8"))
        fast = simple_mapping(front, 2)
        assert fast is not None, path
        assert _shape(fast) == _shape(_yaml(front)[0]), path


@pytest.mark.parametrize(
    "front",
    [
        "question: yes",  # a truth value to YAML 1.1
        "question: 12",
        "question: ~",
        'question: "say \\"no\\""',  # an escape
        "question: a: b",
        "question: text # a comment",
        "question: [a, b]",
        "question: |",
        "question: 'open",
        "question:  two spaces",
        "question: a\nquestion: b",  # a duplicate key: the YAML path reports it
        "on: text",  # the key True to YAML
        "sources:",  # null to YAML
        "sources:\n    url: https://a.be",  # an item without its '- '
        "question: tab\tinside",
        "question: line\u2028separator",
        "\nquestion: blank line first",
        "question: a\n  - title: x",  # an item under a key with a value
    ],
)
def test_anything_unusual_is_left_to_the_yaml_parser(front: str) -> None:
    assert simple_mapping(front, 2) is None


def test_values_and_lines_of_a_typical_front_matter() -> None:
    front = ('question: "Wie verzekert mij?"\n' "short: 'It''s the organisation'\n" "sources:\n"
             '  - title: "Wet van 3 juli 2005"\n    url: https://www.ejustice.just.fgov.be/a#b\n'
             "  - title: Fedasil\nchecked: 2026-12-05\nstatus: machine")  # fmt: skip
    fast = simple_mapping(front, 2)
    assert fast is not None
    assert fast["short"] == "It's the organisation" and fast["checked"] == "2026-12-05"
    assert fast.key_lines == {"question": 2, "short": 3, "sources": 4, "checked": 8, "status": 9}
    assert [(s.line, dict(s)) for s in fast["sources"]] == [
        (5, {"title": "Wet van 3 juli 2005", "url": "https://www.ejustice.just.fgov.be/a#b"}),
        (7, {"title": "Fedasil"}),
    ]
    assert _shape(fast) == _shape(_yaml(front)[0])


def test_random_front_matter_reads_as_yaml_reads_it() -> None:
    """Seeded random values made of YAML's awkward pieces: whenever the fast path answers, YAML agrees."""
    pieces = ['"', "'", "''", ":", ": ", " #", "#", "-", "- ", "yes", "on", "~", "null", "12", "1.5", "0x1F",
              "2026-12-05", "\\", "{", "}", "[", "]", ",", "&a", "*a", "!", "|", ">", "%", "@", "`", "x", "حقوق", "\t",
              " ", "http://a.b/c#d", "=", "<<", "?", ".inf", "1_000", "+1", "1:20", "b c", "é", "…"]  # fmt: skip
    rng = random.Random(17)

    def value() -> str:
        quote = rng.choice(["", "", '"', "'"])
        return quote + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) + quote

    hits = 0
    for _ in range(20_000):
        lines = [f"question: {value()}", "sources:", f"  - title: {value()}", f"    url: {value()}"]
        lines.append(f"checked: {value()}")
        if rng.random() < 0.1:
            rng.shuffle(lines)
        front = "\n".join(lines)
        fast = simple_mapping(front, 2)
        if fast is None:
            continue
        hits += 1
        slow, report = _yaml(front)
        assert not report.problems and _shape(fast) == _shape(slow), front
    assert hits > 1000  # the comparison ran on many texts, not on a few


def test_a_plain_text_is_told_by_string_methods_as_by_its_pattern():
    """``_plain`` is the pattern below without the look-ahead at every character: the same on random texts of
    YAML's indicators, spaces, tabs, line ends and letters."""
    import random
    import re

    from kiosk.content import files

    pattern = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:(?!: | #)[^\t])*(?<![:\s])")

    rng = random.Random(3)
    alphabet = [*"ab :#\t\n-?,[]{}&*!|>'\"%@`", "\u00a0", "\u2028", "\x85", "é"]
    plain = 0
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        assert bool(pattern.fullmatch(text)) == files._plain(text), repr(text)
        plain += files._plain(text)
    assert 1_000 < plain < 99_000
