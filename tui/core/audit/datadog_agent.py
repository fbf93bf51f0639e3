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

from tui.core.answers import Answers, layer
from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import AuditReport, Finding, Privilege
from tui.core.chart_defaults import SYSTEM_PROBE_CAPABILITIES
from tui.core.dotted import lookup, misplaced_sections, section
from tui.core.errors import AnswerError
from tui.core.operator import KIND
from tui.core.operator_features import OperatorAgent

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


def infer_answers(resource: Mapping[str, Any]) -> tuple[Answers, list[str]]:
    """The ddsecure answers this resource asks for, with notes where the mapping is not exact."""
    r = OperatorAgent(resource)
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
    if r.dogstatsd_off:
        answers["dogstatsd"] = "off"
    elif r.on("dsd_socket"):
        answers["dogstatsd"] = "uds"
        if not r.explicit("dsd_socket"):
            notes.append("dogstatsd: the socket is on by Operator default; if nothing uses it, choose udp")
    elif r.on("dsd_host_port"):
        answers["dogstatsd"] = "udp-hostport"
    else:
        answers["dogstatsd"] = "udp"
    answers["origin_detection"] = r.on("origin_detection")
    if not r.on("apm"):
        answers["apm"] = "off"
    elif r.on("apm_socket"):
        answers["apm"] = "uds"
        if not r.explicit("apm"):
            notes.append("apm: APM (over the socket) is on by Operator default; choose off if no app sends traces")
    elif r.on("apm_host_port"):
        answers["apm"] = "tcp-hostport"
    else:
        answers["apm"] = "tcp-local-service"
    answers["logs"] = ("all" if r.on("logs_all") else "annotated") if r.on("logs") else "off"
    answers["process_collection"] = r.on("processes")
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
    r = OperatorAgent(resource)
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
    if r.on("dsd_socket") and not r.dogstatsd_off:
        add(
            "hostPath /var/run/datadog rw (DogStatsD socket)",
            "spec.features.dogstatsd.unixDomainSocketConfig",
            r.explicit("dsd_socket"),
        )
    if r.on("dsd_host_port"):
        add("hostPort 8125/UDP", "spec.features.dogstatsd.hostPortConfig", True)
    if r.on("apm") and r.on("apm_socket"):
        add(
            "hostPath /var/run/datadog rw (APM socket)",
            "spec.features.apm.unixDomainSocketConfig",
            r.explicit("apm_socket"),
        )
    if r.on("apm") and r.on("apm_host_port"):
        add("hostPort 8126/TCP", "spec.features.apm.hostPortConfig", True)
    if r.on("logs"):
        add("hostPath /var/log/pods ro, /var/lib/datadog-agent/logs rw", "spec.features.logCollection", True)
    for feature in r.system_probe:
        add(f"system-probe with eBPF capabilities ({feature})", f"spec.features ({feature})", True)
    if r.on("service_discovery"):
        add(
            "system-probe with eBPF capabilities (service discovery)",
            "spec.features.serviceDiscovery",
            r.explicit("service_discovery"),
        )
    return out


# What the Operator needs hostPID for (its own rule, `operator_features.host_pid_reason`).
_PID_NEEDED_BY = "DogStatsD origin detection over the socket, NPM, USM and CWS"


def findings(resource: Mapping[str, Any]) -> list[Finding]:
    """Each catalogue entry that fires on this resource, read with the Operator's defaults."""
    r = OperatorAgent(resource)
    fields: dict[str, Any]
    out: list[Finding] = [
        CATALOGUE["wrong-type"].finding(
            dotted,
            {
                "kind": kind,
                "consequence": "the Operator rejects the resource, and the audit reads it as empty",
                "structure": "the map of fields the Operator expects",
            },
            severity="high",
        )
        for dotted, kind in misplaced_sections(resource, MAP_FIELDS)
    ]
    if lookup(r.spec, "global.credentials.apiKey"):
        key = "spec.global.credentials.apiKey"
        fields = {
            "where": "resource",
            "readers": "the DatadogAgents",
            "reference": "spec.global.credentials.apiSecret (remove spec.global.credentials.apiKey)",
        }
        secret = {"secretName": "datadog-secret", "keyName": "api-key"}
        changes = ((key, None), ("spec.global.credentials.apiSecret", secret))
        out.append(CATALOGUE["plaintext-secret"].finding(key, fields, changes))
    if r.host_pid[0] and not r.host_pid_needed_by():
        key = "spec.override.nodeAgent.hostPID"
        fields = {"source": "set in file", "needed_by": _PID_NEEDED_BY, "setting": key}
        out.append(CATALOGUE["hostpid-unneeded"].finding(key, fields, ((key, False),)))
    if r.node.get("hostNetwork") is True:
        key = "spec.override.nodeAgent.hostNetwork"
        out.append(CATALOGUE["host-network"].finding(key, {"source": "set in file", "setting": key}, ((key, False),)))
    if not r.run_as_user:
        key = "spec.override.nodeAgent.securityContext"
        uid = r.version.dd_agent_uid if r.version else 100
        explicit = "runAsUser" in r.pod_context
        why = (
            " (set explicitly)" if explicit else " (the Operator forces runAsUser 0 unless the override says otherwise)"
        )
        context = {"runAsUser": uid, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
        fields = {"why": why, "uid": uid, "setting": key}
        out.append(CATALOGUE["runs-as-root"].finding(key, fields, ((key, context),), "info" if explicit else "medium"))
    if r.on("dsd_socket") and not r.explicit("dsd_socket") and not r.dogstatsd_off:
        key = "spec.features.dogstatsd.unixDomainSocketConfig.enabled"
        fields = {"path": "/var/run/datadog", "mode": "rw", "source": "Operator default", "setting": key}
        out.append(CATALOGUE["dsd-socket-unneeded"].finding(key, fields, ((key, False),)))
    if r.on("apm") and not r.explicit("apm"):
        key = "spec.features.apm.enabled"
        fields = {"cause": "the Operator turns APM on with its socket", "source": "Operator default", "setting": key}
        out.append(CATALOGUE["apm-unrequested"].finding(key, fields, ((key, False),)))
    if r.on("service_discovery") and not r.explicit("service_discovery"):
        key = "spec.features.serviceDiscovery.enabled"
        fields = {"source": "Operator default from Agent 7.78", "count": len(SYSTEM_PROBE_CAPABILITIES)}
        out.append(CATALOGUE["system-probe-unrequested"].finding(key, fields, ((key, False),)))
    for name, feature in (("containers", "liveContainerCollection"), ("process_discovery", "processDiscovery")):
        if r.on(name) and not r.explicit(name):
            key = f"spec.features.{feature}.enabled"
            out.append(CATALOGUE["operator-default-feature"].finding(key, {"feature": feature}, ((key, False),)))
    ports = (
        ("dogstatsd", r.on("dsd_host_port"), 8125, "UDP", "agent, dogstatsdport"),
        ("apm", r.on("apm") and r.on("apm_host_port"), 8126, "TCP", "trace-agent, traceport"),
    )
    for feature, open_, port, protocol, owner in ports:
        if open_:
            key = f"spec.features.{feature}.hostPortConfig.enabled"
            fields = {"port": port, "protocol": protocol, "owner": owner}
            out.append(CATALOGUE["host-port"].finding(key, fields, ((key, False),)))
    non_root = bool(r.run_as_user)
    for name in r.overridden_containers():
        key = f"spec.override.nodeAgent.containers.{name}.securityContext"
        context = lookup(r.node, f"containers.{name}.securityContext", {}) or {}
        wanted: dict[str, Any] = {"allowPrivilegeEscalation": False}
        if non_root:
            wanted["capabilities"] = {"drop": ["ALL"]}
        missing = [k for k, v in wanted.items() if context.get(k) != v]
        if missing:
            fields = {
                "container": name,
                "missing": " and ".join(missing),
                "wanted": ", ".join(f"{k}: {json.dumps(v)}" for k, v in wanted.items()),
            }
            out.append(CATALOGUE["operator-container-hardening"].finding(key, fields, ((key, {**context, **wanted}),)))
    return out


def audit_datadog_agent(resource: Mapping[str, Any], path: str) -> AuditReport:
    answers, notes = infer_answers(resource)
    report = AuditReport(path=path, kind="datadog-agent")
    report.findings = findings(resource)
    report.privileges = privileges(resource)
    report.answers = answers.as_dict()
    report.answer_notes = notes
    from tui.core.operator import privileges_section

    least = privileges_section(answers)
    report.ledger = {"leastPrivilegeForInferredAnswers": least}
    return report


def apply_fix(report: AuditReport, directory: Any, *, force: bool = False) -> tuple[str, list[Any]]:
    """`audit --fix` for a DatadogAgent: write the Operator bundle for the inferred answers.

    Returns the changes each finding (above info) asks of the user's resource, one line each, and
    the files written.
    """
    from tui.core.bundle import build_bundle, write_bundle

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
