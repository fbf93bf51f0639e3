"""Answers to values for the datadog/datadog chart, each setting with the reason it is there.

`chart_values(answers)` returns a `ValuesPlan`: the values tree (plain data, exactly what helm will
read) and, for every dotted key, a comment naming the answer that caused it and why. The chart
model renders the same tree, so what the ledger shows is what these values produce.
"""

from __future__ import annotations

import posixpath
from typing import Any

from tui.core.answers.app_endpoints import dogstatsd_udp_open, injection_mode, why_injection_mode
from tui.core.answers.contract import Answers
from tui.core.chart.defaults import SYSTEM_PROBE_CAPABILITIES
from tui.core.chart.platform_values import add_platform_values
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.security_contexts import (
    as_root,
    cluster_agent_container_security_context,
    cluster_agent_pod_security_context,
    hardening,
    pod_security_context,
    why_cluster_agent_security_context,
    why_hardening,
    why_pod_security_context,
)
from tui.core.yamlio.commented import CommentedTree

DSD_SOCKET_DIR = "/var/run/datadog"
# APM gets its own directory when DogStatsD does not use a socket: in the shared directory the APM
# socket would land in an emptyDir that applications cannot reach.
APM_OWN_SOCKET_DIR = "/var/run/datadog-apm"

SYSTEM_PROBE_LABELS = {
    "npm": "Cloud Network Monitoring (eBPF network flows)",
    "usm": "Universal Service Monitoring (eBPF HTTP/gRPC metrics)",
    "cws": "Workload Protection (CWS runtime security)",
    "oom-kill": "the OOM-kill check (eBPF)",
    "tcp-queue-length": "the TCP queue length check (eBPF)",
}
SYSTEM_PROBE_VALUES = {
    "npm": "datadog.networkMonitoring.enabled",
    "usm": "datadog.serviceMonitoring.enabled",
    "cws": "datadog.securityAgent.runtime.enabled",
    "oom-kill": "datadog.systemProbe.enableOOMKill",
    "tcp-queue-length": "datadog.systemProbe.enableTCPQueueLength",
}


class ValuesPlan(CommentedTree):
    """The chart values (`values`) and why each key is set (`comments`)."""

    @property
    def values(self) -> dict[str, Any]:
        return self.data


def why_admission_controller(enabled: bool) -> str:
    """The comment on the admission controller switch, the same for Helm values and the DatadogAgent."""
    if enabled:
        return "admission_controller=true: new application pods get the Agent's address injected"
    return "admission_controller=false: no webhook, no webhook or Secret writes; apps set the Agent's address"


def admission_config_mode(answers: Answers) -> tuple[str, str]:
    """How the Cluster Agent's admission controller points applications at the Agent, and why.

    The chart picks `socket` whenever APM is off and ignores DogStatsD, so ddsecure always sets it;
    the rule (one mode every enabled transport can honour) is in `app_endpoints`.
    """
    return injection_mode(answers), why_injection_mode(answers)


def chart_values(answers: Answers) -> ValuesPlan:
    plan = ValuesPlan()
    version = answers.version

    # --- identity and credentials ---
    plan.set(
        "datadog.apiKeyExistingSecret",
        answers.api_key_secret,
        "api_key_secret: the API key stays in an existing Secret (key `api-key`), never in this file",
    )
    plan.set("datadog.site", answers.site, "site: the Datadog intake for your account")
    if answers.cluster_name:
        plan.set("datadog.clusterName", answers.cluster_name, "cluster_name: tags every host and metric")
    plan.set("agents.image.tag", str(version), "agent_version: pinned, so the privileges below stay true")

    # --- who the Agent runs as ---
    plan.set("datadog.securityContext", pod_security_context(answers), why_pod_security_context(answers))
    for container in ("agent", "initContainers"):
        plan.set(f"agents.containers.{container}.securityContext", hardening(answers), why_hardening(answers))

    # --- host PID namespace ---
    plan.set(
        "datadog.useHostPID",
        answers.host_pid,
        "dogstatsd=uds + origin_detection: hostPID maps a socket peer's PID to its container"
        if answers.host_pid
        else "the chart defaults to true; nothing chosen here needs the host's PID namespace",
    )

    # --- DogStatsD ---
    _dogstatsd(plan, answers)

    # --- APM ---
    _apm(plan, answers)

    # --- logs ---
    if answers.logs == "off":
        plan.set("datadog.logs.enabled", False, "logs=off: no pod log or pointer hostPaths")
    else:
        plan.set("datadog.logs.enabled", True, f"logs={answers.logs}: reads /var/log/pods (read-only)")
        plan.set(
            "datadog.logs.containerCollectAll",
            answers.logs == "all",
            "logs=all: every container's logs" if answers.logs == "all" else "logs=annotated: only pods that ask",
        )

    # --- processes ---
    collect = answers.process_collection
    why = (
        "process_collection=true: live processes and containers"
        + ("; as non-root the chart does not mount the host /etc/passwd" if answers.non_root else "")
        if collect
        else "process_collection=false: the chart turns container collection and discovery on by default"
    )
    plan.set("datadog.processAgent.processCollection", collect, why)
    plan.set("datadog.processAgent.containerCollection", collect, why)
    plan.set("datadog.processAgent.processDiscovery", collect, why)
    if answers.process_agent:
        plan.set(
            "agents.containers.processAgent.securityContext",
            hardening(answers),
            "process-agent (npm/usm, or process collection before 7.60) needs no privilege",
        )

    # --- container runtime ---
    field, socket = runtime_socket_setting(answers)
    where = f"runtime_socket={socket}" if answers.runtime_socket else f"runtime={answers.runtime}"
    if not answers.runtime_socket and answers.platform != "generic":
        where += f" on {answers.platform}"
    plan.set(
        f"datadog.{field}",
        socket,
        f"{where}: mounts only the socket's directory, not all of /var/run"
        + (" (narrowed to the socket file by daemonset-overrides.yaml)" if socket_file_only(answers) else "")
        + (
            "; the chart uses this path on Autopilot anyway, setting it skips Docker's log directory"
            if PLATFORMS[answers.platform].socket_fixed
            else ""
        ),
    )

    # --- passwd: mounted only where something reads it ---
    if not answers.non_root and not collect and "cws" not in answers.system_probe:
        plan.set("datadog.disablePasswdMount", True, "no process collection or CWS reads the host's users")

    # --- system-probe ---
    plan.set(
        "datadog.discovery.enabled",
        False,
        "from 7.78 the chart turns service discovery on, which brings system-probe with 9 capabilities",
    )
    _system_probe(plan, answers)

    # --- cluster level: RBAC and the Cluster Agent ---
    _cluster(plan, answers)

    plan.set(
        "datadog.operator.enabled",
        False,
        "the chart also installs the Datadog Operator by default; this deployment does not use it",
    )
    add_platform_values(plan, answers)
    return plan


def runtime_socket_setting(answers: Answers) -> tuple[str, str]:
    """The field naming the runtime socket (the same in the chart's values and the DatadogAgent), and its path."""
    field = "dockerSocketPath" if answers.runtime == "docker" else "criSocketPath"
    return field, answers.socket_path


# Directories that hold much more than one runtime's socket: mounting them would expose every
# socket on the node, so only the socket file is mounted (see daemonset_patch).
SHARED_SOCKET_DIRS = ("/", "/run", "/var/run")


def socket_file_only(answers: Answers) -> bool:
    """Docker's socket sits in /var/run itself, and a custom socket may sit in a shared directory."""
    if PLATFORMS[answers.platform].socket_fixed or not PLATFORMS[answers.platform].post_render_patch:
        return False
    return answers.runtime == "docker" or posixpath.dirname(answers.socket_path) in SHARED_SOCKET_DIRS


def why_origin_detection(answers: Answers) -> str:
    if not answers.origin_detection:
        return "origin_detection=false: metrics carry only the tags the client sets"
    if answers.dogstatsd == "uds":
        return "origin_detection=true: the sending container's tags, found through hostPID"
    return "origin_detection=true: the client library reports its container ID over UDP; no hostPID"


def _dogstatsd(plan: ValuesPlan, answers: Answers) -> None:
    choice = answers.dogstatsd
    if choice == "uds":
        plan.set("datadog.dogstatsd.useSocketVolume", True, "dogstatsd=uds: /var/run/datadog (rw) holds dsd.socket")
        if dogstatsd_udp_open(answers):
            plan.set(
                "datadog.dogstatsd.nonLocalTraffic",
                True,
                "dogstatsd=uds with APM over TCP: the admission controller points apps at the node-local Service, "
                "so UDP from their pods stays open",
            )
        else:
            plan.set("datadog.dogstatsd.nonLocalTraffic", False, "dogstatsd=uds: no UDP from other pods")
    else:
        plan.set(
            "datadog.dogstatsd.useSocketVolume",
            False,
            f"dogstatsd={choice}: no socket, so no read-write hostPath directory",
        )
    if choice == "udp-hostport":
        plan.set("datadog.dogstatsd.useHostPort", True, "dogstatsd=udp-hostport: apps send to <node IP>:8125")
    if choice != "off":
        plan.set(
            "datadog.dogstatsd.originDetection",
            answers.origin_detection,
            why_origin_detection(answers),
        )
    else:
        plan.set(
            "agents.containers.agent.env",
            [{"name": "DD_USE_DOGSTATSD", "value": "false"}],
            "dogstatsd=off: the chart has no switch for DogStatsD; this stops its listener",
        )


def _apm(plan: ValuesPlan, answers: Answers) -> None:
    choice = answers.apm
    plan.set(
        "datadog.apm.socketEnabled",
        choice == "uds",
        "apm=uds: trace-agent listens on apm.socket"
        if choice == "uds"
        else f"apm={choice}: the chart turns the APM socket (a read-write hostPath) on by default",
    )
    plan.set(
        "datadog.apm.portEnabled",
        choice == "tcp-hostport",
        "apm=tcp-hostport: host port 8126 on every node" if choice == "tcp-hostport" else "no host port 8126",
    )
    plan.set(
        "datadog.apm.useLocalService",
        choice == "tcp-local-service",
        "apm=tcp-local-service: apps reach trace-agent through the node-local Service"
        if choice == "tcp-local-service"
        else "no Service-only trace-agent",
    )
    if choice == "uds" and not answers.dogstatsd_over_uds:
        plan.set(
            "datadog.apm.socketPath",
            f"{APM_OWN_SOCKET_DIR}/apm.socket",
            "apm=uds without the DogStatsD socket: in the shared directory the socket would be in an emptyDir",
        )
        plan.set("datadog.apm.hostSocketPath", APM_OWN_SOCKET_DIR, "apm=uds: the APM socket's own host directory")
    if choice != "off":
        plan.set("agents.containers.traceAgent.securityContext", hardening(answers), why_hardening(answers))


def _system_probe(plan: ValuesPlan, answers: Answers) -> None:
    for feature in answers.system_probe:
        plan.set(SYSTEM_PROBE_VALUES[feature], True, f"system_probe={feature}: {SYSTEM_PROBE_LABELS[feature]}")
    if not answers.system_probe:
        return
    plan.set(
        "datadog.systemProbe.seccomp",
        "runtime/default",
        "system_probe: RuntimeDefault instead of the chart's own profile, which needs a root init container "
        "writing to /var/lib/kubelet/seccomp",
    )
    sp_context = as_root(
        answers, {"allowPrivilegeEscalation": False, "capabilities": {"add": list(SYSTEM_PROBE_CAPABILITIES)}}
    )
    why = "system_probe: eBPF needs these capabilities"
    if answers.non_root:
        why += "; it must run as root even when the rest of the pod does not"
    plan.set("agents.containers.systemProbe.securityContext", sp_context, why)
    if "cws" in answers.system_probe:
        plan.set(
            "agents.containers.securityAgent.securityContext",
            as_root(answers, {"allowPrivilegeEscalation": False}),
            "cws: security-agent reads host files" + ("; it runs as root" if answers.non_root else ""),
        )


def _cluster(plan: ValuesPlan, answers: Answers) -> None:
    """Every key that shrinks the release's RBAC for these answers, and the Cluster Agent's pod."""
    fine = answers.fine_grained_kubelet
    plan.set(
        "datadog.kubelet.fineGrainedAuthorization",
        fine,
        f"kubernetes_version={answers.kubernetes_version}: "
        + (
            "the kubelet authorizes nodes/pods, nodes/healthz... instead of nodes/proxy (run commands in any container)"
            if fine
            else "before 1.33 the kubelet needs nodes/proxy; fine-grained authorization is not on by default"
        ),
    )
    admission = answers.admission_controller
    plan.set("clusterAgent.admissionController.enabled", admission, why_admission_controller(admission))
    if admission:
        mode, why_mode = admission_config_mode(answers)
        plan.set("clusterAgent.admissionController.configMode", mode, f"dogstatsd/apm: {why_mode}")
    explorer = answers.orchestrator_explorer
    plan.set(
        "datadog.orchestratorExplorer.enabled",
        explorer,
        "orchestrator_explorer=true: the Kubernetes resources view"
        + (
            "; before 7.51 this adds a process-agent to every node"
            if answers.version.orchestrator_needs_process_agent
            else ""
        )
        if explorer
        else "orchestrator_explorer=false: no cluster-wide read of RBAC objects, no wildcard on API groups",
    )
    secrets = answers.secret_metrics
    why_secrets = (
        "secret_metrics=true: kube-state metrics about Secrets and ConfigMaps (lists every Secret in the cluster)"
        if secrets
        else "secret_metrics=false: no cluster-wide list/watch of Secrets and ConfigMaps"
    )
    plan.set("datadog.kubeStateMetricsCore.collectSecretMetrics", secrets, why_secrets)
    plan.set("datadog.kubeStateMetricsCore.collectConfigMaps", secrets, why_secrets)
    plan.set(
        "datadog.collectEvents",
        answers.kubernetes_events,
        "kubernetes_events=true: Kubernetes events in Datadog"
        if answers.kubernetes_events
        else "kubernetes_events=false: no event collection and no write to its token ConfigMap",
    )
    plan.set(
        "datadog.appsec.injector.rbac.create",
        False,
        "the chart grants the AppSec injector cluster-wide ConfigMap writes even with AppSec off; not used here",
    )
    plan.set(
        "clusterAgent.rbac.flareAdditionalPermissions",
        False,
        "flares need no read of the namespace's Secrets (the chart adds it to include Helm values)",
    )
    random_uid = False  # the platform decides where UIDs are assigned (OpenShift)
    plan.set(
        "clusterAgent.securityContext",
        cluster_agent_pod_security_context(random_uid=random_uid),
        why_cluster_agent_security_context(random_uid=random_uid),
    )
    for container in ("clusterAgent", "initContainers"):
        plan.set(
            f"clusterAgent.containers.{container}.securityContext",
            cluster_agent_container_security_context(),
            "no escalation, no capabilities, read-only root filesystem",
        )
