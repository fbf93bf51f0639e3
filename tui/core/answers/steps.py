"""How the wizards group the decisions into steps: one question per step, asked in `DECISIONS` order.

Answers stay per decision id (presets, `--set`, `explain` and the answers files never see a step);
only the questions are grouped. A step is one decision, or several that are better asked together:
the cluster-level features as one checklist, the release details as one form. Both wizards walk
`applicable_steps`, so they show the same steps in the same order.
"""

from collections.abc import Callable
from typing import NamedTuple

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID, Decision, worded

SINGLE = "single"  # one decision, asked as it is (choice, bool, multi or text)
CHECKLIST = "checklist"  # boolean decisions, one tick each: ticked is true
FORM = "form"  # text (and site) decisions, one field each, accepted together


class Step(NamedTuple):
    id: str
    title: str
    question: str
    decision_ids: tuple[str, ...]
    kind: str = SINGLE
    # The current answers in one line, for a wizard that offers to keep them as they are.
    describe: Callable[[Answers], str] | None = None

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return tuple(DECISIONS_BY_ID[i] for i in self.decision_ids)

    def applicable(self, answers: Answers) -> tuple[Decision, ...]:
        """The step's decisions that earlier answers leave open."""
        return tuple(d for d in self.decisions if d.applies(answers))

    def applies(self, answers: Answers) -> bool:
        return bool(self.applicable(answers))

    def help(self, answers: Answers | None = None) -> str:
        """The help text of the step: its decision's, or each decision's under its title."""
        if self.kind == SINGLE:
            return worded(self.decisions[0].help, answers)
        return "\n\n".join(f"{d.title}: {worded(d.help, answers)}" for d in self.decisions)

    def summary(self, answers: Answers) -> str:
        """One line with the step's current answers (what a form keeps when it is accepted as it is)."""
        if self.describe is not None:
            return self.describe(answers)
        parts = []
        for decision in self.applicable(answers):
            parts.append(f"{decision.title.lower()} {decision.answer_text(answers)}")
        return ", ".join(parts)


def _single(decision: Decision) -> Step:
    return Step(decision.id, decision.title, decision.question, (decision.id,))


CLUSTER_FEATURES = Step(
    "cluster_features",
    "Cluster features",
    "Which cluster-level features do you need?",
    ("admission_controller", "orchestrator_explorer", "secret_metrics", "kubernetes_events"),
    CHECKLIST,
)


def _release_details(answers: Answers) -> str:
    cluster = f"cluster name {answers.cluster_name}" if answers.cluster_name else "no cluster name"
    return (
        f"site {answers.site}, release {answers.release_name} in namespace {answers.namespace}, "
        f"API key Secret {answers.api_key_secret}, {cluster}"
    )


RELEASE_DETAILS = Step(
    "release_details",
    "Release details",
    "Where does the release go and what is it called?",
    ("site", "cluster_name", "api_key_secret", "release_name", "namespace"),
    FORM,
    _release_details,
)
_GROUPS = (CLUSTER_FEATURES, RELEASE_DETAILS)


def _steps() -> tuple[Step, ...]:
    """Every decision once, in `DECISIONS` order; a group takes the place of its first decision."""
    grouped = {decision_id: group for group in _GROUPS for decision_id in group.decision_ids}
    out: list[Step] = []
    for decision in DECISIONS:
        group = grouped.get(decision.id)
        if group is None:
            out.append(_single(decision))
        elif group not in out:
            out.append(group)
    return tuple(out)


STEPS: tuple[Step, ...] = _steps()
STEPS_BY_ID = {s.id: s for s in STEPS}
STEP_OF_DECISION = {decision_id: s for s in STEPS for decision_id in s.decision_ids}
assert not {g.id for g in _GROUPS} & set(DECISIONS_BY_ID), "a group's id must differ from every decision id"


def applicable_steps(answers: Answers) -> list[Step]:
    """The steps still to ask for these answers (a step is skipped when earlier answers settle all of it)."""
    return [s for s in STEPS if s.applies(answers)]
