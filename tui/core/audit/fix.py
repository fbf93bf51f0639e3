"""`--fix`: the user's own file with each finding's change applied, as a unified diff."""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable
from typing import Any

from tui.core.audit.findings import DELETE, Finding


def fixed_text(text: str, findings: Iterable[Finding]) -> str:
    """The file with every change applied; comments and order are kept (ruamel round-trip)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    tree = yaml.load(text)
    if tree is None:
        tree = {}
    for finding in findings:
        for dotted, value in finding.changes:
            if dotted:
                _apply(tree, dotted, value)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _apply(tree: Any, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part) if hasattr(node, "get") else None
        if not hasattr(child, "get"):
            if value is DELETE:
                return
            from ruamel.yaml.comments import CommentedMap

            child = CommentedMap()
            node[part] = child
        node = child
    if value is DELETE:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def fix_diff(text: str, findings: Iterable[Finding], name: str) -> str:
    new = fixed_text(text, findings)
    return "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=name, tofile=f"{name} (fixed)"
        )
    )
