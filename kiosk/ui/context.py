"""What every screen needs to render: the guide, the language, its texts, sizes, colours and icons."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPixmap

from kiosk.contrib.store import Contributions
from kiosk.guide import GuideStore, Language
from kiosk.ui.icons import IconSet
from kiosk.ui.theme import Metrics


@dataclass(frozen=True)
class ScreenContext:
    store: GuideStore
    language: Language
    strings: dict[str, str]
    metrics: Metrics
    icons: IconSet
    audience: str | None = None
    language_order: tuple[str, ...] = ()  # the staff's choice; empty: every language, in the guide's order
    voiced: frozenset[str] | None = None  # languages a voice reads (their speaker marks show); None: not known yet
    invite_aloud: bool = False  # the staff's setting: the language screen says its invitation aloud
    contributions: Contributions | None = None  # recordings and reviews made on this kiosk

    def can_say(self, code: str) -> bool:
        """Whether a label in ``code`` can be read aloud (unknown until the speech worker has listed its voices)."""
        return self.voiced is None or code in self.voiced

    def shown_languages(self) -> list[Language]:
        languages = self.store.languages()
        if not self.language_order:
            return languages
        by_code = {lang.code: lang for lang in languages}
        chosen = [by_code[code] for code in self.language_order if code in by_code]
        return chosen or languages  # a guide without any of them: never an empty screen

    @property
    def lang(self) -> str:
        return self.language.code

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    def text(self, key: str, **values: object) -> str:
        template = self.strings.get(key, key)
        try:
            return template.format(**values) if values else template
        except (KeyError, IndexError, ValueError):
            return template

    def icon(self, name: str, size: int | None = None, colour: str | None = None) -> QPixmap:
        return self.icons.pixmap(name, size or self.metrics.icon, colour or self.metrics.palette.accent, self.rtl)
