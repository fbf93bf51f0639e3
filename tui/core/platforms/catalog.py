"""Where the Agent runs: each Kubernetes platform as data.

A `Platform` says what the user's cluster needs from the bundle: the runtime and socket it uses, the
chart keys it sets (with why), the answers it refuses (with why, and what to use instead), whether a
post-render patch may touch the DaemonSet, the Pod Security labels its namespace needs, the host
preparation for a non-root Agent, its caveats, and what its API server reports to helm (`cluster`).

This module is plain data and imports nothing from the answers contract, which reads the platform
names from here; what chart 3.240.0 does with the `providers.*` keys is in `chart_providers`.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core.platforms.api_server import ANY_CLUSTER, Cluster
from tui.core.yamlio.dotted import lookup

# Where each runtime keeps its socket on most distributions; a platform or the answers may say otherwise.
RUNTIME_SOCKETS = {
    "containerd": "/var/run/containerd/containerd.sock",
    "cri-o": "/var/run/crio/crio.sock",
    "docker": "/var/run/docker.sock",
}


class ChartKey(NamedTuple):
    key: str
    value: Any
    why: str


class Refusal(NamedTuple):
    """An answer value the platform cannot run, why, and what the answers fall back to."""

    answer_id: str
    value: Any  # a list answer (system_probe) refuses one of its items
    reason: str
    fallback: Any


class Platform(NamedTuple):
    name: str
    title: str
    summary: str
    runtime: str | None = None  # the only runtime it runs; None: the user chooses
    sockets: Mapping[str, str] = {}  # runtime -> socket path when it differs from the runtime's usual one
    socket_fixed: bool = False  # the chart decides the socket itself: runtime_socket is refused
    chart_keys: tuple[ChartKey, ...] = ()
    refuses: tuple[Refusal, ...] = ()
    post_render_patch: bool = True
    custom_security_contexts: bool = True  # False: the platform admits only the chart's own ones
    patch_note: str = ""  # what the platform changes in daemonset-overrides.yaml
    namespace_labels: Mapping[str, str] = {}
    pod_security: str = ""  # what its admission needs from the namespace
    host_preparation: tuple[str, ...] = ()  # for a non-root Agent, beyond the generic checklist
    caveats: tuple[str, ...] = ()
    cluster: Cluster = ANY_CLUSTER
    # The API server version from which the chart renders system-probe here; None: whatever the version.
    system_probe_from: str | None = None

    def refusal(self, answer_id: str, value: Any) -> Refusal | None:
        for refusal in self.refuses:
            if refusal.answer_id != answer_id:
                continue
            if isinstance(value, (list, tuple)) and refusal.value in value:
                return refusal
            if refusal.value == value:
                return refusal
        return None

    def accepts(self, answer_id: str, value: Any) -> bool:
        if answer_id == "runtime" and self.runtime is not None:
            return value == self.runtime
        return self.refusal(answer_id, value) is None


_ROOT_SOCKET = (
    "The containerd socket is root:root 0660: add its group to `datadog.securityContext.supplementalGroups` "
    "or grant the Agent's UID read access on every node."
)
_OPENSHIFT_API = "quota.openshift.io/v1/ClusterResourceQuota"
_OPENSHIFT_SCC_API = "security.openshift.io/v1/SecurityContextConstraints"
AUTOPILOT_ALLOWLIST_APIS = ("auto.gke.io/v1/AllowlistSynchronizer", "auto.gke.io/v1/WorkloadAllowlist")
# The chart renders its WorkloadAllowlist variant (the only one with system-probe) from this GKE version.
AUTOPILOT_ALLOWLIST_KUBE = "v1.32.1-gke.1729000"
AKS_KUBELET_CA = "/etc/kubernetes/certs/kubeletserver.crt"
SPC_T = {"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0"}

_AUTOPILOT_ALLOWLIST = "GKE Autopilot admits the Agent only when its pod matches Datadog's published WorkloadAllowlist"

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            "generic",
            "Generic Kubernetes",
            "kubeadm, kind, managed clusters not listed here: the runtime's usual socket under /var/run",
        ),
        Platform(
            "k3s",
            "k3s",
            "k3s's embedded containerd at /run/k3s/containerd/containerd.sock",
            runtime="containerd",
            sockets={"containerd": "/run/k3s/containerd/containerd.sock"},
            host_preparation=(_ROOT_SOCKET,),
            caveats=(
                "k3s started with --docker uses dockerd instead: choose the generic platform with runtime=docker.",
            ),
        ),
        Platform(
            "rke2",
            "RKE2",
            "RKE2's containerd at /run/k3s/containerd/containerd.sock",
            runtime="containerd",
            sockets={"containerd": "/run/k3s/containerd/containerd.sock"},
            pod_security="RKE2's CIS profile enforces restricted cluster-wide: namespace.yaml's enforce label "
            "relaxes only the Agent's namespace.",
            host_preparation=(_ROOT_SOCKET,),
        ),
        Platform(
            "microk8s",
            "MicroK8s",
            "the snap's containerd at /var/snap/microk8s/common/run/containerd.sock",
            runtime="containerd",
            sockets={"containerd": "/var/snap/microk8s/common/run/containerd.sock"},
            host_preparation=(
                "The socket belongs to root and the snap's group: add that group to "
                "`datadog.securityContext.supplementalGroups`.",
            ),
            caveats=("Pod logs are under /var/log/pods as on other distributions; the snap keeps nothing else.",),
        ),
        Platform(
            "bottlerocket",
            "Bottlerocket (EKS)",
            "containerd at /run/containerd/containerd.sock; never the dockershim path",
            runtime="containerd",
            sockets={"containerd": "/run/containerd/containerd.sock"},
            refuses=(
                Refusal(
                    "runtime",
                    "docker",
                    "Bottlerocket has no dockerd; /run/dockershim.sock is an absolute symlink that breaks once "
                    "mounted under /host",
                    "containerd",
                ),
            ),
            caveats=(
                "Bottlerocket's SELinux policy labels the containerd socket: a non-root Agent also needs "
                "a label that may read it; root works as shipped.",
            ),
        ),
        Platform(
            "talos",
            "Talos Linux",
            "providers.talos.enabled: no /etc/passwd, /etc/group or kernel headers to mount",
            runtime="containerd",
            sockets={"containerd": "/run/containerd/containerd.sock"},
            chart_keys=(
                ChartKey(
                    "providers.talos.enabled",
                    True,
                    "platform=talos: the host has no /etc/passwd, /etc/group or kernel headers; the chart stops "
                    "mounting them and turns eBPF runtime compilation off",
                ),
            ),
            pod_security="Talos enforces baseline in every namespace by default: apply namespace.yaml (its "
            "enforce label) before the DaemonSet.",
            caveats=(
                "eBPF checks need a kernel with BTF (CO-RE): Talos offers no kernel headers to compile against.",
                "Process and security events show numeric user and group IDs (no host /etc/passwd, /etc/group).",
            ),
        ),
        Platform(
            "aks",
            "Azure AKS",
            "providers.aks.enabled, and the kubelet's own CA file so TLS verification stays on",
            runtime="containerd",
            chart_keys=(
                ChartKey("providers.aks.enabled", True, "platform=aks: the chart's AKS adjustments"),
                ChartKey(
                    "datadog.kubelet.tlsVerify",
                    True,
                    "platform=aks: keep verifying the kubelet's certificate (the usual advice, false, turns it off)",
                ),
                ChartKey(
                    "datadog.kubelet.hostCAPath",
                    AKS_KUBELET_CA,
                    "platform=aks: the kubelet's serving certificate is not signed by the cluster CA; trust this "
                    "file instead (one read-only file mount)",
                ),
                ChartKey(
                    "datadog.kubelet.host",
                    {"valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                    "platform=aks: the certificate names the node, not its IP",
                ),
            ),
            caveats=(
                "Check that /etc/kubernetes/certs/kubeletserver.crt exists on your node image; if not, set "
                "datadog.kubelet.hostCAPath to the kubelet's serving certificate.",
            ),
        ),
        Platform(
            "eks",
            "Amazon EKS (EC2, Amazon Linux)",
            "containerd; nothing else changes",
            runtime="containerd",
            caveats=(
                "Bottlerocket nodes: choose the bottlerocket platform.",
                "Fargate runs no DaemonSets: the node Agent does not run there.",
                "If pods cannot reach the instance metadata service (IMDSv2 hop limit 1), the chart's "
                "providers.eks.ec2.useHostnameFromFile reads the hostname from a host file (one more read-only "
                "hostPath); ddsecure does not set it.",
            ),
        ),
        Platform(
            "gke",
            "GKE Standard (Container-Optimized OS)",
            "providers.gke.cos: /usr is read-only, no /usr/src",
            runtime="containerd",
            chart_keys=(
                ChartKey(
                    "providers.gke.cos",
                    True,
                    "platform=gke: Container-Optimized OS has a read-only /usr and no /usr/src to mount",
                ),
            ),
            caveats=("Ubuntu node pools have /usr/src: choose the generic platform for them.",),
        ),
        Platform(
            "gke-autopilot",
            "GKE Autopilot",
            "providers.gke.autopilot: values only, no post-render patch; sockets and the runtime are the chart's",
            runtime="containerd",
            socket_fixed=True,
            chart_keys=(
                ChartKey(
                    "providers.gke.autopilot",
                    True,
                    f"platform=gke-autopilot: {_AUTOPILOT_ALLOWLIST}; the chart renders that pod",
                ),
            ),
            refuses=(
                Refusal(
                    "dogstatsd",
                    "uds",
                    "Autopilot forbids the socket's hostPath: the chart swaps it for an emptyDir no application "
                    "can reach (only Datadog's CSI driver can share it)",
                    "udp",
                ),
                Refusal(
                    "apm",
                    "uds",
                    "Autopilot forbids the socket's hostPath: the chart drops the APM socket and apps could not "
                    "reach trace-agent",
                    "tcp-local-service",
                ),
                Refusal(
                    "run_as",
                    "nonroot",
                    "the chart refuses custom security contexts on Autopilot (the allowlist pins them): the Agent "
                    "runs with the chart's own, as root, inside Autopilot's own restrictions",
                    "root",
                ),
                Refusal(
                    "system_probe",
                    "cws",
                    "the chart does not support Workload Protection (CWS) on Autopilot",
                    None,
                ),
                Refusal(
                    "dogstatsd",
                    "off",
                    "turning DogStatsD off adds an environment variable to the agent container, which the "
                    "WorkloadAllowlist does not list",
                    "udp",
                ),
            ),
            post_render_patch=False,
            custom_security_contexts=False,
            patch_note="any change after the chart renders risks a denial by the WorkloadAllowlist",
            caveats=(
                f"{_AUTOPILOT_ALLOWLIST} (containers, images, environment names, volumes); values outside it "
                "are denied at admission.",
                f"The allowlist variant needs GKE {AUTOPILOT_ALLOWLIST_KUBE.removeprefix('v')} or later; older "
                "clusters render the legacy pod without system-probe, where eBPF features fail the chart's checks.",
                "Logs' read positions live in /var/autopilot/addon/datadog/logs, read-write, whatever you choose.",
            ),
            cluster=Cluster("v1.33.5-gke.1000000", frozenset(AUTOPILOT_ALLOWLIST_APIS)),
            system_probe_from=AUTOPILOT_ALLOWLIST_KUBE,
        ),
        Platform(
            "openshift",
            "Red Hat OpenShift",
            "CRI-O; an SCC narrowed to these answers; SELinux type spc_t kept with a custom securityContext",
            runtime="cri-o",
            chart_keys=(
                ChartKey(
                    "agents.podSecurity.securityContextConstraints.create",
                    True,
                    "platform=openshift: the Agent's own SCC, narrowed below to what these answers need",
                ),
                ChartKey(
                    "agents.podSecurity.privileged",
                    False,
                    "platform=openshift: no privileged containers",
                ),
            ),
            namespace_labels={"security.openshift.io/scc.podSecurityLabelSync": "false"},
            pod_security="OpenShift rewrites Pod Security labels from the SCCs a namespace may use unless "
            "label sync is off, which the extra label does.",
            caveats=(
                "Application pods under the restricted-v2 SCC cannot mount a hostPath: with a DogStatsD or APM "
                "socket, their service accounts need an SCC that allows the socket directory.",
                "The chart's ClusterRole also grants `use` of the privileged and hostaccess SCCs; the bundle's "
                "RBAC patch removes them where it is generated.",
                "The Cluster Agent runs under restricted-v2: do not pin its UID (the SCC assigns one).",
            ),
            cluster=Cluster("v1.31.0", frozenset({_OPENSHIFT_API, _OPENSHIFT_SCC_API})),
        ),
    )
}

PLATFORM_NAMES = tuple(PLATFORMS)


def refusal_message(platform: Platform, answer_id: str, value: Any) -> str:
    """One line: what the platform refuses, why, and what it accepts instead."""
    shown = value if not isinstance(value, (list, tuple)) else ",".join(value)
    if answer_id == "runtime" and platform.runtime is not None and value != platform.runtime:
        reason = next((r.reason for r in platform.refuses if r.answer_id == "runtime" and r.value == value), "")
        return (
            f"platform={platform.name} refuses runtime={shown}: {reason or 'it runs ' + platform.runtime}; "
            f"valid: {platform.runtime}"
        )
    if answer_id == "runtime_socket" and platform.socket_fixed:
        return f"platform={platform.name} refuses runtime_socket: the chart sets the socket path itself; leave it unset"
    refusal = platform.refusal(answer_id, value)
    reason = refusal.reason if refusal else "not supported"
    fallback = refusal.fallback if refusal else None
    if isinstance(value, (list, tuple)) and refusal:
        return f"platform={platform.name} refuses {answer_id} {refusal.value}: {reason}; leave it out"
    return f"platform={platform.name} refuses {answer_id}={shown}: {reason}; use {answer_id}={fallback} instead"


def explicit_conflicts(platform_name: str, given: Mapping[str, Any]) -> str | None:
    """The first answer given explicitly that the platform refuses, as a one-line message."""
    platform = PLATFORMS.get(platform_name)
    if platform is None:
        return None
    for answer_id, value in given.items():
        if answer_id == "platform":
            continue
        if answer_id == "runtime_socket" and platform.socket_fixed and value is not None:
            return refusal_message(platform, answer_id, value)
        if not platform.accepts(answer_id, value):
            return refusal_message(platform, answer_id, value)
    return None


def platform_from_values(values: Mapping[str, Any]) -> str:
    """The platform a values file targets: its switch key (a platform's first chart key) or its socket."""
    for platform in PLATFORMS.values():
        switch = platform.chart_keys[0] if platform.chart_keys else None
        if switch is not None and switch.value is True and lookup(values, switch.key) is True:
            return platform.name
    socket = lookup(values, "datadog.criSocketPath")
    switched = {p.sockets.get("containerd") for p in PLATFORMS.values() if p.chart_keys}
    for platform in PLATFORMS.values():
        if socket and socket in platform.sockets.values() and socket not in switched:
            return platform.name
    return "generic"
