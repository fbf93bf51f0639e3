"""Generate tui/core/data/chart_keys.json: every key of the datadog chart's values.yaml.

Run from the repository root:  python scripts/gen_chart_keys.py [path/to/values.yaml]

The list holds
- every key of the parsed values tree, with the kind of its default (map, list, scalar, null);
- keys that the file documents with a helm-docs annotation (`# dotted.key -- text`) but leaves
  commented out: the chart reads them although they have no default;
- deprecated keys: a key whose comment block says DEPRECATED, with the replacement it names
  ("Use X instead") when it names one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "chart-3.240.0" / "values.yaml"
TARGET = ROOT / "tui" / "core" / "data" / "chart_keys.json"

ANNOTATION = re.compile(r"^\s*#\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*)\s+--\s")
REPLACEMENT = re.compile(r"(?:[Uu]se|using|Set)\s+`?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)`?")


def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "map" if value else "empty-map"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return "scalar"


def key_lines(tree: Any, prefix: str = "") -> dict[int, str]:
    """Line number (0-based) of every mapping key reached through mappings only."""
    lines: dict[int, str] = {}
    if not hasattr(tree, "lc"):
        return lines
    for key, value in tree.items():
        path = f"{prefix}{key}"
        try:
            line = tree.lc.key(key)[0]
        except (KeyError, TypeError):
            continue
        lines[line] = path
        if isinstance(value, dict):
            lines.update(key_lines(value, path + "."))
    return lines


def walk(tree: Any, prefix: str = "") -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        keys[path] = kind_of(value)
        if isinstance(value, dict):
            keys.update(walk(value, path + "."))
    return keys


def generate(source: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    text = source.read_text(encoding="utf-8")
    tree = YAML(typ="rt").load(text)
    keys = walk(tree)
    by_line = key_lines(tree)
    commented: list[str] = []
    deprecated: dict[str, dict[str, str]] = {}
    block: list[str] = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if number in by_line:
            path = by_line[number]
            _deprecations(block, path, deprecated)
            if path in deprecated and "default" not in deprecated[path]:
                deprecated[path]["default"] = _lookup(tree, path)
            block = []
            continue
        if stripped.startswith("#") or not stripped:
            block.append(line)
            match = ANNOTATION.match(line)
            if match and match[1] not in keys and match[1].split(".")[0] in tree:
                commented.append(match[1])  # the key only: its description is the chart's text
            continue
        block = []  # list items, block scalars and the like end the comment block
    return {
        "source": "datadog/datadog 3.240.0 values.yaml",
        "keys": dict(sorted(keys.items())),
        "commented": sorted(commented),
        "deprecated": dict(sorted(deprecated.items())),
    }


def _lookup(tree: Any, dotted: str) -> Any:
    node = tree
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return json.loads(json.dumps(node, default=str))


def _deprecations(block: list[str], key_path: str, out: dict[str, dict[str, str]]) -> None:
    """Attribute each DEPRECATED note to the annotation just above it, or else to the key below."""
    owner = key_path
    for index, line in enumerate(block):
        if "DEPRECATED" not in line:
            continue
        for previous in reversed(block[: index + 1]):
            match = ANNOTATION.match(previous)
            if match:
                owner = match[1]
                break
        note = line.strip().lstrip("#").strip().split("DEPRECATED", 1)[1].lstrip(".: ")
        following = block[index + 1].strip() if index + 1 < len(block) else ""
        if not note.rstrip().endswith(".") and following.startswith("#") and not ANNOTATION.match(following):
            note += " " + following.lstrip("#").strip()
        found = REPLACEMENT.search(note)
        replacement = found[1] if found and found[1] != owner else ""
        no_effect = "has no effect" in note
        # Only facts are kept (the replacement key, whether the key still does anything); the audit
        # words its own message, so none of the chart's comment text ships with ddsecure.
        out[owner] = {"replacement": "" if no_effect else replacement, "noEffect": no_effect}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    data = generate(source)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(
        f"wrote {TARGET.relative_to(ROOT)}: {len(data['keys'])} keys, {len(data['commented'])} commented-out, "
        f"{len(data['deprecated'])} deprecated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
