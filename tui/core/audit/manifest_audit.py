"""Auditing rendered manifests: the node-Agent DaemonSet's real privileges and its Pod Security checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.audit.cluster_audit import cluster_findings_for_manifests, cluster_ledger_of_manifests
from tui.core.audit.findings import PRIVILEGE_SEVERITY, AuditReport, Finding, Privilege
from tui.core.errors import InputFileError
from tui.core.pod import pod_security
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.privilege_catalog import capability_why
from tui.core.pod.spec import all_containers, find_node_agent_daemonset, pod_spec_of

# Severity of a failed check: what baseline refuses matters more than what only restricted refuses
# (the Agent cannot run under restricted at all; see the security guidance).
_SEVERITY = {"baseline": "medium", "restricted": "low"}


def node_agent_pod(documents: Sequence[Any], where: str) -> tuple[Mapping[str, Any], Mapping[str, Any], str]:
    """(pod spec, pod template annotations, DaemonSet name) of the node-Agent DaemonSet."""
    daemonset = find_node_agent_daemonset(documents)
    if daemonset is None:
        raise InputFileError(f"{where}: no node-Agent DaemonSet (a DaemonSet with an 'agent' container) found")
    template = (daemonset.get("spec") or {}).get("template") or {}
    annotations = (template.get("metadata") or {}).get("annotations") if isinstance(template, Mapping) else None
    name = str((daemonset.get("metadata") or {}).get("name", "?"))
    return pod_spec_of(daemonset), annotations if isinstance(annotations, Mapping) else {}, name


def pod_security_results(pod: Mapping[str, Any], annotations: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "check": result.check_id,
            "level": result.level,
            "allowed": result.allowed,
            "reason": result.reason,
            "detail": result.detail,
        }
        for result in pod_security.evaluate(pod, annotations)
    ]


def pod_security_findings(results: list[dict[str, Any]], subject: str, severity: str | None = None) -> list[Finding]:
    """One finding per failed check; `severity` overrides the per-level default (used for --render)."""
    return [
        Finding(
            f"pss-{r['check']}",
            severity or _SEVERITY.get(r["level"], "low"),
            f"{subject}: {r['check']}",
            f"fails Pod Security {r['level']} check {r['check']}: {r['reason']}"
            + (f" ({r['detail']})" if r["detail"] else ""),
            "",
        )
        for r in results
        if not r["allowed"]
    ]


def ledger_privileges(ledger: Ledger, source: str) -> list[Privilege]:
    rows = [Privilege("hostPID", "spec.template.spec.hostPID", source)] if ledger.host_pid else []
    if ledger.host_network:
        rows.append(Privilege("hostNetwork", "spec.template.spec.hostNetwork", source))
    rows += [Privilege(f"hostPort {port}", "containers[].ports[].hostPort", source) for port in ledger.host_ports]
    user = "root (UID 0)" if not ledger.run_as_user else f"UID {ledger.run_as_user}"
    rows.append(Privilege(f"runs as {user}", "spec.template.spec.securityContext.runAsUser", source))
    for grant in ledger.host_paths:
        where = ", ".join(grant.containers) or "declared, not mounted"
        rows.append(Privilege(f"hostPath {grant.path} {grant.mode} ({where})", f"volumes[{grant.volume}]", source))
    for container, caps in ledger.capabilities.items():
        rows.append(
            Privilege(
                f"capabilities {container}: {', '.join(caps)}", f"containers[{container}].securityContext", source
            )
        )
    return rows


def privilege_findings(pod: Mapping[str, Any], ledger: Ledger, subject: str) -> list[Finding]:
    """Each privilege of a rendered pod, named, at the severity the values audit gives it."""
    from tui.core.chart.model import HOST_PID_TRIGGERS

    out: list[Finding] = []
    for spec in all_containers(pod):
        if ((spec.get("securityContext") or {}).get("privileged")) is True:
            name = str(spec.get("name"))
            out.append(
                Finding(
                    "privileged-container",
                    PRIVILEGE_SEVERITY["privileged"],
                    f"{subject}: {name}",
                    f"{name} runs privileged: every capability and every host device",
                    f"securityContext.privileged: false for {name} (agents.containers.<container> in values)",
                )
            )
    if ledger.host_network:
        out.append(
            Finding(
                "host-network",
                PRIVILEGE_SEVERITY["hostNetwork"],
                f"{subject}: hostNetwork",
                "the pod shares the node's network namespace; no chart feature forces it",
                "agents.useHostNetwork: false (values)",
            )
        )
    if ledger.host_pid:
        needed = _host_pid_reasons(pod)
        if needed:
            out.append(
                Finding(
                    "hostpid-needed",
                    PRIVILEGE_SEVERITY["requested"],
                    f"{subject}: hostPID",
                    f"the pod shares the host PID namespace, as {'; '.join(needed)} needs",
                    "",
                )
            )
        else:
            needed_by = "; ".join(f"{t.brings} ({t.key})" for t in HOST_PID_TRIGGERS if t.key != "datadog.useHostPID")
            out.append(
                Finding(
                    "hostpid",
                    PRIVILEGE_SEVERITY["hostPID"],
                    f"{subject}: hostPID",
                    f"the pod shares the host PID namespace, and none of what needs it is on: {needed_by}",
                    "datadog.useHostPID: false (values) or hostPID: false (patch)",
                )
            )
    for grant in ledger.host_paths:
        if grant.path == "/":
            out.append(
                Finding(
                    "host-root",
                    PRIVILEGE_SEVERITY["hostPath /"],
                    f"{subject}: volumes[{grant.volume}]",
                    f"hostPath / {grant.mode} ({', '.join(grant.containers) or 'not mounted'}): "
                    "the whole host filesystem",
                    "turn off the feature that mounts it (CWS, USM, GPU monitoring, CSPM), or remove the volume",
                )
            )
    for owner, port in _host_ports(pod):
        out.append(
            Finding(
                "host-port",
                PRIVILEGE_SEVERITY["requested"],
                f"{subject}: {owner}",
                f"host port {port} ({owner}) is open on every node",
                "",
            )
        )
    for container, caps in ledger.capabilities.items():
        named = ", ".join(f"{cap} ({capability_why(cap)})" for cap in caps)
        out.append(
            Finding(
                "capabilities-added",
                PRIVILEGE_SEVERITY["requested"],
                f"{subject}: {container}",
                f"{container} adds {len(caps)} capabilities: {named}",
                "",
            )
        )
    return out


def _env(pod: Mapping[str, Any], name: str) -> bool:
    """Some container sets this environment variable to "true"."""
    return any(
        isinstance(e, Mapping) and e.get("name") == name and str(e.get("value")).lower() == "true"
        for c in all_containers(pod)
        for e in c.get("env") or []
    )


def _host_pid_reasons(pod: Mapping[str, Any]) -> list[str]:
    """What in a rendered pod needs hostPID, read off its containers and their environment."""
    names = {str(c.get("name")) for c in all_containers(pod)}
    reasons = []
    if "security-agent" in names and _env(pod, "DD_COMPLIANCE_CONFIG_ENABLED"):
        reasons.append("CSPM (compliance)")
    if "host-profiler" in names:
        reasons.append("the host profiler")
    if _env(pod, "DD_SBOM_ENRICHMENT_USAGE_ENABLED"):
        reasons.append("SBOM usage enrichment")
    if _env(pod, "DD_DOGSTATSD_ORIGIN_DETECTION"):
        reasons.append("DogStatsD origin detection")
    return reasons


def _host_ports(pod: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(c.get("name")), f"{p['hostPort']}/{p.get('protocol', 'TCP')}")
        for c in pod.get("containers") or []
        for p in c.get("ports") or []
        if isinstance(p, Mapping) and p.get("hostPort")
    ]


def audit_manifests(documents: Sequence[Any], path: str) -> AuditReport:
    pod, annotations, name = node_agent_pod(documents, path)
    ledger = ledger_of_pod(pod)
    report = AuditReport(path=path, kind="manifests")
    report.ledger = ledger.as_json()
    cluster = cluster_ledger_of_manifests(documents)
    if cluster is not None:  # the manifests hold the release's RBAC too: --expect compares it
        report.ledger["cluster"] = cluster
    report.privileges = ledger_privileges(ledger, f"DaemonSet {name}")
    report.pod_security = pod_security_results(pod, annotations)
    report.findings += pod_security_findings(report.pod_security, f"DaemonSet {name}")
    report.findings += privilege_findings(pod, ledger, f"DaemonSet {name}")
    report.findings += cluster_findings_for_manifests(documents)
    return report


def operator_report(documents: Sequence[Any], path: str) -> AuditReport:
    """DatadogAgent (Operator) input: audited field by field with the Operator's defaults."""
    from tui.core.audit.datadog_agent import audit_datadog_agent

    agent = next(d for d in documents if isinstance(d, Mapping) and d.get("kind") == "DatadogAgent")
    return audit_datadog_agent(agent, path)
