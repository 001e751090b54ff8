"""What a voice's model card says about its licence, and whether the kiosk may carry the voice (no Qt).

Piper grants no licence over voices: each voice's ``MODEL_CARD`` names the licence of its training data
(``* License: CC0``) and, for a voice fine-tuned from another, its parent (``Finetuned from U.S. English lessac
voice``). A voice goes into a pack only when its card declares a licence that allows redistribution in a product,
names no non-commercial licence anywhere, and names no parent whose data forbids use in a product (the lessac
voice's Blizzard 2013 data, and the voices fine-tuned from it; ``../shared/brief/voices.md``).

The judgement is deliberately strict: a licence the kiosk does not recognise is refused with its text, so an
editor looks at it, rather than let through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARD = "MODEL_CARD"
MAX_CARD_BYTES = 64 * 1024

# Licences that allow redistributing a model trained on the data, in a product (SPDX identifiers).
_REDISTRIBUTABLE = {
    "cc0-1.0": ("cc0", "cc0-1.0", "cc0 1.0", "cc-0", "creative commons zero", "public domain", "public-domain"),
    "cc-by-4.0": ("cc-by-4.0", "cc by 4.0", "cc-by 4.0", "creative commons attribution 4.0"),
    "cc-by-3.0": ("cc-by-3.0", "cc by 3.0", "cc-by 3.0", "creative commons attribution 3.0"),
    "cc-by-sa-4.0": ("cc-by-sa-4.0", "cc by-sa 4.0", "cc by sa 4.0", "creative commons attribution-sharealike 4.0"),
    "cc-by-sa-3.0": ("cc-by-sa-3.0", "cc by-sa 3.0", "cc by sa 3.0"),
    "mit": ("mit", "mit license"),
    "apache-2.0": ("apache-2.0", "apache 2.0", "apache license 2.0", "apache license, version 2.0"),
    "bsd-3-clause": ("bsd-3-clause", "bsd 3-clause", "bsd"),
    "odbl-1.0": ("odbl", "odbl-1.0"),
}
_NON_COMMERCIAL = re.compile(r"\bnc\b|non[- ]?commercial|research[- ]only|not for commercial|no commercial", re.I)
# Parents whose training data forbids use in a product, and the voices fine-tuned from them (by name in a card).
NON_COMMERCIAL_PARENTS = ("lessac", "blizzard", "libritts_r", "libritts", "vctk", "upmc", "joe", "mms", "xtts")
_LICENCE_LINE = re.compile(r"^[ \t*#_\-]*licen[cs]e[ \t*_]*[:=][ \t]*(.*)$", re.I | re.M)
_PARENT_LINE = re.compile(r"(?:fine[- ]?tuned|trained)\s+(?:from|on top of)\s+(.+)", re.I)


@dataclass(frozen=True)
class CardVerdict:
    licences: tuple[str, ...]  # SPDX identifiers of the licences the card declares
    parent: str  # the voice it was fine-tuned from, as the card says it ('' if none)


class CardRefused(Exception):
    """The voice may not go into a pack; the message says why, quoting the card."""


def judge_card(text: str) -> CardVerdict:
    """The card's licences and parent if the voice may be carried; raises CardRefused otherwise."""
    declared = [value.strip().strip("*_`").strip() for value in _LICENCE_LINE.findall(text)]
    declared = [value for value in declared if value and value.lower() not in {"", "-", "unknown", "n/a", "none"}]
    if not declared:
        raise CardRefused("the model card declares no licence (a line such as '* License: CC0')")
    for value in declared:
        if _NON_COMMERCIAL.search(value):
            raise CardRefused(f"the model card names a non-commercial licence: {value!r}")
    licences: list[str] = []
    for value in declared:
        spdx = _spdx(value)
        if spdx is None:
            raise CardRefused(f"the licence {value!r} is not one known to allow redistribution in a product "
                              f"(known: {', '.join(sorted(_REDISTRIBUTABLE))})")  # fmt: skip
        licences.append(spdx)
    parent = ""
    if match := _PARENT_LINE.search(text):
        parent = match[1].strip().rstrip(".")[:200]
        if _NON_COMMERCIAL.search(parent):
            raise CardRefused(f"the voice was fine-tuned from a non-commercial voice: {parent!r}")
        words = {w.lower() for w in re.findall(r"[A-Za-z0-9_]+", parent)}
        for name in NON_COMMERCIAL_PARENTS:
            if name in words:
                raise CardRefused(f"the voice was fine-tuned from {parent!r}, whose training data forbids use in a "
                                  f"product ({name})")  # fmt: skip
    for line in text.splitlines():  # e.g. "Dataset: ... (non-commercial use only)" outside a License line
        if _NON_COMMERCIAL.search(line) and not _LICENCE_LINE.match(line):
            raise CardRefused(f"the model card restricts use: {line.strip()[:200]!r}")
    return CardVerdict(tuple(dict.fromkeys(licences)), parent)


def _spdx(value: str) -> str | None:
    text = re.sub(r"\s+", " ", re.sub(r"\(.*?\)|\[.*?\]|https?://\S+", "", value)).strip(" .;,").lower()
    for spdx, spellings in _REDISTRIBUTABLE.items():
        if text in spellings:
            return spdx
    return None
