"""Review: every answer, every kept privilege with its reason, and previews of the two main files."""

from __future__ import annotations

from typing import ClassVar

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from tui.app.explanation_panel import delta_style
from tui.app.ledger_panel import ledger_of
from tui.app.step_ids import REVIEW
from tui.app.step_screen import StepScreen
from tui.core.answers.decisions import DECISIONS_BY_ID
from tui.core.operator.names import OPERATOR_FILE
from tui.core.output.bundle import OVERRIDES, VALUES, build_bundle


def answers_table(answers) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 1), expand=False)
    table.add_column(style="bold")
    table.add_column()
    changed = answers.changed_from_defaults()
    for key in answers.as_dict():
        decision = DECISIONS_BY_ID[key]
        table.add_row(decision.title, Text(decision.answer_text(answers), style="yellow" if key in changed else ""))
    return table


def privileges_text(answers) -> Text:
    from tui.core.deployment import Deployment
    from tui.core.output.report import apps_reason

    ledger = ledger_of(answers)
    text = Text()
    for entry in ledger.privileges():  # worst first
        text.append(entry.text, style="bold red" if entry.severe else "")
        text.append(f" — {entry.because}\n" if entry.because else "\n")
    text.append(f"Pod Security: agent {ledger.agent_level}, apps {ledger.app_level}\n", style="bold")
    text.append(f"  apps: {apps_reason(Deployment.of(answers))}\n", style="italic")
    return text


def cluster_text(answers) -> Text:
    from tui.core.deployment import Deployment
    from tui.core.output.cluster_report import summary_lines

    text = Text()
    for line in summary_lines(Deployment.of(answers).cluster):
        dangerous = (":" in line and " — " in line) or "; dangerous:" in line
        text.append(line + "\n", style="bold red" if dangerous else "")
    return text


def operator_text(answers) -> Text:
    from tui.core.deployment import Deployment

    lines = Deployment.of(answers).operator.differences
    text = Text()
    for line in lines or ["the same privileges as with Helm"]:
        text.append(line + "\n", style=delta_style(line) if lines else "")
    return text


class ReviewScreen(StepScreen):
    step_id = REVIEW
    title_text = "Review before writing"
    show_ledger = False

    BINDINGS: ClassVar = [
        Binding("enter", "app.forward", "Export"),
        Binding("e", "app.forward", "Export", show=False),
        # The tabs have the focus and use only ←/→: the other movement keys scroll the open tab.
        # The tabs' own ←/→ are hidden from the footer; these do the same and say so.
        Binding("right", "switch_tab('next')", "Tabs", key_display="←/→", priority=True),
        Binding("left", "switch_tab('previous')", "Previous tab", show=False, priority=True),
        Binding("pagedown", "scroll_tab('page_down')", "Scroll", key_display="PgDn"),
        Binding("pageup", "scroll_tab('page_up')", "Scroll up", show=False),
        Binding("down", "scroll_tab('down')", "Scroll down", show=False),
        Binding("up", "scroll_tab('up')", "Scroll up", show=False),
        Binding("home", "scroll_tab('home')", "Top", show=False),
        Binding("end", "scroll_tab('end')", "Bottom", show=False),
    ]

    def action_switch_tab(self, way: str) -> None:
        tabs = self.query_one(TabbedContent).query_one(Tabs)
        if way == "next":
            tabs.action_next_tab()
        else:
            tabs.action_previous_tab()

    def action_scroll_tab(self, how: str) -> None:
        pane = self.query_one(TabbedContent).active_pane
        if pane is not None:
            getattr(pane.query_one(VerticalScroll), f"scroll_{how}")()

    def compose_main(self) -> ComposeResult:
        answers = self.wizard.answers
        files = build_bundle(answers, target=self.wizard.target)
        yield Static("Nothing is written yet. Enter: continue to export · Esc: go back", classes="question")
        with TabbedContent(id="review-tabs"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll():
                yield Static(Text("Answers", style="bold underline"))
                yield Static(answers_table(answers), id="answers-table")
                yield Static(Text("\nPrivileges kept, and why", style="bold underline"))
                yield Static(privileges_text(answers), id="privileges")
                yield Static(Text("\nCluster-level privileges (RBAC)", style="bold underline"))
                yield Static(cluster_text(answers), id="cluster-privileges")
                if self.wizard.target != "helm":
                    yield Static(Text("\nWith the Datadog Operator instead", style="bold underline"))
                    yield Static(operator_text(answers), id="operator-differences")
            previews = ((VALUES, "tab-values"), (OVERRIDES, "tab-overrides"), (OPERATOR_FILE, "tab-operator"))
            for name, tab_id in ((name, tab_id) for name, tab_id in previews if name in files):
                with TabPane(name, id=tab_id), VerticalScroll(classes="preview"):
                    yield Static(Syntax(files[name], "yaml", line_numbers=True, word_wrap=False, theme="ansi_dark"))
