"""Generate tui/core/data/section_failures.json: the chart's sections helm fails on when a values file
sets them to null, to an empty scalar or to another scalar.

Run from the repository root, with real helm and the chart:
    DDSECURE_CHART_DIR=/path/to/datadog python scripts/gen_section_failures.py [helm]

A null deletes the chart's defaults under a section, and a scalar in its place is kept as it is; a
template that then reads a key below it (`.Values.datadog.logs.enabled`) fails. Which sections those are
is the chart's behaviour, so it is measured here, one render per section and form, not guessed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = ROOT / "tui" / "core" / "data" / "chart_keys.json"
TARGET = ROOT / "tui" / "core" / "data" / "section_failures.json"
# A null; a falsy scalar, which a template's `if` skips but a read below it does not; a truthy one.
FORMS = {"null": None, "empty": "", "scalar": "x"}


def values_with(dotted: str, value: object) -> dict:
    tree: dict = {"datadog": {"apiKeyExistingSecret": "datadog-secret"}}
    node = tree
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return tree


def fails(helm: str, chart: str, values: dict) -> bool:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(values, handle)
    try:
        done = subprocess.run([helm, "template", "d", chart, "-f", handle.name], capture_output=True, text=True)
        return done.returncode != 0
    finally:
        os.unlink(handle.name)


def main(argv: list[str]) -> int:
    chart = os.environ.get("DDSECURE_CHART_DIR")
    helm = argv[1] if len(argv) > 1 else "helm"
    if not chart:
        print("needs DDSECURE_CHART_DIR", file=sys.stderr)
        return 2
    sections = [key for key, kind in json.loads(KEYS.read_text())["keys"].items() if kind == "map"]
    jobs = [(form, key) for form in FORMS for key in sections]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: fails(helm, chart, values_with(job[1], FORMS[job[0]])), jobs))
    failing: dict[str, list[str]] = {form: [] for form in FORMS}
    for (form, key), failed in zip(jobs, results, strict=True):
        if failed:
            failing[form].append(key)
    data = {"source": "datadog/datadog 3.240.0, rendered with helm", **{f: sorted(k) for f, k in failing.items()}}
    TARGET.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: " + ", ".join(f"{len(k)} {f}" for f, k in failing.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
