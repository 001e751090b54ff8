"""Problems found in the guide's sources, reported as ``path:line: severity: message``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"


@dataclass
class Report:
    """Collects problems while the sources are read and checked."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, Severity.ERROR))

    def warning(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, Severity.WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.path, p.line, p.severity.value, p.message))


class ContentError(Exception):
    """The sources have errors; ``report`` holds them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        first = report.errors[0] if report.errors else None
        super().__init__(f"{len(report.errors)} error(s) in the guide sources" + (f"; first: {first}" if first else ""))
