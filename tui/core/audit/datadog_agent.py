"""Auditing a DatadogAgent resource (datadoghq.com/v2alpha1) written for the Datadog Operator.

The Operator fills in defaults that grant privileges nobody asked for (the DogStatsD and APM sockets,
APM itself, container collection, service discovery from 7.78, root for the whole pod), so the
audit reads each field together with what the Operator does when it is left unset. It reports the
privileges the resource grants, a finding with a concrete change for each one that can be dropped,
and the answers ddsecure infers, from which `--fix` writes the least-privilege DatadogAgent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tui.core.agent_version import AgentVersion
from tui.core.answers.contract import Answers, layer
from tui.core.audit.findings import PRIVILEGE_SEVERITY, AuditReport, Finding, Privilege
from tui.core.errors import AnswerError
from tui.core.output.operator import FEATURE_FIELDS, HOST_PID_FEATURES, KIND
from tui.core.yamlio.dotted import lookup, misplaced_sections, section

# spec.features field -> system_probe answer: the inverse of what the generator writes.
SYSTEM_PROBE_FIELDS = {field: feature for feature, field in FEATURE_FIELDS.items()}
# Node-Agent containers the Operator may create, and whether they are expected to run as root.
HARDENED_CONTAINERS = ("agent", "trace-agent", "process-agent", "init-volume", "init-config")
# Fields the audit reads as maps; any other type is an invalid resource, reported rather than read.
MAP_FIELDS = (
    "spec",
    "spec.global",
    "spec.global.credentials",
    "spec.features",
    "spec.override",
    "spec.override.nodeAgent",
    "spec.override.nodeAgent.securityContext",
)


def is_datadog_agent(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("kind") == KIND


def _enabled(spec: Mapping[str, Any], dotted: str, operator_default: bool) -> tuple[bool, bool]:
    """(value, explicitly set) of a boolean field, with the Operator's default when unset."""
    value = lookup(spec, dotted)
    if isinstance(value, bool):
        return value, True
    return operator_default, False


def _version(spec: Mapping[str, Any]) -> AgentVersion | None:
    tag = lookup(spec, "override.nodeAgent.image.tag")
    if tag is None:
        return None
    try:
        return AgentVersion.parse(str(tag))
    except AnswerError:
        return None


class _Reader:
    def __init__(self, resource: Mapping[str, Any]) -> None:
        self.resource = resource
        self.spec = section(resource, "spec")
        self.node = section(self.spec, "override.nodeAgent")
        self.version = _version(self.spec)
        self.uds, self.uds_set = _enabled(self.spec, "features.dogstatsd.unixDomainSocketConfig.enabled", True)
        self.dsd_host_port, _ = _enabled(self.spec, "features.dogstatsd.hostPortConfig.enabled", False)
        self.origin, _ = _enabled(self.spec, "features.dogstatsd.originDetectionEnabled", False)
        self.apm, self.apm_set = _enabled(self.spec, "features.apm.enabled", True)
        self.apm_uds, self.apm_uds_set = _enabled(self.spec, "features.apm.unixDomainSocketConfig.enabled", True)
        self.apm_host_port, _ = _enabled(self.spec, "features.apm.hostPortConfig.enabled", False)
        self.logs, _ = _enabled(self.spec, "features.logCollection.enabled", False)
        self.collect_all, _ = _enabled(self.spec, "features.logCollection.containerCollectAll", False)
        self.processes, _ = _enabled(self.spec, "features.liveProcessCollection.enabled", False)
        self.containers_on, self.containers_set = _enabled(self.spec, "features.liveContainerCollection.enabled", True)
        self.discovery_on, self.discovery_set = _enabled(self.spec, "features.processDiscovery.enabled", True)
        self.system_probe = tuple(
            answer
            for field, answer in SYSTEM_PROBE_FIELDS.items()
            if _enabled(self.spec, f"features.{field}.enabled", False)[0]
        )
        auto_discovery = self.version is None or self.version.discovery_on_by_default
        self.service_discovery, self.service_discovery_set = _enabled(
            self.spec, "features.serviceDiscovery.enabled", auto_discovery
        )
        context = section(self.node, "securityContext")
        self.pod_context = context
        self.run_as_user = context.get("runAsUser", 0)  # the Operator forces root when nothing says otherwise
        self.dsd_off = any(
            isinstance(e, Mapping) and e.get("name") == "DD_USE_DOGSTATSD" and str(e.get("value")).lower() == "false"
            for e in lookup(self.node, "containers.agent.env", []) or []
        )

    @property
    def host_pid(self) -> tuple[bool, str]:
        override = self.node.get("hostPID")
        if isinstance(override, bool):
            return override, "spec.override.nodeAgent.hostPID"
        pid_features = [f for f in self.system_probe if f in HOST_PID_FEATURES]
        if pid_features:
            return True, f"spec.features.{pid_features[0]}.enabled (the Operator turns hostPID on)"
        if self.uds and self.origin:
            return (
                True,
                "spec.features.dogstatsd.originDetectionEnabled with the socket (the Operator turns hostPID on)",
            )
        return False, ""

    def needs_host_pid(self) -> bool:
        return bool({"npm", "usm", "cws"} & set(self.system_probe)) or (self.uds and self.origin)


def infer_answers(resource: Mapping[str, Any]) -> tuple[Answers, list[str]]:
    """The ddsecure answers this resource asks for, with notes where the mapping is not exact."""
    r = _Reader(resource)
    notes: list[str] = []
    global_ = section(r.spec, "global")
    answers: dict[str, Any] = {}
    if r.version is not None:
        answers["agent_version"] = str(lookup(r.spec, "override.nodeAgent.image.tag"))
    else:
        notes.append("agent_version: no valid override.nodeAgent.image.tag; assumed the default")
    if global_.get("dockerSocketPath"):
        answers["runtime"] = "docker"
    elif "crio" in str(global_.get("criSocketPath", "")):
        answers["runtime"] = "cri-o"
    else:
        answers["runtime"] = "containerd"
        if not global_.get("criSocketPath"):
            notes.append("runtime: no socket path set; assumed containerd")
    if r.dsd_off:
        answers["dogstatsd"] = "off"
    elif r.uds:
        answers["dogstatsd"] = "uds"
        if not r.uds_set:
            notes.append("dogstatsd: the socket is on by Operator default; if nothing uses it, choose udp")
    elif r.dsd_host_port:
        answers["dogstatsd"] = "udp-hostport"
    else:
        answers["dogstatsd"] = "udp"
    answers["origin_detection"] = r.origin
    if not r.apm:
        answers["apm"] = "off"
    elif r.apm_uds:
        answers["apm"] = "uds"
        if not r.apm_set:
            notes.append("apm: APM (over the socket) is on by Operator default; choose off if no app sends traces")
    elif r.apm_host_port:
        answers["apm"] = "tcp-hostport"
    else:
        answers["apm"] = "tcp-local-service"
    answers["logs"] = ("all" if r.collect_all else "annotated") if r.logs else "off"
    answers["process_collection"] = r.processes
    answers["run_as"] = "nonroot" if r.run_as_user else "root"
    if "runAsUser" not in r.pod_context:
        notes.append("run_as: root only because the Operator defaults to it; choose nonroot unless a host needs root")
    answers["system_probe"] = list(r.system_probe)
    site = global_.get("site")
    if isinstance(site, str):
        answers["site"] = site
    if isinstance(global_.get("clusterName"), str):
        answers["cluster_name"] = global_["clusterName"]
    secret = lookup(global_, "credentials.apiSecret.secretName")
    if isinstance(secret, str):
        answers["api_key_secret"] = secret
    features = lookup(r.spec, "features", {}) or {}
    for answer, dotted in (
        ("admission_controller", "admissionController.enabled"),
        ("orchestrator_explorer", "orchestratorExplorer.enabled"),
        ("kubernetes_events", "eventCollection.collectKubernetesEvents"),
    ):
        # On only when the resource asks: an Operator default is not a wish.
        answers[answer] = lookup(features, dotted) is True
    metadata = section(resource, "metadata")
    if isinstance(metadata.get("name"), str):
        answers["release_name"] = metadata["name"]
    if isinstance(metadata.get("namespace"), str):
        answers["namespace"] = metadata["namespace"]
    inferred: dict[str, Any] = {}
    for key, value in answers.items():
        try:
            layer([inferred, {key: value}])
        except AnswerError as error:
            notes.append(f"{key}: {error}; kept the default")
            continue
        inferred[key] = value
    return layer([inferred]), notes


def privileges(resource: Mapping[str, Any]) -> list[Privilege]:
    """What the Operator's node-Agent pod gets from this resource, field by field."""
    r = _Reader(resource)
    out: list[Privilege] = []

    def add(what: str, key: str, explicit: bool) -> None:
        out.append(Privilege(what, key, "set in file" if explicit else "Operator default"))

    pid, pid_key = r.host_pid
    if pid:
        add("hostPID", pid_key, "Operator" not in pid_key)
    if r.node.get("hostNetwork") is True:
        add("hostNetwork", "spec.override.nodeAgent.hostNetwork", True)
    if not r.run_as_user:
        add("root (runAsUser 0)", "spec.override.nodeAgent.securityContext.runAsUser", "runAsUser" in r.pod_context)
    if r.uds and not r.dsd_off:
        add(
            "hostPath /var/run/datadog rw (DogStatsD socket)",
            "spec.features.dogstatsd.unixDomainSocketConfig",
            r.uds_set,
        )
    if r.dsd_host_port:
        add("hostPort 8125/UDP", "spec.features.dogstatsd.hostPortConfig", True)
    if r.apm and r.apm_uds:
        add("hostPath /var/run/datadog rw (APM socket)", "spec.features.apm.unixDomainSocketConfig", r.apm_uds_set)
    if r.apm and r.apm_host_port:
        add("hostPort 8126/TCP", "spec.features.apm.hostPortConfig", True)
    if r.logs:
        add("hostPath /var/log/pods ro, /var/lib/datadog-agent/logs rw", "spec.features.logCollection", True)
    for feature in r.system_probe:
        add(f"system-probe with eBPF capabilities ({feature})", f"spec.features ({feature})", True)
    if r.service_discovery:
        add(
            "system-probe with eBPF capabilities (service discovery)",
            "spec.features.serviceDiscovery",
            r.service_discovery_set,
        )
    return out


def findings(resource: Mapping[str, Any]) -> list[Finding]:
    r = _Reader(resource)
    out: list[Finding] = [
        Finding(
            "operator-not-a-map",
            "high",
            dotted,
            f"must be a map but is a {kind}: the Operator rejects the resource, and the audit reads it as empty",
            f"write {dotted} as a map of fields",
        )
        for dotted, kind in misplaced_sections(resource, MAP_FIELDS)
    ]
    if lookup(r.spec, "global.credentials.apiKey"):
        out.append(
            Finding(
                "operator-api-key-inline",
                "high",
                "spec.global.credentials.apiKey",
                "the API key is written in the resource, readable by anyone who can read DatadogAgents",
                "put it in a Secret and reference it with spec.global.credentials.apiSecret",
                (
                    ("spec.global.credentials.apiKey", None),
                    ("spec.global.credentials.apiSecret", {"secretName": "datadog-secret", "keyName": "api-key"}),
                ),
            )
        )
    pid, _ = r.host_pid
    if pid and not r.needs_host_pid():
        out.append(
            Finding(
                "operator-host-pid",
                PRIVILEGE_SEVERITY["hostPID"],
                "spec.override.nodeAgent.hostPID",
                "hostPID shares the node's process namespace, and nothing enabled here needs it "
                "(only DogStatsD origin detection over the socket, NPM, USM and CWS do)",
                "set spec.override.nodeAgent.hostPID: false",
                (("spec.override.nodeAgent.hostPID", False),),
            )
        )
    if r.node.get("hostNetwork") is True:
        out.append(
            Finding(
                "operator-host-network",
                PRIVILEGE_SEVERITY["hostNetwork"],
                "spec.override.nodeAgent.hostNetwork",
                "hostNetwork puts the Agent in the node's network namespace",
                "remove it; use the node-local Service or host ports",
                (("spec.override.nodeAgent.hostNetwork", False),),
            )
        )
    if not r.run_as_user:
        version = r.version
        uid = version.dd_agent_uid if version else 100
        out.append(
            Finding(
                "operator-root",
                "info" if "runAsUser" in r.pod_context else "medium",
                "spec.override.nodeAgent.securityContext",
                "the whole node-Agent pod runs as root"
                + (
                    " (set explicitly)"
                    if "runAsUser" in r.pod_context
                    else ": the Operator forces runAsUser 0 unless the override says otherwise"
                ),
                f"run as dd-agent (UID {uid}) and give system-probe/security-agent root on their own",
                (
                    (
                        "spec.override.nodeAgent.securityContext",
                        {"runAsUser": uid, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                    ),
                ),
            )
        )
    if r.uds and not r.uds_set and not r.dsd_off:
        out.append(
            Finding(
                "operator-dogstatsd-socket-default",
                "medium",
                "spec.features.dogstatsd.unixDomainSocketConfig.enabled",
                "unset, so the Operator mounts /var/run/datadog read-write from the host for a DogStatsD socket",
                "set it to false unless applications send metrics over the socket",
                (("spec.features.dogstatsd.unixDomainSocketConfig.enabled", False),),
            )
        )
    if r.apm and not r.apm_set:
        out.append(
            Finding(
                "operator-apm-default",
                "medium",
                "spec.features.apm.enabled",
                "unset, so the Operator runs trace-agent and its socket (a read-write hostPath)",
                "set spec.features.apm.enabled: false unless applications send traces",
                (("spec.features.apm.enabled", False),),
            )
        )
    if r.service_discovery and not r.service_discovery_set:
        out.append(
            Finding(
                "operator-service-discovery-default",
                PRIVILEGE_SEVERITY["system-probe"],
                "spec.features.serviceDiscovery.enabled",
                "unset, so from Agent 7.78 service discovery adds system-probe with eBPF capabilities",
                "set spec.features.serviceDiscovery.enabled: false",
                (("spec.features.serviceDiscovery.enabled", False),),
            )
        )
    for name, on, explicit in (
        ("liveContainerCollection", r.containers_on, r.containers_set),
        ("processDiscovery", r.discovery_on, r.discovery_set),
    ):
        if on and not explicit:
            out.append(
                Finding(
                    f"operator-{name}-default",
                    "info",
                    f"spec.features.{name}.enabled",
                    f"unset, so the Operator turns {name} on",
                    f"set spec.features.{name}.enabled: false if you do not use it",
                    ((f"spec.features.{name}.enabled", False),),
                )
            )
    if r.dsd_host_port:
        out.append(
            Finding(
                "operator-dogstatsd-host-port",
                PRIVILEGE_SEVERITY["requested"],
                "spec.features.dogstatsd.hostPortConfig.enabled",
                "host port 8125 on every node: anything that can reach the node can send metrics",
                "send through the node-local Service instead (hostPortConfig.enabled: false)",
                (("spec.features.dogstatsd.hostPortConfig.enabled", False),),
            )
        )
    if r.apm and r.apm_host_port:
        out.append(
            Finding(
                "operator-apm-host-port",
                PRIVILEGE_SEVERITY["requested"],
                "spec.features.apm.hostPortConfig.enabled",
                "host port 8126 on every node: anything that can reach the node can send traces",
                "use the node-local Service instead (hostPortConfig.enabled: false)",
                (("spec.features.apm.hostPortConfig.enabled", False),),
            )
        )
    non_root = bool(r.run_as_user)
    for name in HARDENED_CONTAINERS:
        if name == "trace-agent" and not r.apm:
            continue
        if name == "process-agent" and not {"npm", "usm"} & set(r.system_probe):
            continue
        key = f"spec.override.nodeAgent.containers.{name}.securityContext"
        context = lookup(r.node, f"containers.{name}.securityContext", {}) or {}
        wanted: dict[str, Any] = {"allowPrivilegeEscalation": False}
        if non_root:
            wanted["capabilities"] = {"drop": ["ALL"]}
        missing = [k for k, v in wanted.items() if context.get(k) != v]
        if missing:
            out.append(
                Finding(
                    "operator-container-hardening",
                    "low",
                    key,
                    f"{name} does not set " + " and ".join(missing),
                    "set " + ", ".join(f"{k}: {json.dumps(v)}" for k, v in wanted.items()) + " (each container apart)",
                    ((key, {**context, **wanted}),),
                )
            )
    return out


def audit_datadog_agent(resource: Mapping[str, Any], path: str) -> AuditReport:
    answers, notes = infer_answers(resource)
    report = AuditReport(path=path, kind="datadog-agent")
    report.findings = findings(resource)
    report.privileges = privileges(resource)
    report.answers = answers.as_dict()
    report.answer_notes = notes
    from tui.core.output.operator import privileges_section

    least = privileges_section(answers)
    report.ledger = {"leastPrivilegeForInferredAnswers": least}
    return report


def apply_fix(report: AuditReport, directory: Any, *, force: bool = False) -> tuple[str, list[Any]]:
    """`audit --fix` for a DatadogAgent: write the Operator bundle for the inferred answers.

    Returns the changes each finding (above info) asks of the user's resource, one line each, and
    the files written.
    """
    from tui.core.output.bundle import build_bundle, write_bundle

    answers = layer([report.answers or {}])
    written = write_bundle(build_bundle(answers, target="operator"), directory, force=force)
    lines = []
    for finding in report.sorted_findings():
        if finding.severity == "info":
            continue
        for key, value in finding.changes:
            shown = "(remove)" if value is None else json.dumps(value)
            lines.append(f"  {key}: {shown}    # {finding.id}\n")
    return "".join(lines), written
