"""Benchmark: `ddsecure audit DIR` of a repository of 100 Datadog files against `ddsecure audit FILE` of one.

Not a test. Run from the repository root:
    python scripts/bench_audit_repo.py [--runs N] [--files 100]
The repository is built in a temporary directory from the test fixtures: every kind of Datadog file
(plain values, a full copy of the chart's values, Flux, Argo CD, Kustomize, k3s, helmfile, rendered
manifests, DatadogAgents) cycled to 100 files, among as many unrelated YAML files. Goal: the whole
repository takes at most 15x one file, each measured as a whole process (what a CI job waits for),
alternating, in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_setup import REPO, byte_compile, timed

TESTS = REPO / "tests"
ONE_FILE = TESTS / "repo_fixture" / "clusters" / "prod" / "datadog-values.yaml"
GOAL = 15


def datadog_pool() -> tuple[list[Path], list[Path]]:
    """The fixtures' Datadog files and their other YAML files, as the audit itself tells them apart."""
    sys.path.insert(0, str(REPO))
    from tui.core.audit.discovery import discover

    found = discover([TESTS / "repo_fixture", TESTS / "audit_corpus", TESTS / "fix_corpus"], base=REPO)
    return sorted({target.path for target in found.targets}), sorted(skipped.path for skipped in found.skipped)


def build_repository(root: Path, count: int) -> int:
    """`count` Datadog files in clusters of ten, and as many unrelated files; returns the distinct ones."""
    datadog, unrelated = datadog_pool()
    (root / "apps").mkdir()
    for number in range(count):
        source = datadog[number % len(datadog)]
        target = root / f"cluster-{number // 10:02d}" / f"{number:03d}-{source.name}"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, target)
        other = unrelated[number % len(unrelated)]
        shutil.copyfile(other, root / "apps" / f"{number:03d}-{other.name}")
    return len(datadog)


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ddsecure-bench-repo-") as directory:
        root = Path(directory)
        kinds = build_repository(root, args.files)
        ddsecure = [sys.executable, "-m", "tui", "audit"]
        one = [*ddsecure, str(ONE_FILE)]
        text = [*ddsecure, str(root)]
        sarif = [*ddsecure, str(root), "--format", "sarif"]
        for command in (one, text, sarif):
            timed(command)  # warm the page cache
        times: dict[str, list[float]] = {"one": [], "text": [], "sarif": []}
        for _ in range(args.runs):
            times["one"].append(timed(one))
            times["text"].append(timed(text))
            times["sarif"].append(timed(sarif))
        listed = subprocess.run([*text, "--format", "json"], capture_output=True, text=True, check=False).stdout
        audited = len(json.loads(listed)["files"])
    o, t, s = (statistics.median(times[k]) for k in ("one", "text", "sarif"))
    print(f"repository: {args.files} Datadog files ({kinds} distinct, every kind) among {args.files} other YAML files")
    print(f"reports: {audited} (a file with two releases gives two); {args.runs} runs each, medians")
    print(f"ddsecure audit FILE (one values file)   {o * 1000:8.1f} ms")
    print(f"ddsecure audit DIR  (text)              {t * 1000:8.1f} ms   ratio {t / o:5.2f}x   (goal <= {GOAL}x)")
    print(f"ddsecure audit DIR  --format sarif      {s * 1000:8.1f} ms   ratio {s / o:5.2f}x   (goal <= {GOAL}x)")
    return 0 if max(t, s) / o <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
