"""The Textual app: holds the answers and moves between steps. Screens only display and report choices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import Provider
from textual.screen import Screen

from tui.app.step_ids import EXPORT, REVIEW, next_step, previous_step, step_for, steps
from tui.app.step_screen import MIN_HEIGHT, MIN_WIDTH
from tui.core.answers.contract import Answers, layer
from tui.core.answers.decisions import DECISIONS_BY_ID
from tui.core.answers.steps import CHECKLIST, FORM, STEPS_BY_ID
from tui.core.errors import AnswerError
from tui.exit_codes import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from tui.app.wizard_state import Wizard
    from tui.core.output.next_steps import NextSteps

# Start-up: only the first step's screen module is imported before the first paint; dialogs, the
# palette's preset provider and the other screens are imported when they are first needed.


def _preset_commands() -> type[Provider]:
    from tui.app.preset_commands import PresetCommands

    return PresetCommands


class WizardApp(App[int]):
    CSS_PATH = "wizard.tcss"
    TITLE = "ddsecure"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_preset_commands}
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-wide-enough")]  # noqa: RUF012 (textual's type)
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-tall-enough")]  # noqa: RUF012 (textual's type)
    BINDINGS: ClassVar = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_wizard", "Quit"),
        Binding("ctrl+q", "quit_wizard", "Quit", show=False, priority=True),
        # Ctrl-C is a terminal user's first way out (Textual's default only hints at Ctrl+Q).
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        answers: Answers | None = None,
        output: Path | str = "ddsecure-bundle",
        start: str = "",
        target: str = "both",
    ) -> None:
        super().__init__()
        self.answers = answers or Answers()
        self.output = Path(output)
        self.target = target  # helm, operator or both: chosen again in the export step
        # A decision id starts at the step that asks it (e.g. `namespace`: the release details).
        self.start = step_for(start) if start else steps(self.answers)[0]
        self.current = self.start
        self.unsaved = False  # an answer was chosen since the start or the last export
        self.written: list[Path] = []
        self.written_target = target
        self.written_steps: NextSteps | None = None

    # --- moving between steps ---------------------------------------------------------------------

    def make_screen(self, step_id: str) -> Screen:
        if step_id == REVIEW:
            from tui.app.review_screen import ReviewScreen

            return ReviewScreen()
        if step_id == EXPORT:
            from tui.app.export_screen import ExportScreen

            return ExportScreen()
        step = STEPS_BY_ID[step_id]
        if step.kind == CHECKLIST:
            from tui.app.checklist_step import ChecklistStep

            return ChecklistStep(step)
        if step.kind == FORM:
            from tui.app.form_step import FormStep

            return FormStep(step)
        decision = DECISIONS_BY_ID[step.decision_ids[0]]
        if decision.kind == "text":
            from tui.app.text_step import TextStep

            return TextStep(decision)
        if decision.kind == "multi":
            from tui.app.multi_step import MultiStep

            return MultiStep(decision)
        from tui.app.choice_step import ChoiceStep

        return ChoiceStep(decision)

    def get_default_screen(self) -> Screen:
        """The first step is the app's base screen: pushing it from on_mount after an empty default
        screen had been painted cost a whole extra refresh before the first step appeared."""
        return self.make_screen(self.current)

    def open_step(self, step_id: str) -> None:
        self.current = step_id
        if len(self.screen_stack) == 1:
            # The base screen cannot be switched away (Textual keeps no result callback for it); it
            # stays underneath, hidden, and later steps replace each other above it.
            self.push_screen(self.make_screen(step_id))
        else:
            self.switch_screen(self.make_screen(step_id))

    def update_answer(self, answer_id: str, value: Any) -> bool:
        """Record one answer; a combination the model refuses (e.g. eBPF features on Kubernetes 1.29,
        reached by going back) is reported in one line and leaves the answers as they were."""
        try:
            changed = self.answers.replace(**{answer_id: value})
        except AnswerError as refused:
            self.refused(refused)
            return False
        if changed != self.answers:
            self.answers = changed
            self.unsaved = True
        return True

    def choose(self, answer_id: str, value: Any) -> None:
        """A step's answer is final for now: record it and go to the next applicable step."""
        self.choose_all({answer_id: value})

    def choose_all(self, values: dict[str, Any]) -> None:
        """A step's answers (several for a grouped step, checked together) are final for now: record them
        and go on; a combination the model refuses is reported as `update_answer` does, and the step stays."""
        try:
            changed = self.answers.replace(**values)
        except AnswerError as refused:
            self.refused(refused)
            return
        self.answers = changed
        self.unsaved = True
        self.action_forward()

    def refused(self, problem: AnswerError) -> None:
        self.notify(str(problem), title="Not possible with your other answers", severity="error")

    def action_forward(self) -> None:
        following = next_step(self.answers, self.current)
        if following is not None:
            self.open_step(following)

    async def action_back(self) -> None:
        before = previous_step(self.answers, self.current)
        if before is not None:
            self.open_step(before)
        else:
            self.bell()

    def exported(self, directory: Path, written: list[Path], target: str, steps: NextSteps | None = None) -> None:
        self.output = directory
        self.written = written
        self.written_target = target
        self.written_steps = steps  # the bundle's own steps, when it was built from the user's file
        self.unsaved = False

    def load_preset(self, name: str) -> None:
        from tui.core.answers.files import load_preset

        preset = load_preset(name)
        self.answers = layer([preset.answers])
        self.unsaved = True
        self.notify(f"Loaded preset {name}: {preset.description}", timeout=4)
        order = steps(self.answers)
        self.open_step(self.current if self.current in order else order[0])

    # --- help and quitting ------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.app.help_screen import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        step = STEPS_BY_ID.get(self.current)
        self.push_screen(HelpScreen(step.help(self.answers) if step else ""))

    def action_interrupt(self) -> None:
        """Ctrl-C: with nothing answered there is nothing to lose, so exit at once (130, as the shell
        expects of an interrupt); otherwise ask, as `q` does."""
        if not self.unsaved and not self.written:
            self.exit(EXIT_INTERRUPTED, return_code=EXIT_INTERRUPTED)
            return
        self.action_quit_wizard()

    @work(exclusive=True, group="quit")
    async def action_quit_wizard(self) -> None:
        from tui.app.confirm_dialog import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog):
            return
        if self.unsaved:
            question = "Your answers are not exported yet. Quit without writing anything?"
            if not await self.push_screen_wait(ConfirmDialog(question, yes="Quit", no="Stay")):
                return
        self.exit(0)


if TYPE_CHECKING:

    def _is_a_wizard(app: WizardApp) -> Wizard:
        return app  # mypy checks that the app gives the screens everything `Wizard` promises
