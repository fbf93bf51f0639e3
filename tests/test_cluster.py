"""Cluster-level privileges without the chart: the grant reader, the dangers, the model's answers, the audit."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from rule_fixtures import HARMLESS, bundled_operator, rbac_rule, with_rbac

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.audit.audit import audit_text
from tui.core.audit.cluster_audit import cluster_findings_for_manifests, cluster_findings_for_values
from tui.core.cluster.grants import DANGERS, DANGERS_BY_ID, Grant, dangers_of, grants_of, workloads_of
from tui.core.cluster.model import cluster_objects
from tui.core.cluster.rbac_patch import apply_rbac_patches, rbac_patches
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.bundle import build_bundle
from tui.core.output.cluster_report import chart_default_cluster
from tui.core.output.operator import datadog_agent
from tui.core.yamlio.commented import dump

from bundle_helpers import load_yaml
from strategies import answers_strategy, expected_dangers

SA = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "agent", "namespace": "ns"}}


def _role(kind: str, name: str, rules: list, namespace: str | None = None) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"kind": kind, "metadata": meta, "rules": rules}


def _binding(kind: str, role_kind: str, role: str, account: str = "agent", namespace: str | None = None) -> dict:
    meta = {"name": f"b-{role}", **({"namespace": namespace} if namespace else {})}
    return {
        "kind": kind,
        "metadata": meta,
        "roleRef": {"kind": role_kind, "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": "ns"}],
    }


def test_the_reader_expands_every_rule_into_scope_group_resource_name_verb():
    documents = [
        SA,
        _role(
            "ClusterRole",
            "c",
            [
                {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
                {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["x", "x"], "verbs": ["get"]},
            ],
        ),
        _binding("ClusterRoleBinding", "ClusterRole", "c"),
        _role("Role", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}], "ns"),
        _binding("RoleBinding", "Role", "r", namespace="ns"),
        # a ClusterRole bound by a RoleBinding applies in that namespace only
        _binding("RoleBinding", "ClusterRole", "c", namespace="other"),
        # bound to someone else's account: not the release's
        _role("ClusterRole", "foreign", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        _binding("ClusterRoleBinding", "ClusterRole", "foreign", account="stranger"),
    ]
    assert grants_of(documents) == sorted(
        [
            "cluster||url:/metrics|*|get",
            "cluster||nodes/proxy|*|get",
            "cluster|apps|deployments|x|get",
            "ns||secrets|*|list",
            "other||url:/metrics|*|get",
            "other||nodes/proxy|*|get",
            "other|apps|deployments|x|get",
        ]
    )


DANGER_CASES = {
    "secrets": ("ns||secrets|*|get", "ns||configmaps|*|get"),
    "nodes-proxy": ("cluster||nodes/proxy|*|get", "cluster||nodes/pods|*|get"),
    "webhooks": (
        "cluster|admissionregistration.k8s.io|mutatingwebhookconfigurations|*|create",
        "cluster|admissionregistration.k8s.io|mutatingwebhookconfigurations|*|get",
    ),
    "rbac-writes": (
        "cluster|rbac.authorization.k8s.io|clusterrolebindings|*|create",
        "cluster|rbac.authorization.k8s.io|roles|*|list",
    ),
    "wildcards": ("cluster|karpenter.sh|*|*|list", "cluster|karpenter.sh|nodepools|*|list"),
    "scc-use": (
        "cluster|security.openshift.io|securitycontextconstraints|privileged|use",
        "cluster|security.openshift.io|securitycontextconstraints|datadog|use",
    ),
    "workload-writes": ("cluster||configmaps|*|delete", "cluster||configmaps|*|create"),
}


@pytest.mark.parametrize("danger", [d.id for d in DANGERS])
def test_each_danger_has_a_grant_that_triggers_it_and_one_that_does_not(danger):
    dangerous, harmless = DANGER_CASES[danger]
    assert danger in dangers_of(dangerous)
    assert danger not in dangers_of(harmless)


def test_default_answers_keep_no_dangerous_class_and_shrink_the_chart_default():
    ledger = Deployment(Answers()).cluster
    assert ledger.dangers == ()
    assert len(chart_default_cluster().grants) == 230
    assert len(ledger.grants) == 92


def test_the_kubernetes_version_decides_nodes_proxy():
    assert "cluster||nodes/proxy|*|get" in Deployment(Answers(kubernetes_version="1.32")).cluster.grants
    fine = Deployment(Answers(kubernetes_version="1.33")).cluster.grants
    assert "cluster||nodes/proxy|*|get" not in fine and "cluster||nodes/pods|*|get" in fine
    with pytest.raises(AnswerError):
        Answers(kubernetes_version="1.3")
    assert layer([{"kubernetes_version": 1.32}]).kubernetes_version == "1.32"


@settings(max_examples=25, deadline=None)
@given(answers=answers_strategy())
def test_dangerous_classes_appear_only_when_an_answer_needs_them_and_are_explained(answers):
    deployment = Deployment(answers)
    assert set(deployment.cluster.dangers) == expected_dangers(answers)
    report = build_bundle(answers)["REPORT.md"]
    for danger in deployment.cluster.dangers:
        assert DANGERS_BY_ID[danger].title in report
    cluster = json.loads(build_bundle(answers)["privileges.json"])["cluster"]
    assert cluster["grants"] == sorted(cluster["grants"]) == list(deployment.cluster.grants)
    for workload in cluster["workloads"].values():
        for context in [*workload["initContainers"].values(), *workload["containers"].values()]:
            assert context["capabilities"] == {"drop": ["ALL"]} and context["readOnlyRootFilesystem"] is True


def test_the_rbac_patch_keeps_only_the_releases_own_scc_and_refuses_another_chart():
    model = cluster_objects({}, "dd", "ns")
    patches = rbac_patches(model)
    assert {p.name for p in patches} == {"dd-datadog", "dd-datadog-cluster-agent"}
    patched = apply_rbac_patches(model.objects, patches)
    scc = [g for g in grants_of(patched, "ns") if "securitycontextconstraints" in g]
    assert scc == [
        "cluster|security.openshift.io|securitycontextconstraints|dd-datadog-cluster-agent|use",
        "cluster|security.openshift.io|securitycontextconstraints|dd-datadog|use",
    ]
    entry = patches[0].kustomize_entry()
    assert json.loads(entry["patch"])[0]["op"] == "test"
    other_chart = [dict(o, rules=o["rules"][:3]) if o["kind"] == "ClusterRole" else o for o in model.objects]
    with pytest.raises((ValueError, IndexError)):
        apply_rbac_patches(other_chart, patches)


def test_presets_turn_on_what_typical_users_want_and_minimal_stays_minimal():
    counts = {name: len(Deployment(layer([load_preset(name).answers])).cluster.grants) for name in preset_names()}
    assert counts["minimal-metrics"] == 92
    assert all(count < 230 for count in counts.values()), counts
    assert Deployment(layer([load_preset("apm-logs-processes").answers])).answers.admission_controller


def test_values_harden_the_cluster_agent_and_the_datadog_agent_does_the_same():
    values = Deployment(Answers()).values["clusterAgent"]
    assert values["securityContext"] == {
        "runAsUser": 100,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    for container in ("clusterAgent", "initContainers"):
        assert values["containers"][container]["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    override = datadog_agent(Answers())["spec"]["override"]["clusterAgent"]
    assert override["securityContext"] == values["securityContext"]
    assert (
        override["containers"]["cluster-agent"]["securityContext"]
        == values["containers"]["clusterAgent"]["securityContext"]
    )


def test_the_datadog_agent_follows_the_cluster_answers():
    on = datadog_agent(Answers(admission_controller=True, orchestrator_explorer=True, kubernetes_events=True))
    off = datadog_agent(Answers())
    assert on["spec"]["features"]["admissionController"]["enabled"] is True
    assert off["spec"]["features"]["admissionController"] == {"enabled": False}
    assert off["spec"]["features"]["orchestratorExplorer"] == {"enabled": False}
    assert off["spec"]["features"]["eventCollection"] == {"collectKubernetesEvents": False}
    assert "nodes/proxy" in build_bundle(Answers(), "operator")["REPORT.md"]


# --- the audit ------------------------------------------------------------------------------------------


def _ids(findings) -> dict[str, str]:
    return {f.id: f.severity for f in findings}


def test_values_audit_finds_the_charts_dangerous_defaults_with_the_key_that_removes_each():
    found = {f.id: f for f in cluster_findings_for_values({})}
    assert set(found) == {
        "cluster-secrets",
        "cluster-nodes-proxy",
        "cluster-webhooks",
        "cluster-wildcards",
        "cluster-scc-use",
        "cluster-workload-writes",
        "cluster-rbac-unmodelled",  # the bundled Operator's own RBAC: said, not guessed
    }
    assert found["cluster-rbac-unmodelled"].key == "datadog.operator.enabled"
    assert found["cluster-secrets"].severity == "high"
    assert "datadog.kubeStateMetricsCore.collectSecretMetrics: false" in found["cluster-secrets"].fix
    assert found["cluster-nodes-proxy"].key == "datadog.kubelet.fineGrainedAuthorization"
    assert found["cluster-workload-writes"].changes == (("datadog.appsec.injector.rbac.create", False),)


def test_values_audit_is_quiet_when_the_keys_are_off_and_says_info_for_a_chosen_feature():
    generated = load_yaml(build_bundle(Answers())["values.yaml"])
    assert _ids(cluster_findings_for_values(generated)) == {"cluster-scc-use": "low"}
    chosen = load_yaml(build_bundle(Answers(admission_controller=True))["values.yaml"])
    assert _ids(cluster_findings_for_values(chosen)) == {
        "cluster-scc-use": "low",
        "cluster-secrets": "info",
        "cluster-webhooks": "info",
    }


def test_values_audit_says_when_the_rbac_is_not_modelled():
    assert "cluster-rbac-unmodelled" in _ids(cluster_findings_for_values({"clusterChecksRunner": {"enabled": True}}))
    assert "cluster-rbac-unmodelled" in _ids(cluster_findings_for_values({}))  # the bundled Operator, by default
    assert "cluster-rbac-unmodelled" not in _ids(
        cluster_findings_for_values({"datadog": {"operator": {"enabled": False}}})
    )


def test_manifest_audit_reads_rendered_rbac():
    model = cluster_objects({}, "datadog", "datadog")
    assert "cluster-secrets" in _ids(cluster_findings_for_manifests(model.objects))
    patched = Deployment(Answers())
    objects = apply_rbac_patches(patched.rendered_cluster.objects, patched.rbac_patches)
    assert cluster_findings_for_manifests(objects) == []
    assert cluster_findings_for_manifests([SA]) == []


def test_workloads_are_read_from_deployments():
    assert list(workloads_of(Deployment(Answers()).rendered_cluster.objects)) == ["datadog-cluster-agent"]


def test_explain_cluster_lists_the_kept_permissions_by_feature():
    from tui.cli import main

    out = io.StringIO()
    assert main(["explain", "cluster"], out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    assert "92 permissions" in text and "kube-state-metrics core" in text
    assert "admission_controller=true: + 30 cluster permissions (dangerous: Secrets, admission webhooks)" in text


def test_option_delta_shows_the_cluster_permissions_an_answer_adds():
    from tui.core.output.what_if import option_delta

    assert "+ 4 cluster permissions (dangerous: Secrets)" in option_delta(Answers(), "secret_metrics", True)
    assert not any("cluster" in line for line in option_delta(Answers(), "site", "datadoghq.eu"))


def test_a_grant_string_round_trips():
    text = "ns|apps|deployments|x|get"
    assert str(Grant.parse(text)) == text


def _leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _leaves(value, dotted + ".")
        else:
            yield dotted, value


def test_the_models_defaults_are_the_charts(reference_values):
    from tui.core.cluster.model import CLUSTER_DEFAULTS
    from tui.core.yamlio.dotted import lookup

    for dotted, value in _leaves(CLUSTER_DEFAULTS):
        assert lookup(reference_values, dotted) == value, dotted


def test_audit_expect_compares_the_rbac_too(tmp_path):
    """`ddsecure audit rendered.yaml --expect privileges.json` also checks cluster.grants when the RBAC is there."""
    from tui.cli import main
    from tui.core.yamlio.commented import dump

    answers = Answers()
    deployment = Deployment.of(answers)
    (tmp_path / "privileges.json").write_text(build_bundle(answers)["privileges.json"])
    daemonset = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": deployment.patch.name, "namespace": answers.namespace},
        "spec": {"template": {"spec": json.loads(json.dumps(deployment.pod))}},
    }
    objects = apply_rbac_patches(deployment.rendered_cluster.objects, deployment.rbac_patches)

    def audit(documents) -> tuple[int, str]:
        (tmp_path / "rendered.yaml").write_text("---\n".join(dump(d) for d in documents))
        out = io.StringIO()
        code = main(
            ["audit", str(tmp_path / "rendered.yaml"), "--expect", str(tmp_path / "privileges.json")],
            out=out,
            err=io.StringIO(),
        )
        return code, out.getvalue()

    code, out = audit([daemonset, *objects])
    assert code == 0 and "grants exactly what" in out
    unpatched = deployment.rendered_cluster.objects  # the chart's SCC grants, without the bundle's patch
    code, out = audit([daemonset, *unpatched])
    assert code == 1
    assert "+ RBAC grant cluster|security.openshift.io|securitycontextconstraints|privileged|use" in out


def test_rbac_writes_in_manifests_are_a_finding_and_absent_without_them():
    writer = _role(
        "ClusterRole",
        "writer",
        [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create"]}],
    )
    reader = _role("ClusterRole", "writer", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}])
    binding = _binding("ClusterRoleBinding", "ClusterRole", "writer")
    assert _ids(cluster_findings_for_manifests([SA, writer, binding])) == {"cluster-rbac-writes": "high"}
    assert cluster_findings_for_manifests([SA, reader, binding]) == []


def _audited(documents: list) -> dict:
    report = audit_text("".join("---\n" + dump(d) for d in documents), "rendered.yaml")
    return {f.id: f for f in report.findings}


# What the bundled Operator's ClusterRole holds that the Agents' roles also could: every dangerous class.
OPERATOR_RULES = [
    {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "create", "delete"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "patch", "update"]},
    {"apiGroups": ["apps"], "resources": ["daemonsets", "deployments"], "verbs": ["delete", "patch", "update"]},
    {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["*"]},
    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles", "roles"], "verbs": ["create", "bind"]},
    {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["get", "update"]},
]


def test_the_bundled_operators_grants_are_the_operators_not_the_agents():
    """`helm template` with datadog.operator.enabled (the chart's default) renders the Operator subchart's RBAC,
    bound to its own ServiceAccount: the manifest audit says `operator-bundled` with the fix that removes it,
    in the values audit's words, and blames none of it on the node Agent or the Cluster Agent."""
    found = _audited([*HARMLESS, *bundled_operator(*OPERATOR_RULES)])
    assert not [i for i in found if i.startswith("cluster-")], found  # the node Agent only gets pods
    operator = found["operator-bundled"]
    assert (operator.severity, operator.key, operator.fix) == (
        "high",
        "datadog.operator.enabled",
        "datadog.operator.enabled: false",
    )
    assert "Deployment datadog-operator" in operator.message
    assert "ServiceAccount datadog/datadog-operator holds" in operator.message
    for title in ("Secrets", "kubelet proxy", "admission webhooks", "RBAC writes", "wildcards", "workload"):
        assert title in operator.message, title
    values = audit_text("datadog:\n  apiKeyExistingSecret: x\n", "values.yaml")
    said = next(f for f in values.findings if f.id == "operator-bundled")
    assert said.fix == operator.fix
    common = "its controller may create and bind roles and run Deployments and webhooks across the cluster"
    assert common in said.message and common in operator.message
    assert "operator-bundled" not in _audited(HARMLESS)


def test_the_agents_grants_stay_the_agents_beside_the_operator():
    """The node Agent's own nodes/proxy keeps its finding and fix; the Operator's copy adds nothing to it."""
    found = _audited([*with_rbac(rbac_rule("", "nodes/proxy", "get")), *bundled_operator(*OPERATOR_RULES)])
    assert set(i for i in found if i.startswith("cluster-")) == {"cluster-nodes-proxy"}
    proxy = found["cluster-nodes-proxy"]
    assert "node Agent: kubelet API" in proxy.message and "datadog-operator" not in proxy.message
    assert "datadog.kubelet.fineGrainedAuthorization: true" in proxy.fix
    assert "operator-bundled" in found


def test_grants_of_an_account_no_datadog_workload_runs_as_are_not_the_agents():
    """A binding to a ServiceAccount no DaemonSet or Deployment of the manifests uses: the finding names the
    account, not a feature of an Agent, and offers no Agent's fix."""
    other = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "other", "namespace": "datadog"}}
    role = _role(
        "ClusterRole", "other", [{"apiGroups": [""], "resources": ["nodes/proxy", "secrets"], "verbs": ["get"]}]
    )
    binding = {
        **_binding("ClusterRoleBinding", "ClusterRole", "other", account="other"),
        "subjects": [{"kind": "ServiceAccount", "name": "other", "namespace": "datadog"}],
    }
    found = _audited([*HARMLESS, other, role, binding])
    for rule in ("cluster-nodes-proxy", "cluster-secrets"):
        finding = found[rule]
        assert "ServiceAccount datadog/other, which no Datadog workload" in finding.message
        assert "Agent:" not in finding.message and "secret backend" not in finding.message
        assert "fineGrainedAuthorization" not in finding.fix + finding.key
    assert "operator-bundled" not in found
