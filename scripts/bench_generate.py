"""Benchmark (not a test): `ddsecure generate --preset ...` against `helm template` of the chart, same run.

    DDSECURE_CHART_DIR=/path/to/charts/datadog python scripts/bench_generate.py [--runs 20]

Both are timed as whole processes, alternating, and the medians compared. helm renders the values
ddsecure writes for the same preset, which is what a user runs next.
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

from bench_setup import byte_compile, chart_and_helm


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--preset", default="everything-hardened")
    args = parser.parse_args()
    chart, helm = chart_and_helm()
    ddsecure = shutil.which("ddsecure") or str(Path(sys.executable).with_name("ddsecure"))
    work = Path(tempfile.mkdtemp())
    subprocess.run(
        [ddsecure, "generate", "--preset", args.preset, "-o", str(work / "seed")], check=True, stdout=subprocess.DEVNULL
    )
    ours, theirs = [], []
    for run in range(args.runs):
        out = work / f"b{run}"
        ours.append(timed([ddsecure, "generate", "--preset", args.preset, "-o", str(out)]))
        theirs.append(timed([helm, "template", "datadog", chart, "-f", str(work / "seed" / "values.yaml")]))
    generate, template = statistics.median(ours), statistics.median(theirs)
    print(f"ddsecure generate --preset {args.preset}: median {generate * 1000:.1f} ms over {args.runs} runs")
    print(f"helm template (same values):              median {template * 1000:.1f} ms")
    print(f"ratio generate / helm template: {generate / template:.2f} (goal <= 0.60)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
