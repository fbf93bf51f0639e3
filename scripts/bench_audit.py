"""Benchmark: `ddsecure audit` of the chart's full default values.yaml against `helm template` of the chart.

Not a test. Run from the repository root:
    DDSECURE_CHART_DIR=path/to/charts/datadog python scripts/bench_audit.py [--runs N]   (helm on PATH)
Goal: the audit takes at most 3x `helm template`. Both are measured side by side, alternating, as
whole processes (what a user waits for); the in-process audit time is printed as well.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench_setup import CHART_VALUES, REPO, byte_compile, chart_and_helm, timed


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--values", type=Path, default=CHART_VALUES)
    args = parser.parse_args()
    chart, helm = chart_and_helm()
    # The chart renders no DaemonSet without an API key; the audit needs none.
    helm_cmd = [helm, "template", "dd", chart, "-f", str(args.values), "--set", "datadog.apiKey=placeholder"]
    audit_cmd = [sys.executable, "-m", "tui", "audit", str(args.values), "--format", "json"]
    helm_times, audit_times = [], []
    timed(helm_cmd), timed(audit_cmd)  # warm the page cache
    for _ in range(args.runs):
        helm_times.append(timed(helm_cmd))
        audit_times.append(timed(audit_cmd))

    sys.path.insert(0, str(REPO))
    from tui.core.audit.audit import audit_file

    audit_file(args.values)
    in_process = []
    for _ in range(args.runs):
        start = time.perf_counter()
        audit_file(args.values)
        in_process.append(time.perf_counter() - start)

    h, a, i = statistics.median(helm_times), statistics.median(audit_times), statistics.median(in_process)
    lines = sum(1 for _ in args.values.open())
    print(f"input: {args.values} ({lines} lines), {args.runs} runs each, medians")
    print(f"helm template                     {h * 1000:8.1f} ms")
    print(f"ddsecure audit (process)          {a * 1000:8.1f} ms   ratio {a / h:.2f}x   (goal <= 3x)")
    print(f"ddsecure audit (in-process call)  {i * 1000:8.1f} ms   ratio {i / h:.2f}x")
    return 0 if a / h <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
