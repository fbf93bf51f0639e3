"""Issue 18 item 4: what REPORT.md and the review say follows the current answers; a feature that is off
never gets the blame for a privilege."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings

from tui.app.review_screen import privileges_text
from tui.core.answers.contract import ANSWER_SPECS, Answers
from tui.core.deployment import Deployment
from tui.core.output.report import render_report

from strategies import answers_strategy

# A "needed by" cell names answers: "dogstatsd=udp or udp-hostport", "system_probe=usm, oom-kill",
# "dogstatsd=uds + origin_detection", "apm (any transport)", "process_collection (as root) or system_probe=cws".
_ID = "|".join(sorted(ANSWER_SPECS, key=len, reverse=True))
_ALTERNATIVE = re.compile(rf" or (?=(?:{_ID})\b)")
_REFERENCE = re.compile(rf"\b({_ID})(?:=([a-z0-9.-]+(?:(?:, | or )[a-z0-9.-]+)*))?")


def holds(answer_id: str, values: str, answers: Answers) -> bool:
    current = getattr(answers, answer_id)
    if not values:  # a bare id: the feature is on
        return current not in (False, (), "off", None)
    wanted = set(re.split(", | or ", values))
    return bool(set(current) & wanted) if isinstance(current, tuple) else str(current).lower() in wanted


def assert_names_only_current_answers(text: str, answers: Answers) -> None:
    """At least one alternative the text names holds, with every answer it names in that alternative."""
    alternatives = [_REFERENCE.findall(part) for part in _ALTERNATIVE.split(text)]
    alternatives = [refs for refs in alternatives if refs]
    if alternatives:
        assert any(all(holds(i, v, answers) for i, v in refs) for refs in alternatives), (
            f"{text!r} names only answers that are not chosen: {answers.changed_from_defaults()}"
        )


def needed_by_cells(report: str) -> list[str]:
    table = report.split("## Privileges kept")[1].split("\n## ")[0]
    return [row.split(" | ")[1] for row in table.splitlines() if row.startswith("| ") and " | " in row][1:]


def apps_line(report: str) -> str:
    return next(line for line in report.splitlines() if line.startswith("- Application namespaces:"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_strategy())
def test_report_and_review_blame_only_features_that_are_on(answers):
    report = render_report(Deployment.of(answers))
    for cell in needed_by_cells(report):
        assert_names_only_current_answers(cell, answers)
    review = privileges_text(answers).plain
    if not answers.admission_controller:
        assert "admission controller" not in apps_line(report)
        assert "admission controller" not in review
        assert "admission_controller" not in report.split("## Privileges kept")[1].split("\n## ")[0]


def test_the_issue_example_socket_without_the_admission_controller():
    answers = Answers(dogstatsd="uds", admission_controller=False)
    line = apps_line(render_report(Deployment.of(answers)))
    assert "privileged" in line and "admission controller" not in line
    assert "you add the mount" in line
    injected = apps_line(render_report(Deployment.of(answers.replace(admission_controller=True, apm="uds"))))
    assert "the admission controller adds the mount" in injected


def test_dogstatsd_udp_kept_for_the_admission_controller_names_it_not_dogstatsd_udp():
    answers = Answers(dogstatsd="uds", apm="tcp-local-service", admission_controller=True)
    cells = needed_by_cells(render_report(Deployment.of(answers)))
    assert any(cell.startswith("admission_controller") for cell in cells)
    assert not any("dogstatsd=udp" in cell for cell in cells)
