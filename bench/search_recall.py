"""Search recall on the query set (tests/search/queries.yaml; issue #17): per language, how many queries find
their answer in the top 5, with word forms and typos (kiosk.wordforms) against the same guide searched the old
way in the same run (every typed word as the start of a word, nothing more)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.report import Figure
from kiosk import guides
from kiosk.content.fold import tokens

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "search" / "queries.yaml"


def run(figures: list[Figure]) -> None:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    store = guides.open_best()
    found_all = base_all = total = 0
    rows = []
    for lang, items in data.items():
        found = base = 0
        for item in items:
            if item["expect"] in [qid for qid, _ in store.search_ids(item["query"], lang)][:5]:
                found += 1
            words = tokens(item["query"])
            prefix = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
            if words and item["expect"] in store._match(prefix, lang, None)[:5]:
                base += 1
        rows.append(Figure(f"  recall@5, {lang} ({len(items)} queries)", 100 * found / len(items), "%",
                           100 * base / len(items), "", ">= 90 %"))  # fmt: skip
        found_all, base_all, total = found_all + found, base_all + base, total + len(items)
    figures.append(Figure(f"search recall@5, {total} queries, {len(data)} languages", 100 * found_all / total, "%",
                          100 * base_all / total, "the typed words as word starts only (the old search)",
                          ">= 95 %"))  # fmt: skip
    figures.extend(rows)
    store.close()
