"""A fast reader for the flat YAML that presets are written in, so preset mode skips ruamel.yaml.

Presets ship with ddsecure and use a small, fixed shape: top-level `key: value` lines and one
nested block of `key: value` lines, with scalars, quoted strings and flow lists. Anything outside
that shape returns None and the caller falls back to the full YAML parser; a test proves both
readers agree on every shipped preset.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?: +(?P<value>\S.*?))?\s*$")
# A plain scalar that starts with no YAML indicator; ": " and " #" inside it are left to ruamel.
_PLAIN = re.compile(r"^[A-Za-z0-9_./(][^\t]*$")
_BOOLS = {"true": True, "false": False}


def read_flat_yaml(text: str) -> dict[str, Any] | None:
    """The mapping in `text`, or None when it uses anything beyond the preset shape."""
    top: dict[str, Any] = {}
    block_key: str | None = None
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _LINE.match(raw)
        if match is None or "\t" in raw:
            return None
        indent, key, value = len(match["indent"]), match["key"], match["value"]
        if indent == 0:
            if key in top:
                return None
            if value is None:
                top[key] = None  # as YAML reads a key with nothing under it
                block_key = key
                continue
            block_key = None
            target = top
        elif indent == 2 and block_key is not None:
            target = top[block_key] = top[block_key] or {}
            if key in target:
                return None
        else:
            return None
        parsed = _scalar_or_list(value) if value is not None else None
        if parsed is _UNSUPPORTED:
            return None
        target[key] = parsed
    return top


_UNSUPPORTED = object()


def _scalar_or_list(text: str) -> Any:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        items = [_scalar(part.strip()) for part in inner.split(",")] if inner else []
        return _UNSUPPORTED if any(item is _UNSUPPORTED for item in items) else items
    return _scalar(text)


def _scalar(text: str) -> Any:
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        try:
            return json.loads(text)
        except ValueError:
            return _UNSUPPORTED
    if text in _BOOLS:
        return _BOOLS[text]
    # Words YAML would read as something other than a string are left to the real parser.
    if not _PLAIN.match(text) or text.lower() in {"yes", "no", "on", "off", "null", "y", "n", "~"}:
        return _UNSUPPORTED
    if re.fullmatch(r"[-+]?\d[\d._]*([eE][-+]?\d+)?", text):
        return _UNSUPPORTED
    if " #" in text or ": " in text or text.endswith(":"):
        return _UNSUPPORTED
    return text
