"""The one-line progress indicator: which step of how many, as a bar and a title."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def progress_text(position: int, total: int, title: str) -> Text:
    text = Text()
    text.append(" ddsecure ", style="bold reverse")
    text.append(f" Step {position} of {total}  ")
    text.append("■" * position, style="bold")
    text.append("□" * (total - position), style="dim")
    text.append(f"  {title}", style="bold")
    return text


class StepProgress(Static):
    def __init__(self, position: int, total: int, title: str, **kwargs) -> None:
        super().__init__(progress_text(position, total, title), **kwargs)
