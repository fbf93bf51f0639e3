"""`ddsecure explain` and `?` in `ask`: a decision (or a wizard step) in plain text, with every option's trade-offs.

Presentation above the model: the options and caveats are the decisions' data, and the Pod Security
checks each option breaks are computed by `what_if` from the model.
"""

from __future__ import annotations

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import Decision, caveat_applies, caveats_for, format_value, with_option, worded
from tui.core.answers.steps import Step
from tui.core.output.what_if import option_checks


def explain(decision: Decision, answers: Answers | None = None) -> str:
    """The decision and every option's trade-offs.

    With `answers`, each option reads as it would for those answers with that option chosen, and
    only the notes that concern them are shown."""
    lines = [f"{decision.title} ({decision.id})", "", worded(decision.help, answers), ""]
    default = decision.default if answers is None else getattr(answers, decision.id)
    for option in decision.options:
        chosen = option.value == default or (decision.kind == "multi" and option.value in default)
        mark = (" (default)" if answers is None else " (current)") if chosen else ""
        if_chosen = None if answers is None else with_option(answers, decision.id, option.value)
        lines.append(f"* {format_value(option.value)}{mark}: {worded(option.summary, if_chosen)}")
        for label, text in (("gives", option.gives), ("costs", option.costs), ("without it", option.loses)):
            if text:
                lines.append(f"    {label}: {worded(text, if_chosen)}")
        checks = option_checks(decision.id, option.value, answers)
        if checks:
            lines.append(f"    Pod Security: breaks {'; '.join(checks)}")
        for caveat in caveats_for(decision._replace(caveats=()), option, if_chosen):
            lines.append(f"    note: {caveat}")
    for caveat in decision.caveats:
        if answers is None or caveat_applies(caveat, answers):
            lines.append(f"Note: {worded(caveat, answers)}")
    return "\n".join(lines).rstrip() + "\n"


def explain_step(step: Step, answers: Answers | None = None) -> str:
    """Every decision of a step (`?` on a grouped question explains all of them)."""
    return "\n".join(explain(d, answers) for d in step.decisions)
