"""Benchmark (not a test): `ddsecure generate --preset ...` against `helm template` of the chart, same run.

    DDSECURE_CHART_DIR=/path/to/charts/datadog python scripts/bench_generate.py [--runs 20] [--preset NAME ...]
        [--baseline DIR]

Every built-in preset unless --preset names some. Each run starts a whole process the way the `ddsecure`
console script does, from this checkout (and, with --baseline, from another checkout, say a
`git worktree` of main, so that before and after are measured in the same run); helm renders the
values ddsecure writes for the same preset, which is what a user runs next. Runs alternate and the
medians are compared. Exit 1 when a preset's ratio (this checkout's) is above the goal. Each line also
gives the floor: Python importing just the standard modules generate loads, timed in the same runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_setup import REPO, byte_compile, chart_and_helm

GOAL = 0.60
# What the `ddsecure` console script runs, started from a given checkout (PYTHONPATH) rather than
# from whichever copy is installed.
LAUNCH = "import sys; from tui.__main__ import run; sys.exit(run())"


def timed(argv: list[str], checkout: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **from_checkout(checkout))
    return time.perf_counter() - start


def from_checkout(checkout: Path | None) -> dict:
    """Run in the checkout with it on PYTHONPATH (`python -c` puts the working directory first on sys.path)."""
    if checkout is None:
        return {}
    return {"cwd": checkout, "env": {**os.environ, "PYTHONPATH": str(checkout)}}


def standard_modules(generate: list[str], out: Path) -> list[str]:
    """The standard-library modules one generate run loads (what any program doing its job would pay for)."""
    probe = (
        f"import sys; sys.argv = ['ddsecure', *{generate[3:]!r}, {str(out)!r}]\n"
        "import io, contextlib\nfrom tui.__main__ import run\n"
        "with contextlib.redirect_stdout(io.StringIO()): run()\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in sys.stdlib_module_names)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, **from_checkout(REPO)
    )
    return done.stdout.split()


def bench_preset(checkouts: dict[str, Path], helm: str, chart: str, preset: str, runs: int, work: Path) -> float:
    """Print the medians for one preset; return this checkout's ratio generate / helm template.

    The floor is a Python process that only imports the standard modules generate loads: no ddsecure
    code at all. Its ratio is the least any generate written in Python with those modules can reach."""
    generate = [sys.executable, "-c", LAUNCH, "generate", "--preset", preset, "-o"]
    seed = work / preset / "seed"
    subprocess.run([*generate, str(seed)], check=True, stdout=subprocess.DEVNULL, **from_checkout(REPO))
    floor_command = [sys.executable, "-c", "import " + ", ".join(standard_modules(generate, work / preset / "probe"))]
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    theirs: list[float] = []
    floor: list[float] = []
    for run in range(runs):
        for name, checkout in checkouts.items():
            times[name].append(timed([*generate, str(work / preset / f"{name}{run}")], checkout))
        theirs.append(timed([helm, "template", "datadog", chart, "-f", str(seed / "values.yaml")]))
        floor.append(timed(floor_command))
    template = statistics.median(theirs)
    ratios = {name: statistics.median(samples) / template for name, samples in times.items()}
    shown = ", ".join(
        f"{name} {statistics.median(times[name]) * 1000:5.1f} ms ({ratios[name]:.2f})" for name in checkouts
    )
    least = statistics.median(floor)
    print(
        f"{preset:<26} helm template {template * 1000:5.1f} ms; generate: {shown}; "
        f"floor {least * 1000:5.1f} ms ({least / template:.2f})"
    )
    return ratios["this"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--preset", action="append", help="a preset to time (repeatable); default: every preset")
    parser.add_argument("--baseline", type=Path, help="another checkout to time in the same runs (before)")
    args = parser.parse_args()
    chart, helm = chart_and_helm()
    checkouts = {"this": REPO}
    if args.baseline:
        checkouts = {"before": args.baseline.resolve(), "this": REPO}
    for checkout in checkouts.values():
        byte_compile(checkout)
    sys.path.insert(0, str(REPO))
    from tui.core.answers.files import preset_names

    presets = args.preset or preset_names()
    work = Path(tempfile.mkdtemp())
    print(f"medians over {args.runs} runs each, whole processes, alternating (goal: ratio <= {GOAL:.2f})")
    try:
        ratios = {preset: bench_preset(checkouts, helm, chart, preset, args.runs, work) for preset in presets}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    worst = max(ratios, key=ratios.__getitem__)
    print(f"worst (this checkout): {worst} {ratios[worst]:.2f}")
    return 0 if ratios[worst] <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
