"""The scenario package is a one-way pipeline: its modules import each other without a cycle
(issue 13, item 2), and a module imports another inside a function only to defer an
optional package, never to hide a cycle inside the package."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import twin.scenario

PACKAGE = Path(twin.scenario.__file__).parent
NAME = "twin.scenario"


def _internal(node: ast.Import | ast.ImportFrom) -> set[str]:
    """Modules of the package an import statement names."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif node.module == NAME:
        names = [f"{NAME}.{a.name}" for a in node.names]
    else:
        names = [node.module or ""]
    return {n.split(".")[2] for n in names if n.startswith(f"{NAME}.")} & modules


def _imports() -> dict[str, tuple[set[str], set[str]]]:
    """Per module: the package modules it imports at module level, and inside functions."""
    out = {}
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                top |= _internal(node)
        inner: set[str] = set()
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        inner |= _internal(node)
        out[path.stem] = (top - {path.stem}, inner - {path.stem})
    return out


def test_the_scenario_modules_import_each_other_without_a_cycle():
    graph = {m: top | inner for m, (top, inner) in _imports().items()}
    order = list(graphlib.TopologicalSorter(graph).static_order())  # CycleError on a cycle
    assert order.index("reading") < order.index("validate") < order.index("sweep")
    assert order.index("sweep") < order.index("pipeline")
    assert order.index("resolve") < order.index("run")


def test_no_scenario_module_imports_another_inside_a_function():
    hidden = {m: inner for m, (_, inner) in _imports().items() if inner}
    assert hidden == {}


def test_function_level_imports_say_why():
    """Each import inside a function (deferring an optional package) has a comment above."""
    for path in sorted(PACKAGE.glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    above = lines[node.lineno - 2].strip()
                    assert "#" in above, f"{path.name}:{node.lineno}: no reason given"
