"""The order of the wizard's steps: every applicable decision, then review, then export."""

from __future__ import annotations

from tui.core.answers import Answers
from tui.core.decisions import DECISIONS, applicable

REVIEW = "review"
EXPORT = "export"
ALL_STEPS = (*(d.id for d in DECISIONS), REVIEW, EXPORT)


def steps(answers: Answers) -> list[str]:
    return [d.id for d in applicable(answers)] + [REVIEW, EXPORT]


def next_step(answers: Answers, current: str) -> str | None:
    here = ALL_STEPS.index(current)
    return next((s for s in steps(answers) if ALL_STEPS.index(s) > here), None)


def previous_step(answers: Answers, current: str) -> str | None:
    here = ALL_STEPS.index(current)
    return next((s for s in reversed(steps(answers)) if ALL_STEPS.index(s) < here), None)
