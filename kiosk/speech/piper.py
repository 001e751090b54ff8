"""Piper neural voices (piper-tts on onnxruntime) behind the speech-engine seam, with word timings (no Qt).

A voice is a folder holding one ``NAME.onnx`` model, its ``NAME.onnx.json`` config and its ``MODEL_CARD``: an
installed voice pack, or the test voice. Word timings come from the model itself: piper can expose the number of
audio samples each phoneme id produced (its "alignments", patched into the model when it is loaded, or at bundle
time where the ``onnx`` package is missing). The sentence is phonemised word by word when espeak's phoneme words
do not line up with the text's words (a number read as three words), so every text word knows its phonemes and
so its first sample: no guessing from text length.

A voice is loaded on first use (about half a second) and kept; ``synthesize`` is one sentence, as the kiosk's
speech worker asks for them ahead of playback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import paths
from kiosk.speech.engine import DEFAULT_WPM, SpeechError, Utterance, WordTiming, pick_voice

log = logging.getLogger(__name__)
_WORD = re.compile(r"\w[\w'’\-.,:/]*\w|\w", re.UNICODE)
_PHONEME_SEPARATOR = " "


@dataclass(frozen=True)
class VoiceFolder:
    """A Piper voice on disk."""

    name: str  # the model's stem, e.g. 'en_US-joe-medium'
    model: Path
    config: Path
    language: str  # the config's language code as a tag: 'en-us'
    espeak_voice: str  # the voice piper phonemises with: 'en-us', 'ar', 'fa'
    sample_rate: int

    @property
    def tags(self) -> tuple[str, ...]:
        """Language tags this voice answers to: 'en-us' and 'en'; its espeak voice too ('fa' for fa_IR)."""
        base = self.language.split("-")[0]
        return tuple(dict.fromkeys(t for t in (self.language, base, self.espeak_voice.lower()) if t))


def read_voice_folder(folder: Path) -> VoiceFolder:
    """The voice in ``folder``; SpeechError naming what is missing or wrong."""
    models = sorted(folder.glob("*.onnx"))
    if len(models) != 1:
        raise SpeechError(f"{folder}: expected one .onnx model, found {len(models)}")
    model = models[0]
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise SpeechError(f"{folder}: no config {config.name} beside the model")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        code = str(data.get("language", {}).get("code") or "")
        espeak_voice = str(data.get("espeak", {}).get("voice") or "")
        rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SpeechError(f"{config}: not a Piper voice config ({exc})") from exc
    if not code or not espeak_voice:
        raise SpeechError(f"{config}: the config names no language or no espeak voice")
    return VoiceFolder(model.stem, model, config, code.replace("_", "-").lower(), espeak_voice, rate)


class PiperEngine:
    """Piper voices from the given folders (each one voice), loaded when first used, one thread at a time."""

    def __init__(self, folders: Iterable[Path], patch: bool = True) -> None:
        """``patch``: add the alignment output to a model without it (in the cache); off when judging a pack."""
        self._patch = patch
        try:
            import piper  # noqa: F401  (fail here, with a clear reason, rather than at the first sentence)
        except ImportError as exc:
            raise SpeechError(f"the neural engine (piper-tts) is not installed: {exc}") from exc
        self._folders: dict[str, VoiceFolder] = {}
        self.problems: list[str] = []
        for folder in folders:
            try:
                voice = read_voice_folder(folder)
            except SpeechError as exc:
                self.problems.append(str(exc))
                log.warning("voice not usable: %s", exc)
                continue
            self._folders.setdefault(voice.name, voice)
        rates = {v.sample_rate for v in self._folders.values()}
        self.sample_rate = rates.pop() if len(rates) == 1 else 22050
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def voices(self) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for voice in self._folders.values():
            for tag in voice.tags:
                found.setdefault(tag, voice.name)
        return found

    def resolve(self, hints: list[str] | tuple[str, ...]) -> str | None:
        return pick_voice(hints, self.voices)

    def _voice(self, name: str) -> Any:
        identifier = self.voices.get(name.lower(), name)
        if identifier not in self._loaded:
            folder = self._folders.get(identifier)
            if folder is None:
                raise SpeechError(f"no Piper voice '{name}'")
            try:
                self._loaded[identifier] = _load(folder, self._patch)
            except SpeechError:
                raise
            except Exception as exc:  # onnxruntime raises its own types for a corrupt model
                raise SpeechError(f"the voice {identifier} cannot be loaded: {exc}") from exc
        return self._loaded[identifier]

    def prepare(self, voice: str) -> None:
        """Load ``voice`` now (about half a second), so that its first sentence is not kept waiting."""
        with self._lock:
            self._voice(voice)

    def synthesize(
        self, spoken: str, voice: str, wpm: int = DEFAULT_WPM,
        spans: list[tuple[int, int]] | tuple[tuple[int, int], ...] | None = None,
    ) -> Utterance:
        with self._lock:
            model = self._voice(voice)
            return _synthesize(model, spoken, wpm, spans)


def _load(folder: VoiceFolder, patch: bool = True) -> Any:
    """The voice, with a model that reports its alignments: as bundled (voice packs are patched when they are
    made), else patched once into the kiosk's cache where the ``onnx`` package is at hand (the test voice)."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    config = PiperConfig.from_dict(json.loads(folder.config.read_text(encoding="utf-8")))
    session = onnxruntime.InferenceSession(str(folder.model), providers=["CPUExecutionProvider"])
    if len(session.get_outputs()) < 2 and patch:
        patched = _patched_copy(folder.model)
        if patched is not None:
            del session
            session = onnxruntime.InferenceSession(str(patched), providers=["CPUExecutionProvider"])
    return PiperVoice(config=config, session=session, download_dir=paths.data_dir() / "cache")


def _patched_copy(model: Path) -> Path | None:
    """A copy of ``model`` that also outputs the audio samples per phoneme (piper's own patch), or None."""
    stat = model.stat()
    target = paths.data_dir() / "cache" / "voices" / f"{model.stem}-{stat.st_size}-{stat.st_mtime_ns}.onnx"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        write_with_alignments(model, partial)
    except ImportError:
        return None
    except Exception as exc:  # onnx raises its own types for a file that is not a model
        log.warning("no alignments for %s: %s", model.name, exc)
        return None
    partial.replace(target)
    return target


def write_with_alignments(model: Path, target: Path) -> None:
    """Write ``model`` to ``target`` with piper's alignment output added (unless it has it already): the samples
    each phoneme produced, from which words get their times. Needs the ``onnx`` package (ImportError without)."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    graph = onnx.load(str(model))
    if len(graph.graph.output) < 2:
        add_alignment_output(graph)
    onnx.save(graph, str(target))


_HARAKAT = re.compile("[\u064b-\u0652\u0670]")  # Arabic vowel marks (fatha, kasra, damma, sukun, shadda...)


@contextlib.contextmanager
def own_vowel_marks(model: Any, spoken: str) -> Iterator[None]:
    """Arabic text goes through piper's diacritiser (for an 'ar' voice), unless it carries its own vowel marks
    (an answer's voiced variant written by a person): then those are read as written."""
    previous = getattr(model, "use_tashkeel", False)
    model.use_tashkeel = previous and not _HARAKAT.search(spoken)
    try:
        yield
    finally:
        model.use_tashkeel = previous


def _synthesize(model: Any, spoken: str, wpm: int,
                spans: Sequence[tuple[int, int]] | None) -> Utterance:  # fmt: skip
    with own_vowel_marks(model, spoken):
        return _synthesize_marked(model, spoken, wpm, spans)


def _synthesize_marked(model: Any, spoken: str, wpm: int,
                       spans: Sequence[tuple[int, int]] | None) -> Utterance:  # fmt: skip
    import numpy as np
    from piper import SynthesisConfig
    from piper.const import BOS, PAD

    words = [(m.start(), m.end()) for m in _WORD.finditer(spoken)]
    id_map = model.config.phoneme_id_map
    word_phonemes = _phonemes_per_word(model, spoken, words)
    phonemes: list[str] = []
    starts: list[int] = []  # index in ``phonemes`` where each word begins
    for index, chunk in enumerate(word_phonemes):
        if index and phonemes and phonemes[-1] != _PHONEME_SEPARATOR:
            phonemes.append(_PHONEME_SEPARATOR)
        starts.append(len(phonemes))
        phonemes.extend(p for p in chunk if p in id_map)
    if not phonemes:
        return Utterance(b"", int(model.config.sample_rate), ())
    ids = model.phonemes_to_ids(phonemes)
    config = SynthesisConfig(length_scale=(model.config.length_scale or 1.0) * DEFAULT_WPM / max(40, wpm))
    try:
        result = model.phoneme_ids_to_audio(ids, config, include_alignments=True)
    except Exception as exc:
        raise SpeechError(f"the neural voice could not synthesise: {exc}") from exc
    audio, per_id = result if isinstance(result, tuple) else (result, None)
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    audio = audio / peak * 0.9 if peak > 1e-8 else audio
    samples = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    rate = int(model.config.sample_rate)
    timings: list[WordTiming] = []
    if per_id is not None and len(per_id) == len(ids):
        # sample count per phoneme: its ids and the pad after it (as piper counts them), after BOS and its pad
        pad = len(id_map.get(PAD, []))
        offsets = [0]
        position = len(id_map.get(BOS, [])) + pad
        cumulative = 0
        for phoneme in phonemes:
            width = len(id_map[phoneme]) + pad
            cumulative += int(sum(per_id[position : position + width]))
            position += width
            offsets.append(cumulative)
        head = int(sum(per_id[: len(id_map.get(BOS, [])) + pad]))
        for (start, end), first in zip(words, starts, strict=True):
            ms = (head + offsets[first]) * 1000 // rate
            if spans is not None:
                start, end = spans[start][0], spans[end - 1][1]
            if timings and start < timings[-1].end:
                continue
            timings.append(WordTiming(start, end, ms))
    else:
        log.warning("this Piper voice gives no alignments: words cannot light up in step")
    return Utterance(samples, rate, tuple(timings))


def _phonemes_per_word(model: Any, spoken: str, words: list[tuple[int, int]]) -> list[list[str]]:
    """The phonemes of each text word: from the whole sentence when espeak's words line up with the text's (its
    stress and intonation kept), else word by word."""
    whole = [p for sentence in model.phonemize(spoken) for p in sentence]
    split: list[list[str]] = [[]]
    for phoneme in whole:
        if phoneme == _PHONEME_SEPARATOR:
            split.append([])
        else:
            split[-1].append(phoneme)
    split = [chunk for chunk in split if chunk]
    if len(split) == len(words):
        return split
    out: list[list[str]] = []
    for start, end in words:
        chunk = [p for sentence in model.phonemize(spoken[start:end]) for p in sentence if p != _PHONEME_SEPARATOR]
        out.append(chunk)
    # punctuation after the last word (the sentence's intonation) stays with it
    tail = spoken[words[-1][1] :].strip() if words else ""
    if out and tail and tail[0] in ".?!,;:":
        out[-1].append(tail[0])
    return out
