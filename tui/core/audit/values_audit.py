"""Auditing a values file: the privileges it grants, the ones it does not need, and its key mistakes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.audit.chart_keys import NO_OP_HINTS, ChartKeys, chart_keys
from tui.core.audit.cluster_audit import cluster_findings_for_values
from tui.core.audit.findings import DELETE, AuditReport, Finding, Privilege
from tui.core.audit.infer import infer_answers, user_value
from tui.core.audit.values_rules import CONTAINER_KEYS, Context, rule_findings
from tui.core.audit.values_rules import port_key as _port_key
from tui.core.audit.values_rules import volume_key as _volume_key
from tui.core.chart.model import (
    HOST_PID_TRIGGERS,
    HOST_ROOT_TRIGGERS,
    SYSTEM_PROBE_TRIGGERS,
    NodeAgentChart,
    render_pod,
    unmodelled,
)
from tui.core.deployment import Deployment
from tui.core.pod.ledger import ledger_of_pod

_STRING_BOOL = re.compile(r"^(true|false|yes|no|on|off|y|n)$", re.IGNORECASE)


def modelled_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """The values with every wrongly shaped block dropped (helm would fail on it), and a finding for each."""
    keys = chart_keys()
    findings: list[Finding] = []

    def clean(tree: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in tree.items():
            dotted = f"{prefix}{key}"
            if keys.kind(dotted) == "map" and value is not None and not isinstance(value, Mapping):
                findings.append(
                    Finding(
                        "wrong-type",
                        "medium",
                        dotted,
                        f"{dotted} must be a mapping, not {type(value).__name__}; helm fails or ignores it",
                        f"remove {dotted} or give it the chart's structure",
                        ((dotted, DELETE),),
                    )
                )
                continue
            if isinstance(value, Mapping) and keys.kind(dotted) == "map" and not keys.is_open(dotted):
                value = clean(value, dotted + ".")
            out[str(key)] = value
        return out

    return clean(values, ""), findings


def audit_values(raw_values: Mapping[str, Any], path: str) -> AuditReport:
    values, shape_findings = modelled_values(raw_values)
    answers, notes = infer_answers(values)
    chart = NodeAgentChart(values)
    pod = render_pod(values)
    ledger = ledger_of_pod(pod)
    target = ledger_of_pod(Deployment.of(answers).rendered_pod)
    report = AuditReport(path=path, kind="values", answers=answers.as_dict(), answer_notes=notes)
    report.ledger = ledger.as_json()
    report.unmodelled = unmodelled(values)
    report.refused = chart.refusal()
    if not report.ledger_complete:
        report.ledger["partial"] = True
    context = Context(raw_values, values, chart, pod, ledger, target, answers)
    report.privileges = list(privileges(context))
    privilege_findings = rule_findings(context)
    report.findings += shape_findings
    report.findings += _agreeing(key_findings(raw_values, chart_keys()), privilege_findings)
    report.findings += secret_findings(values, answers)
    report.findings += privilege_findings
    report.findings += cluster_findings_for_values(values)
    return report


def _agreeing(key_findings: list[Finding], privilege_findings: list[Finding]) -> list[Finding]:
    """A renamed key carries the value the privilege rules want for it, so no two fixes disagree."""
    wanted = {key: value for f in privilege_findings for key, value in f.changes}
    out = []
    for finding in key_findings:
        changes = tuple(
            (key, wanted.get(key, value)) if value is not DELETE else (key, value) for key, value in finding.changes
        )
        out.append(replace(finding, changes=changes) if changes != finding.changes else finding)
    return out


# --- who grants what ------------------------------------------------------------------------------


def privileges(context: Context) -> Iterator[Privilege]:
    """Each privilege of the ledger, with the key responsible and where its value comes from."""
    chart, ledger = context.chart, context.ledger
    row = lambda what, key: Privilege(what, key, context.source(key))  # noqa: E731
    if ledger.host_pid:
        yield row("hostPID", chart.active(HOST_PID_TRIGGERS)[0].key)
    if ledger.host_network:
        yield row("hostNetwork", "agents.useHostNetwork")
    for container in context.pod.get("containers", []):
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                key = _port_key(context, str(container["name"]), str(port.get("name", "")), int(port["hostPort"]))
                yield row(f"hostPort {port['hostPort']} ({container['name']})", key)
    user = "root (UID 0)" if not ledger.run_as_user else f"UID {ledger.run_as_user}"
    yield Privilege(f"runs as {user}", "datadog.securityContext.runAsUser", context.source("datadog.securityContext"))
    custom = context.custom_volumes()
    root_triggers = chart.active(HOST_ROOT_TRIGGERS)
    for grant in ledger.host_paths:
        if grant.volume in custom:
            key = "agents.volumes"
        elif grant.volume == "hostroot" and root_triggers:
            key = root_triggers[0].key
        else:
            key = _volume_key(grant.volume, context)
        where = ", ".join(grant.containers) or "declared, not mounted"
        yield row(f"hostPath {grant.path} {grant.mode} ({where})", key)
    probe = chart.active(SYSTEM_PROBE_TRIGGERS)
    probe_key = probe[0].key if probe else "datadog.discovery.enabled"
    for container, caps in ledger.capabilities.items():
        key = (
            probe_key
            if container == "system-probe"
            else f"agents.containers.{CONTAINER_KEYS.get(container, container)}"
        )
        yield row(f"capabilities {container}: {', '.join(caps)}", key)
    for container in context.pod.get("containers", []):
        if (container.get("securityContext") or {}).get("privileged") is True:
            yield row(f"privileged {container['name']}", f"agents.containers.{CONTAINER_KEYS.get(container['name'])}")
    extra = {
        "system-probe": probe_key,
        "seccomp-setup": "datadog.systemProbe.seccomp",
        "trace-agent": "datadog.apm.socketEnabled",
        "process-agent": "datadog.networkMonitoring.enabled",
        "security-agent": "datadog.securityAgent.runtime.enabled"
        if chart.cws()
        else "datadog.securityAgent.compliance.enabled",
        "otel-agent": "datadog.otelCollector.enabled",
        "host-profiler": "datadog.hostProfiler.enabled",
        "agent-data-plane": "datadog.dataPlane.enabled",
    }
    for container in ledger.containers:
        if container in extra:
            yield row(f"container {container}", extra[container])


# --- keys -----------------------------------------------------------------------------------------


def _walk(values: Mapping[str, Any], keys: ChartKeys, prefix: str = "") -> Iterator[tuple[str, Any, bool]]:
    """(dotted key, value, known) for the user's keys, stopping below unknown and free-form keys."""
    for raw_key, value in values.items():
        dotted = f"{prefix}{raw_key}"
        if not keys.known(dotted):
            yield dotted, value, False
            continue
        yield dotted, value, True
        if isinstance(value, Mapping) and not keys.is_open(dotted):
            yield from _walk(value, keys, dotted + ".")


def key_findings(values: Mapping[str, Any], keys: ChartKeys) -> list[Finding]:
    found: list[Finding] = []
    for dotted, value, known in _walk(values, keys):
        if not known:
            found.append(_unknown_key(dotted, value, keys))
            continue
        deprecated = keys.deprecated.get(dotted)
        if deprecated:
            found.append(_deprecated(dotted, value, deprecated))
        if keys.kind(dotted) == "bool" and isinstance(value, str) and _STRING_BOOL.match(value.strip()):
            meaning = "true" if value.strip() else "false"
            wanted = value.strip().lower() in ("true", "yes", "on", "y")
            found.append(
                Finding(
                    "string-boolean",
                    "medium",
                    dotted,
                    f"{dotted} is the string {value!r}, not a boolean: helm treats every non-empty string as "
                    f"{meaning}, so this is ON whatever it says",
                    f"{dotted}: {_yaml_scalar(wanted)}",
                    ((dotted, wanted),),
                )
            )
    return found


def _deprecated(dotted: str, value: Any, info: Mapping[str, Any]) -> Finding:
    """A deprecated key: low when it changes something, info when it only repeats the default."""
    replacement = str(info.get("replacement") or "")
    carried = value
    if isinstance(value, Mapping) and replacement.endswith(".enabled"):
        carried = value.get("enabled")
    if (
        replacement
        and "disable" in replacement.lower()
        and "disable" not in dotted.lower()
        and isinstance(carried, bool)
    ):
        carried = not carried  # enableX -> disableX
    at_default = value == info.get("default")
    if replacement:
        message = f"{dotted} is deprecated; the chart reads {replacement} instead"
    elif info.get("noEffect"):
        message = f"{dotted} is deprecated and has no effect in chart 3.240.0"
    else:
        message = f"{dotted} is deprecated in chart 3.240.0 and may be removed"
    if at_default:
        return Finding(
            "deprecated-key",
            "info",
            dotted,
            message + " (it is at its default here)",
            f"remove {dotted}",
            ((dotted, DELETE),),
        )
    if replacement:
        return Finding(
            "deprecated-key",
            "low",
            dotted,
            message,
            f"{replacement}: {_yaml_scalar(carried)}",
            ((dotted, DELETE), (replacement, carried)),
        )
    return Finding("deprecated-key", "low", dotted, message, f"remove {dotted}", ((dotted, DELETE),))


def _unknown_key(dotted: str, value: Any, keys: ChartKeys) -> Finding:
    if dotted in NO_OP_HINTS:
        return Finding(
            "no-op-key",
            "medium",
            dotted,
            f"{dotted} does not exist in the chart and is silently ignored: {NO_OP_HINTS[dotted]}",
            f"remove {dotted}",
            ((dotted, DELETE),),
        )
    moved = keys.relocation(dotted)
    if moved:
        return Finding(
            "wrong-level",
            "medium",
            dotted,
            f"{dotted} is ignored at this level; the chart reads it as {moved}",
            f"move it to {moved}",
            ((dotted, DELETE), (moved, value)),
        )
    close = keys.suggest(dotted)
    if close:
        return Finding(
            "unknown-key",
            "medium",
            dotted,
            f"{dotted} is not a key of the chart (silently ignored); did you mean {close}?",
            f"rename to {close}",
            ((dotted, DELETE), (close, value)),
        )
    return Finding(
        "unknown-key",
        "medium",
        dotted,
        f"{dotted} is not a key of the chart and is silently ignored",
        f"remove {dotted}",
        ((dotted, DELETE),),
    )


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list)):
        return "{…}" if isinstance(value, Mapping) else "[…]"
    return str(value)


# --- secrets ----------------------------------------------------------------------------------------


def secret_findings(values: Mapping[str, Any], answers: Answers) -> list[Finding]:
    found: list[Finding] = []
    secret = answers.api_key_secret
    for key, secret_key in (("datadog.apiKey", "apiKeyExistingSecret"), ("datadog.appKey", "appKeyExistingSecret")):
        literal = user_value(values, key)
        if isinstance(literal, (str, int)) and str(literal).strip() and "{{" not in str(literal):
            found.append(
                Finding(
                    "plaintext-secret",
                    "high",
                    key,
                    f"{key} holds a literal key in the values file: anyone who reads the file or the release "
                    "history has it",
                    f"store it in a Secret and set datadog.{secret_key}: {secret} (remove {key})",
                    ((key, DELETE), (f"datadog.{secret_key}", secret)),
                )
            )
    return found
