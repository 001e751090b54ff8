"""What interpreters and staff give the guide on a kiosk (no Qt): recordings read sentence by sentence, the
readers' consent, and review marks on translations; kept in the data directory until they go to the editors.

Layout under ``<data>/contrib/``::

    consent.json                          every reader's consent: initials, when, the consent text's hash
    recordings/<lang>/<qid>.<part>/       part: 'short' (the "in short" box) or 'answer' (the full answer)
        recording.json                    the text read, its sentences, one kept take per sentence, reader, consent
        s003-<hash>.wav                   sentence 3's kept take (16-bit mono)
    reviews/<lang>/<qid>.json             every mark on that translation, the last one counts

Every change writes new files first and then replaces the one JSON file that names them (the commit point), so a
killed process or a full disk leaves the last good state; files nothing names any more are removed afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from kiosk.atomic import replace_file
from kiosk.content.marks import text_fingerprint
from kiosk.contrib.audio import Take, TakeError, read_wav, resample, silence, wav_bytes
from kiosk.guide import GuideStore
from kiosk.textalign import SENTENCE as _SENTENCE

PARTS = ("short", "answer")
VERDICTS = ("correct", "needs-change")
PAUSE_MS = 350  # between two sentences of an assembled recording
MAX_NOTE_CHARS = 500
MAX_INITIALS = 6
MAX_JSON_BYTES = 2 * 1024 * 1024
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_INITIALS = re.compile(r"[^\W\d_][^\W_]{0,5}")


class ContribError(Exception):
    """A contribution could not be stored or read; the message says why and where, ``key`` names the reason (the
    staff page says it in the staff's language)."""

    def __init__(self, message: str, key: str = "contrib_failed") -> None:
        super().__init__(message)
        self.key = key


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence (or list item) of ``text``, without its surrounding blanks: what a reader
    reads in one take, and what lights up while that take plays."""
    spans = []
    for match in _SENTENCE.finditer(text):
        piece = match.group()
        if piece.strip():
            start = match.start() + len(piece) - len(piece.lstrip())
            spans.append((start, match.start() + len(piece.rstrip())))
    return spans


def clean_initials(initials: str) -> str:
    """The reader's or reviewer's initials, checked: letters of any script, at most six."""
    value = unicodedata.normalize("NFC", initials.strip()).replace(".", "").replace(" ", "")
    if not _INITIALS.fullmatch(value) or len(value) > MAX_INITIALS:
        raise ContribError("initials are 1 to 6 letters", "contrib_bad_initials")
    return value


@dataclass(frozen=True)
class Consent:
    initials: str
    agreed: str  # ISO time
    text_hash: str  # of the consent text the reader agreed to
    lang: str  # the language that text was shown in


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    file: str = ""  # its kept take ('' = none yet)
    ms: int = 0
    clipped: bool = False


@dataclass(frozen=True)
class Recording:
    """A recording of one part of an answer in one language, being made or made."""

    question_id: str
    lang: str
    part: str
    answer_hash: str  # the version of the answer (guide) it was read from
    text: str  # the part's text as shown when the recording began
    sentences: tuple[Sentence, ...]
    rate: int = 0
    reader: str = ""
    consent: Consent | None = None
    updated: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.sentences) and all(s.file for s in self.sentences)

    @property
    def kept(self) -> int:
        return sum(1 for s in self.sentences if s.file)

    def current(self, text: str) -> bool:
        """Whether it was read from ``text`` (the part as the kiosk shows it now)."""
        return self.text == text

    def sentence_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]


@dataclass(frozen=True)
class Review:
    verdict: str  # 'correct' or 'needs-change'
    note: str
    initials: str
    at: str
    answer_hash: str
    status_before: str = "machine"


@dataclass(frozen=True)
class Assembled:
    samples: bytes
    rate: int
    marks: tuple[tuple[int, int, int], ...]  # (start, end, ms): sentence start..end of the text heard from ms on
    duration_ms: int = 0


@dataclass
class Contributions:
    """The kiosk's contributions folder (created on first write)."""

    root: Path
    now: object = field(default=None, repr=False)  # a callable giving an aware datetime (tests); None: the clock

    def _now(self) -> str:
        clock = self.now if callable(self.now) else None
        moment = clock() if clock else dt.datetime.now(dt.UTC)
        return moment.replace(microsecond=0).isoformat()

    # --- files -------------------------------------------------------------------------------------
    def _write(self, path: Path, data: bytes) -> None:
        """``data`` into ``path`` whole or not at all (temporary file, fsync, rename); a clear error when the disk is
        full or read-only."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, data)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise ContribError(f"the disk is full: {path.name} was not saved; nothing else changed",
                                   "contrib_disk_full") from None
            raise ContribError(f"{path} could not be written: {exc.strerror or exc}", "contrib_write_failed") from None

    def _read_json(self, path: Path) -> dict[str, object] | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ContribError(f"{path} cannot be read: {exc.strerror or exc}") from None
        if len(data) > MAX_JSON_BYTES:
            raise ContribError(f"{path} is larger than {MAX_JSON_BYTES} bytes")
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ContribError(f"{path} is damaged ({exc})", "contrib_damaged") from None
        if not isinstance(value, dict):
            raise ContribError(f"{path} is damaged (not an object)", "contrib_damaged")
        return value

    @staticmethod
    def _check(lang: str, question_id: str, part: str | None = None) -> None:
        if not _LANG.fullmatch(lang) or not _ID.fullmatch(question_id) or (part is not None and part not in PARTS):
            raise ContribError(f"not a recording of this guide: {lang}/{question_id}/{part}")

    def _folder(self, lang: str, question_id: str, part: str) -> Path:
        self._check(lang, question_id, part)
        return self.root / "recordings" / lang / f"{question_id}.{part}"

    # --- consent -----------------------------------------------------------------------------------
    def consents(self) -> list[Consent]:
        data = self._read_json(self.root / "consent.json") or {}
        out = []
        readers = data.get("readers")
        for item in readers if isinstance(readers, list) else []:
            with contextlib.suppress(TypeError, KeyError):
                out.append(Consent(str(item["initials"]), str(item["agreed"]), str(item["text_hash"]),
                                   str(item["lang"])))  # fmt: skip
        return out

    def consent(self, initials: str, consent_text: str) -> Consent | None:
        """The reader's consent to this consent text (a changed text needs a new consent), or None."""
        wanted = text_fingerprint(consent_text)
        found = [c for c in self.consents() if c.initials == initials and c.text_hash == wanted]
        return found[-1] if found else None

    def give_consent(self, initials: str, consent_text: str, lang: str) -> Consent:
        consent = Consent(clean_initials(initials), self._now(), text_fingerprint(consent_text), lang)
        readers = [asdict(c) for c in self.consents()] + [asdict(consent)]
        self._write(self.root / "consent.json", _json({"readers": readers}))
        return consent

    # --- recordings --------------------------------------------------------------------------------
    def recording(self, lang: str, question_id: str, part: str) -> Recording | None:
        folder = self._folder(lang, question_id, part)
        data = self._read_json(folder / "recording.json")
        if data is None:
            return None
        try:
            consent = data.get("consent")
            sentences = data["sentences"]
            assert isinstance(sentences, list)
            return Recording(
                question_id, lang, part, str(data["answer_hash"]), str(data["text"]),
                tuple(Sentence(int(s["start"]), int(s["end"]), _plain_file(str(s.get("file", ""))), int(s.get("ms", 0)),
                               bool(s.get("clipped", False))) for s in sentences),
                int(str(data.get("rate", 0))), str(data.get("reader", "")),
                Consent(**consent) if isinstance(consent, dict) else None, str(data.get("updated", "")),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            raise ContribError(f"{folder / 'recording.json'} is damaged ({exc})", "contrib_damaged") from None

    def recordings(self) -> Iterator[Recording]:
        base = self.root / "recordings"
        if not base.is_dir():
            return
        for lang_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for folder in sorted(p for p in lang_dir.iterdir() if p.is_dir()):
                qid, _, part = folder.name.rpartition(".")
                with contextlib.suppress(ContribError):
                    recording = self.recording(lang_dir.name, qid, part)
                    if recording is not None:
                        yield recording

    def start(self, lang: str, question_id: str, part: str, text: str, answer_hash: str) -> Recording:
        """The recording of this part as it stands: the one being made if it was read from ``text``, else a new one
        (not saved until a take is kept)."""
        existing = self.recording(lang, question_id, part)
        if existing is not None and existing.current(text):
            return existing
        spans = sentence_spans(text)
        if not spans:
            raise ContribError("this text has nothing to read")
        return Recording(question_id, lang, part, answer_hash, text, tuple(Sentence(a, b) for a, b in spans))

    def keep(self, recording: Recording, index: int, take: Take, consent: Consent) -> Recording:
        """Keep ``take`` as sentence ``index`` of ``recording`` (replacing an earlier take of it)."""
        if not 0 <= index < len(recording.sentences):
            raise ContribError(f"there is no sentence {index + 1}")
        folder = self._folder(recording.lang, recording.question_id, recording.part)
        on_disk = self.recording(recording.lang, recording.question_id, recording.part)
        if on_disk is not None and not on_disk.current(recording.text):
            on_disk = None  # an older text: replaced by this one
        base = on_disk if on_disk is not None else recording
        samples, rate = take.samples, take.rate
        if base.rate and base.kept and rate != base.rate:
            samples, rate = resample(samples, rate, base.rate), base.rate
        data = wav_bytes(samples, rate)
        name = f"s{index:03d}-{hashlib.sha256(data).hexdigest()[:12]}.wav"
        self._write(folder / name, data)
        sentences = list(base.sentences)
        sentences[index] = replace(sentences[index], file=name, ms=len(samples) * 1000 // (2 * rate),
                                   clipped=take.clipped)  # fmt: skip
        updated = replace(base, sentences=tuple(sentences), rate=rate, reader=consent.initials, consent=consent,
                          updated=self._now())  # fmt: skip
        try:
            self._write(folder / "recording.json", _json(_recording_dict(updated)))
        except ContribError:
            (folder / name).unlink(missing_ok=True)
            raise
        self._tidy(folder, updated)
        return updated

    def _tidy(self, folder: Path, recording: Recording) -> None:
        """Remove the takes the recording no longer names (an earlier take, a take of an older text)."""
        named = {s.file for s in recording.sentences if s.file}
        for path in folder.glob("s*.wav"):
            if path.name not in named:
                path.unlink(missing_ok=True)

    def take(self, recording: Recording, index: int) -> tuple[bytes, int] | None:
        """Sentence ``index``'s kept take as (16-bit mono PCM, rate), or None."""
        sentence = recording.sentences[index]
        if not sentence.file:
            return None
        path = self._folder(recording.lang, recording.question_id, recording.part) / sentence.file
        try:
            return read_wav(path.read_bytes(), str(path))
        except (OSError, TakeError) as exc:
            raise ContribError(f"{path} cannot be played: {exc}", "contrib_damaged") from None

    def remove(self, lang: str, question_id: str, part: str) -> None:
        folder = self._folder(lang, question_id, part)
        with contextlib.suppress(FileNotFoundError):
            (folder / "recording.json").unlink()
        if folder.is_dir():
            for path in folder.iterdir():
                path.unlink(missing_ok=True)
            folder.rmdir()

    def playable(self, lang: str, question_id: str, part: str, text: str) -> Recording | None:
        """The recording of this part if it is complete and was read from ``text``: it plays instead of the voice."""
        try:
            recording = self.recording(lang, question_id, part)
        except ContribError:
            return None
        return recording if recording is not None and recording.complete and recording.current(text) else None

    def assemble(self, recording: Recording) -> Assembled:
        """The sentences one after another with a short pause, and where each sentence is heard."""
        chunks: list[bytes] = []
        marks = []
        elapsed = 0
        rate = recording.rate
        for index, sentence in enumerate(recording.sentences):
            take = self.take(recording, index)
            if take is None:
                raise ContribError(f"sentence {index + 1} has no kept take")
            samples, take_rate = take
            if take_rate != rate:
                samples = resample(samples, take_rate, rate)
            if chunks:
                gap = silence(PAUSE_MS, rate)
                chunks.append(gap)
                elapsed += len(gap)
            marks.append((sentence.start, sentence.end, elapsed * 1000 // (2 * rate)))
            chunks.append(samples)
            elapsed += len(samples)
        return Assembled(b"".join(chunks), rate, tuple(marks), elapsed * 1000 // (2 * rate))

    # --- reviews -----------------------------------------------------------------------------------
    def _review_file(self, lang: str, question_id: str) -> Path:
        self._check(lang, question_id)
        return self.root / "reviews" / lang / f"{question_id}.json"

    def reviews_of(self, lang: str, question_id: str) -> list[Review]:
        data = self._read_json(self._review_file(lang, question_id)) or {}
        out = []
        items = data.get("reviews")
        for item in items if isinstance(items, list) else []:
            with contextlib.suppress(TypeError, KeyError):
                out.append(Review(**{k: str(item[k]) for k in Review.__dataclass_fields__ if k in item}))
        return out

    def review(self, lang: str, question_id: str, answer_hash: str | None = None) -> Review | None:
        """The last mark on this translation; with ``answer_hash``, only if it was given to that version."""
        try:
            reviews = self.reviews_of(lang, question_id)
        except ContribError:
            return None
        if answer_hash is not None:
            reviews = [r for r in reviews if r.answer_hash == answer_hash]
        return reviews[-1] if reviews else None

    def add_review(self, lang: str, question_id: str, verdict: str, note: str, initials: str, answer_hash: str,
                   status_before: str = "machine") -> Review:  # fmt: skip
        if verdict not in VERDICTS:
            raise ContribError(f"a review is {' or '.join(VERDICTS)}")
        note = " ".join(note.split())
        if len(note) > MAX_NOTE_CHARS:
            raise ContribError(f"a note has at most {MAX_NOTE_CHARS} characters", "contrib_note_too_long")
        if verdict == "needs-change" and not note:
            raise ContribError("say in a few words what needs to change", "contrib_note_needed")
        review = Review(verdict, note, clean_initials(initials), self._now(), answer_hash, status_before)
        reviews = [asdict(r) for r in self.reviews_of(lang, question_id)] + [asdict(review)]
        self._write(self._review_file(lang, question_id), _json({"reviews": reviews}))
        return review

    def reviews(self) -> Iterator[tuple[str, str, list[Review]]]:
        base = self.root / "reviews"
        if not base.is_dir():
            return
        for lang_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for path in sorted(lang_dir.glob("*.json")):
                with contextlib.suppress(ContribError):
                    found = self.reviews_of(lang_dir.name, path.stem)
                    if found:
                        yield lang_dir.name, path.stem, found


def answer_version(store: GuideStore, question_id: str, lang: str) -> str:
    """The version of the answer in ``lang`` that a recording or a review is made of: the content's (guides of
    schema 3 on), else a fingerprint of the texts as stored."""
    version = store.answer_hash(question_id, lang)
    if version:
        return version
    answer = store.answer(question_id, lang)
    return text_fingerprint("\n\x1e\n".join((answer.question, answer.short, answer.body_text)))


def reviewed_correct(store: GuideStore, contributions: Contributions | None, question_id: str, lang: str) -> bool:
    """Whether a reader of ``lang`` marked this version of the answer correct on this kiosk."""
    if contributions is None:
        return False
    review = contributions.review(lang, question_id, answer_version(store, question_id, lang))
    return review is not None and review.verdict == "correct"


def recordings_for(store: GuideStore, contributions: Contributions | None, question_id: str, lang: str,
                   texts: Sequence[str]) -> list[tuple[str, ...] | None]:  # fmt: skip
    """What plays for the answer's parts (``texts``: the "in short" text and the full answer, as shown) instead
    of the voice: this kiosk's own finished recording of that very text, else the guide's, else nothing (None)."""
    guide = store.recorded(question_id, lang)
    out: list[tuple[str, ...] | None] = []
    for index, part in enumerate(PARTS):
        text = texts[index] if index < len(texts) else ""
        if contributions is not None and text and contributions.playable(lang, question_id, part, text):
            out.append((question_id, part, str(contributions.root)))
        elif guide[index]:
            out.append((question_id, part))
        else:
            out.append(None)
    return out


def _plain_file(name: str) -> str:
    if name and not re.fullmatch(r"s\d{3}-[0-9a-f]{12}\.wav", name):
        raise ValueError(f"'{name[:40]}' is not a take's file name")
    return name


def _recording_dict(recording: Recording) -> dict[str, object]:
    data = asdict(recording)
    data.pop("question_id"), data.pop("lang"), data.pop("part")
    return {"question_id": recording.question_id, "lang": recording.lang, "part": recording.part, **data}


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
