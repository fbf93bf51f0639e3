"""A text field that says, in the footer, which keys still work while it has the focus.

A text field takes every printable key, so the wizard's `q` and `?` type into it; its footer offers
Enter, F1 and Ctrl+Q instead (Esc goes back, from the screen).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import Input


class AnswerInput(Input):
    BINDINGS: ClassVar = [
        Binding("enter", "submit", "Next"),
        Binding("f1", "app.help", "Help"),
        # Priority, as the app's own Ctrl+Q, so that the footer shows this one.
        Binding("ctrl+q", "app.quit_wizard", "Quit", priority=True),
    ]


class DirectoryInput(AnswerInput):
    """The export directory: Enter writes the bundle."""

    BINDINGS: ClassVar = [Binding("enter", "submit", "Write")]
