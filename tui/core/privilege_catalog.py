"""Why each host privilege exists: the data behind the ledger's "because" and the report.

Keyed by the chart's volume names (stable across versions and identical in real renders), so the
ledger can explain a real `helm template` DaemonSet as well as a predicted one.
"""

from __future__ import annotations

from typing import NamedTuple


class PrivilegeInfo(NamedTuple):
    because: str  # what it is used for
    needed_by: str  # the answer (or chart feature) that brings it
    lost_without: str  # what stops working if it is removed


HOST_PATHS: dict[str, PrivilegeInfo] = {
    "procdir": PrivilegeInfo(
        "host and container metrics read from the host's /proc",
        "always (core Agent)",
        "system metrics (CPU, memory, network, processes) and container tagging",
    ),
    "cgroups": PrivilegeInfo(
        "container resource metrics from the cgroup tree",
        "always (core Agent)",
        "per-container CPU and memory metrics",
    ),
    "os-release-file": PrivilegeInfo(
        "detects the host's operating system", "always (core Agent)", "OS name and version on the host"
    ),
    "runtimesocketdir": PrivilegeInfo(
        "talks to the container runtime for container metadata",
        "runtime",
        "container names, images and tags; container metrics from the runtime",
    ),
    "dsdsocket": PrivilegeInfo(
        "directory where the Agent creates dsd.socket (and apm.socket when shared)",
        "dogstatsd=uds",
        "DogStatsD over Unix socket; clients fall back to UDP",
    ),
    "apmsocket": PrivilegeInfo(
        "directory where trace-agent creates apm.socket", "apm=uds", "traces over Unix socket; use TCP instead"
    ),
    "passwd": PrivilegeInfo(
        "maps process UIDs to user names",
        "process_collection (as root) or system_probe=cws",
        "user names on live processes (UIDs are shown instead)",
    ),
    "logpodpath": PrivilegeInfo("reads pod logs written by the kubelet", "logs", "container log collection"),
    "logscontainerspath": PrivilegeInfo(
        "follows the kubelet's symlinks to pod logs", "logs", "container log collection"
    ),
    "logdockercontainerpath": PrivilegeInfo(
        "reads Docker's JSON log files", "logs with runtime=docker", "log collection from Docker's files"
    ),
    "pointerdir": PrivilegeInfo(
        "remembers how far each log file was read, across Agent restarts",
        "logs",
        "after a restart logs are re-sent or skipped",
    ),
    "debugfs": PrivilegeInfo("kprobe registration for eBPF", "system_probe", "every system-probe feature"),
    "bpffs": PrivilegeInfo("pinned eBPF maps", "system_probe=npm", "network monitoring"),
    "hostroot": PrivilegeInfo(
        "reads binaries and files anywhere on the host", "system_probe=usm or cws", "TLS library hooks and file events"
    ),
    "group": PrivilegeInfo("maps GIDs to group names", "system_probe=cws", "group names in security events"),
    "modules": PrivilegeInfo(
        "kernel headers for runtime eBPF compilation",
        "system_probe=usm, oom-kill or tcp-queue-length",
        "runtime compilation on kernels without BTF",
    ),
    "src": PrivilegeInfo(
        "kernel sources for runtime eBPF compilation",
        "system_probe=usm, oom-kill or tcp-queue-length",
        "runtime compilation on kernels without BTF",
    ),
    "runtime-compiler-output-dir": PrivilegeInfo(
        "caches compiled eBPF programs", "system_probe runtime compilation", "compilation on every start"
    ),
    "kernel-headers-download-dir": PrivilegeInfo(
        "stores downloaded kernel headers", "system_probe runtime compilation", "header download fallback"
    ),
    "seccomp-root": PrivilegeInfo(
        "installs system-probe's own seccomp profile on the node",
        "chart default system-probe profile",
        "the Localhost seccomp profile",
    ),
    "etc-redhat-release": PrivilegeInfo("OS detection for kernel headers", "system_probe", "header matching"),
    "etc-fedora-release": PrivilegeInfo("OS detection for kernel headers", "system_probe", "header matching"),
    "etc-lsb-release": PrivilegeInfo("OS detection for kernel headers", "system_probe", "header matching"),
    "etc-system-release": PrivilegeInfo("OS detection for kernel headers", "system_probe", "header matching"),
    "kubelet-ca": PrivilegeInfo(
        "the kubelet's serving certificate, trusted so TLS verification stays on",
        "platform=aks",
        "verified kubelet connections (the alternative turns TLS verification off)",
    ),
    "cloudinit-instance-id-file": PrivilegeInfo(
        "the EC2 instance id as the hostname, without the metadata service",
        "providers.eks.ec2.useHostnameFromFile",
        "a stable hostname where pods cannot reach the instance metadata service",
    ),
    "datadogrun": PrivilegeInfo(
        "the Agent's run directory on GKE Autopilot: log read positions across restarts",
        "platform=gke-autopilot (always, by the chart)",
        "nothing you can choose: the WorkloadAllowlist expects it",
    ),
}

PACKAGE_DIRS = (
    "apt-config-dir",
    "yum-repos-dir",
    "opensuse-repos-dir",
    "public-key-dir",
    "yum-vars-dir",
    "dnf-vars-dir",
    "rhel-subscription-dir",
)
for _name in PACKAGE_DIRS:
    HOST_PATHS[_name] = PrivilegeInfo(
        "package manager configuration, to download matching kernel headers",
        "system_probe runtime compilation",
        "kernel header download",
    )

UNKNOWN = PrivilegeInfo("not explained by ddsecure (added outside its answers)", "unknown", "unknown")

HOST_PID = PrivilegeInfo(
    "maps a Unix-socket peer's PID to its container (DogStatsD origin detection)",
    "dogstatsd=uds + origin_detection",
    "container tags on DogStatsD metrics sent over the socket",
)
HOST_PORTS = {
    8125: PrivilegeInfo("DogStatsD on <node IP>:8125/UDP", "dogstatsd=udp-hostport", "sending to the node IP"),
    8126: PrivilegeInfo("trace intake on <node IP>:8126/TCP", "apm=tcp-hostport", "sending traces to the node IP"),
}
ROOT = PrivilegeInfo(
    "works with root-only runtime sockets and log files on any host",
    "run_as=root",
    "nothing, if the host grants UID 100 access (see the report's host checklist)",
)
CAPABILITIES = PrivilegeInfo(
    "eBPF programs, perf events and kernel tracing", "system_probe", "every system-probe feature"
)


def host_path_info(volume: str) -> PrivilegeInfo:
    return HOST_PATHS.get(volume, UNKNOWN)
