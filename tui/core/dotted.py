"""Reading nested YAML data by dotted path (`datadog.apm.socketEnabled`), the way the chart reads values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING: Any = object()


def lookup(tree: Any, dotted: str, default: Any = None) -> Any:
    """The value at `dotted`, or `default` when a step is missing or not a mapping."""
    node = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node
