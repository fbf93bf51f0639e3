"""The always-visible privilege ledger of the whole configuration, with the pending delta."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from tui.app.explanation_panel import delta_style
from tui.core.answers.contract import Answers

if TYPE_CHECKING:
    from tui.core.pod.ledger import Ledger

# The model (deployment, chart model, Pod Security) is imported on the first ledger, which the steps
# compute after their first paint, so that it does not delay the wizard's first screen.


@lru_cache(maxsize=256)
def ledger_of(answers: Answers) -> Ledger:
    from tui.core.deployment import Deployment

    return Deployment.of(answers).ledger


@lru_cache(maxsize=256)
def cluster_line(answers: Answers) -> str:
    """The first line of the cluster summary: how many RBAC permissions, and the dangerous ones."""
    from tui.core.deployment import Deployment
    from tui.core.output.cluster_report import summary_lines

    return summary_lines(Deployment.of(answers).cluster)[0]


def breaks_checks(decision_id: str, value: Any, answers: Answers) -> tuple[str, ...]:
    """The Pod Security checks choosing `value` breaks (cached by `what_if`)."""
    # Imported here for start-up speed: the first screen shows before any deployment is computed.
    from tui.core.output.what_if import option_checks

    return option_checks(decision_id, value, answers)


@lru_cache(maxsize=1024)
def cached_delta(answers: Answers, decision_id: str, value: Any) -> tuple[str, ...]:
    from tui.core.output.what_if import option_delta

    return tuple(option_delta(answers, decision_id, value))


def ledger_text(ledger: Ledger, delta: Iterable[str] = (), delta_label: str = "", cluster: str = "") -> Text:
    text = Text()
    delta = list(delta)
    if delta_label:  # first, so it is visible without scrolling at 80×24
        text.append(f"If {delta_label}:\n", style="bold underline")
        for line in delta or ["no privilege change"]:
            text.append(f"  {line}\n", style=delta_style(line) if delta else "dim")
        text.append("\n")
    text.append("Privileges of the Agent pod\n", style="bold underline")
    for line in ledger.summary_lines():
        if line.startswith("Pod Security:"):
            continue  # shown below, with the reason for applications
        text.append(line + "\n")
    if cluster:
        text.append(f"cluster: {cluster}\n")
    text.append("\nPod Security\n", style="bold underline")
    text.append("  agent: ")
    text.append(ledger.agent_level + "\n", style="bold")
    text.append("  apps:  ")
    text.append(ledger.app_level + "\n", style="bold")
    return text


class LedgerPanel(Static):
    """Refreshed on every answer change and every highlight."""

    def show(self, answers: Answers, delta: Iterable[str] = (), delta_label: str = "") -> None:
        self.update(ledger_text(ledger_of(answers), delta, delta_label, cluster_line(answers)))
