"""What an option would change before the user picks it: the privilege delta of one answer, and the
Pod Security checks an option breaks, both computed from the model rather than written beside the option."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.cluster_report import cluster_delta
from tui.core.pod.ledger import ledger_delta


def option_delta(answers: Answers, decision_id: str, value: Any) -> list[str]:
    """ "+ hostPID", "− /var/run/datadog rw", … if `decision_id` were set to `value`."""
    try:
        changed = answers.replace(**{decision_id: value})
    except AnswerError:
        return []
    if changed == answers:
        return []
    before, after = Deployment.of(answers), Deployment.of(changed)
    return ledger_delta(before.ledger, after.ledger) + cluster_delta(before.cluster, after.cluster)


@lru_cache(maxsize=256)
def option_checks(decision_id: str, value: Any, answers: Answers | None = None) -> tuple[str, ...]:
    """The Pod Security checks choosing `value` breaks, as "level: what kubectl reports".

    Compared with the least-privilege choice for the same decision (its default, or for a list the
    same list without `value`), all other answers as given (the defaults unless `answers`): a check
    counts when it fails with `value` and passes without it, or fails over more of the pod.
    """
    base = answers or Answers()
    current = getattr(base, decision_id)
    try:
        if isinstance(current, tuple):
            chosen = base.replace(**{decision_id: (*current, value)})
            without = base.replace(**{decision_id: tuple(v for v in current if v != value)})
        else:
            chosen = base.replace(**{decision_id: value})
            without = base.replace(**{decision_id: getattr(Answers(), decision_id)})
    except AnswerError:
        return ()
    before = {r.check_id: r for r in Deployment.of(without).pod_security_results}
    out = []
    for result in Deployment.of(chosen).pod_security_results:
        old = before[result.check_id]
        if not result.allowed and (old.allowed or old.detail != result.detail):
            out.append(f"{result.level}: {result.reason}")
    return tuple(dict.fromkeys(out))
