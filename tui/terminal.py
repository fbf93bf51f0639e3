"""The wizards need someone at a terminal; without one they refuse in one line and point to `generate`."""

from __future__ import annotations

import sys

from tui.core.errors import DdsecureError


class NotATerminalError(DdsecureError):
    """Scripts and CI use `generate`; a wizard without a terminal would wait for keys forever."""


def require_terminal(command: str) -> None:
    """Refuse before any UI library starts (Textual would otherwise write escape codes and wait)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return
    name = f"'ddsecure {command}'" if command else "'ddsecure' without a command (the wizard)"
    raise NotATerminalError(
        f"{name} needs an interactive terminal; without one use "
        "'ddsecure generate --preset NAME|--answers FILE [--set ID=VALUE] -o DIR'"
    )
