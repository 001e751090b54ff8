"""A take as a person read it, made fit to be heard at a kiosk (no Qt): 16-bit mono PCM, the silence before and
after trimmed, the loudness evened to one level for every reader, clipping found and reported.

The level is the active speech level (the RMS of the 20 ms frames that hold speech, in the spirit of ITU-T P.56),
so a reader with long pauses is not made louder than one without. The gain is capped so that no peak passes
-1 dBFS and quiet rooms are not turned into loud hiss (at most +20 dB).
"""

from __future__ import annotations

import io
import math
import operator
import sys
import wave
from array import array
from dataclasses import dataclass, field

FRAME_MS = 20
TARGET_DBFS = -20.0  # the active speech level every take is brought to
PEAK_LIMIT = 0.89  # -1 dBFS: what no sample passes after the gain
MAX_GAIN_DB = 20.0
LEAD_MS, TAIL_MS = 150, 250  # kept before the first and after the last speech
FULL_SCALE = 32767
CLIP_RUN = 3  # this many samples in a row at full scale: the microphone was overdriven
MIN_SPEECH_MS = 200
MAX_TAKE_MS = 3 * 60 * 1000  # one sentence; longer is a forgotten Stop


class TakeError(ValueError):
    """A take that cannot be used; the message says why in plain words, ``key`` names the reason (the staff page
    says it in the staff's language)."""

    def __init__(self, message: str, key: str = "take_unusable") -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Take:
    """A processed take: 16-bit mono PCM at ``rate``."""

    samples: bytes
    rate: int
    clipped: bool  # the microphone was overdriven somewhere: it may sound distorted
    gain_db: float
    level_db: float  # active speech level before the gain
    problems: tuple[str, ...] = field(default=())

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // (2 * self.rate)


def to_mono16(raw: bytes, channels: int, sample_format: str) -> array[int]:
    """PCM from a device (``sample_format``: 'int16', 'int32', 'float' or 'uint8'; interleaved, little-endian) as
    mono int16."""
    codes = {"int16": ("h", 1.0), "int32": ("i", 1 / 65536), "float": ("f", float(FULL_SCALE)), "uint8": ("B", 256.0)}
    if sample_format not in codes:
        raise TakeError(f"the microphone gives samples as {sample_format}, which the kiosk cannot read",
                        "microphone_format")
    code, scale = codes[sample_format]
    data: array[float] = array(code)
    width = data.itemsize
    data.frombytes(raw[: len(raw) - len(raw) % (width * max(1, channels))])
    if sys.byteorder != "little" and width > 1:
        data.byteswap()
    if sample_format == "int16" and channels == 1:
        return data  # type: ignore[return-value]
    offset = 128 if sample_format == "uint8" else 0
    channels = max(1, channels)
    count = len(data) // channels
    if channels == 1:
        mono: list[float] | array[float] = data
    else:
        mono = [sum(data[i * channels : (i + 1) * channels]) / channels for i in range(count)]
    return array("h", (max(-FULL_SCALE - 1, min(FULL_SCALE, round((v - offset) * scale))) for v in mono))


PIECE = 4096  # samples handled by one call into C: between two pieces the GUI thread can take its turn


def _pieces(samples: array[int]) -> list[array[int]]:
    return [samples[i : i + PIECE] for i in range(0, len(samples), PIECE)]


def peak(samples: array[int]) -> float:
    """The loudest sample, 0..1 (the level meter)."""
    if not samples:
        return 0.0
    loudest = max(max(abs(max(piece)), abs(min(piece))) for piece in _pieces(samples))
    return float(loudest / (FULL_SCALE + 1))


def frame_levels(samples: array[int], rate: int) -> list[float]:
    """The RMS of every 20 ms frame, in dBFS (-100 for digital silence)."""
    size = max(1, rate * FRAME_MS // 1000)
    out = []
    for start in range(0, len(samples), size):
        frame = samples[start : start + size]
        energy = sum(map(operator.mul, frame, frame)) / len(frame)
        out.append(10 * math.log10(energy / (FULL_SCALE**2)) if energy > 0 else -100.0)
    return out


def _speech_frames(levels: list[float]) -> list[int]:
    """The frames that hold speech: clearly above the room's noise floor and not far below the loudest."""
    if not levels:
        return []
    ordered = sorted(levels)
    floor = ordered[len(ordered) // 10]
    loudest = ordered[-1]
    threshold = max(floor + 12.0, loudest - 35.0, -55.0)
    return [i for i, level in enumerate(levels) if level >= threshold]


def clipped_runs(samples: array[int]) -> int:
    """How many times the signal sat at full scale for ``CLIP_RUN`` samples or more."""
    runs, length = 0, 0
    for start in range(0, len(samples), PIECE):
        piece = samples[start : start + PIECE]
        if not (piece.count(FULL_SCALE) or piece.count(-FULL_SCALE) or piece.count(-FULL_SCALE - 1)):
            length = 0  # the usual case: no sample at full scale in this piece
            continue
        for s in piece:
            if s >= FULL_SCALE or s <= -FULL_SCALE:
                length += 1
                if length == CLIP_RUN:
                    runs += 1
            else:
                length = 0
    return runs


def process(samples: array[int], rate: int) -> Take:
    """Trim, even out and check one take (mono int16 at ``rate``); TakeError when nothing usable was heard."""
    if not 8000 <= rate <= 192_000:
        raise TakeError(f"the microphone records at {rate} Hz, which is not a sample rate for speech",
                        "microphone_format")
    duration = len(samples) * 1000 // rate
    if duration > MAX_TAKE_MS:
        raise TakeError(f"the take is {duration // 1000} s long; a sentence takes at most {MAX_TAKE_MS // 60000} min",
                        "take_too_long")
    levels = frame_levels(samples, rate)
    speech = _speech_frames(levels)
    if not speech or max(levels) < -50.0:
        raise TakeError("no voice was heard: check the microphone and speak closer to it", "take_silent")
    if (speech[-1] - speech[0] + 1) * FRAME_MS < MIN_SPEECH_MS:
        raise TakeError("the take is too short: read the whole sentence", "take_too_short")
    clipped = clipped_runs(samples) > 0
    size = rate * FRAME_MS // 1000
    start = max(0, speech[0] * size - rate * LEAD_MS // 1000)
    end = min(len(samples), (speech[-1] + 1) * size + rate * TAIL_MS // 1000)
    kept = samples[start:end]
    active = [levels[i] for i in speech]
    level = 10 * math.log10(sum(10 ** (v / 10) for v in active) / len(active))
    top = peak(kept) or 1e-9
    gain_db = min(TARGET_DBFS - level, MAX_GAIN_DB, 20 * math.log10(PEAK_LIMIT / top))
    factor = 10 ** (gain_db / 20)
    if abs(gain_db) > 0.05:  # the cap on the gain keeps peaks below full scale: no clamp needed per sample
        scaled: array[int] = array("h")
        for start in range(0, len(kept), 2048):  # in pieces: the GUI thread gets its turns in between
            scaled.extend(map(round, map(factor.__mul__, kept[start : start + 2048])))
        kept = scaled
    problems = []
    if clipped:
        problems.append("clipped")
    if level + gain_db < TARGET_DBFS - 6:
        problems.append("quiet")
    return Take(kept.tobytes() if sys.byteorder == "little" else _swapped(kept), rate, clipped, round(gain_db, 1),
                round(level, 1), tuple(problems))  # fmt: skip


def _swapped(samples: array[int]) -> bytes:
    copy = array("h", samples)
    copy.byteswap()
    return copy.tobytes()


def wav_bytes(samples: bytes, rate: int) -> bytes:
    """16-bit mono PCM as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


def read_wav(data: bytes, what: str = "the recording") -> tuple[bytes, int]:
    """(16-bit mono PCM, rate) from a WAV file's bytes; TakeError if it is not 16-bit PCM mono/stereo."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            if width != 2 or channels not in (1, 2):
                raise TakeError(f"{what} must be 16-bit PCM WAV, mono or stereo")
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise TakeError(f"{what} is not a readable WAV file ({exc})") from None
    if channels == 2:
        return to_mono16(frames, 2, "int16").tobytes(), rate
    return frames[: len(frames) - len(frames) % 2], rate


def resample(samples: bytes, rate: int, to_rate: int) -> bytes:
    """16-bit mono PCM at another rate (linear interpolation: takes of one recording made on two devices)."""
    if rate == to_rate or not samples:
        return samples
    source: array[int] = array("h")
    source.frombytes(samples)
    count = len(source) * to_rate // rate
    step = rate / to_rate
    last = len(source) - 1
    out: array[int] = array("h")
    for i in range(count):
        x = i * step
        j = int(x)
        frac = x - j
        a, b = source[min(j, last)], source[min(j + 1, last)]
        out.append(round(a + (b - a) * frac))
    return out.tobytes()


def silence(ms: int, rate: int) -> bytes:
    return bytes(2 * (rate * ms // 1000))
