"""Every search keyboard types what its language's answers hold: digits, the signs inside words, all letters
(issue #17); the content check says what a keyboard lacks."""

from __future__ import annotations

import datetime as dt

from kiosk import paths
from kiosk.content.check import check


def keyboard_warnings(root) -> list[str]:  # type: ignore[no-untyped-def]
    report = check(root, paths.icons_dir(), paths.fonts_dir(), today=dt.date(2026, 12, 5))[1]
    return [str(p) for p in report.warnings if "keyboards/" in p.path and "cannot type" in p.message]


def test_the_shipped_keyboards_type_every_letter_digit_and_sign_of_their_answers():
    problems = [w for w in keyboard_warnings(paths.content_dir()) if "Latin letters" not in w]
    assert problems == []


def test_a_keyboard_without_digits_or_the_apostrophe_is_reported(content_copy):
    path = content_copy / "keyboards" / "cyrillic-uk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - 1 2 3 4 5 6 7 8 9 0 ’ -\n", ""), encoding="utf-8")
    (warning,) = [w for w in keyboard_warnings(content_copy) if "uk answers hold" in w]
    assert "'2'" in warning and "'’'" in warning and "cyrillic-uk.yaml" in warning


def test_the_guide_wide_checks_judge_alike_with_or_without_what_the_loader_noted(content_copy):
    """The loader notes each answer's characters and script where it reads it (a worker process, for a big
    guide); the keyboard and script checks come to the same findings when they have to work it out themselves."""
    from kiosk.content.check import _Checker
    from kiosk.content.fonts import coverage
    from kiosk.content.problems import Report

    path = content_copy / "keyboards" / "cyrillic-uk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - 1 2 3 4 5 6 7 8 9 0 ’ -\n", ""), encoding="utf-8")
    english = (content_copy / "lang/en/answers/accident.md").read_text(encoding="utf-8")
    (content_copy / "lang/ckb/answers/accident.md").write_text(english, encoding="utf-8")
    today = dt.date(2026, 12, 5)
    guide = check(content_copy, paths.icons_dir(), paths.fonts_dir(), today=today)[0]
    assert all(a.traits is not None for a in guide.answers.values())

    def findings() -> list[str]:
        report = Report()
        checker = _Checker(guide, report, paths.icons_dir(), coverage(paths.fonts_dir()), today)
        checker.scripts()
        checker.keyboards()
        return [str(p) for p in report.sorted()]

    noted = findings()
    assert any("uk answers hold" in m for m in noted) and any("ckb is written in Arabic" in m for m in noted)
    for answer in guide.answers.values():
        answer.traits = None
    assert findings() == noted


def test_the_quick_forms_of_the_traits_agree_with_their_plain_definitions():
    """The signs inside words and the other-script share, worked out the quick way, on random texts of mixed
    scripts, signs and spaces: the same as a look-behind regex and as counting every letter."""
    import random
    import re

    from kiosk.content.check import _other_script, _word_signs

    rng = random.Random(17)
    pieces = ["a", "Z", "é", "_", "7", "ب", "ال", "ሀ", "ж", "ქ", "'", "’", "ʼ", "-", " ", "\n", ".", "\u064e", "x-y"]
    plain = re.compile(r"(?<=\w)(['’ʼ-])(?=\w)")
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert _word_signs(text) == frozenset(plain.findall(text)), text
        for script in ("Latn", "Arab", "Ethi", "Cyrl", "Geor"):
            assert _other_script(text, script, frozenset(text)) == _other_script(text, script), (text, script)
