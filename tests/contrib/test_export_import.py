"""Contributions travel to the editors: export from a kiosk's data, import into the content with checks, build.

The exported recording and the one in the content are byte-equal, and marked with the answer's version; a
recording or review of an answer that changed since is stale (refused, with its place); an export that did not
finish, a damaged copy and hostile names are refused; what passes builds into the guide with its sentence marks."""

from __future__ import annotations

import json
import math
import random
from array import array
from pathlib import Path

import pytest
import yaml

from kiosk import paths
from kiosk.content.build import build
from kiosk.content.contributions import import_recordings, import_reviews
from kiosk.content.problems import Report
from kiosk.content.sources import load
from kiosk.contrib.audio import process, wav_bytes
from kiosk.contrib.export import MANIFEST, export
from kiosk.contrib.store import Contributions, answer_version, sentence_spans
from kiosk.guide import GuideStore
from kiosk.updates.safefs import SafeDir

RATE = 16000


def take(seed: int):
    rng = random.Random(seed)
    hiss = [round(rng.uniform(-30, 30)) for _ in range(RATE // 10)]
    tone = [round(9000 * math.sin(2 * math.pi * (200 + seed) * i / RATE)) for i in range(RATE * 7 // 10)]
    return process(array("h", hiss + tone + hiss), RATE)


@pytest.fixture
def kiosk_data(tmp_path, shipped_guide):
    """A kiosk's contributions: the Tigrinya 'accident' short answer read in full, a review of its translation."""
    store = GuideStore(shipped_guide)
    contributions = Contributions(tmp_path / "kiosk" / "contrib")
    consent = contributions.give_consent("TG", "consent", "nl")
    answer = store.answer("accident", "ti")
    version = answer_version(store, "accident", "ti")
    recording = contributions.start("ti", "accident", "short", answer.short, version)
    for index in range(len(recording.sentences)):
        recording = contributions.keep(recording, index, take(index), consent)
    unfinished = contributions.start("ti", "damage", "short", store.answer("damage", "ti").short,
                                     answer_version(store, "damage", "ti"))  # fmt: skip
    contributions.keep(unfinished, 0, take(5), consent)
    contributions.add_review("ti", "accident", "correct", "", "TG", version)
    contributions.add_review("uk", "accident", "needs-change", "'прийом' is not the word", "OK",
                             answer_version(store, "accident", "uk"))  # fmt: skip
    return contributions, store


def exported(contributions, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with SafeDir.open(folder) as target:
        result = export(contributions, target, "Klein Kasteeltje")
    assert result.recordings == 1 and result.reviews == 2
    assert result.unfinished == ["ti/damage.short (1/" + result.unfinished[0].split("/")[-1]]
    return Path(result.folder)


def test_export_import_build_round_trip(kiosk_data, content_copy, tmp_path):
    contributions, store = kiosk_data
    out = exported(contributions, tmp_path / "stick")
    assert out.parent.name == "wegwijzer-contrib" and out.name.startswith("klein-kasteeltje-")
    result = import_recordings(content_copy, tmp_path / "stick")  # the stick's folder: every export in it
    assert not result.report.errors, result.report.sorted()
    assert result.written == ["lang/ti/recordings/accident.short.wav", "lang/ti/recordings/accident.short.yaml"]
    wav = content_copy / "lang/ti/recordings/accident.short.wav"
    assert wav.read_bytes() == (out / "recordings/ti/accident.short.wav").read_bytes(), "byte-equal"
    sidecar = (content_copy / "lang/ti/recordings/accident.short.yaml").read_text(encoding="utf-8")
    fields = yaml.safe_load(sidecar)
    assert fields["answer_hash"] == store.answer_hash("accident", "ti") and fields["reader"] == "TG"
    again = import_recordings(content_copy, out)
    assert again.written == [] and again.unchanged == ["lang/ti/recordings/accident.short.wav"]

    reviews = import_reviews(content_copy, out)
    assert not reviews.report.errors, reviews.report.sorted()
    text = (content_copy / "lang/ti/answers/accident.md").read_text(encoding="utf-8")
    assert "status: reviewed" in text and 'reviewed_by: "TG"' in text and "reviewed: 20" in text
    assert any("прийом" in note for note in reviews.notes)
    assert "прийом" in (content_copy / "lang/uk/review-notes.yaml").read_text(encoding="utf-8")
    assert "status: machine" in (content_copy / "lang/uk/answers/accident.md").read_text(encoding="utf-8")

    guide = tmp_path / "guide.sqlite"
    build(content_copy, guide, paths.icons_dir(), paths.fonts_dir())
    with GuideStore(guide) as built:
        recording = built.recording("accident", "ti", "short")
        assert recording is not None and len(recording.marks) >= 2
        answer = built.answer("accident", "ti")
        assert answer.status == "reviewed" and not answer.machine_translated
        assert [answer.short[a:b] for a, b, _ in recording.marks] == [
            answer.short[a:b] for a, b in sentence_spans(answer.short)], "the marks are the sentences of the text"


def test_a_changed_answer_makes_its_recording_and_review_stale(kiosk_data, content_copy, tmp_path):
    contributions, _store = kiosk_data
    out = exported(contributions, tmp_path / "stick")
    answer = content_copy / "lang/ti/answers/accident.md"
    answer.write_text(answer.read_text(encoding="utf-8").replace("።", "። ሓድሽ።", 1), encoding="utf-8")
    result = import_recordings(content_copy, out)
    assert [str(p).split(": error: ")[1][:6] for p in result.report.errors] == ["stale:"]
    assert result.report.errors[0].path.endswith("recordings/ti/accident.short.yaml")
    assert result.report.errors[0].line == 2  # answer_hash's line, after the comment
    assert not (content_copy / "lang/ti/recordings/accident.short.wav").exists()
    reviews = import_reviews(content_copy, out)
    assert any("stale" in p.message for p in reviews.report.warnings)
    assert "status: machine" in answer.read_text(encoding="utf-8")


def test_unfinished_damaged_or_hostile_exports_are_refused(kiosk_data, content_copy, tmp_path):
    contributions, _store = kiosk_data
    out = exported(contributions, tmp_path / "stick")
    before = {p: p.read_bytes() for p in content_copy.rglob("*") if p.is_file()}
    # a damaged copy
    wav = out / "recordings/ti/accident.short.wav"
    data = bytearray(wav.read_bytes())
    data[-10] ^= 0xFF
    wav.write_bytes(bytes(data))
    result = import_recordings(content_copy, out)
    assert "not what the export wrote" in result.report.errors[0].message
    # a hostile listing: a path outside, an unknown kind
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["../../../etc/passwd"] = "0" * 64
    manifest["files"]["recordings/ti/../../x.wav"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = import_recordings(content_copy, out)
    assert sum("not a file an export holds" in p.message for p in result.report.errors) == 2
    # an export that did not finish
    (out / MANIFEST).unlink()
    result = import_recordings(content_copy, out)
    assert "incomplete" in result.report.errors[0].message
    assert {p: p.read_bytes() for p in content_copy.rglob("*") if p.is_file()} == before, "nothing written"


def test_a_sidecar_with_bad_marks_is_reported_at_its_line(content_copy):
    folder = content_copy / "lang/ar/recordings"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accident.short.wav").write_bytes(wav_bytes(take(1).samples, RATE))
    (folder / "accident.short.yaml").write_text(
        "answer_hash: 0123456789abcdef\ntext: \"جملة. أخرى.\"\nsentences:\n  - [0, 5, 0]\n  - [3, 9, 100]\n"
        "reader: AB\nconsent: 2026-12-06T10:00:00+00:00\nrecorded: 2026-12-06T10:01:00+00:00\n",
        encoding="utf-8",
    )
    report = Report()
    guide = load(content_copy, report)
    problems = [p for p in report.problems if "accident.short.yaml" in p.path]
    assert problems and problems[0].line == 3 and "not a range of the text" in problems[0].message
    assert ("accident", "ar", "short") not in guide.recordings, "a recording with a broken sidecar is not built"
