"""Benchmark: `ddsecure audit --fix` of the chart's full default values.yaml against `helm template` of the chart.

Not a test. Run from the repository root:
    DDSECURE_CHART_DIR=/path/to/charts/datadog python scripts/bench_audit_fix.py [--runs N]
Goal: auditing, editing the file in place and writing the bundle takes at most 3x `helm template`.
Both are measured side by side, alternating, as whole processes (what a user waits for).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import CHART_VALUES, byte_compile, chart_and_helm

GOAL = 3.0


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): the CPU figure is steadier on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr.decode()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--values", type=Path, default=CHART_VALUES)
    args = parser.parse_args()
    chart, helm = chart_and_helm()
    out = Path(tempfile.mkdtemp(prefix="ddsecure-bench-"))
    # The chart renders no DaemonSet without an API key; the audit needs none.
    helm_cmd = [helm, "template", "dd", chart, "-f", str(args.values), "--set", "datadog.apiKey=placeholder"]
    fix_cmd = [sys.executable, "-m", "tui", "audit", str(args.values), "--fix", "-o", str(out), "--force"]
    helm_times, fix_times = [], []
    try:
        timed(helm_cmd), timed(fix_cmd)  # warm the page cache
        for _ in range(args.runs):
            helm_times.append(timed(helm_cmd))
            fix_times.append(timed(fix_cmd))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    h, f = statistics.median(t[0] for t in helm_times), statistics.median(t[0] for t in fix_times)
    hc, fc = statistics.median(t[1] for t in helm_times), statistics.median(t[1] for t in fix_times)
    lines = sum(1 for _ in args.values.open())
    print(f"input: {args.values} ({lines} lines), {args.runs} runs each, medians")
    print(f"helm template                   wall {h * 1000:8.1f} ms   cpu {hc * 1000:8.1f} ms")
    print(f"ddsecure audit --fix (process)  wall {f * 1000:8.1f} ms   cpu {fc * 1000:8.1f} ms")
    print(f"ratio: wall {f / h:.2f}x, cpu {fc / hc:.2f}x   (goal <= {GOAL:g}x)")
    return 0 if f / h <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
