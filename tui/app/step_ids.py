"""The order of the wizard's steps: every applicable step of the core's `STEPS`, then review, then export."""

from __future__ import annotations

from tui.core.answers.contract import Answers
from tui.core.answers.steps import STEP_OF_DECISION, STEPS, applicable_steps

REVIEW = "review"
EXPORT = "export"
ALL_STEPS = (*(s.id for s in STEPS), REVIEW, EXPORT)


def steps(answers: Answers) -> list[str]:
    return [s.id for s in applicable_steps(answers)] + [REVIEW, EXPORT]


def step_for(name: str) -> str:
    """The step that asks `name`: a step id as it is, a decision id as the step that groups it."""
    return name if name in ALL_STEPS else STEP_OF_DECISION[name].id


def next_step(answers: Answers, current: str) -> str | None:
    here = ALL_STEPS.index(current)
    return next((s for s in steps(answers) if ALL_STEPS.index(s) > here), None)


def previous_step(answers: Answers, current: str) -> str | None:
    here = ALL_STEPS.index(current)
    return next((s for s in reversed(steps(answers)) if ALL_STEPS.index(s) < here), None)
