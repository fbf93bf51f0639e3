"""A free-text step (version, names): an Input checked by the answers contract as the user types."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from tui.app.answer_input import AnswerInput
from tui.app.explanation_panel import ExplanationPanel
from tui.app.ledger_panel import cached_delta
from tui.app.step_screen import DecisionStep
from tui.core.errors import AnswerError


class TextStep(DecisionStep):
    def compose_main(self) -> ComposeResult:
        current = self.decision.shown_value(self.wizard.answers)
        yield Static(self.decision.question, classes="question")
        yield AnswerInput(value="" if current is None else str(current), id="text-input")
        yield Static("", id="input-error")
        with VerticalScroll(id="explanation-scroll"):
            yield ExplanationPanel(id="explanation")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        if self.app.is_headless:
            field.cursor_blink = False  # deterministic screenshots
        field.focus()

    def show_current(self) -> None:
        self.check(self.query_one(Input).value)

    def check(self, value: str) -> bool:
        """Validate through the contract; show its message inline and the privilege delta of the value."""
        error = self.query_one("#input-error", Static)
        try:
            entered = self.wizard.answers.replace(**{self.decision.id: value})
        except AnswerError as problem:
            error.update(str(problem))
            error.add_class("visible")
            self.query_one(ExplanationPanel).show(
                self.decision, None, (), subject=f"“{value}” is not accepted", answers=self.wizard.answers
            )
            self.refresh_ledger()
            return False
        error.update("")
        error.remove_class("visible")
        delta = cached_delta(self.wizard.answers, self.decision.id, value)
        change = f"you enter “{value}”"
        self.query_one(ExplanationPanel).show(
            self.decision, None, delta, subject=f"Value: {value or '(none)'}", answers=entered, change=change
        )
        self.refresh_ledger(delta, change)
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.painted:
            self.check(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.check(event.value):
            self.wizard.choose(self.decision.id, event.value)
