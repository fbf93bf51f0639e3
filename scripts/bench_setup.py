"""Shared by the benchmarks: what they compare against, and ddsecure timed as an installed copy runs it."""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("DDSECURE_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
CHART_VALUES = REFERENCE / "chart-3.240.0" / "values.yaml"  # the chart's own values.yaml, 3,540 lines


def byte_compile(checkout: Path = REPO) -> None:
    """pip byte-compiles what it installs; a source checkout may hold stale .pyc files, and with
    PYTHONDONTWRITEBYTECODE=1 (set on some machines) they stay stale, so every start would compile
    ddsecure from source while its baseline (questionary, textual, helm) starts compiled."""
    compileall.compile_dir(checkout / "tui", quiet=1)


def chart_and_helm() -> tuple[str, str]:
    """The chart directory and helm binary the helm-based benchmarks need, or exit 2 saying so."""
    chart, helm = os.environ.get("DDSECURE_CHART_DIR"), shutil.which("helm")
    if not chart or not helm:
        print("needs DDSECURE_CHART_DIR and helm on PATH", file=sys.stderr)
        sys.exit(2)
    return chart, helm


def timed(command: list[str]) -> float:
    """Wall seconds of one run of `command` (exit 0 or 1: findings are not failures); stops on any other."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr.decode()[:500]}")
    return elapsed
