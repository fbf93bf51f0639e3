"""Least-privilege rules per platform, checked on a pod and its SCC, predicted or rendered.

Each rule is one table entry: an id, the platforms it concerns, what it promises, and a pure check
that returns the reason it fails (or None). The same checks run on the chart model's pod and, in the
integration tests, on the pod and SCC that real `helm template` (+ `kubectl kustomize`) produce.
"""

import posixpath
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tui.core.answers.contract import Answers
from tui.core.chart.values import APM_OWN_SOCKET_DIR, DSD_SOCKET_DIR, SHARED_SOCKET_DIRS
from tui.core.pod.spec import all_containers, host_path_mounts, host_path_volumes
from tui.core.yamlio.dotted import lookup


class Rendered(NamedTuple):
    """What is checked: the answers, the values written, the node-Agent pod, the SCC (or None), the patch."""

    answers: Answers
    values: Mapping[str, Any]
    pod: Mapping[str, Any]
    scc: Mapping[str, Any] | None
    patched: bool


class PlatformRule(NamedTuple):
    id: str
    platforms: tuple[str, ...]  # () = every platform
    promise: str
    check: Callable[[Rendered], str | None]


def _host_paths(r: Rendered) -> dict[str, bool]:
    """host path -> mounted read-only everywhere."""
    volumes = host_path_volumes(r.pod)
    out: dict[str, bool] = {str(v.get("path")): True for v in volumes.values()}
    for _, volume, _, read_only in host_path_mounts(r.pod):
        path = str(volumes[volume].get("path"))
        out[path] = out[path] and read_only
    return out


def _under_run(path: str) -> bool:
    return any(path == top or path.startswith(top + "/") for top in ("/run", "/var/run"))


def _runtime_socket_only(r: Rendered) -> str | None:
    socket = r.answers.socket_path
    directory = posixpath.dirname(socket)
    allowed_ro = {socket} | ({directory} if directory not in SHARED_SOCKET_DIRS else set())
    chosen_rw = set()
    if r.answers.dogstatsd_over_uds:
        chosen_rw.add(DSD_SOCKET_DIR)
    if r.answers.apm_over_uds:
        chosen_rw.add(DSD_SOCKET_DIR if r.answers.dogstatsd_over_uds else APM_OWN_SOCKET_DIR)
    for path, read_only in _host_paths(r).items():
        if path in allowed_ro:
            if not read_only:
                return f"the runtime socket {path} is mounted read-write"
        elif path in chosen_rw:
            continue
        elif _under_run(path):
            return f"{path} is mounted, beyond the runtime socket's own directory"
    if not any(p in allowed_ro for p in _host_paths(r)):
        return f"the runtime socket {socket} is not mounted"
    return None


def _no_users_files(r: Rendered) -> str | None:
    found = sorted(set(_host_paths(r)) & {"/etc/passwd", "/etc/group"})
    return f"{', '.join(found)} mounted; Talos has none" if found else None


def _kubelet_ca(r: Rendered) -> str | None:
    if lookup(r.values, "datadog.kubelet.tlsVerify") is False:
        return "kubelet TLS verification is turned off"
    ca = lookup(r.values, "datadog.kubelet.hostCAPath")
    if not ca or _host_paths(r).get(str(ca)) is not True:
        return "the kubelet CA file is not mounted read-only"
    if lookup(r.values, "datadog.kubelet.host.valueFrom.fieldRef.fieldPath") != "spec.nodeName":
        return "the kubelet is not addressed by node name, which its certificate names"
    return None


def _pod_capabilities(pod: Mapping[str, Any]) -> list[str]:
    caps: list[str] = []
    for container in all_containers(pod):
        for cap in ((container.get("securityContext") or {}).get("capabilities") or {}).get("add") or []:
            if cap not in caps:
                caps.append(cap)
    return caps


def _narrow_scc(r: Rendered) -> str | None:
    scc = r.scc
    if scc is None:
        return "no SecurityContextConstraints for the Agent"
    if scc.get("allowPrivilegedContainer"):
        return "the SCC allows privileged containers"
    needed = _pod_capabilities(r.pod)
    if sorted(scc.get("allowedCapabilities") or []) != sorted(needed):
        return f"the SCC allows capabilities {scc.get('allowedCapabilities')} but the pod adds {needed}"
    if r.answers.system_probe == () and needed:
        return "capabilities without an eBPF feature"
    if bool(scc.get("allowHostPID")) != r.answers.host_pid:
        return "the SCC's hostPID does not follow socket origin detection"
    host_ports = r.answers.dogstatsd == "udp-hostport" or r.answers.apm == "tcp-hostport"
    if bool(scc.get("allowHostPorts")) != host_ports:
        return "the SCC's host ports do not follow the -hostport answers"
    if scc.get("allowHostNetwork"):
        return "the SCC allows the host network"
    return None


def _spc_t(r: Rendered) -> str | None:
    options = (r.pod.get("securityContext") or {}).get("seLinuxOptions") or {}
    if options.get("type") != "spc_t":
        return "the pod lost SELinux type spc_t"
    if lookup(r.values, "datadog.securityContext.seLinuxOptions.type") != "spc_t":
        return "spc_t is not kept inside datadog.securityContext"
    return None


def _values_only(r: Rendered) -> str | None:
    return "a post-render patch changes the chart's pod" if r.patched else None


def _discovery_off(r: Rendered) -> str | None:
    names = {str(c.get("name")) for c in r.pod.get("containers") or []}
    if not r.answers.system_probe and "system-probe" in names:
        return "system-probe runs without an eBPF feature (service discovery left on)"
    return None


def _no_usr_src(r: Rendered) -> str | None:
    return "/usr/src is mounted on a read-only /usr" if "/usr/src" in _host_paths(r) else None


PLATFORM_RULES: tuple[PlatformRule, ...] = (
    PlatformRule(
        "runtime-socket-only",
        (),
        "the runtime socket's own directory (or the socket file) read-only, and nothing else of /run",
        _runtime_socket_only,
    ),
    PlatformRule("talos-no-users", ("talos",), "no /etc/passwd or /etc/group on Talos", _no_users_files),
    PlatformRule("aks-kubelet-ca", ("aks",), "the kubelet CA file instead of tlsVerify: false", _kubelet_ca),
    PlatformRule("openshift-narrow-scc", ("openshift",), "an SCC narrowed to what the answers need", _narrow_scc),
    PlatformRule("openshift-spc-t", ("openshift",), "spc_t kept inside datadog.securityContext", _spc_t),
    PlatformRule("autopilot-values-only", ("gke-autopilot",), "no post-render patch", _values_only),
    PlatformRule("autopilot-discovery-off", ("gke-autopilot",), "discovery off unless eBPF is chosen", _discovery_off),
    PlatformRule("read-only-usr", ("gke", "gke-autopilot"), "no /usr/src on a read-only /usr", _no_usr_src),
)


def broken_rules(rendered: Rendered) -> list[str]:
    """ "rule-id: reason" for every rule of the answers' platform that the pod breaks."""
    out = []
    for rule in PLATFORM_RULES:
        if rule.platforms and rendered.answers.platform not in rule.platforms:
            continue
        reason = rule.check(rendered)
        if reason:
            out.append(f"{rule.id}: {reason}")
    return out
