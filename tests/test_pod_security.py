"""Tests for tui.core.pod.pod_security: one table per Pod Security Standards check, then the level logic.

Each table row is a small pod spec with the expected verdict; where the message matters, the row also
pins the exact detail text, since users compare it with what `kubectl` prints.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.pod.pod_security import (
    CHECKS,
    LEVELS,
    Check,
    CheckResult,
    checks_for_level,
    evaluate,
    highest_level,
    violations,
)

# ---------------------------------------------------------------------------------------------------------
# Builders


def ctr(name: str = "c", sc: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A container with an optional securityContext."""
    container: dict[str, Any] = {"name": name, "image": "example/image", **fields}
    if sc is not None:
        container["securityContext"] = sc
    return container


def pod(
    *containers: dict[str, Any],
    init: tuple[dict[str, Any], ...] = (),
    ephemeral: tuple[dict[str, Any], ...] = (),
    sc: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A pod spec; with no containers given it holds one plain container named "c"."""
    spec: dict[str, Any] = {"containers": list(containers) or [ctr()], **fields}
    if init:
        spec["initContainers"] = list(init)
    if ephemeral:
        spec["ephemeralContainers"] = list(ephemeral)
    if sc is not None:
        spec["securityContext"] = sc
    return spec


def vol(name: str, **source: Any) -> dict[str, Any]:
    return {"name": name, **source}


class Row(NamedTuple):
    """One case: `detail` None means "not pinned"; `reason` likewise."""

    name: str
    pod: Any
    allowed: bool
    detail: str | None = None
    reason: str | None = None
    annotations: Any = None


# A container that satisfies every restricted rule, and a pod made of it.
GOOD_SC: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def good(name: str = "c", **overrides: Any) -> dict[str, Any]:
    return ctr(name, {**copy.deepcopy(GOOD_SC), **overrides})


# ---------------------------------------------------------------------------------------------------------
# One table per check

HOST_NAMESPACES = [
    Row("empty", pod(), True),
    Row("all-false", pod(hostNetwork=False, hostPID=False, hostIPC=False), True),
    Row("null", pod(hostNetwork=None, hostPID=None), True),
    Row("network", pod(hostNetwork=True), False, "hostNetwork=true", "host namespaces"),
    Row(
        "all-three-in-upstream-order",
        pod(hostIPC=True, hostPID=True, hostNetwork=True),
        False,
        "hostNetwork=true, hostPID=true, hostIPC=true",
    ),
    Row("yaml11-yes", pod(hostPID="yes"), False, "hostPID=true"),
    Row("yaml11-off", pod(hostPID="off"), True),
    Row("unreadable-counts-as-true", pod(hostIPC="maybe"), False, "hostIPC=true"),
]

PRIVILEGED = [
    Row("no-security-context", pod(), True),
    Row("false", pod(ctr(sc={"privileged": False})), True),
    Row("null", pod(ctr(sc={"privileged": None})), True),
    Row(
        "one",
        pod(ctr("a", {"privileged": True}), ctr("b")),
        False,
        'container "a" must not set securityContext.privileged=true',
        "privileged",
    ),
    Row(
        "init-and-ephemeral-too",
        pod(ctr("main"), init=(ctr("i", {"privileged": True}),), ephemeral=(ctr("e", {"privileged": True}),)),
        False,
        'containers "i", "e" must not set securityContext.privileged=true',
    ),
    Row("security-context-not-a-mapping", pod(ctr(sc="privileged")), True),  # type: ignore[arg-type]
]

CAPABILITIES_BASELINE = [
    Row("none", pod(), True),
    Row("default-set", pod(ctr(sc={"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE", "KILL"]}})), True),
    Row("drop-anything", pod(ctr(sc={"capabilities": {"drop": ["ALL", "NET_RAW"]}})), True),
    Row(
        "net-raw-and-sys-admin-sorted",
        pod(ctr("a", {"capabilities": {"add": ["SYS_ADMIN", "NET_RAW", "CHOWN"]}})),
        False,
        'container "a" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add',
        "non-default capabilities",
    ),
    Row(
        "cap-prefix-is-not-normalised",
        pod(ctr("a", {"capabilities": {"add": ["CAP_CHOWN"]}})),
        False,
        'container "a" must not include "CAP_CHOWN" in securityContext.capabilities.add',
    ),
    Row(
        "lowercase-is-not-normalised",
        pod(ctr("a", {"capabilities": {"add": ["chown"]}})),
        False,
    ),
    Row(
        "lone-string-read-as-list",
        pod(ctr("a", {"capabilities": {"add": "SYS_PTRACE"}})),
        False,
        'container "a" must not include "SYS_PTRACE" in securityContext.capabilities.add',
    ),
    Row("capabilities-null", pod(ctr(sc={"capabilities": None})), True),
]

HOST_PATH_VOLUMES = [
    Row("no-volumes", pod(), True),
    Row("empty-dir", pod(volumes=[vol("tmp", emptyDir={})]), True),
    Row(
        "two-hostpaths",
        pod(
            volumes=[
                vol("proc", hostPath={"path": "/proc"}),
                vol("tmp", emptyDir={}),
                vol("sys", hostPath={}),
            ]
        ),
        False,
        'volumes "proc", "sys"',
        "hostPath volumes",
    ),
    Row("hostpath-null", pod(volumes=[vol("x", hostPath=None)]), True),
    Row("hostpath-wrong-type-still-present", pod(volumes=[vol("x", hostPath="/etc")]), False, 'volume "x"'),
    Row("volumes-none", pod(volumes=None), True),
    Row("volume-not-a-mapping", pod(volumes=["hostPath"]), True),
]

HOST_PORTS = [
    Row("no-ports", pod(), True),
    Row("container-port-only", pod(ctr(ports=[{"containerPort": 8125}])), True),
    Row("host-port-zero", pod(ctr(ports=[{"containerPort": 8125, "hostPort": 0}])), True),
    Row(
        "one-port",
        pod(ctr("agent", ports=[{"containerPort": 8125, "hostPort": 8125, "protocol": "UDP"}])),
        False,
        'container "agent" uses hostPort 8125',
        "hostPort",
    ),
    Row(
        "ports-sorted-as-strings",
        pod(ctr("a", ports=[{"hostPort": 9}, {"hostPort": 10}]), ctr("b", ports=[{"hostPort": 9}])),
        False,
        'containers "a", "b" use hostPorts 10, 9',
    ),
    Row(
        "unreadable-port",
        pod(ctr("a", ports=[{"hostPort": "high"}])),
        False,
        'container "a" uses hostPort high',
    ),
    Row("ports-null", pod(ctr(ports=None)), True),
]

HOST_PROBES = [
    Row("no-probes", pod(), True),
    Row("probe-without-host", pod(ctr(livenessProbe={"httpGet": {"path": "/live", "port": 5555}})), True),
    Row("empty-host", pod(ctr(readinessProbe={"tcpSocket": {"host": "", "port": 1}})), True),
    Row(
        "liveness-host",
        pod(ctr("a", livenessProbe={"httpGet": {"host": "169.254.169.254", "port": 80}})),
        False,
        'container "a" uses probe or lifecycle host "169.254.169.254"',
        "probe or lifecycle host",
    ),
    Row(
        "lifecycle-hosts-sorted-and-deduplicated",
        pod(
            ctr("b", lifecycle={"preStop": {"tcpSocket": {"host": "z.example"}}}),
            ctr("a", startupProbe={"tcpSocket": {"host": "a.example"}}, lifecycle={"postStart": None}),
            ctr("b", lifecycle={"postStart": {"httpGet": {"host": "a.example"}}}),
        ),
        False,
        'containers "a", "b" use probe or lifecycle hosts "a.example", "z.example"',
    ),
]

APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"

APP_ARMOR_PROFILE = [
    Row("unset", pod(), True),
    Row("runtime-default", pod(sc={"appArmorProfile": {"type": "RuntimeDefault"}}), True),
    Row(
        "localhost",
        pod(ctr(sc={"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}})),
        True,
    ),
    Row(
        "pod-unconfined",
        pod(sc={"appArmorProfile": {"type": "Unconfined"}}),
        False,
        'pod must not set AppArmor profile type to "Unconfined"',
        "forbidden AppArmor profile",
    ),
    Row(
        "empty-type-is-forbidden",
        pod(ctr("a", {"appArmorProfile": {}})),
        False,
        'container "a" must not set AppArmor profile type to ""',
    ),
    Row(
        "annotation-allowed-values",
        pod(),
        True,
        annotations={
            APPARMOR_PREFIX + "a": "",
            APPARMOR_PREFIX + "b": "runtime/default",
            APPARMOR_PREFIX + "c": "localhost/foo",
            "unrelated": "unconfined",
        },
    ),
    Row(
        "pod-container-and-annotations",
        pod(ctr("x", {"appArmorProfile": {"type": "Unconfined"}}), sc={"appArmorProfile": {"type": "Bogus"}}),
        False,
        'pod and container "x" and annotations must not set AppArmor profile type to "Bogus", "Unconfined", '
        f'"{APPARMOR_PREFIX}e="unconfined"", "{APPARMOR_PREFIX}f="unknown""',
        "forbidden AppArmor profiles",
        annotations={APPARMOR_PREFIX + "f": "unknown", APPARMOR_PREFIX + "e": "unconfined"},
    ),
    Row("annotations-null", pod(), True, annotations=None),
    Row("annotations-wrong-type", pod(), True, annotations=["x"]),
]

SE_LINUX_OPTIONS = [
    Row("unset", pod(), True),
    Row("allowed-types", pod(ctr(sc={"seLinuxOptions": {"type": "container_init_t", "level": "s0:c1"}})), True),
    Row("engine-type-latest", pod(sc={"seLinuxOptions": {"type": "container_engine_t"}}), True),
    Row("empty-options", pod(sc={"seLinuxOptions": {}}), True),
    Row(
        "pod-type",
        pod(sc={"seLinuxOptions": {"type": "spc_t"}}),
        False,
        'pod set forbidden securityContext.seLinuxOptions: type "spc_t"',
        "seLinuxOptions",
    ),
    Row(
        "everything",
        pod(
            ctr("a", {"seLinuxOptions": {"user": "system_u", "type": "unconfined_t"}}),
            ctr("b", {"seLinuxOptions": {"role": "system_r"}}),
            sc={"seLinuxOptions": {"type": "spc_t"}},
        ),
        False,
        'pod and containers "a", "b" set forbidden securityContext.seLinuxOptions: '
        'types "spc_t", "unconfined_t"; user may not be set; role may not be set',
    ),
]

PROC_MOUNT = [
    Row("unset", pod(), True),
    Row("default", pod(ctr(sc={"procMount": "Default"})), True),
    Row(
        "unmasked",
        pod(ctr("a", {"procMount": "Unmasked"})),
        False,
        'container "a" must not set securityContext.procMount to "Unmasked"',
        "procMount",
    ),
    Row("user-namespace-relaxes", pod(ctr("a", {"procMount": "Unmasked"}), hostUsers=False), True),
    Row("host-users-true-does-not", pod(ctr("a", {"procMount": "Unmasked"}), hostUsers=True), False),
    Row("empty-string-is-not-default", pod(ctr("a", {"procMount": ""})), False),
]

SECCOMP_BASELINE = [
    Row("unset-is-fine-at-baseline", pod(), True),
    Row("runtime-default", pod(sc={"seccompProfile": {"type": "RuntimeDefault"}}), True),
    Row(
        "localhost",
        pod(ctr(sc={"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}})),
        True,
    ),
    Row(
        "unconfined-pod-and-container",
        pod(
            ctr("a", {"seccompProfile": {"type": "Unconfined"}}),
            sc={"seccompProfile": {"type": "Unconfined"}},
        ),
        False,
        'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
        "seccompProfile",
    ),
    Row(
        "legacy-annotations-ignored-at-latest",
        pod(),
        True,
        annotations={"seccomp.security.alpha.kubernetes.io/pod": "unconfined"},
    ),
]

SYSCTLS = [
    Row("none", pod(), True),
    Row(
        "safe",
        pod(
            sc={
                "sysctls": [
                    {"name": "net.ipv4.tcp_keepalive_time", "value": "60"},
                    {"name": "net.ipv4.tcp_rmem"},
                ]
            }
        ),
        True,
    ),
    Row("latest-additions", pod(sc={"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}]}), True),
    Row(
        "unsafe-in-given-order",
        pod(sc={"sysctls": [{"name": "kernel.msgmax"}, {"name": "kernel.shm_rmid_forced"}, {"name": "vm.a"}]}),
        False,
        "kernel.msgmax, vm.a",
        "forbidden sysctls",
    ),
    Row("sysctls-null", pod(sc={"sysctls": None}), True),
]

WINDOWS_HOST_PROCESS = [
    Row("unset", pod(), True),
    Row("false", pod(sc={"windowsOptions": {"hostProcess": False}}), True),
    Row(
        "pod-and-container",
        pod(ctr("w", {"windowsOptions": {"hostProcess": True}}), sc={"windowsOptions": {"hostProcess": True}}),
        False,
        'pod and container "w" must not set securityContext.windowsOptions.hostProcess=true',
        "hostProcess",
    ),
]

ALLOW_PRIVILEGE_ESCALATION = [
    Row("false", pod(good()), True),
    Row(
        "unset-is-a-violation",
        pod(
            ctr("a"),
            ctr("b", {"allowPrivilegeEscalation": True}),
            ctr("c", {"allowPrivilegeEscalation": False}),
        ),
        False,
        'containers "a", "b" must set securityContext.allowPrivilegeEscalation=false',
        "allowPrivilegeEscalation != false",
    ),
    Row("yaml11-no", pod(ctr(sc={"allowPrivilegeEscalation": "no"})), True),
    Row("unreadable", pod(ctr(sc={"allowPrivilegeEscalation": 0})), False),
    Row("windows-exempt", pod(ctr("a"), os={"name": "windows"}), True),
    Row("linux-not-exempt", pod(ctr("a"), os={"name": "linux"}), False),
]

CAPABILITIES_RESTRICTED = [
    Row("drop-all", pod(good()), True),
    Row("drop-all-add-net-bind", pod(good(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})), True),
    Row(
        "no-capabilities-block-only-reports-drop",
        pod(ctr("a")),
        False,
        'container "a" must set securityContext.capabilities.drop=["ALL"]',
        "unrestricted capabilities",
    ),
    Row(
        "both-problems",
        pod(
            ctr("a", {"capabilities": {"drop": ["NET_RAW"], "add": ["CHOWN", "NET_BIND_SERVICE"]}}),
            ctr("b", {"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}),
        ),
        False,
        'container "a" must set securityContext.capabilities.drop=["ALL"]; '
        'containers "a", "b" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add',
    ),
    Row("lowercase-all-does-not-count", pod(good(capabilities={"drop": ["all"]})), False),
    Row("drop-must-be-a-list", pod(good(capabilities={"drop": "ALL"})), False),
    Row("windows-exempt", pod(ctr("a"), os={"name": "windows"}), True),
]

PROC_MOUNT_RESTRICTED = [
    Row("unset", pod(), True),
    Row(
        "no-user-namespace-relief",
        pod(ctr("a", {"procMount": "Unmasked"}), hostUsers=False),
        False,
        'container "a" must not set securityContext.procMount to "Unmasked"',
        "procMount",
    ),
]

RESTRICTED_VOLUMES = [
    Row("none", pod(), True),
    Row(
        "allowed-kinds",
        pod(
            volumes=[
                vol("a", configMap={"name": "x"}),
                vol("b", secret={"secretName": "s"}),
                vol("c", emptyDir={}),
                vol("d", projected={"sources": []}),
                vol("e", downwardAPI={}),
                vol("f", csi={"driver": "d"}),
                vol("g", persistentVolumeClaim={"claimName": "p"}),
                vol("h", ephemeral={}),
                vol("i", image={"reference": "r"}),
            ]
        ),
        True,
    ),
    Row(
        "hostpath-and-nfs-and-sourceless",
        pod(volumes=[vol("p", hostPath={"path": "/"}), vol("n", nfs={"server": "s"}), vol("q")]),
        False,
        'volumes "p", "n", "q" use restricted volume types "hostPath", "nfs", "unknown"',
        "restricted volume types",
    ),
    Row(
        "one-volume",
        pod(volumes=[vol("repo", gitRepo={"repository": "r"})]),
        False,
        'volume "repo" uses restricted volume type "gitRepo"',
    ),
    Row("null-source-is-absent", pod(volumes=[vol("x", emptyDir=None)]), False),
]

RUN_AS_NON_ROOT = [
    Row("pod-level-true", pod(ctr("a"), sc={"runAsNonRoot": True}), True),
    Row("container-level-true", pod(ctr("a", {"runAsNonRoot": True})), True),
    Row(
        "unset",
        pod(ctr("a"), ctr("b", {"runAsNonRoot": True})),
        False,
        'pod or container "a" must set securityContext.runAsNonRoot=true',
        "runAsNonRoot != true",
    ),
    Row(
        "explicit-false-wins-over-pod-true",
        pod(ctr("a", {"runAsNonRoot": False}), ctr("b"), sc={"runAsNonRoot": True}),
        False,
        'container "a" must not set securityContext.runAsNonRoot=false',
    ),
    Row(
        "pod-false-reported-even-when-containers-true",
        pod(ctr("a", {"runAsNonRoot": True}), sc={"runAsNonRoot": False}),
        False,
        "pod must not set securityContext.runAsNonRoot=false",
    ),
    Row("nonzero-uid-is-not-enough", pod(ctr("a", {"runAsUser": 1000})), False),
    Row("user-namespace-relaxes", pod(ctr("a"), hostUsers=False), True),
    Row("unreadable-counts-as-false", pod(ctr("a", {"runAsNonRoot": "sure"})), False),
]

RUN_AS_USER = [
    Row("unset", pod(), True),
    Row("nonzero", pod(ctr(sc={"runAsUser": 1000}), sc={"runAsUser": 1}), True),
    Row(
        "pod-and-containers-zero",
        pod(ctr("a", {"runAsUser": 0}), ctr("b", {"runAsUser": 0.0}), sc={"runAsUser": 0}),
        False,
        'pod and containers "a", "b" must not set runAsUser=0',
        "runAsUser=0",
    ),
    Row("user-namespace-relaxes", pod(ctr("a", {"runAsUser": 0}), hostUsers=False), True),
    Row("bool-is-not-a-uid", pod(ctr("a", {"runAsUser": False})), False),
    Row("numeric-string", pod(ctr("a", {"runAsUser": "1000"})), True),
]

SECCOMP_RESTRICTED = [
    Row("pod-level", pod(ctr("a"), sc={"seccompProfile": {"type": "RuntimeDefault"}}), True),
    Row("container-level", pod(ctr("a", {"seccompProfile": {"type": "Localhost"}})), True),
    Row(
        "unset",
        pod(ctr("a"), ctr("b", {"seccompProfile": {"type": "RuntimeDefault"}})),
        False,
        'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
        "seccompProfile",
    ),
    Row(
        "bad-pod-not-rescued-by-containers",
        pod(
            ctr("a", {"seccompProfile": {"type": "RuntimeDefault"}}),
            sc={"seccompProfile": {"type": "Unconfined"}},
        ),
        False,
        'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
    Row(
        "explicit-reported-before-unset",
        pod(ctr("a", {"seccompProfile": {"type": "Unconfined"}}), ctr("b")),
        False,
        'container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
    Row("windows-exempt", pod(ctr("a"), os={"name": "windows"}), True),
]

TABLES: dict[str, list[Row]] = {
    "hostNamespaces": HOST_NAMESPACES,
    "privileged": PRIVILEGED,
    "capabilities_baseline": CAPABILITIES_BASELINE,
    "hostPathVolumes": HOST_PATH_VOLUMES,
    "hostPorts": HOST_PORTS,
    "hostProbesAndHostLifecycle": HOST_PROBES,
    "appArmorProfile": APP_ARMOR_PROFILE,
    "seLinuxOptions": SE_LINUX_OPTIONS,
    "procMount": PROC_MOUNT,
    "seccompProfile_baseline": SECCOMP_BASELINE,
    "sysctls": SYSCTLS,
    "windowsHostProcess": WINDOWS_HOST_PROCESS,
    "allowPrivilegeEscalation": ALLOW_PRIVILEGE_ESCALATION,
    "capabilities_restricted": CAPABILITIES_RESTRICTED,
    "procMount_restricted": PROC_MOUNT_RESTRICTED,
    "restrictedVolumes": RESTRICTED_VOLUMES,
    "runAsNonRoot": RUN_AS_NON_ROOT,
    "runAsUser": RUN_AS_USER,
    "seccompProfile_restricted": SECCOMP_RESTRICTED,
}

CHECKS_BY_ID = {check.id: check for check in CHECKS}


@pytest.mark.parametrize(
    ("check_id", "row"),
    [pytest.param(check_id, row, id=f"{check_id}-{row.name}") for check_id, rows in TABLES.items() for row in rows],
)
def test_check_table(check_id: str, row: Row) -> None:
    check = CHECKS_BY_ID[check_id]
    result = check(row.pod, row.annotations)
    assert result.check_id == check_id
    assert result.level == check.level
    assert result.allowed is row.allowed, result
    if row.allowed:
        assert (result.reason, result.detail) == ("", "")
    else:
        assert result.reason
        assert result.detail
    if row.detail is not None:
        assert result.detail == row.detail
    if row.reason is not None:
        assert result.reason == row.reason


def test_every_check_has_a_table_with_both_outcomes() -> None:
    assert set(TABLES) == set(CHECKS_BY_ID)
    for check_id, rows in TABLES.items():
        assert {row.allowed for row in rows} == {True, False}, check_id


# ---------------------------------------------------------------------------------------------------------
# Registry and levels


def test_registry_shape() -> None:
    assert LEVELS == ("privileged", "baseline", "restricted")
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    baseline = [check.id for check in CHECKS if check.level == "baseline"]
    restricted = [check.id for check in CHECKS if check.level == "restricted"]
    assert ids == baseline + restricted
    assert baseline == sorted(baseline) and restricted == sorted(restricted)
    for check in CHECKS:
        assert isinstance(check, Check) and check.title and callable(check.func)
        assert not check.overrides or check.level == "restricted"
        assert all(CHECKS_BY_ID[oid].level == "baseline" for oid in check.overrides)


def test_checks_for_level_applies_overrides() -> None:
    assert checks_for_level("privileged") == ()
    assert {c.id for c in checks_for_level("baseline")} == {c.id for c in CHECKS if c.level == "baseline"}
    restricted = {c.id for c in checks_for_level("restricted")}
    replaced = {"hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline", "procMount"}
    assert restricted == set(CHECKS_BY_ID) - replaced
    with pytest.raises(ValueError, match="unknown Pod Security level"):
        checks_for_level("strict")


def test_check_is_callable_and_runnable() -> None:
    check = CHECKS_BY_ID["hostNamespaces"]
    assert check(pod(hostPID=True)) == check.run(pod(hostPID=True), None)
    assert check.func(pod(), {}) == CheckResult("hostNamespaces", "baseline", True)
    assert check.run("not a pod").allowed  # type: ignore[arg-type]


def restricted_pod() -> dict[str, Any]:
    return pod(good("agent"), init=(good("init"),), volumes=[vol("config", emptyDir={})])


DATADOG_LIKE = pod(
    ctr("agent", ports=[{"containerPort": 8125, "hostPort": 8125, "protocol": "UDP"}]),
    ctr("system-probe", {"privileged": True, "capabilities": {"add": ["SYS_ADMIN", "BPF"]}}),
    hostPID=True,
    volumes=[vol("procdir", hostPath={"path": "/proc"}), vol("config", emptyDir={})],
)


def test_levels_of_typical_pods() -> None:
    assert highest_level(restricted_pod()) == "restricted"
    assert violations(restricted_pod()) == []

    baseline_only = pod(ctr("agent"), volumes=[vol("config", emptyDir={})])
    assert highest_level(baseline_only) == "baseline"
    assert violations(baseline_only, level="baseline") == []
    assert {v.check_id for v in violations(baseline_only)} == {
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "seccompProfile_restricted",
    }

    assert highest_level(DATADOG_LIKE) == "privileged"
    assert [v.check_id for v in violations(DATADOG_LIKE, level="baseline")] == [
        "capabilities_baseline",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "privileged",
    ]
    assert violations(DATADOG_LIKE, level="privileged") == []


def test_restricted_reports_the_overriding_check_not_the_baseline_one() -> None:
    failed = {v.check_id for v in violations(DATADOG_LIKE, level="restricted")}
    assert "restrictedVolumes" in failed and "hostPathVolumes" not in failed
    assert "capabilities_restricted" in failed and "capabilities_baseline" not in failed
    # evaluate() still reports every check, overridden or not.
    assert {r.check_id for r in evaluate(DATADOG_LIKE) if not r.allowed} >= {
        "hostPathVolumes",
        "capabilities_baseline",
    }


def test_user_namespace_relief_differs_between_levels() -> None:
    spec = restricted_pod()
    spec["hostUsers"] = False
    spec["containers"][0]["securityContext"].update(procMount="Unmasked", runAsUser=0, runAsNonRoot=False)
    assert violations(spec, level="baseline") == []
    assert [v.check_id for v in violations(spec)] == ["procMount_restricted"]
    assert highest_level(spec) == "baseline"


def test_windows_exemption_never_claims_more_than_baseline() -> None:
    """Upstream admits this pod at restricted although baseline refuses it; we keep levels nested."""
    spec = pod(
        ctr("w", {"capabilities": {"add": ["SYS_ADMIN"]}, "runAsNonRoot": True}),
        os={"name": "windows"},
    )
    assert violations(spec, level="restricted") == []
    assert [v.check_id for v in violations(spec, level="baseline")] == ["capabilities_baseline"]
    assert highest_level(spec) == "privileged"


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"containers": None, "initContainers": None, "volumes": None, "securityContext": None},
        {"containers": [None, 3, "x", {}], "volumes": [None, {"name": None}]},
        {"containers": {"name": "lone"}, "securityContext": "weird"},
        {"containers": [{"securityContext": {"capabilities": {"add": [None, 1, {"x": 1}]}}}]},
        {"containers": [{"ports": [None, {"hostPort": None}], "lifecycle": "x", "livenessProbe": []}]},
    ],
)
def test_malformed_input_never_raises(spec: dict[str, Any]) -> None:
    results = evaluate(spec, {"a": None, 1: 2})
    assert [r.check_id for r in results] == [c.id for c in CHECKS]
    assert highest_level(spec) in LEVELS


def test_non_mapping_pod_reads_as_empty() -> None:
    for junk in (None, [], "pod", 42):
        assert [r.allowed for r in evaluate(junk)] == [r.allowed for r in evaluate({})]  # type: ignore[arg-type]


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError):
        violations({}, level="Restricted")


# ---------------------------------------------------------------------------------------------------------
# Properties

FIELD_NAMES = [
    "hostPID", "hostNetwork", "hostIPC", "hostUsers", "os", "name", "securityContext", "containers",
    "initContainers", "ephemeralContainers", "volumes", "hostPath", "emptyDir", "nfs", "privileged",
    "capabilities", "add", "drop", "ports", "hostPort", "procMount", "seccompProfile", "appArmorProfile",
    "type", "seLinuxOptions", "user", "role", "sysctls", "windowsOptions", "hostProcess",
    "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "livenessProbe", "lifecycle", "preStop",
    "httpGet", "tcpSocket", "host",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=70000),
    st.floats(allow_nan=True),
    st.sampled_from(["ALL", "NET_RAW", "Unconfined", "RuntimeDefault", "Default", "Unmasked", "windows", "yes"]),
    st.text(max_size=6),
)
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=4))
NESTED = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=30,
)


def sometimes_junk(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a well-shaped value, sometimes anything at all."""
    return st.one_of(plausible, plausible, plausible, NESTED)


def optional_fields(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={key: sometimes_junk(value) for key, value in fields.items()})


FLAGS = st.one_of(st.none(), st.booleans(), st.sampled_from(["yes", "off"]))
NAMES = st.sampled_from(["a", "b", "agent", ""])
PROFILE = optional_fields(type=st.sampled_from(["RuntimeDefault", "Localhost", "Unconfined", ""]))
CAP_NAMES = st.lists(st.sampled_from(["ALL", "NET_BIND_SERVICE", "CHOWN", "NET_RAW", "SYS_ADMIN", "all"]))
SECURITY_CONTEXT = optional_fields(
    privileged=FLAGS,
    allowPrivilegeEscalation=FLAGS,
    runAsNonRoot=FLAGS,
    runAsUser=st.sampled_from([0, 1000, None]),
    procMount=st.sampled_from(["Default", "Unmasked"]),
    capabilities=optional_fields(add=CAP_NAMES, drop=CAP_NAMES),
    seccompProfile=PROFILE,
    appArmorProfile=PROFILE,
    seLinuxOptions=optional_fields(type=st.sampled_from(["", "container_t", "spc_t"]), user=NAMES, role=NAMES),
    windowsOptions=optional_fields(hostProcess=FLAGS),
    sysctls=st.lists(optional_fields(name=st.sampled_from(["kernel.shm_rmid_forced", "kernel.msgmax"]))),
)
HANDLER = optional_fields(httpGet=optional_fields(host=NAMES), tcpSocket=optional_fields(host=NAMES))
CONTAINERS = st.lists(
    optional_fields(
        name=NAMES,
        securityContext=SECURITY_CONTEXT,
        ports=st.lists(optional_fields(hostPort=st.sampled_from([0, 80, 8125]))),
        livenessProbe=HANDLER,
        lifecycle=optional_fields(preStop=HANDLER),
    ),
    max_size=3,
)
VOLUME = st.builds(
    lambda name, source: {"name": name, source: {}},
    NAMES,
    st.sampled_from(["emptyDir", "hostPath", "secret", "nfs", "configMap"]),
)
SHAPED_PODS = optional_fields(
    hostPID=FLAGS,
    hostNetwork=FLAGS,
    hostIPC=FLAGS,
    hostUsers=FLAGS,
    os=optional_fields(name=st.sampled_from(["linux", "windows"])),
    securityContext=SECURITY_CONTEXT,
    containers=CONTAINERS,
    initContainers=CONTAINERS,
    ephemeralContainers=CONTAINERS,
    volumes=st.lists(VOLUME, max_size=3),
)
PODS = st.one_of(SHAPED_PODS, st.dictionaries(KEYS, NESTED, max_size=8))
ANNOTATIONS = st.one_of(
    st.none(),
    st.dictionaries(
        st.one_of(st.just(APPARMOR_PREFIX + "c"), st.text(max_size=8)),
        st.one_of(st.none(), st.sampled_from(["unconfined", "runtime/default", "localhost/x"]), st.text(max_size=4)),
        max_size=3,
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.one_of(PODS, NESTED), annotations=ANNOTATIONS)
def test_evaluate_never_raises_and_is_pure(spec: Any, annotations: Any) -> None:
    before = copy.deepcopy((spec, annotations))
    results = evaluate(spec, annotations)
    assert (spec, annotations) == before
    assert [(r.check_id, r.level) for r in results] == [(c.id, c.level) for c in CHECKS]
    for result in results:
        # Upstream's detail is optional and can be empty (a sysctl with no name), the reason never is.
        assert result.allowed is (result.reason == "")
        assert not result.allowed or result.detail == ""


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(spec=PODS, annotations=ANNOTATIONS)
def test_highest_level_agrees_with_violations(spec: dict[str, Any], annotations: Any) -> None:
    level = highest_level(spec, annotations)
    at_baseline = violations(spec, annotations, level="baseline")
    at_restricted = violations(spec, annotations, level="restricted")
    assert violations(spec, annotations, level="privileged") == []
    assert (level == "privileged") == bool(at_baseline)
    assert (level == "restricted") == (not at_baseline and not at_restricted)
    failed = {r.check_id for r in evaluate(spec, annotations) if not r.allowed}
    assert {v.check_id for v in at_baseline + at_restricted} <= failed
