"""Generate tui/core/data/values_schema.json: the datadog chart's values.schema.json, constraints only,
and the chart's defaults for the keys it describes.

Run from the repository root:  python scripts/gen_values_schema.py [path/to/values.schema.json]
(the values.yaml beside it gives the defaults)

helm validates the values against the chart's schema before it renders anything, and fails on a value of
the wrong type. The audit checks the same constraints (tui/core/chart/values_schema.py); descriptions and
titles are dropped, so none of the chart's text ships with ddsecure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "chart-3.240.0" / "values.schema.json"
TARGET = ROOT / "tui" / "core" / "data" / "values_schema.json"
WORDS = ("description", "title", "$schema", "examples")


def constraints(node: Any, in_properties: bool = False) -> Any:
    """The schema without its words; under `properties` every key is a value's name, kept whatever it is."""
    if isinstance(node, dict):
        return {
            key: constraints(value, key in ("properties", "$defs") and not in_properties)
            for key, value in node.items()
            if in_properties or key not in WORDS
        }
    if isinstance(node, list):
        return [constraints(item) for item in node]
    return node


def defaults_under(schema: Any, values: Any) -> Any:
    """The chart's defaults for the keys the schema describes: helm checks the schema against the values
    merged over them, and an `if` over a default (`enabledNamespaces: []`) decides what else applies."""
    if not isinstance(schema, dict) or not isinstance(values, dict):
        return values
    properties = schema.get("properties") or {}
    return {key: defaults_under(properties[key], values[key]) for key in properties if key in values}


def generate(source: Path, values: Path | None = None) -> dict[str, Any]:
    from ruamel.yaml import YAML

    schema = json.loads(source.read_text(encoding="utf-8"))
    chart_values = YAML(typ="safe", pure=True).load((values or source.with_name("values.yaml")).read_text())
    return {"schema": constraints(schema), "defaults": defaults_under(schema, chart_values)}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    TARGET.write_text(json.dumps(generate(source), separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
