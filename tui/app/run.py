"""Entry point of `ddsecure wizard`: resolve the starting answers, run the app, report what was written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path("ddsecure-bundle")


def run_wizard(args: argparse.Namespace) -> int:
    from tui.core.answer_files import resolve_answers
    from tui.exit_codes import EXIT_OK

    # bad presets or answers files fail here, before the screen changes
    answers = resolve_answers(preset=args.preset, answers_file=args.answers)
    from tui.app.wizard_app import WizardApp

    app = WizardApp(
        answers,
        output=getattr(args, "output", None) or DEFAULT_OUTPUT,
        target=getattr(args, "target", None) or "both",  # bare `ddsecure` has no --target
    )
    app.run()
    if app.written:
        from tui.core.next_steps import next_steps

        directory = app.written[0].parent
        print(f"wrote {len(app.written)} files to {directory}")
        print("next:")
        for line in next_steps(app.answers, app.written_target).lines(directory):
            print(f"  {line}")
    else:
        print("ddsecure: nothing was written", file=sys.stderr)
    return EXIT_OK
