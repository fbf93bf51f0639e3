"""What an option would change before the user picks it: the privilege delta of one answer."""

from __future__ import annotations

from typing import Any

from tui.core.answers import Answers
from tui.core.cluster_report import cluster_delta
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.privileges import ledger_delta


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
