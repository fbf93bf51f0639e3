"""The Datadog Operator's names that the install steps print: its chart, the file it reads, the DaemonSet it writes.

Kept apart from the rest of the Operator model so that the next steps, which are imported when the
wizard starts, can name them without loading the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.answers.contract import Answers

OPERATOR_FILE = "datadog-agent.yaml"
OPERATOR_CHART = "datadog/datadog-operator"


def operator_daemonset(answers: Answers) -> str:
    """The Operator names the node-Agent DaemonSet after the DatadogAgent (our release name)."""
    return f"{answers.release_name}-agent"
