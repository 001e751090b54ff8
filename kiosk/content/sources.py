"""Read a content folder into :class:`GuideSources`, reporting every malformed file with its line.

Layout (documented for editors in ``content/README.md``)::

    guide.yaml                      version and edition of the guide
    languages.yaml                  languages, their order, direction, fallback, voice and keyboard
    topics.yaml                     topics (id, icon, order)
    questions.yaml                  questions (id, topic, order, icon, audience, related)
    lang/<code>/strings.yaml        every screen text and topic title in one language
    lang/<code>/answers/<id>.md     one answer: YAML front matter + Markdown body
    keyboards/<name>.yaml           on-screen keyboard layouts for search
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import wave
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kiosk.content.files import Fields, LineDict, SourceText, parse_yaml, read_text, simple_mapping
from kiosk.content.model import (
    AnswerSource,
    Citation,
    GuideSources,
    KeyboardSource,
    LanguageSource,
    LexiconSource,
    QuestionSource,
    RecordingSource,
    StringsSource,
    TopicSource,
)
from kiosk.content.problems import Problem, Report
from kiosk.content.recmeta import read_meta

ANSWER_KEYS = {"question", "short", "sources", "checked", "status", "source_hash", "spoken_short", "spoken_answer",
               "reviewed_by", "reviewed"}  # the last two: who reviewed a translation, and when




@dataclasses.dataclass(frozen=True)
class AnswerContext:
    """What reading one answer needs to know of its language and of the guide's facts."""

    rendered: dict[str, str]  # each fact's figure as this language shows it (fact id -> text)
    rtl: bool  # the language is written right to left
    script: str  # the script the language declares (ISO 15924)
    values: dict[Any, str]  # the facts' values a figure typed by hand is compared with (kiosk.content.facts)


# The checks run on each answer where it is read: the answer as written, as shown (figures filled in), its context.
AnswerCheck = Callable[[AnswerSource, AnswerSource, AnswerContext], list[Problem]]


def load(root: Path, report: Report, answer_checks: AnswerCheck | None = None) -> GuideSources:
    """Read every source file under ``root``. Problems go to ``report``; unusable parts are skipped.

    ``answer_checks`` (picklable) runs on each answer where it is read, in the worker processes of a big guide."""
    guide = GuideSources()
    if not root.is_dir():
        report.error(str(root), 1, "content folder does not exist")
        return guide
    _load_guide(root, guide, report)
    _load_languages(root, guide, report)
    _load_topics(root, guide, report)
    _load_questions(root, guide, report)
    from kiosk.content.facts import load_facts

    guide.facts = load_facts(root, report)  # before the answers: their workers fill the figures in
    _load_language_folders(root, guide, report, answer_checks)
    _load_keyboards(root, guide, report)
    facts_file = root / "facts.yaml"
    if facts_file.is_file():
        guide.file_hashes["facts.yaml"] = hashlib.sha256(facts_file.read_bytes()).hexdigest()
    return guide


def _read_yaml(root: Path, name: str, guide: GuideSources, report: Report) -> tuple[str, Any]:
    path = root / name
    if not path.exists() and not path.is_symlink():
        report.error(name, 1, "required file is missing")
        return name, None
    source = read_text(root, path, report)
    if source is None:
        return name, None
    guide.file_hashes[source.path] = _sha(source.text)
    return source.path, parse_yaml(source, report)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_guide(root: Path, guide: GuideSources, report: Report) -> None:
    path, data = _read_yaml(root, "guide.yaml", guide, report)
    if data is None:
        return
    fields = Fields(data, path, report, "guide")
    guide.version = fields.integer("version")
    if fields.ok and guide.version < 1:
        report.error(path, fields.line("version"), "guide: 'version' must be 1 or more")
    guide.edition = fields.text("edition")


def _load_languages(root: Path, guide: GuideSources, report: Report) -> None:
    path, data = _read_yaml(root, "languages.yaml", guide, report)
    if data is None:
        return
    top = Fields(data, path, report, "languages.yaml")
    guide.source_language = top.text("source")
    items = top.map.get("languages")
    if not isinstance(items, list) or not items:
        report.error(path, top.line("languages"), "'languages' must be a list of languages")
        return
    for position, item in enumerate(items, start=1):
        f = Fields(item, path, report, f"language #{position}", top.line("languages"))
        if not f.ok:
            continue
        guide.languages.append(
            LanguageSource(
                code=f.text("code"),
                name=f.text("name"),
                english=f.text("english"),
                direction=f.text("direction"),
                script=f.text("script"),
                fallback=f.text_list("fallback"),
                voice=f.text_list("voice"),
                keyboard=f.text("keyboard"),
                position=position,
                line=f.line(),
                locale=f.text("locale", required=False),
            )
        )


def _load_topics(root: Path, guide: GuideSources, report: Report) -> None:
    path, data = _read_yaml(root, "topics.yaml", guide, report)
    if data is None:
        return
    top = Fields(data, path, report, "topics.yaml")
    items = top.map.get("topics")
    if not isinstance(items, list) or not items:
        report.error(path, top.line("topics"), "'topics' must be a list of topics")
        return
    for item in items:
        f = Fields(item, path, report, "topic", top.line("topics"))
        if f.ok:
            guide.topics.append(TopicSource(f.check_id(), f.text("icon"), f.integer("order"), f.line()))


def _load_questions(root: Path, guide: GuideSources, report: Report) -> None:
    path, data = _read_yaml(root, "questions.yaml", guide, report)
    if data is None:
        return
    top = Fields(data, path, report, "questions.yaml")
    items = top.map.get("questions")
    if not isinstance(items, list) or not items:
        report.error(path, top.line("questions"), "'questions' must be a list of questions")
        return
    for item in items:
        f = Fields(item, path, report, "question", top.line("questions"))
        if not f.ok:
            continue
        guide.questions.append(
            QuestionSource(
                id=f.check_id(),
                topic=f.text("topic"),
                position=f.integer("order"),
                icon=f.text("icon"),
                audience=f.text("audience"),
                related=f.text_list("related"),
                line=f.line(),
                aliases=f.text_list("aliases"),
            )
        )


def _load_language_folders(root: Path, guide: GuideSources, report: Report, answer_checks: AnswerCheck | None) -> None:
    lang_root = root / "lang"
    if not lang_root.is_dir():
        report.error("lang", 1, "folder 'lang' with one folder per language is missing")
        return
    known = {lang.code for lang in guide.languages}
    jobs: list[tuple[Path, Path, str]] = []
    for folder in sorted(lang_root.iterdir()):
        rel = f"lang/{folder.name}"
        if not folder.is_dir():
            report.warning(rel, 1, "unexpected file in 'lang/' (expected one folder per language); ignored")
            continue
        if folder.name not in known:
            report.error(rel, 1, f"unknown language '{folder.name}': it is not in languages.yaml")
            continue
        _load_strings(root, folder, guide, report)
        _load_lexicon(root, folder, guide, report)
        _load_recordings(root, folder, guide, report)
        jobs += _answer_jobs(root, folder, report)
    rendered = _fact_renderings(guide)
    from kiosk.content.facts import fact_values

    values = fact_values(guide.facts)
    contexts = {lang.code: AnswerContext(rendered.get(lang.code, {}), lang.direction == "rtl", lang.script, values)
                for lang in guide.languages}  # fmt: skip
    _load_answers([(*job, contexts[job[2]]) for job in jobs], guide, report, answer_checks)


def _fact_renderings(guide: GuideSources) -> dict[str, dict[str, str]]:
    """Each language's rendering of each fact (as an answer shows it), for the answer workers; problems with a
    language's locale are reported later, by the facts check."""
    from kiosk.content.facts import renderers

    if not guide.facts:
        return {}
    return {lang: {fid: renderer.isolated(fact) for fid, fact in guide.facts.items()}
            for lang, renderer in renderers(guide, Report()).items()}  # fmt: skip


def _yaml_fields(root: Path, path: Path, guide: GuideSources, report: Report, what: str) -> Fields | None:
    """Read one YAML mapping file of the content (hashed for the build); None if it cannot be used."""
    source = read_text(root, path, report)
    if source is None:
        return None
    guide.file_hashes[source.path] = _sha(source.text)
    f = Fields(parse_yaml(source, report), source.path, report, what)
    return f if f.ok else None


def _load_strings(root: Path, folder: Path, guide: GuideSources, report: Report) -> None:
    path = folder / "strings.yaml"
    rel = f"lang/{folder.name}/strings.yaml"
    if not path.exists():
        report.error(rel, 1, "strings.yaml (screen texts and topic titles) is missing")
        return
    f = _yaml_fields(root, path, guide, report, "strings")
    if f is None:
        return
    ui, ui_lines = _string_table(f, "ui")
    topics, topic_lines = _string_table(f, "topics")
    guide.strings[folder.name] = StringsSource(
        folder.name, f.path, f.text("status"), ui, topics, ui_lines, topic_lines, f.line(),
        f.text("digits", required=False) or "latin",
    )


def _load_lexicon(root: Path, folder: Path, guide: GuideSources, report: Report) -> None:
    """Optional ``lexicon.yaml``: words and patterns the voice should say differently."""
    path = folder / "lexicon.yaml"
    if not path.exists():
        return
    f = _yaml_fields(root, path, guide, report, "lexicon")
    if f is None:
        return
    lexicon = LexiconSource(folder.name, f.path, [], [])
    words = f.map.get("words") or LineDict()
    if not isinstance(words, LineDict):
        report.error(f.path, f.line("words"), "'words' must be 'written: spoken' lines")
    else:
        for written, spoken in words.items():
            if not isinstance(spoken, str) or not spoken.strip():
                report.error(f.path, words.line_of(written), f"'{written}' needs what to say")
                continue
            lexicon.words.append((str(written), spoken.strip(), words.line_of(written)))
    patterns = f.map.get("patterns") or []
    if not isinstance(patterns, list):
        report.error(f.path, f.line("patterns"), "'patterns' must be a list of '- match: ... say: ...'")
        patterns = []
    for item in patterns:
        p = Fields(item, f.path, report, "pattern", f.line("patterns"))
        if p.ok:
            lexicon.patterns.append((p.text("match"), p.text("say"), p.line()))
    said = f.map.get("facts") or LineDict()
    if not isinstance(said, LineDict):
        report.error(f.path, f.line("facts"), "'facts' must be 'fact-id: {value: ..., say: ...}' lines")
        said = LineDict()
    for fid in said:
        entry = Fields(said[fid], f.path, report, f"fact '{fid}'", said.line_of(fid))
        if entry.ok:
            value, say = entry.map.get("value"), entry.text("say", required=False)
            if value is None or isinstance(value, bool) or not say:
                report.error(f.path, said.line_of(fid), f"fact '{fid}' needs 'value' (the figure) and 'say' (words)")
                continue
            lexicon.facts[str(fid)] = (str(value), say, said.line_of(fid))
    guide.lexicons[folder.name] = lexicon


MAX_RECORDING_BYTES = 30 * 1024 * 1024
RECORDING_PARTS = ("short", "answer")


def _load_recordings(root: Path, folder: Path, guide: GuideSources, report: Report) -> None:
    """Optional ``recordings/<question-id>.<short|answer>.wav``: 16-bit PCM WAV, mono or stereo."""
    recordings = folder / "recordings"
    if not recordings.is_dir():
        return
    names = sorted(path.name for path in recordings.iterdir())
    for path in sorted(recordings.iterdir()):
        rel = f"lang/{folder.name}/recordings/{path.name}"
        parts = path.name.split(".")
        if len(parts) == 3 and parts[2] == "yaml" and parts[1] in RECORDING_PARTS:
            if f"{parts[0]}.{parts[1]}.wav" not in names:
                report.error(rel, 1, f"a sidecar without its recording {parts[0]}.{parts[1]}.wav")
            continue  # read with its recording
        if len(parts) != 3 or parts[2] != "wav" or parts[1] not in RECORDING_PARTS:
            report.error(rel, 1, "a recording is named <question-id>.short.wav or <question-id>.answer.wav "
                                 "(with an optional <question-id>.<part>.yaml beside it)")  # fmt: skip
            continue
        if path.is_symlink() or not path.is_file():
            report.error(rel, 1, "a recording must be a plain file")
            continue
        if path.stat().st_size > MAX_RECORDING_BYTES:
            report.error(rel, 1, f"recording too large (limit {MAX_RECORDING_BYTES // (1024 * 1024)} MiB)")
            continue
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getsampwidth() != 2 or wav.getnchannels() not in (1, 2) or wav.getcomptype() != "NONE":
                    report.error(rel, 1, "a recording must be 16-bit PCM WAV, mono or stereo")
                    continue
                rate, channels = wav.getframerate(), wav.getnchannels()
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError, OSError) as exc:
            report.error(rel, 1, f"not a readable WAV file: {exc}")
            continue
        recording = RecordingSource(parts[0], folder.name, parts[1], rel, rate, channels, frames)
        if not 300 <= recording.duration_ms <= 15 * 60 * 1000:
            report.error(rel, 1, f"a recording of {recording.duration_ms} ms is too short or too long")
            continue
        sidecar = path.with_suffix(".yaml")
        if sidecar.name in names:
            f = _yaml_fields(root, sidecar, guide, report, f"the sidecar of {path.name}")
            if f is None:
                continue
            meta = read_meta(f, recording.duration_ms)
            if meta is None:
                continue
            recording.meta = meta
        guide.file_hashes[rel] = hashlib.sha256(frames).hexdigest()
        guide.recordings[(recording.question_id, recording.lang, recording.part)] = recording


def _string_table(f: Fields, key: str) -> tuple[dict[str, str], dict[str, int]]:
    table = f.map.get(key)
    if not isinstance(table, LineDict):
        f.report.error(f.path, f.line(key), f"'{key}' must be a mapping of 'name: text' lines")
        return {}, {}
    values: dict[str, str] = {}
    for name, value in table.items():
        if not isinstance(value, str) or not value.strip():
            f.report.error(f.path, table.line_of(name), f"'{key}.{name}' must be a non-empty text")
            continue
        values[name] = value.strip()
    return values, dict(table.key_lines)


PARALLEL_FROM = 400  # answer files; below this, starting worker processes costs more than it saves


def _answer_jobs(root: Path, folder: Path, report: Report) -> list[tuple[Path, Path, str]]:
    answers = folder / "answers"
    if not answers.is_dir():
        report.warning(f"lang/{folder.name}/answers", 1, "no answers folder: every answer falls back")
        return []
    jobs = []
    with os.scandir(answers) as entries:  # a directory entry knows whether it is a file without a stat of its own
        found = sorted((entry.name, _is_file(entry)) for entry in entries)
    for name, is_file in found:
        rel = f"lang/{folder.name}/answers/{name}"
        if not name.endswith(".md") or name == ".md" or not is_file:
            report.warning(rel, 1, "not an answer file (answers are <question-id>.md); ignored")
            continue
        jobs.append((root, answers / name, folder.name))
    return jobs


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link that cannot be followed (a loop): reading it says what is wrong with it."""
    try:
        return entry.is_file()
    except OSError:
        return entry.is_symlink()


def _load_answers(jobs: list[tuple[Path, Path, str, AnswerContext]], guide: GuideSources, report: Report,
                  answer_checks: AnswerCheck | None = None) -> None:  # fmt: skip
    if len(jobs) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(initializer=_set_answer_checks, initargs=(answer_checks,)) as pool:
            results = list(pool.map(_read_answer, jobs, chunksize=64))
    else:
        _set_answer_checks(answer_checks)
        try:
            results = [_read_answer(job) for job in jobs]
        finally:
            _set_answer_checks(None)
    for answer, file_hash, path, problems in results:  # in file order, whichever process read them
        report.problems.extend(problems)
        if file_hash:
            guide.file_hashes[path] = file_hash
        if answer is not None:
            guide.answers[(answer.question_id, answer.lang)] = answer


_answer_checks: list[AnswerCheck] = []  # the checks this process runs on each answer it reads (set per load)


def _set_answer_checks(checks: AnswerCheck | None) -> None:
    _answer_checks[:] = [checks] if checks is not None else []


def _read_answer(
    job: tuple[Path, Path, str, AnswerContext],
) -> tuple[AnswerSource | None, str, str, list[Problem]]:
    """Read, parse, analyse and check one answer file (runs in a worker process for big guides). With the
    language's rendering of each fact (``job[3]``) the body is analysed and folded for search with the figures
    filled in, while the answer keeps its ``{{names}}`` (the facts check reads them, with their lines)."""
    root, path, lang, context = job
    rendered = context.rendered
    report = Report()
    source = read_text(root, path, report)
    if source is None:
        return None, "", "", report.problems
    answer = parse_answer(source, path.stem, lang, report)
    if answer is None:
        return None, _sha(source.text), source.path, report.problems
    from kiosk.content.facts import PLACEHOLDER

    def filled(text: str) -> str:  # as kiosk.content.facts.apply_facts will fill it in
        return PLACEHOLDER.sub(lambda m: rendered.get(m[1], m[0]), text) if "{{" in text else text

    if rendered and "{{" in answer.question + answer.short + answer.body:
        from kiosk.content.fold import fold
        from kiosk.content.markdown import analyse

        answer.analysis = analyse(filled(answer.body))
        answer.search_form = (fold(filled(answer.question)), fold(filled(answer.short)), fold(answer.analysis.text))
        answer.prefilled = True
    else:
        answer.analysed()
        answer.folded()
    answer.raw_hash = answer.text_hash  # of the text as written
    if _answer_checks:
        # the texts as shown, figures filled in (the answer keeps its names for the facts check)
        shown = answer
        if rendered and "{{" in "".join(t or "" for t in (answer.question, answer.short, answer.body,
                                                          answer.spoken_short, answer.spoken_answer)):  # fmt: skip
            shown = dataclasses.replace(
                answer, question=filled(answer.question), short=filled(answer.short), body=filled(answer.body),
                spoken_short=answer.spoken_short and filled(answer.spoken_short),
                spoken_answer=answer.spoken_answer and filled(answer.spoken_answer),
            )  # fmt: skip
        report.problems.extend(_answer_checks[0](answer, shown, context))
    return answer, _sha(source.text), source.path, report.problems


def parse_answer(source: SourceText, question_id: str, lang: str, report: Report) -> AnswerSource | None:
    """Split front matter from body and read the front matter's fields."""
    lines = source.text.split("\n")
    if lines[0].strip() != "---":
        report.error(source.path, 1, "front matter missing: the file must start with a line '---'")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        report.error(source.path, 1, "front matter not closed: add a line '---' after it")
        return None
    front = SourceText(source.path, "\n".join(lines[1:end]))
    data = (simple_mapping(front.text, 2) or parse_yaml(front, report, first_line=2)) if front.text.strip() else None
    if data is None:
        if not front.text.strip():
            report.error(source.path, 1, "front matter is empty")
        return None
    f = Fields(data, source.path, report, "front matter", 2)
    if not f.ok:
        return None
    for key in sorted(set(f.map) - ANSWER_KEYS):
        report.warning(source.path, f.line(key), f"unknown front matter field '{key}' is ignored")
    answer = AnswerSource(
        question_id=question_id,
        lang=lang,
        path=source.path,
        question=f.text("question"),
        short=f.text("short"),
        body="\n".join(lines[end + 1 :]).strip("\n"),
        sources=_citations(f),
        checked=f.text("checked"),
        status=f.text("status"),
        source_hash=f.text("source_hash", required=False) or None,
        spoken_short=f.text("spoken_short", required=False) or None,
        spoken_answer=f.text("spoken_answer", required=False) or None,
        line_of=dict(f.map.key_lines),
        body_line=end + 2,
    )
    return answer


def _citations(f: Fields) -> list[Citation]:
    items = f.map.get("sources")
    if items is None:
        f.report.error(f.path, f.line(), "front matter: 'sources' is missing (every answer cites its sources)")
        return []
    if not isinstance(items, list):
        f.report.error(f.path, f.line("sources"), "'sources' must be a list of '- title: ...' items")
        return []
    citations = []
    for item in items:
        if isinstance(item, str):
            citations.append(Citation(item.strip()))
            continue
        c = Fields(item, f.path, f.report, "source", f.line("sources"))
        if c.ok:
            citations.append(Citation(c.text("title"), c.text("url", required=False) or None))
    return citations


def _load_keyboards(root: Path, guide: GuideSources, report: Report) -> None:
    folder = root / "keyboards"
    if not folder.is_dir():
        report.error("keyboards", 1, "folder 'keyboards' with the on-screen keyboard layouts is missing")
        return
    for path in sorted(folder.glob("*.yaml")):
        source = read_text(root, path, report)
        if source is None:
            continue
        guide.file_hashes[source.path] = _sha(source.text)
        f = Fields(parse_yaml(source, report), source.path, report, "keyboard")
        if not f.ok:
            continue
        rows = f.map.get("rows")
        if not isinstance(rows, list) or not rows or not all(isinstance(r, str) and r.split() for r in rows):
            report.error(
                source.path, f.line("rows"), "'rows' must be a list of rows, each with keys separated by spaces"
            )
            continue
        picker = f.text("picker", required=False) or None
        if picker not in (None, "vowels"):
            report.error(source.path, f.line("picker"), f"unknown picker '{picker}' (only 'vowels' exists)")
        guide.keyboards[path.stem] = KeyboardSource(
            path.stem, source.path, f.text("script"), picker, [r.split() for r in rows], f.line()
        )
