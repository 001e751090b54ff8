"""The translators' round trip: one language's texts as an XLIFF 1.2 file for translation tools, and back.

The file (written and read through translate-toolkit) has one ``<file original="wegwijzer-guide">`` with the
guide's source language, the target language and the guide version (``product-version``); a ``<group>`` per
answer records the source text's hash it was made from (``extradata="source-hash=..."``) and one for the screen
texts. Units are named as :mod:`kiosk.content.translation` says. Inline codes: ``**bold**`` and ``*italic*``
are ``<g ctype="bold|italic">`` pairs (a tool shows them as tags the translator moves with the words);
``{{fact-id}}``, ``{word}`` and Markdown between paragraphs are ``<ph>`` whose text is the native code (a tool
shows a tag, never text to translate).

States: a reviewed, up-to-date translation is ``final`` (``approved="yes"``); a machine translation or one made
from an older source text is ``needs-review-translation`` (machine ones with ``state-qualifier="mt-suggestion"``);
a text not translated yet has no ``<target>``. On import a unit counts as confirmed when it is ``translated``,
``signed-off`` or ``final`` (or approved). What happens to each file is documented in ``content/README.md``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from translate.storage import xliff as ttk

from kiosk.content.markdown import analyse
from kiosk.content.segments import PAIRED, Piece, facts_named, words_named
from kiosk.content.translation import (
    AnswerPlan,
    Change,
    Plan,
    TranslationError,
    Unit,
    plan,
    rewrite_answer,
    rewrite_strings,
    write_all,
)

NS = "urn:oasis:names:tc:xliff:document:1.2"
ORIGINAL = "wegwijzer-guide"
DATATYPE = "x-wegwijzer-markdown"
MAX_XLIFF_BYTES = 16 * 1024 * 1024  # a whole language is about 0.3 MiB
CONFIRMED = {"translated", "signed-off", "final"}
_CTYPES = {"bold": "bold", "italic": "italic", "fact": "x-fact", "word": "x-placeholder", "markup": "x-markdown"}
_SKELETON = (f'<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2" xmlns="{NS}">'
             f'<file original="{ORIGINAL}" datatype="{DATATYPE}" source-language="nl"><header/><body/></file>'
             f"</xliff>").encode()  # fmt: skip


class XliffError(Exception):
    """The whole file is refused (one line); nothing was written."""


class UnitError(Exception):
    """One unit is refused; the others go on."""


# --- export -----------------------------------------------------------------------------------------------------
def export_xliff(root: Path, lang: str) -> bytes:
    """Every translatable text of ``lang`` (answers and screen texts) as XLIFF 1.2 bytes."""
    try:
        current = plan(root, lang)
    except TranslationError as exc:
        raise XliffError(str(exc)) from None
    store: Any = ttk.xlifffile(_SKELETON)
    filenode = next(store.document.getroot().iterchildren(f"{{{NS}}}file"))
    filenode.set("source-language", current.source_lang)
    filenode.set("target-language", lang)
    filenode.set("product-name", "wegwijzer")
    filenode.set("product-version", str(current.version))
    header = filenode.find(f"{{{NS}}}header")
    note = etree.SubElement(header, f"{{{NS}}}note")
    note.text = (f"Guide version {current.version} ({current.edition}), {current.source_lang} to {lang}. "
                 "Keep the tags: they are bold and italic text, figures filled in by the kiosk ({{...}}), words "
                 "filled in by the screens ({...}) and the layout between paragraphs. Import with "
                 "'wegwijzer content import-xliff'.")  # fmt: skip
    for qid, answer in current.answers.items():
        group = _group(store, f"answer/{qid}", qid, "x-answer", answer.source_hash)
        for unit in answer.units:
            _add_unit(store, group, unit, machine=answer.target is not None and answer.target.status == "machine",
                      stale=answer.stale)  # fmt: skip
    if current.strings is not None:
        group = _group(store, "strings", "strings.yaml", "x-screen-texts", None)
        machine = current.strings.target is not None and current.strings.target.status == "machine"
        for unit in current.strings.units:
            _add_unit(store, group, unit, machine=machine, stale=False)
    etree.cleanup_namespaces(store.document.getroot())  # units are made in translate-toolkit's default namespace
    out = io.BytesIO()
    store.serialize(out)
    return out.getvalue()


def _group(store: Any, gid: str, resname: str, restype: str, source_hash: str | None) -> Any:
    group = etree.SubElement(store.body, f"{{{NS}}}group", id=gid, resname=resname, restype=restype)
    if source_hash:
        group.set("extradata", f"source-hash={source_hash}")
    return group


def _add_unit(store: Any, group: Any, unit: Unit, machine: bool, stale: bool) -> None:
    tu = ttk.xliffunit("")
    tu.setid(unit.id)
    store.addunit(tu, new=False)
    group.append(tu.xmlelement)
    _fill(tu.source_dom, unit.source)
    if unit.note:
        tu.addnote(unit.note, origin="developer")
    if unit.target_text is None:
        return
    target = etree.SubElement(tu.xmlelement, f"{{{NS}}}target")
    _fill(target, _pieces_like(unit, unit.target_text))
    if unit.confirmed:
        target.set("state", "final")
        tu.xmlelement.set("approved", "yes")
        return
    target.set("state", "needs-review-translation")
    if machine:
        target.set("state-qualifier", "mt-suggestion")
    if stale:
        tu.addnote("The source text changed after this translation was made: check it against the source.",
                   origin="wegwijzer")  # fmt: skip


def _pieces_like(unit: Unit, text: str) -> tuple[Piece, ...]:
    from kiosk.content.segments import body_pieces, layout, markdown_pieces, word_pieces

    if unit.words:
        return word_pieces(text)
    if unit.id.endswith("/body"):
        return body_pieces(layout(text))
    return markdown_pieces(text)


def _fill(element: Any, pieces: tuple[Piece, ...], counter: list[int] | None = None) -> None:
    """Write pieces into an XLIFF element: text, ``<g>`` pairs and ``<ph>`` codes, numbered in order."""
    counter = counter if counter is not None else [0]
    last = None
    for piece in pieces:
        if isinstance(piece, str):
            if last is None:
                element.text = (element.text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
            continue
        counter[0] += 1
        tag = "g" if piece.kind in PAIRED else "ph"
        last = etree.SubElement(element, f"{{{NS}}}{tag}", id=str(counter[0]), ctype=_CTYPES[piece.kind])
        if tag == "g":
            _fill(last, piece.inner, counter)
        else:
            last.text = piece.native


# --- import -----------------------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    lang: str
    written: list[tuple[Path, str]] = field(default_factory=list)  # file, its status
    refused: list[tuple[str, str]] = field(default_factory=list)  # unit id, why
    unchanged: int = 0  # units the file holds as the content folder does


@dataclass
class _Given:
    unit: Unit
    text: str
    confirmed: bool
    export_hash: str | None


def read_xliff(data: bytes) -> Any:
    """Parse XLIFF bytes through translate-toolkit's parser, which resolves no entities and loads nothing from the
    network; a document type declaration (where entity tricks live) is refused outright."""
    if len(data) > MAX_XLIFF_BYTES:
        raise XliffError(f"the file is {len(data) / 2**20:.1f} MiB; the limit is {MAX_XLIFF_BYTES // 2**20} MiB")
    try:
        store: Any = ttk.xlifffile(data)
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"not well-formed XML: {exc}") from None
    except (ValueError, AssertionError, StopIteration, TypeError) as exc:
        raise XliffError(f"not an XLIFF 1.2 file{': ' + str(exc) if str(exc) else ''}") from None
    docinfo = store.document.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XliffError("the file declares a document type (<!DOCTYPE>); translation tools write none: refused")
    if etree.QName(store.document.getroot()).localname != "xliff":
        raise XliffError("not an XLIFF file (its root element is not <xliff>)")
    return store


def import_xliff(root: Path, data: bytes) -> ImportResult:
    """Write the translations of an XLIFF file into the content folder; see the module's docstring."""
    store = read_xliff(data)
    files = list(store.document.getroot().iterchildren(f"{{{store.namespace}}}file"))
    if len(files) != 1 or files[0].get("original") != ORIGINAL:
        names = ", ".join(repr(f.get("original")) for f in files) or "none"
        raise XliffError(f"not a file made by 'wegwijzer content export-xliff' (its files: {names})")
    lang = files[0].get("target-language") or ""
    if not lang:
        raise XliffError("the file names no target language")
    try:
        current = plan(root, lang)
    except TranslationError as exc:
        raise XliffError(f"the file is for language '{lang}': {exc}") from None
    source_lang = files[0].get("source-language")
    if source_lang != current.source_lang:
        raise XliffError(f"the file translates from '{source_lang}'; this guide is written in '{current.source_lang}'")
    result = ImportResult(lang)
    given = _given_units(store, current, result)
    writes = _answer_files(current, given, result) | _strings_file(current, given, result)
    if writes:
        write_all({path: text for path, (text, _) in writes.items()})
        result.written = [(path, status) for path, (_, status) in sorted(writes.items())]
    return result


def _given_units(store: Any, current: Plan, result: ImportResult) -> dict[str, _Given]:
    """The units the translator changed, checked against the current source text; the rest is counted or
    refused in ``result``."""
    known = current.units()
    given: dict[str, _Given] = {}
    for tu in store.units:
        element = tu.xmlelement
        uid = element.get("id") or ""
        unit = known.get(uid)
        if unit is None:
            if not _same_text(uid, current):
                raise XliffError(f"unit '{uid}' is not in this guide: is the file for another guide?")
            if _target(element) is not None:
                result.refused.append((uid, "the source text changed since the export (stale): export again"))
            continue
        try:
            source_codes, source_text = _read(element.find(f"{{{NS}}}source"), {})
            target = _target(element)
            if target is None:
                result.unchanged += 1
                continue
            text = _read(target, source_codes)[1]
        except UnitError as exc:
            result.refused.append((uid, str(exc)))
            continue
        confirmed = element.get("approved") == "yes" or target.get("state") in CONFIRMED
        if unit.target_text is not None and _trim(text) == _trim(unit.target_text):
            text = unit.target_text
        if not _trim(text) or (text == unit.target_text and confirmed == unit.confirmed):
            result.unchanged += 1
            continue
        if source_text != unit.source_text:
            result.refused.append((uid, "the source text changed since the export (stale): export again"))
            continue
        problem = _placeholders(unit, _trim(text))
        if problem:
            result.refused.append((uid, problem))
            continue
        group = element.getparent()
        extra = group.get("extradata", "") if group is not None else ""
        export_hash = extra.removeprefix("source-hash=") if extra.startswith("source-hash=") else None
        given[uid] = _Given(unit, _trim(text), confirmed, export_hash)
    return given


def _trim(text: str) -> str:
    return text.strip(" \t\r\n")


def _same_text(uid: str, current: Plan) -> bool:
    """A unit of an answer this guide has, whose source text changed shape since the export (a paragraph more or
    less), or a screen text the source no longer has."""
    parts = uid.split("/")
    if parts[0] == "answer":
        return len(parts) in (3, 4) and parts[1] in current.answers and parts[2] == "body"
    return len(parts) == 3 and parts[0] == "strings" and parts[1] in ("ui", "topics")


def _target(element: Any) -> Any:
    return element.find(f"{{{NS}}}target")


def _placeholders(unit: Unit, text: str) -> str:
    if unit.words and words_named(text) != words_named(unit.source_text):
        return f"keep the words in {{curly brackets}} as the source has them: {' '.join(words_named(unit.source_text))}"
    if not unit.words and facts_named(text) != facts_named(unit.source_text):
        wanted = " ".join("{{" + name + "}}" for name in facts_named(unit.source_text)) or "none"
        return f"keep the figures ({{{{fact-id}}}}) as the source has them: {wanted}"
    return ""


def _read(element: Any, codes: dict[str, str]) -> tuple[dict[str, str], str]:
    """An XLIFF text element as its native text, and the native code of each of its tags by id.

    ``codes`` are the source's: a translation's tag is written as the source's tag with its id when the tool
    left out its type or its content (``<x>``, ``<bx>``/``<ex>``, an empty ``<ph>``)."""
    found: dict[str, str] = {}
    if element is None:
        raise UnitError("a unit without a <source>")
    return found, "".join(_walk(element, codes, found))


def _walk(element: Any, codes: dict[str, str], found: dict[str, str]) -> Iterator[str]:
    yield element.text or ""
    for child in element:
        if not isinstance(child.tag, str):
            if child.tag is not etree.Comment:
                raise UnitError("an entity or processing instruction in the text")
        else:
            name = etree.QName(child).localname
            cid = child.get("id") or child.get("rid") or ""
            if name == "g":
                mark = next((m for k, m in PAIRED.items() if child.get("ctype") == k), None) or codes.get(cid)
                if mark is None:
                    raise UnitError(f"a paired tag (id {cid!r}) the source does not have")
                found[cid] = mark
                yield mark
                yield from _walk(child, codes, found)
                yield mark
            elif name == "ph":
                native = "".join(child.itertext()) or codes.get(cid, "")
                found[cid] = native
                yield native
            elif name in ("x", "bx", "ex"):
                if cid not in codes:
                    raise UnitError(f"a tag <{name}> (id {cid!r}) the source does not have")
                yield codes[cid]
            elif name == "mrk":
                yield from _walk(child, codes, found)
            else:
                raise UnitError(f"<{name}> is not allowed in a text")
        yield child.tail or ""


def _answer_files(current: Plan, given: dict[str, _Given], result: ImportResult) -> dict[Path, tuple[str, str]]:
    writes: dict[Path, tuple[str, str]] = {}
    for qid, answer in current.answers.items():
        mine = {uid: g for uid, g in given.items() if uid.startswith(f"answer/{qid}/")}
        if not mine:
            continue
        if answer.target is None:
            missing = [u.id for u in answer.units if u.id not in mine]
            if missing:
                for uid in mine:
                    result.refused.append((uid, f"a new answer is written only when all its parts are translated "
                                                f"({missing[0]} is not)"))  # fmt: skip
                continue
        changes = {uid: Change(g.text, g.confirmed) for uid, g in mine.items()}
        text, status = rewrite_answer(answer, changes, _stamp(answer, mine))
        problem = _body_problem(answer, text)
        if problem:
            result.refused += [(uid, problem) for uid in mine]
            continue
        if text != answer.text:
            writes[answer.path] = (text, status)
    return writes


def _stamp(answer: AnswerPlan, mine: dict[str, _Given]) -> bool:
    """Record the current source hash: a new translation, or every unit confirmed against the text exported."""
    if answer.target is None:
        return True
    hashes = {g.export_hash for g in mine.values()}
    confirmed = all(mine[u.id].confirmed if u.id in mine else u.confirmed for u in answer.units)
    return confirmed and hashes == {answer.source_hash}


def _body_problem(answer: AnswerPlan, text: str) -> str:
    from kiosk.content.files import SourceText
    from kiosk.content.problems import Report
    from kiosk.content.sources import parse_answer

    report = Report()
    parsed = parse_answer(SourceText(str(answer.path), text), answer.question_id, "", report)
    if parsed is None or report.errors:
        return f"the answer would not be readable: {report.errors[0].message if report.errors else '?'}"
    problems = analyse(parsed.body).problems
    return f"the answer's Markdown would be refused: {problems[0][1]}" if problems else ""


def _strings_file(current: Plan, given: dict[str, _Given], result: ImportResult) -> dict[Path, tuple[str, str]]:
    strings = current.strings
    mine = {uid: Change(g.text, g.confirmed) for uid, g in given.items() if uid.startswith("strings/")}
    if strings is None or not mine:
        return {}
    text, status = rewrite_strings(strings, mine)
    return {strings.path: (text, status)} if text != strings.text else {}
