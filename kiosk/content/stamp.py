"""Record in translated answers which version of the source text they translate (``source_hash``)."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.content.files import SourceText
from kiosk.content.problems import Report
from kiosk.content.sources import parse_answer

_HASH_LINE = re.compile(r"^source_hash:.*$", re.MULTILINE)


def stamp(root: Path, lang: str, question_ids: list[str], source_language: str = "nl") -> list[Path]:
    """Set ``source_hash`` in lang's answer files to the current source text's hash; return changed files."""
    from kiosk.content.sources import load

    report = Report()
    guide = load(root, report)
    source_language = guide.source_language or source_language
    if lang == source_language:
        raise ValueError(f"'{lang}' is the source language; only translations are stamped")
    folder = root / "lang" / lang / "answers"
    if not folder.is_dir():
        raise FileNotFoundError(f"no answers folder for language '{lang}' ({folder})")
    ids = question_ids or sorted(p.stem for p in folder.glob("*.md"))
    changed = []
    for qid in ids:
        source = guide.answers.get((qid, source_language))
        path = folder / f"{qid}.md"
        if source is None or not path.is_file():
            raise KeyError(f"no answer '{qid}' in both {source_language} and {lang}")
        text = path.read_text(encoding="utf-8")
        if parse_answer(SourceText(str(path), text), qid, lang, Report()) is None:
            raise ValueError(f"{path}: front matter cannot be read; fix it first ('wegwijzer content check')")
        new = with_source_hash(text, source.text_hash)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def with_source_hash(text: str, value: str) -> str:
    """An answer file's text with ``source_hash: value`` in its front matter (replaced, or added at its end)."""
    head, sep, rest = text.partition("\n---")
    line = f"source_hash: {value}"
    head = _HASH_LINE.sub(line, head, count=1) if _HASH_LINE.search(head) else head.rstrip("\n") + "\n" + line
    return head + sep + rest
