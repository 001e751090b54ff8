"""What a recording's sidecar says, without the YAML library (the kiosk writes sidecars and checks marks; the
packaged kiosk carries no YAML parser). Reading a sidecar, an editor's job, is in kiosk.content.recmeta."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass

MAX_MARKS = 2000


def text_fingerprint(text: str) -> str:
    """The fingerprint of a text as read (which recording goes with which text on the kiosk)."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RecordingMeta:
    answer_hash: str
    text: str
    marks: tuple[tuple[int, int, int], ...]
    reader: str
    consent: str
    recorded: str
    hash_line: int = 1

    def marks_json(self) -> str:
        return json.dumps([list(m) for m in self.marks])


def check_marks(marks: object, text_length: int, duration_ms: int | None = None) -> str | None:
    """What is wrong with a list of [start, end, ms] sentence marks over a text, or None."""
    if not isinstance(marks, list) or not marks or len(marks) > MAX_MARKS:
        return f"'sentences' must be a list of 1 to {MAX_MARKS} [start, end, ms] marks"
    last_ms, last_end = -1, 0
    for mark in marks:
        if (not isinstance(mark, list) or len(mark) != 3
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in mark)):  # fmt: skip
            return "each sentence mark is [start, end, ms], three whole numbers"
        start, end, ms = mark
        if not last_end <= start < end <= text_length:
            return f"the sentence mark {mark} is not a range of the text after the one before"
        if ms <= last_ms or (duration_ms is not None and ms >= duration_ms):
            return f"the sentence mark {mark} does not start later than the one before, within the recording"
        last_ms, last_end = ms, end
    return None


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (a JSON string is one; every control character escaped)."""
    return json.dumps(text, ensure_ascii=False)


def meta_yaml(meta: RecordingMeta) -> str:
    """The sidecar file's text (YAML, written without a YAML library; kiosk.content.recmeta reads it)."""
    lines = [
        f"# Read by {meta.reader} on {meta.recorded[:10]}; consent given {meta.consent}.",
        f"answer_hash: {quoted(meta.answer_hash)}",
        f"text: {quoted(meta.text)}",
        "sentences:",
        *(f"  - [{start}, {end}, {ms}]" for start, end, ms in meta.marks),
        f"reader: {quoted(meta.reader)}",
        f"consent: {quoted(meta.consent)}",
        f"recorded: {quoted(meta.recorded)}",
    ]
    return "\n".join(lines) + "\n"


def reviews_yaml(question_id: str, lang: str, reviews: list[dict[str, str]]) -> str:
    """A review file's text: every mark on one translation (YAML, written without a YAML library)."""
    lines = [f"question: {quoted(question_id)}", f"lang: {quoted(lang)}", "reviews:"]
    for review in reviews:
        first = True
        for key, value in review.items():
            lines.append(f"  {'- ' if first else '  '}{key}: {quoted(str(value))}")
            first = False
    return "\n".join(lines) + "\n"
