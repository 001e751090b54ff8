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

import re

from kiosk.content.files import Fields
from kiosk.content.marks import RecordingMeta, check_marks

_HASH = re.compile(r"[0-9a-f]{16}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")


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
