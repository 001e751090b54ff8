"""Collecting, printing and saving benchmark figures."""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(figures: list[Figure]) -> None:
    header = f"{'measure':<66}{'value':>12}  {'unit':<6}{'baseline':>12}  {'x base':>7}  target"
    print(header)
    print("-" * len(header))
    for f in figures:
        base = f"{f.baseline:12.2f}" if f.baseline is not None else " " * 12
        ratio = f"{f.ratio:7.2f}" if f.ratio is not None else " " * 7
        print(f"{f.name:<66}{f.value:12.2f}  {f.unit:<6}{base}  {ratio}  {f.target}")
        if f.baseline_name:
            print(f"{'':<4}baseline: {f.baseline_name}")


def save(figures: list[Figure], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
