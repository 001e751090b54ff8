"""Reading source files safely: size cap, symlinks, encoding, BOM, line endings, YAML with line numbers."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kiosk.content.problems import Report

MAX_FILE_BYTES = 512 * 1024


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line (1-based) of itself and of each key."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when available: ~10x faster


class _LineLoader(_Base):  # type: ignore[misc,valid-type]
    """A safe YAML loader whose mappings are LineDicts and which refuses duplicate keys."""

    duplicate_keys: list[tuple[str, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in mapping:
                self.duplicate_keys.append((key, key_node.start_mark.line + 1))
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
# Dates stay strings: the checker validates them itself and reports a clear message.
_LineLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass
class SourceText:
    path: str  # relative to the source root, for messages
    text: str


def read_text(root: Path, path: Path, report: Report) -> SourceText | None:
    """Read one source file as text, or report why it cannot be used and return None."""
    rel = _relative(root, path)
    try:  # os calls on the path's text: a guide has thousands of answer files, and pathlib's are slower
        name = os.fspath(path)
        info = os.lstat(name)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve()
            except RuntimeError:  # Python 3.11's word for a loop of links
                report.error(rel, 1, "symbolic link that leads back to itself (a loop of links); refused")
                return None
            try:
                target.relative_to(root.resolve())
            except ValueError:
                report.error(rel, 1, f"symbolic link points outside the content folder (to {target}); refused")
                return None
            info = os.stat(name)
        size = info.st_size
        if size > MAX_FILE_BYTES:
            report.error(rel, 1, f"file too large ({size / 1024:.0f} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)")
            return None
        with open(name, "rb") as file:
            data = file.read()
    except OSError as exc:
        report.error(rel, 1, f"cannot read file: {exc.strerror or exc}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        report.warning(rel, 1, "file starts with a byte order mark (BOM); it was ignored - save as UTF-8 without BOM")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(rel, line, f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be read; save the file as UTF-8")
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        report.warning(rel, line, "Windows (CRLF) or old Mac (CR) line endings; read as plain line ends")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        report.error(rel, 1, "file is empty")
        return None
    return SourceText(rel, text)


def parse_yaml(source: SourceText, report: Report, first_line: int = 1) -> Any:
    """Parse YAML text (whose first line is ``first_line`` of the file); report errors with their line."""
    loader = _LineLoader(source.text)
    loader.duplicate_keys = []
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.error(source.path, line, f"YAML cannot be read: {problem}")
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicate_keys:
        report.error(source.path, first_line + line - 1, f"key '{key}' appears twice")
    if isinstance(value, LineDict) and first_line != 1:
        _shift_lines(value, first_line - 1)
    return value


# --- a fast path for the simple front matter every answer has ----------------------------------------
# ``key: value`` lines and one level of ``key:`` followed by ``  - key: value`` items (an answer's sources). A
# value is a double-quoted text without escapes, a single-quoted text, or a plain text YAML reads as text. Anything
# else (a comment, an escape, a number, a block or flow value, a duplicate key ...) goes to the YAML parser, which
# reads it the same way or reports it with its line. A 20,000-answer guide spends a fifth of its reading time in
# PyYAML's constructor otherwise.
_KEY = r"([A-Za-z_][A-Za-z0-9_]*)"
_SIMPLE_LINE = re.compile(rf"(?:(  - |    )|){_KEY}:(?: (.*))?")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
# What YAML reads differently or refuses: characters it does not print, its other line breaks, a byte order mark
# (one class, the printable ranges without U+2028, U+2029 and U+FEFF: an alternation was four times slower).
_UNUSUAL = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def simple_mapping(text: str, first_line: int) -> LineDict | None:
    """``text`` read as YAML, when it is front matter of the simple form above; None: let the YAML parser read it."""
    if _UNUSUAL.search(text):
        return None
    top = LineDict()
    top.line, top.key_lines = first_line, {}
    items: list[Any] | None = None  # the list the indented lines belong to
    item: LineDict | None = None
    for index, line in enumerate(text.split("\n")):
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        indent, key, raw = match.groups()
        if _resolves(key):  # 'yes:' is the key True to YAML
            return None
        number = first_line + index
        if not indent:
            if key in top.key_lines:
                return None
            top.key_lines[key] = number
            item = None
            if raw is None:  # a list of mappings follows
                items = top[key] = []
                continue
            items = None
        elif items is None or (indent == "    " and item is None):
            return None
        elif indent == "  - ":
            item = LineDict()
            item.line, item.key_lines = number, {}
            items.append(item)
        value = _scalar(raw)
        if value is None:
            return None
        target = top if not indent else item
        assert target is not None
        if indent and key in target.key_lines:
            return None
        target[key] = value
        target.key_lines[key] = number
    if not top.key_lines or any(v == [] for v in top.values()):
        return None  # empty, or a 'key:' with nothing under it (null in YAML)
    return top


def _scalar(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw[0] == '"':
        match = _DOUBLE.fullmatch(raw)
        return match[1] if match else None
    if raw[0] == "'":
        match = _SINGLE.fullmatch(raw)
        return match[1].replace("''", "'") if match else None
    if not _plain(raw) or _resolves(raw):
        return None
    return raw


def _plain(raw: str) -> bool:
    """A plain scalar that cannot be anything but itself: no indicator or space first, no ':' or space last, no tab,
    no ': ' or ' #' inside (string methods: a pattern with a look-ahead at every character was most of the time)."""
    return (raw[0] not in _INDICATORS and not raw[0].isspace() and raw[-1] != ":" and not raw[-1].isspace()
            and "\t" not in raw and ": " not in raw and " #" not in raw)  # fmt: skip


_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _resolves(raw: str) -> bool:
    """Whether YAML would read the plain text ``raw`` as something other than text (a number, true, null ...)."""
    return any(regexp.match(raw) for regexp in _resolvers(raw[0]))


@lru_cache(maxsize=1024)
def _resolvers(first: str) -> tuple[re.Pattern[str], ...]:
    """YAML's patterns for plain texts that start with ``first`` (most letters have none)."""
    return tuple(regexp for _tag, regexp in _LineLoader.yaml_implicit_resolvers.get(first, []))


def _shift_lines(value: Any, offset: int) -> None:
    if isinstance(value, LineDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for item in value.values():
            _shift_lines(item, offset)
    elif isinstance(value, list):
        for item in value:
            _shift_lines(item, offset)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Fields:
    """Typed access to one YAML mapping, reporting wrong or missing values at their line."""

    def __init__(self, mapping: Any, path: str, report: Report, what: str, line: int = 1) -> None:
        self.ok = isinstance(mapping, LineDict)
        self.map: LineDict = mapping if self.ok else LineDict()
        self.path, self.report, self.what = path, report, what
        if not self.ok:
            report.error(path, getattr(mapping, "line", line), f"{what} must be a mapping of 'key: value' lines")

    def line(self, key: str | None = None) -> int:
        return self.map.line_of(key) if key else self.map.line

    def text(self, key: str, required: bool = True) -> str:
        value = self.map.get(key)
        if value is None:
            if required and self.ok:
                self.report.error(self.path, self.line(), f"{self.what}: '{key}' is missing")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.report.error(self.path, self.line(key), f"{self.what}: '{key}' must be text")
            return ""
        return value.strip()

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.map.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.report.error(self.path, self.line(key), f"{self.what}: '{key}' must be a whole number")
            return 0
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.map.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report.error(self.path, self.line(key), f"{self.what}: '{key}' must be a list like [a, b]")
            return []
        return [v.strip() for v in value]

    def check_id(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not ID_PATTERN.match(value):
            self.report.error(self.path, self.line(key), f"{self.what}: id '{value}' may only hold a-z, 0-9 and '-'")
        return value
