"""`wegwijzer content check`: the shipped guide is clean, and every kind of bad input is named with its line."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.content.check import check, count_sentences

ANSWER = "lang/nl/answers/volunteer-during-application.md"


def run_check(root: Path):
    return check(root, paths.icons_dir(), paths.fonts_dir(), today=dt.date(2026, 12, 5))[1]


def messages(report, severity: str = "error") -> list[str]:
    return [str(p) for p in report.sorted() if p.severity.value == severity]


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of ``path`` that holds ``text`` (tests follow the content's edits)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if text in line)


def body_line(path: Path) -> int:
    """The first line of an answer's body (after the front matter)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [number for number, line in enumerate(lines, 1) if line.strip() == "---"][1] + 1


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_guide_has_no_errors():
    report = run_check(paths.content_dir())
    assert messages(report) == []


def test_broken_yaml_in_front_matter_is_reported_with_its_line(content_copy):
    replace_in(content_copy / ANSWER, "status: original", "status: [original")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:") and "YAML cannot be read" in e for e in errors), errors


def test_broken_yaml_in_questions_file(content_copy):
    replace_in(content_copy / "questions.yaml", "topic: may-i, order: 10,", "topic: may-i order: 10,")
    errors = messages(run_check(content_copy))
    assert any(e.startswith("questions.yaml:") and "YAML" in e for e in errors), errors


def test_bom_and_crlf_are_warned_about_and_read(content_copy):
    path = content_copy / ANSWER
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    report = run_check(content_copy)
    assert messages(report) == []
    warnings = messages(report, "warning")
    assert any(w.startswith(f"{ANSWER}:1:") and "byte order mark" in w for w in warnings)
    assert any(w.startswith(f"{ANSWER}:1:") and "CRLF" in w for w in warnings)


def test_huge_file_is_refused_without_reading_it(content_copy):
    path = content_copy / ANSWER
    with path.open("a", encoding="utf-8") as f:
        f.write("Lorem ipsum dolor sit amet. " * (10 * 1024 * 1024 // 28))
    assert path.stat().st_size >= 10 * 1024 * 1024
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:1:") and "too large" in e for e in errors), errors


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert('x')</script>", "raw HTML"),
        ("Kijk: <img src=http://example.org/x.png>", "raw HTML"),
        ("![logo](http://example.org/x.png)", "an image"),
        ("```\ncode\n```", "a code block"),
        ("> quoted", "a block quote"),
        ("# Big title", "too big"),
    ],
)
def test_unsupported_markdown_in_body_is_reported_on_its_line(content_copy, snippet, expected):
    path = content_copy / ANSWER
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\n" + snippet + "\n", encoding="utf-8")
    line = len(text.rstrip("\n").split("\n")) + 2
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:{line}:") and expected in e for e in errors), errors


def test_language_folder_that_does_not_exist_in_languages_yaml(content_copy):
    (content_copy / "lang" / "xx").mkdir()
    errors = messages(run_check(content_copy))
    assert "lang/xx:1: error: unknown language 'xx': it is not in languages.yaml" in errors


def test_language_code_that_does_not_exist(content_copy):
    replace_in(content_copy / "languages.yaml", "code: so\n", "code: qq\n")
    errors = messages(run_check(content_copy))
    assert any(e.startswith("languages.yaml:") and "'qq' is not a BCP-47 language code" in e for e in errors)


def test_a_voice_the_engines_do_not_know_is_an_error(content_copy):
    replace_in(content_copy / "languages.yaml", "voice: [tr]\n", "voice: [turkish-please]\n")
    errors = messages(run_check(content_copy))
    line = line_of(content_copy / "languages.yaml", "code: tr")
    assert any(e.startswith(f"languages.yaml:{line}: error: tr: voice 'turkish-please' is not a voice the speech "
                            "engines know") for e in errors), errors  # fmt: skip


@pytest.mark.parametrize(("code", "old", "new", "read"), [
    ("ar", "voice: [ar]", "voice: [ku]", "Latn"),  # Kurmanji on Arabic letters (as on Sorani): letter names
    ("ar", "voice: [ar]", "voice: [en]", "Latn"),
    ("uk", "voice: [uk]", "voice: [ar]", "Arab"),
])  # fmt: skip
def test_a_voice_for_another_script_is_an_error(content_copy, code, old, new, read):
    replace_in(content_copy / "languages.yaml", old + "\n", new + "\n")
    errors = messages(run_check(content_copy))
    assert any(f"error: {code}: voice '{new[8:-1]}' reads {read} script" in e for e in errors), errors


def test_a_language_without_a_voice_lists_none_and_is_not_an_error(content_copy):
    errors = messages(run_check(content_copy))
    assert not [e for e in errors if "voice" in e]
    text = (content_copy / "languages.yaml").read_text(encoding="utf-8")
    assert text.count("voice: []") == 3  # Pashto, Somali and Sorani: no voice that may be shipped


def test_empty_file(content_copy):
    (content_copy / ANSWER).write_text("", encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert f"{ANSWER}:1: error: file is empty" in errors


def test_non_utf8_file_names_the_line(content_copy):
    path = content_copy / ANSWER
    line = line_of(path, "short:")
    path.write_bytes(path.read_bytes().replace(b"short: ", b"short: \xe9\xe9n ", 1))
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:{line}:") and "not UTF-8" in e for e in errors), errors


def test_symlink_outside_content_is_refused(content_copy, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nquestion: x\n---\nsecret\n", encoding="utf-8")
    target = content_copy / ANSWER
    target.unlink()
    os.symlink(secret, target)
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:1:") and "outside the content folder" in e for e in errors), errors


def test_a_loop_of_links_and_a_link_inside_the_content_are_told_apart(content_copy):
    """A link that leads back to itself is refused with its reason (it used to stop the check with a traceback); a
    link to another file of the content folder is read like that file."""
    target = content_copy / ANSWER
    target.unlink()
    os.symlink(target.name + ".other", target)
    os.symlink(target.name, target.with_name(target.name + ".other"))
    inside = content_copy / "lang/nl/answers/damage.md"
    copy = content_copy / "lang/nl/answers/accident.md"
    copy.unlink()
    os.symlink(inside, copy)
    report = run_check(content_copy)
    errors = messages(report)
    assert any(e.startswith(f"{ANSWER}:1:") and "loop of links" in e for e in errors), errors
    assert not any(e.startswith("lang/nl/answers/accident.md") for e in errors), errors


def test_duplicate_question_id(content_copy):
    path = content_copy / "questions.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "id: damage," in line)
    path.write_text(text + line.replace("order: 30", "order: 99") + "\n", encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert any("duplicate question id 'damage'" in e for e in errors), errors


def test_unknown_topic_and_icon(content_copy):
    replace_in(
        content_copy / "questions.yaml",
        "topic: money, order: 10, icon: cash",
        "topic: moneys, order: 10, icon: no-such-icon",
    )
    errors = messages(run_check(content_copy))
    assert any("unknown topic 'moneys'" in e for e in errors)
    assert any("unknown icon 'no-such-icon'" in e for e in errors)


def test_short_answer_with_three_sentences(content_copy):
    path = content_copy / ANSWER
    text = path.read_text(encoding="utf-8")
    start = text.index("short: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + "short: Ja. Dat mag. Meld het eerst." + text[end:], encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:3:") and "3 sentences" in e for e in errors), errors


def test_character_the_fonts_cannot_draw(content_copy):
    replace_in(content_copy / ANSWER, "Ja. Sinds", "Ja 🙂. Sinds")
    errors = messages(run_check(content_copy))
    assert any(ANSWER in e and "U+1F642" in e for e in errors), errors


def test_missing_source_answer_is_an_error(content_copy):
    (content_copy / ANSWER).unlink()
    errors = messages(run_check(content_copy))
    assert any("answer to 'volunteer-during-application' is missing in the source language" in e for e in errors)


def test_answer_for_unknown_question(content_copy):
    (content_copy / "lang/nl/answers/not-a-question.md").write_text(
        (content_copy / ANSWER).read_text(encoding="utf-8"), encoding="utf-8"
    )
    errors = messages(run_check(content_copy))
    assert (
        "lang/nl/answers/not-a-question.md:1: error: unknown question 'not-a-question': it is not in questions.yaml"
        in errors
    )


def test_missing_and_stale_translations_are_warnings(content_copy):
    from kiosk.content.stamp import stamp

    en = content_copy / "lang/en/answers"
    stamp(content_copy, "en", [])
    (en / "damage.md").unlink()
    replace_in(content_copy / ANSWER, "Ja. Sinds", "Ja, zeker. Sinds")
    report = run_check(content_copy)
    assert messages(report) == []
    warnings = messages(report, "warning")
    assert any(w.startswith("lang/en/answers/damage.md:1:") and "missing translation" in w for w in warnings)
    stale = [w for w in warnings if "stale translation" in w and w.startswith("lang/en/")]
    assert [w.split(":")[0] for w in stale] == ["lang/en/answers/volunteer-during-application.md"]


def test_stamp_clears_the_stale_warning(content_copy):
    from kiosk.content.stamp import stamp

    replace_in(content_copy / ANSWER, "Ja. Sinds", "Ja, zeker. Sinds")

    def stale_en():
        return [w for w in messages(run_check(content_copy), "warning") if "stale" in w and w.startswith("lang/en/")]

    assert stale_en()
    changed = stamp(content_copy, "en", ["volunteer-during-application"])
    assert [p.name for p in changed] == ["volunteer-during-application.md"]
    assert stale_en() == []


def test_placeholder_must_survive_translation(content_copy):
    path = content_copy / "lang/en/strings.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip().startswith("reset_countdown:"))
    lines = text.splitlines()
    lines[line - 1] = '  reset_countdown: "The screen restarts soon."'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"lang/en/strings.yaml:{line}:") and "{brackets}" in e for e in errors), errors


def test_future_checked_date_and_unknown_status(content_copy):
    checked = next(line for line in (content_copy / ANSWER).read_text(encoding="utf-8").split("\n")
                   if line.startswith("checked:"))  # fmt: skip
    replace_in(content_copy / ANSWER, checked, "checked: 2027-01-01")
    replace_in(content_copy / ANSWER, "status: original", "status: done")
    errors = messages(run_check(content_copy))
    assert any("in the future" in e for e in errors)
    assert any("status must be one of" in e for e in errors)


def test_duplicate_key_in_front_matter(content_copy):
    replace_in(content_copy / ANSWER, "status: original", "status: original\nstatus: machine")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:") and "key 'status' appears twice" in e for e in errors), errors


def test_front_matter_missing(content_copy):
    path = content_copy / ANSWER
    path.write_text("Just text, no front matter.\n", encoding="utf-8")
    assert f"{ANSWER}:1: error: front matter missing: the file must start with a line '---'" in messages(
        run_check(content_copy)
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Ja. Meld het eerst.", 2),
        ("EUR 1.760,83 per jaar.", 1),
        ("نعم. أخبر المركز أولاً.", 2),
        ("እወ። ንማእከል ሓብሩ።", 2),
        ("Да! Чи так?", 2),
        ("بەڵێ۔ پێش دەستپێکردن بە ناوەندەکە بڵێ۔", 2),  # the Arabic full stop
        ("ها؟ ووایه۔ نو څه؟", 3),
        ("እወ፧ ንማእከል ሓብሩ።", 2),
        ("Այո։ Նախ ասեք կենտրոնին։", 2),  # the Armenian full stop
        ("დიახ. ჯერ უთხარით ცენტრს. ჰო჻", 3),
        ("Sí. ¿Me pagan? ¡No!", 3),
    ],
)
def test_sentence_counting_across_scripts(text, count):
    assert count_sentences(text) == count


def test_a_short_answer_with_three_arabic_full_stops_is_refused(content_copy):
    path = content_copy / "lang/ckb/answers/accident.md"
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    short = next(line for line in front.splitlines() if line.startswith("short:"))
    path.write_text(text.replace(short, "short: بەڵێ۔ پێش دەستپێکردن بڵێ۔ پرسیار بکە۔"), encoding="utf-8")
    assert any("'short' has 3 sentences" in m for m in messages(run_check(content_copy)))


def test_a_text_in_another_script_than_its_language_is_refused(content_copy):
    """English pasted into the Sorani folder: an error on that file, in words an editor understands."""
    english = (content_copy / "lang/en/answers/accident.md").read_text(encoding="utf-8")
    (content_copy / "lang/ckb/answers/accident.md").write_text(english, encoding="utf-8")
    found = [m for m in messages(run_check(content_copy)) if "script" in m]
    assert found == ["lang/ckb/answers/accident.md:1: error: this text is in Latin script (100 % of its letters), but "
                     "ckb is written in Arabic (Arab): a text in another language's folder?"]  # fmt: skip


def test_a_wrong_script_or_direction_in_languages_yaml_is_refused_once(content_copy):
    path = content_copy / "languages.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    script: Geor", "    script: Arab").replace("    script: Cyrl\n    fallback: [uk, en]",
                                                                     "    script: Cyrx\n    fallback: [uk, en]")
    ar = text.index("code: ar")
    text = text[:ar] + text[ar:].replace("direction: rtl", "direction: ltr", 1)
    path.write_text(text, encoding="utf-8")
    found = [m for m in messages(run_check(content_copy)) if "script" in m and "voice" not in m]
    assert any(m.startswith("languages.yaml:") and "ka: 49 of its 49 texts are in Georgian script (Geor), but the "
               "script given is Arabic (Arab)" in m for m in found), found  # fmt: skip
    assert any("ar: Arabic script is written rtl, but the direction given is ltr" in m for m in found), found
    assert any("ru: 'Cyrx' is not an ISO 15924 script code" in m for m in found), found
    assert not any("lang/ka/answers" in m for m in found)  # once, at languages.yaml, not per answer


def test_lexicon_pattern_errors_are_reported(content_copy):
    path = content_copy / "lang/nl/lexicon.yaml"
    text = path.read_text(encoding="utf-8")
    text += "  - match: 'EUR (\\d+'\n    say: 'x'\n  - match: 'EUR (\\d+)'\n    say: '\\2 euro'\n"
    path.write_text(text, encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert any(e.startswith("lang/nl/lexicon.yaml:") and "not a valid regular expression" in e for e in errors)
    assert any("refers to a part in (brackets)" in e for e in errors)


def test_spoken_variant_must_be_the_same_text_with_marks(content_copy):
    path = content_copy / "lang/ar/answers/accident.md"
    text = path.read_text(encoding="utf-8")
    short = next(line for line in text.splitlines() if line.startswith("short:")).split(":", 1)[1].strip().strip('"')
    good = "".join(ch + ("\u064e" if "\u0621" <= ch <= "\u064a" else "") for ch in short)
    path.write_text(text.replace("\nstatus:", f'\nspoken_short: "{good}"\nstatus:', 1), encoding="utf-8")
    assert messages(run_check(content_copy)) == []
    path.write_text(text.replace("\nstatus:", '\nspoken_short: "نص آخر تماما"\nstatus:', 1), encoding="utf-8")
    errors = messages(run_check(content_copy))
    assert any(e.startswith("lang/ar/answers/accident.md:") and "'spoken_short' must be the text" in e for e in errors)


# --- the limits a kiosk holds a guide to (kiosk/guidecheck.py): refused here first, with the line ---------------
def test_a_bidi_override_is_refused_in_every_text(content_copy):
    line = line_of(content_copy / ANSWER, "Let op:")
    replace_in(content_copy / ANSWER, "question: Mag ik", "question: \u202eMag ik")
    replace_in(content_copy / ANSWER, "Let op:", "Let \u202bop:")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:2:") and "bidi" in e for e in errors), errors
    assert any(e.startswith(f"{ANSWER}:{line}:") and "bidi" in e for e in errors), errors


def test_a_character_no_bundled_font_draws_is_named_at_its_line_in_every_text(content_copy):
    """Question, body line and source title each: the answer's characters are looked at once, and again text by
    text only when one of them is missing from the fonts."""
    hieroglyph = "\U00013000"  # no bundled font has Egyptian hieroglyphs
    line = line_of(content_copy / ANSWER, "Let op:")
    replace_in(content_copy / ANSWER, "question: Mag ik", f"question: Mag {hieroglyph} ik")
    replace_in(content_copy / ANSWER, "Let op:", f"Let {hieroglyph} op:")
    replace_in(content_copy / ANSWER, 'title: "groups.be:', f'title: "groups.be {hieroglyph}:')
    errors = [e for e in messages(run_check(content_copy)) if "cannot draw" in e]
    sources = line_of(content_copy / ANSWER, "sources:")
    assert sorted(e.split(": ")[0] for e in errors) == sorted(f"{ANSWER}:{n}" for n in (2, line, sources)), errors
    assert all("U+13000" in e for e in errors), errors


def test_a_title_alone_with_a_character_no_font_draws_is_named(content_copy):
    replace_in(content_copy / ANSWER, 'title: "groups.be:', 'title: "groups.be \U00013000:')
    errors = [e for e in messages(run_check(content_copy)) if "cannot draw" in e]
    assert [e.split(": ")[0] for e in errors] == [f"{ANSWER}:{line_of(content_copy / ANSWER, 'sources:')}"], errors


def test_a_bidi_override_written_as_a_character_reference_is_refused(content_copy):
    replace_in(content_copy / ANSWER, "U mag vrijwilligerswerk", "U &#x202E;mag vrijwilligerswerk")
    errors = messages(run_check(content_copy))
    line = body_line(content_copy / ANSWER)
    assert any(e.startswith(f"{ANSWER}:{line}:") and "character reference" in e for e in errors), errors


def test_a_word_longer_than_the_limit_is_refused_at_its_line(content_copy):
    line = line_of(content_copy / ANSWER, "Let op:")
    replace_in(content_copy / ANSWER, "Let op:", "Let " + "x" * 151 + ":")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:{line}:") and "a word longer than 150 characters" in e for e in errors), errors


def test_a_long_latin_aside_in_right_to_left_text_counts_as_one_word(content_copy):
    path = next((content_copy / "lang/ar/answers").glob("*.md"))
    text = path.read_text(encoding="utf-8")
    body = text.index("---", 4) + 4
    aside = "(" + " ".join(["Agentschap Integratie en Inburgering"] * 5) + ")"  # 184 characters, no long word
    path.write_text(text[:body] + f"نص {aside} نص\n\n" + text[body:], encoding="utf-8")
    errors = messages(run_check(content_copy))
    rel = path.relative_to(content_copy).as_posix()
    assert any(e.startswith(f"{rel}:") and "Latin aside" in e for e in errors), errors


def test_lists_nested_too_deep_are_refused_at_their_line(content_copy):
    nested = "\n".join("  " * level + "- stap" for level in range(6))
    line = line_of(content_copy / ANSWER, "Let op:") + 6  # the sixth level of the inserted list
    replace_in(content_copy / ANSWER, "Let op:\n", f"Let op:\n\n{nested}\n")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"{ANSWER}:{line}:") and "lists nested more than 4 deep" in e for e in errors), errors


def test_an_answer_longer_than_the_limit_is_refused(content_copy):
    replace_in(content_copy / ANSWER, "Let op:", "Let op: " + "heel lang. " * 2_000)
    errors = messages(run_check(content_copy))
    line = body_line(content_copy / ANSWER)
    assert any(e.startswith(f"{ANSWER}:{line}:") and "at most 20000" in e for e in errors), errors


def test_a_screen_text_with_markup_or_a_stray_brace_is_refused(content_copy):
    strings = content_copy / "lang/nl/strings.yaml"
    text = strings.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.split("\n"), 1) if t.strip().startswith("home:"))
    replace_in(strings, text.split("\n")[line - 1], "  home: <b>Start</b> {language:>99}")
    errors = messages(run_check(content_copy))
    assert any(e.startswith(f"lang/nl/strings.yaml:{line}:") and "markup" in e for e in errors), errors
    assert any(e.startswith(f"lang/nl/strings.yaml:{line}:") and "'{'" in e for e in errors), errors


@pytest.mark.parametrize("voice", ["ar", "ku"])
def test_sorani_is_never_given_a_neighbouring_languages_voice(content_copy, voice):
    """Arabic is a language of the guide (its sounds, not Sorani's); Kurmanji's espeak-ng voice reads Latin."""
    path = content_copy / "languages.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("code: ckb")
    end = text.index("keyboard: sorani", start)
    block = text[start:end]
    voice_line = next(line for line in block.splitlines() if line.strip().startswith("voice:"))
    path.write_text(text[:start] + block.replace(voice_line, f"    voice: [{voice}]") + text[end:], encoding="utf-8")
    found = [m for m in messages(run_check(content_copy)) if "ckb: voice" in m]
    expected = ("is the voice of Arabic, another language of the guide" if voice == "ar"
                else "reads Latn script, but Central Kurdish (Sorani) is written in Arab")  # fmt: skip
    assert len(found) == 1 and expected in found[0], found
