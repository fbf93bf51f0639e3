"""Time to first question: `ddsecure ask` against a bare questionary prompt, both in a pseudo-terminal.

Usage: .venv/bin/python scripts/bench_ask.py [--runs N]

Each sample spawns a fresh interpreter in a pty (pexpect) and stops the clock when the first question's
text appears on the terminal; the two commands alternate so that machine noise hits both alike. The
goal for issue 4 is a median ratio of at most 1.3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_setup import byte_compile  # noqa: E402  (scripts/ is on the path)

from tui.core.answers.decisions import DECISIONS  # noqa: E402

FIRST_QUESTION = DECISIONS[0].question
BARE = f"import questionary; questionary.text({FIRST_QUESTION!r}, default='7.81.1').ask()"
GOAL = 1.3


def time_to_question(argv: list[str], cwd: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"}
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=cwd, encoding="utf-8", timeout=60, dimensions=(40, 160))
    try:
        child.expect_exact(FIRST_QUESTION)
        elapsed = time.perf_counter() - start
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return elapsed


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    python = sys.executable
    ask_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory() as cwd:
        # One warm-up of each so that both read .pyc files from a warm page cache.
        time_to_question([python, "-c", BARE], cwd)
        time_to_question([python, "-m", "tui", "ask", "-o", "bundle"], cwd)
        for _ in range(options.runs):
            bare_times.append(time_to_question([python, "-c", BARE], cwd))
            ask_times.append(time_to_question([python, "-m", "tui", "ask", "-o", "bundle"], cwd))
    bare, ask = statistics.median(bare_times), statistics.median(ask_times)
    ratio = ask / bare
    print(f"runs: {options.runs} each, first question: {FIRST_QUESTION!r}")
    print(f"bare questionary prompt: median {bare * 1000:.0f} ms (min {min(bare_times) * 1000:.0f})")
    print(f"ddsecure ask:            median {ask * 1000:.0f} ms (min {min(ask_times) * 1000:.0f})")
    print(f"ratio: {ratio:.2f} (goal ≤ {GOAL})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
