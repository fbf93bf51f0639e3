"""Export: choose what to write (Helm, Operator or both) and where, ask before replacing other files, then
show what was written and the next commands."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, RadioButton, RadioSet, Static

from tui.app.answer_input import DirectoryInput
from tui.app.step_ids import EXPORT
from tui.app.step_screen import StepScreen
from tui.core.answers.contract import Answers
from tui.core.errors import DdsecureError
from tui.core.output.next_steps import TARGET_HELP, TARGET_LABELS, TARGET_SUMMARIES, NextSteps


def written_text(paths: list[Path], answers: Answers, target: str, steps: NextSteps | None = None) -> Text:
    """`steps`: the bundle's own steps when it was built from the user's file (a wrapper installs its own way)."""
    from tui.core.output.next_steps import next_steps

    text = Text()
    text.append(f"Wrote {len(paths)} files to {paths[0].parent}:\n", style="bold green")
    for path in paths:
        text.append(f"  {path.name}\n")
    text.append("\nNext:\n", style="bold")
    for line in (steps or next_steps(answers, target)).lines(paths[0].parent):
        text.append(f"  {line}\n")
    text.append("\nq quits.", style="dim")
    return text


def target_text(target: str) -> Text:
    """Before writing: what the chosen target writes, and that only one way gets installed."""
    text = Text()
    text.append(f"{TARGET_LABELS[target]}: ", style="bold")
    text.append(TARGET_SUMMARIES[target] + "\n\n")
    text.append(TARGET_HELP, style="italic")
    return text


class TargetChoice(RadioSet):
    """Textual highlights the first button on mount; start on the pressed one (the --target default)."""

    def on_mount(self) -> None:
        self.call_after_refresh(self._highlight_pressed)

    def _highlight_pressed(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index


class ExportScreen(StepScreen):
    step_id = EXPORT
    title_text = "Export the bundle"
    show_ledger = False

    def compose_main(self) -> ComposeResult:
        yield Static("What to write (Shift+Tab, then arrows and Enter to change):", classes="question")
        with TargetChoice(id="target"):
            for target, label in TARGET_LABELS.items():
                yield RadioButton(label, value=target == self.wizard.target, id=f"target-{target}")
        yield Static("Directory to write the bundle to (Enter writes, Esc goes back):", classes="question")
        yield DirectoryInput(value=str(self.wizard.output), id="directory")
        yield Static("Your values file to start from (optional; Tab; edited, nothing lost):", classes="question")
        yield DirectoryInput(value="", id="base", placeholder="empty: write a new values.yaml")
        yield Static("", id="input-error")
        with VerticalScroll(id="export-result-scroll"):
            yield Static("", id="export-result")

    def on_mount(self) -> None:
        field = self.query_one("#directory", Input)
        if self.app.is_headless:
            for each in self.query(Input):
                each.cursor_blink = False
        field.focus()
        self.query_one("#export-result", Static).update(target_text(self.wizard.target))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.wizard.target = (event.pressed.id or "target-both").removeprefix("target-")
        self.query_one("#export-result", Static).update(target_text(self.wizard.target))
        self.query_one("#directory", Input).focus()  # chosen: Enter now writes

    def show_error(self, message: str) -> None:
        error = self.query_one("#input-error", Static)
        error.update(message)
        error.set_class(bool(message), "visible")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        directory = self.query_one("#directory", Input).value.strip()
        if not directory:
            self.show_error("Enter a directory.")
            return
        base = self.query_one("#base", Input).value.strip()
        if base and not Path(base).expanduser().is_file():
            self.show_error(f"{base} is not a file.")
            return
        self.export(Path(directory).expanduser(), Path(base).expanduser() if base else None)

    @work(exclusive=True)
    async def export(self, directory: Path, base: Path | None = None) -> None:
        from tui.app.confirm_dialog import ConfirmDialog
        from tui.core.output.bundle import build_bundle, bundle_diff, existing_files, write_bundle

        answers, target = self.wizard.answers, self.wizard.target
        steps: NextSteps | None = None
        try:
            if base is None:
                files = build_bundle(answers, target=target)
            else:
                from tui.core.audit.fixed_bundle import based_bundle
                from tui.core.yamlio.reader import read_text

                files, fixed, _ = based_bundle(answers, read_text(base), str(base), (), target, directory)
                steps = fixed.next_steps
            present = existing_files(directory)
            force = False
            if present and bundle_diff(files, directory):
                shown = ", ".join(present[:6]) + (", …" if len(present) > 6 else "")
                question = (
                    f"{directory} already holds: {shown}.\n\n"
                    "Replace the bundle's files there? Other files are left alone."
                )
                if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Overwrite", no="Keep")):
                    self.show_error("Nothing was written. Choose another directory or confirm overwriting.")
                    return
                force = True
            written = write_bundle(files, directory, force=force)
        except DdsecureError as problem:
            self.show_error(str(problem))
            return
        self.show_error("")
        self.wizard.exported(directory, written, target, steps)
        self.query_one("#export-result", Static).update(written_text(written, answers, target, steps))
        # Off the directory field, so that `q` quits (as the result says) instead of being typed.
        self.query_one("#export-result-scroll").focus()
