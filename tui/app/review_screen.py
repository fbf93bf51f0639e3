"""Review: every answer, every kept privilege with its reason, and previews of the two main files."""

from __future__ import annotations

from typing import ClassVar

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from tui.app.ledger_panel import ledger_of
from tui.app.step_ids import REVIEW
from tui.app.step_screen import StepScreen
from tui.core.bundle import OVERRIDES, VALUES, build_bundle
from tui.core.decisions import DECISIONS_BY_ID, format_value


def answers_table(answers) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 1), expand=False)
    table.add_column(style="bold")
    table.add_column()
    changed = answers.changed_from_defaults()
    for key, value in answers.as_dict().items():
        shown = ", ".join(value) if isinstance(value, list) else "" if value is None else format_value(value)
        title = DECISIONS_BY_ID[key].title
        table.add_row(title, Text(shown or "(none)", style="yellow" if key in changed else ""))
    return table


def privileges_text(answers) -> Text:
    ledger = ledger_of(answers)
    text = Text()
    user = "root (0)" if not ledger.run_as_user else f"UID {ledger.run_as_user}"
    text.append(f"user {user}" + (", runAsNonRoot" if ledger.run_as_non_root else "") + "\n")
    if ledger.host_pid:
        text.append("hostPID", style="bold red")
        text.append(" — maps DogStatsD socket peers to containers\n")
    if ledger.host_network:
        text.append("hostNetwork\n", style="bold red")
    for port in ledger.host_ports:
        text.append(f"host port {port}\n", style="bold red")
    for grant in ledger.host_paths:
        text.append(f"{grant.path} {grant.mode}", style="bold red" if grant.mode == "rw" else "bold")
        text.append(f" — {grant.because}\n")
    for container, caps in ledger.capabilities.items():
        text.append(f"{container} adds {', '.join(caps)}\n", style="bold red")
    text.append(f"Pod Security: agent {ledger.agent_level}, apps {ledger.app_level}\n", style="bold")
    text.append(f"  apps: {ledger.app_reason}\n", style="italic")
    return text


class ReviewScreen(StepScreen):
    step_id = REVIEW
    title_text = "Review before writing"
    show_ledger = False

    BINDINGS: ClassVar = [Binding("enter", "app.forward", "Export"), Binding("e", "app.forward", "Export", show=False)]

    def compose_main(self) -> ComposeResult:
        answers = self.wizard.answers
        files = build_bundle(answers)
        yield Static("Nothing is written yet. Enter: continue to export · Esc: go back", classes="question")
        with TabbedContent(id="review-tabs"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll():
                yield Static(Text("Answers", style="bold underline"))
                yield Static(answers_table(answers), id="answers-table")
                yield Static(Text("\nPrivileges kept, and why", style="bold underline"))
                yield Static(privileges_text(answers), id="privileges")
            for name, tab_id in ((VALUES, "tab-values"), (OVERRIDES, "tab-overrides")):
                with TabPane(name, id=tab_id), VerticalScroll(classes="preview"):
                    yield Static(Syntax(files[name], "yaml", line_numbers=True, word_wrap=False, theme="ansi_dark"))
