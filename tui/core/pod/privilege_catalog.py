"""Why each host privilege exists: the data behind the ledger's "because" and the report.

Keyed by the chart's volume names (stable across versions and identical in real renders), so the
ledger can explain a real `helm template` DaemonSet as well as a predicted one.
"""

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
    "btf-path": PrivilegeInfo(
        "kernel type information for CO-RE eBPF",
        "datadog.systemProbe.btfPath",
        "CO-RE on kernels without /sys/kernel/btf",
    ),
    "host-containerd-dir": PrivilegeInfo(
        "container image layers, scanned for the SBOM", "SBOM container images", "vulnerability data on images"
    ),
    "host-docker-dir": PrivilegeInfo(
        "container image layers, scanned for the SBOM", "SBOM container images", "vulnerability data on images"
    ),
    "host-crio-dir": PrivilegeInfo(
        "container image layers, scanned for the SBOM", "SBOM container images", "vulnerability data on images"
    ),
    "host-apk-dir": PrivilegeInfo("the host's package database, for the host SBOM", "SBOM host", "host SBOM"),
    "host-dpkg-dir": PrivilegeInfo("the host's package database, for the host SBOM", "SBOM host", "host SBOM"),
    "host-rpm-dir": PrivilegeInfo("the host's package database, for the host SBOM", "SBOM host", "host SBOM"),
    "pod-resources-socket": PrivilegeInfo(
        "the kubelet's pod-resources API: which pod holds which GPU", "GPU monitoring", "GPU-to-pod attribution"
    ),
    "gpu-devices": PrivilegeInfo("makes the NVIDIA runtime expose every GPU", "GPU monitoring", "GPU metrics"),
    "host-systemd-transient": PrivilegeInfo(
        "grants cgroup device permissions to GPU containers",
        "GPU monitoring (configureCgroupPerms)",
        "GPU access after container restarts",
    ),
    "tracingfs": PrivilegeInfo("kernel tracing for the host profiler", "host profiler", "host profiling"),
    "host-profiler-seccomp-root": PrivilegeInfo(
        "installs the host profiler's seccomp profile on the node", "host profiler", "the Localhost seccomp profile"
    ),
    "kubelet-ca": PrivilegeInfo(
        "verifies the kubelet's TLS certificate", "datadog.kubelet.hostCAPath", "kubelet TLS verification"
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
# Ports the Agent's containers declare, by (port, protocol): every one of them is reachable from other pods.
LISTENERS = {
    (8125, "UDP"): PrivilegeInfo(
        "DogStatsD metrics over UDP",
        "dogstatsd=udp or udp-hostport",
        "metrics from apps that send over UDP (the socket needs no port)",
    ),
    (8126, "TCP"): PrivilegeInfo(
        "trace intake over TCP; the chart opens it in every APM mode, and trace-agent's liveness probe connects "
        "to it, so it stays open even when apps use the socket",
        "apm (any transport)",
        "traces over TCP, and trace-agent's liveness probe",
    ),
}
UNKNOWN_LISTENER = PrivilegeInfo("a port added outside ddsecure's answers", "unknown", "unknown")
ROOT = PrivilegeInfo(
    "works with root-only runtime sockets and log files on any host",
    "run_as=root",
    "nothing, if the host grants the dd-agent user access (see the report's host checklist)",
)
CAPABILITIES = PrivilegeInfo(
    "eBPF programs, perf events and kernel tracing", "system_probe", "every system-probe feature"
)
ROOT_CONTAINERS = {
    "system-probe": PrivilegeInfo(
        "loads eBPF programs and reads kernel state", "system_probe", "every system-probe feature"
    ),
    "security-agent": PrivilegeInfo(
        "reads every file and process for Workload Protection", "system_probe=cws", "runtime threat detection"
    ),
}


# What each Linux capability lets a container do, in a few words.
CAPABILITY_WHY = {
    "SYS_ADMIN": "mounts, namespaces, eBPF and perf on older kernels: close to root on the host",
    "SYS_RESOURCE": "raise the locked-memory limit for eBPF maps",
    "SYS_PTRACE": "read other processes' memory maps and /proc entries",
    "NET_ADMIN": "change network settings, attach socket filters",
    "NET_BROADCAST": "broadcast and multicast on the network",
    "NET_RAW": "raw sockets (conntrack, traceroute)",
    "IPC_LOCK": "lock memory for eBPF maps",
    "CHOWN": "change the owner of any file",
    "DAC_READ_SEARCH": "read any file whatever its permissions",
    "DAC_OVERRIDE": "read and write any file whatever its permissions",
    "KILL": "kill any process (CWS enforcement)",
    "MKNOD": "create device nodes (GPU devices)",
    "AUDIT_CONTROL": "configure the kernel audit system (CSPM)",
    "AUDIT_READ": "read the kernel audit log (CSPM)",
    "BPF": "load eBPF programs",
    "PERFMON": "perf events and tracing",
    "SYSLOG": "read the kernel log",
    "CHECKPOINT_RESTORE": "read other processes' executable links",
    "SYS_MODULE": "load kernel modules",
    "NET_BIND_SERVICE": "bind ports below 1024",
}


def capability_why(capability: str) -> str:
    return CAPABILITY_WHY.get(capability, "not explained by ddsecure")


# Where the chart keeps the Agent's host state on GKE Autopilot, whatever it names the volume: `datadogrun`
# in the WorkloadAllowlist variant, `pointerdir` in the legacy one, both always mounted there.
AUTOPILOT_HOST_ROOT = "/var/autopilot/addon/datadog"


def host_path_info(volume: str, path: str = "") -> PrivilegeInfo:
    """What a host path volume is for: by its name, except under Autopilot's own root (the platform's)."""
    if path == AUTOPILOT_HOST_ROOT or path.startswith(AUTOPILOT_HOST_ROOT + "/"):
        return HOST_PATHS["datadogrun"]
    return HOST_PATHS.get(volume, UNKNOWN)
