"""The kiosk's settings, declared once: name, type, default, bounds and help text, with typed access.

``Config`` is the table (a frozen dataclass: ``config.idle_timeout_s`` is an ``int``). ``SettingsStore`` keeps
it in ``<data dir>/settings.json``: every value is validated on the way in (a bad value is refused with the
reason and not stored) and on the way back (a stored value that is no longer valid falls back to its default,
with a logged warning). Writes are atomic. Staff change settings in the staff view; installers may use
``wegwijzer settings set NAME VALUE``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import paths

log = logging.getLogger(__name__)


class SettingError(ValueError):
    """A value a setting does not accept; the message says why."""


def _setting(default: Any, help: str, *, low: int | None = None, high: int | None = None, step: int = 1,
             choices: tuple[str, ...] = (), pattern: str = "", max_length: int = 200) -> Any:  # fmt: skip
    meta = {"help": help, "low": low, "high": high, "choices": choices, "pattern": pattern, "max_length": max_length,
            "step": step}  # fmt: skip
    return field(default=default, metadata=meta)


_LANG = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"


@dataclass(frozen=True)
class Config:
    language_order: tuple[str, ...] = _setting(
        (), "Languages on the language screen, in this order; empty: all of the guide's languages, in its order.",
        pattern=_LANG,
    )  # fmt: skip
    idle_timeout_s: int = _setting(90, "Seconds without a touch before 'Are you still there?'.", low=20, high=3600,
                                  step=10)  # fmt: skip
    speech_speed: int = _setting(100, "Speech speed, in percent of the normal speed.", low=60, high=140, step=10)
    voice_engines: tuple[str, ...] = _setting(
        (), "The speech engine per language, as code=engine (piper: a neural voice pack, espeak-ng); a language "
        "not listed uses the best it has (a neural voice, else espeak-ng).",
        pattern=_LANG + r"=(piper|espeak-ng)",
    )  # fmt: skip
    read_answers_aloud: bool = _setting(False, "Read each answer aloud as soon as it opens (for halls where most "
                                        "visitors read little; the visitor can still stop it).")  # fmt: skip
    invite_aloud: bool = _setting(False, "The language screen says its invitation aloud in each language in turn "
                                  "(off by default: halls are shared).")  # fmt: skip
    default_text_size: int = _setting(0, "Text size for each new visitor: 0 normal, 1 larger, 2 largest.", low=0,
                                      high=2)  # fmt: skip
    show_organisation_questions: bool = _setting(True, "Show the questions meant for organisations too.")
    staff_timeout_s: int = _setting(120, "Staff mode closes itself after this many seconds without a touch.",
                                    low=30, high=1800, step=30)  # fmt: skip
    staff_language: str = _setting("nl", "Language of the staff screens.", choices=("nl", "fr", "en"))
    sync_url: str = _setting("", "Address of the published bundle folder (http or https); empty: USB only.",
                             pattern=r"(https?://\S+)?")  # fmt: skip
    sync_interval_min: int = _setting(60, "Minutes between two looks at the sync address.", low=5, high=10080,
                                     step=5)  # fmt: skip
    update_channel: str = _setting("stable", "The update channel this kiosk takes.", pattern=r"[a-z0-9][a-z0-9-]{0,31}")
    stats_to_usb: bool = _setting(False, "Copy the usage figures onto a USB stick that carries a genuinely signed "
                                  "update (into a new folder wegwijzer-stats/<site>-<date>-<time>).")  # fmt: skip
    contrib_to_usb: bool = _setting(False, "Copy the recordings and review marks made on this kiosk onto a USB stick "
                                    "that carries a genuinely signed update (into a new folder "
                                    "wegwijzer-contrib/<site>-<date>-<time>), for the editors.")  # fmt: skip
    accept_test_keys: bool = _setting(False, "Also install updates signed with a test key (trial kiosks only; a "
                                      "kiosk in a centre takes release keys only).")  # fmt: skip
    site_name: str = _setting("", "Name of this centre or kiosk, used in the file names of exported figures.",
                              pattern=r"[\w .,'()-]*", max_length=60)  # fmt: skip

    @property
    def engines(self) -> dict[str, str]:
        """The staff's engine per language code, from ``voice_engines`` ("ar=piper" -> {"ar": "piper"})."""
        return dict(item.split("=", 1) for item in self.voice_engines)

    @property
    def audience(self) -> str | None:
        """Whose questions a visitor sees: residents' only, or everyone's (None) when the organisations' questions
        are shown too. The one place this rule is written (the kiosk and presenter mode both ask here)."""
        from kiosk.guide import RESIDENT

        return None if self.show_organisation_questions else RESIDENT


FIELDS: dict[str, dataclasses.Field[Any]] = {f.name: f for f in dataclasses.fields(Config)}


def describe(name: str) -> str:
    """Help text of a setting, with what it accepts."""
    accepts = accepts_text(name)
    return str(_field(name).metadata["help"]) + (f" ({accepts})" if accepts else "")


def accepts_text(name: str) -> str:
    """What a setting accepts, without words: "20-3600", "nl, fr, en", "yes/no", or ""."""
    f = _field(name)
    meta = f.metadata
    if meta["low"] is not None:
        return f"{meta['low']}-{meta['high']}"
    if meta["choices"]:
        return ", ".join(meta["choices"])
    if f.type == "bool":
        return "yes/no"
    return ""


def _field(name: str) -> dataclasses.Field[Any]:
    try:
        return FIELDS[name]
    except KeyError:
        raise SettingError(f"there is no setting '{name}' (known: {', '.join(FIELDS)})") from None


def check(name: str, value: Any) -> Any:
    """``value`` if setting ``name`` accepts it (lists become tuples), else SettingError with the reason."""
    f = _field(name)
    meta, kind = f.metadata, f.type
    if kind == "bool":
        if not isinstance(value, bool):
            raise SettingError(f"{name} must be yes or no")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"{name} must be a whole number")
        if not meta["low"] <= value <= meta["high"]:
            raise SettingError(f"{name} must be between {meta['low']} and {meta['high']}, not {value}")
        return value
    if kind == "str":
        return _check_text(name, value, meta)
    if kind == "tuple[str, ...]":
        if not isinstance(value, list | tuple):
            raise SettingError(f"{name} must be a list")
        items = tuple(_check_text(name, v, meta) for v in value)
        if len(set(items)) != len(items):
            raise SettingError(f"{name} lists something twice")
        return items
    raise SettingError(f"{name} has an unknown type {kind}")  # pragma: no cover (a mistake in the table)


def _check_text(name: str, value: Any, meta: Any) -> str:
    if not isinstance(value, str):
        raise SettingError(f"{name} must be text")
    if len(value) > meta["max_length"]:
        raise SettingError(f"{name} is longer than {meta['max_length']} characters")
    if meta["choices"] and value not in meta["choices"]:
        raise SettingError(f"{name} must be one of {', '.join(meta['choices'])}, not '{value}'")
    if meta["pattern"] and not re.fullmatch(meta["pattern"], value):
        raise SettingError(f"{name} does not accept '{value}'")
    return value


def parse(name: str, text: str) -> Any:
    """A value for ``name`` from command-line text ("yes", "120", "nl,fr,ar"), checked."""
    kind = _field(name).type
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered not in ("yes", "no", "true", "false", "1", "0", "on", "off"):
            raise SettingError(f"{name} must be yes or no, not '{text}'")
        return check(name, lowered in ("yes", "true", "1", "on"))
    if kind == "int":
        try:
            number = int(text.strip())
        except ValueError:
            raise SettingError(f"{name} must be a whole number, not '{text}'") from None
        return check(name, number)
    if kind == "tuple[str, ...]":
        return check(name, [part.strip() for part in text.split(",") if part.strip()])
    return check(name, text.strip())


class SettingsStore:
    """Settings persisted as JSON in the data directory (only values that differ from the defaults)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.settings_file()
        self.config = self._load()

    def _load(self) -> Config:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Config()
        except (OSError, ValueError) as exc:
            log.error("settings file %s cannot be read, using the defaults: %s", self.path, exc)
            return Config()
        if not isinstance(raw, dict):
            log.error("settings file %s is not a table, using the defaults", self.path)
            return Config()
        values = {}
        for name, value in raw.items():
            try:
                values[name] = check(name, value)
            except SettingError as exc:
                log.warning("stored setting ignored, its default is used: %s", exc)
        return Config(**values)

    def set(self, name: str, value: Any) -> Config:
        """Validate and store one setting; returns the new configuration. Raises SettingError, or OSError if
        it cannot be written (then nothing changed)."""
        checked = check(name, value)
        config = dataclasses.replace(self.config, **{name: checked})
        self._save(config)
        self.config = config
        return config

    def _save(self, config: Config) -> None:
        defaults = Config()
        data = {
            f.name: list(v) if isinstance(v := getattr(config, f.name), tuple) else v
            for f in dataclasses.fields(Config)
            if getattr(config, f.name) != getattr(defaults, f.name)
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            # Private (0600): a sync address may carry a password.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
