"""The translators' round trip: export a language as XLIFF 1.2, import it back (kiosk.content.xliff)."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from kiosk import paths
from kiosk.cli import main
from kiosk.content import xliff
from kiosk.content.stamp import stamp
from kiosk.content.xliff import NS, XliffError, export_xliff, import_xliff

LANGUAGES = [
    lang["code"]
    for lang in yaml.safe_load((paths.content_dir() / "languages.yaml").read_text(encoding="utf-8"))["languages"]
    if lang["code"] != "nl"
]
X = f"{{{NS}}}"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def units(data: bytes) -> tuple[etree._ElementTree, dict[str, etree._Element]]:
    tree = etree.ElementTree(etree.fromstring(data))
    return tree, {u.get("id"): u for u in tree.iter(f"{X}trans-unit")}


def serialize(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def translate(unit: etree._Element, text: str | None = None, state: str = "translated") -> None:
    """What a translator's tool does: a new target text (codes kept when ``text`` is None) and a state."""
    target = unit.find(f"{X}target")
    if target is None:
        target = etree.SubElement(unit, f"{X}target")
        source = unit.find(f"{X}source")
        target.text, target[:] = source.text, [copy.deepcopy(c) for c in source]
    if text is not None:
        target.text, target[:] = text, []
    target.attrib.pop("state-qualifier", None)
    target.set("state", state)


# --- lossless -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
def test_export_then_import_changes_no_byte(lang, content_copy):
    before = snapshot(content_copy)
    result = import_xliff(content_copy, export_xliff(content_copy, lang))
    assert result.written == [] and result.refused == []
    assert snapshot(content_copy) == before


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_comes_back_exactly_through_the_tags(lang, content_copy):
    """Every unit confirmed as it is: each file is rebuilt from the XLIFF's texts and tags, and only its status
    line changes (machine -> reviewed), so Markdown, facts, no-break spaces and quoting survive byte for byte."""
    tree, found = units(export_xliff(content_copy, lang))
    for unit in found.values():
        translate(unit)
    before = snapshot(content_copy)
    result = import_xliff(content_copy, serialize(tree))
    assert result.refused == [] and len(result.written) == len(list((content_copy / "lang" / lang).rglob("*.md"))) + 1
    after = snapshot(content_copy)
    for name, data in before.items():
        expected = data.replace(b"status: machine", b"status: reviewed") if name.startswith(f"lang/{lang}/") else data
        assert after[name] == expected, name


# --- what the file says ---------------------------------------------------------------------------------------------
def test_states_follow_the_status_and_codes_protect_markup(content_copy):
    (content_copy / "lang/fr/answers/accident.md").unlink()
    reviewed = content_copy / "lang/fr/answers/damage.md"
    reviewed.write_text(reviewed.read_text(encoding="utf-8").replace("status: machine", "status: reviewed"),
                        encoding="utf-8")  # fmt: skip
    tree, found = units(export_xliff(content_copy, "fr"))
    file = tree.getroot().find(f"{X}file")
    assert (file.get("source-language"), file.get("target-language"), file.get("original")) == (
        "nl",
        "fr",
        "wegwijzer-guide",
    )
    assert found["answer/accident/question"].find(f"{X}target") is None  # missing: nothing to review
    machine = found["answer/how-much/short"].find(f"{X}target")
    assert (machine.get("state"), machine.get("state-qualifier")) == ("needs-review-translation", "mt-suggestion")
    assert found["answer/damage/question"].find(f"{X}target").get("state") == "final"
    assert found["answer/damage/question"].get("approved") == "yes"
    assert "strings/ui/search_results" in found and "strings/topics/money" in found
    # {{facts}} and {words} are placeholders holding their native code; **bold** is a <g> pair
    body = next(u for i, u in found.items() if i.startswith("answer/accident/body/") and "{{" in "".join(u.itertext()))
    ph = body.find(f"{X}source/{X}ph")
    assert ph.get("ctype") == "x-fact" and ph.text == "{{free-insurance-register-ahead}}"
    bold = found["answer/accident/body/2"].find(f"{X}source/{X}g")
    assert bold.get("ctype") == "bold" and bold.text == "vóór de start"
    word = found["strings/ui/search_results"].find(f"{X}source/{X}ph")
    assert (word.get("ctype"), word.text) == ("x-placeholder", "{count}")
    group = found["answer/how-much/short"].getparent()
    assert re.fullmatch(r"source-hash=[0-9a-f]{16}", group.get("extradata"))


# --- import -------------------------------------------------------------------------------------------------------
def test_an_edit_is_written_in_place_and_the_answer_stays_machine(content_copy):
    path = content_copy / "lang/fr/answers/accident.md"
    before = path.read_text(encoding="utf-8")
    tree, found = units(export_xliff(content_copy, "fr"))
    target = found["answer/accident/body/2"].find(f"{X}target")
    bold = target.find(f"{X}g")
    bold.text = "AVANT de commencer"
    target.set("state", "translated")
    result = import_xliff(content_copy, serialize(tree))
    assert result.written == [(path, "machine")] and result.refused == []
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n"), strict=True) if a != b]
    assert len(changed) == 1 and "**AVANT de commencer**" in changed[0][1]


def test_every_unit_confirmed_makes_a_stale_answer_reviewed_and_stamped(content_copy, tmp_path):
    path = content_copy / "lang/fr/answers/accident.md"
    path.write_text(re.sub(r"source_hash: \w+", "source_hash: 0000000000000000", path.read_text(encoding="utf-8")),
                    encoding="utf-8")  # fmt: skip
    tree, found = units(export_xliff(content_copy, "fr"))
    mine = {i: u for i, u in found.items() if i.startswith("answer/accident/")}
    assert all(u.find(f"{X}target").get("state") == "needs-review-translation" for u in mine.values())
    assert any("source text changed" in "".join(n.itertext()) for n in mine["answer/accident/short"].iter(f"{X}note"))
    for unit in mine.values():
        translate(unit, state="final")
    import_xliff(content_copy, serialize(tree))
    text = path.read_text(encoding="utf-8")
    assert "status: reviewed" in text
    stamped = tmp_path / "stamped.md"
    stamped.write_text(text, encoding="utf-8")
    stamp(content_copy, "fr", ["accident"])  # what `wegwijzer content stamp` records: the same hash
    assert path.read_text(encoding="utf-8") == stamped.read_text(encoding="utf-8")


def test_a_new_answer_is_written_when_every_part_is_translated(content_copy):
    path = content_copy / "lang/fr/answers/accident.md"
    path.unlink()
    tree, found = units(export_xliff(content_copy, "fr"))
    mine = [u for i, u in found.items() if i.startswith("answer/accident/")]
    translate(mine[0])
    partial = import_xliff(content_copy, serialize(tree))
    assert not path.exists() and partial.refused[0][0] == mine[0].get("id") and "all its parts" in partial.refused[0][1]
    for unit in mine:
        translate(unit, state="needs-review-translation")
    result = import_xliff(content_copy, serialize(tree))
    assert result.written == [(path, "machine")]
    text = path.read_text(encoding="utf-8")
    dutch = (content_copy / "lang/nl/answers/accident.md").read_text(encoding="utf-8")
    assert text.split("\n---\n")[1] == dutch.split("\n---\n")[1]  # the body, from the Dutch text's layout
    assert "status: machine" in text and re.search(r"^source_hash: [0-9a-f]{16}$", text, re.M)
    assert "url: https://" in text  # the sources come along


def test_a_stale_unit_is_refused_by_name_and_the_others_import(content_copy):
    tree, found = units(export_xliff(content_copy, "fr"))
    translate(found["answer/accident/body/1"], "Une organisation n'est pas obligée.")
    translate(found["answer/how-much/question"], "Combien puis-je recevoir ?")
    dutch = content_copy / "lang/nl/answers/accident.md"
    dutch.write_text(dutch.read_text(encoding="utf-8").replace("Dat is niet verplicht.", "Dat moet niet."),
                     encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["content", "import-xliff", str(write(content_copy.parent, tree)),
                                       "--source", str(content_copy)])  # fmt: skip
    assert result.exit_code == 1
    assert "refused answer/accident/body/1: the source text changed since the export (stale)" in result.stderr
    assert "Combien puis-je recevoir ?" in (content_copy / "lang/fr/answers/how-much.md").read_text(encoding="utf-8")
    assert "n'est pas obligée." not in (content_copy / "lang/fr/answers/accident.md").read_text(encoding="utf-8")


def test_a_lost_figure_or_word_refuses_that_unit(content_copy):
    tree, found = units(export_xliff(content_copy, "fr"))
    fact = next(i for i, u in found.items() if i.startswith("answer/") and u.find(f"{X}source/{X}ph") is not None)
    translate(found[fact], "Le montant change.")
    translate(found["strings/ui/search_results"], "réponses")
    before = snapshot(content_copy)
    result = import_xliff(content_copy, serialize(tree))
    assert sorted(i for i, _ in result.refused) == sorted([fact, "strings/ui/search_results"])
    assert "{{" in dict(result.refused)[fact] and "{count}" in dict(result.refused)["strings/ui/search_results"]
    assert snapshot(content_copy) == before


def test_a_screen_text_is_changed_on_its_line(content_copy):
    path = content_copy / "lang/fr/strings.yaml"
    before = path.read_text(encoding="utf-8").split("\n")
    tree, found = units(export_xliff(content_copy, "fr"))
    translate(found["strings/ui/home"], "Accueil : début")
    import_xliff(content_copy, serialize(tree))
    after = path.read_text(encoding="utf-8").split("\n")
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        (next(line for line in before if line.startswith("  home:")), '  home: "Accueil : début"')
    ]


# --- hostile and wrong files --------------------------------------------------------------------------------------
def write(folder: Path, tree_or_bytes) -> Path:
    path = folder / "back.xlf"
    path.write_bytes(tree_or_bytes if isinstance(tree_or_bytes, bytes) else serialize(tree_or_bytes))
    return path


def _laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY l0 "ha">{entities}]>'
            f'<xliff version="1.2" xmlns="{NS}"><file original="wegwijzer-guide" source-language="nl" '
            f'target-language="fr" datatype="x"><body><trans-unit id="answer/accident/question"><source>x</source>'
            f"<target>&l9;</target></trans-unit></body></file></xliff>").encode()  # fmt: skip


def _external(secret: Path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY s SYSTEM "file://{secret}">]>'
            f'<xliff version="1.2" xmlns="{NS}"><file original="wegwijzer-guide" source-language="nl" '
            f'target-language="fr" datatype="x"><body><trans-unit id="answer/accident/question"><source>x</source>'
            f"<target>&s;</target></trans-unit></body></file></xliff>").encode()  # fmt: skip


def _retagged(content: Path, pattern: str, replacement: str) -> bytes:
    return re.sub(pattern, replacement, export_xliff(content, "fr").decode(), count=1).encode()


HOSTILE = {
    "not XML": (lambda c, s: b"<xliff><file>", "not well-formed XML"),
    "not XLIFF": (lambda c, s: b"<?xml version='1.0'?><html/>", "not an XLIFF"),
    "XLIFF 2": (lambda c, s: b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>', "XLIFF 1.2"),
    "billion laughs": (lambda c, s: _laughs(), "amplification"),  # libxml2's own guard, before our refusal
    "external entity": (lambda c, s: _external(s), "document type"),
    "another language": (lambda c, s: _retagged(c, 'target-language="fr"', 'target-language="xx"'), "'xx'"),
    "the source language": (lambda c, s: _retagged(c, 'target-language="fr"', 'target-language="nl"'), "source"),
    "from another source language": (
        lambda c, s: _retagged(c, 'source-language="nl"', 'source-language="en"'),
        "translates from 'en'",
    ),
    "another tool's file": (
        lambda c, s: _retagged(c, 'original="wegwijzer-guide"', 'original="app.po"'),
        "export-xliff",
    ),
    "an unknown unit": (
        lambda c, s: _retagged(c, 'id="answer/accident/question"', 'id="answer/../../etc/question"'),
        "not in this guide",
    ),
    "too big": (lambda c, s: b" " * (xliff.MAX_XLIFF_BYTES + 1), "limit"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_bad_file_is_refused_whole_in_one_line(case, content_copy, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    make, reason = HOSTILE[case]
    data = make(content_copy, secret)
    before = snapshot(content_copy)
    with pytest.raises(XliffError, match=re.escape(reason)):  # one line, nothing written
        import_xliff(content_copy, data)
    result = CliRunner().invoke(main, ["content", "import-xliff", str(write(tmp_path, data)),
                                       "--source", str(content_copy)])  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "nothing was written" in result.stderr
    assert "TOP-SECRET" not in result.output
    assert snapshot(content_copy) == before


def test_the_toolkits_parser_expands_no_entity(tmp_path):
    """The parser translate-toolkit uses (lxml, resolve_entities=False, no_network) neither reads a file nor
    expands an entity, even before our own refusal of a document type."""
    from translate.storage import xliff as ttk

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    store = ttk.xlifffile.parsestring(_external(secret))
    assert "TOP-SECRET" not in etree.tostring(store.document, encoding="unicode")
    assert "".join(store.units[0].xmlelement.find(f"{X}target").itertext()) == "&s;"  # left as a reference
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        ttk.xlifffile.parsestring(_laughs())


def test_a_tag_the_format_does_not_allow_refuses_that_unit(content_copy):
    tree, found = units(export_xliff(content_copy, "fr"))
    target = found["answer/accident/question"].find(f"{X}target")
    etree.SubElement(target, f"{X}bpt", id="9").text = "<b>"
    target.set("state", "translated")
    result = import_xliff(content_copy, serialize(tree))
    assert result.refused == [("answer/accident/question", "<bpt> is not allowed in a text")]


# --- nothing half-written -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fail_at", ["write", "rename"])
def test_a_failure_midway_leaves_every_file_as_it_was(fail_at, content_copy, monkeypatch):
    tree, found = units(export_xliff(content_copy, "fr"))
    for uid in ("answer/accident/question", "answer/how-much/question", "answer/damage/question"):
        translate(found[uid], "Une question ?")
    before = snapshot(content_copy)
    from kiosk.content import translation

    calls = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    if fail_at == "rename":
        monkeypatch.setattr(translation.os, "replace", replace)
    else:
        monkeypatch.setattr(translation.os, "fsync", fsync)
    result = CliRunner().invoke(main, ["content", "import-xliff", str(write(content_copy.parent, tree)),
                                       "--source", str(content_copy)])  # fmt: skip
    assert result.exit_code == 1 and "nothing was written" in result.stderr and "Traceback" not in result.output
    assert snapshot(content_copy) == before  # no file changed, no temporary file left


def test_export_refuses_the_source_language_and_writes_the_file(content_copy, tmp_path):
    runner = CliRunner()
    refused = runner.invoke(main, ["content", "export-xliff", "nl", "--source", str(content_copy)])
    assert refused.exit_code == 1 and "source language" in refused.stderr
    out = tmp_path / "ti.xlf"
    done = runner.invoke(main, ["content", "export-xliff", "ti", "--source", str(content_copy), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert etree.fromstring(out.read_bytes()).find(f"{X}file").get("target-language") == "ti"
    with pytest.raises(XliffError, match="not a language of this guide"):
        export_xliff(content_copy, "xx")
