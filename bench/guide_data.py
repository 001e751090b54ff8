"""Benchmarks of the guide data: build, open and search (issue #2)."""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import yaml

from bench.report import Figure, median, percentile
from kiosk import paths
from kiosk.content.build import build
from kiosk.content.fold import tokens
from kiosk.content.problems import Report
from kiosk.content.sources import load
from kiosk.guide import GuideStore

SCRIPT_GROUPS = {
    "Latin": ["nl", "fr", "en", "tr", "so"],
    "Arabic": ["ar"],
    "Perso-Arabic": ["prs", "ps"],
    "Ethiopic": ["ti"],
    "Cyrillic": ["uk"],
}


# The guide's first ten languages (issue #17 set its build target on these); the five of issue #18 come after.
FIRST_TEN = ("ar", "prs", "ps", "ti", "tr", "nl", "fr", "en", "so", "uk")


def synthetic_content(target: Path, questions: int, languages: tuple[str, ...] | None = None) -> int:
    """Copy the shipped content and multiply its questions to ``questions``, in ``languages`` only (default: all);
    return the answer count."""
    shutil.copytree(paths.content_dir(), target)
    report = Report()
    guide = load(paths.content_dir(), report)
    if languages is not None:
        _keep_languages(target, languages)
    real = guide.questions
    lines = ["questions:"]
    answers = 0
    for lang in (p.name for p in (target / "lang").iterdir()):
        shutil.rmtree(target / "lang" / lang / "answers", ignore_errors=True)
        (target / "lang" / lang / "answers").mkdir()
    for i in range(questions):
        base = real[i % len(real)]
        qid = f"{base.id}-{i:04d}"
        lines.append(
            f"  - {{id: {qid}, topic: {base.topic}, order: {i}, icon: {base.icon}, audience: {base.audience}}}"
        )
        for (source_id, lang), a in guide.answers.items():
            if source_id != base.id or (languages is not None and lang not in languages):
                continue
            text = (paths.content_dir() / a.path).read_text(encoding="utf-8")
            tag = _letters(i)  # not digits: a number such as 300 would be a figure typed by hand (a fact's value)
            text = text.replace(f"question: {a.question}", f"question: {a.question} ({tag})", 1)
            text = text.rstrip("\n") + f"\n\n{tag}\n"  # every body unique: no cache shortcuts
            (target / "lang" / lang / "answers" / f"{qid}.md").write_text(text, encoding="utf-8")
            answers += 1
    (target / "questions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return answers


def _keep_languages(target: Path, languages: tuple[str, ...]) -> None:
    """Drop the other languages from languages.yaml and lang/ (the kept ones fall back only among themselves)."""
    data = yaml.safe_load((target / "languages.yaml").read_text(encoding="utf-8"))
    data["languages"] = [lang for lang in data["languages"] if lang["code"] in languages]
    (target / "languages.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for folder in (target / "lang").iterdir():
        if folder.name not in languages:
            shutil.rmtree(folder)


def _letters(number: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba": a unique tag without digits."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = chr(ord("a") + digit) + out
        if number == 0:
            return out


def figures_typed(content: Path, target: Path) -> int:
    """Baseline for facts: the same content with every ``{{fact}}`` written out as its figure and no facts.yaml;
    returns how many placeholders were written out."""
    from kiosk.content.facts import PLACEHOLDER, renderers

    shutil.copytree(content, target)
    report = Report()
    guide = load(content, report)
    by_lang = renderers(guide, report)
    count = 0
    for path in sorted((target / "lang").glob("*/answers/*.md")):
        renderer = by_lang.get(path.parent.parent.name)
        text = path.read_text(encoding="utf-8")
        if renderer is None or "{{" not in text:
            continue
        count += len(PLACEHOLDER.findall(text))
        path.write_text(PLACEHOLDER.sub(lambda m, r=renderer: r.shown(guide.facts[m[1]]), text), encoding="utf-8")
    (target / "facts.yaml").unlink(missing_ok=True)
    for lexicon in (target / "lang").glob("*/lexicon.yaml"):  # words for facts that are no longer there
        data = yaml.safe_load(lexicon.read_text(encoding="utf-8")) or {}
        data.pop("facts", None)
        lexicon.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return count


def raw_build(content: Path, out: Path) -> None:
    """Baseline: the same answer rows into a plain FTS5 table, no checking, rendering or folding."""
    conn = sqlite3.connect(out)
    conn.execute("CREATE VIRTUAL TABLE answers USING fts5(id UNINDEXED, lang UNINDEXED, body)")
    rows = []
    for path in sorted((content / "lang").glob("*/answers/*.md")):
        rows.append((path.stem, path.parent.parent.name, path.read_text(encoding="utf-8")))
    conn.executemany("INSERT INTO answers VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()


def queries(store: GuideStore, count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(group, lang, query) triples: words of real answers cut at a random length, as typed."""
    rng = random.Random(seed)
    per_group = count // len(SCRIPT_GROUPS)
    out = []
    ids = store.question_ids()
    for group, langs in SCRIPT_GROUPS.items():
        langs = [lang for lang in langs if any(x.code == lang for x in store.languages())]
        for _ in range(per_group):
            lang = rng.choice(langs)
            answer = store.answer(rng.choice(ids), lang)
            words = [w for w in answer.body_text.split() if len(w) >= 3]
            word = rng.choice(words).strip(".,:;!?()\"'«»።،؟")
            out.append((group, lang, word[: rng.randint(2, max(2, len(word)))]))
    return out


def _answers_with_facts(with_facts: Path, typed: Path, rounds: int = 3) -> list[Figure]:
    """Reading the answers that name facts, as the answer screen does: from the guide with facts (on a day they
    hold, and on a day they have expired: the period put in), against the same answers with the figures typed."""
    import datetime as dt

    with GuideStore(with_facts) as store:
        rows = store._query("SELECT DISTINCT question_id, lang FROM answer_facts ORDER BY question_id, lang", ())
        pairs = [(r["question_id"], r["lang"]) for r in rows]

    def times(path: Path, day: dt.date) -> list[float]:
        out = []
        with GuideStore(path) as store:
            for _ in range(rounds):
                for qid, lang in pairs:
                    t0 = time.perf_counter()
                    store.answer(qid, lang, today=day)
                    out.append(time.perf_counter() - t0)
        return out

    typed_times = times(typed, dt.date(2026, 12, 5))
    current = times(with_facts, dt.date(2026, 12, 5))
    expired = times(with_facts, dt.date(2027, 1, 2))
    base = median(typed_times) * 1000
    return [
        Figure(f"read an answer that names facts ({len(pairs)} answers, median)", median(current) * 1000, "ms", base,
               "the same answer with its figures typed", "not slower"),
        Figure("  the same, figures expired (period put in)", median(expired) * 1000, "ms", base,
               "the same answer with its figures typed", ""),
    ]  # fmt: skip


def run(figures: list[Figure], questions: int = 2000, search_count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        everything = tmp_path / "all"
        all_answers = synthetic_content(everything, questions)
        content = tmp_path / "content"
        answers = synthetic_content(content, questions, FIRST_TEN)
        out = tmp_path / "guide.sqlite"
        builds, raws = [], []
        for round_ in range(3):  # alternating, so a slow moment of a shared machine falls on both sides
            t0 = time.perf_counter()
            build(content, out, paths.icons_dir(), paths.fonts_dir())
            builds.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            raw_build(content, tmp_path / f"raw{round_}.sqlite")
            raws.append(time.perf_counter() - t0)
        print(f"build of {answers} answers, each round: {', '.join(f'{b:.2f}' for b in builds)} s "
              f"(plain FTS5 insert: {', '.join(f'{r:.2f}' for r in raws)} s)")  # fmt: skip
        figures.append(
            Figure(f"build: {questions} questions x 10 languages, {answers} answers (median of 3)", median(builds),
                   "s", median(raws), "plain FTS5 insert of the same files, no checks (median of 3, alternating)",
                   "<= 10 s")
        )  # fmt: skip
        t0 = time.perf_counter()
        build(everything, tmp_path / "all.sqlite", paths.icons_dir(), paths.fonts_dir())
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw_build(everything, tmp_path / "raw-all.sqlite")
        raw = time.perf_counter() - t0
        languages = len(list((everything / "lang").iterdir()))
        figures.append(
            Figure(f"build: {questions} questions x {languages} languages (all), {all_answers} answers", built, "s",
                   raw, "plain FTS5 insert of the same files, no checks")
        )  # fmt: skip
        shutil.rmtree(everything)
        typed = figures_typed(content, tmp_path / "typed")
        with_facts, typed_builds = [], []
        for _ in range(3):  # alternating, so a slow moment of a shared machine falls on both sides
            for source, target, times in ((tmp_path / "typed", "typed.sqlite", typed_builds),
                                          (content, "again.sqlite", with_facts)):  # fmt: skip
                t0 = time.perf_counter()
                build(source, tmp_path / target, paths.icons_dir(), paths.fonts_dir())
                times.append(time.perf_counter() - t0)
        figures.append(
            Figure(f"build with facts ({typed} {{{{fact}}}} names), median of 3", median(with_facts), "s",
                   median(typed_builds), "the same guide with the figures typed, no facts.yaml (median of 3, "
                   "alternating)", "not slower")
        )  # fmt: skip

        figures.extend(_answers_with_facts(out, tmp_path / "typed.sqlite"))

        opens, raw_opens = [], []
        for _ in range(30):
            t0 = time.perf_counter()
            GuideStore(out).close()
            opens.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            conn = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
            conn.execute("SELECT * FROM meta").fetchall()
            conn.close()
            raw_opens.append(time.perf_counter() - t0)
        figures.append(
            Figure("open guide database (median)", median(opens) * 1000, "ms", median(raw_opens) * 1000,
                   "sqlite3 connect read-only + read meta")
        )  # fmt: skip

        store = GuideStore(out)
        conn = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
        timings: dict[str, list[float]] = {}
        raw_timings: list[float] = []
        for group, lang, query in queries(store, search_count):
            t0 = time.perf_counter()
            store.search(query, lang)
            timings.setdefault(group, []).append(time.perf_counter() - t0)
            words = tokens(query)
            if words:
                t0 = time.perf_counter()
                conn.execute(
                    f"SELECT rowid FROM search_{lang}_fts WHERE search_{lang}_fts MATCH ? ORDER BY rank LIMIT 10",
                    (" ".join(f'"{w}"*' for w in words),),
                ).fetchall()
                raw_timings.append(time.perf_counter() - t0)
        everything = [t for ts in timings.values() for t in ts]
        for pct in (50, 95):
            figures.append(
                Figure(f"search p{pct}, {len(everything)} queries, 5 scripts", percentile(everything, pct) * 1000,
                       "ms", percentile(raw_timings, pct) * 1000, "bare FTS5 MATCH, no folding/snippets",
                       "<= 10 ms" if pct == 95 else "")
            )  # fmt: skip
        for group, ts in timings.items():
            figures.append(Figure(f"  search p95, {group} ({len(ts)})", percentile(ts, 95) * 1000, "ms"))
        store.close()
        conn.close()
