"""Reading nested YAML data by dotted path (`datadog.apm.socketEnabled`), the way the chart reads values."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeGuard

MISSING: Any = object()
_YAML_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", list: "list"}


_PLAIN = frozenset({str, int, float, bool, type(None), list})


def is_map(node: Any) -> TypeGuard[Mapping[Any, Any]]:
    """isinstance(node, Mapping), with YAML's own types answered first: the ABC check costs ten times more,
    and the chart model asks it of every value it reads."""
    kind = type(node)
    if kind is dict:
        return True
    return kind not in _PLAIN and isinstance(node, Mapping)


def copy_tree(node: Any) -> Any:
    """copy.deepcopy for YAML and JSON data: plain maps and lists are copied here, at a fraction of deepcopy's
    cost (the model copies each pod part it renders); anything else, a commented map say, goes to deepcopy."""
    kind = type(node)
    if kind is dict:
        return {key: copy_tree(value) for key, value in node.items()}
    if kind is list:
        return [copy_tree(value) for value in node]
    if kind in _PLAIN:
        return node
    return copy.deepcopy(node)


def lookup(tree: Any, dotted: str, default: Any = None) -> Any:
    """The value at `dotted`, or `default` when a step is missing or not a mapping."""
    node = tree
    for part in dotted.split("."):
        if not is_map(node) or part not in node:
            return default
        node = node[part]
    return node


def section(tree: Any, dotted: str) -> Mapping[str, Any]:
    """The mapping at `dotted`, or an empty one when it is missing or not a mapping (`global: "oops"`)."""
    value = lookup(tree, dotted)
    return value if isinstance(value, Mapping) else {}


def misplaced_sections(tree: Any, paths: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, YAML type) of each of `paths` that is present but not a mapping."""
    out = []
    for dotted in paths:
        value = lookup(tree, dotted, MISSING)
        if value is not MISSING and value is not None and not isinstance(value, Mapping):
            out.append((dotted, _YAML_TYPES.get(type(value), type(value).__name__)))
    return out
