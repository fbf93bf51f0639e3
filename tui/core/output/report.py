"""REPORT.md: every privilege the deployment keeps, who needs it, what it costs and what was removed."""

from __future__ import annotations

from functools import lru_cache

from tui.core.answers.app_endpoints import app_endpoints
from tui.core.answers.contract import Answers
from tui.core.answers.decisions import applicable, caveat_applies, format_value, worded
from tui.core.chart.defaults import CHART_VERSION
from tui.core.chart.model import render_pod
from tui.core.deployment import Deployment
from tui.core.output.cluster_report import report_section as cluster_report_section
from tui.core.pod.ledger import ContainerGrant, Ledger, ledger_delta, ledger_of_pod
from tui.core.pod.privilege_catalog import (
    CAPABILITIES,
    HOST_PID,
    LISTENERS,
    ROOT,
    ROOT_CONTAINERS,
    UNKNOWN_LISTENER,
    host_path_info,
)

# The Pod Security level each kind of privilege breaks, in the words kubectl uses when it refuses a pod.
_PSS_BY_PRIVILEGE = {
    "hostPath": "baseline: hostPath volumes",
    "hostPID": "baseline: host namespaces",
    "hostPort": "baseline: hostPort",
    "listener": "allowed at every level",
    "root": "restricted: runAsNonRoot != true, runAsUser=0",
    "root-default-capabilities": "restricted: runAsNonRoot != true, unrestricted capabilities",
    "capabilities": "baseline: non-default capabilities; restricted: unrestricted capabilities",
}


@lru_cache(maxsize=1)
def chart_default_ledger() -> Ledger:
    """The footprint of `helm install` with nothing but an API key: the baseline ddsecure improves on."""
    return ledger_of_pod(render_pod({"datadog": {"apiKeyExistingSecret": "datadog-secret"}}))


def host_prerequisites(deployment: Deployment) -> list[str]:
    """What the node must grant when the Agent does not run as root."""
    answers = deployment.answers
    if not answers.non_root:
        return []
    uid = answers.uid
    items = [
        f"The {answers.runtime} socket must be readable by UID {uid} (or by a group you add to "
        "`datadog.securityContext.supplementalGroups`).",
    ]
    if answers.logs != "off":
        items.append(f"/var/log/pods (and the files in it) must be readable by UID {uid}.")
        items.append(f"/var/lib/datadog-agent/logs must exist and be writable by UID {uid}.")
    if answers.dogstatsd_over_uds or answers.apm_over_uds:
        items.append(
            f"The socket directory must be writable by UID {uid}: the kubelet creates a missing hostPath "
            "directory as root with mode 0755, so pre-create it (e.g. with systemd-tmpfiles)."
        )
    if answers.process_collection:
        items.append("Process user names come from the image's /etc/passwd: host users show as numeric UIDs.")
    if answers.system_probe:
        items.append("system-probe (and security-agent for CWS) still run as root: eBPF needs it.")
    items += deployment.platform.host_preparation
    items.append("fsGroup does not apply to hostPath volumes; file modes on the node are what count.")
    return items


def platform_lines(deployment: Deployment) -> list[str]:
    """REPORT.md's platform section: what the platform sets, how to render for it, what it grants."""
    platform = deployment.platform
    out = [f"**{platform.title}** (`{platform.name}`): {platform.summary}.", ""]
    for key in platform.chart_keys:
        out.append(f"- `{key.key}`: {key.why}")
    flags = " ".join(deployment.answers.api_server.helm_flags())
    if flags:
        out.append(f"- Render offline as the cluster would: `helm template ... {flags}`")
    if not platform.post_render_patch:
        out.append(f"- No post-render patch: {platform.patch_note}.")
    scc = deployment.scc
    if scc is not None:
        caps = ", ".join(scc["allowedCapabilities"]) or "none"
        out.append(
            f"- SecurityContextConstraints: capabilities {caps}; hostPID {'yes' if scc['allowHostPID'] else 'no'}; "
            f"host ports {'yes' if scc['allowHostPorts'] else 'no'}; privileged "
            f"{'yes' if scc['allowPrivilegedContainer'] else 'no'}; volumes {', '.join(scc['volumes'])}"
        )
    if platform.pod_security:
        out.append(f"- Pod Security: {platform.pod_security}")
    return out


def render_report(deployment: Deployment) -> str:
    answers = deployment.answers
    ledger = deployment.ledger
    out: list[str] = [
        "# ddsecure privilege report",
        "",
        f"Datadog Agent {answers.agent_version} on chart datadog/datadog {CHART_VERSION}, "
        f"release `{answers.release_name}` in namespace `{answers.namespace}`.",
        "",
        "## Pod Security",
        "",
        f"- Agent namespace: **{ledger.agent_level}** is the strictest level the Agent pod passes"
        + (f" (fails: {'; '.join(ledger.agent_violation_reasons)})." if ledger.agent_violation_reasons else "."),
        f"- Application namespaces: **{ledger.app_level}** — {apps_reason(deployment)}.",
        "",
        "## Answers",
        "",
        "| decision | answer |",
        "|---|---|",
    ]
    for decision in applicable(answers):
        value = decision.shown_value(answers)
        shown = ", ".join(value) if isinstance(value, tuple) else format_value(value) if value is not None else ""
        out.append(f"| {decision.title} | {f'`{shown}`' if shown else '—'} |")
    if answers.platform != "generic":
        out += ["", "## Platform", "", *platform_lines(deployment)]
    out += ["", "## Privileges kept", "", "| privilege | needed by | used for | lost without it | Pod Security |"]
    out.append("|---|---|---|---|---|")
    out += _privilege_rows(ledger, answers)
    out += ["", "## Containers, most privileged first", ""]
    for grant in ledger.container_grants:
        out.append(f"- `{grant.name}`: {grant.user_text}; {grant.capability_text}")
    removed = ledger_delta(chart_default_ledger(), ledger)
    out += ["", "## Compared with the chart's defaults", ""]
    out += [f"- {line}" for line in removed] or ["- no difference"]
    if deployment.patch.steps:
        out += ["", "## What daemonset-overrides.yaml changes", ""]
        out += [f"- **{step.title}**: {step.why}" for step in deployment.patch.steps]
    if deployment.hardening_left_out:
        out += ["", "## Hardening left out: the API server would refuse it", ""]
        out += [f"- **{what}**: not written; {why}" for what, why in deployment.hardening_left_out]
    out += ["", *cluster_report_section(deployment)]
    prerequisites = host_prerequisites(deployment)
    if prerequisites:
        out += ["", "## Host checklist for running as non-root", ""]
        out += [f"- {item}" for item in prerequisites]
    notes = _chosen_caveats(deployment)
    if notes:
        out += ["", "## Notes on your choices", ""]
        out += [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


def apps_reason(deployment: Deployment) -> str:
    """The ledger's reason for the application namespaces' level, with who adds the mount for these answers."""
    reason = deployment.ledger.app_reason
    if not deployment.app_socket_dirs:
        return reason
    if app_endpoints(deployment.answers).injected:
        return f"{reason}; the admission controller adds the mount to the pods it configures"
    return f"{reason}; you add the mount to the pods you configure to use the socket"


def _listener_needed_by(port: int, protocol: str, answers: Answers, general: str) -> str:
    """Who keeps a listener open, for these answers: DogStatsD's UDP port can be open for the admission
    controller's Service mode while DogStatsD itself is on the socket."""
    if (port, protocol) == (8125, "UDP") and answers.dogstatsd == "uds":
        return "admission_controller (its one mode points apps at the node-local Service)"
    if (port, protocol) == (8125, "UDP") and answers.dogstatsd in ("udp", "udp-hostport"):
        return f"dogstatsd={answers.dogstatsd}"
    return general


def _privilege_rows(ledger: Ledger, answers: Answers) -> list[str]:
    """Worst first, the order of `Ledger.privileges()`: root containers and their capabilities, host
    namespaces, listeners, writable then read-only host paths."""
    rows = [_container_row(grant) for grant in ledger.container_grants if grant.root or grant.added]
    if ledger.host_pid:
        rows.append(_row("hostPID", HOST_PID.needed_by, HOST_PID.because, HOST_PID.lost_without, "hostPID"))
    for listener in sorted(ledger.listeners, key=lambda lsn: lsn.reach == "pod network"):
        info = LISTENERS.get((listener.port, listener.protocol), UNKNOWN_LISTENER)
        rows.append(
            _row(
                f"listens on {listener.port}/{listener.protocol} ({listener.container}), open to {listener.who}",
                _listener_needed_by(listener.port, listener.protocol, answers, info.needed_by),
                info.because,
                info.lost_without,
                "listener" if listener.reach == "pod network" else "hostPort",
            )
        )
    for grant in sorted(ledger.host_paths, key=lambda g: g.read_only):
        info = host_path_info(grant.volume, grant.path)
        rows.append(
            _row(
                f"hostPath `{grant.path}` {grant.mode} ({', '.join(grant.containers) or 'unmounted'})",
                info.needed_by,
                info.because,
                info.lost_without,
                "hostPath",
            )
        )
    return rows


def _container_row(grant: ContainerGrant) -> str:
    info = ROOT_CONTAINERS.get(grant.name, ROOT) if grant.root else CAPABILITIES
    if grant.added:
        info = ROOT_CONTAINERS.get(grant.name, CAPABILITIES)
    kind = "capabilities" if grant.added else "root-default-capabilities" if not grant.drops_all else "root"
    return _row(
        f"`{grant.name}` runs as {grant.user_text} with {grant.capability_text}",
        info.needed_by,
        info.because,
        info.lost_without,
        kind,
    )


def _row(privilege: str, needed_by: str, because: str, lost: str, kind: str) -> str:
    return f"| {privilege} | {needed_by} | {because} | {lost} | {_PSS_BY_PRIVILEGE[kind]} |"


def _chosen_caveats(deployment: Deployment) -> list[str]:
    """The caveats of the options chosen (and of their decisions) that concern these answers."""
    answers = deployment.answers
    notes: list[str] = []
    for decision in applicable(answers):
        if decision.id in ("run_as", "agent_version"):  # the host checklist and the version notes below
            continue
        value = getattr(answers, decision.id)
        chosen = [decision.option(v) for v in (value if isinstance(value, tuple) else (value,))]
        caveats = [c for option in chosen if option for c in option.caveats]
        if decision.kind == "multi" and not value:
            caveats = []
        caveats += decision.caveats if value not in (None, (), "off", False) else ()
        notes += [worded(c, answers) for c in caveats if caveat_applies(c, answers) and worded(c, answers) not in notes]
    return notes
