"""The extrema modules import one another in one direction (issue 10 item 4:
box.py and several.py imported each other, one of them inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

import shared.mathcore.extrema as package

PREFIX = "shared.mathcore.extrema."


def _imports() -> dict[str, set[str]]:
    graph = {}
    for path in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PREFIX):
                deps.add(node.module.removeprefix(PREFIX))
        graph[path.stem] = deps
    return graph


def test_no_import_cycle_between_extrema_modules():
    graph = _imports()
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join((*trail, name))
        if name in done:
            return
        for dep in graph.get(name, ()):
            visit(dep, (*trail, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_imports_sit_at_the_top_of_each_module():
    for path in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        nested = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in top
        ]
        assert nested == [], f"{path.name} imports inside a function at lines {nested}"


def test_solving_code_holds_no_step_wording():
    """Extrema steps are records worded by extrema/wording.py (issue 10 item 4):
    no solving module builds a STEP dict with its text itself."""
    for path in Path(package.__file__).parent.glob("*.py"):
        if path.stem == "wording":
            continue
        assert "make_step" not in path.read_text(), path.name
