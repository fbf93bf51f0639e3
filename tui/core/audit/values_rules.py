"""The values-file audit's tests: one `when` per catalogue id, like the Pod Security checks.

A rule here is a catalogue id and `when`, which yields one `Hit` per occurrence in the file; the
severity and the message, fix and cost texts are the catalogue entry's (`catalogue.py`), formatted
with the hit's fields. A new chart feature is one catalogue entry with its fixtures
(`tests/rule_fixtures.py`) and one `Rule` here. Each rule's `changes` only take privileges away.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from tui.core.answers.contract import Answers
from tui.core.audit.catalogue import CATALOGUE, Hit
from tui.core.audit.catalogue import Rule as CatalogueRule
from tui.core.audit.findings import DELETE, PRIVILEGE_SEVERITY, Finding
from tui.core.chart.defaults import HOST_PROFILER_CAPABILITIES, SYSTEM_PROBE_CAPABILITIES
from tui.core.chart.infer import explicit, is_set
from tui.core.chart.model import (
    HOST_PID_TRIGGERS,
    HOST_ROOT_TRIGGERS,
    SYSTEM_PROBE_TRIGGERS,
    NodeAgentChart,
    Trigger,
    container_causes,
    volume_causes,
)
from tui.core.chart.values import runtime_socket_setting
from tui.core.pod.ledger import HostPathGrant, Ledger
from tui.core.pod.privilege_catalog import capability_why
from tui.core.pod.spec import host_ports
from tui.core.yamlio.dotted import is_map
from tui.core.yamlio.helm import Duplicate

if TYPE_CHECKING:
    from tui.core.deployment import ValuesDeployment

# pod container name -> its block under agents.containers
CONTAINER_KEYS = {
    "agent": "agent",
    "trace-agent": "traceAgent",
    "process-agent": "processAgent",
    "system-probe": "systemProbe",
    "security-agent": "securityAgent",
    "otel-agent": "otelAgent",
    "host-profiler": "hostProfiler",
    "agent-data-plane": "agentDataPlane",
    "init-volume": "initContainers",
    "init-config": "initContainers",
    "seccomp-setup": "initContainers",
    "host-profiler-seccomp-setup": "initContainers",
}

# Volumes a feature needs, by the key that turns the feature on: when the file sets the key, its
# volumes are wanted even though ddsecure's generator does not build that feature.
FEATURE_VOLUMES: dict[str, tuple[str, ...]] = {
    "datadog.sbom.containerImage.enabled": ("host-containerd-dir", "host-docker-dir", "host-crio-dir"),
    "datadog.sbom.host.enabled": (
        "host-apk-dir",
        "host-dpkg-dir",
        "host-rpm-dir",
        "os-release-file",
        "etc-redhat-release",
        "etc-fedora-release",
        "etc-lsb-release",
        "etc-system-release",
    ),
    "datadog.gpuMonitoring.enabled": ("pod-resources-socket", "gpu-devices", "host-systemd-transient", "hostroot"),
    "datadog.hostProfiler.enabled": ("tracingfs", "host-profiler-seccomp-root"),
    "datadog.otelCollector.logs.enabled": ("logpodpath", "logscontainerspath", "logdockercontainerpath"),
    "datadog.kubelet.hostCAPath": ("kubelet-ca",),
    "datadog.systemProbe.btfPath": ("btf-path",),
    "datadog.securityAgent.compliance.enabled": ("hostroot", "group", "passwd"),
}


# Capabilities the chart itself adds to each container for the features that use it.
def _chart_capabilities(chart: NodeAgentChart) -> dict[str, set[str]]:
    v = chart.v
    return {
        "system-probe": set(SYSTEM_PROBE_CAPABILITIES) | {"MKNOD", "KILL"},
        "security-agent": {"AUDIT_CONTROL", "AUDIT_READ"},
        "agent": ({"SYS_ADMIN"} if chart.sbom_images() else set())
        | ({"MKNOD"} if v.on("datadog.gpuMonitoring.enabled") else set()),
        "host-profiler": set(HOST_PROFILER_CAPABILITIES),
    }


class Context:
    """Everything a rule may read about one values file: a view of the file's deployment."""

    def __init__(self, deployment: "ValuesDeployment", duplicates: tuple[Duplicate, ...] = ()):
        self.deployment = deployment
        self.raw: Mapping[str, Any] = deployment.given  # the file as written
        self.values: Mapping[str, Any] = deployment.modelled  # the file with wrongly shaped blocks dropped
        self.chart: NodeAgentChart = deployment.chart
        self.pod: Mapping[str, Any] = deployment.values_pod
        self.ledger: Ledger = deployment.values_ledger
        self.target: Ledger = deployment.target_ledger  # the least-privilege ledger for the same answers
        self.answers: Answers = deployment.answers
        # containers the least-privilege bundle drops
        self.removed: set[str] = set(self.ledger.containers) - set(self.target.containers)
        self.duplicates = duplicates  # keys written twice: helm reads the last, ignores the others

    def asked(self, key: str) -> bool:
        """The file turns this on itself (not a chart default)."""
        return explicit(self.values, key)

    def source(self, key: str) -> str:
        if not key or " " in key:
            return "chart"
        if not is_set(self.values, key):
            return "chart default"
        return "set in file" if explicit(self.values, key) else "set in file (= chart default)"

    def asked_triggers(self, triggers: tuple[Trigger, ...]) -> list[Trigger]:
        return [t for t in self.chart.active(triggers) if self.asked(t.key)]

    def requested_containers(self) -> set[str]:
        wanted = set(self.target.containers) | {"agent"}
        if self.asked_triggers(SYSTEM_PROBE_TRIGGERS):
            wanted |= {"system-probe", "seccomp-setup"}
        if self.asked("datadog.securityAgent.compliance.enabled") or self.asked(
            "datadog.securityAgent.runtime.enabled"
        ):
            wanted.add("security-agent")
        if self.asked("datadog.hostProfiler.enabled"):
            wanted |= {"host-profiler", "host-profiler-seccomp-setup"}
        if self.asked("datadog.otelCollector.enabled"):
            wanted.add("otel-agent")
        if self.asked("datadog.dataPlane.enabled"):
            wanted.add("agent-data-plane")
        return wanted

    def requested_volume(self, grant: HostPathGrant) -> bool:
        if any(grant.volume in volumes and self.asked(key) for key, volumes in FEATURE_VOLUMES.items()):
            return True
        ebpf_only = set(grant.containers) <= {"system-probe", "seccomp-setup"}
        return bool(grant.containers) and ebpf_only and bool(self.asked_triggers(SYSTEM_PROBE_TRIGGERS))

    def custom_volumes(self) -> set[str]:
        return {str(v.get("name")) for v in self.chart.v.get("agents.volumes") or [] if is_map(v)}


class Rule(NamedTuple):
    """A catalogue entry's test on a values file: `when` yields one `Hit` per occurrence, and the
    entry (`catalogue.CATALOGUE[id]`) gives the severity and the texts."""

    id: str
    when: Callable[[Context], Iterable[Hit]]

    @property
    def entry(self) -> CatalogueRule:
        return CATALOGUE[self.id]

    @property
    def severity(self) -> str:
        return self.entry.severity

    def findings(self, context: Context) -> list[Finding]:
        entry = self.entry
        return [entry.finding(hit.key, hit.fields, hit.changes, hit.severity) for hit in self.when(context)]


# --- the tests each rule runs -----------------------------------------------------------------------


def _privileged(c: Context) -> Iterator[Hit]:
    for container in [*c.pod.get("initContainers", []), *c.pod.get("containers", [])]:
        context = container.get("securityContext") or {}
        if context.get("privileged") is True:
            block = CONTAINER_KEYS.get(str(container["name"]), str(container["name"]))
            key = f"agents.containers.{block}.securityContext.privileged"
            yield Hit(key, {"container": container["name"], "setting": key}, ((key, False),))


def _host_network(c: Context) -> Iterator[Hit]:
    if c.ledger.host_network:
        key = "agents.useHostNetwork"
        yield Hit(key, {"source": c.source(key), "setting": key}, ((key, False),))


def _pid_forcing(c: Context) -> list[Trigger]:
    """Features that turn hostPID on whatever datadog.useHostPID says."""
    switches = {"datadog.useHostPID", "datadog.dogstatsd.useHostPID"}
    return [t for t in c.chart.active(HOST_PID_TRIGGERS) if t.key not in switches]


def pid_needed_by() -> str:
    return "; ".join(f"{t.brings} ({t.key})" for t in HOST_PID_TRIGGERS if t.key != "datadog.useHostPID")


def _hostpid_unneeded(c: Context) -> Iterator[Hit]:
    if not c.ledger.host_pid or c.target.host_pid or _pid_forcing(c):
        return
    changes: list[tuple[str, Any]] = [("datadog.useHostPID", False)]
    if c.chart.v.on("datadog.dogstatsd.useHostPID"):
        changes.append(("datadog.dogstatsd.useHostPID", DELETE))
    fields = {"source": c.source("datadog.useHostPID"), "needed_by": pid_needed_by(), "setting": "datadog.useHostPID"}
    yield Hit("datadog.useHostPID", fields, tuple(changes))


def _hostpid_needed(c: Context) -> Iterator[Hit]:
    if not c.ledger.host_pid:
        return
    forcing = _pid_forcing(c)
    if forcing:
        because = "; ".join(f"{t.brings} ({t.key}, {c.source(t.key)})" for t in forcing)
        yield Hit(forcing[0].key, {"because": because, "tail": "datadog.useHostPID: false cannot remove it"})
    elif c.target.host_pid:
        because = "DogStatsD origin detection over the socket (datadog.dogstatsd.originDetection)"
        yield Hit("datadog.useHostPID", {"because": because, "tail": "it is the only feature here that needs it"})


def _hostpid_not_removed(c: Context) -> Iterator[Hit]:
    v = c.chart.v
    if (
        is_set(c.values, "datadog.dogstatsd.useHostPID")
        and not v.on("datadog.dogstatsd.useHostPID")
        and not is_set(c.values, "datadog.useHostPID")
        and c.chart.host_pid()
        and not _pid_forcing(c)
    ):
        yield Hit(
            "datadog.dogstatsd.useHostPID",
            changes=(("datadog.dogstatsd.useHostPID", DELETE), ("datadog.useHostPID", False)),
            severity="high" if not c.answers.host_pid else "low",
        )


def _origin_without_hostpid(c: Context) -> Iterator[Hit]:
    v = c.chart.v
    if (
        v.on("datadog.dogstatsd.originDetection")
        and v.on("datadog.dogstatsd.useSocketVolume")
        and not c.chart.host_pid()
    ):
        yield Hit("datadog.dogstatsd.originDetection")


# Host ports: (container, port name) -> the key that opens it and the edit that closes it.
def _port_owner(c: Context, container: str, name: str, port: int) -> tuple[str, tuple[tuple[str, Any], ...], str]:
    v = c.chart.v
    if name == "dogstatsdport":
        return (
            "datadog.dogstatsd.useHostPort",
            (("datadog.dogstatsd.useHostPort", False),),
            "send to the node-local Service or the socket",
        )
    if name == "traceport":
        key = (
            "datadog.apm.enabled"
            if v.on("datadog.apm.enabled") and not v.on("datadog.apm.portEnabled")
            else "datadog.apm.portEnabled"
        )
        edits = (("datadog.apm.portEnabled", False), ("datadog.apm.enabled", False))
        return key, tuple((k, val) for k, val in edits if v.on(k)), "send traces to the socket or the local Service"
    for proto, port_name in (("grpc", "otlpgrpcport"), ("http", "otlphttpport")):
        if name == port_name:
            key = f"datadog.otlp.receiver.protocols.{proto}.useHostPort"
            return key, ((key, False),), "applications send OTLP to the Agent's Service instead of the node IP"
    if container == "otel-agent" and any(
        is_map(p) and p.get("name") == name for p in v.get("datadog.otelCollector.ports") or []
    ):
        return "datadog.otelCollector.ports", (), "applications send to the collector's Service instead of the node IP"
    return (
        f"agents.containers.{CONTAINER_KEYS.get(container, container)}.ports",
        (),
        "whatever listens there is reachable only inside the cluster",
    )


def port_key(c: Context, container: str, name: str, port: int) -> str:
    return _port_owner(c, container, name, port)[0]


def _hostport_unneeded(c: Context) -> Iterator[Hit]:
    for container, name, number, protocol in host_ports(c.pod):
        if number in c.target.host_ports or (name == "traceport" and c.chart.apm_uds()):
            continue  # kept, or apm-both-transports decides which APM transport goes
        key, changes, cost = _port_owner(c, container, name, number)
        # a switch turns the port off; a port the file lists itself loses only its hostPort (the chart
        # fails on a list that is not one)
        fix = f"{key}: false" if changes else f"remove hostPort from the {name} entry of {key}"
        fields = {"port": number, "protocol": protocol, "owner": f"{container}, {name}", "cost": cost, "fix": fix}
        yield Hit(key, fields, changes)


def _hostport_kept(c: Context) -> Iterator[Hit]:
    for container, name, number, protocol in host_ports(c.pod):
        if number in c.target.host_ports:
            key, _, _ = _port_owner(c, container, name, number)
            yield Hit(key, {"port": number, "protocol": protocol, "owner": f"{container}, {name}"})


def _capabilities(c: Context) -> Iterator[Hit]:
    chart_caps = _chart_capabilities(c.chart)
    wanted = c.requested_containers()
    for container, caps in c.ledger.capabilities.items():
        key = f"agents.containers.{CONTAINER_KEYS.get(container, container)}.securityContext.capabilities"
        named = ", ".join(f"{cap} ({capability_why(cap)})" for cap in caps)
        extra = [cap for cap in caps if cap not in chart_caps.get(container, set())]
        fields = {"container": container, "caps": named, "count": len(caps)}
        if extra:
            kept = [cap for cap in caps if cap not in extra]
            reason = f"{', '.join(extra)} beyond what the chart adds for its features"
            fix = f"remove {', '.join(extra)} from {key}.add"
            yield Hit(key, {**fields, "reason": reason, "fix": fix}, ((f"{key}.add", kept),))
            continue
        # the chart's own capabilities: point at the feature that runs the container (the key to change)
        cause = cause_key(container_causes(c.chart, container), c) or key
        if container in wanted:
            reason = "needed by the features this file enables"
            yield Hit(cause, {**fields, "reason": reason, "fix": ""}, severity=PRIVILEGE_SEVERITY["requested"])
        else:
            reason, fix = (
                "for a container nothing in this file asks for",
                f"turn off the feature that runs it ({cause})",
            )
            yield Hit(cause, {**fields, "reason": reason, "fix": fix})


def _host_root(c: Context) -> Iterator[Hit]:
    for grant in c.ledger.host_paths:
        if grant.path != "/":
            continue
        asked = c.asked_triggers(HOST_ROOT_TRIGGERS)
        if grant.volume == "hostroot" and grant.read_only and asked:
            because = "; ".join(f"{t.brings} ({t.key})" for t in asked)
            yield Hit(asked[0].key, {"mode": grant.mode, "where": _where(grant), "because": because}, severity="info")
        elif grant.volume == "hostroot":
            active = c.chart.active(HOST_ROOT_TRIGGERS)
            key = active[0].key if active else "datadog.securityAgent.runtime.enabled"
            yield Hit(key, {"mode": grant.mode, "where": _where(grant), "because": f"{key} ({c.source(key)})"})
        else:
            yield Hit(
                "agents.volumes",
                {"mode": grant.mode, "where": _where(grant), "because": f"agents.volumes {grant.volume}"},
            )


def _custom_host_paths(c: Context) -> Iterator[Hit]:
    custom = c.custom_volumes()
    for grant in c.ledger.host_paths:
        if grant.volume in custom and grant.path != "/":
            fields = {"setting": "agents.volumes", "mounts": "agents.volumeMounts", "features": "the chart's features"}
            yield Hit(
                "agents.volumes",
                {"path": grant.path, "mode": grant.mode, "volume": grant.volume, "where": _where(grant), **fields},
                severity=PRIVILEGE_SEVERITY["hostPath rw"]
                if not grant.read_only
                else PRIVILEGE_SEVERITY["hostPath ro"],
            )


def _rw_kept(c: Context) -> Iterator[Hit]:
    """Read-write hostPaths that the file's features need: named, with what they are for."""
    unneeded = {g.path for g in _unneeded_grants(c)}
    custom = c.custom_volumes()
    for grant in c.ledger.host_paths:
        if grant.read_only or grant.path in unneeded or grant.volume in custom or grant.path == "/":
            continue
        if grant.containers and set(grant.containers) <= c.removed:
            continue  # its container is flagged as unrequested
        key = cause_key(volume_causes(c.chart, grant.volume), c) or volume_key(grant.volume, c)
        yield Hit(key, {"path": grant.path, "where": _where(grant), "because": grant.because})


def _where(grant: HostPathGrant) -> str:
    return ", ".join(grant.containers) or "declared, mounted by no container"


def _ebpf_features(c: Context) -> Iterator[Hit]:
    if "system-probe" not in c.ledger.containers:
        return
    caps = ", ".join(c.ledger.capabilities.get("system-probe", ())) or "none"
    paths = ", ".join(
        f"{g.path} {g.mode}" for g in c.ledger.host_paths if set(g.containers) & {"system-probe", "seccomp-setup"}
    )
    seccomp = (
        "the seccomp-setup init container writes its profile to the node's kubelet seccomp directory; "
        if "seccomp-setup" in c.ledger.containers
        else ""
    )
    for trigger in c.asked_triggers(SYSTEM_PROBE_TRIGGERS):
        yield Hit(trigger.key, {"brings": trigger.brings, "caps": caps, "seccomp": seccomp, "paths": paths})


def _system_probe_unrequested(c: Context) -> Iterator[Hit]:
    if "system-probe" not in c.removed or c.asked_triggers(SYSTEM_PROBE_TRIGGERS):
        return
    active = c.chart.active(SYSTEM_PROBE_TRIGGERS)
    key = active[0].key if active else "datadog.discovery.enabled"
    count = len(c.ledger.capabilities.get("system-probe", ()))
    yield Hit(key, {"source": c.source(key), "count": count}, ((key, False),))


def _apm_unrequested(c: Context) -> Iterator[Hit]:
    if "trace-agent" in c.removed:
        key = "datadog.apm.socketEnabled"
        yield Hit(key, {"cause": "the APM socket is on", "source": c.source(key), "setting": key}, ((key, False),))


def _unneeded_grants(c: Context) -> Iterator[HostPathGrant]:
    """hostPaths the least-privilege bundle for the same features does without (or mounts read-only)."""
    target = {g.path: g for g in c.target.host_paths}
    custom = c.custom_volumes()
    for grant in c.ledger.host_paths:
        if grant.containers and set(grant.containers) <= c.removed:
            continue  # goes away with its container
        if not grant.containers and grant.volume in ("apmsocket", "etc-system-release"):
            continue  # declared but never mounted: values cannot remove it (daemonset-overrides.yaml does)
        if grant.volume in custom or grant.path == "/" or c.requested_volume(grant):
            continue  # named by custom-host-path / host-root, or wanted by a feature the file asks for
        kept = target.get(grant.path)
        if kept is not None and (kept.read_only or not grant.read_only):
            continue
        yield grant


def _volume_rule(*volumes: str) -> Callable[[Context], Iterator[HostPathGrant]]:
    return lambda c: (g for g in _unneeded_grants(c) if g.volume in volumes)


def _runtime_dir(c: Context) -> Iterator[Hit]:
    v = c.chart.v
    if v.get("datadog.dockerSocketPath") or v.get("datadog.criSocketPath"):
        return  # a socket path is set: the directory mounted is the runtime's own
    for grant in _volume_rule("runtimesocketdir")(c):
        setting, socket = runtime_socket_setting(c.answers)
        key = f"datadog.{setting}"
        yield Hit(key, {"path": grant.path, "mode": grant.mode, "socket": socket}, ((key, socket),))


def _dsd_socket(c: Context) -> Iterator[Hit]:
    for grant in _volume_rule("dsdsocket")(c):
        key = "datadog.dogstatsd.useSocketVolume"
        fields = {"path": grant.path, "mode": grant.mode, "source": c.source(key), "setting": key}
        yield Hit(key, fields, ((key, False),))


def _passwd(c: Context) -> Iterator[Hit]:
    for grant in _volume_rule("passwd")(c):
        yield Hit(
            "datadog.disablePasswdMount",
            {"path": grant.path, "mode": grant.mode},
            (("datadog.disablePasswdMount", True),),
        )


def _docker_logs(c: Context) -> Iterator[Hit]:
    for grant in _volume_rule("logdockercontainerpath")(c):
        socket = c.answers.socket_path
        yield Hit(
            "datadog.criSocketPath",
            {"path": grant.path, "mode": grant.mode, "socket": socket},
            (("datadog.criSocketPath", socket),),
        )


_SPECIFIC = ("runtimesocketdir", "dsdsocket", "passwd", "logdockercontainerpath")


def _other_paths(c: Context) -> Iterator[Hit]:
    for grant in _unneeded_grants(c):
        if grant.volume in _SPECIFIC:
            continue
        key = volume_key(grant.volume, c)
        yield Hit(
            key,
            {"path": grant.path, "mode": grant.mode, "where": _where(grant)},
            severity=PRIVILEGE_SEVERITY["hostPath rw"] if not grant.read_only else PRIVILEGE_SEVERITY["hostPath ro"],
        )


def volume_key(volume: str, c: Context) -> str:
    """The key responsible for a chart volume (used to point a finding at the file)."""
    for key, volumes in FEATURE_VOLUMES.items():
        if volume in volumes and c.chart.v.on(key):
            return key
    table = {
        "os-release-file": "datadog.osReleasePath",
        "apmsocket": "datadog.apm.socketEnabled",
        "seccomp-root": "datadog.systemProbe.seccomp",
        "bpffs": "datadog.networkMonitoring.enabled",
        "logpodpath": "datadog.logs.enabled",
        "logscontainerspath": "datadog.logs.enabled",
        "pointerdir": "datadog.logs.enabled",
        "modules": "datadog.systemProbe.enableDefaultKernelHeadersPaths",
        "src": "datadog.systemProbe.enableDefaultKernelHeadersPaths",
    }
    if volume in table:
        return table[volume]
    if volume.startswith("etc-") and volume.endswith("-release"):
        return "datadog.disableDefaultOsReleasePaths"
    return cause_key(volume_causes(c.chart, volume), c) or "datadog.discovery.enabled"


def cause_key(keys: list[str], c: Context) -> str:
    """The cause to point at: the first the file sets, else the first ("" when none)."""
    return next((k for k in keys if is_set(c.values, k)), keys[0] if keys else "")


def _bundled_operator(c: Context) -> Iterator[Hit]:
    key = "datadog.operator.enabled"
    if c.chart.v.on(key):
        rbac = "its RBAC is not in this audit's cluster grants"
        yield Hit(key, {"source": c.source(key), "rbac": rbac}, ((key, False),))


def _runs_as_root(c: Context) -> Iterator[Hit]:
    if c.ledger.run_as_user in (None, 0) and c.answers.run_as == "root":
        uid = c.answers.replace(run_as="nonroot").uid
        yield Hit("datadog.securityContext", {"uid": uid, "why": "", "setting": "datadog.securityContext"})


def _apm_both(c: Context) -> Iterator[Hit]:
    if c.chart.apm_uds() and c.chart.apm_host_port():
        yield Hit("datadog.apm.portEnabled", changes=(("datadog.apm.socketEnabled", False),))


def _apm_stranded(c: Context) -> Iterator[Hit]:
    v = c.chart.v
    if v.on("datadog.dogstatsd.useSocketVolume") or not c.chart.apm_uds():
        return
    apm_dir = str(v.get("datadog.apm.socketPath")).rsplit("/", 1)[0]
    dsd_dir = str(v.get("datadog.dogstatsd.socketPath")).rsplit("/", 1)[0]
    if apm_dir == dsd_dir:
        yield Hit("datadog.apm.socketEnabled", changes=(("datadog.apm.socketEnabled", False),))


def _agent_too_old(c: Context) -> Iterator[Hit]:
    refusal = c.deployment.refusal
    if refusal.startswith("agents.image.tag"):
        tag = str(c.chart.v.get("agents.image.tag") or "")
        yield Hit("agents.image.tag", {"tag": tag})


def _chart_refuses(c: Context) -> Iterator[Hit]:
    refusal = c.deployment.refusal
    if refusal and not refusal.startswith("agents.image.tag"):
        yield Hit(refusal.split(" ", 1)[0], {"refusal": refusal})


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return repr(value) if isinstance(value, (str, list, Mapping)) else str(value)


def _held(duplicate: Duplicate, values: Mapping[str, Any]) -> str:
    """What the ignored block would have set, leaf by leaf where it differs from what helm reads."""
    from tui.core.yamlio.dotted import lookup

    key = ".".join(duplicate.path)
    stack: list[tuple[str, Any]] = [(key, duplicate.held)]
    leaves: list[str] = []
    while stack:
        dotted, value = stack.pop(0)
        if is_map(value) and value:
            stack[:0] = [(f"{dotted}.{k}", v) for k, v in value.items()]
            continue
        read = lookup(values, dotted, _ABSENT)
        if read != value or type(read) is not type(value):
            leaves.append(f"{dotted}: {_shown(value)}")
    if not leaves:
        return "nothing helm does not read from the kept block"
    return ", ".join(leaves[:6]) + (f" and {len(leaves) - 6} more" if len(leaves) > 6 else "")


_ABSENT = object()


# What a string seems to say: the spellings YAML 1.1 or 1.2 would read as a boolean, were it not quoted.
_SEEMS = {w: True for w in ("true", "yes", "on", "y")} | {w: False for w in ("false", "no", "off", "n")}


def _string_booleans(c: Context) -> Iterator[Hit]:
    """A switch written as a string: named only where the chart's reading of it differs from what it says."""
    from tui.core.chart.keys import chart_keys
    from tui.core.chart.model import KEY_READINGS, reading_of

    keys = chart_keys()
    stack: list[tuple[str, Any]] = [(str(k), v) for k, v in c.raw.items()]
    while stack:
        dotted, value = stack.pop(0)
        if is_map(value):
            if keys.known(dotted) and not keys.is_open(dotted):
                stack[:0] = [(f"{dotted}.{k}", v) for k, v in value.items()]
            continue
        if not isinstance(value, str) or (keys.kind(dotted) != "bool" and dotted not in KEY_READINGS):
            continue
        seems = _SEEMS.get(value.strip().lower())
        reading = reading_of(dotted)
        refused = c.deployment.refusal.startswith(f"{dotted} ")  # the chart's schema types it
        if seems is None or (reading.on(value) == seems and not refused):
            continue
        does = "ON" if reading.on(value) else "OFF"
        effect = (
            "the chart's schema wants a boolean, so helm refuses the file"
            if refused
            else f"the chart reads it with `{reading.where}`, so helm turns it {does} although it says "
            + ("true" if seems else "false")
        )
        fields = {"value": value, "effect": effect, "seems": "true" if seems else "false"}
        yield Hit(dotted, fields, ((dotted, seems),))


def _duplicates(c: Context) -> Iterator[Hit]:
    for duplicate in c.duplicates:
        first, last = duplicate.ignored
        lines = f"line {first}" if first == last else f"lines {first}-{last}"
        fields = {"lines": lines, "kept": duplicate.kept, "held": _held(duplicate, c.raw)}
        yield Hit(".".join(duplicate.path), fields)


def _pod_refused(c: Context) -> Iterator[Hit]:
    from tui.core.audit.refused_pods import first_violation

    problem = first_violation(c.deployment)
    if problem:
        tail = ": nothing of this file would run (--fix and generate --base refuse it)"
        yield Hit("agents" if "node-Agent" in problem else "clusterAgent", {"problem": problem, "tail": tail})


RULES: tuple[Rule, ...] = (
    Rule("string-boolean", _string_booleans),
    Rule("duplicate-key", _duplicates),
    Rule("privileged-container", _privileged),
    Rule("host-network", _host_network),
    Rule("hostpid-unneeded", _hostpid_unneeded),
    Rule("hostpid-needed", _hostpid_needed),
    Rule("hostpid-not-removed", _hostpid_not_removed),
    Rule("origin-detection-without-hostpid", _origin_without_hostpid),
    Rule("system-probe-unrequested", _system_probe_unrequested),
    Rule("ebpf-feature", _ebpf_features),
    Rule("capabilities-added", _capabilities),
    Rule("host-root", _host_root),
    Rule("custom-host-path", _custom_host_paths),
    Rule("host-path-rw", _rw_kept),
    Rule("hostport-unneeded", _hostport_unneeded),
    Rule("host-port", _hostport_kept),
    Rule("apm-unrequested", _apm_unrequested),
    Rule("apm-both-transports", _apm_both),
    Rule("apm-socket-stranded", _apm_stranded),
    Rule("runtime-dir-too-wide", _runtime_dir),
    Rule("dsd-socket-unneeded", _dsd_socket),
    Rule("passwd-unneeded", _passwd),
    Rule("docker-logs-dir", _docker_logs),
    Rule("hostpath-unneeded", _other_paths),
    Rule("operator-bundled", _bundled_operator),
    Rule("runs-as-root", _runs_as_root),
    Rule("agent-too-old", _agent_too_old),
    Rule("pod-refused", _pod_refused),
    Rule("chart-refuses", _chart_refuses),
)


def rule_findings(context: Context) -> list[Finding]:
    return [finding for rule in RULES for finding in rule.findings(context)]
