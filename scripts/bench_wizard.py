"""Benchmark the Textual wizard (not a test): start-up against a minimal Textual app, and key-press latency.

    .venv/bin/python scripts/bench_wizard.py [--runs 5]

1. Start-up: each app is started in a pseudo-terminal (80×24) and timed from process start until its
   first screen's text appears on the terminal; runs alternate between the two apps; medians compared.
   With --instructions, each app instead runs once under valgrind's callgrind and stops at the frame
   that holds its first screen (scripts/first_frame.py): instruction counts, which repeat to 0.1%
   where wall times on a shared machine spread by ±10%.
2. Key press: inside one process, the handler that runs when the highlight moves (option delta,
   explanation, ledger) is timed, cold (delta not cached) and warm; also the same explanation pushed
   through a Markdown widget, to show why the wizard renders Rich Text in a Static instead.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_setup import byte_compile  # noqa: E402  (scripts/ is on the path)

from tui.core.answers.decisions import DECISIONS  # noqa: E402

MINIMAL = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Minimal(App):\n"
    "    def compose(self):\n"
    "        yield Static('minimal app ready')\n"
    "Minimal().run()\n"
)
WIZARD = "import sys; from tui.cli import main; sys.exit(main(['wizard']))\n"
FIRST_QUESTION = DECISIONS[0].question  # what the wizard's first screen asks
FIRST_FRAME = Path(__file__).with_name("first_frame.py")


def time_to_text(code: str, marker: str) -> float:
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(
        sys.executable, ["-c", code], cwd=str(REPO), dimensions=(24, 80), env={"TERM": "xterm-256color"}
    )
    try:
        child.expect(marker, timeout=30)
        return time.perf_counter() - start
    finally:
        child.terminate(force=True)


def instructions_to_text(code: str, marker: str) -> int:
    """Instructions the process executes until Textual writes the frame holding `marker` (callgrind)."""
    import pexpect

    child = pexpect.spawn(
        "valgrind",
        ["--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, str(FIRST_FRAME), marker, code],
        cwd=str(REPO),
        dimensions=(24, 80),
        env={"TERM": "xterm-256color"},
        timeout=600,
        encoding="utf-8",
    )
    child.expect(r"Collected : (\d+)")
    return int(child.match.group(1))


def bench_startup(runs: int) -> tuple[float, float]:
    minimal, wizard = [], []
    time_to_text(MINIMAL, "minimal app ready")  # warm the file cache for both
    time_to_text(WIZARD, re.escape(FIRST_QUESTION))
    for _ in range(runs):
        minimal.append(time_to_text(MINIMAL, "minimal app ready"))
        wizard.append(time_to_text(WIZARD, re.escape(FIRST_QUESTION)))
    return statistics.median(minimal), statistics.median(wizard)


async def bench_keypress(rounds: int) -> dict[str, float]:
    from textual.widgets import Markdown

    from tui.app.choice_step import ChoiceStep
    from tui.app.explanation_panel import explanation_text
    from tui.app.ledger_panel import cached_delta, ledger_of
    from tui.app.wizard_app import WizardApp

    results: dict[str, float] = {}
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChoiceStep)
        count = len(screen.decision.options)
        import tui.core.deployment as deployment

        core_caches = [getattr(deployment, "_deployment_of", None)]
        core_caches = [cache for cache in core_caches if hasattr(cache, "cache_clear")]

        def timed(clear: bool) -> list[float]:
            samples = []
            for i in range(rounds):
                if clear:
                    cached_delta.cache_clear()
                    ledger_of.cache_clear()
                    for cache in core_caches:  # the core's own per-answers caches, so "cold" is cold
                        cache.cache_clear()
                start = time.perf_counter()
                screen.show_highlighted(i % count)
                samples.append(time.perf_counter() - start)
            return samples

        results["handler, cold (delta computed)"] = statistics.median(timed(clear=True))
        results["handler, warm (delta cached)"] = statistics.median(timed(clear=False))

        samples = []
        for i in range(rounds):
            start = time.perf_counter()
            await pilot.press("down" if i % 8 < 4 else "up")
            samples.append(time.perf_counter() - start)
        results["pilot key press round trip (includes Pilot's idle wait)"] = statistics.median(samples)

        markdown = Markdown("", id="bench-markdown")
        await screen.mount(markdown)
        decision = screen.decision
        texts = []
        for option in decision.options:
            body = explanation_text(decision, option, cached_delta(app.answers, decision.id, option.value)).plain
            texts.append(body.replace("\n", "\n\n"))
        samples = []
        for i in range(rounds):
            start = time.perf_counter()
            await markdown.update(texts[i % count])
            samples.append(time.perf_counter() - start)
        results["Markdown widget update of the same explanation"] = statistics.median(samples)
    return results


def main() -> int:
    byte_compile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per app")
    parser.add_argument("--rounds", type=int, default=40, help="key presses timed")
    parser.add_argument(
        "--instructions", action="store_true", help="count start-up instructions with valgrind instead of timing"
    )
    args = parser.parse_args()

    if args.instructions:
        if not shutil.which("valgrind"):
            print("--instructions needs valgrind on PATH", file=sys.stderr)
            return 2
        minimal_count = instructions_to_text(MINIMAL, "minimal app ready")
        wizard_count = instructions_to_text(WIZARD, FIRST_QUESTION)
        print("start-up to first screen, instructions (callgrind, 80x24 pty)")
        print(f"  minimal Textual app   {minimal_count / 1e6:7.0f} M")
        print(f"  ddsecure wizard       {wizard_count / 1e6:7.0f} M")
        print(f"  ratio                 {wizard_count / minimal_count:7.2f}x  (goal <= 1.2x)")
        return 0

    minimal, wizard = bench_startup(args.runs)
    print(f"start-up to first screen (median of {args.runs}, 80x24 pty)")
    print(f"  minimal Textual app   {minimal * 1000:7.1f} ms")
    print(f"  ddsecure wizard       {wizard * 1000:7.1f} ms")
    print(f"  ratio                 {wizard / minimal:7.2f}x  (goal <= 1.2x)")

    print(f"highlight change -> explanation + ledger updated (median of {args.rounds})")
    for name, seconds in asyncio.run(bench_keypress(args.rounds)).items():
        print(f"  {name:<58} {seconds * 1000:7.2f} ms")
    print("  goal: <= 16 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
