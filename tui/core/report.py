"""REPORT.md: every privilege the deployment keeps, who needs it, what it costs and what was removed."""

from __future__ import annotations

from functools import lru_cache

from tui.core.chart_defaults import CHART_VERSION
from tui.core.chart_model import render_pod
from tui.core.cluster_report import report_section as cluster_report_section
from tui.core.decisions import applicable, caveat_applies, format_value
from tui.core.deployment import Deployment
from tui.core.privilege_catalog import CAPABILITIES, HOST_PID, HOST_PORTS, ROOT, host_path_info
from tui.core.privileges import Ledger, ledger_delta, ledger_of_pod

_PSS_BY_PRIVILEGE = {
    "hostPath": "baseline: hostPathVolumes; restricted: restrictedVolumes",
    "hostPID": "baseline: hostNamespaces",
    "hostPort": "baseline: hostPorts",
    "root": "restricted: runAsNonRoot",
    "capabilities": "baseline: capabilities_baseline; restricted: capabilities_restricted",
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
    flags = " ".join(platform.cluster.helm_flags())
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
        + (f" (fails: {', '.join(ledger.agent_violations)})." if ledger.agent_violations else "."),
        f"- Application namespaces: **{ledger.app_level}** — {ledger.app_reason}.",
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
    out += _privilege_rows(ledger)
    out += ["", "## Containers", ""]
    for name in ledger.containers:
        user = ledger.container_users.get(name)
        caps = ledger.capabilities.get(name)
        out.append(
            f"- `{name}`: user {user if user else '0 (root)'}"
            + (f", adds {', '.join(caps)}" if caps else ", no added capabilities")
        )
    removed = ledger_delta(chart_default_ledger(), ledger)
    out += ["", "## Compared with the chart's defaults", ""]
    out += [f"- {line}" for line in removed] or ["- no difference"]
    if deployment.patch.steps:
        out += ["", "## What daemonset-overrides.yaml changes", ""]
        out += [f"- **{step.gap}**: {step.why}" for step in deployment.patch.steps]
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


def _privilege_rows(ledger: Ledger) -> list[str]:
    rows = []
    if ledger.host_pid:
        rows.append(_row("hostPID", HOST_PID.needed_by, HOST_PID.because, HOST_PID.lost_without, "hostPID"))
    for port in ledger.host_ports:
        info = HOST_PORTS.get(port)
        rows.append(
            _row(
                f"hostPort {port}",
                info.needed_by if info else "unknown",
                info.because if info else "",
                info.lost_without if info else "",
                "hostPort",
            )
        )
    if not ledger.run_as_user:
        rows.append(_row("runAsUser 0 (root)", ROOT.needed_by, ROOT.because, ROOT.lost_without, "root"))
    for grant in ledger.host_paths:
        info = host_path_info(grant.volume)
        rows.append(
            _row(
                f"hostPath `{grant.path}` {grant.mode} ({', '.join(grant.containers) or 'unmounted'})",
                info.needed_by,
                info.because,
                info.lost_without,
                "hostPath",
            )
        )
    for name, caps in ledger.capabilities.items():
        rows.append(
            _row(
                f"{name} capabilities {', '.join(caps)}",
                CAPABILITIES.needed_by,
                CAPABILITIES.because,
                CAPABILITIES.lost_without,
                "capabilities",
            )
        )
    return rows


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
        notes += [c for c in caveats if caveat_applies(c, answers) and c not in notes]
    return notes
