"""Benchmark (not a test): `ddsecure generate --preset ...` against `helm template` of the chart, same run.

    DDSECURE_CHART_DIR=/path/to/charts/datadog python scripts/bench_generate.py [--runs 20] [--preset NAME ...]

Every built-in preset unless --preset names some. Both are timed as whole processes, alternating, and
the medians compared. helm renders the values ddsecure writes for the same preset, which is what a user
runs next. Exit 1 when a preset's ratio is above the goal.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import REPO, byte_compile, chart_and_helm

GOAL = 0.60


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_preset(ddsecure: str, helm: str, chart: str, preset: str, runs: int, work: Path) -> float:
    """The ratio of the medians, generate / helm template, for one preset."""
    seed = work / preset / "seed"
    subprocess.run([ddsecure, "generate", "--preset", preset, "-o", str(seed)], check=True, stdout=subprocess.DEVNULL)
    ours, theirs = [], []
    for run in range(runs):
        ours.append(timed([ddsecure, "generate", "--preset", preset, "-o", str(work / preset / f"b{run}")]))
        theirs.append(timed([helm, "template", "datadog", chart, "-f", str(seed / "values.yaml")]))
    generate, template = statistics.median(ours), statistics.median(theirs)
    ratio = generate / template
    print(f"{preset:<26} generate {generate * 1000:6.1f} ms, helm template {template * 1000:6.1f} ms: {ratio:.2f}")
    return ratio


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--preset", action="append", help="a preset to time (repeatable); default: every preset")
    args = parser.parse_args()
    chart, helm = chart_and_helm()
    ddsecure = shutil.which("ddsecure") or str(Path(sys.executable).with_name("ddsecure"))
    sys.path.insert(0, str(REPO))
    from tui.core.answer_files import preset_names

    presets = args.preset or preset_names()
    work = Path(tempfile.mkdtemp())
    print(f"medians over {args.runs} runs each, whole processes, alternating (goal: ratio <= {GOAL:.2f})")
    try:
        ratios = {preset: bench_preset(ddsecure, helm, chart, preset, args.runs, work) for preset in presets}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    worst = max(ratios, key=ratios.__getitem__)
    print(f"worst: {worst} {ratios[worst]:.2f}")
    return 0 if ratios[worst] <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
