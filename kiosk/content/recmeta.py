"""A recording's sidecar file, ``lang/<code>/recordings/<question-id>.<part>.yaml``: which version of the answer it
was read from, the exact text read, where each sentence starts (so the sentence being heard lights up), who read
it and when they consented. Recordings made on a kiosk arrive with one; a recording without one still plays,
without the sentence lighting up.

```yaml
answer_hash: 26d846bb2f9e4f60      # the answer's version (as source_hash in translations)
text: "The text as read."          # exactly, as the kiosk showed it
sentences:                         # [start, end, ms]: characters start..end of text are heard from ms on
  - [0, 17, 0]
reader: TG                         # initials
consent: 2026-12-06T09:58:01+00:00 # when the reader agreed to be recorded
recorded: 2026-12-06T10:02:13+00:00
```
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

import yaml

from kiosk.content.files import Fields

_HASH = re.compile(r"[0-9a-f]{16}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")
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


def read_meta(f: Fields, duration_ms: int) -> RecordingMeta | None:
    """The sidecar's fields, each problem reported at its line; None if it cannot be used."""
    answer_hash = f.text("answer_hash")
    if answer_hash and not _HASH.fullmatch(answer_hash):
        f.report.error(f.path, f.line("answer_hash"), "answer_hash is the answer's 16-character version")
        return None
    text = f.map.get("text")
    if not isinstance(text, str) or not text.strip():
        f.report.error(f.path, f.line("text"), "'text' is the text that was read")
        return None
    problem = check_marks(f.map.get("sentences"), len(text), duration_ms)
    if problem:
        f.report.error(f.path, f.line("sentences"), problem)
        return None
    values = {}
    for key in ("consent", "recorded"):
        values[key] = f.text(key)
        if values[key] and not _TIME.fullmatch(values[key]):
            f.report.error(f.path, f.line(key), f"'{key}' is a time like 2026-12-06T10:02:13+00:00")
            return None
    reader = f.text("reader")
    if not answer_hash or not reader or not values["consent"]:
        return None  # reported as missing
    marks = tuple((m[0], m[1], m[2]) for m in f.map["sentences"])
    return RecordingMeta(answer_hash, text, marks, reader, values["consent"], values["recorded"],
                         f.line("answer_hash"))  # fmt: skip


def meta_yaml(meta: RecordingMeta) -> str:
    """The sidecar file's text."""
    data = {"answer_hash": meta.answer_hash, "text": meta.text, "sentences": [list(m) for m in meta.marks],
            "reader": meta.reader, "consent": meta.consent, "recorded": meta.recorded}  # fmt: skip
    head = f"# Read by {meta.reader} on {meta.recorded[:10]}; consent given {meta.consent}.\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
