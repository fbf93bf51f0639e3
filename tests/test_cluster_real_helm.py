"""With the real chart, helm and kustomize: privileges.json's cluster section is what the cluster gets.

For every preset, some tricky answers and a hypothesis sample, the bundle is rendered the way its
file headers say (helm template, then kubectl kustomize with the RBAC patches), the RBAC and the
Deployments are read back with the same reader the model uses, and compared. Skips without the chart.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.cluster.grants import DANGERS_BY_ID, grants_of, workloads_of
from tui.core.cluster.model import cluster_objects

from bundle_helpers import deploy_as_documented, helm_template, load_yaml
from strategies import answers_strategy, expected_dangers


def _documents(text: str) -> list:
    from ruamel.yaml import YAML

    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d]


def _check(answers: Answers, files: dict[str, str], documents: list) -> None:
    cluster = json.loads(files["privileges.json"])["cluster"]
    assert grants_of(documents, answers.namespace) == cluster["grants"]
    assert workloads_of(documents) == cluster["workloads"]
    from tui.core.deployment import Deployment

    ledger = Deployment(answers).cluster
    assert set(ledger.dangers) == expected_dangers(answers)
    report = files["REPORT.md"]
    for danger in ledger.dangers:
        assert DANGERS_BY_ID[danger].title in report, danger
    for workload in cluster["workloads"].values():
        for context in [*workload["initContainers"].values(), *workload["containers"].values()]:
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["readOnlyRootFilesystem"] is True
        assert workload["securityContext"]["runAsNonRoot"] is True
        assert workload["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


@pytest.mark.parametrize("preset", preset_names())
def test_preset_cluster_grants_equal_the_render(preset, chart_tools, tmp_path):
    answers = layer([load_preset(preset).answers])
    files, documents = deploy_as_documented(chart_tools, answers, tmp_path)
    _check(answers, files, documents)
    # The documented check: auditing what kustomize builds against privileges.json, RBAC included.
    import io

    from tui.cli import main
    from tui.core.yamlio.commented import dump

    (tmp_path / "built.yaml").write_text("---\n".join(dump(d) for d in documents))
    out = io.StringIO()
    argv = ["audit", str(tmp_path / "built.yaml"), "--expect", str(tmp_path / "privileges.json"), "--format", "json"]
    main(argv, out=out, err=io.StringIO())
    expected = json.loads(out.getvalue())["expected"]
    assert expected["agrees"], expected["differences"]


@pytest.mark.parametrize(
    "changes",
    [
        {"kubernetes_version": "1.30", "admission_controller": True, "release_name": "dd", "namespace": "monitoring"},
        {"orchestrator_explorer": True, "agent_version": "7.50.3", "secret_metrics": True},
        {"kubernetes_events": True, "agent_version": "7.81.1-jmx", "apm": "uds", "admission_controller": True},
    ],
)
def test_tricky_answers_cluster_grants_equal_the_render(changes, chart_tools, tmp_path):
    answers = Answers().replace(**changes)
    files, documents = deploy_as_documented(chart_tools, answers, tmp_path)
    _check(answers, files, documents)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers_strategy())
def test_sampled_answers_cluster_grants_equal_the_render(answers, chart_tools, tmp_path_factory):
    files, documents = deploy_as_documented(chart_tools, answers, tmp_path_factory.mktemp("bundle"))
    _check(answers, files, documents)


CLUSTER_VALUE_CASES = [
    {},
    {"clusterAgent": {"enabled": False}},
    {"clusterAgent": {"metricsProvider": {"enabled": True, "useDatadogMetrics": True, "wpaController": True}}},
    {"datadog": {"securityAgent": {"compliance": {"enabled": True}}, "kubelet": {"useApiServer": True}}},
    {"datadog": {"secretBackend": {"command": "/readsecret_multiple_providers.sh"}, "leaderElection": False}},
    {"datadog": {"secretBackend": {"roles": [{"namespace": "apps", "secrets": ["db"]}]}}},
    {
        "providers": {"gke": {"autopilot": True}},
        "datadog": {"secretBackend": {"roles": [{"namespace": "a", "secrets": ["s"]}]}},
    },
    {"datadog": {"orchestratorExplorer": {"networkCRDs": {"enabled": True}}, "collectEvents": False}},
    {
        "datadog": {"kubeStateMetricsCore": {"collectVpaMetrics": True, "collectApiServicesMetrics": True}},
        "agents": {"image": {"tag": "7.71.0"}},
    },
    {
        "clusterAgent": {
            "admissionController": {
                "webhookName": "hook",
                "remoteInstrumentation": {"enabled": True},
                "cwsInstrumentation": {"enabled": True},
            },
            "securityContext": {"runAsUser": 1000},
        },
        "datadog": {"apm": {"instrumentation": {"enabled": True}}},
    },
    {"clusterAgent": {"useHostNetwork": True}},  # EKS with a custom CNI: the webhook on the node's network
    {  # the node's CA bundle, and a writable directory, from the node
        "clusterAgent": {
            "volumes": [
                {"name": "certs", "hostPath": {"path": "/etc/ssl/certs"}},
                {"name": "scratch", "hostPath": {"path": "/var/tmp/dca"}},
                {"name": "empty", "emptyDir": {}},
            ],
            "volumeMounts": [
                {"name": "certs", "mountPath": "/etc/ssl/certs", "readOnly": True},
                {"name": "scratch", "mountPath": "/scratch"},
            ],
        }
    },
]


@pytest.mark.parametrize("values", CLUSTER_VALUE_CASES, ids=lambda v: json.dumps(v, sort_keys=True)[:70])
def test_cluster_model_predicts_helm(values, chart_tools, tmp_path):
    """The model the audit relies on, for values ddsecure would never write."""
    values = {
        **values,
        "datadog": {
            **values.get("datadog", {}),
            "apiKey": "placeholder",
            "operator": {**values.get("datadog", {}).get("operator", {}), "enabled": False},
        },
    }
    (tmp_path / "v.json").write_text(json.dumps(values))
    documents = _documents(helm_template(chart_tools, "dd", "default", tmp_path / "v.json"))
    model = cluster_objects(values, "dd", "default")
    assert grants_of(model.objects, "default") == grants_of(documents, "default")
    assert workloads_of(model.objects) == workloads_of(documents)


def test_helper_reads_yaml():
    assert load_yaml("a: 1") == {"a": 1}


@pytest.mark.parametrize(
    "changes",
    [
        {"dogstatsd": "uds", "apm": "tcp-local-service"},
        {"dogstatsd": "uds", "apm": "tcp-hostport"},
        {"dogstatsd": "udp", "apm": "uds"},
        {"dogstatsd": "uds", "apm": "uds"},
    ],
)
def test_the_rendered_injection_mode_points_apps_at_open_listeners(changes, chart_tools, tmp_path):
    """The Cluster Agent's real env says where apps go; the real agent container listens there."""
    from tui.core.answers.app_endpoints import app_endpoints, injection_mode

    answers = Answers(admission_controller=True).replace(**changes)
    _, documents = deploy_as_documented(chart_tools, answers, tmp_path)

    def env_of(kind: str, container: str) -> dict:
        doc = next(
            d
            for d in documents
            if d["kind"] == kind and any(c["name"] == container for c in d["spec"]["template"]["spec"]["containers"])
        )
        spec = next(c for c in doc["spec"]["template"]["spec"]["containers"] if c["name"] == container)
        return {e["name"]: e.get("value") for e in spec.get("env") or []} | {"__ports__": spec.get("ports") or []}

    dca = env_of("Deployment", "cluster-agent")
    assert dca["DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE"] == injection_mode(answers)
    agent = env_of("DaemonSet", "agent")
    udp = any(p["containerPort"] == 8125 and p.get("protocol") == "UDP" for p in agent["__ports__"])
    if app_endpoints(answers).dogstatsd in ("service", "hostip"):
        assert udp and agent.get("DD_DOGSTATSD_PORT") != "0"
        assert agent["DD_DOGSTATSD_NON_LOCAL_TRAFFIC"] == "true"
    else:
        assert not udp and agent["DD_DOGSTATSD_PORT"] == "0"


def _cluster_ids(report) -> dict[str, str]:
    """The cluster-level findings of an audit and the key each points at (values' unmodelled note aside)."""
    chosen = (f for f in report.findings if f.id.startswith("cluster-") or f.id == "operator-bundled")
    return {f.id: f.key for f in chosen if f.id != "cluster-rbac-unmodelled"}


@pytest.mark.parametrize(
    "values",
    [
        {},  # the chart's default: the Operator subchart is on
        {"datadog": {"operator": {"enabled": False}}},
        {"clusterAgent": {"enabled": False}, "datadog": {"kubelet": {"fineGrainedAuthorization": True}}},
        {"agents": {"rbac": {"create": False}}},
    ],
    ids=lambda v: json.dumps(v, sort_keys=True)[:70],
)
def test_manifest_audit_attributes_the_bundled_operators_rbac_as_the_values_audit_does(values, chart_tools, tmp_path):
    """`helm template` renders the Operator subchart's RBAC (on by default) for its own ServiceAccount: the
    manifest audit reports it as `operator-bundled` with `datadog.operator.enabled: false`, which really removes
    it, and the node Agent's and Cluster Agent's findings are those the values audit predicts for the file."""
    from tui.core.audit.audit import audit_text
    from tui.core.yamlio.commented import dump

    values = {**values, "datadog": {**values.get("datadog", {}), "apiKeyExistingSecret": "datadog-secret"}}
    text = dump(values)
    (tmp_path / "values.yaml").write_text(text)
    rendered = helm_template(chart_tools, "datadog", "datadog", tmp_path / "values.yaml")
    manifests = audit_text(rendered, "rendered.yaml")
    assert _cluster_ids(manifests) == _cluster_ids(audit_text(text, "values.yaml"))
    operator_on = values["datadog"].get("operator", {}).get("enabled", True)
    accounts = {(d["kind"], d["metadata"]["name"]) for d in _documents(rendered)}
    assert (("ServiceAccount", "datadog-operator") in accounts) == operator_on
    said = [f for f in manifests.findings if f.id == "operator-bundled"]
    assert len(said) == int(operator_on)
    for finding in said:
        assert finding.fix == "datadog.operator.enabled: false"
        assert "RBAC writes" in finding.message and "datadog/datadog-operator" in finding.message
    # No Agent holds RBAC writes; without the Cluster Agent and with fine-grained kubelet authorization, the
    # Operator's secrets, webhooks, nodes/proxy and workload writes are nobody else's either.
    assert "cluster-rbac-writes" not in _cluster_ids(manifests)
    if "clusterAgent" in values:
        assert set(_cluster_ids(manifests)) <= {"cluster-scc-use", "operator-bundled"}
