"""A step where several options may be picked (system-probe features): a selection list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import SelectionList, Static
from textual.widgets._toggle_button import ToggleButton  # the glyph SelectionList draws
from textual.widgets.option_list import OptionDoesNotExist

from tui.app.explanation_panel import ExplanationPanel
from tui.app.ledger_panel import breaks_checks, cached_delta
from tui.app.step_screen import DecisionStep


class FeatureList(SelectionList):
    """Space toggles the highlighted feature; Enter accepts the selection."""

    BINDINGS: ClassVar = [Binding("space", "select", "Toggle"), Binding("enter", "accept", "Next")]

    class Accepted(Message):
        pass

    def action_accept(self) -> None:
        self.post_message(self.Accepted())

    def render_line(self, y: int) -> Strip:
        """Textual draws the same "X" for ticked and unticked items and tells them apart by colour
        alone; a tick mark reads without colour too (NO_COLOR, monochrome terminals, screen readers)."""
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        ticked = option.value in self.selected
        segments[1] = Segment("✓" if ticked else " ", segments[1].style)
        return Strip(segments, strip.cell_length)


def feature_list_widgets(question: str, items: Iterable[tuple[str, Any, bool]]) -> ComposeResult:
    """The question, the list (label, value, ticked) and the explanation below: every ticking step's body."""
    yield Static(question + "  (Space toggles, Enter continues)", classes="question")
    yield FeatureList(*items, id="features")
    with VerticalScroll(id="explanation-scroll"):
        yield ExplanationPanel(id="explanation")


def focus_feature_list(screen: Screen) -> None:
    features = screen.query_one(FeatureList)
    features.highlighted = 0
    features.focus()


def highlighted_feature(screen: Screen) -> int:
    return screen.query_one(FeatureList).highlighted or 0


class MultiStep(DecisionStep):
    def compose_main(self) -> ComposeResult:
        chosen = set(getattr(self.wizard.answers, self.decision.id))
        # Only what the platform accepts (e.g. no CWS on GKE Autopilot).
        self.options = self.decision.options_for(self.wizard.answers)
        items = ((option.label, option.value, option.value in chosen) for option in self.options)
        yield from feature_list_widgets(self.decision.question, items)

    def on_mount(self) -> None:
        focus_feature_list(self)

    def show_current(self) -> None:
        self.show_highlighted(highlighted_feature(self))

    def toggled(self, value: str) -> tuple[str, ...]:
        chosen = list(getattr(self.wizard.answers, self.decision.id))
        return tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)

    def show_highlighted(self, index: int) -> None:
        option = self.options[index]
        chosen = option.value in getattr(self.wizard.answers, self.decision.id)
        delta = cached_delta(self.wizard.answers, self.decision.id, self.toggled(option.value))
        checks = breaks_checks(self.decision.id, option.value, self.wizard.answers)
        change = f"you {'remove' if chosen else 'add'} “{option.label}”"
        panel = self.query_one(ExplanationPanel)
        panel.show(self.decision, option, delta, checks=checks, answers=self.wizard.answers, change=change)
        self.refresh_ledger(delta, change)

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        if self.painted:
            self.show_highlighted(event.selection_index)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        selected = set(event.selection_list.selected)
        values = tuple(o.value for o in self.options if o.value in selected)
        if not self.wizard.update_answer(self.decision.id, values):
            kept = getattr(self.wizard.answers, self.decision.id)
            for option in self.options:  # show the answers that stand, not the refused tick
                if option.value not in kept:
                    event.selection_list.deselect(option.value)
            return
        self.show_highlighted(event.selection_list.highlighted or 0)

    def on_feature_list_accepted(self, event: FeatureList.Accepted) -> None:
        self.wizard.choose(self.decision.id, getattr(self.wizard.answers, self.decision.id))
