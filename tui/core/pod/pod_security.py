"""The Kubernetes Pod Security Standards, checked in pure Python against a pod spec.

Why this exists: ddsecure promises least privilege, and the yardstick every cluster already uses is the
Pod Security Admission controller. Evaluating a generated DaemonSet here, offline, tells the user which
namespace level (``privileged``, ``baseline`` or ``restricted``) the Agent will be admitted at and names
exactly what stands in the way of the next level, without a cluster or a Go toolchain.

The semantics follow the upstream checks (kubernetes/pod-security-admission, ``policy/check_*.go``) at
their newest policy version, "latest":

* Every container-level rule looks at ``initContainers``, ``containers`` and ``ephemeralContainers``.
* The restricted level runs every baseline check except the four that a restricted check replaces:
  ``restrictedVolumes`` replaces ``hostPathVolumes``, ``capabilities_restricted`` replaces
  ``capabilities_baseline``, ``seccompProfile_restricted`` replaces ``seccompProfile_baseline`` and
  ``procMount_restricted`` replaces ``procMount``.
* A pod with ``hostUsers: false`` (its own user namespace) may use any procMount at baseline and any
  ``runAsNonRoot``/``runAsUser`` at restricted; ``procMount_restricted`` grants no such relief.
* A pod with ``os.name: windows`` is exempt from ``allowPrivilegeEscalation``,
  ``capabilities_restricted`` and ``seccompProfile_restricted``.
* Reasons and details reproduce upstream's wording, so messages match what ``kubectl`` prints.

Input comes from arbitrary user YAML, so nothing here trusts a type. Absent and ``null`` are the same
thing, as for a Go pointer. Otherwise a value counts as the safe setting only if Kubernetes would read it
as that setting: booleans may also be YAML 1.1 words (``yes``, ``off``...) because kubectl's YAML reader
accepts them while a YAML 1.2 loader hands them over as strings; anything unreadable is taken as the
unsafe setting. Such a manifest would be rejected by the API server anyway, so this only decides how
garbage is reported, and it is never reported as safe. No function in this module raises on bad input.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from tui.core.yamlio.dotted import is_map

__all__ = [
    "CHECKS",
    "LEVELS",
    "Check",
    "CheckResult",
    "checks_for_level",
    "evaluate",
    "highest_level",
    "violations",
]

LEVELS = ("privileged", "baseline", "restricted")

PodSpec = Mapping[str, Any]
Annotations = Mapping[str, Any]


class CheckResult(NamedTuple):
    """The outcome of one check: when not allowed, `reason` is a short phrase and `detail` names culprits."""

    check_id: str
    level: str
    allowed: bool
    reason: str = ""
    detail: str = ""


class Check(NamedTuple):
    """One Pod Security Standards rule.

    `func` is pure and takes the pod spec and its annotations; `overrides` lists the baseline checks this
    restricted check replaces when a pod is evaluated at the restricted level.
    """

    id: str
    level: str
    title: str
    func: Callable[[PodSpec, Annotations], CheckResult]
    overrides: tuple[str, ...] = ()

    def run(self, pod: Any, annotations: Any = None) -> CheckResult:
        """Evaluate this check; non-mapping input is read as empty rather than rejected."""
        return self.func(_as_mapping(pod), _as_mapping(annotations))

    def __call__(self, pod: Any, annotations: Any = None) -> CheckResult:
        return self.run(pod, annotations)


# ---------------------------------------------------------------------------------------------------------
# Reading untrusted YAML data


_YAML11_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_YAML11_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})


def _as_mapping(value: Any) -> Mapping[str, Any]:
    """A mapping to read from: anything else reads as empty, so callers never need a type test."""
    return value if is_map(value) else {}


def _get(obj: Any, key: str) -> Any:
    """`obj[key]`, or None when obj is not a mapping or lacks the key (the same as null in Kubernetes)."""
    if is_map(obj):
        try:
            return obj.get(key)
        except Exception:  # a hostile Mapping implementation must not break the evaluation
            return None
    return None


def _sub(obj: Any, key: str) -> Mapping[str, Any] | None:
    """A nested object, None when absent; a present value of the wrong type reads as an empty object.

    Upstream tests pointers for nil, so "present but unreadable" must still count as present (for
    instance a hostPath volume written as a string is still a hostPath volume).
    """
    value = _get(obj, key)
    if value is None:
        return None
    return value if is_map(value) else {}


def _items(value: Any) -> list[Any]:
    """The entries of a list field; a lone value where a list belongs is read as a one-entry list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _text(value: Any) -> str:
    """A string field as Go would hold it: null is the empty string; other types are shown as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return str(value)
    except Exception:
        return "<unreadable>"


def _flag(value: Any, *, unsafe: bool) -> bool | None:
    """A boolean field: None when unset, else its value; `unsafe` is what an unreadable value counts as."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _YAML11_TRUE:
            return True
        if value in _YAML11_FALSE:
            return False
    return unsafe


def _integer(value: Any) -> int | None:
    """An integer field, or None when unset or not readable as an integer (bool is not an integer)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _containers(pod: PodSpec) -> Iterator[Mapping[str, Any]]:
    """Init, regular, then ephemeral containers: the order upstream visits them in."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in _items(_get(pod, key)):
            if is_map(container):
                yield container


def _name(container: Mapping[str, Any]) -> str:
    return _text(_get(container, "name"))


def _security_context(obj: Any) -> Mapping[str, Any] | None:
    return _sub(obj, "securityContext")


def _is_windows(pod: PodSpec) -> bool:
    """Pods declaring `os.name: windows` are exempt from the Linux-only restricted rules."""
    return _get(_sub(pod, "os"), "name") == "windows"


def _in_user_namespace(pod: PodSpec) -> bool:
    """`hostUsers: false` puts the pod in its own user namespace, so root inside is not root on the node."""
    return _flag(_get(pod, "hostUsers"), unsafe=True) is False


# ---------------------------------------------------------------------------------------------------------
# Message helpers (upstream's wording)


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _quote_all(items: Sequence[str]) -> str:
    """`"a", "b"`: items wrapped in double quotes verbatim, without escaping, as upstream prints them."""
    return '"' + '", "'.join(items) + '"' if items else ""


def _go_quote(text: str) -> str:
    """A double-quoted, escaped string, close to Go's %q."""
    return json.dumps(text, ensure_ascii=False)


def _containers_phrase(names: Sequence[str]) -> str:
    return f"{_plural('container', 'containers', len(names))} {_quote_all(names)}"


def _setters_phrase(pod_is_bad: bool, containers: Sequence[str]) -> list[str]:
    """Who set the bad value: "pod" first, then the containers, joined later with " and "."""
    setters = ["pod"] if pod_is_bad else []
    if containers:
        setters.append(_containers_phrase(containers))
    return setters


def _ok(check_id: str, level: str) -> CheckResult:
    return CheckResult(check_id=check_id, level=level, allowed=True)


def _deny(check_id: str, level: str, reason: str, detail: str) -> CheckResult:
    return CheckResult(check_id=check_id, level=level, allowed=False, reason=reason, detail=detail)


_BASELINE, _RESTRICTED = "baseline", "restricted"


# ---------------------------------------------------------------------------------------------------------
# Baseline checks


def check_host_namespaces(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Sharing the node's network, PID or IPC namespace sees and reaches every other process on the node."""
    shared = [
        f"{key}=true" for key in ("hostNetwork", "hostPID", "hostIPC") if _flag(_get(pod, key), unsafe=True) is True
    ]
    if shared:
        return _deny("hostNamespaces", _BASELINE, "host namespaces", ", ".join(shared))
    return _ok("hostNamespaces", _BASELINE)


def check_privileged(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A privileged container has every device and capability: it is root on the node."""
    bad = [_name(c) for c in _containers(pod) if _flag(_get(_security_context(c), "privileged"), unsafe=True) is True]
    if bad:
        return _deny(
            "privileged",
            _BASELINE,
            "privileged",
            f"{_containers_phrase(bad)} must not set securityContext.privileged=true",
        )
    return _ok("privileged", _BASELINE)


_DEFAULT_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def check_capabilities_baseline(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Capabilities beyond the runtime's default set (NET_RAW included) widen the kernel attack surface.

    Names are compared exactly as written: "CAP_SYS_ADMIN" or "sys_admin" are not in the default set.
    """
    bad: list[str] = []
    extra: set[str] = set()
    for c in _containers(pod):
        capabilities = _sub(_security_context(c), "capabilities")
        if capabilities is None:
            continue
        added = {_text(cap) for cap in _items(_get(capabilities, "add"))} - _DEFAULT_CAPABILITIES
        if added:
            bad.append(_name(c))
            extra |= added
    if bad:
        return _deny(
            "capabilities_baseline",
            _BASELINE,
            "non-default capabilities",
            f"{_containers_phrase(bad)} must not include {_quote_all(sorted(extra))} "
            "in securityContext.capabilities.add",
        )
    return _ok("capabilities_baseline", _BASELINE)


def check_host_path_volumes(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A hostPath volume exposes the node's file system to the pod."""
    bad = [
        _text(_get(volume, "name"))
        for volume in _items(_get(pod, "volumes"))
        if is_map(volume) and _get(volume, "hostPath") is not None
    ]
    if bad:
        return _deny(
            "hostPathVolumes",
            _BASELINE,
            "hostPath volumes",
            f"{_plural('volume', 'volumes', len(bad))} {_quote_all(bad)}",
        )
    return _ok("hostPathVolumes", _BASELINE)


def check_host_ports(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A hostPort binds a port on the node's own interfaces, bypassing network policy.

    The ports are listed in string order, as upstream does ("10" before "9").
    """
    bad: list[str] = []
    ports: set[str] = set()
    for c in _containers(pod):
        found = False
        for port in _items(_get(c, "ports")):
            raw = _get(port, "hostPort")
            if raw is None:
                continue
            number = _integer(raw)
            if number != 0:
                found = True
                ports.add(str(number) if number is not None else _text(raw))
        if found:
            bad.append(_name(c))
    if bad:
        count = len(bad)
        return _deny(
            "hostPorts",
            _BASELINE,
            "hostPort",
            f"{_containers_phrase(bad)} {_plural('uses', 'use', count)} "
            f"{_plural('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}",
        )
    return _ok("hostPorts", _BASELINE)


def _probe_hosts(handler: Any) -> list[str]:
    """Non-empty `host` values of a probe's or lifecycle handler's httpGet and tcpSocket actions."""
    hosts = []
    for action in ("httpGet", "tcpSocket"):
        host = _text(_get(_sub(handler, action), "host"))
        if host:
            hosts.append(host)
    return hosts


def check_host_probes_and_lifecycle(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A probe or hook aimed at another host lets the kubelet be used to reach arbitrary addresses."""
    bad: set[str] = set()
    hosts: set[str] = set()
    for c in _containers(pod):
        lifecycle = _sub(c, "lifecycle")
        handlers = [_get(c, "livenessProbe"), _get(c, "readinessProbe"), _get(c, "startupProbe")]
        if lifecycle is not None:
            handlers += [_get(lifecycle, "postStart"), _get(lifecycle, "preStop")]
        for handler in handlers:
            found = _probe_hosts(handler)
            if found:
                bad.add(_name(c))
                hosts.update(found)
    if bad:
        count = len(bad)
        return _deny(
            "hostProbesAndHostLifecycle",
            _BASELINE,
            "probe or lifecycle host",
            f"{_containers_phrase(sorted(bad))} {_plural('uses', 'use', count)} "
            f"{_plural('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
            f"{_quote_all(sorted(hosts))}",
        )
    return _ok("hostProbesAndHostLifecycle", _BASELINE)


_APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
_APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _apparmor_annotation_allowed(value: str) -> bool:
    return value in ("", "runtime/default") or value.startswith("localhost/")


def check_app_armor_profile(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Running unconfined removes the AppArmor profile that the runtime applies by default.

    Both the `appArmorProfile` fields and the deprecated per-container annotations count; a present
    `appArmorProfile` with no type is itself forbidden, as upstream reads it as the empty type.
    """
    bad_values: set[str] = set()
    pod_profile = _sub(_security_context(pod), "appArmorProfile")
    pod_bad = False
    if pod_profile is not None:
        kind = _text(_get(pod_profile, "type"))
        if kind not in _APPARMOR_TYPES:
            pod_bad = True
            bad_values.add(kind)
    bad_containers: list[str] = []
    for c in _containers(pod):
        profile = _sub(_security_context(c), "appArmorProfile")
        if profile is None:
            continue
        kind = _text(_get(profile, "type"))
        if kind not in _APPARMOR_TYPES:
            bad_containers.append(_name(c))
            bad_values.add(kind)
    setters = _setters_phrase(pod_bad, bad_containers)

    bad_annotations = []
    for key, value in _as_mapping(annotations).items():
        if isinstance(key, str) and key.startswith(_APPARMOR_ANNOTATION_PREFIX):
            text = _text(value)
            if not _apparmor_annotation_allowed(text):
                bad_annotations.append(f"{key}={_go_quote(text)}")
    listed = sorted(bad_values)
    if bad_annotations:
        listed += sorted(bad_annotations)
        setters.append(_plural("annotation", "annotations", len(bad_annotations)))

    if setters:
        return _deny(
            "appArmorProfile",
            _BASELINE,
            _plural("forbidden AppArmor profile", "forbidden AppArmor profiles", len(listed)),
            f"{' and '.join(setters)} must not set AppArmor profile type to {_quote_all(listed)}",
        )
    return _ok("appArmorProfile", _BASELINE)


_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})


def check_se_linux_options(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A custom SELinux user, role or type can lift the confinement that keeps a container in its lane."""
    bad_types: set[str] = set()
    sets_user = sets_role = False

    def acceptable(options: Mapping[str, Any]) -> bool:
        nonlocal sets_user, sets_role
        fine = True
        kind = _text(_get(options, "type"))
        if kind not in _SELINUX_TYPES:
            fine = False
            bad_types.add(kind)
        if _text(_get(options, "user")):
            fine = False
            sets_user = True
        if _text(_get(options, "role")):
            fine = False
            sets_role = True
        return fine

    pod_options = _sub(_security_context(pod), "seLinuxOptions")
    pod_bad = pod_options is not None and not acceptable(pod_options)
    bad_containers = []
    for c in _containers(pod):
        options = _sub(_security_context(c), "seLinuxOptions")
        if options is not None and not acceptable(options):
            bad_containers.append(_name(c))
    setters = _setters_phrase(pod_bad, bad_containers)
    if setters:
        problems = []
        if bad_types:
            ordered = sorted(bad_types)
            problems.append(f"{_plural('type', 'types', len(ordered))} {_quote_all(ordered)}")
        if sets_user:
            problems.append("user may not be set")
        if sets_role:
            problems.append("role may not be set")
        return _deny(
            "seLinuxOptions",
            _BASELINE,
            "seLinuxOptions",
            f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: {'; '.join(problems)}",
        )
    return _ok("seLinuxOptions", _BASELINE)


def _proc_mount_result(check_id: str, level: str, pod: PodSpec) -> CheckResult:
    """Shared by both procMount checks: anything but "Default" unmasks kernel interfaces under /proc."""
    bad: list[str] = []
    kinds: set[str] = set()
    for c in _containers(pod):
        raw = _get(_security_context(c), "procMount")
        if raw is None:
            continue
        kind = _text(raw)
        if kind != "Default":
            bad.append(_name(c))
            kinds.add(kind)
    if bad:
        return _deny(
            check_id,
            level,
            "procMount",
            f"{_containers_phrase(bad)} must not set securityContext.procMount to {_quote_all(sorted(kinds))}",
        )
    return _ok(check_id, level)


def check_proc_mount(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """The masked /proc hides host kernel knobs; a user-namespaced pod may unmask it since it is not root."""
    if _in_user_namespace(pod):
        return _ok("procMount", _BASELINE)
    return _proc_mount_result("procMount", _BASELINE, pod)


_SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _seccomp_findings(pod: PodSpec) -> tuple[bool, bool, list[str], list[str], set[str]]:
    """(pod sets a good profile, pod sets a bad one, containers setting bad ones, unset ones, bad values)."""
    bad_values: set[str] = set()
    pod_good = pod_bad = False
    profile = _sub(_security_context(pod), "seccompProfile")
    if profile is not None:
        kind = _text(_get(profile, "type"))
        if kind in _SECCOMP_TYPES:
            pod_good = True
        else:
            pod_bad = True
            bad_values.add(kind)
    explicit: list[str] = []
    unset: list[str] = []
    for c in _containers(pod):
        profile = _sub(_security_context(c), "seccompProfile")
        if profile is None:
            unset.append(_name(c))
            continue
        kind = _text(_get(profile, "type"))
        if kind not in _SECCOMP_TYPES:
            explicit.append(_name(c))
            bad_values.add(kind)
    return pod_good, pod_bad, explicit, unset, bad_values


def check_seccomp_profile_baseline(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Unconfined seccomp exposes every syscall; an unset profile is tolerated at baseline.

    At the latest policy version only the fields count; the pre-1.19 seccomp annotations are ignored.
    """
    _, pod_bad, explicit, _, bad_values = _seccomp_findings(pod)
    setters = _setters_phrase(pod_bad, explicit)
    if setters:
        return _deny(
            "seccompProfile_baseline",
            _BASELINE,
            "seccompProfile",
            f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
            f"{_quote_all(sorted(bad_values))}",
        )
    return _ok("seccompProfile_baseline", _BASELINE)


_SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    }
)


def check_sysctls(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Only sysctls namespaced to the pod and isolated from other pods are safe to set."""
    bad = [
        _text(_get(sysctl, "name"))
        for sysctl in _items(_get(_security_context(pod), "sysctls"))
        if is_map(sysctl) and _text(_get(sysctl, "name")) not in _SAFE_SYSCTLS
    ]
    if bad:
        return _deny("sysctls", _BASELINE, "forbidden sysctls", ", ".join(bad))
    return _ok("sysctls", _BASELINE)


def check_windows_host_process(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """A Windows HostProcess container runs directly on the node with the node's privileges."""

    def host_process(obj: Any) -> bool:
        options = _sub(_security_context(obj), "windowsOptions")
        return _flag(_get(options, "hostProcess"), unsafe=True) is True

    bad = [_name(c) for c in _containers(pod) if host_process(c)]
    setters = _setters_phrase(host_process(pod), bad)
    if setters:
        return _deny(
            "windowsHostProcess",
            _BASELINE,
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
        )
    return _ok("windowsHostProcess", _BASELINE)


# ---------------------------------------------------------------------------------------------------------
# Restricted checks


def check_allow_privilege_escalation(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Without an explicit false, setuid binaries and file capabilities can gain privileges at exec."""
    if _is_windows(pod):
        return _ok("allowPrivilegeEscalation", _RESTRICTED)
    bad = [
        _name(c)
        for c in _containers(pod)
        if _flag(_get(_security_context(c), "allowPrivilegeEscalation"), unsafe=True) is not False
    ]
    if bad:
        return _deny(
            "allowPrivilegeEscalation",
            _RESTRICTED,
            "allowPrivilegeEscalation != false",
            f"{_containers_phrase(bad)} must set securityContext.allowPrivilegeEscalation=false",
        )
    return _ok("allowPrivilegeEscalation", _RESTRICTED)


def check_capabilities_restricted(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Least privilege: drop every capability, then add back at most NET_BIND_SERVICE.

    "ALL" must be spelled exactly so in `drop`, and `drop` must be a real list. A container without a
    `capabilities` block is reported only for the missing drop, as upstream does.
    """
    if _is_windows(pod):
        return _ok("capabilities_restricted", _RESTRICTED)
    missing_drop: list[str] = []
    adding: list[str] = []
    added: set[str] = set()
    for c in _containers(pod):
        capabilities = _sub(_security_context(c), "capabilities")
        if capabilities is None:
            missing_drop.append(_name(c))
            continue
        drop = _get(capabilities, "drop")
        if not (isinstance(drop, (list, tuple)) and any(cap == "ALL" for cap in drop)):
            missing_drop.append(_name(c))
        extra = {_text(cap) for cap in _items(_get(capabilities, "add"))} - {"NET_BIND_SERVICE"}
        if extra:
            adding.append(_name(c))
            added |= extra
    details = []
    if missing_drop:
        details.append(f'{_containers_phrase(missing_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(
            f"{_containers_phrase(adding)} must not include {_quote_all(sorted(added))} "
            "in securityContext.capabilities.add"
        )
    if details:
        return _deny("capabilities_restricted", _RESTRICTED, "unrestricted capabilities", "; ".join(details))
    return _ok("capabilities_restricted", _RESTRICTED)


def check_proc_mount_restricted(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """At restricted the default /proc masks are required even in a user namespace."""
    return _proc_mount_result("procMount_restricted", _RESTRICTED, pod)


_ALLOWED_VOLUME_SOURCES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
_RESTRICTED_VOLUME_SOURCES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def check_restricted_volumes(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Only volume types that carry no node or network-storage access are allowed.

    A volume is fine as soon as it has one allowed source; one with none is reported by its first
    restricted source, or as "unknown" (for instance a volume with no source at all).
    """
    bad: list[str] = []
    kinds: set[str] = set()
    for volume in _items(_get(pod, "volumes")):
        if not is_map(volume):
            continue
        if any(_get(volume, source) is not None for source in _ALLOWED_VOLUME_SOURCES):
            continue
        bad.append(_text(_get(volume, "name")))
        kinds.add(next((s for s in _RESTRICTED_VOLUME_SOURCES if _get(volume, s) is not None), "unknown"))
    if bad:
        count = len(bad)
        return _deny(
            "restrictedVolumes",
            _RESTRICTED,
            "restricted volume types",
            f"{_plural('volume', 'volumes', count)} {_quote_all(bad)} {_plural('uses', 'use', count)} "
            f"{_plural('restricted volume type', 'restricted volume types', len(kinds))} "
            f"{_quote_all(sorted(kinds))}",
        )
    return _ok("restrictedVolumes", _RESTRICTED)


def check_run_as_non_root(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """The kubelet refuses to start a root-UID container only when runAsNonRoot is true.

    A non-zero runAsUser does not satisfy this check: upstream asks for runAsNonRoot itself.
    """
    if _in_user_namespace(pod):
        return _ok("runAsNonRoot", _RESTRICTED)
    pod_value = _flag(_get(_security_context(pod), "runAsNonRoot"), unsafe=False)
    explicit: list[str] = []
    implicit: list[str] = []
    for c in _containers(pod):
        value = _flag(_get(_security_context(c), "runAsNonRoot"), unsafe=False)
        if value is False:
            explicit.append(_name(c))
        elif value is None and pod_value is not True:
            implicit.append(_name(c))
    setters = _setters_phrase(pod_value is False, explicit)
    if setters:
        return _deny(
            "runAsNonRoot",
            _RESTRICTED,
            "runAsNonRoot != true",
            f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false",
        )
    if implicit:
        return _deny(
            "runAsNonRoot",
            _RESTRICTED,
            "runAsNonRoot != true",
            f"pod or {_containers_phrase(implicit)} must set securityContext.runAsNonRoot=true",
        )
    return _ok("runAsNonRoot", _RESTRICTED)


def _is_root_uid(obj: Any) -> bool:
    raw = _get(_security_context(obj), "runAsUser")
    return raw is not None and _integer(raw) in (0, None)


def check_run_as_user(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """An explicit runAsUser: 0 is root, whatever the image says."""
    if _in_user_namespace(pod):
        return _ok("runAsUser", _RESTRICTED)
    bad = [_name(c) for c in _containers(pod) if _is_root_uid(c)]
    setters = _setters_phrase(_is_root_uid(pod), bad)
    if setters:
        detail = f"{' and '.join(setters)} must not set runAsUser=0"
        return _deny("runAsUser", _RESTRICTED, "runAsUser=0", detail)
    return _ok("runAsUser", _RESTRICTED)


def check_seccomp_profile_restricted(pod: PodSpec, annotations: Annotations) -> CheckResult:
    """Every container must run under a seccomp filter, set on the pod or on the container itself.

    A bad pod-level profile is not rescued by good container-level ones, and explicit bad values are
    reported before containers that merely leave the profile unset.
    """
    if _is_windows(pod):
        return _ok("seccompProfile_restricted", _RESTRICTED)
    pod_good, pod_bad, explicit, unset, bad_values = _seccomp_findings(pod)
    setters = _setters_phrase(pod_bad, explicit)
    if setters:
        return _deny(
            "seccompProfile_restricted",
            _RESTRICTED,
            "seccompProfile",
            f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
            f"{_quote_all(sorted(bad_values))}",
        )
    if unset and not pod_good:
        return _deny(
            "seccompProfile_restricted",
            _RESTRICTED,
            "seccompProfile",
            f"pod or {_containers_phrase(unset)} must set securityContext.seccompProfile.type to "
            '"RuntimeDefault" or "Localhost"',
        )
    return _ok("seccompProfile_restricted", _RESTRICTED)


# ---------------------------------------------------------------------------------------------------------
# The registry and the evaluation API

CHECKS: tuple[Check, ...] = (
    # Baseline, then restricted, each in upstream's (sorted) order so reports read the same as kubectl's.
    Check(
        "appArmorProfile",
        _BASELINE,
        "AppArmor must stay the runtime default or a node-local profile, never unconfined.",
        check_app_armor_profile,
    ),
    Check(
        "capabilities_baseline",
        _BASELINE,
        "Containers may add only capabilities from the runtime's default set (never NET_RAW or SYS_ADMIN).",
        check_capabilities_baseline,
    ),
    Check(
        "hostNamespaces",
        _BASELINE,
        "The pod must not share the node's network, PID or IPC namespace.",
        check_host_namespaces,
    ),
    Check(
        "hostPathVolumes",
        _BASELINE,
        "The pod must not mount directories of the node (hostPath volumes).",
        check_host_path_volumes,
    ),
    Check(
        "hostPorts",
        _BASELINE,
        "Containers must not bind ports on the node itself (hostPort).",
        check_host_ports,
    ),
    Check(
        "hostProbesAndHostLifecycle",
        _BASELINE,
        "Probes and lifecycle hooks must not be aimed at a host other than the pod.",
        check_host_probes_and_lifecycle,
    ),
    Check("privileged", _BASELINE, "Containers must not run privileged.", check_privileged),
    Check(
        "procMount",
        _BASELINE,
        "Containers must keep the masked /proc, unless the pod has its own user namespace.",
        check_proc_mount,
    ),
    Check(
        "seLinuxOptions",
        _BASELINE,
        "SELinux user and role must stay unset and the type must be a standard container type.",
        check_se_linux_options,
    ),
    Check(
        "seccompProfile_baseline",
        _BASELINE,
        "A seccomp profile, where set, must be RuntimeDefault or Localhost.",
        check_seccomp_profile_baseline,
    ),
    Check(
        "sysctls",
        _BASELINE,
        "Only sysctls namespaced to the pod and isolated from other pods may be set.",
        check_sysctls,
    ),
    Check(
        "windowsHostProcess",
        _BASELINE,
        "Windows containers must not run as host processes.",
        check_windows_host_process,
    ),
    Check(
        "allowPrivilegeEscalation",
        _RESTRICTED,
        "Every container must set allowPrivilegeEscalation: false.",
        check_allow_privilege_escalation,
    ),
    Check(
        "capabilities_restricted",
        _RESTRICTED,
        "Every container must drop ALL capabilities and may add back only NET_BIND_SERVICE.",
        check_capabilities_restricted,
        overrides=("capabilities_baseline",),
    ),
    Check(
        "procMount_restricted",
        _RESTRICTED,
        "Containers must keep the masked /proc, even with their own user namespace.",
        check_proc_mount_restricted,
        overrides=("procMount",),
    ),
    Check(
        "restrictedVolumes",
        _RESTRICTED,
        "Volumes must be configMap, secret, emptyDir, projected, downwardAPI, CSI, PVC, ephemeral or image.",
        check_restricted_volumes,
        overrides=("hostPathVolumes",),
    ),
    Check(
        "runAsNonRoot",
        _RESTRICTED,
        "The pod or every container must set runAsNonRoot: true.",
        check_run_as_non_root,
    ),
    Check("runAsUser", _RESTRICTED, "Neither the pod nor a container may set runAsUser: 0.", check_run_as_user),
    Check(
        "seccompProfile_restricted",
        _RESTRICTED,
        "Every container must run under a RuntimeDefault or Localhost seccomp profile.",
        check_seccomp_profile_restricted,
        overrides=("seccompProfile_baseline",),
    ),
)


def _rank(level: str) -> int:
    """The position of a level in LEVELS; an unknown level is a programming error, so it raises."""
    if level not in LEVELS:
        raise ValueError(f"unknown Pod Security level {level!r}; expected one of {', '.join(LEVELS)}")
    return LEVELS.index(level)


def checks_for_level(level: str) -> tuple[Check, ...]:
    """The checks Pod Security Admission runs for a namespace enforcing `level`.

    Nothing for privileged; the baseline checks for baseline; for restricted, every restricted check
    plus the baseline checks that no restricted check overrides.
    """
    rank = _rank(level)
    overridden = {oid for check in CHECKS if _rank(check.level) <= rank for oid in check.overrides}
    return tuple(check for check in CHECKS if 0 < _rank(check.level) <= rank and check.id not in overridden)


def evaluate(pod: Mapping[str, Any], annotations: Mapping[str, Any] | None = None) -> list[CheckResult]:
    """Run every check, allowed or not, overridden or not, in CHECKS order: the full picture for a report."""
    return [check.run(pod, annotations) for check in CHECKS]


def violations(
    pod: Mapping[str, Any], annotations: Mapping[str, Any] | None = None, level: str = "restricted"
) -> list[CheckResult]:
    """The failed checks that would make admission refuse the pod in a namespace enforcing `level`."""
    results = (check.run(pod, annotations) for check in checks_for_level(level))
    return [result for result in results if not result.allowed]


def highest_level(pod: Mapping[str, Any], annotations: Mapping[str, Any] | None = None) -> str:
    """The strictest level whose checks all pass.

    "restricted" requires every check to pass, overridden baseline checks included. Upstream admission
    can admit a pod at restricted that baseline would refuse (a Windows pod is exempt from the restricted
    capability and seccomp checks that replace the baseline ones), but such a pod is not valid Kubernetes
    anyway, and claiming more than baseline for it would be misleading; this keeps the levels nested.
    """
    return level_of(evaluate(pod, annotations))


def level_of(results: Iterable[CheckResult]) -> str:
    """`highest_level` from results already computed by `evaluate`."""
    results = list(results)
    if all(result.allowed for result in results):
        return "restricted"
    if all(result.allowed for result in results if result.level == _BASELINE):
        return "baseline"
    return "privileged"
