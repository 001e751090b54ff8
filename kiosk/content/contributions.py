"""Recordings and review marks made on kiosks, taken into the content (``wegwijzer content import-recordings``
and ``import-reviews``). The export folders are kiosk.contrib.export's; this side trusts nothing in them.

Each item is checked on its own and reported with ``path:line`` like any content problem: the export complete
(its ``contrib.json`` lists the file with the same SHA-256), the WAV 16-bit PCM within the limits, the sidecar's
fields and sentence marks, the answer present in the content, and made from the answer's *current* version (a
recording or a review of a text that has changed since is stale: reported, not taken). What passes is written
into ``content/lang/<code>/`` whole or not at all; a recording's WAV is copied byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.atomic import replace_file
from kiosk.content.files import Fields, LineDict, SourceText, parse_yaml
from kiosk.content.problems import Report
from kiosk.content.recmeta import read_meta
from kiosk.content.sources import MAX_RECORDING_BYTES, RECORDING_PARTS, load, parse_answer

MANIFEST = "contrib.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_YAML_BYTES = 512 * 1024
MAX_FILES = 10_000
_NAME = re.compile(r"(recordings|reviews)/([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)/([a-z0-9][a-z0-9-]{0,63})"
                   r"(?:\.(short|answer))?\.(wav|yaml)")  # fmt: skip
_STATUS_LINE = re.compile(r"^status:.*$", re.MULTILINE)


@dataclass
class ImportResult:
    report: Report = field(default_factory=Report)
    written: list[str] = field(default_factory=list)  # content files written (relative to the content root)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "needs change" marks, for the editor to act on


def _is_export(folder: Path) -> bool:
    return any((folder / name).exists() for name in (MANIFEST, "recordings", "reviews"))


def export_folders(folder: Path, report: Report) -> list[Path]:
    """The export folders in ``folder``: itself if it is one, else its sub-folders that are (oldest first), also
    through a ``wegwijzer-contrib`` folder; none is reported."""
    if _is_export(folder):
        return [folder]
    base = folder / "wegwijzer-contrib" if (folder / "wegwijzer-contrib").is_dir() else folder
    found = sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink() and _is_export(p))
    if not found:
        report.error(str(folder), 1, "no export of a kiosk here (a folder with contrib.json, or a stick's "
                                     "wegwijzer-contrib folder): export with 'wegwijzer recordings export' or a stick")
    return found


def _manifest(folder: Path, report: Report, shown: str) -> dict[str, str] | None:
    """The files the export lists with their SHA-256; None (reported) when it is incomplete or damaged."""
    path = folder / MANIFEST
    if path.is_symlink() or not path.is_file():
        report.error(f"{shown}/{MANIFEST}", 1, "the export is incomplete (no contrib.json: was the stick pulled "
                                               "during the export?); export again from the kiosk")  # fmt: skip
        return None
    try:
        data = json.loads(path.read_bytes()[: MAX_MANIFEST_BYTES + 1].decode("utf-8"))
        files = data["files"]
        if not isinstance(files, dict) or len(files) > MAX_FILES:
            raise ValueError("'files' is not a list of files")
        if data.get("format") != 1:
            raise ValueError(f"format {data.get('format')!r} is not one this version reads")
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        report.error(f"{shown}/{MANIFEST}", 1, f"the export's contents list cannot be read ({exc})")
        return None


def _items(folder: Path, kind: str, report: Report, shown: str) -> list[tuple[str, bytes, re.Match[str]]]:
    """(relative name, bytes, name match) of every file of ``kind`` that the export lists and that arrived whole."""
    listed = _manifest(folder, report, shown)
    if listed is None:
        return []
    out = []
    for rel, digest in sorted(listed.items()):
        match = _NAME.fullmatch(rel)
        if match is None:
            report.error(f"{shown}/{rel}", 1, "not a file an export holds (recordings/<lang>/<id>.<part>.wav|yaml, "
                                              "reviews/<lang>/<id>.yaml)")  # fmt: skip
            continue
        if match.group(1) != kind:
            continue
        path = folder / rel
        cap = MAX_RECORDING_BYTES if rel.endswith(".wav") else MAX_YAML_BYTES
        try:
            if path.is_symlink() or not path.is_file():
                raise OSError("missing, or not a plain file")
            with path.open("rb") as f:
                data = f.read(cap + 1)
        except OSError as exc:
            report.error(f"{shown}/{rel}", 1, f"cannot be read: {exc}")
            continue
        if len(data) > cap:
            report.error(f"{shown}/{rel}", 1, f"larger than {cap // 1024} KiB")
        elif hashlib.sha256(data).hexdigest() != digest:
            report.error(f"{shown}/{rel}", 1, "its content is not what the export wrote (a damaged copy): refused")
        else:
            out.append((rel, data, match))
    return out


def _write(path: Path, data: bytes) -> None:
    """``data`` into ``path`` whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data, 0o644)


def _yaml(data: bytes, rel: str, report: Report) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        report.error(rel, 1, "not UTF-8 text")
        return None
    return parse_yaml(SourceText(rel, text), report)


def import_recordings(root: Path, folder: Path) -> ImportResult:
    """Take the recordings of every export in ``folder`` into the content under ``root``."""
    result = ImportResult()
    report = result.report
    guide = load(root, Report())
    for export in export_folders(folder, report):
        shown = export.name
        items = _items(export, "recordings", report, shown)
        sidecars = {rel: data for rel, data, _m in items if rel.endswith(".yaml")}
        for rel, data, match in items:
            if not rel.endswith(".wav"):
                continue
            _, lang, qid, part, _ext = match.groups()
            where = f"{shown}/{rel}"
            if part not in RECORDING_PARTS:
                report.error(where, 1, "a recording is of the short answer or the full answer")
                continue
            sidecar_rel = rel.removesuffix(".wav") + ".yaml"
            if sidecar_rel not in sidecars:
                report.error(where, 1, "its sidecar (.yaml: the text read, the reader, the consent) is missing")
                continue
            duration = _duration(data, where, report)
            if duration is None:
                continue
            fields = Fields(_yaml(sidecars[sidecar_rel], f"{shown}/{sidecar_rel}", report), f"{shown}/{sidecar_rel}",
                            report, "the sidecar")  # fmt: skip
            if not fields.ok:
                continue
            meta = read_meta(fields, duration)
            if meta is None:
                report.error(f"{shown}/{sidecar_rel}", 1, "the sidecar is incomplete: the recording is not taken")
                continue
            answer = guide.answers.get((qid, lang))
            if answer is None:
                report.error(where, 1, f"there is no answer '{qid}' in '{lang}' in the content")
                continue
            if meta.answer_hash != answer.text_hash:
                report.error(f"{shown}/{sidecar_rel}", meta.hash_line,
                             f"stale: read from an older version of lang/{lang}/answers/{qid}.md ({meta.answer_hash}, "
                             f"now {answer.text_hash}); not taken, record it again")  # fmt: skip
                continue
            target = root / "lang" / lang / "recordings" / f"{qid}.{part}.wav"
            rel_target = f"lang/{lang}/recordings/{qid}.{part}"
            sidecar_data = sidecars[sidecar_rel]
            if target.is_file() and target.read_bytes() == data and target.with_suffix(".yaml").is_file() \
                    and target.with_suffix(".yaml").read_bytes() == sidecar_data:  # fmt: skip
                result.unchanged.append(rel_target + ".wav")
                continue
            _write(target.with_suffix(".yaml.new"), sidecar_data)  # both new files first, then both replaced
            _write(target.with_suffix(".wav.new"), data)
            os.replace(target.with_suffix(".wav.new"), target)
            os.replace(target.with_suffix(".yaml.new"), target.with_suffix(".yaml"))
            result.written += [rel_target + ".wav", rel_target + ".yaml"]
    return result


def _duration(data: bytes, where: str, report: Report) -> int | None:
    import io

    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() not in (1, 2) or wav.getcomptype() != "NONE":
                report.error(where, 1, "a recording must be 16-bit PCM WAV, mono or stereo")
                return None
            rate, frames = wav.getframerate(), wav.getnframes()
    except (wave.Error, EOFError) as exc:
        report.error(where, 1, f"not a readable WAV file: {exc}")
        return None
    if not 8000 <= rate <= 192_000:
        report.error(where, 1, f"{rate} Hz is not a sample rate for speech")
        return None
    duration = frames * 1000 // rate
    if not 300 <= duration <= 15 * 60 * 1000:
        report.error(where, 1, f"a recording of {duration} ms is too short or too long")
        return None
    return duration


def import_reviews(root: Path, folder: Path, today: dt.date | None = None) -> ImportResult:
    """Take the review marks of every export in ``folder``: an answer whose last mark (on its current version) is
    'correct' gets ``status: reviewed``, ``reviewed_by`` and ``reviewed``; 'needs change' marks are listed for
    the editor (and kept in ``lang/<code>/review-notes.yaml``)."""
    result = ImportResult()
    report = result.report
    guide = load(root, Report())
    for export in export_folders(folder, report):
        shown = export.name
        for rel, data, match in _items(export, "reviews", report, shown):
            _, lang, qid, _part, ext = match.groups()
            where = f"{shown}/{rel}"
            if ext != "yaml":
                report.error(where, 1, "a review file is YAML")
                continue
            marks = _marks(_yaml(data, where, report), where, report)
            if not marks:
                continue
            answer = guide.answers.get((qid, lang))
            if answer is None:
                report.error(where, 1, f"there is no answer '{qid}' in '{lang}' in the content")
                continue
            current = [(line, m) for line, m in marks if m["answer_hash"] == answer.text_hash]
            for line, mark in marks:
                if mark["answer_hash"] != answer.text_hash:
                    report.warning(where, line, f"stale: a mark on an older version of lang/{lang}/answers/{qid}.md"
                                                f" ({mark['answer_hash']}, now {answer.text_hash}); not taken")
            if not current:
                continue
            for _line, mark in current:
                if mark["verdict"] == "needs-change":
                    result.notes.append(f"lang/{lang}/answers/{qid}.md: {mark['initials']} ({mark['at'][:10]}): "
                                        f"{mark['note']}")  # fmt: skip
            _note_file(root, lang, qid, [m for _l, m in current if m["verdict"] == "needs-change"], result)
            last = current[-1][1]
            if last["verdict"] == "correct" and answer.lang != guide.source_language:
                path = root / "lang" / lang / "answers" / f"{qid}.md"
                text = path.read_text(encoding="utf-8")
                new = with_review(text, last["initials"], last["at"][:10])
                if parse_answer(SourceText(str(path), new), qid, lang, Report()) is None:
                    report.error(f"lang/{lang}/answers/{qid}.md", 1, "its front matter cannot be read; fix it first")
                    continue
                if new == text:
                    result.unchanged.append(f"lang/{lang}/answers/{qid}.md")
                else:
                    _write(path, new.encode("utf-8"))
                    result.written.append(f"lang/{lang}/answers/{qid}.md")
    return result


def _marks(data: Any, where: str, report: Report) -> list[tuple[int, dict[str, str]]]:
    if not isinstance(data, LineDict) or not isinstance(data.get("reviews"), list):
        report.error(where, 1, "a review file has a list 'reviews'")
        return []
    out = []
    for item in data["reviews"]:
        line = getattr(item, "line", 1)
        if not isinstance(item, LineDict):
            report.error(where, line, "each review is a mapping")
            continue
        mark = {k: str(item.get(k, "")).strip() for k in ("verdict", "note", "initials", "at", "answer_hash")}
        valid = (mark["verdict"] in ("correct", "needs-change") and re.fullmatch(r"[0-9a-f]{16}", mark["answer_hash"])
                 and 0 < len(mark["initials"]) <= 6 and len(mark["note"]) <= 500
                 and re.fullmatch(r"\d{4}-\d\d-\d\d.*", mark["at"]))  # fmt: skip
        if not valid:
            report.error(where, line, "a review has verdict (correct | needs-change), answer_hash, initials (at most "
                                      "6), at (a date) and a note of at most 500 characters")  # fmt: skip
            continue
        out.append((line, mark))
    return out


def with_review(text: str, initials: str, day: str) -> str:
    """An answer file's text with ``status: reviewed``, ``reviewed_by`` and ``reviewed`` in its front matter."""
    head, sep, rest = text.partition("\n---")
    for key, value in (("status", "reviewed"), ("reviewed_by", _quoted(initials)), ("reviewed", day)):
        line = re.compile(rf"^{key}:.*$", re.MULTILINE)
        field_line = f"{key}: {value}"
        head = line.sub(field_line, head, count=1) if line.search(head) else head.rstrip("\n") + "\n" + field_line
    return head + sep + rest


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _note_file(root: Path, lang: str, qid: str, marks: list[dict[str, str]], result: ImportResult) -> None:
    """Keep 'needs change' marks in ``lang/<code>/review-notes.yaml`` (each once), for the editors."""
    if not marks:
        return
    import yaml

    path = root / "lang" / lang / "review-notes.yaml"
    existing = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    notes = existing.get("notes", []) if isinstance(existing, dict) else []
    added = False
    for mark in marks:
        entry = {"answer": qid, "version": mark["answer_hash"], "by": mark["initials"], "at": mark["at"],
                 "note": mark["note"]}  # fmt: skip
        if entry not in notes:
            notes.append(entry)
            added = True
    if added:
        head = "# Review marks 'needs change' from kiosks (wegwijzer content import-reviews): act, then delete.\n"
        text = head + yaml.safe_dump({"notes": notes}, allow_unicode=True, sort_keys=False, width=100)
        _write(path, text.encode("utf-8"))
        result.written.append(f"lang/{lang}/review-notes.yaml")
