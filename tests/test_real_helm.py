"""With the real chart, helm and kustomize: the bundle renders to exactly the pod the ledger describes.

Runs when DDSECURE_CHART_DIR points at a renderable datadog chart and helm and kubectl are on PATH;
skips with the reason otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.chart.model import render_pod
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.bundle import KUSTOMIZATION
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset, pod_spec_of, privilege_projection

from bundle_helpers import deploy_as_documented, helm_refusal, helm_template, load_yaml
from strategies import answers_strategy


def _deploy_as_documented(tools, answers: Answers, directory: Path) -> dict:
    """Write the bundle, run helm template and kubectl kustomize the way the file headers say."""
    files, documents = deploy_as_documented(tools, answers, directory)
    daemonset = find_node_agent_daemonset(documents)
    assert daemonset is not None
    if KUSTOMIZATION in files:  # the kustomization creates the namespace, once
        namespaces = [d for d in documents if d.get("kind") == "Namespace"]
        assert [n["metadata"]["name"] for n in namespaces] == [answers.namespace]
    return {"files": files, "pod": pod_spec_of(daemonset)}


def load_yaml_all(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load_all(text)


def _assert_matches(answers: Answers, real_pod: dict, files: dict) -> None:
    deployment = Deployment(answers)
    assert privilege_projection(real_pod) == privilege_projection(deployment.pod)
    real_ledger = ledger_of_pod(real_pod, app_socket_dirs=deployment.app_socket_dirs).as_json()
    written = json.loads(files["privileges.json"])
    assert {k: written[k] for k in real_ledger} == real_ledger
    # kustomize must keep init-volume before init-config (it reorders patched init containers).
    assert [c["name"] for c in real_pod["initContainers"]][:2] == ["init-volume", "init-config"]


@pytest.mark.parametrize("preset", preset_names())
def test_preset_renders_to_its_ledger(preset, chart_tools, tmp_path):
    answers = layer([load_preset(preset).answers])
    result = _deploy_as_documented(chart_tools, answers, tmp_path)
    _assert_matches(answers, result["pod"], result["files"])


@pytest.mark.parametrize(
    "changes",
    [
        {"runtime": "docker", "logs": "all", "dogstatsd": "uds", "apm": "tcp-hostport"},
        {
            "runtime": "cri-o",
            "apm": "uds",
            "dogstatsd": "udp-hostport",
            "release_name": "dd",
            "namespace": "monitoring",
        },
        {"agent_version": "7.47.2", "process_collection": True, "run_as": "root", "dogstatsd": "off"},
        {"agent_version": "7.50.3", "system_probe": ("npm",), "run_as": "nonroot"},
    ],
)
def test_tricky_answers_render_to_their_ledger(changes, chart_tools, tmp_path):
    answers = Answers().replace(**changes)
    result = _deploy_as_documented(chart_tools, answers, tmp_path)
    _assert_matches(answers, result["pod"], result["files"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers_strategy())
def test_sampled_answers_render_to_their_ledger(answers, chart_tools, tmp_path_factory):
    directory = tmp_path_factory.mktemp("bundle")
    result = _deploy_as_documented(chart_tools, answers, directory)
    _assert_matches(answers, result["pod"], result["files"])


CHART_VALUE_CASES = [
    {},
    {"datadog": {"discovery": {"enabled": False}, "logs": {"enabled": True}}},
    {"datadog": {"networkMonitoring": {"enabled": True}, "securityContext": {"runAsUser": 100}}},
    {"datadog": {"securityAgent": {"runtime": {"enabled": True}, "compliance": {"enabled": True}}}},
    {"datadog": {"serviceMonitoring": {"enabled": True}, "systemProbe": {"seccomp": "runtime/default"}}},
    {"datadog": {"dogstatsd": {"useSocketVolume": False}, "apm": {"portEnabled": True}}},
    {"agents": {"image": {"tag": "7.50.3"}}, "datadog": {"processAgent": {"processCollection": True}}},
    {"datadog": {"dockerSocketPath": "/var/run/docker.sock", "useHostPID": False}, "agents": {"useHostNetwork": True}},
    {"datadog": {"securityContext": {}, "disablePasswdMount": True, "osReleasePath": ""}},
]


@pytest.mark.parametrize("values", CHART_VALUE_CASES, ids=lambda v: json.dumps(v, sort_keys=True)[:60])
def test_chart_model_predicts_helm(values, chart_tools, tmp_path):
    """The model the audit relies on, for values ddsecure would never write."""
    values = {**values, "datadog": {**values.get("datadog", {}), "apiKey": "placeholder"}}
    (tmp_path / "v.json").write_text(json.dumps(values))
    rendered = helm_template(chart_tools, "dd", "default", tmp_path / "v.json")
    daemonset = find_node_agent_daemonset(list(load_yaml_all(rendered)))
    assert privilege_projection(pod_spec_of(daemonset)) == privilege_projection(render_pod(values))


def test_helper_reads_yaml():
    assert load_yaml("a: 1") == {"a": 1}


def test_autopilot_system_probe_is_refused_where_the_chart_fails_and_renders_where_accepted(chart_tools, tmp_path):
    """Found by drawing every platform: before GKE v1.32.1-gke.1729000 the chart renders Autopilot's legacy pod,
    and helm fails on eBPF features. ddsecure renders 1.32 as v1.32.0, so it refuses them there up front."""
    with pytest.raises(AnswerError, match="GKE Autopilot"):
        Answers(platform="gke-autopilot", system_probe=("npm",), kubernetes_version="1.32")
    _deploy_as_documented(
        chart_tools, Answers(platform="gke-autopilot", system_probe=("npm",), kubernetes_version="1.33"), tmp_path
    )


# Values the chart fails on (check-cluster-name and NOTES.txt's checks), each beside a near miss it renders.
CHART_FAILURES = {
    "cluster name with capitals": ("datadog: {clusterName: MyCluster}", True),
    "cluster name placeholder": ("datadog: {clusterName: '<CLUSTER_NAME>'}", True),
    "cluster name ending in a dot": ("datadog: {clusterName: prod.}", True),
    "cluster name with an underscore": ("datadog: {clusterName: prod_eu}", False),
    "cluster name starting with a digit": ("datadog: {clusterName: 1cluster}", False),
    "systemProbe.enabled true": ("datadog: {systemProbe: {enabled: true}}", True),
    "systemProbe.enabled false": ("datadog: {systemProbe: {enabled: false}}", False),
    "SSI without the Cluster Agent": (
        "datadog: {apm: {instrumentation: {enabled: true}}}\nclusterAgent: {enabled: false}",
        True,
    ),
    "SSI without the admission controller": (
        "datadog: {apm: {instrumentation: {enabled: true}}}\nclusterAgent: {admissionController: {enabled: false}}",
        True,
    ),
    "SSI with both namespace lists": (
        "datadog: {apm: {instrumentation: {enabledNamespaces: [a], disabledNamespaces: [b]}}}",
        True,
    ),
    "SSI in CSI mode without the CSI driver": (
        "datadog: {apm: {instrumentation: {enabled: true, injectionMode: csi}}}",
        True,
    ),
    "SSI": ("datadog: {apm: {instrumentation: {enabled: true}}}", False),
    "an old Cluster Agent tag": ("clusterAgent: {image: {tag: 1.19.9}}", True),
    "a Cluster Agent tag that is no version": ("clusterAgent: {image: {tag: abc}}", True),
    "the oldest Cluster Agent tag": ("clusterAgent: {image: {tag: 1.20.0}}", False),
    "the Cluster Agent's latest tag": ("clusterAgent: {image: {tag: latest}}", False),
    "an env entry without a name": ("agents: {containers: {agent: {env: [{value: x}]}}}", True),
    "a PDB with both limits": ("clusterAgent: {pdb: {create: true, minAvailable: 1, maxUnavailable: 1}}", True),
    "a PDB with one limit": ("clusterAgent: {pdb: {create: true, minAvailable: 1}}", False),
    "both limits, no PDB": ("clusterChecksRunner: {pdb: {minAvailable: 1, maxUnavailable: 1}}", False),
    "Operator migration without kept CRDs": ("datadog: {operator: {migration: {enabled: true}}}", True),
}


@pytest.mark.parametrize("case", CHART_FAILURES)
def test_the_model_refuses_exactly_where_helm_fails(case, chart_tools, tmp_path):
    from tui.core.chart.model import NodeAgentChart
    from tui.core.yamlio.helm import merge_maps

    text, fails = CHART_FAILURES[case]
    values = merge_maps({"datadog": {"apiKeyExistingSecret": "datadog-secret"}}, load_yaml(text))
    refusal = helm_refusal(chart_tools, json.dumps(values), tmp_path)
    assert bool(refusal) == fails, refusal
    assert bool(NodeAgentChart(values).refusal()) == fails


@pytest.mark.parametrize("value", [7500, True, "x", 0])
def test_the_agents_env_is_printed_as_the_chart_prints_it(value, chart_tools, tmp_path):
    """additional-env-entries quotes a set value (7500 is "7500": no pod the API server refuses) and
    prints valueFrom for an unset one."""
    values = {"datadog": {"apiKeyExistingSecret": "s"}, "agents": {"containers": {"agent": {"env": [
        {"name": "DD_X", "value": value}
    ]}}}}  # fmt: skip
    path = tmp_path / "values.json"
    path.write_text(json.dumps(values))
    rendered = helm_template(chart_tools, "datadog", "datadog", path)
    daemonset = find_node_agent_daemonset(list(load_yaml_all(rendered)))
    agent = next(c for c in pod_spec_of(daemonset)["containers"] if c["name"] == "agent")
    theirs = [e for e in agent.get("env", []) if e["name"] == "DD_X"][-1]
    ours = next(c for c in render_pod(values)["containers"] if c["name"] == "agent")["env"][-1]
    assert {k: v for k, v in theirs.items() if v is not None} == ours
