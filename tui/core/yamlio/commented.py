"""A small YAML writer for plain data, with a comment above any key.

ddsecure writes its own YAML instead of going through a general emitter: the output must be byte-for-
byte deterministic (for `--check`), carry a comment per setting, and keep preset mode free of heavy
imports. Tests parse every file written back with ruamel.yaml and compare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any


class CommentedTree:
    """A document built key by key, with the reason for each key kept beside it for `dump`."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.comments: dict[str, str] = {}

    def set(self, dotted: str, value: Any, why: str = "") -> None:
        node = self.data
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        if why:
            self.comments[dotted] = why

    def comment(self, dotted: str, why: str) -> None:
        self.comments[dotted] = why


_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./-]*$")
_RESERVED = {
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "y",
    "n",
    "~",
    "True",
    "False",
    "Yes",
    "No",
    "On",
    "Off",
    "Null",
    "NULL",
    "TRUE",
    "FALSE",
    "YES",
    "NO",
    "ON",
    "OFF",
    "Y",
    "N",
}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED and not _looks_numeric(text):
        return text
    if '"' in text and "'" not in text and text.isprintable():
        return f"'{text}'"  # single quotes need no escapes: JSON inside YAML stays readable
    return json.dumps(text, ensure_ascii=False)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return bool(re.match(r"^[0-9][0-9_:.eE+-]*$", text))
    return True


def _key(key: Any) -> str:
    return scalar(key)


def dump(
    data: Any,
    comments: Mapping[str, str] | None = None,
    *,
    indent: int = 0,
    path: str = "",
    blank_between_top_level: bool = True,
) -> str:
    """YAML for `data`. `comments` maps dotted key paths to a line written above that key."""
    lines: list[str] = []
    _emit(data, comments or {}, indent, path, lines, blank_between_top_level)
    return "\n".join(lines) + "\n"


def _comment_lines(text: str, pad: str) -> list[str]:
    return [f"{pad}# {line}".rstrip() for line in text.splitlines()]


def _emit(data: Any, comments: Mapping[str, str], indent: int, path: str, lines: list[str], spaced: bool) -> None:
    pad = " " * indent
    if isinstance(data, Mapping):
        if not data:
            lines.append(pad + "{}")
            return
        previous = None
        for i, (key, value) in enumerate(data.items()):
            dotted = f"{path}.{key}" if path else str(key)
            if spaced and indent == 0 and i > 0:
                lines.append("")
            # Siblings set for one reason share one comment, written above the first of them.
            comment = comments.get(dotted)
            if comment and comment != previous:
                lines += _comment_lines(comment, pad)
            previous = comment
            _emit_entry(f"{pad}{_key(key)}:", value, comments, indent, dotted, lines)
    elif isinstance(data, list):
        for item in data:
            _emit_item(item, comments, indent, path, lines)
    else:
        lines.append(pad + scalar(data))


def _emit_entry(head: str, value: Any, comments: Mapping[str, str], indent: int, dotted: str, lines: list[str]) -> None:
    if isinstance(value, Mapping) and value:
        lines.append(head)
        _emit(value, comments, indent + 2, dotted, lines, False)
    elif isinstance(value, list) and value:
        lines.append(head)
        for item in value:
            _emit_item(item, comments, indent, dotted, lines)
    elif isinstance(value, Mapping):
        lines.append(f"{head} {{}}")
    elif isinstance(value, list):
        lines.append(f"{head} []")
    else:
        lines.append(f"{head} {scalar(value)}")


def _emit_item(item: Any, comments: Mapping[str, str], indent: int, dotted: str, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(item, Mapping) and item:
        first = True
        for key, value in item.items():
            prefix = f"{pad}- " if first else f"{pad}  "
            _emit_entry(f"{prefix}{_key(key)}:", value, comments, indent + 2, f"{dotted}.{key}", lines)
            first = False
    elif isinstance(item, list) and item:
        lines.append(f"{pad}-")
        for sub in item:
            _emit_item(sub, comments, indent + 2, dotted, lines)
    else:
        if isinstance(item, Mapping):
            text = "{}"
        elif isinstance(item, list):
            text = "[]"
        else:
            text = scalar(item)
        lines.append(f"{pad}- {text}")


def header(text: str) -> str:
    """A block of `# ` lines."""
    return "\n".join(_comment_lines(text, "")) + "\n"
