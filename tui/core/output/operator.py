"""The Datadog Operator target: the same answers as one `DatadogAgent` (datadoghq.com/v2alpha1).

`datadog_agent_plan(answers)` builds the resource and a comment for every part of it, the way the
values file is built. The Operator writes the node-Agent DaemonSet itself, so its footprint is not
exactly the Helm chart's: `operator_pod(answers)` predicts the pod the Operator deploys for this
resource, `operator_ledger` reads its privileges with the same ledger code, and
`footprint_differences` lists where it differs from the Helm bundle's pod. The Operator was not run
here; the prediction follows the chart model plus the Operator behaviour listed in the chart
reference (§7), and leans towards the larger footprint where the two could differ.
"""

from __future__ import annotations

import copy
from functools import cached_property, lru_cache
from typing import Any

from tui.core.answers.app_endpoints import dogstatsd_udp_open
from tui.core.answers.contract import Answers
from tui.core.chart.daemonset_patch import SOCKET_FILE_ONLY, DaemonSetPatch, daemonset_patch
from tui.core.chart.model import render_pod
from tui.core.chart.values import (
    SYSTEM_PROBE_LABELS,
    admission_config_mode,
    runtime_socket_setting,
    why_admission_controller,
    why_origin_detection,
)
from tui.core.deployment import Deployment
from tui.core.output.operator_features import FEATURE_FIELDS, OperatorAgent, host_pid_reason
from tui.core.output.operator_names import OPERATOR_FILE, operator_daemonset
from tui.core.pod.ledger import Ledger, ledger_delta, ledger_of_pod
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
from tui.core.pod.spec import PodSpec, all_containers
from tui.core.pod.strategic_merge import apply_patch
from tui.core.yamlio.commented import CommentedTree

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


def container_contexts(answers: Answers) -> dict[str, tuple[dict[str, Any], str]]:
    """securityContext per node-Agent container, as the DatadogAgent sets them, with the reason.

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
        out["trace-agent"] = (copy.deepcopy(read_only_root), why + "; read-only root filesystem as the chart sets it")
    if answers.process_agent:
        out["process-agent"] = (
            copy.deepcopy(hardening),
            "process-agent (npm/usm, or process collection before 7.60) needs no privilege; " + why,
        )
    if answers.system_probe:
        sp: dict[str, Any] = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": list(system_probe_capabilities(answers))},
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
    out["init-volume"] = (copy.deepcopy(hardening), "init container that copies the configuration: " + why)
    out["init-config"] = (copy.deepcopy(hardening), "init container that prepares the configuration: " + why)
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


def system_probe_capabilities(answers: Answers) -> tuple[str, ...]:
    """The capabilities system-probe gets in the Helm bundle's pod: the Operator file asks for the same."""
    if not answers.system_probe:
        return ()
    for container in all_containers(Deployment.of(answers).pod):
        if container.get("name") == "system-probe":
            caps = ((container.get("securityContext") or {}).get("capabilities") or {}).get("add") or []
            return tuple(str(c) for c in caps)
    return ()


def datadog_agent_plan(answers: Answers) -> OperatorPlan:
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
    for name, (context, why) in container_contexts(answers).items():
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


# What the Operator grants at cluster level instead of the chart's RBAC (from its documentation and
# its RBAC model; the Operator was not run here).
OPERATOR_CLUSTER_NOTES = (
    "The Operator writes the node Agent's and the Cluster Agent's RBAC itself from the enabled features; "
    "kustomization.yaml's RBAC patches do not apply to it and it would reconcile them back.",
    "The Operator's own controller holds broad cluster rights: it creates ClusterRoles and bindings for the "
    "Agents (RBAC writes, hence bind/escalate on what it grants), Deployments, DaemonSets, Services and "
    "webhook configurations. Protect its namespace and service account like cluster-admin.",
    "No DatadogAgent field narrows the kubelet rights: the node Agent keeps get on nodes/proxy whatever the "
    "Kubernetes version.",
    "No DatadogAgent field turns off Secret and ConfigMap metrics in kube-state-metrics core; only "
    "features.kubeStateMetricsCore.enabled: false removes its RBAC, with all kubernetes_state.* metrics.",
    "The admission controller, the Orchestrator Explorer and Kubernetes event collection follow the same answers "
    "as the Helm values (features.admissionController, features.orchestratorExplorer, features.eventCollection), "
    "and the Cluster Agent pod gets the same security context (override.clusterAgent).",
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


def datadog_agent(answers: Answers) -> dict[str, Any]:
    return datadog_agent_plan(answers).data


# --- the Operator's footprint ------------------------------------------------------------------------


class OperatorFootprint:
    def __init__(self, answers: Answers):
        self.answers = answers

    @classmethod
    def of(cls, answers: Answers) -> OperatorFootprint:
        """Shared per answers, like `Deployment.of`: the files of one bundle read one computation."""
        return _footprint_of(answers)

    @cached_property
    def deployment(self) -> Deployment:
        return Deployment.of(self.answers)

    @cached_property
    def pod(self) -> PodSpec:
        return operator_pod(self.answers, self.deployment)

    @cached_property
    def ledger(self) -> Ledger:
        return ledger_of_pod(self.pod, app_socket_dirs=self.deployment.app_socket_dirs)

    @cached_property
    def differences(self) -> list[str]:
        return footprint_differences(self.answers, self)


@lru_cache(maxsize=128)
def _footprint_of(answers: Answers) -> OperatorFootprint:
    return OperatorFootprint(answers)


def operator_pod(answers: Answers, deployment: Deployment | None = None) -> PodSpec:
    """The node-Agent pod the Operator is predicted to deploy for `datadog_agent(answers)`.

    Starting from the chart model of the same features, it applies what the Operator does differently:
    - system-probe keeps the Operator's seccomp-setup init container (and its read-write
      /var/lib/kubelet/seccomp), which the Helm bundle removes with a chart value;
    - the Docker socket directory cannot be narrowed to the socket file (no DaemonSet patch: the
      Operator reconciles its DaemonSet back), so the Helm patch's Docker-socket step does not apply;
    - hostPID follows the Operator's own rules (NPM, USM and CWS turn it on);
    - every overridden container and the pod get exactly the DatadogAgent's security contexts.
    """
    deployment = deployment or Deployment.of(answers)
    values = copy.deepcopy(deployment.values)
    if answers.system_probe:
        values.setdefault("datadog", {}).setdefault("systemProbe", {})["seccomp"] = "localhost/system-probe"
    rendered = render_pod(values)
    helm_patch = daemonset_patch(answers, rendered)
    steps = [s for s in helm_patch.steps if s.title != SOCKET_FILE_ONLY]
    kept = DaemonSetPatch(helm_patch.name, helm_patch.namespace, steps)
    pod = apply_patch(rendered, kept.pod_patch)
    pod = copy.deepcopy(dict(pod))
    written = datadog_agent_plan(answers).data
    pod["hostPID"] = OperatorAgent(written).host_pid[0]  # read back as the audit reads a user's resource
    plan = written["spec"]["override"]["nodeAgent"]
    pod["securityContext"] = copy.deepcopy(plan["securityContext"])
    overrides = plan.get("containers", {})
    for group in ("initContainers", "containers"):
        for container in pod.get(group) or []:
            override = overrides.get(container.get("name"), {})
            if "securityContext" in override:
                container["securityContext"] = copy.deepcopy(override["securityContext"])
    return pod


def operator_ledger(answers: Answers) -> Ledger:
    return OperatorFootprint.of(answers).ledger


def footprint_differences(answers: Answers, footprint: OperatorFootprint | None = None) -> list[str]:
    """Lines saying where the Operator's pod differs from the Helm bundle's, each with its reason."""
    footprint = footprint or OperatorFootprint.of(answers)
    helm = footprint.deployment.ledger
    operator = footprint.ledger
    out: list[str] = []
    for line in ledger_delta(helm, operator):
        out.append(line + _why_delta(answers, line))
    if answers.non_root and answers.system_probe:
        out.append(
            "= init containers: the Operator takes one securityContext per init container, so seccomp-setup "
            "runs as root while init-volume and init-config stay non-root (the chart gives all init containers one)"
        )
    elif answers.non_root:
        out.append("= init containers: each gets its own securityContext (the chart has one block for all)")
    return out


def _why_delta(answers: Answers, line: str) -> str:
    if "hostPID" in line:
        return f" ({operator_host_pid(answers)[1].split(':')[0]}: the Operator turns it on; the chart does not)"
    if "/var/lib/kubelet/seccomp" in line:
        return " (the Operator's seccomp-setup init container installs system-probe's profile)"
    if "container seccomp-setup" in line:
        return " (the Operator always installs system-probe's seccomp profile)"
    if "/var/run" in line and answers.runtime == "docker":
        return " (the Operator mounts the Docker socket's directory; no patch can narrow it)"
    return ""


def privileges_section(answers: Answers) -> dict[str, Any]:
    """The "operator" part of privileges.json."""
    footprint = OperatorFootprint.of(answers)
    return {
        "datadogAgent": f"{answers.namespace}/{answers.release_name}",
        "daemonset": operator_daemonset(answers),
        "predicted": True,
        "differencesFromHelm": footprint.differences,
        **footprint.ledger.as_json(),
        "clusterNotes": list(OPERATOR_CLUSTER_NOTES),
    }


def report_section(answers: Answers) -> str:
    """The REPORT.md section for the Operator target."""
    footprint = OperatorFootprint.of(answers)
    ledger = footprint.ledger
    lines = [
        "## Datadog Operator target (datadog-agent.yaml)",
        "",
        f"`{OPERATOR_FILE}` asks the Operator for the same features. The Operator writes the node-Agent "
        f"DaemonSet `{operator_daemonset(answers)}` itself, so its footprint is predicted here from the chart "
        "model and the Operator's documented behaviour (the Operator was not run). The Helm-only "
        "`daemonset-overrides.yaml` does not apply: the Operator reconciles its DaemonSet back.",
        "",
        "Where the Operator's pod differs from the Helm bundle's:",
        "",
    ]
    lines += [f"- {line}" for line in footprint.differences] or ["- no difference in privileges"]
    lines += ["", "The Operator's pod keeps:", ""]
    lines += [f"- {line}" for line in ledger.summary_lines()]
    lines += ["", "At cluster level (RBAC and the Cluster Agent):", ""]
    lines += [f"- {note}" for note in OPERATOR_CLUSTER_NOTES]
    if ledger.agent_violation_reasons:
        lines += ["", "Pod Security checks it fails: " + "; ".join(ledger.agent_violation_reasons) + "."]
    return "\n".join(lines) + "\n"
