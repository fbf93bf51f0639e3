"""The import graph of `tui`, read from the source with `ast`: every import statement counts, at module
level, inside functions and under `if TYPE_CHECKING:`, because each one is a dependency of the design
even when it is deferred. Shared by test_import_cycles.py and test_layering.py."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every dotted name an import statement in `source` names (for `from A import b`: A and A.b)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def modules(root: Path = REPO, package: str = "tui") -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / package).rglob("*.py"))}


def import_graph(root: Path = REPO, package: str = "tui") -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (anywhere in its source)."""
    found = modules(root, package)
    graph = {}
    for name, path in found.items():
        named = imported_names(path.read_text(), name, path.name == "__init__.py")
        graph[name] = {n for n in named if n in found and n != name}
    return graph


def find_cycle(graph: dict[str, Iterable[str]]) -> list[str]:
    """One import cycle as [a, b, ..., a], or [] when the graph is acyclic (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return [*path[path.index(target) :], target]
            elif target not in state and target in graph:
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(graph[target])))
    return []
