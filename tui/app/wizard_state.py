"""What a screen reads and calls on the wizard: the answers, the export choices, and how to report a choice.

`WizardApp` holds this state and imports the screens; the screens see the app only through this
protocol, so they never import the app back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tui.core.answers.contract import Answers
    from tui.core.output.next_steps import NextSteps


class Wizard(Protocol):
    answers: Answers
    output: Path  # where the export step offers to write
    target: str  # helm, operator or both

    def update_answer(self, answer_id: str, value: Any) -> bool: ...

    def choose(self, answer_id: str, value: Any) -> None: ...

    def choose_all(self, values: dict[str, Any]) -> None: ...

    def exported(self, directory: Path, written: list[Path], target: str, steps: NextSteps | None = None) -> None: ...
