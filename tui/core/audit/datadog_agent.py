"""Auditing a DatadogAgent resource (datadoghq.com/v2alpha1) written for the Datadog Operator.

The Operator fills in defaults that grant privileges nobody asked for (the DogStatsD and APM sockets,
APM itself, container collection, service discovery from 7.78, root for the whole pod), so the
audit reads each field together with what the Operator does when it is left unset. It reports the
privileges the resource grants, a finding with a concrete change for each one that can be dropped,
and the answers ddsecure infers, from which `--fix` writes the least-privilege DatadogAgent. The
resource is read through the Operator model (`tui.core.operator.features.OperatorAgent`); each finding is a
catalogue rule, decided here by one `when` in `CHECKS`, with the catalogue's severity and words.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from tui.core.answers.contract import Answers, layer
from tui.core.audit.catalogue import Check, Hit
from tui.core.audit.findings import PRIVILEGE_SEVERITY, AuditReport, Finding, Privilege
from tui.core.chart.defaults import SYSTEM_PROBE_CAPABILITIES
from tui.core.errors import AnswerError, InputFileError
from tui.core.operator.features import UNMODELLED_SYSTEM_PROBE, OperatorAgent
from tui.core.operator.resource import API_VERSION, KIND
from tui.core.pod.pod_security import check_se_linux_options
from tui.core.pod.privilege_catalog import capability_why
from tui.core.yamlio.dotted import is_map, lookup, misplaced_sections, section

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


_OVERRIDE = "spec.override.nodeAgent"


class HostPathOverride(NamedTuple):
    """A hostPath volume the resource adds in spec.override.nodeAgent.volumes."""

    volume: str
    path: str
    mode: str  # "ro" when every container override that mounts it mounts it readOnly
    containers: tuple[str, ...]

    @property
    def where(self) -> str:
        return ", ".join(self.containers) or "declared, mounted by no container"


# The host paths CSPM mounts read-only in security-agent (datadog-operator feature/cspm).
_CSPM_PATHS = "/ ro, /sys/fs/cgroup, /proc, /etc/passwd, /etc/group ro"
_CSPM_CAPABILITIES = ("AUDIT_CONTROL", "AUDIT_READ")
# Capabilities the Operator adds itself to a container for the features that run it (datadog-operator
# feature/cws, feature/cspm: KILL for CWS enforcement and for CSPM): an override that adds only these asks
# for nothing more.
_OPERATOR_CAPABILITIES = {
    "system-probe": frozenset(SYSTEM_PROBE_CAPABILITIES),
    "security-agent": frozenset((*_CSPM_CAPABILITIES, "KILL")),
}


def cspm_on(r: OperatorAgent) -> bool:
    return lookup(r.spec, "features.cspm.enabled") is True


def host_sbom_on(r: OperatorAgent) -> bool:
    return lookup(r.spec, "features.sbom.enabled") is True and lookup(r.spec, "features.sbom.host.enabled") is True


def container_overrides(r: OperatorAgent) -> dict[str, Mapping[str, Any]]:
    """Each container override of the node Agent that is a map, by container name."""
    containers = r.node.get("containers")
    return {str(k): v for k, v in containers.items() if is_map(v)} if is_map(containers) else {}


def _context(override: Mapping[str, Any]) -> Mapping[str, Any]:
    context = override.get("securityContext")
    return context if is_map(context) else {}


def added_capabilities(r: OperatorAgent) -> dict[str, list[str]]:
    """capabilities.add of each container override, by container name."""
    out = {}
    for name, override in container_overrides(r).items():
        add = lookup(_context(override), "capabilities.add")
        if isinstance(add, list) and add:
            out[name] = [str(cap) for cap in add]
    return out


def host_path_overrides(r: OperatorAgent) -> list[HostPathOverride]:
    volumes = r.node.get("volumes")
    out = []
    for volume in volumes if isinstance(volumes, list) else []:
        path = lookup(volume, "hostPath.path") if is_map(volume) else None
        if not isinstance(path, str):
            continue
        name = str(volume.get("name"))
        mounts = {
            container: [m for m in override.get("volumeMounts") or [] if is_map(m) and m.get("name") == name]
            for container, override in container_overrides(r).items()
        }
        mounts = {container: found for container, found in mounts.items() if found}
        read_only = bool(mounts) and all(m.get("readOnly") is True for found in mounts.values() for m in found)
        out.append(HostPathOverride(name, path, "ro" if read_only else "rw", tuple(mounts)))
    return out


def _override_pod(r: OperatorAgent) -> dict[str, Any]:
    """The security contexts the overrides set, as a pod spec the Pod Security checks read."""
    containers = [{"name": name, "securityContext": _context(o)} for name, o in container_overrides(r).items()]
    return {"securityContext": r.pod_context, "containers": containers}


def _se_linux_settings(r: OperatorAgent) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(what, key, seLinuxOptions) for the pod and each container override that sets them."""
    found = []
    if is_map(r.pod_context.get("seLinuxOptions")):
        found.append(("pod", f"{_OVERRIDE}.securityContext.seLinuxOptions", r.pod_context["seLinuxOptions"]))
    for name, override in container_overrides(r).items():
        options = _context(override).get("seLinuxOptions")
        if is_map(options):
            key = f"{_OVERRIDE}.containers.{name}.securityContext.seLinuxOptions"
            found.append((f"container {name}", key, options))
    return found


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
    if pid_key == "spec.override.nodeAgent.hostPID" and pid:
        add("hostPID", pid_key, True)
    elif pid:
        # Features are off by Operator default: the one that turns hostPID on is set in the file.
        parts = pid_key.split(".")
        feature = parts[2] if parts[-1] == "enabled" else "DogStatsD origin detection over the socket"
        out.append(Privilege("hostPID", pid_key, f"set in file ({feature}: the Operator turns hostPID on for it)"))
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
    if cspm_on(r):
        add(f"security-agent with {', '.join(_CSPM_CAPABILITIES)} (CSPM)", "spec.features.cspm.enabled", True)
        add(f"hostPath {_CSPM_PATHS} (CSPM: security-agent)", "spec.features.cspm.enabled", True)
    if host_sbom_on(r):
        add("hostPath / ro (SBOM of the host: agent)", "spec.features.sbom.host.enabled", True)
    for protocol, port, key in r.otlp_host_ports():
        add(
            f"hostPort {port}/TCP (OTLP {'gRPC' if protocol == 'grpc' else 'HTTP'})",
            key,
            lookup(r.resource, key) is True,
        )
    for name, override in container_overrides(r).items():
        key = f"{_OVERRIDE}.containers.{name}.securityContext"
        if _context(override).get("privileged") is True:
            add(f"privileged (container {name})", f"{key}.privileged", True)
    for name, caps in added_capabilities(r).items():
        add(
            f"capabilities {', '.join(caps)} (container {name})",
            f"{_OVERRIDE}.containers.{name}.securityContext.capabilities.add",
            True,
        )
    for grant in host_path_overrides(r):
        add(f"hostPath {grant.path} {grant.mode} (volume {grant.volume}: {grant.where})", f"{_OVERRIDE}.volumes", True)
    for what, key, options in _se_linux_settings(r):
        shown = ", ".join(f"{k} {v}" for k, v in options.items()) or "empty"
        add(f"SELinux {shown} ({what})", key, True)
    return out


# --- the tests each catalogue rule runs on a DatadogAgent ----------------------------------------------

# What the Operator needs hostPID for (its own rule, `tui.core.operator.features.host_pid_reason`).
_PID_NEEDED_BY = "DogStatsD origin detection over the socket, NPM, USM and CWS"


def _not_a_map(r: OperatorAgent) -> Iterator[Hit]:
    for dotted, kind in misplaced_sections(r.resource, MAP_FIELDS):
        fields = {
            "kind": kind,
            "consequence": "the Operator rejects the resource, and the audit reads it as empty",
            "structure": "the map of fields the Operator expects",
        }
        yield Hit(dotted, fields, severity="high")


def _api_key_inline(r: OperatorAgent) -> Iterator[Hit]:
    if lookup(r.spec, "global.credentials.apiKey"):
        key = "spec.global.credentials.apiKey"
        fields = {
            "where": "resource",
            "readers": "the DatadogAgents",
            "reference": "spec.global.credentials.apiSecret (remove spec.global.credentials.apiKey)",
        }
        secret = {"secretName": "datadog-secret", "keyName": "api-key"}
        if lookup(r.spec, "global.credentials.apiSecret"):  # the file names a Secret already: keep it
            yield Hit(key, fields, ((key, None),))
        else:
            yield Hit(key, fields, ((key, None), ("spec.global.credentials.apiSecret", secret)))


def _host_pid(r: OperatorAgent) -> Iterator[Hit]:
    if r.host_pid[0] and not r.host_pid_needed_by():
        key = "spec.override.nodeAgent.hostPID"
        yield Hit(key, {"source": "set in file", "needed_by": _PID_NEEDED_BY, "setting": key}, ((key, False),))


def _host_network(r: OperatorAgent) -> Iterator[Hit]:
    if r.node.get("hostNetwork") is True:
        key = "spec.override.nodeAgent.hostNetwork"
        yield Hit(key, {"source": "set in file", "setting": key}, ((key, False),))


def _cluster_agent_host_network(r: OperatorAgent) -> Iterator[Hit]:
    if lookup(r.spec, "override.clusterAgent.hostNetwork") is True:
        key = "spec.override.clusterAgent.hostNetwork"
        yield Hit(key, {"source": "set in file", "name": "the Cluster Agent", "setting": key}, ((key, False),))


def _root(r: OperatorAgent) -> Iterator[Hit]:
    if r.run_as_user:
        return
    key = "spec.override.nodeAgent.securityContext"
    uid = r.version.dd_agent_uid if r.version else 100
    explicit = "runAsUser" in r.pod_context
    forced = " (the Operator forces runAsUser 0 unless the override says otherwise)"
    # Field by field, so the rest of the pod's context (fsGroup, a seccomp profile of the file's) stays.
    context: dict[str, Any] = {"runAsUser": uid, "runAsNonRoot": True}
    if "seccompProfile" not in r.pod_context:
        context["seccompProfile"] = {"type": "RuntimeDefault"}
    fields = {"why": " (set explicitly)" if explicit else forced, "uid": uid, "setting": key}
    yield Hit(key, fields, tuple((f"{key}.{k}", v) for k, v in context.items()), "info" if explicit else "medium")


def _dsd_socket(r: OperatorAgent) -> Iterator[Hit]:
    if r.on("dsd_socket") and not r.explicit("dsd_socket") and not r.dogstatsd_off:
        key = "spec.features.dogstatsd.unixDomainSocketConfig.enabled"
        fields = {"path": "/var/run/datadog", "mode": "rw", "source": "Operator default", "setting": key}
        yield Hit(key, fields, ((key, False),))


def _apm(r: OperatorAgent) -> Iterator[Hit]:
    # Single-step instrumentation injects tracers that send to the Agent: the file asks for APM.
    instrumented = lookup(r.spec, "features.apm.instrumentation.enabled") is True
    if r.on("apm") and not r.explicit("apm") and not instrumented:
        key = "spec.features.apm.enabled"
        fields = {"cause": "the Operator turns APM on with its socket", "source": "Operator default", "setting": key}
        yield Hit(key, fields, ((key, False),))


def _service_discovery(r: OperatorAgent) -> Iterator[Hit]:
    # Only when no other feature runs system-probe: turning service discovery off would not remove it then.
    others = r.system_probe or set(UNMODELLED_SYSTEM_PROBE) & set(r.unmodelled_features())
    if r.on("service_discovery") and not r.explicit("service_discovery") and not others:
        key = "spec.features.serviceDiscovery.enabled"
        fields = {"source": "Operator default from Agent 7.78", "count": len(SYSTEM_PROBE_CAPABILITIES)}
        yield Hit(key, fields, ((key, False),))


def _default_features(r: OperatorAgent) -> Iterator[Hit]:
    for name, feature in (("containers", "liveContainerCollection"), ("process_discovery", "processDiscovery")):
        if r.on(name) and not r.explicit(name):
            key = f"spec.features.{feature}.enabled"
            yield Hit(key, {"feature": feature}, ((key, False),))


def _host_ports(r: OperatorAgent) -> Iterator[Hit]:
    ports = (
        ("dogstatsd", r.on("dsd_host_port"), 8125, "UDP", "agent, dogstatsdport"),
        ("apm", r.on("apm") and r.on("apm_host_port"), 8126, "TCP", "trace-agent, traceport"),
    )
    for feature, open_, port, protocol, owner in ports:
        if open_:
            key = f"spec.features.{feature}.hostPortConfig.enabled"
            yield Hit(key, {"port": port, "protocol": protocol, "owner": owner}, ((key, False),))
    for name, port, key in r.otlp_host_ports():
        if lookup(r.resource, key) is True:  # the file asks for the host port itself
            yield Hit(key, {"port": port, "protocol": "TCP", "owner": f"agent, otlp {name}"})


def _otlp_host_ports(r: OperatorAgent) -> Iterator[Hit]:
    """An OTLP receiver's host port, open only because the Operator defaults it on."""
    for name, port, key in r.otlp_host_ports():
        if lookup(r.resource, key) is None:
            fields = {
                "port": port,
                "protocol": "TCP",
                "owner": f"agent, otlp {name} (Operator default)",
                "cost": "applications send OTLP to the Agent's Service instead of the node IP",
                "fix": f"{key}: false",
            }
            yield Hit(key, fields, ((key, False),))


def _feature_host_root(r: OperatorAgent) -> Iterator[Hit]:
    """The host's / that CSPM and the host SBOM mount read-only: named, as the feature's cost."""
    if cspm_on(r):
        fields = {"mode": "ro", "where": "security-agent", "because": "CSPM (spec.features.cspm.enabled)"}
        yield Hit("spec.features.cspm.enabled", fields, severity=PRIVILEGE_SEVERITY["requested"])
    if host_sbom_on(r):
        fields = {"mode": "ro", "where": "agent", "because": "the host SBOM (spec.features.sbom.host.enabled)"}
        yield Hit("spec.features.sbom.host.enabled", fields, severity=PRIVILEGE_SEVERITY["requested"])


def _container_hardening(r: OperatorAgent) -> Iterator[Hit]:
    # Each field set on its own, so this fix keeps whatever else the context holds (and other fixes to it).
    wanted: dict[str, Any] = {"allowPrivilegeEscalation": False}
    if r.run_as_user:
        wanted["capabilities.drop"] = ["ALL"]
    for name in r.overridden_containers():
        key = f"spec.override.nodeAgent.containers.{name}.securityContext"
        context = lookup(r.node, f"containers.{name}.securityContext", {}) or {}
        missing = {k: v for k, v in wanted.items() if lookup(context, k) != v}
        if missing:
            fields = {
                "container": name,
                "missing": " and ".join(missing),
                "wanted": ", ".join(f"{k}: {json.dumps(v)}" for k, v in wanted.items()),
            }
            yield Hit(key, fields, tuple((f"{key}.{k}", v) for k, v in missing.items()))


def _privileged(r: OperatorAgent) -> Iterator[Hit]:
    for name, override in container_overrides(r).items():
        if _context(override).get("privileged") is True:
            key = f"{_OVERRIDE}.containers.{name}.securityContext.privileged"
            yield Hit(key, {"container": name, "setting": key}, ((key, False),))


def _operator_capabilities(r: OperatorAgent, container: str) -> frozenset[str]:
    """What the Operator adds to this container itself for the features the resource sets (as far as the
    model knows; nothing when no such feature runs the container)."""
    if container == "system-probe" and (r.system_probe or r.on("service_discovery")):
        return _OPERATOR_CAPABILITIES[container] | ({"KILL"} if r.on("cws") else set())
    if container == "security-agent" and (r.on("cws") or cspm_on(r)):
        return _OPERATOR_CAPABILITIES[container]
    return frozenset()


def _capabilities(r: OperatorAgent) -> Iterator[Hit]:
    if cspm_on(r):
        named = ", ".join(f"{cap} ({capability_why(cap)})" for cap in _CSPM_CAPABILITIES)
        fields = {"container": "security-agent", "count": 2, "caps": named, "fix": ""}
        reason = "needed by CSPM, which this file enables"
        yield Hit("spec.features.cspm.enabled", {**fields, "reason": reason}, severity=PRIVILEGE_SEVERITY["requested"])
    for name, caps in added_capabilities(r).items():
        key = f"{_OVERRIDE}.containers.{name}.securityContext.capabilities"
        own = _operator_capabilities(r, name)
        extra = [cap for cap in caps if cap not in own]
        fields = {
            "container": name,
            "count": len(caps),
            "caps": ", ".join(f"{cap} ({capability_why(cap)})" for cap in caps),
        }
        if not extra:
            continue  # the Operator's own set for a feature the file enables: its system-probe row names it
        kept = [cap for cap in caps if cap not in extra]
        reason = f"{', '.join(extra)} added by the override; the Operator adds what its features need itself"
        fix = f"remove {', '.join(extra)} from {key}.add"
        yield Hit(key, {**fields, "reason": reason, "fix": fix}, ((f"{key}.add", kept or None),))


def _host_paths(r: OperatorAgent, root: bool) -> Iterator[HostPathOverride]:
    return (grant for grant in host_path_overrides(r) if (grant.path == "/") is root)


def _host_root(r: OperatorAgent) -> Iterator[Hit]:
    yield from _feature_host_root(r)
    for grant in _host_paths(r, root=True):
        because = f"{_OVERRIDE}.volumes {grant.volume}"
        yield Hit(f"{_OVERRIDE}.volumes", {"mode": grant.mode, "where": grant.where, "because": because})


def _custom_host_paths(r: OperatorAgent) -> Iterator[Hit]:
    for grant in _host_paths(r, root=False):
        fields = {
            "path": grant.path,
            "mode": grant.mode,
            "volume": grant.volume,
            "where": grant.where,
            "setting": f"{_OVERRIDE}.volumes",
            "mounts": f"the volumeMounts of {_OVERRIDE}.containers",
            "features": "the Operator's features",
        }
        severity = PRIVILEGE_SEVERITY["hostPath rw" if grant.mode == "rw" else "hostPath ro"]
        yield Hit(f"{_OVERRIDE}.volumes", fields, severity=severity)


def _se_linux(r: OperatorAgent) -> Iterator[Hit]:
    result = check_se_linux_options(_override_pod(r), {})
    if result.allowed:
        return
    keys = [key for _, key, _ in _se_linux_settings(r)]
    fields = {
        "level": result.level,
        "check": result.check_id,
        "reason": result.reason,
        "detail": f" ({result.detail})" if result.detail else "",
        "fix": "remove " + " and ".join(keys) + " (the Operator sets no SELinux options itself)",
        "cost": "on a node whose SELinux policy confines containers, what the Agent could read only as spc_t "
        "(the runtime socket, host logs)",
    }
    yield Hit(keys[0] if keys else f"{_OVERRIDE}.securityContext", fields, tuple((key, None) for key in keys))


CHECKS: tuple[Check[OperatorAgent], ...] = (
    Check("wrong-type", _not_a_map),
    Check("plaintext-secret", _api_key_inline),
    Check("hostpid-unneeded", _host_pid),
    Check("host-network", _host_network),
    Check("cluster-agent-host-network", _cluster_agent_host_network),
    Check("runs-as-root", _root),
    Check("dsd-socket-unneeded", _dsd_socket),
    Check("apm-unrequested", _apm),
    Check("system-probe-unrequested", _service_discovery),
    Check("operator-default-feature", _default_features),
    Check("host-port", _host_ports),
    Check("hostport-unneeded", _otlp_host_ports),
    Check("operator-container-hardening", _container_hardening),
    Check("privileged-container", _privileged),
    Check("capabilities-added", _capabilities),
    Check("host-root", _host_root),
    Check("custom-host-path", _custom_host_paths),
    Check("pss-seLinuxOptions", _se_linux),
)


def findings(resource: Mapping[str, Any]) -> list[Finding]:
    """Each catalogue rule that fires on this resource, read with the Operator's defaults."""
    agent = OperatorAgent(resource)
    return [finding for check in CHECKS for finding in check.findings(agent)]


def audit_datadog_agent(resource: Mapping[str, Any], path: str) -> AuditReport:
    version = resource.get("apiVersion")
    if version != API_VERSION:
        # v1alpha1 puts the same settings elsewhere (spec.agent, spec.credentials): read as v2alpha1, every
        # one of them would be missed and the Operator's defaults reported in their place.
        raise InputFileError(
            f"{path}: a {version} DatadogAgent: ddsecure reads {API_VERSION}, the only version the Datadog "
            f"Operator's DatadogAgent CRD serves; convert the resource to {API_VERSION} and audit that"
        )
    answers, notes = infer_answers(resource)
    report = AuditReport(path=path, kind="datadog-agent")
    report.findings = findings(resource)
    report.privileges = privileges(resource)
    report.answers = answers.as_dict()
    report.answer_notes = notes
    report.unmodelled = [
        {"key": f"spec.features.{name}", "why": f"not modelled: {why}"}
        for name, why in OperatorAgent(resource).unmodelled_features().items()
    ]
    from tui.core.deployment import Deployment
    from tui.core.output.operator import privileges_section

    least = privileges_section(Deployment.of(answers).operator)
    report.ledger = {"leastPrivilegeForInferredAnswers": least}
    return report
