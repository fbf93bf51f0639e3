"""Auditing rendered manifests: the node-Agent DaemonSet's real privileges and its Pod Security checks.

Each finding is a catalogue rule (the same ids as the values audit), decided by one `when` in `CHECKS`
over the rendered pod; a failed Pod Security check is its `pss-<check>` rule.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from tui.core.audit.catalogue import CATALOGUE, Check, Hit
from tui.core.audit.cluster_audit import cluster_findings_for_manifests, cluster_ledger_of_manifests, operator_hits
from tui.core.audit.findings import PRIVILEGE_SEVERITY, AuditReport, Finding, Privilege
from tui.core.audit.refused_pods import refused_pod_hits
from tui.core.audit.values_rules import CONTAINER_KEYS, pid_needed_by
from tui.core.errors import InputFileError
from tui.core.pod import pod_security
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.privilege_catalog import capability_why
from tui.core.pod.spec import all_containers, find_node_agent_daemonset, host_ports, pod_spec_of


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
    """One `pss-<check>` finding per failed check; `severity` overrides the catalogue's (used for --render)."""
    return [
        CATALOGUE[f"pss-{r['check']}"].finding(
            f"{subject}: {r['check']}",
            {**r, "detail": f" ({r['detail']})" if r["detail"] else "", "fix": "", "cost": ""},
            severity=severity or "",
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


class RenderedPod(NamedTuple):
    """What the manifest checks read: the node-Agent pod, its ledger, and how findings name it."""

    pod: Mapping[str, Any]
    ledger: Ledger
    subject: str
    documents: Sequence[Any] = ()  # every manifest: pod-refused reads each DaemonSet and Deployment


def _privileged(r: RenderedPod) -> Iterator[Hit]:
    for spec in all_containers(r.pod):
        if ((spec.get("securityContext") or {}).get("privileged")) is True:
            name = str(spec.get("name"))
            setting = f"agents.containers.{CONTAINER_KEYS.get(name, name)}.securityContext.privileged"
            yield Hit(f"{r.subject}: {name}", {"container": name, "setting": setting})


def _host_network(r: RenderedPod) -> Iterator[Hit]:
    if r.ledger.host_network:
        yield Hit(f"{r.subject}: hostNetwork", {"source": "rendered", "setting": "agents.useHostNetwork"})


def _hostpid_needed(r: RenderedPod) -> Iterator[Hit]:
    needed = _host_pid_reasons(r.pod) if r.ledger.host_pid else []
    if needed:
        fields = {"because": "; ".join(needed), "tail": "the rendered pod shows no other reason"}
        yield Hit(f"{r.subject}: hostPID", fields)


def _hostpid_unneeded(r: RenderedPod) -> Iterator[Hit]:
    if r.ledger.host_pid and not _host_pid_reasons(r.pod):
        fields = {"source": "rendered", "needed_by": pid_needed_by(), "setting": "datadog.useHostPID"}
        yield Hit(f"{r.subject}: hostPID", fields)


def _host_root(r: RenderedPod) -> Iterator[Hit]:
    for grant in r.ledger.host_paths:
        if grant.path == "/":
            where = ", ".join(grant.containers) or "not mounted"
            fields = {"mode": grant.mode, "where": where, "because": f"volume {grant.volume}"}
            yield Hit(f"{r.subject}: volumes[{grant.volume}]", fields)


def _host_port(r: RenderedPod) -> Iterator[Hit]:
    for owner, _, port, protocol in host_ports(r.pod):
        yield Hit(f"{r.subject}: {owner}", {"port": port, "protocol": protocol, "owner": owner})


def _capabilities(r: RenderedPod) -> Iterator[Hit]:
    for container, caps in r.ledger.capabilities.items():
        fields = {
            "container": container,
            "count": len(caps),
            "reason": "read from the rendered pod",
            "caps": ", ".join(f"{cap} ({capability_why(cap)})" for cap in caps),
            "fix": "",
        }
        yield Hit(f"{r.subject}: {container}", fields, severity=PRIVILEGE_SEVERITY["requested"])


def _pod_refused(r: RenderedPod) -> Iterator[Hit]:
    yield from refused_pod_hits(r.documents)


def _operator_bundled(r: RenderedPod) -> Iterator[Hit]:
    yield from operator_hits(r.documents)


# Each privilege of a rendered pod, as the catalogue rule the values audit emits for it.
CHECKS: tuple[Check[RenderedPod], ...] = (
    Check("privileged-container", _privileged),
    Check("host-network", _host_network),
    Check("hostpid-needed", _hostpid_needed),
    Check("hostpid-unneeded", _hostpid_unneeded),
    Check("host-root", _host_root),
    Check("host-port", _host_port),
    Check("capabilities-added", _capabilities),
    Check("pod-refused", _pod_refused),
    Check("operator-bundled", _operator_bundled),
)


def privilege_findings(
    pod: Mapping[str, Any], ledger: Ledger, subject: str, documents: Sequence[Any] = ()
) -> list[Finding]:
    rendered = RenderedPod(pod, ledger, subject, documents)
    return [finding for check in CHECKS for finding in check.findings(rendered)]


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
    report.findings += privilege_findings(pod, ledger, f"DaemonSet {name}", documents)
    report.findings += cluster_findings_for_manifests(documents)
    return report


def operator_report(documents: Sequence[Any], path: str) -> AuditReport:
    """DatadogAgent (Operator) input: audited field by field with the Operator's defaults."""
    from tui.core.audit.datadog_agent import audit_datadog_agent

    agent = next(d for d in documents if isinstance(d, Mapping) and d.get("kind") == "DatadogAgent")
    return audit_datadog_agent(agent, path)
