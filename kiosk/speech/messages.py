"""The messages between the kiosk and its speech worker process (no Qt): typed, and picklable by multiprocessing."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.speech.plan import Synthesis

# --- to the worker ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListVoices:
    pass


@dataclass(frozen=True)
class Synthesize:
    request_id: int
    step: Synthesis


@dataclass(frozen=True)
class PlayRecording:
    request_id: int
    database: str
    question_id: str
    lang: str
    which: str  # "short" or "answer"
    text_hash: str = ""  # the fingerprint of the text shown: its sentences light up if the recording was read from it
    folder: str = ""  # the kiosk's own recordings (kiosk.contrib); '' = the guide's


@dataclass(frozen=True)
class Prepare:
    """Load ``voice`` ('engine:tag') now, before anything is asked of it (a visitor just chose its language)."""

    voice: str


@dataclass(frozen=True)
class Cancel:
    """Drop every request numbered below ``below`` that is still waiting (the kiosk stopped speaking)."""

    below: int


@dataclass(frozen=True)
class Quit:
    pass


Request = ListVoices | Synthesize | PlayRecording | Prepare | Cancel | Quit

# --- from the worker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    engine: str
    sample_rate: int


@dataclass(frozen=True)
class Broken:
    """The engine cannot start here; the worker ends."""

    reason: str


@dataclass(frozen=True)
class Voices:
    tags: dict[str, str]  # language tag -> 'engine:tag' of the best engine that has it
    engines: dict[str, dict[str, str]]  # engine name -> {language tag: voice identifier}, best engine first


@dataclass(frozen=True)
class Audio:
    request_id: int
    samples: bytes
    sample_rate: int
    words: tuple[tuple[int, int, int], ...]  # (start, end, ms) in the request's text; none for a recording


@dataclass(frozen=True)
class Prepared:
    voice: str
    ms: int  # how long loading took (0: it was loaded already, or needs no loading)
    problem: str = ""


@dataclass(frozen=True)
class Failed:
    request_id: int
    reason: str


@dataclass(frozen=True)
class Died:
    """Said by the kiosk's reader thread, not the worker: the worker process is gone."""

    pid: int | None


Reply = Ready | Broken | Voices | Audio | Prepared | Failed | Died
