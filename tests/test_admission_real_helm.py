"""With the real chart, helm and kustomize: the fence admits the pods the bundle really deploys, denies
each extra privilege and the chart's default pod, and `audit --expect` checks a whole-cluster dump.

Runs when DDSECURE_CHART_DIR points at a renderable datadog chart and helm and kubectl are on PATH.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main
from tui.core.admission.fence import FENCE_FILE
from tui.core.admission.profiles import Profile
from tui.core.answers.contract import Answers
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import pod_spec_of
from tui.core.yamlio.commented import dump

from admission_cel import EXTRAS, REGENERATE, as_created, denials
from bundle_helpers import deploy_as_documented, helm_template, load_yaml

ANSWERS = Answers(dogstatsd="uds", logs="all")  # no hostPID: each extra one is testable


@pytest.fixture(scope="module")
def deployed(chart_tools, tmp_path_factory) -> tuple[Path, dict[str, str], list[dict[str, Any]]]:
    directory = tmp_path_factory.mktemp("fence")
    files, documents = deploy_as_documented(chart_tools, ANSWERS, directory)
    return directory, files, documents


def _fence(files: dict[str, str]) -> list[dict[str, Any]]:
    return [load_yaml(text) for text in files[FENCE_FILE].split("\n---\n")]


def _workload(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(d for d in documents if d.get("kind") == kind)


def _pod_of(workload: dict[str, Any]) -> dict[str, Any]:
    name = workload["metadata"]["name"]
    profile = Profile(workload["kind"], name, name, pod_spec_of(workload), ledger_of_pod(pod_spec_of(workload)))
    return as_created(profile, workload["metadata"].get("namespace", "datadog"))


def test_the_rendered_workloads_and_their_pods_are_admitted(deployed):
    _, files, documents = deployed
    policy = _fence(files)[0]
    for kind in ("DaemonSet", "Deployment"):
        workload = _workload(documents, kind)
        assert denials(policy, workload) == [], kind
        assert denials(policy, _pod_of(workload)) == [], kind


@pytest.mark.parametrize("extra", EXTRAS)
def test_each_extra_privilege_on_the_rendered_pod_is_denied_by_name(deployed, extra):
    _, files, documents = deployed
    policy = _fence(files)[0]
    pod = _pod_of(_workload(documents, "DaemonSet"))
    change, words = EXTRAS[extra]
    if extra == "root":
        words = "container agent in the node Agent (DaemonSet datadog) must run as UID"
    change(pod)
    messages = denials(policy, pod)
    assert any(words in m and REGENERATE in m for m in messages), messages


def test_the_chart_default_pod_is_denied(deployed, chart_tools, tmp_path):
    _, files, _ = deployed
    policy = _fence(files)[0]
    (tmp_path / "empty.yaml").write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    rendered = [d for d in load_all(helm_template(chart_tools, "datadog", "datadog", tmp_path / "empty.yaml")) if d]
    pod = _pod_of(_workload(rendered, "DaemonSet"))
    messages = denials(policy, pod)
    assert any(m.startswith("hostPath ") for m in messages), messages
    assert denials(policy, _workload(rendered, "DaemonSet"))  # and helm's DaemonSet itself, at kubectl apply


def load_all(text: str) -> list[Any]:
    from ruamel.yaml import YAML

    return list(YAML(typ="safe", pure=True).load_all(text))


# --- audit --expect on a whole-cluster dump --------------------------------------------------------


def _dump(documents: list[dict[str, Any]], files: dict[str, str]) -> dict[str, Any]:
    """What `kubectl get ds,deploy,clusterrole,...,validatingadmissionpolicybinding -A -o yaml` prints after
    the documented install: the applied objects of those kinds, with what the API server adds."""
    kinds = {"DaemonSet", "Deployment", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Namespace"}
    items = [copy.deepcopy(d) for d in documents if d.get("kind") in kinds]
    items += _fence(files)
    for item in items:
        meta = item.setdefault("metadata", {})
        meta.update(uid="1f2e", resourceVersion="4711", creationTimestamp="2026-01-01T00:00:00Z")
        if item["kind"] == "Namespace":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        if item["kind"] in ("DaemonSet", "Deployment"):
            item["status"] = {"observedGeneration": 1}
    # Another team's objects, which the comparison must ignore.
    items.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
    items.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "system:auth-delegator"},
            "rules": [{"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]}],
        }
    )
    return {"apiVersion": "v1", "kind": "List", "items": items}


def _audit(directory: Path, dump_document: dict[str, Any]) -> tuple[int, str]:
    (directory / "live.yaml").write_text(dump(dump_document))
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(directory / "live.yaml"), "--expect", str(directory / "privileges.json")], out, err)
    return code, out.getvalue() + err.getvalue()


def test_a_dump_of_the_documented_install_matches(deployed):
    directory, files, documents = deployed
    code, out = _audit(directory, _dump(documents, files))
    assert code == 0, out
    assert "grants exactly what" in out
    assert "HIGH" in out or "MEDIUM" in out  # findings stay in the output; they do not decide the exit


def _item(dump_document: dict[str, Any], kind: str, name: str | None = None) -> dict[str, Any]:
    return next(
        i for i in dump_document["items"] if i["kind"] == kind and (name is None or i["metadata"]["name"] == name)
    )


def add_rule_to_the_agent_s_role(dump_document):
    role = _item(dump_document, "ClusterRole", "datadog")
    role["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})


def change_the_namespace_label(dump_document):
    labels = _item(dump_document, "Namespace", "datadog")["metadata"]["labels"]
    labels["pod-security.kubernetes.io/warn"] = "privileged"


def remove_the_fence(dump_document):
    dump_document["items"] = [i for i in dump_document["items"] if i["kind"] != "ValidatingAdmissionPolicy"]


def add_a_capability(dump_document):
    pod = _item(dump_document, "DaemonSet")["spec"]["template"]["spec"]
    agent = next(c for c in pod["containers"] if c["name"] == "agent")
    agent.setdefault("securityContext", {}).setdefault("capabilities", {})["add"] = ["NET_ADMIN"]


def bind_cluster_admin(dump_document):
    dump_document["items"].append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "oops"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "datadog-extra"},
            "subjects": [{"kind": "ServiceAccount", "name": "datadog", "namespace": "datadog"}],
        }
    )
    dump_document["items"].append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "datadog-extra"},
            "rules": [{"apiGroups": ["apps"], "resources": ["daemonsets"], "verbs": ["patch"]}],
        }
    )


DRIFTS = {
    "extra rule": (add_rule_to_the_agent_s_role, "+ RBAC grant cluster||secrets|*|get (not in privileges.json)"),
    "extra binding": (bind_cluster_admin, "+ RBAC grant cluster|apps|daemonsets|*|patch (not in privileges.json)"),
    "namespace label": (
        change_the_namespace_label,
        'namespace datadog label pod-security.kubernetes.io/warn: "baseline" expected, "privileged" found',
    ),
    "missing fence": (remove_the_fence, "ValidatingAdmissionPolicy ddsecure-fence-datadog-datadog"),
    "capability": (add_a_capability, "+ capability NET_ADMIN (agent) (not in privileges.json)"),
}


@pytest.mark.parametrize("drift", DRIFTS)
def test_each_single_drift_is_caught_on_its_own_line(deployed, drift):
    directory, files, documents = deployed
    dump_document = _dump(documents, files)
    change, line = DRIFTS[drift]
    change(dump_document)
    code, out = _audit(directory, dump_document)
    assert code == 1, out
    compared = out.split("Compared with", 1)[1].splitlines()[1:]
    assert any(line in entry for entry in compared), out
    lines = [entry for entry in compared if entry.startswith("  ")]
    # One line for the drift, besides the Pod Security violations a new capability brings.
    assert len([entry for entry in lines if "Pod Security violation" not in entry]) == 1, lines
    assert (drift == "capability") == any("Pod Security violation" in entry for entry in lines)
    assert all(len(entry) < 200 for entry in lines), lines


def test_a_cluster_agent_with_host_access_is_listed_and_admitted(chart_tools, tmp_path):
    """clusterAgent.useHostNetwork (a custom CNI the control plane cannot reach) and a hostPath of the node's
    CA bundle: the bundle `audit --fix` writes lists both in privileges.json, and its fence admits the
    Cluster Agent helm renders."""
    import json

    from ruamel.yaml import YAML

    from tui.core.cluster.grants import workloads_of

    source = tmp_path / "values.yaml"
    source.write_text(
        "datadog:\n  apiKeyExistingSecret: datadog-secret\nclusterAgent:\n  useHostNetwork: true\n"
        "  volumes: [{name: certs, hostPath: {path: /etc/ssl/certs}}]\n"
        "  volumeMounts: [{name: certs, mountPath: /etc/ssl/certs, readOnly: true}]\n"
    )
    bundle = tmp_path / "bundle"
    main(["audit", str(source), "--fix", "-o", str(bundle)], out=io.StringIO(), err=io.StringIO())
    text = helm_template(chart_tools, "datadog", "datadog", bundle / "values.yaml")
    rendered = [d for d in YAML(typ="safe", pure=True).load_all(text) if d]
    agent = next(d for d in rendered if d["kind"] == "Deployment" and d["metadata"]["name"] == "datadog-cluster-agent")
    assert pod_spec_of(agent)["hostNetwork"] is True
    cluster = json.loads((bundle / "privileges.json").read_text())["cluster"]
    listed = cluster["workloads"]["datadog-cluster-agent"]
    assert workloads_of([agent])["datadog-cluster-agent"] == listed
    assert listed["hostNetwork"] is True and listed["hostPaths"] == {"/etc/ssl/certs": "ro"}
    policy = _fence({FENCE_FILE: (bundle / FENCE_FILE).read_text()})[0]
    assert denials(policy, agent) == [] and denials(policy, _pod_of(agent)) == []
    # and without the listing, the same fence would refuse it: the test can fail
    stripped = copy.deepcopy(policy)
    for variable in stripped["spec"]["variables"]:
        if variable["name"] == "fenceHostNetwork":
            variable["expression"] = "[]"
    assert denials(stripped, agent)
