"""Recordings made on the kiosk and review marks, without Qt: processing a take, keeping it sentence by sentence,
consent, assembling with the sentence marks, reviews, and a full disk or a killed process losing nothing."""

from __future__ import annotations

import errno
import json
import math
import random
from array import array

import pytest

from kiosk.contrib import audio
from kiosk.contrib.audio import TakeError, process, to_mono16
from kiosk.contrib.store import ContribError, Contributions, sentence_spans

RATE = 16000


def tone(ms: int, amplitude: float, freq: float = 220.0, rate: int = RATE) -> list[int]:
    return [round(amplitude * 32767 * math.sin(2 * math.pi * freq * i / rate)) for i in range(rate * ms // 1000)]


def hiss(ms: int, amplitude: float, rate: int = RATE, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [round(rng.uniform(-1, 1) * amplitude * 32767) for _ in range(rate * ms // 1000)]


def take_of(*pieces: list[int]) -> array[int]:
    return array("h", [s for piece in pieces for s in piece])


def test_a_take_is_trimmed_and_brought_to_one_level():
    quiet = take_of(hiss(800, 0.001), tone(1200, 0.02), hiss(900, 0.001, seed=2))
    loud = take_of(hiss(300, 0.001), tone(1200, 0.5), hiss(300, 0.001, seed=3))
    a, b = process(quiet, RATE), process(loud, RATE)
    for t in (a, b):
        assert 1200 + audio.LEAD_MS - 40 <= t.duration_ms <= 1200 + audio.LEAD_MS + audio.TAIL_MS + 40
        assert not t.clipped
    # the same active level after processing, whatever the reader's distance to the microphone
    levels = [audio.frame_levels(array("h", t.samples), RATE) for t in (a, b)]
    assert abs(max(levels[0]) - max(levels[1])) < 1.5
    assert a.gain_db > 15 and b.gain_db < 0


def test_clipping_is_flagged_and_silence_refused():
    overdriven = [max(-32768, min(32767, s)) for s in tone(800, 1.2)]
    clipped = take_of(hiss(200, 0.001), overdriven, hiss(200, 0.001))
    assert process(clipped, RATE).clipped and "clipped" in process(clipped, RATE).problems
    with pytest.raises(TakeError, match="no voice was heard"):
        process(take_of(hiss(2000, 0.0005)), RATE)
    with pytest.raises(TakeError, match="no voice"):
        process(array("h"), RATE)
    with pytest.raises(TakeError, match="too short"):
        process(take_of(hiss(500, 0.001), tone(60, 0.3), hiss(500, 0.001)), RATE)


def test_device_formats_become_mono_int16():
    stereo = array("h", [1000, 3000] * 4).tobytes()
    assert list(to_mono16(stereo, 2, "int16")) == [2000] * 4
    floats = array("f", [0.5, -0.5]).tobytes()
    assert list(to_mono16(floats, 1, "float")) == [16384, -16384]
    assert list(to_mono16(bytes([128, 255]), 1, "uint8")) == [0, 32512]
    with pytest.raises(TakeError):
        to_mono16(b"\0\0", 1, "int24")


def test_sentences_are_what_one_take_reads():
    text = "Eerste zin. Tweede zin?\n- een lijst\n\nالجملة الثالثة؟ ቃል። "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Eerste zin.", "Tweede zin?", "- een lijst", "الجملة الثالثة؟", "ቃል።"]


@pytest.fixture
def store(tmp_path):
    return Contributions(tmp_path / "contrib")


def a_take(ms: int = 900, seed: int = 1):
    return process(take_of(hiss(100, 0.001, seed=seed), tone(ms, 0.3), hiss(100, 0.001)), RATE)


def test_keep_each_sentence_then_it_plays_with_the_sentence_marks(store):
    text = "ሰላም። ብዙሕ ሓበሬታ ኣሎ። ሕቶ ኣለኩም ድዩ?"
    consent = store.give_consent("TG", "consent text v1", "ti")
    assert store.consent("TG", "consent text v1") == consent
    assert store.consent("TG", "consent text v2") is None, "a changed consent text needs a new consent"
    rec = store.start("ti", "accident", "short", text, "abc123")
    assert len(rec.sentences) == 3 and not rec.complete
    for i in range(3):
        rec = store.keep(rec, i, a_take(600 + 100 * i, seed=i), consent)
    assert rec.complete and store.playable("ti", "accident", "short", text) is not None
    assert store.playable("ti", "accident", "short", text + " changed") is None, "a changed text is not played"
    played = store.assemble(rec)
    assert [text[a:b] for a, b, _ in played.marks] == ["ሰላም።", "ብዙሕ ሓበሬታ ኣሎ።", "ሕቶ ኣለኩም ድዩ?"]
    starts = [ms for *_, ms in played.marks]
    assert starts[0] == 0 and starts == sorted(starts) and starts[2] < played.duration_ms
    # a redo replaces the take of that sentence, the old file goes
    first = rec.sentences[1].file
    rec = store.keep(rec, 1, a_take(1500, seed=9), consent)
    assert rec.sentences[1].file != first
    folder = store.root / "recordings" / "ti" / "accident.short"
    assert sorted(p.name for p in folder.glob("*.wav")) == sorted(s.file for s in rec.sentences)
    saved = json.loads((folder / "recording.json").read_text(encoding="utf-8"))
    assert saved["consent"]["initials"] == "TG" and saved["answer_hash"] == "abc123"


def test_a_full_disk_or_a_killed_write_keeps_the_last_good_state(store, monkeypatch):
    consent = store.give_consent("AB", "consent", "ar")
    rec = store.start("ar", "accident", "short", "جملة أولى. جملة ثانية.", "h1")
    rec = store.keep(rec, 0, a_take(), consent)
    before = sorted(p.name for p in (store.root / "recordings/ar/accident.short").iterdir())
    real_replace = __import__("os").replace

    def full(src, dst):
        if str(dst).endswith("recording.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("kiosk.atomic.os.replace", full)
    with pytest.raises(ContribError, match="disk is full"):
        store.keep(rec, 1, a_take(seed=5), consent)
    monkeypatch.undo()
    assert sorted(p.name for p in (store.root / "recordings/ar/accident.short").iterdir()) == before
    assert store.recording("ar", "accident", "short").kept == 1


def test_reviews_count_for_the_version_they_were_given_to(store):
    with pytest.raises(ContribError, match="what needs to change"):
        store.add_review("uk", "accident", "needs-change", "  ", "OK", "h1")
    store.add_review("uk", "accident", "needs-change", "'прийом' is not the word", "OK", "h1")
    store.add_review("uk", "accident", "correct", "", "ОК", "h1")
    assert store.review("uk", "accident", "h1").verdict == "correct"
    assert store.review("uk", "accident", "h2") is None, "a changed translation is not reviewed"
    assert [r.verdict for r in store.reviews_of("uk", "accident")] == ["needs-change", "correct"]
    for bad in ("", "1234", "ABCDEFGH", "A<b>"):
        with pytest.raises(ContribError, match="initials"):
            store.add_review("uk", "accident", "correct", "", bad, "h1")


def test_damaged_or_hostile_files_are_refused_with_their_place(store):
    folder = store.root / "recordings" / "ar" / "accident.short"
    folder.mkdir(parents=True)
    (folder / "recording.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ContribError, match=r"recording\.json is damaged"):
        store.recording("ar", "accident", "short")
    (folder / "recording.json").write_text(json.dumps({"answer_hash": "x", "text": "a.", "sentences": [
        {"start": 0, "end": 2, "file": "../../../../etc/passwd"}]}), encoding="utf-8")  # fmt: skip
    with pytest.raises(ContribError, match="damaged"):
        store.recording("ar", "accident", "short")
    assert store.playable("ar", "accident", "short", "a.") is None
    with pytest.raises(ContribError):
        store.recording("ar", "../x", "short")


@pytest.mark.parametrize(
    "text", ['Zeg "ja": #1\\n\tnee', "  voor- en achteraan  ", "\u2067عربي\u2069 - yes: no", "ሰላም።\n- item"]
)
def test_a_sidecar_written_without_a_yaml_library_reads_back_exactly(text):
    """The kiosk writes sidecars and review files by hand (no YAML parser in the packaged kiosk)."""
    import yaml

    from kiosk.content.marks import RecordingMeta, meta_yaml, reviews_yaml

    meta = RecordingMeta("0123456789abcdef", text, ((0, 1, 0),), "TG", "2026-12-06T10:00:00+00:00", "2026-12-06")
    data = yaml.safe_load(meta_yaml(meta))
    assert data == {"answer_hash": "0123456789abcdef", "text": text, "sentences": [[0, 1, 0]], "reader": "TG",
                    "consent": "2026-12-06T10:00:00+00:00", "recorded": "2026-12-06"}  # fmt: skip
    review = {"verdict": "needs-change", "note": text, "initials": "ОК", "at": "2026-12-06T10:00:00+00:00"}
    assert yaml.safe_load(reviews_yaml("accident", "uk", [review, review])) == {
        "question": "accident", "lang": "uk", "reviews": [review, review]}  # fmt: skip
