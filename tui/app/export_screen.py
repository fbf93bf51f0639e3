"""Export: confirm the directory, ask before replacing other files, then show what was written."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from tui.app.confirm_dialog import ConfirmDialog
from tui.app.step_ids import EXPORT
from tui.app.step_screen import StepScreen
from tui.core.bundle import build_bundle, bundle_diff, commands, existing_files, write_bundle
from tui.core.errors import DdsecureError


def written_text(paths: list[Path], cmd: dict[str, str]) -> Text:
    text = Text()
    text.append(f"Wrote {len(paths)} files to {paths[0].parent}:\n", style="bold green")
    for path in paths:
        text.append(f"  {path.name}\n")
    text.append("\nNext, from that directory:\n", style="bold")
    for key in ("namespace", "secret", "render", "kustomize"):
        text.append(f"  {cmd[key]}\n")
    text.append("or values only, without the DaemonSet hardening:\n", style="dim")
    text.append(f"  {cmd['helm_install']}\n")
    text.append("\nq quits.", style="dim")
    return text


class ExportScreen(StepScreen):
    step_id = EXPORT
    title_text = "Export the bundle"
    show_ledger = False

    def compose_main(self) -> ComposeResult:
        yield Static("Directory to write the bundle to (Enter writes, Esc goes back):", classes="question")
        yield Input(value=str(self.wizard.output), id="directory")
        yield Static("", id="input-error")
        with VerticalScroll(id="export-result-scroll"):
            yield Static("", id="export-result")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        if self.app.is_headless:
            field.cursor_blink = False
        field.focus()

    def show_error(self, message: str) -> None:
        error = self.query_one("#input-error", Static)
        error.update(message)
        error.set_class(bool(message), "visible")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.show_error("Enter a directory.")
            return
        self.export(Path(event.value.strip()).expanduser())

    @work(exclusive=True)
    async def export(self, directory: Path) -> None:
        answers = self.wizard.answers
        files = build_bundle(answers)
        try:
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
        self.wizard.exported(directory, written)
        self.query_one("#export-result", Static).update(written_text(written, commands(answers)))
