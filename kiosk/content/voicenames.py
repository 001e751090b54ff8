"""Which voice names the kiosk's engines know, and which script a voice reads (no Qt, no audio library).

A language's ``voice:`` list names language tags. Both engines speak through espeak-ng's language rules (Piper
phonemises with them too), so the names espeak-ng's data declares are the names the engines know: each voice
file under ``espeak-ng-data/lang`` is named by its identifier and says ``language TAG`` for every tag it answers
to. A voice reads one script: Kurmanji ``ku`` reads Latin letters, so it reads Sorani's Arabic letters as letter
names; CLDR's likely-subtags data (langcodes) says which script a tag is written in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import langcodes


@cache
def espeak_voice_tags(data_dir: Path | None = None) -> frozenset[str]:
    """Every language tag espeak-ng's data has a voice for (lower case), e.g. 'nl', 'fr-be', 'fa', 'ti'."""
    if data_dir is None:
        try:
            import espeakng_loader

            data_dir = Path(espeakng_loader.get_data_path())
        except ImportError:
            return frozenset()
    tags: set[str] = set()
    for voice in (data_dir / "lang").rglob("*"):
        if not voice.is_file():
            continue
        tags.add(voice.name.lower())
        try:
            lines = voice.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if len(words) >= 2 and words[0] == "language":
                tags.add(words[1].lower())
    return frozenset(tags)


def script_of(tag: str) -> str | None:
    """The script ``tag`` is most likely written in (ISO 15924: 'Latn', 'Arab', 'Ethi'), or None if unknown."""
    try:
        script = langcodes.Language.get(tag).maximize().script
    except (ValueError, LookupError):
        return None
    return str(script) if script else None
