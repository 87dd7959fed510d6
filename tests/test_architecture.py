"""The shape of app/: the import contracts, no import cycles, and a reaction
table that names every event (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from flask import Flask

from app.events import ReactionsNotInstalled, emit
from app.events import types as ev
from app.reactions import REACTIONS

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def test_the_import_contracts_are_kept():
    """The contracts in pyproject.toml ([tool.importlinter]): domains import
    neither the API nor each other's views, models import no services, and the
    events core imports no domain."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint), "--config", "pyproject.toml", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_of_app_has_no_cycles():
    """grimp counts every import, also one inside a function, so no cycle can
    hide behind a late import."""
    graph = grimp.build_graph("app", exclude_type_checking_imports=True)
    assert len(graph.modules) > 100
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]


def _late_imports(path: Path) -> list[int]:
    """Lines of imports of app modules inside functions."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                module = inner.module if isinstance(inner, ast.ImportFrom) else None
                if module is not None and module.split(".")[0] == "app" and inner.level == 0:
                    lines.append(inner.lineno)
                elif isinstance(inner, ast.Import) and any(
                    alias.name.split(".")[0] == "app" for alias in inner.names
                ):
                    lines.append(inner.lineno)
    return lines


def test_modules_import_app_code_at_the_top():
    """Only the application factory imports inside a function: it assembles
    the application, and importing app.timeutil must not load every view."""
    late = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(APP.rglob("*.py"))
        if (lines := _late_imports(path)) and path != APP / "__init__.py"
    }
    assert late == {}


def _concrete_event_types() -> set[type[ev.Event]]:
    found, todo = set(), [ev.Event]
    while todo:
        cls = todo.pop()
        children = cls.__subclasses__()
        todo += children
        if not children and cls.__module__ == ev.__name__:
            found.add(cls)
    return found


def test_every_event_type_has_an_entry_in_the_table_of_reactions():
    types = _concrete_event_types()
    assert ev.BookingConfirmed in types and ev.BookingEvent not in types
    assert sorted(t.__name__ for t in types - REACTIONS.keys()) == []
    assert sorted(t.__name__ for t in REACTIONS.keys() - types) == []


def test_emit_without_an_installed_table_fails_loudly():
    bare = Flask(__name__)
    with bare.app_context(), pytest.raises(ReactionsNotInstalled, match="create_app"):
        emit(ev.PasswordChanged(user_id=1))


# About 400 lines: a module above it does several jobs unless it says why it is one.
MAX_LINES = 420


def test_a_long_module_says_why_it_is_one_thing():
    unexplained = []
    for path in sorted(APP.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if "Kept as one module:" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not unexplained, "split these or say why each is one thing: " + ", ".join(unexplained)
