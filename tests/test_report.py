"""REPORT.md says what the deployment keeps, why, and only the notes that concern these answers."""

from __future__ import annotations

from hypothesis import given, settings

from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.output.report import render_report

from strategies import answers_strategy


@settings(max_examples=40, deadline=None)
@given(answers=answers_strategy())
def test_every_kept_privilege_is_in_the_report(answers):
    deployment = Deployment(answers)
    report = render_report(deployment)
    ledger = deployment.ledger
    for grant in ledger.host_paths:
        assert f"hostPath `{grant.path}` {grant.mode}" in report
    assert ("| hostPID |" in report) == ledger.host_pid
    for port in ledger.host_ports:
        assert f"hostPort {port}" in report
    assert f"Agent namespace: **{ledger.agent_level}**" in report
    assert f"Application namespaces: **{ledger.app_level}**" in report


def test_notes_only_concern_the_answers_given():
    root_socket = render_report(Deployment(Answers(dogstatsd="uds", origin_detection=True, run_as="root")))
    assert "hostPID with ptrace-capable code" in root_socket
    assert "As non-root" not in root_socket and "Over UDP" not in root_socket
    assert "Host checklist" not in root_socket

    old = render_report(Deployment(Answers(agent_version="7.59.0", process_collection=True)))
    assert "Before Agent 7.60 this adds a process-agent container." in old
    new = render_report(Deployment(Answers(process_collection=True)))
    assert "Before Agent 7.60" not in new and "numeric UIDs" in new


def test_orchestrator_process_agent_note_only_when_the_explorer_is_chosen_before_7_51():
    note = "Before Agent 7.51 it adds a process-agent container to every node."
    assert note in render_report(Deployment(Answers(agent_version="7.50.3", orchestrator_explorer=True)))
    assert note not in render_report(Deployment(Answers(agent_version="7.50.3")))
    assert note not in render_report(Deployment(Answers(agent_version="7.51.0", orchestrator_explorer=True)))


def test_the_report_compares_with_the_chart_defaults():
    report = render_report(Deployment(Answers()))
    assert "- − hostPID" in report and "- − /var/run ro" in report and "- − container system-probe" in report
