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
