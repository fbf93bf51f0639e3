"""The frame every step shares: progress line, the step's own widgets, the live ledger, the footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from tui.app.ledger_panel import LedgerPanel
from tui.app.step_ids import steps
from tui.app.step_progress import StepProgress
from tui.app.wizard_state import Wizard

if TYPE_CHECKING:
    from tui.core.answers.decisions import Decision
    from tui.core.answers.steps import Step

MIN_WIDTH, MIN_HEIGHT = 80, 24
TOO_SMALL = (
    f"The terminal is too small for the ddsecure wizard.\n\n"
    f"It needs at least {MIN_WIDTH} columns × {MIN_HEIGHT} rows.\n"
    "Enlarge the window, or use `ddsecure ask` for a line-by-line wizard."
)


class TooSmall(Static):
    """Shown instead of the layout when the terminal is below 80×24 (see the breakpoints in wizard.tcss)."""

    def __init__(self) -> None:
        super().__init__(TOO_SMALL, id="too-small")


class StepScreen(Screen):
    step_id: str = ""
    title_text: str = ""
    show_ledger: bool = True

    BINDINGS: ClassVar = [Binding("escape", "app.back", "Back")]

    # The explanation and the ledger need the model; they are filled in, and the too-small message
    # mounted, just after the screen's first paint (see `on_mount`);
    # events before that (the initial highlight) are not shown.
    painted: bool = False
    # Below 80×24 the layout is hidden and Textual drops the focus with it; it is given back when the
    # terminal is large enough again, so that arrows and Enter work without a Tab first.
    focus_before_hiding: Widget | None = None

    @property
    def wizard(self) -> Wizard:
        return cast(Wizard, self.app)

    def compose(self) -> ComposeResult:
        order = steps(self.wizard.answers)
        position = order.index(self.step_id) + 1 if self.step_id in order else len(order)
        yield StepProgress(position, len(order), self.title_text, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield from self.compose_main()
            if self.show_ledger:
                with VerticalScroll(id="ledger-scroll"):
                    yield LedgerPanel(id="ledger")
        yield Footer()

    def compose_main(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Textual also runs each subclass's own on_mount (handlers are looked up along the MRO).
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        # The too-small message (hidden unless the terminal is below 80×24) is not needed for the first paint.
        self.mount(TooSmall())
        self.painted = True
        self.show_current()

    def show_current(self) -> None:
        """Show what the current highlight or value means (steps with an explanation override this)."""

    def on_resize(self, event: events.Resize) -> None:
        if self.focused is not None:
            self.focus_before_hiding = self.focused
        self.call_after_refresh(self._give_focus_back)

    def _give_focus_back(self) -> None:
        widget = self.focus_before_hiding
        too_small = self.size.width < MIN_WIDTH or self.size.height < MIN_HEIGHT
        if self.focused is None and not too_small and widget is not None and widget.is_attached:
            widget.focus()

    def refresh_ledger(self, delta: tuple[str, ...] | list[str] = (), label: str = "") -> None:
        if self.show_ledger:
            self.query_one(LedgerPanel).show(self.wizard.answers, delta, label)


class DecisionStep(StepScreen):
    """A step that asks one decision of the core's list."""

    def __init__(self, decision: Decision) -> None:
        super().__init__()
        self.decision = decision
        self.step_id = decision.id
        self.title_text = decision.title


class GroupStep(StepScreen):
    """A step that asks several decisions of the core's list at once (see `tui.core.answers.steps`)."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step
        self.step_id = step.id
        self.title_text = step.title
