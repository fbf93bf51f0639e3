"""Answers inferred from a values file: which features it really enables, chart defaults included.

The rule mirrors the generator: a feature counts as wanted when the file turns it on; a transport or
privilege that only comes from a chart default (the APM socket, the DogStatsD socket volume) does not
count as a wish, so the audit can call it unneeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.answers.contract import SITES, Answers
from tui.core.chart.defaults import CHART_DEFAULTS
from tui.core.chart.model import NodeAgentChart, agent_version_of
from tui.core.chart.values import SYSTEM_PROBE_VALUES
from tui.core.errors import AnswerError
from tui.core.platforms.catalog import platform_from_values
from tui.core.yamlio.dotted import MISSING, is_map, lookup


def is_set(values: Mapping[str, Any], dotted: str) -> bool:
    return lookup(values, dotted, MISSING) is not MISSING


def chart_default(dotted: str) -> Any:
    return _DEFAULTS.get(dotted, MISSING)


def explicit(values: Mapping[str, Any], dotted: str) -> bool:
    """The file sets this key to something other than the chart's default: a deliberate choice."""
    if not is_set(values, dotted):
        return False
    value, default = user_value(values, dotted), chart_default(dotted)
    return bool(value) if default is MISSING else value != default


# A file setting this many keys is a copy of the chart's values.yaml: there, a key at its default
# value is an inherited default, not a choice.
COPIED_FILE_KEYS = 300


def count_keys(tree: Any) -> int:
    if not is_map(tree):
        return 0
    return sum(1 + count_keys(value) for value in tree.values())


def chosen(values: Mapping[str, Any], dotted: str, copied: bool) -> bool:
    """The file states this key as a choice: set at all in a short file, set to a non-default in a copy."""
    return explicit(values, dotted) if copied else is_set(values, dotted)


def user_value(values: Mapping[str, Any], dotted: str) -> Any:
    return lookup(values, dotted)


def infer_cluster_answers(
    values: Mapping[str, Any], chart: NodeAgentChart, copied: bool
) -> tuple[dict[str, Any], list[str]]:
    """The cluster answers a values file amounts to: a feature counts when the file turns it on itself, or
    asks for what only it carries out (injection into every pod, single-step instrumentation)."""

    def wants(key: str) -> bool:
        return chosen(values, key, copied) and bool(user_value(values, key))

    changes: dict[str, Any] = {
        "admission_controller": wants("clusterAgent.admissionController.enabled") or chart.injection_asked(),
        "orchestrator_explorer": wants("datadog.orchestratorExplorer.enabled"),
        "secret_metrics": wants("datadog.kubeStateMetricsCore.collectSecretMetrics"),
        "kubernetes_events": wants("datadog.collectEvents"),
    }
    notes = []
    fine = lookup(values, "datadog.kubelet.fineGrainedAuthorization")
    if is_set(values, "datadog.kubelet.fineGrainedAuthorization") and not fine:
        changes["kubernetes_version"] = "1.32"
        notes.append("datadog.kubelet.fineGrainedAuthorization is off: assumed a cluster before 1.33 (nodes/proxy)")
    elif not fine:
        notes.append(
            "the file does not say which Kubernetes version the cluster runs: assumed 1.33 or later, where "
            "fine-grained kubelet authorization replaces nodes/proxy (otherwise set "
            "datadog.kubelet.fineGrainedAuthorization: false in the file)"
        )
    return changes, notes


def infer_answers(values: Mapping[str, Any]) -> tuple[Answers, list[str]]:
    """The answers this file amounts to, and notes on what could not be carried over."""
    chart = NodeAgentChart(values)
    v = chart.v
    notes: list[str] = []
    copied = count_keys(values) >= COPIED_FILE_KEYS
    if copied:
        notes.append("this looks like a full copy of the chart's values.yaml: keys left at the default count as unset")
    # First: the platform settles other answers (its runtime, refused transports).
    changes: dict[str, Any] = {"platform": platform_from_values(values)}

    tag = agent_version_of(v)
    try:
        Answers().replace(agent_version=tag)
        changes["agent_version"] = tag
    except AnswerError as error:
        notes.append(f"agents.image.tag: {str(error).removeprefix('agent_version: ')}; assumed 7.81.1")

    docker = v.get("datadog.dockerSocketPath")
    cri = str(v.get("datadog.criSocketPath") or "")
    if docker or "docker" in cri:
        changes["runtime"] = "docker"
    elif "crio" in cri or "cri-o" in cri:
        changes["runtime"] = "cri-o"
    else:
        changes["runtime"] = "containerd"
        if not cri:
            notes.append("no runtime socket path is set: assumed containerd (the chart mounts all of /var/run)")
    socket_path = str(docker or cri)
    if socket_path:
        # A socket the platform or runtime does not place there by default is kept as the user's own.
        changes["runtime_socket"] = socket_path

    origin = v.on("datadog.dogstatsd.originDetection")
    socket = v.on("datadog.dogstatsd.useSocketVolume")
    # Applications the admission controller points at the sockets need them, chart default or not.
    injected_socket = chart.injection_asked() and chart.injection_mode() == "socket"
    if v.on("datadog.dogstatsd.useHostPort"):
        changes["dogstatsd"] = "udp-hostport"
    elif socket and (chosen(values, "datadog.dogstatsd.useSocketVolume", copied) or origin or injected_socket):
        changes["dogstatsd"] = "uds"
    else:
        changes["dogstatsd"] = "udp"
    changes["origin_detection"] = origin

    socket_set = chosen(values, "datadog.apm.socketEnabled", copied) or chosen(
        values, "datadog.apm.useSocketVolume", copied
    )
    # Libraries injected by single-step instrumentation send traces to the Agent: APM is wanted.
    ssi = chart.single_step_instrumentation()
    if chart.apm_uds() and (socket_set or ssi or injected_socket):
        changes["apm"] = "uds"
    elif chart.apm_host_port():
        changes["apm"] = "tcp-hostport"
    elif v.on("datadog.apm.useLocalService"):
        changes["apm"] = "tcp-local-service"
    else:
        changes["apm"] = "off"
        if ssi:
            notes.append("APM: single-step instrumentation is on but no APM transport is: assumed off")
        elif chart.apm_uds():
            notes.append("APM: only the chart's default socket is on, nothing in the file asks for APM; assumed off")

    if chart.logs():
        changes["logs"] = "all" if v.on("datadog.logs.containerCollectAll") else "annotated"
    else:
        changes["logs"] = "off"

    changes["process_collection"] = v.on("datadog.processAgent.processCollection") or (
        explicit(values, "datadog.processAgent.containerCollection")
        and v.on("datadog.processAgent.containerCollection")
    )
    changes["run_as"] = "root" if chart.agent_is_root() else "nonroot"
    changes["system_probe"] = [feature for feature, key in SYSTEM_PROBE_VALUES.items() if v.on(key)]

    site = v.get("datadog.site")
    if site:
        if site in SITES:
            changes["site"] = site
        else:
            notes.append(f"datadog.site {site!r} is not a site ddsecure knows; assumed datadoghq.com")
    for answer, key in (("cluster_name", "datadog.clusterName"), ("api_key_secret", "datadog.apiKeyExistingSecret")):
        value = v.get(key)
        if value:
            try:
                Answers().replace(**{answer: str(value)})
                changes[answer] = str(value)
            except AnswerError as error:
                notes.append(f"{key}: {error}")
    cluster, cluster_notes = infer_cluster_answers(values, chart, copied)
    changes.update(cluster)
    notes += cluster_notes
    for key, label in UNMODELLED_FEATURES.items():
        if v.on(key):
            notes.append(f"{key} ({label}) is on; ddsecure does not generate it, so --fix leaves it out")
    answers = Answers()
    for answer, value in changes.items():
        try:
            answers = answers.replace(**{answer: value})
        except AnswerError as error:
            notes.append(str(error))
    return answers, notes


UNMODELLED_FEATURES = {
    "datadog.securityAgent.compliance.enabled": "CSPM",
    "datadog.gpuMonitoring.enabled": "GPU monitoring",
    "datadog.traceroute.enabled": "traceroute",
    "datadog.dynamicInstrumentationGo.enabled": "Go dynamic instrumentation",
    "datadog.sbom.containerImage.enabled": "SBOM container images",
    "datadog.sbom.enrichment.usage.enabled": "SBOM usage enrichment",
    "datadog.hostProfiler.enabled": "host profiler",
    "datadog.discovery.serviceMap.enabled": "service map",
}


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        flat[path] = value
        if is_map(value):
            flat.update(_flatten(value, path + "."))
    return flat


_DEFAULTS = _flatten(CHART_DEFAULTS)
