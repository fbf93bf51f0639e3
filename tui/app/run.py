"""Entry point of `ddsecure wizard`: resolve the starting answers, run the app, report what was written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.wizard_app import WizardApp

DEFAULT_OUTPUT = Path("ddsecure-bundle")


def wizard_app(args: argparse.Namespace) -> WizardApp:
    """The app for `ddsecure wizard ...` or bare `ddsecure ...` (the same options, see `tui.cli`)."""
    from tui.core.answers.files import resolve_answers

    # bad presets or answers files fail here, before the screen changes
    answers = resolve_answers(preset=getattr(args, "preset", None), answers_file=getattr(args, "answers", None))
    from tui.app.wizard_app import WizardApp

    return WizardApp(
        answers,
        output=getattr(args, "output", None) or DEFAULT_OUTPUT,
        target=getattr(args, "target", None) or "both",  # bare `ddsecure` defaults to what `wizard` does
    )


def run_wizard(args: argparse.Namespace) -> int:
    from tui.exit_codes import EXIT_INTERRUPTED, EXIT_OK

    app = wizard_app(args)
    app.run()
    if app.return_code == EXIT_INTERRUPTED:
        print("ddsecure: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    if app.written:
        from tui.core.output.next_steps import next_steps

        directory = app.written[0].parent
        print(f"wrote {len(app.written)} files to {directory}")
        print("next:")
        for line in (app.written_steps or next_steps(app.answers, app.written_target)).lines(directory):
            print(f"  {line}")
    else:
        print("ddsecure: nothing was written", file=sys.stderr)
    return EXIT_OK
