"""Contributions leave the kiosk for the editors: a folder in the content's own formats (no Qt).

``wegwijzer-contrib/<centre>-<date>-<time>/`` on an update stick (when the staff allow it) or wherever
``wegwijzer recordings export`` is told::

    recordings/<lang>/<question-id>.<part>.wav    every finished recording, its sentences joined
    recordings/<lang>/<question-id>.<part>.yaml   its sidecar (kiosk.content.recmeta): version, text, marks, reader
    reviews/<lang>/<question-id>.yaml             every review mark on that translation
    contrib.json                                  written last: what is in the folder, with SHA-256 of each file

A folder without ``contrib.json`` is an export that did not finish (a stick pulled): the import refuses it, and
the kiosk still has everything (nothing is removed from the kiosk by an export).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from kiosk import __version__
from kiosk.content.marks import RecordingMeta, meta_yaml, reviews_yaml
from kiosk.contrib.audio import wav_bytes
from kiosk.contrib.store import ContribError, Contributions
from kiosk.updates.safefs import SafeDir

EXPORT_FOLDER = "wegwijzer-contrib"
MANIFEST = "contrib.json"
FORMAT = 1


@dataclass
class ExportResult:
    folder: str = ""
    recordings: int = 0
    reviews: int = 0
    unfinished: list[str] = field(default_factory=list)  # recordings with sentences still to read (not exported)


def export(contributions: Contributions, target: SafeDir, site: str = "",
           now: dt.datetime | None = None) -> ExportResult:  # fmt: skip
    """Write every finished recording and every review mark into a new folder under ``target``."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", site).strip("-").lower()[:40] or "kiosk"
    name = f"{slug}-{moment.strftime('%Y-%m-%d-%H%M%S')}"
    result = ExportResult()
    files: dict[str, str] = {}
    parent = target.subdir(EXPORT_FOLDER) if target.lstat(EXPORT_FOLDER) else target.make_subdir(EXPORT_FOLDER)
    with parent, parent.make_subdir(name) as out:
        result.folder = str(out.path)
        folders: dict[str, SafeDir] = {}

        def folder(kind: str, lang: str) -> SafeDir:
            key = f"{kind}/{lang}"
            if key not in folders:
                base = folders.get(kind) or out.make_subdir(kind)
                folders[kind] = base
                folders[key] = base.make_subdir(lang)
            return folders[key]

        def write(kind: str, lang: str, file: str, data: bytes) -> None:
            folder(kind, lang).write_new(file, data)
            files[f"{kind}/{lang}/{file}"] = hashlib.sha256(data).hexdigest()

        try:
            for recording in contributions.recordings():
                where = f"{recording.lang}/{recording.question_id}.{recording.part}"
                if not recording.complete:
                    result.unfinished.append(f"{where} ({recording.kept}/{len(recording.sentences)})")
                    continue
                played = contributions.assemble(recording)
                consent = recording.consent.agreed if recording.consent else ""
                meta = RecordingMeta(recording.answer_hash, recording.text, played.marks, recording.reader, consent,
                                     recording.updated)  # fmt: skip
                stem = f"{recording.question_id}.{recording.part}"
                write("recordings", recording.lang, f"{stem}.wav", wav_bytes(played.samples, played.rate))
                write("recordings", recording.lang, f"{stem}.yaml", meta_yaml(meta).encode("utf-8"))
                result.recordings += 1
            for lang, question_id, reviews in contributions.reviews():
                text = reviews_yaml(question_id, lang, [vars(review) for review in reviews])
                write("reviews", lang, f"{question_id}.yaml", text.encode("utf-8"))
                result.reviews += 1
            manifest = {"format": FORMAT, "kiosk": site, "exported": moment.isoformat(), "app_version": __version__,
                        "files": files}  # fmt: skip
            out.write_new(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        finally:
            for opened in {id(d): d for d in folders.values()}.values():
                opened.close()
    return result


def nothing_to_export(contributions: Contributions) -> bool:
    """True when the kiosk holds no finished recording and no review mark."""
    try:
        finished = any(r.complete for r in contributions.recordings())
        return not finished and not any(True for _ in contributions.reviews())
    except ContribError:
        return False
