"""What the highlighted option would mean, shown before it is chosen.

Built from the core's `Option` data and `option_delta`; rendered as Rich `Text` in a `Static`, which
is much cheaper to refresh on every key press than re-parsing Markdown (see scripts/bench_wizard.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import Static

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import Decision, Option, caveats_for, with_option, worded


def delta_style(line: str) -> str:
    if line.startswith("+"):
        return "bold red"
    if line.startswith(("−", "-")):
        return "bold green"
    return "bold yellow"


def explanation_text(
    decision: Decision,
    option: Option | None,
    delta: Iterable[str],
    *,
    subject: str = "",
    checks: Iterable[str] = (),
    answers: Answers | None = None,
    change: str = "",
) -> Text:
    """`answers`: the current answers; the text reads as it would with `option` chosen among them.
    `change`: what the delta is for ("you remove “Kubernetes events”"), worded as the ledger panel words it."""
    text = Text()
    if_chosen = with_option(answers, decision.id, option.value) if answers and option else answers
    if option is not None:
        text.append(f"{option.label}", style="bold")
        if option.summary:
            text.append(f" — {worded(option.summary, if_chosen)}")
        text.append("\n")
        for label, value in (("Gives", option.gives), ("Costs", option.costs), ("Without it", option.loses)):
            if value:
                text.append(f"{label}: ", style="bold")
                text.append(f"{worded(value, if_chosen)}\n")
    elif subject:
        text.append(subject + "\n", style="bold")
    delta = list(delta)
    text.append(f"Privilege change if {change or 'chosen'}: ", style="bold")
    if delta:
        text.append("\n")
        for line in delta:
            text.append(f"  {line}\n", style=delta_style(line))
    else:
        text.append("none\n")
    checks = list(checks)
    if checks:
        text.append("Pod Security it breaks: ", style="bold")
        text.append("; ".join(checks) + "\n")
    for caveat in caveats_for(decision, option, if_chosen):
        text.append("! ", style="bold yellow")
        text.append(caveat + "\n")
    text.append("\n")
    text.append(worded(decision.help, if_chosen), style="italic")
    return text


class ExplanationPanel(Static):
    """The trade-offs of the highlighted option."""

    def show(
        self,
        decision: Decision,
        option: Option | None,
        delta: Iterable[str],
        *,
        subject: str = "",
        checks: Iterable[str] = (),
        answers: Answers | None = None,
        change: str = "",
    ) -> None:
        self.update(
            explanation_text(decision, option, delta, subject=subject, checks=checks, answers=answers, change=change)
        )
