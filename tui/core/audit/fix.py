"""`--fix`: the user's own file with each finding's change applied, as a unified diff."""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable
from typing import Any

from tui.core.audit.findings import DELETE, Finding


def fixed_text(text: str, findings: Iterable[Finding]) -> str:
    """The file with every change applied; comments and order are kept (ruamel round-trip)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**_indentation(text))
    tree = yaml.load(text)
    if tree is None:
        tree = {}
    for finding in findings:
        if finding.severity == "info":
            continue  # nothing to gain; a deletion would also drop the comments that follow the key
        for dotted, value in finding.changes:
            if dotted:
                _apply(tree, dotted, value)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _indentation(text: str) -> dict[str, int]:
    """The file's own list style: dashes flush with the parent key, or indented under it."""
    previous_indent = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("- ") and previous_indent is not None:
            offset = max(indent - previous_indent, 0)
            return {"mapping": 2, "sequence": offset + 2, "offset": offset}
        previous_indent = indent if stripped.rstrip().endswith(":") else None
    return {"mapping": 2, "sequence": 2, "offset": 0}


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


# Keys whose values are credentials: the diff shows that they go, never what they held.
_SECRET_LINE = re.compile(r"^(?P<head>[-+ ]\s*(?:apiKey|appKey|token)\s*:\s*)(?P<value>[^\s#].*?)(?P<tail>\s*)$")


def _redacted(line: str) -> str:
    match = _SECRET_LINE.match(line)
    if match is None:
        return line
    return f"{match['head']}<redacted>{match['tail']}"


def fix_diff(text: str, findings: Iterable[Finding], name: str) -> str:
    new = fixed_text(text, findings)
    lines = difflib.unified_diff(
        text.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=name, tofile=f"{name} (fixed)"
    )
    return "".join(_redacted(line) for line in lines)
