"""The DatadogAgent (datadoghq.com/v2alpha1) that asks the Datadog Operator for the same answers.

`datadog_agent_plan` builds the resource and a comment for every part of it, the way the values file
is built; the pod the Operator deploys for it is predicted in `footprint.py`.
"""

from __future__ import annotations

from typing import Any

from tui.core.answers.app_endpoints import dogstatsd_udp_open
from tui.core.answers.contract import Answers
from tui.core.chart.values import (
    SYSTEM_PROBE_LABELS,
    admission_config_mode,
    runtime_socket_setting,
    why_admission_controller,
    why_origin_detection,
)
from tui.core.operator.features import FEATURE_FIELDS, host_pid_reason
from tui.core.operator.names import operator_daemonset
from tui.core.pod.security_contexts import (
    as_root,
    cluster_agent_container_security_context,
    cluster_agent_pod_security_context,
    pod_security_context,
    why_cluster_agent_security_context,
    why_hardening,
    why_pod_security_context,
)
from tui.core.pod.security_contexts import hardening as hardening_for
from tui.core.yamlio.commented import CommentedTree
from tui.core.yamlio.dotted import copy_tree

API_VERSION = "datadoghq.com/v2alpha1"
KIND = "DatadogAgent"
DSD_PORT = 8125
APM_PORT = 8126


class OperatorPlan(CommentedTree):
    """The DatadogAgent as plain data (`data`), and a comment per dotted key path."""


def operator_host_pid(answers: Answers) -> tuple[bool, str]:
    """Whether the Operator's pod shares the host PID namespace, and why."""
    reason = host_pid_reason(answers.system_probe, answers.dogstatsd_over_uds, answers.origin_detection)
    if reason.startswith("system_probe="):
        return (
            True,
            f"{reason}: the Operator turns hostPID on itself for these features; stated here so the file shows it",
        )
    if reason:
        return True, f"{reason}: hostPID maps a socket peer's PID to its container"
    return False, "nothing chosen here needs the host's PID namespace"


def container_contexts(answers: Answers, system_probe_caps: tuple[str, ...]) -> dict[str, tuple[dict[str, Any], str]]:
    """securityContext per node-Agent container, as the DatadogAgent sets them, with the reason.
    `system_probe_caps`: the capabilities system-probe has in the Helm bundle's pod, asked for again here.

    The Operator replaces a container's whole securityContext with the override, so each block is
    complete: nothing from the Operator's own default survives.
    """
    hardening = hardening_for(answers)
    why = why_hardening(answers)
    read_only_root = {**hardening, "readOnlyRootFilesystem": True}
    out: dict[str, tuple[dict[str, Any], str]] = {
        "agent": (dict(read_only_root), why + "; read-only root filesystem as the chart sets it"),
    }
    if answers.apm != "off":
        out["trace-agent"] = (copy_tree(read_only_root), why + "; read-only root filesystem as the chart sets it")
    if answers.process_agent:
        out["process-agent"] = (
            copy_tree(hardening),
            "process-agent (npm/usm, or process collection before 7.60) needs no privilege; " + why,
        )
    if answers.system_probe:
        sp: dict[str, Any] = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": list(system_probe_caps)},
            "readOnlyRootFilesystem": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        as_root(answers, sp)
        out["system-probe"] = (
            sp,
            "system_probe: eBPF needs these capabilities (the same set as the Helm bundle)"
            + ("; it must run as root even when the rest of the pod does not" if answers.non_root else ""),
        )
    if "cws" in answers.system_probe:
        out["security-agent"] = (
            as_root(answers, {"allowPrivilegeEscalation": False}),
            "cws: security-agent reads host files" + ("; it runs as root" if answers.non_root else ""),
        )
    out["init-volume"] = (copy_tree(hardening), "init container that copies the configuration: " + why)
    out["init-config"] = (copy_tree(hardening), "init container that prepares the configuration: " + why)
    if answers.system_probe:
        out["seccomp-setup"] = (
            as_root(answers, {"allowPrivilegeEscalation": False}),
            "the Operator's init container that copies system-probe's seccomp profile into root-owned "
            "/var/lib/kubelet/seccomp"
            + (
                "; it keeps root on its own, which one Helm value for all init containers cannot"
                if answers.non_root
                else ""
            ),
        )
    return out


def datadog_agent_plan(answers: Answers, system_probe_caps: tuple[str, ...]) -> OperatorPlan:
    """The DatadogAgent for these answers, with a comment on every part (`system_probe_caps`: as in
    `container_contexts`)."""
    plan = OperatorPlan()
    version = answers.version
    plan.set("apiVersion", API_VERSION)
    plan.set("kind", KIND)
    plan.set(
        "metadata",
        {"name": answers.release_name, "namespace": answers.namespace},
        f"release_name/namespace: the Operator names the node-Agent DaemonSet {operator_daemonset(answers)}",
    )

    # --- global: identity, credentials, runtime ---
    plan.comment("spec.global", "Cluster-wide settings: who the Agent reports as and which runtime it reads")
    plan.set(
        "spec.global.credentials.apiSecret",
        {"secretName": answers.api_key_secret, "keyName": "api-key"},
        "api_key_secret: the API key stays in an existing Secret (key `api-key`), never in this file",
    )
    plan.set("spec.global.site", answers.site, "site: the Datadog intake for your account")
    if answers.cluster_name:
        plan.set("spec.global.clusterName", answers.cluster_name, "cluster_name: tags every host and metric")
    field, socket = runtime_socket_setting(answers)
    plan.set(
        f"spec.global.{field}",
        socket,
        f"runtime={answers.runtime}: the Operator mounts this socket's directory read-only"
        + (
            " (all of /var/run for Docker: the Operator cannot narrow it to the socket file)"
            if answers.runtime == "docker"
            else ""
        ),
    )

    # --- features ---
    plan.comment("spec.features", "Features: each one on only when an answer asks for it")
    _dogstatsd(plan, answers)
    _apm(plan, answers)
    if answers.logs == "off":
        plan.set("spec.features.logCollection", {"enabled": False}, "logs=off: no pod log or pointer hostPaths")
    else:
        plan.set(
            "spec.features.logCollection",
            {"enabled": True, "containerCollectAll": answers.logs == "all"},
            f"logs={answers.logs}: reads /var/log/pods read-only and keeps offsets in a read-write host directory; "
            + ("every container's logs" if answers.logs == "all" else "only pods that ask by annotation"),
        )
    collect = answers.process_collection
    why = (
        "process_collection=true: live processes and containers"
        if collect
        else "process_collection=false: the Operator turns container collection and discovery on by default"
    )
    for name in ("liveProcessCollection", "liveContainerCollection", "processDiscovery"):
        plan.set(f"spec.features.{name}", {"enabled": collect}, why)
    for feature, name in FEATURE_FIELDS.items():
        chosen = feature in answers.system_probe
        plan.set(
            f"spec.features.{name}",
            {"enabled": chosen},
            f"system_probe={feature}: {SYSTEM_PROBE_LABELS[feature]}"
            if chosen
            else "system-probe features stay off unless chosen",
        )
    plan.set(
        "spec.features.serviceDiscovery",
        {"enabled": False},
        "from 7.78 service discovery turns itself on, which brings system-probe with its capabilities",
    )
    _cluster_features(plan, answers)

    # --- override: the node-Agent DaemonSet ---
    plan.comment("spec.override", "The node-Agent DaemonSet the Operator writes: pod and per-container overrides")
    plan.set("spec.override.nodeAgent.image.tag", str(version), "agent_version: pinned, so the privileges stay true")
    host_pid, why_pid = operator_host_pid(answers)
    plan.set("spec.override.nodeAgent.hostPID", host_pid, why_pid)
    why_context = why_pod_security_context(answers)
    if answers.non_root:
        why_context += "; the Operator would otherwise force runAsUser 0"
    plan.set("spec.override.nodeAgent.securityContext", pod_security_context(answers), why_context)
    for name, (context, why) in container_contexts(answers, system_probe_caps).items():
        plan.set(f"spec.override.nodeAgent.containers.{name}.securityContext", context, why)
    env = _agent_env(answers)
    if env:
        plan.set("spec.override.nodeAgent.containers.agent.env", env[0], env[1])
    plan.set(
        "spec.override.clusterAgent.securityContext",
        cluster_agent_pod_security_context(),
        why_cluster_agent_security_context(),
    )
    plan.set(
        "spec.override.clusterAgent.containers.cluster-agent.securityContext",
        cluster_agent_container_security_context(),
        "no escalation, no capabilities, read-only root filesystem",
    )
    return plan


# Answers a DatadogAgent has no field for: the Operator decides that RBAC itself, and the platform
# switches (providers.*) are the Helm chart's (the Operator output does not model platforms yet).
NOT_IN_DATADOG_AGENT = ("kubernetes_version", "secret_metrics", "platform")


def _cluster_features(plan: OperatorPlan, answers: Answers) -> None:
    """The same cluster-level reductions as the Helm values, where the CRD has a field for them."""
    admission = answers.admission_controller
    plan.set("spec.features.admissionController.enabled", admission, why_admission_controller(admission))
    if admission:
        mode, why_mode = admission_config_mode(answers)
        plan.set("spec.features.admissionController.agentCommunicationMode", mode, f"dogstatsd/apm: {why_mode}")
    plan.set(
        "spec.features.orchestratorExplorer.enabled",
        answers.orchestrator_explorer,
        "orchestrator_explorer: the Kubernetes resources view and its cluster-wide reads",
    )
    plan.set(
        "spec.features.eventCollection.collectKubernetesEvents",
        answers.kubernetes_events,
        "kubernetes_events: Kubernetes events in Datadog",
    )


def _dogstatsd(plan: OperatorPlan, answers: Answers) -> None:
    choice = answers.dogstatsd
    base = "spec.features.dogstatsd"
    plan.set(
        f"{base}.unixDomainSocketConfig.enabled",
        choice == "uds",
        "dogstatsd=uds: /var/run/datadog (rw, agent only) holds dsd.socket"
        if choice == "uds"
        else f"dogstatsd={choice}: the Operator turns the socket (a read-write hostPath) on by default",
    )
    plan.set(
        f"{base}.hostPortConfig",
        {"enabled": True, "hostPort": DSD_PORT} if choice == "udp-hostport" else {"enabled": False},
        "dogstatsd=udp-hostport: apps send to <node IP>:8125" if choice == "udp-hostport" else "no host port 8125",
    )
    if choice in ("udp", "udp-hostport"):
        plan.set(
            f"{base}.nonLocalTraffic",
            True,
            "UDP from application pods reaches the Agent through the "
            + ("host port" if choice == "udp-hostport" else "node-local Service"),
        )
    elif dogstatsd_udp_open(answers):
        plan.set(
            f"{base}.nonLocalTraffic",
            True,
            "dogstatsd=uds with APM over TCP: the admission controller points apps at the node-local Service",
        )
    else:
        plan.set(f"{base}.nonLocalTraffic", False, f"dogstatsd={choice}: no UDP from other pods")
    plan.set(
        f"{base}.originDetectionEnabled",
        answers.origin_detection,
        why_origin_detection(answers),
    )


def _apm(plan: OperatorPlan, answers: Answers) -> None:
    choice = answers.apm
    if choice == "off":
        plan.set("spec.features.apm", {"enabled": False}, "apm=off: the Operator enables APM by default")
        return
    plan.set(
        "spec.features.apm",
        {
            "enabled": True,
            "unixDomainSocketConfig": {"enabled": choice == "uds"},
            "hostPortConfig": {"enabled": True, "hostPort": APM_PORT}
            if choice == "tcp-hostport"
            else {"enabled": False},
        },
        {
            "uds": "apm=uds: trace-agent listens on apm.socket in a read-write host directory",
            "tcp-local-service": "apm=tcp-local-service: apps reach trace-agent through the node-local Service "
            "(the Operator creates it on Kubernetes 1.22+); no socket, no host port",
            "tcp-hostport": "apm=tcp-hostport: host port 8126 on every node",
        }[choice],
    )


def _agent_env(answers: Answers) -> tuple[list[dict[str, str]], str] | None:
    if answers.dogstatsd == "off":
        return (
            [{"name": "DD_USE_DOGSTATSD", "value": "false"}],
            "dogstatsd=off: the Operator has no switch for DogStatsD; this stops its listener",
        )
    if answers.dogstatsd == "uds" and not dogstatsd_udp_open(answers):
        return (
            [{"name": "DD_DOGSTATSD_PORT", "value": "0"}],
            "dogstatsd=uds: close the UDP listener so metrics arrive only through the socket",
        )
    return None
