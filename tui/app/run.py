"""Entry point of `ddsecure wizard`: resolve the starting answers, run the app, report what was written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path("ddsecure-bundle")


def run_wizard(args: argparse.Namespace) -> int:
    from tui.cli import EXIT_OK, resolve_answers

    answers = resolve_answers(args)  # bad presets or answers files fail here, before the screen changes
    from tui.app.wizard_app import WizardApp

    app = WizardApp(answers, output=getattr(args, "output", None) or DEFAULT_OUTPUT)
    app.run()
    if app.written:
        from tui.core.bundle import commands

        cmd = commands(app.answers)
        print(f"wrote {len(app.written)} files to {app.written[0].parent}")
        for key in ("namespace", "secret", "render", "kustomize"):
            print(f"  {cmd[key]}")
    else:
        print("ddsecure: nothing was written", file=sys.stderr)
    return EXIT_OK
