"""The privilege fence and the Kyverno exception: the bundle's own pods are admitted, each single extra
privilege is denied with a message naming it, and the objects are ones their API servers accept.

The fence's CEL is evaluated with cel-python (tests/admission_cel.py) on the model's pods here, and on
the real render in test_admission_real_helm.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from hypothesis import HealthCheck, given, settings

from tui.core.admission.fence import FENCE_FILE, cel_literal, policy_objects
from tui.core.admission.kyverno import CONTROLS, KYVERNO_FILE, exception_objects
from tui.core.admission.profiles import Profile, profiles
from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.pod_security import CHECKS

from admission_cel import (
    EXTRAS,
    REGENERATE,
    add_capability,
    add_host_path,
    add_host_port,
    as_created,
    as_workload,
    denials,
)
from bundle_helpers import load_yaml
from strategies import answers_strategy

DATA = Path(__file__).parent / "data"
KYVERNO_SCHEMA = json.loads((DATA / "kyverno-policyexception-v2.schema.json").read_text())


def strict(schema: Any) -> Any:
    """The CRD schema with unknown fields refused, as `kubectl apply` (field validation Strict) refuses them;
    metadata is the API server's, not the CRD's, and stays open."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    open_by_design = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in schema and not open_by_design:
        out["additionalProperties"] = False
    return out


STRICT_KYVERNO = strict(KYVERNO_SCHEMA["openAPIV3Schema"])
STRICT_KYVERNO["properties"]["metadata"] = {"type": "object"}


def fence_for(answers: Answers, target: str = "helm") -> tuple[dict[str, Any], tuple[Profile, ...]]:
    found = profiles(Deployment.of(answers), target)
    return policy_objects(answers, found)[0], found


# --- the model's pods, without the chart -------------------------------------------------------------


def test_the_bundles_own_pods_and_workloads_are_admitted():
    answers = Answers()
    policy, found = fence_for(answers)
    assert [p.kind for p in found] == ["DaemonSet", "Deployment"]
    for profile in found:
        assert denials(policy, as_created(profile, answers.namespace)) == [], profile.title
        assert denials(policy, as_workload(profile, answers.namespace)) == [], profile.title
        assert denials(policy, as_created(profile, answers.namespace), "UPDATE") == []


@pytest.mark.parametrize("extra", EXTRAS)
def test_each_extra_privilege_is_denied_with_a_message_naming_it(extra):
    answers = Answers()
    policy, found = fence_for(answers)
    change, words = EXTRAS[extra]
    pod = as_created(found[0], answers.namespace)
    change(pod)
    messages = denials(policy, pod)
    assert messages and all(REGENERATE in m for m in messages)
    assert any(words in m for m in messages), messages
    workload = as_workload(found[0], answers.namespace)
    change({"spec": workload["spec"]["template"]["spec"]})  # the DaemonSet fails at kubectl apply
    assert any(words in m for m in denials(policy, workload))


def test_the_chart_default_pod_is_denied():
    from tui.core.chart.model import render_pod

    answers = Answers()
    policy, found = fence_for(answers)
    pod = as_created(found[0]._replace(pod=render_pod({"datadog": {"apiKeyExistingSecret": "s"}})), "datadog")
    messages = denials(policy, pod)
    assert any(m.startswith("hostPath /etc/redhat-release (volume etc-redhat-release)") for m in messages), messages
    assert any(m.startswith("container trace-agent") for m in messages)


def test_any_other_pod_of_the_namespace_gets_no_host_privilege():
    answers = Answers()
    policy, found = fence_for(answers)
    plain = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "debug", "namespace": "datadog"},
        "spec": {"containers": [{"name": "shell", "image": "busybox"}]},
    }
    assert denials(policy, plain) == []  # root, any name: Pod Security baseline's business, not the fence's
    # The Agent's very pod, without its controller's ownerReference, is just another pod.
    stray = as_created(found[0], "datadog")
    del stray["metadata"]["ownerReferences"]
    assert any("hostPath /proc" in m and "not a workload of the Agent" in m for m in denials(policy, stray))
    # A DaemonSet of another name is held to nothing either.
    other = as_workload(found[0]._replace(name="copy"), "datadog")
    assert denials(policy, other)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answers_strategy())
def test_every_answer_s_bundle_admits_its_own_pods_and_denies_host_pid_or_a_capability(answers):
    policy, found = fence_for(answers, "both")
    for profile in found:
        pod = as_created(profile, answers.namespace)
        assert denials(policy, pod) == [], profile.title
    node = as_created(found[0], answers.namespace)
    if not found[0].ledger.host_pid:
        node["spec"]["hostPID"] = True
        assert any("hostPID" in m for m in denials(policy, node))
    node = as_created(found[0], answers.namespace)
    add_capability(node)
    if "SYS_ADMIN" not in found[0].ledger.capabilities.get("agent", ()):
        assert any("capability SYS_ADMIN" in m for m in denials(policy, node))


@pytest.mark.parametrize("target", ["operator", "both"])
def test_operator_bundles_fence_the_operator_s_daemonset(target):
    answers = Answers(system_probe=("oom-kill",))
    files = build_bundle(answers, target=target)
    policy = load_yaml(files[FENCE_FILE].split("---\n")[0])
    _, found = fence_for(answers, target)
    operator = next(p for p in found if p.name == "datadog-agent")
    assert denials(policy, as_created(operator, "datadog")) == []
    pod = as_created(operator, "datadog")
    add_host_path(pod)
    assert any("hostPath /" in m for m in denials(policy, pod))


# --- the objects themselves ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.30", "1.33", kubernetes_validate.latest_version()])
@pytest.mark.parametrize("target", ["helm", "both"])
def test_fence_objects_validate_strictly_against_kubernetes(version, target):
    files = build_bundle(Answers(kubernetes_version="1.30" if version == "1.30" else "1.33"), target=target)
    documents = [load_yaml(text) for text in files[FENCE_FILE].split("\n---\n")]
    assert [d["kind"] for d in documents] == ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)


def test_below_1_30_there_is_no_fence_and_the_report_says_why():
    files = build_bundle(Answers(kubernetes_version="1.29"))
    assert FENCE_FILE not in files
    assert f"No `{FENCE_FILE}`: kubernetes_version=1.29" in files["REPORT.md"]
    assert "validatingadmissionpolicy" not in files["REPORT.md"]
    assert json.loads(files["privileges.json"])["admission"]["fence"] is None


@pytest.mark.parametrize("target", ["helm", "operator", "both"])
def test_kyverno_exception_validates_against_kyverno_s_crd_schema(target):
    files = build_bundle(Answers(system_probe=("npm",), dogstatsd="udp-hostport"), target=target)
    documents = [load_yaml(text) for text in files[KYVERNO_FILE].split("\n---\n")]
    assert documents
    for document in documents:
        assert document["apiVersion"] == f"{KYVERNO_SCHEMA['group']}/{KYVERNO_SCHEMA['version']}"
        jsonschema.validate(document, STRICT_KYVERNO)
        for entry in document["spec"]["podSecurity"]:  # Kyverno requires images for container controls
            needs = {c.name for c in CONTROLS.values() if c.needs_images}
            assert ("images" in entry) == (entry["controlName"] in needs)


def test_kyverno_exception_lists_exactly_the_controls_the_ledger_breaks():
    answers = Answers(system_probe=("npm",), dogstatsd="udp-hostport")
    found = profiles(Deployment.of(answers), "helm")
    (exception,) = exception_objects(answers, found)  # the Cluster Agent breaks nothing
    node = found[0]
    broken = {CONTROLS[c].name for c in node.ledger.agent_violations}
    assert {e["controlName"] for e in exception["spec"]["podSecurity"]} == broken
    assert {"Host Ports", "Capabilities", "HostPath Volumes", "AppArmor"} <= broken
    policies = {e["policyName"]: e["ruleNames"] for e in exception["spec"]["exceptions"]}
    assert policies["disallow-host-path"] == ["host-path", "autogen-host-path"]
    assert policies["podsecurity-subrule-baseline"] == ["baseline", "autogen-baseline"]
    assert "disallow-privileged-containers" not in policies  # nothing runs privileged
    names = [r["resources"]["names"] for r in exception["spec"]["match"]["any"]]
    assert names == [["datadog"], ["datadog-?????"]]


def test_the_strict_kyverno_schema_refuses_an_unknown_field():
    document = load_yaml(build_bundle(Answers())[KYVERNO_FILE].split("\n---\n")[0])
    document["spec"]["podSecurity"][0]["controlNames"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, STRICT_KYVERNO)


def test_every_pod_security_check_maps_to_a_kyverno_control_schema_accepts():
    controls = KYVERNO_SCHEMA["openAPIV3Schema"]["properties"]["spec"]["properties"]["podSecurity"]["items"]
    names = set(controls["properties"]["controlName"]["enum"])
    unmapped = {c.id for c in CHECKS} - set(CONTROLS)
    assert unmapped == {"hostProbesAndHostLifecycle"}  # no Kyverno control for it (and the Agent never breaks it)
    assert {c.name for c in CONTROLS.values()} <= names


def test_cel_literals_are_homogeneous_as_kubernetes_requires():
    assert cel_literal({"a": ["X"], "b": []}) == "{'a': ['X'], 'b': []}"
    assert cel_literal("it's") == "'it\\'s'"
    with pytest.raises(TypeError):
        cel_literal({"a": 1, "b": "x"})
    with pytest.raises(TypeError):
        cel_literal([1, "x"])


# --- the bundles of audit --fix and generate --base ------------------------------------------------


@pytest.mark.parametrize("command", ["fix", "base"])
def test_fixed_and_based_bundles_carry_a_fence_for_the_pod_they_install(command, tmp_path):
    import io

    from tui.cli import main

    from bundle_helpers import pod_from_files, read_bundle

    values = tmp_path / "values.yaml"
    values.write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n  logs:\n    enabled: true\n")
    argv = ["audit", str(values), "--fix"] if command == "fix" else ["generate", "--base", str(values)]
    code = main([*argv, "-o", str(tmp_path / "out")], io.StringIO(), io.StringIO())
    assert code in (0, 1)
    files = read_bundle(tmp_path / "out")
    assert FENCE_FILE in files and KYVERNO_FILE in files
    policy = load_yaml(files[FENCE_FILE].split("\n---\n")[0])
    pod = pod_from_files(files)  # the user's edited values, rendered and patched
    name = json.loads(files["privileges.json"])["daemonset"]
    profile = Profile("DaemonSet", name, name, pod, ledger_of_pod(pod))
    assert denials(policy, as_created(profile, "datadog")) == []
    denied = as_created(profile, "datadog")
    add_host_path(denied)
    assert any("hostPath / (volume host-root)" in m for m in denials(policy, denied))
    assert "## Admission: the ledger enforced" in files["REPORT.md"]


# Standard CEL (cel-spec): what the fence may call. Kubernetes' libraries (strings, lists, regex, url, ip,
# quantity, sets, optionals...) are not here, so the API server and cel-python read the same language.
STANDARD_CEL_CALLS = {"has", "all", "exists", "filter", "size", "string", "startsWith"}


@pytest.mark.parametrize("target", ["helm", "both"])
def test_the_fence_calls_only_standard_cel(target):
    import re

    answers = Answers(system_probe=("npm",), dogstatsd="udp-hostport")
    policy, _ = fence_for(answers, target)
    spec = policy["spec"]
    texts = [v["expression"] for v in spec["variables"]]
    texts += [t for v in spec["validations"] for t in (v["expression"], v["messageExpression"])]
    for text in texts:
        code = re.sub(r"'(?:[^'\\]|\\.)*'", "''", text)  # string literals may hold anything
        assert set(re.findall(r"([A-Za-z_]\w*)\s*\(", code)) <= STANDARD_CEL_CALLS, text
        assert "?." not in code and "[?" not in code  # no optional types


def test_cel_literals_refuse_a_map_beside_a_list():
    with pytest.raises(TypeError):
        cel_literal({"a": {}, "b": []})


def test_under_host_network_the_defaulted_host_ports_are_admitted():
    """The API server sets hostPort = containerPort for a hostNetwork pod: those are the ledger's listeners."""
    answers = Answers(dogstatsd="udp")
    node = fence_for(answers)[1][0]
    pod = copy.deepcopy(dict(node.pod)) | {"hostNetwork": True}
    profile = node._replace(pod=pod, ledger=ledger_of_pod(pod))
    policy = policy_objects(answers, [profile])[0]
    created = as_created(profile, "datadog")
    ports = [p for c in created["spec"]["containers"] for p in c.get("ports", [])]
    assert ports
    for port in ports:
        port["hostPort"] = port["containerPort"]
    assert denials(policy, created) == []
    add_host_port(created)
    assert any("hostPort 9999" in m for m in denials(policy, created))


@pytest.mark.parametrize("target", ["helm", "both"])
def test_a_cluster_agent_with_host_access_is_fenced_to_its_own_ledger(target):
    """clusterAgent.useHostNetwork and a hostPath in clusterAgent.volumes: the fence admits exactly them (for
    "both" too, where a Cluster Agent without host access is held to what any pod may do)."""
    values = {
        "datadog": {"apiKeyExistingSecret": "datadog-secret"},
        "clusterAgent": {
            "useHostNetwork": True,
            "volumes": [{"name": "certs", "hostPath": {"path": "/etc/ssl/certs"}}],
            "volumeMounts": [{"name": "certs", "mountPath": "/etc/ssl/certs", "readOnly": True}],
        },
    }
    deployment = Deployment.of_values(values)
    files = build_bundle(deployment.answers, target=target, deployment=deployment)
    policy = load_yaml(files[FENCE_FILE].split("---\n")[0])
    agent = next(p for p in profiles(deployment, target) if p.name == "datadog-cluster-agent")
    assert agent.ledger.host_network and [g.path for g in agent.ledger.host_paths] == ["/etc/ssl/certs"]
    assert denials(policy, as_created(agent, "datadog")) == []
    pod = as_created(agent, "datadog")
    pod["spec"]["volumes"].append({"name": "host-root", "hostPath": {"path": "/"}})  # one it does not list
    assert any("hostPath /" in m for m in denials(policy, pod))
    plain = Deployment.of_values({"datadog": {"apiKeyExistingSecret": "datadog-secret"}})
    names = [p.name for p in profiles(plain, target)]
    assert ("datadog-cluster-agent" in names) == (target == "helm")
