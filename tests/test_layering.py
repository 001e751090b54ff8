"""The shape of the code (issue #14): the import contracts hold, no module imports itself in a circle, the pure
domain runs without Qt, and the Qt adapters have no widgets."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PURE = ["kiosk.content.check", "kiosk.content.build", "kiosk.content.stamp", "kiosk.guide", "kiosk.guides",
        "kiosk.guidecheck", "kiosk.updates.install", "kiosk.updates.sync", "kiosk.updates.bundle",
        "kiosk.speech.engine", "kiosk.speech.speaker", "kiosk.speech.worker", "kiosk.settings", "kiosk.pin",
        "kiosk.usage", "kiosk.logs", "kiosk.maintenance", "kiosk.textalign", "kiosk.cli"]  # fmt: skip


def test_the_import_contracts_hold():
    """pyproject.toml's contracts: entry points > app > ui > qt adapters > domain, and no Qt in the domain."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_in_a_circle():
    """Also through imports made only for type checking: each one is a dependency a reader has to follow."""
    graph = grimp.build_graph("kiosk")
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m) if d.startswith("kiosk")}
             for m in graph.modules if m.startswith("kiosk")}  # fmt: skip
    assert _cycles(edges) == []


def test_pure_modules_do_not_import_qt():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_qt_adapters_have_no_widgets():
    for path in sorted((ROOT / "kiosk" / "qt").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "PySide6.QtWidgets", f"{path.name} imports widgets: it belongs in kiosk/ui"
            elif isinstance(node, ast.Import):
                assert all(alias.name != "PySide6.QtWidgets" for alias in node.names), path.name
