"""The API server's pod rules: each rule fires on one pod and not on its closest valid neighbour."""

from __future__ import annotations

from typing import Any

import pytest

from tui.core.pod.api_rules import KUBELET, POD_RULES, violations


def pod(*containers: dict[str, Any], volumes: list | None = None, init: list | None = None, **spec: Any) -> dict:
    out: dict[str, Any] = {"containers": list(containers) or [{"name": "agent"}], **spec}
    if volumes is not None:
        out["volumes"] = volumes
    if init is not None:
        out["initContainers"] = init
    return out


def ctx(**security_context: Any) -> dict:
    return {"name": "agent", "securityContext": security_context}


def ports(*entries: dict, name: str = "agent") -> dict:
    return {"name": name, "ports": list(entries)}


HOST = [{"name": "sock", "hostPath": {"path": "/var/run/datadog"}}]

# (rule id, pod that breaks it, closest pod that does not, Kubernetes minor)
CASES: list[tuple[str, dict, dict, int]] = [
    (
        "privileged-no-escalation",
        pod(ctx(privileged=True, allowPrivilegeEscalation=False)),
        pod(ctx(privileged=True)),
        33,
    ),
    (
        "sys-admin-no-escalation",
        pod(ctx(allowPrivilegeEscalation=False, capabilities={"add": ["CAP_SYS_ADMIN"]})),
        # the API server compares the literal name: SYS_ADMIN is admitted
        pod(ctx(allowPrivilegeEscalation=False, capabilities={"add": ["SYS_ADMIN"]})),
        33,
    ),
    ("id-range", pod(ctx(runAsUser=-1)), pod(ctx(runAsUser=0)), 33),
    ("id-range", pod(securityContext={"fsGroup": 2**31}), pod(securityContext={"fsGroup": 2**31 - 1}), 33),
    (
        "id-range",
        pod(securityContext={"supplementalGroups": ["x"]}),
        pod(securityContext={"supplementalGroups": [1]}),
        33,
    ),
    ("non-root-as-root", pod(ctx(runAsUser=0), securityContext={"runAsNonRoot": True}), pod(ctx(runAsUser=0)), 33),
    (
        "non-root-as-root",
        pod(ctx(runAsNonRoot=True), securityContext={"runAsUser": 0}),
        pod(ctx(runAsNonRoot=True, runAsUser=100), securityContext={"runAsUser": 0}),
        33,
    ),
    ("container-names", pod({"name": "agent"}, {"name": "agent"}), pod({"name": "agent"}, {"name": "trace-agent"}), 33),
    (
        "container-names",
        pod({"name": "agent"}, init=[{"name": "agent"}]),
        pod({"name": "agent"}, init=[{"name": "a"}]),
        33,
    ),
    ("container-names", pod({"name": "Agent_1"}), pod({"name": "agent-1"}), 33),
    ("volumes", pod(volumes=HOST + HOST), pod(volumes=HOST), 33),
    ("volumes", pod(volumes=[{"name": "sock", "hostPath": {"path": "/a/../etc"}}]), pod(volumes=HOST), 33),
    ("volumes", pod(volumes=[{"name": "sock", "hostPath": {"path": "/a", "type": "Dir"}}]), pod(volumes=HOST), 33),
    ("volumes", pod(volumes=[{"name": "sock", "hostPath": {"path": "/a"}, "emptyDir": {}}]), pod(volumes=HOST), 33),
    (
        "volume-mounts",
        pod({"name": "agent", "volumeMounts": [{"name": "other", "mountPath": "/a"}]}, volumes=HOST),
        pod({"name": "agent", "volumeMounts": [{"name": "sock", "mountPath": "/a"}]}, volumes=HOST),
        33,
    ),
    (
        "volume-mounts",
        pod(
            {
                "name": "agent",
                "volumeMounts": [{"name": "sock", "mountPath": "/a"}, {"name": "sock", "mountPath": "/a"}],
            },
            volumes=HOST,
        ),
        pod(
            {
                "name": "agent",
                "volumeMounts": [{"name": "sock", "mountPath": "/a"}, {"name": "sock", "mountPath": "/b"}],
            },
            volumes=HOST,
        ),
        33,
    ),
    (
        "volume-mounts",
        pod(
            {
                "name": "agent",
                "volumeMounts": [{"name": "sock", "mountPath": "/a", "mountPropagation": "Bidirectional"}],
            },
            volumes=HOST,
        ),
        pod(
            {
                "name": "agent",
                "securityContext": {"privileged": True},
                "volumeMounts": [{"name": "sock", "mountPath": "/a", "mountPropagation": "Bidirectional"}],
            },
            volumes=HOST,
        ),
        33,
    ),
    ("ports", pod(ports({"containerPort": 0})), pod(ports({"containerPort": 8125})), 33),
    (
        "ports",
        pod(ports({"containerPort": 8125, "hostPort": 70000})),
        pod(ports({"containerPort": 8125, "hostPort": 8125})),
        33,
    ),
    (
        "ports",
        pod(ports({"containerPort": 8125, "protocol": "udp"})),
        pod(ports({"containerPort": 8125, "protocol": "UDP"})),
        33,
    ),
    (
        "ports",
        pod(ports({"containerPort": 1, "name": "dogstatsdport-udp"})),
        pod(ports({"containerPort": 1, "name": "dsdport"})),
        33,
    ),
    (
        "ports",
        pod(ports({"containerPort": 1, "name": "a"}, {"containerPort": 2, "name": "a"})),
        pod(ports({"containerPort": 1, "name": "a"}, {"containerPort": 2, "name": "b"})),
        33,
    ),
    (
        "host-network-ports",
        pod(ports({"containerPort": 8125, "hostPort": 18125}), hostNetwork=True),
        pod(ports({"containerPort": 8125, "hostPort": 18125})),
        33,
    ),
    (
        "host-network-ports",
        pod(ports({"containerPort": 8125, "hostPort": 18125}), hostNetwork=True),
        pod(ports({"containerPort": 8125}), hostNetwork=True),  # the API server defaults hostPort to 8125
        33,
    ),
    (
        "host-ports-unique",
        pod(
            ports({"containerPort": 8126, "hostPort": 8126}), ports({"containerPort": 8126, "hostPort": 8126}, name="b")
        ),
        pod(
            ports({"containerPort": 8126, "hostPort": 8126}),
            ports({"containerPort": 8126, "hostPort": 8126, "protocol": "UDP"}, name="b"),
        ),
        33,
    ),
    (
        "profiles",
        pod(ctx(seccompProfile={"type": "Localhost"})),
        pod(ctx(seccompProfile={"type": "Localhost", "localhostProfile": "p.json"})),
        33,
    ),
    (
        "profiles",
        pod(ctx(seccompProfile={"type": "RuntimeDefault", "localhostProfile": "p"})),
        pod(ctx(seccompProfile={"type": "RuntimeDefault"})),
        33,
    ),
    (
        "profiles",
        pod(securityContext={"seccompProfile": {"type": "runtime/default"}}),
        pod(securityContext={"seccompProfile": {"type": "Unconfined"}}),
        33,
    ),
    ("profiles", pod(ctx(appArmorProfile={"type": "Localhost"})), pod(ctx(appArmorProfile={"type": "Unconfined"})), 33),
    (
        "env-names",
        pod({"name": "agent", "env": [{"name": "1DD"}]}),
        pod({"name": "agent", "env": [{"name": "DD_1"}]}),
        31,
    ),
    (
        "env-names",
        pod({"name": "agent", "env": [{"name": "A=B"}]}),
        pod({"name": "agent", "env": [{"name": "1DD"}]}),
        33,
    ),
]


def rule_ids(spec: dict, minor: int) -> set[str]:
    return {v.rule for v in violations(spec, minor)}


def test_every_rule_has_a_row():
    assert {rule.id for rule in POD_RULES} == {case[0] for case in CASES}


@pytest.mark.parametrize(("rule_id", "broken", "neighbour", "minor"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_pod_and_not_on_its_neighbour(rule_id, broken, neighbour, minor):
    assert rule_id in rule_ids(broken, minor)
    assert rule_ids(neighbour, minor) == set()


def test_apparmor_fields_are_not_read_before_1_30():
    """Before 1.30 the field does not exist: the schema, not this rule, refuses it."""
    assert rule_ids(pod(ctx(appArmorProfile={"type": "Localhost"})), 29) == set()


def test_each_violation_says_who_refuses_and_where():
    found = violations(pod(ctx(privileged=True, allowPrivilegeEscalation=False)))
    assert [str(v) for v in found] == [
        "containers[agent].securityContext: allowPrivilegeEscalation: false contradicts privileged: true "
        "(the API server refuses it)"
    ]
    kubelet = violations(pod(ctx(runAsNonRoot=True, runAsUser=0)))
    assert [v.enforcer for v in kubelet] == [KUBELET]


@pytest.mark.parametrize("garbage", [None, [], "pod", {"containers": "x"}, {"containers": [None, 3]}, {"volumes": [1]}])
def test_garbage_never_raises(garbage):
    violations(garbage)


# --- the shipped PodSpec schema: strict, per version, the same verdict as kubernetes-validate -------


def test_the_shipped_schema_is_strict_and_versioned():
    from tui.core.pod.schema import schema_problems

    assert schema_problems(pod(ctx(privileged=True)), 33) == []
    assert schema_problems(pod(ctx(privilegd=True)), 33) == [
        "spec.containers[0].securityContext.privilegd: unknown field"
    ]
    assert schema_problems(pod(ctx(runAsUser="100")), 33) == [
        "spec.containers[0].securityContext.runAsUser: '100' is not of type integer"
    ]
    apparmor = pod(ctx(appArmorProfile={"type": "RuntimeDefault"}))
    assert schema_problems(apparmor, 30) == []
    assert schema_problems(apparmor, 29) == ["spec.containers[0].securityContext.appArmorProfile: unknown field"]
    assert schema_problems(pod(ports({"containerPort": "http"})), 33)  # int-or-string is not everywhere
    assert schema_problems({"containers": [{"name": "a", "ports": [{"containerPort": 1}]}]}, 33) == []


@pytest.mark.parametrize("minor", [29, 33, 37])
def test_the_shipped_schema_agrees_with_kubernetes_validate(minor):
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    from tui.core.pod.schema import schema_problems

    for spec in [case[1] for case in CASES] + [pod(ctx(privilegd=True)), pod(ctx(appArmorProfile={"type": "X"}))]:
        daemonset = {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "d"},
            "spec": {"selector": {}, "template": {"spec": spec}},
        }
        try:
            kubernetes_validate.validate(daemonset, f"1.{minor}", strict=True)
            full = True
        except kubernetes_validate.ValidationError:
            full = False
        assert (schema_problems(spec, minor) == []) == full, spec
