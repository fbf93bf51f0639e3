"""Issue 18 item 7: the wizards' RBAC summary adds up; REPORT.md says why its per-feature counts do not."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings

from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.output.cluster_report import report_section, summary_lines

from strategies import answers_strategy

_COUNT = re.compile(r"^  [^(]*\((\d+)\)")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_strategy())
def test_the_summary_counts_add_up_to_the_total(answers):
    ledger = Deployment.of(answers).cluster
    lines = summary_lines(ledger)
    total = int(lines[0].split()[0])
    assert total == len(ledger.grants)
    counts = [int(m.group(1)) for line in lines[1:] if (m := _COUNT.match(line))]
    assert len(counts) == len(lines) - 1  # every line below the total has a count
    assert sum(counts) == total


def test_the_default_summary_and_the_report_explain_the_shared_permissions():
    deployment = Deployment.of(Answers())
    lines = summary_lines(deployment.cluster)
    assert lines[0].startswith("92 RBAC permissions")
    shared = [line for line in lines if "needed by two features or more" in line]
    assert shared == ["  needed by two features or more (20)"]
    report = "\n".join(report_section(deployment))
    assert "20 of the 92 permissions are needed by two features or more and are listed under each" in report
