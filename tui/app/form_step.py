"""A form of text decisions asked as one step (the release details): one labelled field per answer.

Tab moves between the fields; each is checked by the answers contract as it is typed, with its error
under it; the focused field's explanation and privilege delta are shown. Enter accepts every field
at once, or moves to the first one the contract refuses.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from tui.app.answer_input import AnswerInput
from tui.app.explanation_panel import ExplanationPanel
from tui.app.ledger_panel import cached_delta
from tui.app.step_screen import GroupStep
from tui.core.answers.decisions import Decision, format_value
from tui.core.errors import AnswerError


class FormStep(GroupStep):
    def compose_main(self) -> ComposeResult:
        answers = self.wizard.answers
        self.decisions = self.step.applicable(answers)
        yield Static(self.step.question + "  (Tab moves, Enter continues)", classes="question")
        for decision in self.decisions:
            current = decision.shown_value(answers)
            # A closed choice (the site) is typed too, with its values offered as completions (→ takes one).
            values = [format_value(o.value) for o in decision.options]
            with Horizontal(classes="form-row"):
                yield Label(decision.title, classes="form-label")
                yield AnswerInput(
                    value="" if current is None else format_value(current),
                    id=f"field-{decision.id}",
                    classes="form-field",
                    suggester=SuggestFromList(values) if values else None,
                    compact=True,
                )
            yield Static("", id=f"error-{decision.id}", classes="form-error")
        with VerticalScroll(id="explanation-scroll"):
            yield ExplanationPanel(id="explanation")

    def on_mount(self) -> None:
        fields = list(self.query(AnswerInput))
        for field in fields:
            if self.app.is_headless:
                field.cursor_blink = False  # deterministic screenshots
        fields[0].focus()

    def field(self, decision: Decision) -> Input:
        return self.query_one(f"#field-{decision.id}", Input)

    def decision_of(self, widget: object) -> Decision | None:
        return next((d for d in self.decisions if getattr(widget, "id", None) == f"field-{d.id}"), None)

    def focused_decision(self) -> Decision:
        return self.decision_of(self.focused) or self.decisions[0]

    def show_current(self) -> None:
        for decision in self.decisions:
            self.check(decision, show=decision is self.focused_decision())

    def check(self, decision: Decision, *, show: bool = True) -> bool:
        """Validate one field through the contract; show its error under it, and when `show` its meaning."""
        value = self.field(decision).value
        error = self.query_one(f"#error-{decision.id}", Static)
        answers = self.wizard.answers
        try:
            entered = answers.replace(**{decision.id: value})
        except AnswerError as problem:
            error.update(str(problem))
            error.add_class("visible")
            if show:
                self.query_one(ExplanationPanel).show(
                    decision, None, (), subject=f"“{value}” is not accepted", answers=answers
                )
                self.refresh_ledger()
            return False
        error.update("")
        error.remove_class("visible")
        if show:
            delta = cached_delta(answers, decision.id, value)
            subject = f"{decision.title}: {value or '(none)'}"
            change = f"you enter “{value}”"
            self.query_one(ExplanationPanel).show(
                decision, None, delta, subject=subject, answers=entered, change=change
            )
            self.refresh_ledger(delta, change)
        return True

    def values(self) -> dict[str, Any]:
        return {decision.id: self.field(decision).value for decision in self.decisions}

    def on_input_changed(self, event: Input.Changed) -> None:
        decision = self.decision_of(event.input)
        if self.painted and decision is not None:
            self.check(decision)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        decision = self.decision_of(event.widget)
        if self.painted and decision is not None:
            self.check(decision)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        refused = [d for d in self.decisions if not self.check(d, show=False)]
        if refused:
            self.field(refused[0]).focus()
            self.check(refused[0])
            return
        try:
            self.wizard.answers.replace(**self.values())
        except AnswerError as problem:  # refused together although each field alone is accepted
            error = self.query_one(f"#error-{self.focused_decision().id}", Static)
            error.update(str(problem))
            error.add_class("visible")
            return
        self.wizard.choose_all(self.values())
