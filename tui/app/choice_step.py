"""A step with a closed set of options (choice and bool decisions): pick one from a list."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option as ListOption

from tui.app.explanation_panel import ExplanationPanel
from tui.app.ledger_panel import breaks_checks, cached_delta
from tui.app.step_screen import DecisionStep
from tui.core.answers.decisions import format_value


class ChoiceList(OptionList):
    """The options; the footer says that Enter takes the highlighted one (OptionList's own Enter is hidden)."""

    BINDINGS: ClassVar = [Binding("enter", "select", "Next")]


class ChoiceStep(DecisionStep):
    def compose_main(self) -> ComposeResult:
        current = getattr(self.wizard.answers, self.decision.id)
        # Only what the platform accepts (e.g. no Unix socket on GKE Autopilot).
        self.options = self.decision.options_for(self.wizard.answers)
        yield Static(self.decision.question, classes="question")
        items = []
        for option in self.options:
            mark = "✓ " if option.value == current else "  "
            items.append(ListOption(f"{mark}{option.label}", id=f"opt-{format_value(option.value)}"))
        yield ChoiceList(*items, id="options")
        with VerticalScroll(id="explanation-scroll"):
            yield ExplanationPanel(id="explanation")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        current = getattr(self.wizard.answers, self.decision.id)
        values = [o.value for o in self.options]
        options.highlighted = values.index(current) if current in values else 0
        options.focus()

    def show_current(self) -> None:
        self.show_highlighted(self.query_one(OptionList).highlighted or 0)

    def show_highlighted(self, index: int) -> None:
        option = self.options[index]
        answers = self.wizard.answers
        delta = cached_delta(answers, self.decision.id, option.value)
        checks = breaks_checks(self.decision.id, option.value, answers)
        change = f"you choose “{option.label}”"
        panel = self.query_one(ExplanationPanel)
        panel.show(self.decision, option, delta, checks=checks, answers=answers, change=change)
        self.refresh_ledger(delta, change)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.painted:
            self.show_highlighted(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.wizard.choose(self.decision.id, self.options[event.option_index].value)
