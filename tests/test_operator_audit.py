"""Auditing a DatadogAgent: privileges the Operator grants, fixes that remove them, inferred answers."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.audit.datadog_agent import audit_datadog_agent, findings, infer_answers, is_datadog_agent, privileges
from tui.core.operator.resource import NOT_IN_DATADOG_AGENT
from tui.core.output.bundle import ADMISSION_FILES
from tui.core.output.operator import datadog_agent

from strategies import answers_strategy

BARE = {
    "apiVersion": "datadoghq.com/v2alpha1",
    "kind": "DatadogAgent",
    "metadata": {"name": "datadog", "namespace": "monitoring"},
    "spec": {"global": {"credentials": {"apiKey": "0123456789abcdef"}}},
}


def apply_changes(resource: dict[str, Any], changes) -> dict[str, Any]:
    out = copy.deepcopy(resource)
    for dotted, value in changes:
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return out


def test_a_bare_resource_reports_the_operator_defaults():
    ids = {f.id for f in findings(BARE)}
    assert {
        "plaintext-secret",
        "runs-as-root",
        "dsd-socket-unneeded",
        "apm-unrequested",
        "system-probe-unrequested",
    } <= ids
    what = [p.what for p in privileges(BARE)]
    assert "root (runAsUser 0)" in what
    assert any("/var/run/datadog rw" in w for w in what)
    assert all(p.source == "Operator default" for p in privileges(BARE) if "socket" in p.what)


def test_host_pid_is_flagged_only_when_nothing_needs_it():
    needless = copy.deepcopy(BARE)
    needless["spec"]["override"] = {"nodeAgent": {"hostPID": True}}
    assert "hostpid-unneeded" in {f.id for f in findings(needless)}
    with_npm = copy.deepcopy(needless)
    with_npm["spec"]["features"] = {"npm": {"enabled": True}}
    assert "hostpid-unneeded" not in {f.id for f in findings(with_npm)}
    assert privileges(with_npm)[0].what == "hostPID"


def test_applying_every_fix_clears_every_finding_but_infos():
    fixed = copy.deepcopy(BARE)
    fixed["spec"]["override"] = {"nodeAgent": {"hostPID": True, "hostNetwork": True}}
    fixed["spec"]["features"] = {"dogstatsd": {"hostPortConfig": {"enabled": True}}}
    for _ in range(3):
        for finding in findings(fixed):
            fixed = apply_changes(fixed, finding.changes)
    assert [f.id for f in findings(fixed)] == []
    assert [p.what for p in privileges(fixed)] == []


def test_ddsecure_output_is_recognised_and_audits_clean_for_every_preset():
    for name in preset_names():
        answers = layer([load_preset(name).answers])
        resource = datadog_agent(answers)
        assert is_datadog_agent(resource)
        report = audit_datadog_agent(resource, f"{name}.yaml")
        assert [f.id for f in report.findings if f.severity not in ("info", "low")] == [], name
        unexpressed = {k: getattr(Answers(), k) for k in NOT_IN_DATADOG_AGENT}
        assert report.answers == answers.replace(**unexpressed).as_dict()
        assert report.kind == "datadog-agent"


@settings(max_examples=40, deadline=None)
@given(
    answers=answers_strategy(),
)
def test_answers_round_trip_through_the_datadog_agent(answers):
    inferred, _ = infer_answers(datadog_agent(answers))
    # The CRD has no field for these; the Operator decides that RBAC itself.
    assert inferred == answers.replace(**{k: getattr(Answers(), k) for k in NOT_IN_DATADOG_AGENT})
    # What remains is exactly what the answers chose: root and host ports.
    expected = {
        "runs-as-root": not answers.non_root,
        "host-port": answers.dogstatsd == "udp-hostport" or answers.apm == "tcp-hostport",
    }
    assert {f.id for f in findings(datadog_agent(answers))} == {k for k, chosen in expected.items() if chosen}


# --- through `ddsecure audit` ---------------------------------------------------------------------


def _audit(tmp_path, text: str, *extra: str) -> tuple[int, str, str]:
    import io

    from tui.cli import main

    path = tmp_path / "datadog-agent.yaml"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(path), *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_audit_command_reads_ddsecure_output_as_clean(tmp_path):
    from tui.core.deployment import Deployment
    from tui.core.output.bundle import render_datadog_agent

    code, out, err = _audit(tmp_path, render_datadog_agent(Deployment.of(Answers())), "--fail-on", "low")
    assert (code, err) == (0, "")
    assert "DatadogAgent for the Datadog Operator" in out and "nothing to fix" in out


def test_audit_command_reports_privileges_and_writes_the_operator_bundle(tmp_path):
    import json

    text = (
        "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog, namespace: dd}\n"
        "spec:\n  global: {credentials: {apiSecret: {secretName: s, keyName: api-key}}}\n"
        "  override: {nodeAgent: {hostPID: true}}\n"
    )
    code, out, _ = _audit(tmp_path, text, "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["kind"] == "datadog-agent"
    assert "hostpid-unneeded" in {f["id"] for f in document["findings"]}
    assert {"privilege": "hostPID", "key": "spec.override.nodeAgent.hostPID", "source": "set in file"} in document[
        "privileges"
    ]
    code, out, _ = _audit(tmp_path, text, "--fix", "-o", str(tmp_path / "fixed"))
    assert code == 1
    # no answers.yaml: `generate --answers` could not write the user's own resource again; no fence: the
    # answers cannot express processDiscovery and liveContainerCollection, which stay on by Operator default
    assert sorted(p.name for p in (tmp_path / "fixed").iterdir()) == sorted(
        ["datadog-agent.yaml", "namespace.yaml", "privileges.json", "REPORT.md"]
    )
    assert "spec.features.processDiscovery.enabled on (Operator default; the answers cannot express it)" in out
    assert "+  override: {nodeAgent: {hostPID: false" in out
    fixed = (tmp_path / "fixed" / "datadog-agent.yaml").read_text()
    assert "hostPID: false" in fixed and "secretName: s" in fixed
    code, out, _ = _audit(tmp_path, text, "--format", "sarif")
    assert json.loads(out)["runs"][0]["results"]


V1ALPHA1 = (  # a real user's resource in the layout the Operator served before v2alpha1
    "apiVersion: datadoghq.com/v1alpha1\nkind: DatadogAgent\nmetadata: {name: datadog}\nspec:\n"
    "  credentials: {apiKey: <DATADOG_API_KEY>}\n  agent:\n    apm: {enabled: false}\n"
    "    log: {enabled: false}\n"
)


def test_an_older_datadog_agent_version_is_refused_not_read_as_v2alpha1(tmp_path):
    """Read as v2alpha1, its spec.agent settings would be missed and the Operator's defaults reported."""
    code, out, err = _audit(tmp_path, V1ALPHA1)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "datadoghq.com/v1alpha1 DatadogAgent" in err and "convert" in err


def test_a_repository_reports_the_older_version_as_not_audited_and_audits_the_rest(tmp_path):
    from tui.cli import main

    (tmp_path / "old.yaml").write_text(V1ALPHA1)
    (tmp_path / "new.yaml").write_text(V1ALPHA1.replace("v1alpha1", "v2alpha1").split("spec:")[0])
    out, err = io.StringIO(), io.StringIO()
    assert main(["audit", str(tmp_path)], out=out, err=err) == 2
    assert "new.yaml (DatadogAgent for the Datadog Operator)" in out.getvalue()
    assert "old.yaml (not audited)" in out.getvalue() and "datadoghq.com/v1alpha1 DatadogAgent" in err.getvalue()


@pytest.mark.parametrize(
    ("field", "yaml_value"),
    [("spec.global", '"oops"'), ("spec.override.nodeAgent", "[1, 2]"), ("spec.features", "7"), ("spec", "oops")],
)
def test_a_field_that_is_not_a_map_is_a_finding_not_a_crash(tmp_path, field, yaml_value):
    *parents, last = field.split(".")
    indent = "".join(f"{'  ' * i}{part}:\n" for i, part in enumerate(parents))
    text = (
        "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog}\n"
        f"{indent}{'  ' * len(parents)}{last}: {yaml_value}\n"
    )
    code, out, err = _audit(tmp_path, text, "--format", "json")
    assert (code, err) == (1, "")
    import json

    found = [f for f in json.loads(out)["findings"] if f["id"] == "wrong-type"]
    assert [f["key"] for f in found] == [field]
    assert "must be a map" in found[0]["message"]


def test_well_formed_resources_have_no_not_a_map_finding():
    assert "wrong-type" not in {f.id for f in findings(BARE)}


def test_a_container_without_its_hardening_is_named_and_the_generated_resource_is_not():
    soft = copy.deepcopy(datadog_agent(Answers()))
    agent = soft["spec"]["override"]["nodeAgent"]["containers"]["agent"]["securityContext"]
    agent.pop("allowPrivilegeEscalation")
    hardening = [f for f in findings(soft) if f.id == "operator-container-hardening"]
    assert [f.key for f in hardening] == ["spec.override.nodeAgent.containers.agent.securityContext"]
    assert "allowPrivilegeEscalation" in hardening[0].message
    assert "operator-container-hardening" not in {f.id for f in findings(datadog_agent(Answers()))}


@pytest.mark.parametrize("feature", ["npm", "usm", "cws", "oomKill", "tcpQueueLength"])
def test_service_discovery_is_not_blamed_for_system_probe_when_the_file_enables_an_ebpf_feature(feature):
    resource = copy.deepcopy(BARE)
    resource["spec"]["features"] = {feature: {"enabled": True}}
    assert "system-probe-unrequested" not in {f.id for f in findings(resource)}
    assert "system-probe-unrequested" in {f.id for f in findings(BARE)}


def test_host_pid_from_a_feature_set_in_the_file_is_credited_to_that_feature():
    resource = copy.deepcopy(BARE)
    resource["spec"]["features"] = {"npm": {"enabled": True}}
    pid = next(p for p in privileges(resource) if p.what == "hostPID")
    assert pid.key == "spec.features.npm.enabled"
    assert pid.source != "Operator default" and "set in file" in pid.source and "npm" in pid.source


OVERRIDES = {  # a real user's overrides (the tester's dda-ovr.yaml): each one grants a privilege
    "nodeAgent": {
        "volumes": [{"name": "etcd-certs", "hostPath": {"path": "/etc/kubernetes/pki/etcd"}}],
        "containers": {
            "agent": {
                "volumeMounts": [{"name": "etcd-certs", "mountPath": "/host/etc/kubernetes/pki/etcd"}],
                "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"]}},
            }
        },
        "securityContext": {"seLinuxOptions": {"type": "spc_t"}},
    }
}


def _with_overrides() -> dict[str, Any]:
    resource = copy.deepcopy(BARE)
    resource["spec"]["override"] = copy.deepcopy(OVERRIDES)
    return resource


def test_overrides_that_grant_privileges_are_listed_and_found():
    resource = _with_overrides()
    rows = {p.what: (p.key, p.source) for p in privileges(resource)}
    agent = "spec.override.nodeAgent.containers.agent.securityContext"
    assert rows["privileged (container agent)"] == (f"{agent}.privileged", "set in file")
    assert rows["capabilities NET_ADMIN, SYS_PTRACE (container agent)"] == (f"{agent}.capabilities.add", "set in file")
    etcd = rows["hostPath /etc/kubernetes/pki/etcd rw (volume etcd-certs: agent)"]
    assert etcd == ("spec.override.nodeAgent.volumes", "set in file")
    assert rows["SELinux type spc_t (pod)"][0] == "spec.override.nodeAgent.securityContext.seLinuxOptions"
    found = {f.id: f for f in findings(resource)}
    assert found["privileged-container"].changes == ((f"{agent}.privileged", False),)
    assert found["privileged-container"].severity == "high"
    assert found["capabilities-added"].changes == ((f"{agent}.capabilities.add", None),)
    assert "NET_ADMIN" in found["capabilities-added"].message
    assert "spec.override.nodeAgent.volumes" in found["custom-host-path"].fix
    assert found["custom-host-path"].severity == "medium"
    selinux = found["pss-seLinuxOptions"]
    assert "spc_t" in selinux.message and "spec.override.nodeAgent.securityContext.seLinuxOptions" in selinux.fix
    assert selinux.changes == (("spec.override.nodeAgent.securityContext.seLinuxOptions", None),)


def test_a_root_filesystem_override_is_host_root():
    resource = copy.deepcopy(BARE)
    resource["spec"]["override"] = {"nodeAgent": {"volumes": [{"name": "root", "hostPath": {"path": "/"}}]}}
    assert "host-root" in {f.id for f in findings(resource)}
    assert "hostPath / rw (volume root: declared, mounted by no container)" in [p.what for p in privileges(resource)]


def test_the_hardening_fix_keeps_the_other_fixes_made_to_the_same_context():
    """Each fix sets only its own fields: the hardening edit does not write privileged: true back."""
    fixed = _with_overrides()
    for finding in sorted(findings(fixed), key=lambda f: f.severity != "high"):
        fixed = apply_changes(fixed, finding.changes)
    context = fixed["spec"]["override"]["nodeAgent"]["containers"]["agent"]["securityContext"]
    assert context["privileged"] is False and "add" not in context["capabilities"]
    assert context["allowPrivilegeEscalation"] is False


def _with_features(**features: Any) -> dict[str, Any]:
    resource = copy.deepcopy(BARE)
    resource["spec"]["features"] = features
    return resource


def test_cspm_and_the_host_sbom_bring_the_host_filesystem_and_audit_capabilities():
    resource = _with_features(cspm={"enabled": True}, sbom={"enabled": True, "host": {"enabled": True}})
    report = audit_datadog_agent(resource, "dda.yaml")
    rows = {p.what: p.key for p in report.privileges}
    assert rows["security-agent with AUDIT_CONTROL, AUDIT_READ (CSPM)"] == "spec.features.cspm.enabled"
    assert any(w.startswith("hostPath / ro") and "CSPM" in w for w in rows)
    assert rows["hostPath / ro (SBOM of the host: agent)"] == "spec.features.sbom.host.enabled"
    roots = [f for f in report.findings if f.id == "host-root"]
    assert {f.key for f in roots} == {"spec.features.cspm.enabled", "spec.features.sbom.host.enabled"}
    assert {f.severity for f in roots} == {"info"}
    assert report.unmodelled == [] and report.ledger_complete


def test_otlp_receivers_open_host_ports_by_operator_default():
    grpc = "spec.features.otlp.receiver.protocols.grpc.hostPortConfig.enabled"
    resource = _with_features(otlp={"receiver": {"protocols": {"grpc": {"enabled": True}, "http": {"enabled": True}}}})
    rows = {p.what: (p.key, p.source) for p in privileges(resource)}
    assert rows["hostPort 4317/TCP (OTLP gRPC)"] == (grpc, "Operator default")
    assert "hostPort 4318/TCP (OTLP HTTP)" in rows
    ports = [f for f in findings(resource) if f.id == "hostport-unneeded"]
    assert [f.changes for f in ports if f.key == grpc] == [((grpc, False),)]
    closed = _with_features(
        otlp={"receiver": {"protocols": {"grpc": {"enabled": True, "hostPortConfig": {"enabled": False}}}}}
    )
    assert not [p for p in privileges(closed) if "4317" in p.what]
    assert "hostport-unneeded" not in {f.id for f in findings(closed)}


@pytest.mark.parametrize(
    ("features", "unseen"),
    [
        ({"otelCollector": {"enabled": True, "ports": [{"containerPort": 4317, "hostPort": 4317}]}}, "otelCollector"),
        ({"gpu": {"enabled": True}}, "gpu"),
        ({"sbom": {"enabled": True, "containerImage": {"enabled": True}}}, "sbom.containerImage"),
        ({"someFutureFeature": {"nested": {"enabled": True}}}, "someFutureFeature"),
    ],
)
def test_a_feature_the_model_does_not_follow_makes_the_ledger_partial(tmp_path, features, unseen):
    report = audit_datadog_agent(_with_features(**features), "dda.yaml")
    assert [u["key"] for u in report.unmodelled] == [f"spec.features.{unseen}"]
    assert not report.ledger_complete
    assert "system-probe-unrequested" not in {f.id for f in report.findings} or unseen != "gpu"
    text = (
        "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog}\n"
        f"spec:\n  features: {json.dumps(features)}\n"
    )
    _, out, _ = _audit(tmp_path, text)
    assert f"partial ledger: the model cannot see spec.features.{unseen}" in out


@pytest.mark.parametrize("feature", ["remoteConfiguration", "asm", "clusterChecks", "kubeStateMetricsCore"])
def test_features_that_give_the_node_agent_no_privilege_leave_the_ledger_complete(feature):
    assert audit_datadog_agent(_with_features(**{feature: {"enabled": True}}), "dda.yaml").unmodelled == []


# --- audit --fix: the user's own resource, edited ----------------------------------------------------

KEEP = """\
# the tester's dda-keep.yaml, with a comment and a second document
apiVersion: v1
kind: Namespace
metadata: {name: datadog}
---
apiVersion: datadoghq.com/v2alpha1
kind: DatadogAgent
metadata:
  name: datadog
spec:
  global:
    clusterName: shukawam-cluster  # our cluster
    credentials:
      apiSecret:
        secretName: datadog-secret
        keyName: key
    kubelet:
      tlsVerify: false
  features:
    logCollection:
      enabled: true
    cspm:
      enabled: true
    clusterChecks:
      enabled: true
"""


def _fix(tmp_path, text: str, *extra: str) -> tuple[str, Path]:
    code, out, err = _audit(tmp_path, text, "--fix", "-o", str(tmp_path / "fixed"), *extra)
    assert err == "" and code in (0, 1)
    return out, tmp_path / "fixed"


def test_fix_writes_the_users_own_resource_with_only_the_findings_edits(tmp_path):
    from tui.core.audit.audit import audit_text
    from tui.core.yamlio.reader import helm_documents

    out, fixed = _fix(tmp_path, KEEP)
    written = (fixed / "datadog-agent.yaml").read_text()
    report = audit_text(KEEP, "datadog-agent.yaml")
    changes = [c for f in report.findings if f.severity != "info" for c in f.changes]
    namespace, resource = helm_documents(KEEP, "x").documents
    assert helm_documents(written, "x").documents == [namespace, apply_changes(resource, changes)]
    # everything else is the user's text, line for line, comments included
    kept = [line for line in KEEP.splitlines() if line.strip() != "spec:"]
    assert all(line in written.splitlines() for line in kept), written
    assert written.startswith("# the tester's dda-keep.yaml")
    assert "keyName: key" in written and "tlsVerify: false" in written and "cspm:" in written
    # the summary is a diff of the file, not a list of wishes
    assert "changes to your file (each applied finding's edit, nothing else):" in out
    assert "+++ " in out and "-  features:" not in out
    assert "applied to your DatadogAgent" in out


def test_fix_leaves_out_the_fence_when_the_resource_holds_what_the_prediction_cannot(tmp_path):
    text = (
        "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog, namespace: dd}\n"
        "spec:\n  global: {credentials: {apiSecret: {secretName: s, keyName: api-key}}}\n"
        "  override:\n    nodeAgent:\n      volumes:\n        - name: etcd-certs\n"
        "          hostPath: {path: /etc/kubernetes/pki/etcd}\n"
        "      containers:\n        agent:\n          securityContext: {privileged: true}\n"
    )
    out, fixed = _fix(tmp_path, text)
    names = {p.name for p in fixed.iterdir()}
    assert not names & set(ADMISSION_FILES)
    assert "no admission-policy.yaml or kyverno-exception.yaml: a fence drawn from the prediction" in out
    assert "hostPath /etc/kubernetes/pki/etcd rw" in out
    written = (fixed / "datadog-agent.yaml").read_text()
    assert "privileged: false" in written and "etcd-certs" in written  # the volume has no automatic edit
    document = json.loads((fixed / "privileges.json").read_text())
    assert document["admission"]["fence"] is None and document["notPredicted"]
    report = (fixed / "REPORT.md").read_text()
    assert "kubectl apply -f admission-policy.yaml" not in report and "## Admission: no fence" in report
    assert "custom-host-path" in report and "no automatic edit" in report


def test_fix_json_reports_what_it_wrote_and_the_diff(tmp_path):
    _, out, _ = _audit(tmp_path, KEEP, "--fix", "-o", str(tmp_path / "fixed"), "--format", "json")
    fix = json.loads(out)["fix"]
    assert {Path(p).name for p in fix["written"]} >= {"datadog-agent.yaml", "privileges.json"}
    assert fix["diff"].startswith("--- ") and "+" in fix["diff"]
    assert {d["status"] for d in fix["decisions"]} <= {"applied", "manual", "refused"}
    assert all(d["status"] == "applied" for d in fix["decisions"] if d["id"] == "apm-unrequested")


def test_fix_writes_the_fence_when_the_prediction_holds_everything_the_resource_grants(tmp_path):
    text = (
        "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog, namespace: dd}\n"
        "spec:\n  global: {credentials: {apiSecret: {secretName: s, keyName: api-key}}}\n  features:\n"
        "    liveContainerCollection: {enabled: false}\n    processDiscovery: {enabled: false}\n"
        "    serviceDiscovery: {enabled: false}\n    npm: {enabled: true}\n"
    )
    out, fixed = _fix(tmp_path, text)
    assert set(ADMISSION_FILES) <= {p.name for p in fixed.iterdir()}
    assert "no admission-policy.yaml" not in out
    assert "notPredicted" not in json.loads((fixed / "privileges.json").read_text())


def test_single_step_instrumentation_asks_for_apm():
    """apm.instrumentation (the tester's dda-sspi.yaml) injects tracers that send to the Agent: APM is wanted."""
    resource = _with_features(apm={"instrumentation": {"enabled": True}})
    assert "apm-unrequested" not in {f.id for f in findings(resource)}
    assert "apm-unrequested" in {f.id for f in findings(BARE)}
