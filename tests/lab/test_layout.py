"""Where the lab's code lives: one claim per file named by its id and topic, in its family's
folder; no numbered module names; no import circle through the lab."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import gradlab
from gradlab import lab

SRC = Path(gradlab.__file__).parent
CLAIMS = SRC / "lab" / "claims"


@pytest.mark.parametrize("claim_id", lab.names())
def test_each_claim_lives_in_its_family_folder_named_by_id(claim_id):
    claim = lab.get(claim_id)
    path = Path(sys.modules[claim.experiment.__module__].__file__)
    assert path.parent.parent == CLAIMS
    assert claim.family == path.parent.name
    prefix = f"{claim_id[0].lower()}{int(claim_id[1:]):02d}_"
    assert path.name.startswith(prefix) and len(path.stem) > len(prefix), path.name


def test_one_claim_per_module():
    modules = [sys.modules[lab.get(i).experiment.__module__].__file__ for i in lab.names()]
    assert len(set(modules)) == len(modules)
    files = [p for p in CLAIMS.glob("*/*.py") if p.name != "__init__.py"]
    assert sorted(map(str, files)) == sorted(modules)


def test_no_module_is_named_by_a_number():
    numbered = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if re.search(r"_\d+$", p.stem)]
    assert numbered == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of ``modules`` that ``path`` imports anywhere (function-level imports too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            if node.level:
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # ``from pkg import sub`` imports the module ``pkg.sub`` when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules)
    if "pkgutil" in path.read_text(encoding="utf-8"):  # a package that imports what is below it
        found.update(m for m in modules if m.startswith(f"{name}."))
    return found - {name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_through_the_lab():
    paths = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {name: _imports(path, set(paths)) for name, path in paths.items()}
    through_lab = [c for c in _circles(graph) if any(m.startswith("gradlab.lab") for m in c)]
    assert through_lab == []
