"""One model of what the Operator makes of a DatadogAgent (`tui.core.operator.features`), read by the Operator
output and by the DatadogAgent audit: the resource ddsecure writes, read back through the model, says
what the answers chose, and the predicted pod's hostPID is the model's."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings

from tui.core.answers.contract import PROCESS_AGENT_FEATURES, SYSTEM_PROBE_FEATURES
from tui.core.deployment import Deployment
from tui.core.operator.features import HOST_PID_FEATURES, SWITCHES, OperatorAgent
from tui.core.operator.resource import operator_host_pid
from tui.core.output.operator import datadog_agent

from strategies import answers_strategy

TUI = Path(__file__).resolve().parents[1] / "tui"


@settings(max_examples=30, deadline=None)
@given(answers=answers_strategy())
def test_the_written_resource_read_back_through_the_model_is_the_answers(answers):
    model = OperatorAgent(datadog_agent(answers))
    assert model.on("dsd_socket") == (answers.dogstatsd == "uds")
    assert model.on("dsd_host_port") == (answers.dogstatsd == "udp-hostport")
    assert model.on("apm") == (answers.apm != "off")
    assert model.on("apm_host_port") == (answers.apm == "tcp-hostport")
    assert set(model.system_probe) == set(answers.system_probe)
    assert not model.on("service_discovery")
    assert model.on("containers") == model.on("process_discovery") == answers.process_collection
    assert model.host_pid[0] == operator_host_pid(answers)[0] == Deployment.of(answers).operator.pod["hostPID"]
    assert bool(model.host_pid_needed_by()) == model.host_pid[0]  # ddsecure never writes an unneeded hostPID


def test_an_empty_resource_gets_the_operators_defaults():
    model = OperatorAgent({"kind": "DatadogAgent"})
    assert {name for name, switch in SWITCHES.items() if model.on(name)} == {
        "dsd_socket",
        "apm",
        "apm_socket",
        "containers",
        "process_discovery",
    }
    assert model.on("service_discovery")  # no pinned version: assumed 7.78 or later
    assert not OperatorAgent({"spec": {"override": {"nodeAgent": {"image": {"tag": "7.77.0"}}}}}).on(
        "service_discovery"
    )
    assert model.run_as_user == 0 and model.host_pid == (False, "")
    assert model.overridden_containers() == ("agent", "trace-agent", "init-volume", "init-config")


def test_each_feature_set_is_written_once():
    """No module spells a feature set again: each is written where it is defined and imported elsewhere."""
    defined_in = {
        tuple(HOST_PID_FEATURES): "operator/features.py",
        tuple(PROCESS_AGENT_FEATURES): "answers/contract.py",
        tuple(SYSTEM_PROBE_FEATURES): "answers/contract.py",
    }
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.Set, ast.List)) and all(isinstance(e, ast.Constant) for e in node.elts):
                spelled = tuple(sorted(str(e.value) for e in node.elts))
                for feature_set, home in defined_in.items():
                    if spelled == tuple(sorted(feature_set)):
                        assert path.as_posix().endswith(home), f"{path}:{node.lineno} spells {feature_set} again"
