"""Auditing a values file: the privileges it grants, the ones it does not need, and its key mistakes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tui.core.answers import Answers
from tui.core.audit.chart_keys import NO_OP_HINTS, ChartKeys, chart_keys
from tui.core.audit.findings import DELETE, AuditReport, Finding, Privilege
from tui.core.audit.infer import explicit, infer_answers, is_set, user_value
from tui.core.chart_model import NodeAgentChart, render_pod
from tui.core.chart_values import runtime_socket_setting
from tui.core.deployment import Deployment
from tui.core.privileges import Ledger, ledger_of_pod

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
    report.privileges = list(privileges(values, chart, ledger))
    report.findings += shape_findings
    report.findings += key_findings(raw_values, chart_keys())
    report.findings += trap_findings(values, chart, answers)
    report.findings += unneeded_findings(values, chart, ledger, target, answers)
    return report


# --- who grants what ------------------------------------------------------------------------------


def _source(values: Mapping[str, Any], key: str) -> str:
    if not key or " " in key:
        return "chart"
    if not is_set(values, key):
        return "chart default"
    return "set in file" if explicit(values, key) else "set in file (= chart default)"


def system_probe_reason(values: Mapping[str, Any], chart: NodeAgentChart) -> str:
    """The key that brings system-probe in."""
    v = chart.v
    for key in (
        "datadog.securityAgent.runtime.enabled",
        "datadog.networkMonitoring.enabled",
        "datadog.serviceMonitoring.enabled",
        "datadog.systemProbe.enableOOMKill",
        "datadog.systemProbe.enableTCPQueueLength",
        "datadog.traceroute.enabled",
        "datadog.discovery.serviceMap.enabled",
        "datadog.gpuMonitoring.privilegedMode",
        "datadog.dynamicInstrumentationGo.enabled",
        "datadog.sbom.enrichment.usage.enabled",
    ):
        if v.on(key):
            return key
    return "datadog.discovery.enabled"


def _volume_key(volume: str, values: Mapping[str, Any], chart: NodeAgentChart) -> str:
    sp = system_probe_reason(values, chart)
    table = {
        "procdir": "(always: system checks)",
        "cgroups": "(always: container metrics)",
        "os-release-file": "datadog.osReleasePath",
        "dsdsocket": "datadog.dogstatsd.useSocketVolume",
        "apmsocket": "datadog.apm.socketEnabled",
        "passwd": "datadog.disablePasswdMount",
        "runtimesocketdir": "datadog.criSocketPath",
        "seccomp-root": "datadog.systemProbe.seccomp",
        "bpffs": "datadog.networkMonitoring.enabled",
        "hostroot": sp,
        "group": sp,
        "logpodpath": "datadog.logs.enabled",
        "logscontainerspath": "datadog.logs.enabled",
        "logdockercontainerpath": "datadog.criSocketPath",
        "pointerdir": "datadog.logs.enabled",
        "modules": "datadog.systemProbe.enableDefaultKernelHeadersPaths",
        "src": "datadog.systemProbe.enableDefaultKernelHeadersPaths",
    }
    if volume in table:
        return table[volume]
    if volume.startswith("etc-") and volume.endswith("-release"):
        return "datadog.disableDefaultOsReleasePaths"
    if volume in ("runtime-compiler-output-dir", "kernel-headers-download-dir") or volume.endswith("-dir"):
        return "datadog.discovery.networkStats.enabled" if sp == "datadog.discovery.enabled" else sp
    return sp


def privileges(values: Mapping[str, Any], chart: NodeAgentChart, ledger: Ledger) -> Iterator[Privilege]:
    if ledger.host_pid:
        key = "datadog.dogstatsd.useHostPID" if chart.v.on("datadog.dogstatsd.useHostPID") else "datadog.useHostPID"
        if chart.compliance():
            key = "datadog.securityAgent.compliance.enabled"
        yield Privilege("hostPID", key, _source(values, key))
    if ledger.host_network:
        yield Privilege("hostNetwork", "agents.useHostNetwork", _source(values, "agents.useHostNetwork"))
    for port in ledger.host_ports:
        key = "datadog.dogstatsd.useHostPort" if port == 8125 else "datadog.apm.portEnabled"
        if port == 8126 and chart.v.on("datadog.apm.enabled"):
            key = "datadog.apm.enabled"
        yield Privilege(f"hostPort {port}", key, _source(values, key))
    user = "root (UID 0)" if not ledger.run_as_user else f"UID {ledger.run_as_user}"
    yield Privilege(f"runs as {user}", "datadog.securityContext.runAsUser", _source(values, "datadog.securityContext"))
    for grant in ledger.host_paths:
        key = _volume_key(grant.volume, values, chart)
        where = ", ".join(grant.containers) or "declared, not mounted"
        yield Privilege(f"hostPath {grant.path} {grant.mode} ({where})", key, _source(values, key))
    for container, caps in ledger.capabilities.items():
        key = system_probe_reason(values, chart) if container == "system-probe" else f"agents.containers.{container}"
        yield Privilege(f"capabilities {container}: {', '.join(caps)}", key, _source(values, key))
    extra = {
        "system-probe": system_probe_reason(values, chart),
        "seccomp-setup": "datadog.systemProbe.seccomp",
        "trace-agent": "datadog.apm.socketEnabled",
        "process-agent": "datadog.networkMonitoring.enabled",
        "security-agent": "datadog.securityAgent.runtime.enabled",
    }
    for container in ledger.containers:
        if container in extra:
            yield Privilege(f"container {container}", extra[container], _source(values, extra[container]))


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


# --- known traps ----------------------------------------------------------------------------------


def trap_findings(values: Mapping[str, Any], chart: NodeAgentChart, answers: Answers) -> list[Finding]:
    v = chart.v
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
    if chart.apm_uds() and chart.apm_host_port():
        found.append(
            Finding(
                "apm-both-transports",
                "medium",
                "datadog.apm.portEnabled",
                "APM listens on both the socket (a read-write hostPath) and host port 8126; one transport is enough",
                "datadog.apm.socketEnabled: false (keep TCP), or datadog.apm.portEnabled: false (keep the socket)",
                (("datadog.apm.socketEnabled", False),),
            )
        )
    if (
        is_set(values, "datadog.dogstatsd.useHostPID")
        and not v.on("datadog.dogstatsd.useHostPID")
        and not is_set(values, "datadog.useHostPID")
        and chart.host_pid()
    ):
        found.append(
            Finding(
                "hostpid-not-removed",
                "high" if not answers.host_pid else "low",
                "datadog.dogstatsd.useHostPID",
                "datadog.dogstatsd.useHostPID: false does not remove hostPID: the chart ORs it with "
                "datadog.useHostPID, which defaults to true",
                "datadog.useHostPID: false",
                (("datadog.dogstatsd.useHostPID", DELETE), ("datadog.useHostPID", False)),
            )
        )
    if v.on("datadog.dogstatsd.originDetection") and v.on("datadog.dogstatsd.useSocketVolume") and not chart.host_pid():
        found.append(
            Finding(
                "origin-detection-without-hostpid",
                "low",
                "datadog.dogstatsd.originDetection",
                "origin detection over the socket needs hostPID, which is off: metrics lose container tags",
                "datadog.useHostPID: true, or use UDP with client-side origin detection",
            )
        )
    if not v.on("datadog.dogstatsd.useSocketVolume") and chart.apm_uds():
        apm_dir = str(v.get("datadog.apm.socketPath")).rsplit("/", 1)[0]
        dsd_dir = str(v.get("datadog.dogstatsd.socketPath")).rsplit("/", 1)[0]
        if apm_dir == dsd_dir:
            found.append(
                Finding(
                    "apm-socket-stranded",
                    "medium",
                    "datadog.apm.socketEnabled",
                    "the APM socket shares the DogStatsD directory, which is an emptyDir here: applications "
                    "cannot reach it",
                    "datadog.apm.socketPath: /var/run/datadog-apm/apm.socket and "
                    "datadog.apm.hostSocketPath: /var/run/datadog-apm (or use TCP)",
                    (
                        ("datadog.apm.socketPath", "/var/run/datadog-apm/apm.socket"),
                        ("datadog.apm.hostSocketPath", "/var/run/datadog-apm"),
                    ),
                )
            )
    tag = str(v.get("agents.image.tag") or "")
    from tui.core.chart_model import version_at_least

    if not v.on("agents.image.doNotCheckTag") and not version_at_least(v, "7.36.0-0"):
        found.append(
            Finding(
                "agent-too-old",
                "medium",
                "agents.image.tag",
                f"agents.image.tag {tag} is older than 7.36: the chart refuses to render it (a stale copy of an "
                "old values file?)",
                f"agents.image.tag: {Answers().agent_version}",
                (("agents.image.tag", Answers().agent_version),),
            )
        )
    return found


# --- privileges the features do not need ----------------------------------------------------------


def unneeded_findings(
    values: Mapping[str, Any], chart: NodeAgentChart, ledger: Ledger, target: Ledger, answers: Answers
) -> list[Finding]:
    found: list[Finding] = []
    v = chart.v
    removed_containers = set(ledger.containers) - set(target.containers)
    if ledger.host_pid and not target.host_pid:
        changes: list[tuple[str, Any]] = [("datadog.useHostPID", False)]
        if v.on("datadog.dogstatsd.useHostPID"):
            changes.append(("datadog.dogstatsd.useHostPID", DELETE))
        src = _source(values, "datadog.useHostPID")
        found.append(
            Finding(
                "hostpid-unneeded",
                "high",
                "datadog.useHostPID",
                f"hostPID ({src}) lets the Agent see every process on the node; only DogStatsD origin detection "
                "over a Unix socket needs it, and this file does not use that",
                "datadog.useHostPID: false",
                tuple(changes),
            )
        )
    if "system-probe" in removed_containers:
        reason = system_probe_reason(values, chart)
        src = _source(values, reason)
        found.append(
            Finding(
                "system-probe-unrequested",
                "high",
                reason,
                f"system-probe runs (from {reason}, {src}) with {len(ledger.capabilities.get('system-probe', ()))} "
                "added capabilities, debugfs read-write and many hostPaths, but the file enables no "
                "system-probe feature",
                f"{reason}: false",
                ((reason, False),),
            )
        )
    if "trace-agent" in removed_containers:
        found.append(
            Finding(
                "apm-unrequested",
                "medium",
                "datadog.apm.socketEnabled",
                f"trace-agent runs because the APM socket is on ({_source(values, 'datadog.apm.socketEnabled')}), "
                "but the file asks for no APM",
                "datadog.apm.socketEnabled: false",
                (("datadog.apm.socketEnabled", False),),
            )
        )
    for port in sorted(set(ledger.host_ports) - set(target.host_ports)):
        key = "datadog.dogstatsd.useHostPort" if port == 8125 else "datadog.apm.portEnabled"
        found.append(
            Finding("hostport-unneeded", "medium", key, f"host port {port} is open on every node", f"{key}: false")
        )
    target_paths = {g.path: g for g in target.host_paths}
    for grant in ledger.host_paths:
        if grant.containers and set(grant.containers) <= removed_containers:
            continue  # goes away with its container
        if not grant.containers and grant.volume in ("apmsocket", "etc-system-release"):
            continue  # declared but never mounted: values cannot remove it (daemonset-overrides.yaml does)
        kept = target_paths.get(grant.path)
        if kept is not None and (kept.read_only or not grant.read_only):
            continue
        found.append(_host_path_finding(grant, values, chart, answers, ledger, removed_containers))
    if ledger.run_as_user in (None, 0) and answers.run_as == "root":
        found.append(
            Finding(
                "runs-as-root",
                "low",
                "datadog.securityContext",
                "every container runs as root; the Agent can run as dd-agent (UID "
                f"{answers.replace(run_as='nonroot').uid}) if the runtime socket and logs are readable by it",
                f"datadog.securityContext: {{runAsUser: {answers.replace(run_as='nonroot').uid}, runAsNonRoot: true}}",
            )
        )
    return found


def _host_path_finding(grant, values, chart, answers, ledger, removed_containers) -> Finding:
    volume = grant.volume
    where = f"hostPath {grant.path} {grant.mode}"
    if volume == "runtimesocketdir":
        field, socket = runtime_socket_setting(answers)
        key = f"datadog.{field}"
        return Finding(
            "runtime-dir-too-wide",
            "medium",
            key,
            f"{where}: no runtime socket path is set, so the chart mounts the whole host {grant.path}",
            f"{key}: {socket}",
            ((key, socket),),
        )
    if volume == "dsdsocket":
        return Finding(
            "dsd-socket-unneeded",
            "medium",
            "datadog.dogstatsd.useSocketVolume",
            f"{where}: the DogStatsD socket directory is a read-write hostPath although nothing here needs the "
            f"socket ({_source(values, 'datadog.dogstatsd.useSocketVolume')}); UDP 8125 works without it",
            "datadog.dogstatsd.useSocketVolume: false",
            (("datadog.dogstatsd.useSocketVolume", False),),
        )
    if volume == "passwd":
        return Finding(
            "passwd-unneeded",
            "low",
            "datadog.disablePasswdMount",
            f"{where}: the host's user list is mounted although no process collection or CWS reads it",
            "datadog.disablePasswdMount: true",
            (("datadog.disablePasswdMount", True),),
        )
    if volume == "logdockercontainerpath":
        socket = answers.socket_path
        return Finding(
            "docker-logs-dir",
            "low",
            "datadog.criSocketPath",
            f"{where}: mounted for logs because no criSocketPath is set",
            f"datadog.criSocketPath: {socket}",
            (("datadog.criSocketPath", socket),),
        )
    key = _volume_key(volume, values, chart)
    return Finding(
        "hostpath-unneeded",
        "medium" if not grant.read_only else "low",
        key,
        f"{where} ({', '.join(grant.containers) or 'declared only'}) is not needed by the features this file enables",
        f"see {key}",
    )
