"""Auditing a values file: the privileges it grants, the ones it does not need, and its key mistakes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.cluster_audit import cluster_findings_for_values
from tui.core.audit.findings import DELETE, AuditReport, Finding, Privilege
from tui.core.audit.values_rules import CONTAINER_KEYS, Context, rule_findings
from tui.core.audit.values_rules import port_key as _port_key
from tui.core.chart.infer import is_set, user_value
from tui.core.chart.keys import NO_OP_HINTS, ChartKeys, chart_keys
from tui.core.chart.model import (
    CAPABILITY_CAUSES,
    HOST_PID_TRIGGERS,
    container_causes,
    volume_causes,
)
from tui.core.deployment import Deployment, ValuesDeployment
from tui.core.pod.spec import host_ports
from tui.core.yamlio.dotted import is_map
from tui.core.yamlio.helm import Duplicate


def shape_findings(deployment: ValuesDeployment) -> list[Finding]:
    """One finding per block of the wrong type, which the chart model reads as absent."""
    fields = {"consequence": "helm fails or ignores it", "structure": "the chart's structure"}
    return [
        CATALOGUE["wrong-type"].finding(dotted, {**fields, "kind": type_name}, ((dotted, DELETE),))
        for dotted, type_name in deployment.shaped[1]
    ]


def audit_values(raw_values: Mapping[str, Any], path: str, duplicates: tuple[Duplicate, ...] = ()) -> AuditReport:
    return audit_deployment(Deployment.of_values(raw_values), path, duplicates)


def audit_deployment(deployment: ValuesDeployment, path: str, duplicates: tuple[Duplicate, ...] = ()) -> AuditReport:
    """The audit of the values a deployment was made of: every finding reads this one computation;
    `duplicates`: the keys the file writes twice (helm reads the last)."""
    values, answers = deployment.modelled, deployment.answers
    report = AuditReport(path=path, kind="values", answers=answers.as_dict(), answer_notes=list(deployment.inferred[1]))
    report.ledger = deployment.values_ledger.as_json()
    report.unmodelled = list(deployment.unmodelled)
    report.refused = deployment.refusal
    if not report.ledger_complete:
        report.ledger["partial"] = True
    context = Context(deployment, duplicates)
    if deployment.chart.target_system() == "linux":
        report.privileges = list(privileges(context))
        privilege_findings = rule_findings(context)
    else:
        # The model's pod is the Linux DaemonSet: nothing it says is true of the Windows one, so there is
        # no node-Agent ledger and no node-Agent finding (the Cluster Agent and RBAC are the same).
        report.ledger = {"partial": True, "nodeAgent": None}
        privilege_findings = []
    # the ledger names what causes each privilege too: the keys of the chart's condition
    report.ledger["causes"] = {p.what: list(p.keys) for p in report.privileges}
    report.findings += shape_findings(deployment)
    keys = _agreeing(key_findings(deployment.given, chart_keys()), privilege_findings)
    # a key the chart fails on is not "silently ignored": chart-refuses names it (datadog.systemProbe.enabled)
    report.findings += [f for f in keys if not (f.id == "no-op-key" and report.refused.startswith(f.key + " "))]
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
    """Each privilege of the ledger, with every key that causes it (read off the chart's conditions) and
    where the first one's value comes from."""
    for what, keys in causes(context):
        key = keys[0] if keys else ""
        yield Privilege(what, key or "the chart (always)", context.source(key) if key else "chart", tuple(keys))


def causes(context: Context) -> Iterator[tuple[str, list[str]]]:
    """(privilege, the keys that cause it) for each privilege of the ledger, most privileged first."""
    chart, ledger = context.chart, context.ledger
    if ledger.host_pid:
        yield "hostPID", [t.key for t in chart.active(HOST_PID_TRIGGERS)]
    if ledger.host_network:
        yield "hostNetwork", ["agents.useHostNetwork"]
    for container, name, number, _ in host_ports(context.pod):
        key = _port_key(context, container, name, number)
        yield f"hostPort {number} ({container})", _port_causes(context, name, key)
    user = "root (UID 0)" if not ledger.run_as_user else f"UID {ledger.run_as_user}"
    yield f"runs as {user}", ["datadog.securityContext.runAsUser"]
    custom = context.custom_volumes()
    for grant in ledger.host_paths:
        keys = ["agents.volumes"] if grant.volume in custom else volume_causes(chart, grant.volume)
        where = ", ".join(grant.containers) or "declared, not mounted"
        yield f"hostPath {grant.path} {grant.mode} ({where})", keys
    for container, caps in ledger.capabilities.items():
        yield f"capabilities {container}: {', '.join(caps)}", capability_causes(context, container, caps)
    for container in context.pod.get("containers", []):
        if (container.get("securityContext") or {}).get("privileged") is True:
            block = CONTAINER_KEYS.get(container["name"], container["name"])
            yield f"privileged {container['name']}", [f"agents.containers.{block}.securityContext.privileged"]
    for container in ledger.containers:
        keys = container_causes(chart, container)
        if keys:
            yield f"container {container}", keys


def _port_causes(context: Context, name: str, key: str) -> list[str]:
    """The keys that open a host port: the OTLP receiver's switch with its useHostPort, APM's two switches."""
    if key.endswith(".useHostPort") and key.startswith("datadog.otlp."):
        return [key.removesuffix(".useHostPort") + ".enabled", key]
    if name == "traceport":
        return [k for k in ("datadog.apm.portEnabled", "datadog.apm.enabled") if context.chart.v.on(k)] or [key]
    return [key]


def capability_causes(context: Context, container: str, caps: Sequence[str]) -> list[str]:
    """Who gives `container` its capabilities: the user's own block, the feature that adds one, the
    features that run the container (its default block holds the rest)."""
    block = f"agents.containers.{CONTAINER_KEYS.get(container, container)}.securityContext"
    keys = [block] if is_set(context.values, block) else []
    for cap in caps:
        rule = CAPABILITY_CAUSES.get((container, cap))
        if rule is not None:
            keys += rule(context.chart)
    keys += container_causes(context.chart, container)
    return list(dict.fromkeys(keys)) or [block]


# --- keys -----------------------------------------------------------------------------------------


def _walk(values: Mapping[str, Any], keys: ChartKeys, prefix: str = "") -> Iterator[tuple[str, Any, bool]]:
    """(dotted key, value, known) for the user's keys, stopping below unknown and free-form keys."""
    for raw_key, value in values.items():
        dotted = f"{prefix}{raw_key}"
        if not keys.known(dotted):
            yield dotted, value, False
            continue
        yield dotted, value, True
        if is_map(value) and not keys.is_open(dotted):
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
    return found


def _deprecated(dotted: str, value: Any, info: Mapping[str, Any]) -> Finding:
    """A deprecated key: low when it changes something, info when it only repeats the default."""
    replacement = str(info.get("replacement") or "")
    carried = value
    if is_map(value) and replacement.endswith(".enabled"):
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
        detail = f"; the chart reads {replacement} instead"
    elif info.get("noEffect"):
        detail = " and has no effect in chart 3.240.0"
    else:
        detail = " in chart 3.240.0 and may be removed"
    entry = CATALOGUE["deprecated-key"]
    if at_default:
        fields = {"detail": detail + " (it is at its default here)", "edit": f"remove {dotted}"}
        return entry.finding(dotted, fields, ((dotted, DELETE),), "info")
    if replacement:
        fields = {"detail": detail, "edit": f"{replacement}: {_yaml_scalar(carried)}"}
        return entry.finding(dotted, fields, ((dotted, DELETE), (replacement, carried)))
    return entry.finding(dotted, {"detail": detail, "edit": f"remove {dotted}"}, ((dotted, DELETE),))


def _unknown_key(dotted: str, value: Any, keys: ChartKeys) -> Finding:
    if dotted in NO_OP_HINTS:
        return CATALOGUE["no-op-key"].finding(dotted, {"hint": NO_OP_HINTS[dotted]}, ((dotted, DELETE),))
    moved = keys.relocation(dotted, value)
    if moved:
        return CATALOGUE["wrong-level"].finding(dotted, {"moved": moved}, ((dotted, DELETE), (moved, value)))
    close = keys.suggest(dotted)
    if close:
        fields = {"detail": f" (silently ignored); did you mean {close}?", "edit": f"rename to {close}"}
        return CATALOGUE["unknown-key"].finding(dotted, fields, ((dotted, DELETE), (close, value)))
    fields = {"detail": " and is silently ignored", "edit": f"remove {dotted}"}
    return CATALOGUE["unknown-key"].finding(dotted, fields, ((dotted, DELETE),))


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list)):
        return "{…}" if is_map(value) else "[…]"
    return str(value)


# --- secrets ----------------------------------------------------------------------------------------


# `${DD_API_KEY}`, `$DD_API_KEY`, `<your API key>`: a value substituted into the file before helm reads it.
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^<>]+>")


def secret_findings(values: Mapping[str, Any], answers: Answers) -> list[Finding]:
    found: list[Finding] = []
    secret = answers.api_key_secret
    for key, secret_key in (("datadog.apiKey", "apiKeyExistingSecret"), ("datadog.appKey", "appKeyExistingSecret")):
        literal = user_value(values, key)
        if isinstance(literal, (str, int)) and str(literal).strip() and "{{" not in str(literal):
            fields = {
                "where": "values file",
                "readers": "the file or the release history",
                "reference": f"datadog.{secret_key}: {secret} (remove {key})",
            }
            if _PLACEHOLDER.fullmatch(str(literal).strip()):
                # filled in before helm runs: the key is kept out of the file, not out of the release
                fields["where"] = f"values helm receives ({literal} is filled in before helm runs)"
                fields["readers"] = "the release history (helm get values, the release Secret)"
            changes = ((key, DELETE), (f"datadog.{secret_key}", secret))
            found.append(CATALOGUE["plaintext-secret"].finding(key, fields, changes))
    return found
