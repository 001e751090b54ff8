"""One language's translation as units (the source text beside the translation), and the files written back.

The unit ids are stable names a translator's tool keeps: ``answer/<question-id>/question``, ``.../short``,
``.../body/<n>`` (the n-th block of the body, 1-based) or ``.../body`` (the whole body as one unit, when the
translation's layout differs from the source's: an extra paragraph, a list written as sentences), and
``strings/ui/<name>``, ``strings/topics/<topic-id>`` for the screen texts. Sources (titles and addresses of
laws and pages) are not translated.

:func:`plan` reads what the content folder has now; :func:`rewrite_answer` and :func:`rewrite_strings` make a
file's new text from the units a translator changed, keeping every other byte; :func:`write_all` replaces the
files together or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kiosk.content.files import SourceText
from kiosk.content.model import AnswerSource, GuideSources, StringsSource
from kiosk.content.problems import Report
from kiosk.content.segments import Layout, Piece, body_pieces, layout, markdown_pieces, word_pieces
from kiosk.content.sources import load, parse_answer
from kiosk.content.stamp import with_source_hash


class TranslationError(Exception):
    """The content folder or the language cannot be used for a round trip (one-line message)."""


@dataclass
class Unit:
    """One text to translate: the source's pieces, and the translation's text as the files hold it now."""

    id: str
    source: tuple[Piece, ...]
    source_text: str
    target_text: str | None  # None: not translated yet
    confirmed: bool  # checked by a person and up to date: exported as final
    note: str = ""
    words: bool = False  # a screen text: its codes are {words}, not Markdown


@dataclass
class AnswerPlan:
    question_id: str
    source: AnswerSource
    path: Path  # the translation's file (it may not exist yet)
    target: AnswerSource | None
    text: str | None  # the translation file's text
    stale: bool  # the translation was made from an older source text
    whole: bool  # the body is one unit (the layouts differ)
    source_layout: Layout
    target_layout: Layout | None
    units: list[Unit] = field(default_factory=list)

    @property
    def source_hash(self) -> str:
        return self.source.text_hash


@dataclass
class StringsPlan:
    path: Path
    source: StringsSource
    target: StringsSource | None
    text: str | None
    units: list[Unit] = field(default_factory=list)


@dataclass
class Plan:
    """Everything one language has to translate, as the content folder holds it now."""

    root: Path
    lang: str
    source_lang: str
    version: int
    edition: str
    answers: dict[str, AnswerPlan]
    strings: StringsPlan | None
    guide: GuideSources = field(default_factory=GuideSources)  # as read, for languages and facts

    def units(self) -> dict[str, Unit]:
        out = {u.id: u for a in self.answers.values() for u in a.units}
        if self.strings:
            out.update((u.id, u) for u in self.strings.units)
        return out


def plan(root: Path, lang: str) -> Plan:
    """Read the content folder for a round trip of ``lang``; refuse a source or target file that cannot be read."""
    report = Report()
    guide = load(root, report)
    source_lang = guide.source_language
    if not source_lang:
        raise TranslationError(f"{root}: languages.yaml cannot be read; run 'wegwijzer content check'")
    if lang == source_lang:
        raise TranslationError(f"'{lang}' is the source language; only translations go to translators")
    if guide.language(lang) is None:
        known = ", ".join(lg.code for lg in guide.languages if lg.code != source_lang)
        raise TranslationError(f"'{lang}' is not a language of this guide (languages.yaml has {known})")
    broken = [p for p in report.errors if p.path.startswith((f"lang/{lang}/", f"lang/{source_lang}/"))
              and (p.path.endswith("strings.yaml") or "/answers/" in p.path) and _unreadable(root, p.path)]  # fmt: skip
    if broken:
        raise TranslationError(f"{broken[0]}: fix this first ('wegwijzer content check')")
    answers = {}
    for (qid, code), source in sorted(guide.answers.items()):
        if code == source_lang:
            answers[qid] = _answer_plan(root, guide, lang, source)
    strings = _strings_plan(root, guide, lang)
    return Plan(root, lang, source_lang, guide.version, guide.edition, answers, strings, guide)


def _unreadable(root: Path, rel: str) -> bool:
    """A file whose text or front matter cannot be read (other errors do not stop a round trip)."""
    path = root / rel
    try:
        text = read_file(path)
    except (OSError, UnicodeDecodeError):
        return True
    if rel.endswith(".md"):
        return parse_answer(SourceText(rel, text), path.stem, "", Report()) is None
    try:
        return not isinstance(yaml.safe_load(text), dict)
    except yaml.YAMLError:
        return True


def read_file(path: Path) -> str:
    """A content file's text as the readers see it (no BOM, plain line ends)."""
    text = path.read_bytes().decode("utf-8")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _answer_plan(root: Path, guide: GuideSources, lang: str, source: AnswerSource) -> AnswerPlan:
    qid = source.question_id
    target = guide.answers.get((qid, lang))
    path = root / "lang" / lang / "answers" / f"{qid}.md"
    text = read_file(path) if target is not None else None
    stale = target is not None and target.source_hash != source.text_hash
    confirmed = target is not None and target.status == "reviewed" and not stale
    source_layout = layout(source.body)
    target_layout = layout(target.body) if target is not None else None
    whole = target_layout is not None and target_layout.kinds != source_layout.kinds
    result = AnswerPlan(qid, source, path, target, text, stale, whole, source_layout, target_layout)
    title = f"answer '{qid}'"
    for part, what in (("question", "the question, as people ask it"),
                       ("short", "the answer in short: at most two plain sentences")):  # fmt: skip
        value = getattr(target, part) if target is not None else None
        result.units.append(Unit(f"answer/{qid}/{part}", markdown_pieces(getattr(source, part)),
                                 getattr(source, part), value, confirmed, f"{title}: {what}"))  # fmt: skip
    if whole:
        assert target_layout is not None
        note = (f"{title}: the whole answer as one text, because the translation has another layout than the "
                f"source (a paragraph or list item more or less); keep the codes between the paragraphs")  # fmt: skip
        result.units.append(Unit(f"answer/{qid}/body", body_pieces(source_layout), source.body, target.body
                                 if target else None, confirmed, note))  # fmt: skip
        return result
    count = len(source_layout.blocks)
    for index, block in enumerate(source_layout.blocks):
        value = target_layout.blocks[index].text if target_layout is not None else None
        result.units.append(Unit(f"answer/{qid}/body/{index + 1}", markdown_pieces(block.text), block.text, value,
                                 confirmed, f"{title}: part {index + 1} of {count} of the answer"))  # fmt: skip
    return result


def _strings_plan(root: Path, guide: GuideSources, lang: str) -> StringsPlan | None:
    source = guide.strings.get(guide.source_language)
    if source is None:
        return None
    target = guide.strings.get(lang)
    path = root / "lang" / lang / "strings.yaml"
    result = StringsPlan(path, source, target, read_file(path) if target is not None else None)
    confirmed = target is not None and target.status == "reviewed"
    for section in ("topics", "ui"):
        theirs = getattr(target, section) if target is not None else {}
        for name, value in getattr(source, section).items():
            note = f"screen text '{name}'" if section == "ui" else f"title of the topic '{name}'"
            result.units.append(Unit(f"strings/{section}/{name}", word_pieces(value), value, theirs.get(name),
                                     confirmed and name in theirs, note, words=True))  # fmt: skip
    return result


# --- writing a translation back ---------------------------------------------------------------------------------
@dataclass
class Change:
    """What a translator gave for one unit."""

    text: str
    confirmed: bool


def rewrite_answer(answer: AnswerPlan, changes: dict[str, Change], stamp: bool) -> tuple[str, str]:
    """The translation file's new text and status, from the changed units (others keep their text).

    Status: ``reviewed`` when every unit is confirmed (translated, signed off or final), else ``machine``.
    ``stamp``: record the current source text's hash (the export was made from it and every unit is confirmed,
    or the translation is new); otherwise the recorded hash stays, and a stale translation stays stale.
    """
    confirmed = all(changes[u.id].confirmed if u.id in changes else u.confirmed for u in answer.units)
    status = "reviewed" if confirmed else "machine"
    prefix = f"answer/{answer.question_id}/"
    new = {key.removeprefix(prefix): change for key, change in changes.items() if key.startswith(prefix)}
    if answer.whole:
        body = new["body"].text if "body" in new else (answer.target.body if answer.target else "")
    else:
        shape = answer.target_layout or answer.source_layout
        texts = [new[f"body/{i + 1}"].text if f"body/{i + 1}" in new else None for i in range(len(shape.blocks))]
        body = shape.render(texts)
    head, rest = _split(answer.text if answer.text is not None else _source_file(answer))
    if answer.target is None or answer.target.status != status:
        head = _set_field(head, "status", status)
    for part in ("question", "short"):
        if part in new:
            head = _set_field(head, part, one_line(new[part].text))
    if any(key.startswith("body") for key in new):
        head = _drop_field(head, "spoken_answer")
    if "short" in new:
        head = _drop_field(head, "spoken_short")
    text = head + rest[0] + body + rest[1]
    if stamp:
        text = with_source_hash(text, answer.source_hash)
    return text, status


def one_line(text: str) -> str:
    """A text for a one-line field: its line breaks become spaces (no-break spaces stay what they are)."""
    return re.sub(r"[ \t]*\n[ \t\n]*", " ", text.strip(" \t\n"))


def _source_file(answer: AnswerPlan) -> str:
    """A new translation starts from the source file: its sources and check date, without voice variants."""
    text = read_file(answer.path.parent.parent.parent / answer.source.lang / "answers" / answer.path.name)
    head, _ = _split(text)
    return _drop_field(_drop_field(head, "spoken_short"), "spoken_answer") + text[len(head) :]


def _split(text: str) -> tuple[str, tuple[str, str]]:
    """An answer file as (front matter up to its closing '---' line, (the blank lines before the body, what follows
    the body)); the body is what :func:`parse_answer` reads."""
    answer = parse_answer(SourceText("", text), "x", "", Report())
    if answer is None:
        raise TranslationError("the front matter cannot be read; run 'wegwijzer content check'")
    lines = text.split("\n")
    head = "\n".join(lines[: answer.body_line - 1]) + "\n"
    rest = text[len(head) :]
    start = len(rest) - len(rest.lstrip("\n"))
    end = start + len(answer.body)
    return head, (rest[:start], rest[end:] if answer.body else rest[start:])


_TOP_KEY = re.compile(r"^[^\s#][^:]*:")


def _field_span(lines: list[str], key: str) -> tuple[int, int] | None:
    """The lines of a one-value field: its key's line and the indented lines that continue its value."""
    for index, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            end = index + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
                end += 1
            return index, end
    return None


def _section_span(lines: list[str], key: str) -> tuple[int, int] | None:
    """The lines of a mapping section (``ui:``): up to the next key at the left margin."""
    for index, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            end = index + 1
            while end < len(lines) and not _TOP_KEY.match(lines[end]):
                end += 1
            return index, end
    return None


def _set_field(head: str, key: str, value: str) -> str:
    """Front matter with ``key`` set to ``value`` (as a YAML scalar, quoted as it was); added if missing."""
    lines = head.split("\n")
    span = _field_span(lines, key)
    if span is None:
        closing = max(i for i, line in enumerate(lines) if line.strip() == "---")
        lines.insert(closing, f"{key}: {yaml_scalar(value, False)}")
        return "\n".join(lines)
    quoted = lines[span[0]][len(key) + 1 :].strip().startswith(('"', "'"))
    lines[span[0] : span[1]] = [f"{key}: {yaml_scalar(value, quoted)}"]
    return "\n".join(lines)


def _drop_field(head: str, key: str) -> str:
    lines = head.split("\n")
    span = _field_span(lines, key) if key else None
    if span is not None:
        del lines[span[0] : span[1]]
    return "\n".join(lines)


def yaml_scalar(value: str, quoted: bool) -> str:
    """``value`` as a one-line YAML scalar: plain if YAML reads it back unchanged (and ``quoted`` is not asked),
    else in double quotes."""
    if not quoted and value == value.strip() and value:
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
    return json.dumps(value, ensure_ascii=False)


def rewrite_strings(strings: StringsPlan, changes: dict[str, Change]) -> tuple[str, str]:
    """The screen texts' file with the changed texts (each on its line, others untouched) and its status."""
    confirmed = all(changes[u.id].confirmed if u.id in changes else u.confirmed for u in strings.units)
    status = "reviewed" if confirmed else "machine"
    if strings.text is None:
        lines = ["# Every text of the screens (from the translators' XLIFF file).", f"status: {status}"]
        for section in ("topics", "ui"):
            given = [(u.id.split("/")[2], changes[u.id].text) for u in strings.units
                     if u.id.startswith(f"strings/{section}/") and u.id in changes]  # fmt: skip
            lines += [f"{section}:"] + [f"  {name}: {yaml_scalar(text, True)}" for name, text in given]
        return "\n".join(lines) + "\n", status
    lines = strings.text.split("\n")
    for unit in strings.units:
        if unit.id not in changes:
            continue
        section, name = unit.id.split("/")[1:]
        value = one_line(changes[unit.id].text)
        _set_string(lines, section, name, value)
    span = _field_span(lines, "status")
    if span is not None and (strings.target is None or strings.target.status != status):
        lines[span[0] : span[1]] = [f"status: {status}"]
    return "\n".join(lines), status


def _set_string(lines: list[str], section: str, name: str, value: str) -> None:
    span = _section_span(lines, section)
    if span is None:
        end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        lines[end:end] = [f"{section}:", f"  {name}: {yaml_scalar(value, True)}"]
        return
    start, end = span
    for index in range(start + 1, end):
        match = re.match(rf"^(\s+){re.escape(name)}:(.*)$", lines[index])
        if match:
            stop = index + 1
            indent = len(match[1])
            while stop < end and (not lines[stop].strip() or len(lines[stop]) - len(lines[stop].lstrip()) > indent):
                stop += 1
            while stop > index + 1 and not lines[stop - 1].strip():
                stop -= 1
            quoted = match[2].strip().startswith(('"', "'"))
            lines[index:stop] = [f"{match[1]}{name}: {yaml_scalar(value, quoted)}"]
            return
    last = end
    while last > start + 1 and not lines[last - 1].strip():
        last -= 1
    lines.insert(last, f"  {name}: {yaml_scalar(value, True)}")


# --- all files or none ------------------------------------------------------------------------------------------
def write_all(files: Mapping[Path, str | bytes]) -> None:
    """Replace every file with its new text, or leave every one as it was.

    Each new text is written to a temporary file beside its file first; only when all are written are they
    moved into place (one rename each). If a rename fails, the files already replaced get their old bytes back.
    """
    staged: list[tuple[Path, Path, bytes | None]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            old = path.read_bytes() if path.exists() else None
            data = text.encode("utf-8") if isinstance(text, str) else text
            staged.append((path, _temporary(path, data), old))
    except BaseException:
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, tmp, old in staged:
            os.replace(tmp, path)
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            _restore(path, old)
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise


def _temporary(path: Path, data: bytes) -> Path:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(name, path.stat().st_mode & 0o777)
        else:
            os.chmod(name, 0o644)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _restore(path: Path, old: bytes | None) -> None:
    with contextlib.suppress(OSError):
        if old is None:
            path.unlink(missing_ok=True)
        else:
            tmp = _temporary(path, old)
            os.replace(tmp, path)
