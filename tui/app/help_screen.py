"""`?`: the keys, and the help text of the current decision."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("↑ ↓", "move the highlight; the explanation and ledger show its effect"),
    ("Enter", "choose the highlighted option and go on"),
    ("Space", "toggle a feature in a checklist"),
    ("Tab", "the next field (release details) or widget"),
    ("Esc", "back to the previous step (answers are kept)"),
    ("Ctrl+P", "command palette: load a preset"),
    ("q", "quit (asks first when answers are not exported); Ctrl+Q in a text field"),
    ("?", "this help; F1 in a text field"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [Binding("escape,question_mark,q,f1", "close", "Close")]

    def __init__(self, topic: str = "") -> None:
        super().__init__()
        self.topic = topic

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("ddsecure wizard — keys\n\n", style="bold")
        for key, what in KEYS:
            text.append(f"{key:>7}  ", style="bold")
            text.append(what + "\n")
        if self.topic:
            text.append("\nThis step\n", style="bold")
            text.append(self.topic + "\n")
        text.append("\nEsc closes this help.", style="dim")
        with VerticalScroll(id="help"):
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
