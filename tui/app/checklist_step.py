"""A checklist of boolean decisions asked as one step (the cluster-level features): ticked is true.

Each item explains itself and shows its privilege delta when highlighted, as the options of a
single decision do; Space toggles (the answer changes at once, so the ledger follows), Enter accepts.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import SelectionList

from tui.app.explanation_panel import ExplanationPanel
from tui.app.ledger_panel import breaks_checks, cached_delta
from tui.app.multi_step import FeatureList, feature_list_widgets, focus_feature_list, highlighted_feature
from tui.app.step_screen import GroupStep


class ChecklistStep(GroupStep):
    def compose_main(self) -> ComposeResult:
        answers = self.wizard.answers
        # Only features the platform lets be turned on (none is refused today; the check keeps it so).
        self.decisions = tuple(
            d for d in self.step.applicable(answers) if any(o.value is True for o in d.options_for(answers))
        )
        items = ((d.title, d.id, bool(getattr(answers, d.id))) for d in self.decisions)
        yield from feature_list_widgets(self.step.question, items)

    def on_mount(self) -> None:
        focus_feature_list(self)

    def show_current(self) -> None:
        self.show_highlighted(highlighted_feature(self))

    def show_highlighted(self, index: int) -> None:
        decision = self.decisions[index]
        answers = self.wizard.answers
        on = bool(getattr(answers, decision.id))
        feature = decision.option(True)
        assert feature is not None  # a boolean decision has an option for true
        # The item is the feature itself: its title leads, then what turning it on gives and costs.
        shown = feature._replace(label=decision.title)
        delta = cached_delta(answers, decision.id, not on)
        checks = breaks_checks(decision.id, feature.value, answers)
        change = f"you {'remove' if on else 'add'} “{decision.title}”"
        self.query_one(ExplanationPanel).show(decision, shown, delta, checks=checks, answers=answers, change=change)
        self.refresh_ledger(delta, change)

    def ticked(self) -> dict[str, bool]:
        selected = set(self.query_one(FeatureList).selected)
        return {d.id: d.id in selected for d in self.decisions}

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        if self.painted:
            self.show_highlighted(event.selection_index)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        for decision_id, value in self.ticked().items():
            if not self.wizard.update_answer(decision_id, value):  # refused with the other answers: undo the tick
                if value:
                    event.selection_list.deselect(decision_id)
                else:
                    event.selection_list.select(decision_id)
                return
        self.show_highlighted(event.selection_list.highlighted or 0)

    def on_feature_list_accepted(self, event: FeatureList.Accepted) -> None:
        self.wizard.choose_all(self.ticked())
