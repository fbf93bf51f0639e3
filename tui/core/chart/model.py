"""A model of what datadog/datadog 3.240.0 renders for the node-Agent DaemonSet's pod.

Only what decides privileges is modelled: which containers exist, the pod and container security
contexts, hostPID/hostNetwork, host ports, and every hostPath volume with its mounts. The shape is
the Kubernetes pod spec, so the same code (the DaemonSet patch, the ledger, Pod Security checks)
works on this prediction and on a real `helm template` output alike. The integration tests compare
the two with real helm.

Each condition under which the chart adds a privilege-bearing container or hostPID is a `Trigger`
in one table below (the values key, what it brings, and the test); the model and the audit's
findings both read those tables. What the model does not follow is listed by `unmodelled()`.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tui.core.agent_version import chart_tag_at_least
from tui.core.chart.defaults import CHART_DEFAULTS, DEFAULT_AGENT_TAG
from tui.core.chart.providers import CHART_PROVIDERS
from tui.core.platforms.api_server import ANY_CLUSTER, Cluster
from tui.core.yamlio.dotted import lookup

PodSpec = dict[str, Any]


def coalesce(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge values the way helm does: maps merge key by key, a null deletes, anything else replaces.

    New maps are built along merged paths only; untouched subtrees are shared, not copied, because
    nothing downstream mutates a values tree (the render copies what it puts into the pod).
    """
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


def effective_values(user_values: Mapping[str, Any]) -> dict[str, Any]:
    return coalesce(CHART_DEFAULTS, user_values)


class _Values:
    """Dotted, nil-safe reads of a values tree, like `.Values.a.b` in a template."""

    def __init__(self, tree: Mapping[str, Any]):
        self.tree = tree

    def get(self, dotted: str, default: Any = None) -> Any:
        value = lookup(self.tree, dotted)
        return default if value is None else value

    def on(self, dotted: str) -> bool:
        """Go template truthiness: false, 0, "", empty collections and nil are false."""
        return bool(self.get(dotted))


# --- the agent version, as each of the chart's helpers reads it ------------------------------------


def agent_version_of(values: _Values) -> str:
    """The chart's get-agent-version: the tag without -jmx, with "7"/"latest" read as the newest."""
    tag = str(values.get("agents.image.tag", DEFAULT_AGENT_TAG)).removesuffix("-jmx")
    if tag in ("7", "latest"):
        return DEFAULT_AGENT_TAG
    if tag == "6":
        return "6.55.1"
    return tag


def tag_at_least(values: _Values, floor: str) -> bool:
    """`semverCompare ">=floor"` on the tag, whatever `doNotCheckTag` says (service discovery reads it so)."""
    return chart_tag_at_least(agent_version_of(values), floor)


def version_at_least(values: _Values, floor: str) -> bool:
    """The helpers that skip the version test when `agents.image.doNotCheckTag` is set count it as newest."""
    if values.on("agents.image.doNotCheckTag"):
        return True
    return tag_at_least(values, floor)


_SEMVER_ISH = re.compile(r"^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.+-]+)?$")


def _supported_tag(version: str) -> bool:
    """`^6.36.0-0 || ^7.36.0-0`: the only agent tags the chart renders without doNotCheckTag."""
    if not _SEMVER_ISH.match(version):
        return False
    major = version.lstrip("v").split(".")[0]
    upper = {"6": "7.0.0-0", "7": "8.0.0-0"}.get(major)
    if upper is None:
        return False
    return chart_tag_at_least(version, f"{major}.36.0-0") and not chart_tag_at_least(version, upper)


# --- the chart's switches ------------------------------------------------------------------------


class Trigger(NamedTuple):
    """One condition under which the chart grants something: the key, what it is for, and the test."""

    key: str
    brings: str
    when: Callable[[NodeAgentChart], bool]


class NodeAgentChart:
    """The chart's helper predicates, named as in its `_helpers.tpl`."""

    def __init__(self, user_values: Mapping[str, Any]):
        self.v = _Values(effective_values(user_values))

    def active(self, triggers: tuple[Trigger, ...]) -> list[Trigger]:
        return [t for t in triggers if t.when(self)]

    # features
    def discovery(self) -> bool:
        """Explicit true/false wins; unset, it follows the tag (>= 7.78), even with doNotCheckTag."""
        explicit = self.v.tree.get("datadog", {}).get("discovery", {}).get("enabled")
        if explicit is not None:
            return bool(explicit)
        version = agent_version_of(self.v)
        return not _SEMVER_ISH.match(version) or tag_at_least(self.v, "7.78.0-0")

    def cws(self) -> bool:
        return self.v.on("datadog.securityAgent.runtime.enabled")

    def compliance(self) -> bool:
        return self.v.on("datadog.securityAgent.compliance.enabled") and not self.v.on(
            "datadog.securityAgent.compliance.runInSystemProbe"
        )

    def gpu_privileged(self) -> bool:
        return self.v.on("datadog.gpuMonitoring.enabled") and self.v.on("datadog.gpuMonitoring.privilegedMode")

    def sbom_usage(self) -> bool:
        return self.v.on("datadog.sbom.enrichment.usage.enabled")

    def sbom_images(self) -> bool:
        return self.v.on("datadog.sbom.containerImage.enabled")

    def sbom_host(self) -> bool:
        return self.v.on("datadog.sbom.host.enabled")

    def host_profiler(self) -> bool:
        return self.v.on("datadog.hostProfiler.enabled")

    def host_profiler_seccomp(self) -> bool:
        return self.host_profiler() and str(self.v.get("datadog.hostProfiler.seccomp.enabled", "")).lower() != "false"

    def otel(self) -> bool:
        return self.v.on("datadog.otelCollector.enabled")

    def data_plane(self) -> bool:
        return self.v.on("datadog.dataPlane.enabled")

    def fips_proxy(self) -> bool:
        return self.v.on("fips.enabled") and not self.v.on("useFIPSAgent")

    def system_probe(self) -> bool:
        return bool(self.active(SYSTEM_PROBE_TRIGGERS))

    def security_agent(self) -> bool:
        return bool(self.active(SECURITY_AGENT_TRIGGERS))

    def runtime_compilation(self) -> bool:
        v = self.v
        return (
            v.on("datadog.systemProbe.enableTCPQueueLength")
            or v.on("datadog.systemProbe.enableOOMKill")
            or v.on("datadog.serviceMonitoring.enabled")
            or (self.discovery() and v.on("datadog.discovery.networkStats.enabled"))
        )

    def process_checks(self) -> bool:
        v = self.v
        language_detection = v.on("datadog.apm.instrumentation.enabled") and v.on(
            "datadog.apm.instrumentation.language_detection.enabled"
        )
        return any(
            (
                v.on("datadog.processAgent.containerCollection"),
                v.on("datadog.processAgent.processCollection"),
                v.on("datadog.processAgent.processDiscovery"),
                language_detection,
            )
        )

    def process_checks_in_core_agent(self) -> bool:
        return version_at_least(self.v, "7.60.0-0")

    def process_agent(self) -> bool:
        return bool(self.active(PROCESS_AGENT_TRIGGERS))

    def apm_uds(self) -> bool:
        return self.v.on("datadog.apm.socketEnabled") or self.v.on("datadog.apm.useSocketVolume")

    def apm_host_port(self) -> bool:
        return self.v.on("datadog.apm.portEnabled") or self.v.on("datadog.apm.enabled")

    def apm_local_service(self) -> bool:
        return self.v.on("datadog.apm.useLocalService") or self.apm_host_port()

    def trace_agent(self) -> bool:
        return self.apm_uds() or self.apm_host_port() or self.apm_local_service()

    def host_pid(self) -> bool:
        return bool(self.active(HOST_PID_TRIGGERS))

    def host_root(self) -> bool:
        """The whole host filesystem (`/`) is declared as a volume."""
        return bool(self.active(HOST_ROOT_TRIGGERS))

    def agent_is_root(self) -> bool:
        user = self.v.get("datadog.securityContext.runAsUser")
        return not user or str(user) == "0"

    def passwd_allowed(self) -> bool:
        return self.agent_is_root() and not self.v.on("datadog.disablePasswdMount")

    def os_release_paths(self) -> bool:
        return self.v.on("datadog.systemProbe.enableDefaultOsReleasePaths") and not self.v.on(
            "datadog.disableDefaultOsReleasePaths"
        )

    def os_release_file(self) -> str:
        """The host os-release file the chart mounts ("" when none)."""
        v = self.v
        if not (v.get("datadog.systemProbe.osReleasePath") or v.get("datadog.osReleasePath") or self.sbom_host()):
            return ""
        return str(v.get("datadog.systemProbe.osReleasePath") or v.get("datadog.osReleasePath") or "")

    def runtime_socket(self) -> str:
        v = self.v
        return str(v.get("datadog.dockerSocketPath") or v.get("datadog.criSocketPath") or "/var/run/docker.sock")

    def logs(self) -> bool:
        return self.v.on("datadog.logs.enabled") or self.v.on("datadog.logsEnabled")

    def otel_logs_volumes(self) -> bool:
        return self.v.on("datadog.otelCollector.logs.enabled")

    def otel_reads_log_files(self) -> bool:
        """The otel-agent mounts the pod logs when its logs are on and its config has a filelog receiver."""
        if not (self.otel_logs_volumes() and self.otel()):
            return False
        receivers = _yaml_map(self.v.get("datadog.otelCollector.config")).get("receivers")
        return isinstance(receivers, Mapping) and any(str(k).startswith("filelog") for k in receivers)

    def seccomp_setup(self) -> bool:
        return self.system_probe() and self.v.get("datadog.systemProbe.seccomp") == "localhost/system-probe"

    def passwd_volume(self) -> bool:
        users = self.cws() or self.process_checks() or self.process_checks_in_core_agent()
        return self.passwd_allowed() and (users or self.system_probe() or self.security_agent())

    def compiles_ebpf(self) -> bool:
        return self.system_probe() and self.runtime_compilation()

    def refusal(self) -> str:
        """Why `helm template` fails on these values ("" when it renders)."""
        v = self.v
        check = not v.on("agents.image.doNotCheckTag")
        version = agent_version_of(v)
        if check and not _supported_tag(version):
            return (
                f"agents.image.tag {v.get('agents.image.tag')!r}: the chart renders only tags from 7.36 "
                "(or agents.image.doNotCheckTag: true)"
            )
        if self.otel() and v.on("datadog.otelCollector.useStandaloneImage"):
            full = str(v.get("agents.image.tag")).endswith("-full")
            if not full and not tag_at_least(v, "7.67.0"):
                return "datadog.otelCollector.useStandaloneImage needs agent 7.67 or newer; the chart fails"
            if full and tag_at_least(v, "7.67.0"):
                return "agents.image.tag ending in -full with the standalone OTel image (7.67+): the chart fails"
        if self.data_plane():
            if check and not tag_at_least(v, "7.74.0"):
                return "datadog.dataPlane.enabled needs agent 7.74 or newer; the chart fails"
            if not v.on("datadog.dataPlane.dogstatsd.enabled"):
                return "datadog.dataPlane.enabled with no pipeline (dataPlane.dogstatsd.enabled false); the chart fails"
        for proto in ("grpc", "http"):
            block = v.get(f"datadog.otlp.receiver.protocols.{proto}") or {}
            if isinstance(block, Mapping) and block.get("enabled"):
                endpoint = str(block.get("endpoint") or "")
                if not re.search(r":[0-9]+$", endpoint) or endpoint.startswith("unix"):
                    key = f"datadog.otlp.receiver.protocols.{proto}.endpoint"
                    return f"{key} {endpoint!r} has no TCP port; the chart fails"
        return ""


def _yaml_map(text: Any) -> Mapping[str, Any]:
    if isinstance(text, Mapping):
        return text
    if not isinstance(text, str) or not text.strip():
        return {}
    from ruamel.yaml import YAML, YAMLError

    try:
        parsed = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return {}
    return parsed if isinstance(parsed, Mapping) else {}


# --- what sets each privilege off, once (the audit reads these tables too) -----------------------


def _on(key: str) -> Callable[[NodeAgentChart], bool]:
    return lambda chart: chart.v.on(key)


SYSTEM_PROBE_TRIGGERS: tuple[Trigger, ...] = (
    Trigger("datadog.securityAgent.runtime.enabled", "CWS watches syscalls with eBPF", NodeAgentChart.cws),
    Trigger(
        "datadog.networkMonitoring.enabled",
        "NPM traces connections with eBPF",
        _on("datadog.networkMonitoring.enabled"),
    ),
    Trigger(
        "datadog.serviceMonitoring.enabled", "USM reads traffic with eBPF", _on("datadog.serviceMonitoring.enabled")
    ),
    Trigger(
        "datadog.systemProbe.enableTCPQueueLength",
        "the TCP queue length check compiles an eBPF program",
        _on("datadog.systemProbe.enableTCPQueueLength"),
    ),
    Trigger(
        "datadog.systemProbe.enableOOMKill",
        "the OOM kill check compiles an eBPF program",
        _on("datadog.systemProbe.enableOOMKill"),
    ),
    Trigger("datadog.traceroute.enabled", "traceroute sends raw packets", _on("datadog.traceroute.enabled")),
    Trigger(
        "datadog.discovery.enabled",
        "service discovery reads processes and sockets (on by default from Agent 7.78)",
        NodeAgentChart.discovery,
    ),
    Trigger(
        "datadog.discovery.serviceMap.enabled",
        "the service map traces connections",
        _on("datadog.discovery.serviceMap.enabled"),
    ),
    Trigger(
        "datadog.gpuMonitoring.privilegedMode",
        "GPU monitoring in privileged mode probes the driver",
        NodeAgentChart.gpu_privileged,
    ),
    Trigger(
        "datadog.dynamicInstrumentationGo.enabled",
        "Go dynamic instrumentation attaches uprobes",
        _on("datadog.dynamicInstrumentationGo.enabled"),
    ),
    Trigger(
        "datadog.securityAgent.compliance.runInSystemProbe",
        "CSPM runs its checks inside system-probe",
        lambda c: (
            c.v.on("datadog.securityAgent.compliance.enabled")
            and c.v.on("datadog.securityAgent.compliance.runInSystemProbe")
        ),
    ),
    Trigger(
        "datadog.sbom.enrichment.usage.enabled",
        "SBOM usage enrichment watches which packages processes load",
        NodeAgentChart.sbom_usage,
    ),
)

HOST_PID_TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "datadog.securityAgent.compliance.enabled",
        "CSPM (compliance) inspects host processes",
        NodeAgentChart.compliance,
    ),
    Trigger("datadog.hostProfiler.enabled", "the host profiler samples every process", NodeAgentChart.host_profiler),
    Trigger(
        "datadog.sbom.enrichment.usage.enabled",
        "SBOM usage enrichment maps processes to packages",
        NodeAgentChart.sbom_usage,
    ),
    Trigger(
        "datadog.dogstatsd.useHostPID",
        "DogStatsD origin detection over the socket",
        _on("datadog.dogstatsd.useHostPID"),
    ),
    Trigger(
        "datadog.useHostPID",
        "process-level visibility, DogStatsD origin detection over the socket (chart default: true)",
        _on("datadog.useHostPID"),
    ),
)

SECURITY_AGENT_TRIGGERS: tuple[Trigger, ...] = (
    Trigger("datadog.securityAgent.compliance.enabled", "CSPM (compliance) checks", NodeAgentChart.compliance),
    Trigger(
        "datadog.securityAgent.runtime.enabled",
        "CWS events are sent by security-agent (unless runtime.directSendFromSystemProbe)",
        lambda c: c.cws() and not c.v.on("datadog.securityAgent.runtime.directSendFromSystemProbe"),
    ),
)

PROCESS_AGENT_TRIGGERS: tuple[Trigger, ...] = (
    Trigger("datadog.networkMonitoring.enabled", "NPM", _on("datadog.networkMonitoring.enabled")),
    Trigger("datadog.serviceMonitoring.enabled", "USM", _on("datadog.serviceMonitoring.enabled")),
    Trigger(
        "datadog.orchestratorExplorer.enabled",
        "the orchestrator explorer before Agent 7.51",
        lambda c: (
            not c.v.on("agents.image.doNotCheckTag")
            and c.v.on("datadog.orchestratorExplorer.enabled")
            and c.v.on("clusterAgent.enabled")
            and not version_at_least(c.v, "7.51.0")
        ),
    ),
    Trigger(
        "datadog.processAgent.containerCollection",
        "process and container checks before Agent 7.60 (later the core agent runs them)",
        lambda c: c.process_checks() and not c.process_checks_in_core_agent(),
    ),
)

HOST_ROOT_TRIGGERS: tuple[Trigger, ...] = (
    Trigger("datadog.securityAgent.runtime.enabled", "CWS reads host files", lambda c: c.system_probe() and c.cws()),
    Trigger(
        "datadog.serviceMonitoring.enabled",
        "USM reads TLS libraries on the host",
        lambda c: c.system_probe() and c.v.on("datadog.serviceMonitoring.enabled"),
    ),
    Trigger(
        "datadog.gpuMonitoring.enabled",
        "GPU monitoring reads the driver on the host",
        lambda c: c.system_probe() and c.v.on("datadog.gpuMonitoring.enabled"),
    ),
    Trigger(
        "datadog.securityAgent.compliance.enabled",
        "CSPM benchmarks read host files",
        lambda c: c.security_agent() and c.v.on("datadog.securityAgent.compliance.enabled"),
    ),
)


# --- what the model does not follow ---------------------------------------------------------------

# Switches that send the chart down template paths this model does not render, with the reason.
_UNMODELLED_SWITCHES: tuple[tuple[str, str], ...] = (
    ("datadog.privateActionRunner.enabled", "the private action runner container and its hostPaths are not modelled"),
)


def unmodelled(user_values: Mapping[str, Any]) -> list[dict[str, str]]:
    """What these values change that the model cannot see, one {key, why} each (empty: fully modelled)."""
    chart = NodeAgentChart(user_values)
    v = chart.v
    out: list[dict[str, str]] = []
    if str(v.get("targetSystem")) != "linux":
        out.append({"key": "targetSystem", "why": "only the Linux DaemonSet is modelled"})
    if lookup(user_values, "agents.enabled") is False:
        out.append({"key": "agents.enabled", "why": "no node-Agent DaemonSet renders; the ledger describes none"})
    propagation = str(v.get("datadog.hostVolumeMountPropagation") or "None")
    if propagation != "None":
        out.append(
            {
                "key": "datadog.hostVolumeMountPropagation",
                "why": f"mount propagation {propagation} on host mounts is not part of the ledger",
            }
        )
    for dotted, default in _flatten(CHART_DEFAULTS.get("providers", {}), "providers."):
        value = lookup(user_values, dotted)
        if value is not None and value != default and dotted not in CHART_PROVIDERS.modelled:
            out.append(
                {"key": dotted, "why": "platform-specific template paths (volumes, mounts, contexts) are not modelled"}
            )
    out += [{"key": key, "why": why} for key, why in _UNMODELLED_SWITCHES if v.on(key)]
    if (
        chart.otel_logs_volumes()
        and chart.otel()
        and v.get("datadog.otelCollector.config")
        and not _yaml_map(v.get("datadog.otelCollector.config"))
    ):
        out.append(
            {"key": "datadog.otelCollector.config", "why": "not readable YAML: whether it reads log files is unknown"}
        )
    return out


def _flatten(tree: Mapping[str, Any], prefix: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out += _flatten(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


# --- the render ----------------------------------------------------------------------------------


def _host_path(name: str, path: str, type_: str | None = None) -> dict[str, Any]:
    host: dict[str, Any] = {"path": path}
    if type_:
        host["type"] = type_
    return {"name": name, "hostPath": host}


def _mount(name: str, path: str, read_only: bool) -> dict[str, Any]:
    return {"name": name, "mountPath": path, "readOnly": read_only}


def _profile(value: str) -> dict[str, str]:
    if value.startswith("localhost/"):
        return {"type": "Localhost", "localhostProfile": value.removeprefix("localhost/")}
    return {"type": "RuntimeDefault"} if value == "runtime/default" else {"type": "Unconfined"}


def _security_context(base: Any, *, add: tuple[str, ...] = (), seccomp: str = "", apparmor: str = "") -> Any:
    """The chart's generate-security-context: the given block, extra capabilities, profiles."""
    context: dict[str, Any] = dict(copy.deepcopy(base)) if isinstance(base, Mapping) else {}
    if add:
        caps = dict(context.get("capabilities") or {})
        caps["add"] = list(caps.get("add") or []) + list(add)
        context["capabilities"] = caps
    if seccomp:
        context["seccompProfile"] = _profile(seccomp)
    if apparmor:
        context["appArmorProfile"] = _profile(apparmor)
    return context or None


def _custom_mounts(v: _Values, *keys: str) -> list[dict[str, Any]]:
    """Mount lists the chart copies verbatim (agents.volumeMounts, per-container volumeMounts)."""
    out: list[dict[str, Any]] = []
    for key in keys:
        out += [dict(copy.deepcopy(m)) for m in v.get(key) or [] if isinstance(m, Mapping)]
    return out


def _custom_ports(v: _Values, key: str) -> list[dict[str, Any]]:
    return [dict(copy.deepcopy(p)) for p in v.get(key) or [] if isinstance(p, Mapping)]


def _otlp_ports(v: _Values) -> list[dict[str, Any]]:
    ports = []
    for proto, name in (("grpc", "otlpgrpcport"), ("http", "otlphttpport")):
        block = v.get(f"datadog.otlp.receiver.protocols.{proto}") or {}
        if not (isinstance(block, Mapping) and block.get("enabled")):
            continue
        match = re.search(r":([0-9]+)$", str(block.get("endpoint") or ""))
        number = int(match[1]) if match else 0
        port: dict[str, Any] = {"containerPort": number, "name": name, "protocol": "TCP"}
        if block.get("useHostPort"):
            port["hostPort"] = number
        ports.append(port)
    return ports


def render_pod(user_values: Mapping[str, Any], cluster: Cluster = ANY_CLUSTER) -> PodSpec:
    """The node-Agent pod spec (privilege-relevant parts) that the chart renders for these values,
    on a cluster whose API server reports `cluster`."""
    chart = NodeAgentChart(user_values)
    v = chart.v
    sp, sa, pa, ta = chart.system_probe(), chart.security_agent(), chart.process_agent(), chart.trace_agent()
    runtime_dir = posixpath.dirname(chart.runtime_socket())
    runtime_on = v.on("datadog.containerRuntimeSupport.enabled")
    runtime_mount = [_mount("runtimesocketdir", posixpath.normpath("/host/" + runtime_dir), True)] if runtime_on else []
    ca_path = str(v.get("datadog.kubelet.hostCAPath") or "")
    ca_mount = (
        [
            _mount(
                "kubelet-ca",
                str(v.get("datadog.kubelet.agentCAPath") or "/var/run/kubelet-ca/" + posixpath.basename(ca_path)),
                True,
            )
        ]
        if ca_path
        else []
    )
    dsd_dir = posixpath.dirname(str(v.get("datadog.dogstatsd.socketPath")))
    apm_dir = posixpath.dirname(str(v.get("datadog.apm.socketPath")))
    os_release = chart.os_release_file()
    passwd = chart.passwd_allowed()
    logs = chart.logs()
    cri_set = bool(v.get("datadog.criSocketPath"))
    seccomp_setup = sp and v.get("datadog.systemProbe.seccomp") == "localhost/system-probe"
    gpu = v.on("datadog.gpuMonitoring.enabled")
    sbom_layers = chart.sbom_images() and (
        v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
        or v.on("datadog.sbom.containerImage.overlayFSDirectScan")
    )
    proc = _mount("procdir", "/host/proc", True)
    cgroups = _mount("cgroups", "/host/sys/fs/cgroup", True)
    release_names = ("redhat", "fedora", "lsb")
    release_mounts = [
        _mount(f"etc-{name}-release", f"/host/etc/{name}-release", True)
        for name in release_names
        if chart.os_release_paths() and v.get("datadog.osReleasePath") != f"/etc/{name}-release"
    ]
    host_release_mount = []  # linux-container-host-release-volumemounts
    if os_release and (sp or v.get("datadog.osReleasePath")):
        host_release_mount = [_mount("os-release-file", "/host" + os_release, True)]
    # the agent run directory: a hostPath only when logs are on
    run_volume = "pointerdir" if logs else "datadogrun"
    run_mount = [_mount(run_volume, "/opt/datadog-agent/run", False)]

    volumes = [vol for entry in HOST_VOLUMES if entry.when(chart) for vol in entry.volumes(chart)]
    volumes += [dict(copy.deepcopy(vol)) for vol in v.get("agents.volumes") or [] if isinstance(vol, Mapping)]

    init_context = _security_context(v.get("agents.containers.initContainers.securityContext"))
    init_containers: list[dict[str, Any]] = [
        {"name": "init-volume", "volumeMounts": []},
        {
            "name": "init-config",
            "volumeMounts": [proc, *runtime_mount, *_custom_mounts(v, "agents.containers.initContainers.volumeMounts")],
        },
    ]
    if chart.host_profiler_seccomp():
        root = str(v.get("datadog.hostProfiler.seccompRoot"))
        init_containers.append(
            {
                "name": "host-profiler-seccomp-setup",
                "volumeMounts": [_mount("host-profiler-seccomp-root", "/host" + root, False)],
            }
        )
    if seccomp_setup:
        init_containers.append(
            {"name": "seccomp-setup", "volumeMounts": [_mount("seccomp-root", "/host/var/lib/kubelet/seccomp", False)]}
        )
    for init in init_containers:
        if init_context:
            init["securityContext"] = copy.deepcopy(init_context)

    custom = _custom_mounts(v, "agents.volumeMounts")

    # containers
    agent_mounts = [*host_release_mount, *runtime_mount]
    if gpu:
        agent_mounts += [
            _mount("pod-resources-socket", str(v.get("datadog.kubelet.podResourcesSocketDir")), False),
            {"name": "gpu-devices", "mountPath": "/var/run/nvidia-container-devices/all"},
        ]
    agent_mounts += [_mount("dsdsocket", dsd_dir, False), proc, cgroups]
    if passwd and chart.process_checks() and chart.process_checks_in_core_agent():
        agent_mounts.append(_mount("passwd", "/etc/passwd", True))
    if logs:
        agent_mounts += [
            _mount("pointerdir", "/opt/datadog-agent/run", False),
            _mount("logpodpath", "/var/log/pods", True),
            _mount("logscontainerspath", "/var/log/containers", True),
        ]
        if not cri_set:
            agent_mounts.append(_mount("logdockercontainerpath", "/var/lib/docker/containers", True))
    else:
        agent_mounts.append({"name": "datadogrun", "mountPath": "/opt/datadog-agent/run"})
    if sbom_layers:
        agent_mounts += [_mount(f"host-{n}-dir", "/host" + p, True) for n, p in _IMAGE_STORES]
    if chart.sbom_host():
        agent_mounts += [_mount(f"host-{n}-dir", f"/host/var/lib/{n}", True) for n in _PACKAGE_DBS]
        if chart.os_release_paths():
            agent_mounts += [
                _mount(f"etc-{n}-release", f"/host/etc/{n}-release", True)
                for n in (*release_names, "system")
                if v.get("datadog.osReleasePath") != f"/etc/{n}-release"
            ]
    agent_mounts += ca_mount + custom
    dsd_port: dict[str, Any] = {
        "containerPort": int(v.get("datadog.dogstatsd.port", 8125)),
        "name": "dogstatsdport",
        "protocol": "UDP",
    }
    if v.on("datadog.dogstatsd.useHostPort"):
        dsd_port["hostPort"] = dsd_port["containerPort"]
    agent_ports = [] if chart.data_plane() else [dsd_port]
    agent_ports += _otlp_ports(v) + _custom_ports(v, "agents.containers.agent.ports")
    agent: dict[str, Any] = {"name": "agent", "volumeMounts": agent_mounts}
    if agent_ports:
        agent["ports"] = agent_ports
    sys_admin = (
        sbom_layers
        and v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
        and not v.on("datadog.sbom.containerImage.overlayFSDirectScan")
    )
    agent_apparmor = (
        v.on("agents.podSecurity.apparmor.enabled")
        and chart.sbom_images()
        and v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
    )
    agent_context = _security_context(
        v.get("agents.containers.agent.securityContext"),
        add=(("SYS_ADMIN",) if sys_admin else ()) + (("MKNOD",) if gpu else ()),
        apparmor="unconfined" if agent_apparmor else "",
    )
    if agent_context:
        agent["securityContext"] = agent_context
    env = v.get("agents.containers.agent.env") or []
    if env:
        agent["env"] = copy.deepcopy(env)
    containers = [agent]

    if ta:
        ta_mounts = [proc, cgroups, _mount("dsdsocket", dsd_dir, False)]
        if chart.apm_uds() and dsd_dir != apm_dir:
            ta_mounts.append(_mount("apmsocket", apm_dir, False))
        ta_mounts += runtime_mount + ca_mount + custom
        apm_port: dict[str, Any] = {
            "containerPort": int(v.get("datadog.apm.port", 8126)),
            "name": "traceport",
            "protocol": "TCP",
        }
        if chart.apm_host_port():
            apm_port["hostPort"] = apm_port["containerPort"]
        containers.append(
            _with_context(
                {
                    "name": "trace-agent",
                    "ports": [apm_port, *_custom_ports(v, "agents.containers.traceAgent.ports")],
                    "volumeMounts": ta_mounts,
                },
                _security_context(v.get("agents.containers.traceAgent.securityContext")),
            )
        )
    if pa:
        pa_mounts = [_mount("dsdsocket", dsd_dir, True), *host_release_mount, *runtime_mount, cgroups]
        process_features = ("processCollection", "processDiscovery", "containerCollection")
        if passwd and any(v.on(f"datadog.processAgent.{f}") for f in process_features):
            pa_mounts.append(_mount("passwd", "/etc/passwd", True))
        pa_mounts += [proc, *ca_mount, *custom]
        containers.append(
            _with_ports(
                _with_context(
                    {"name": "process-agent", "volumeMounts": pa_mounts},
                    _security_context(v.get("agents.containers.processAgent.securityContext")),
                ),
                _custom_ports(v, "agents.containers.processAgent.ports"),
            )
        )
    if sp:
        containers.append(_system_probe(chart, release_mounts, host_release_mount, passwd, custom))
    if sa:
        containers.append(_security_agent(chart, dsd_dir, passwd, host_release_mount, runtime_mount, ca_mount, custom))
    if chart.otel():
        otel_mounts = [*run_mount, proc, cgroups, _mount("dsdsocket", dsd_dir, True)]
        if chart.otel_reads_log_files():
            otel_mounts += [
                _mount("logpodpath", "/var/log/pods", True),
                _mount("logscontainerspath", "/var/log/containers", True),
            ]
            if not cri_set:
                otel_mounts.append(_mount("logdockercontainerpath", "/var/lib/docker/containers", True))
        otel_mounts += runtime_mount + ca_mount + custom + _custom_mounts(v, "agents.containers.otelAgent.volumeMounts")
        otel_ports = []
        for port in v.get("datadog.otelCollector.ports") or []:
            if isinstance(port, Mapping):
                entry = {
                    "containerPort": _number(port.get("containerPort")),
                    "protocol": port.get("protocol"),
                    "name": port.get("name"),
                }
                if port.get("hostPort"):
                    entry["hostPort"] = _number(port.get("hostPort"))
                otel_ports.append(entry)
        otel_ports += _custom_ports(v, "agents.containers.otelAgent.ports")
        containers.append(
            _with_context(
                {"name": "otel-agent", "ports": otel_ports, "volumeMounts": otel_mounts},
                _security_context(v.get("agents.containers.otelAgent.securityContext")),
            )
        )
    if chart.host_profiler():
        containers.append(_host_profiler(chart, run_mount, runtime_mount, ca_mount, custom))
    if chart.data_plane():
        dp_mounts = [*runtime_mount, _mount("dsdsocket", dsd_dir, False), proc, cgroups, *custom]
        dp_ports = [dsd_port, *_custom_ports(v, "agents.containers.agentDataPlane.ports")]
        containers.append(
            _with_context(
                {"name": "agent-data-plane", "ports": dp_ports, "volumeMounts": dp_mounts},
                _security_context(v.get("agents.containers.agentDataPlane.securityContext")),
            )
        )
    if chart.fips_proxy():
        first, count = int(v.get("fips.port", 9803)), int(v.get("fips.portRange", 15))
        ports = [
            {"containerPort": p, "name": f"port-{i}", "protocol": "TCP"}
            for i, p in enumerate(range(first, first + count))
        ]
        containers.append({"name": "fips-proxy", "ports": ports})

    pod: PodSpec = {}
    pod_context = v.get("datadog.securityContext")
    if pod_context:
        pod["securityContext"] = copy.deepcopy(pod_context)
    if v.on("agents.useHostNetwork"):
        pod["hostNetwork"] = True
    if chart.host_pid():
        pod["hostPID"] = True
    pod["containers"] = containers
    pod["initContainers"] = init_containers
    pod["volumes"] = volumes
    return CHART_PROVIDERS.finish(pod, v.tree, cluster, render_pod)


# --- the pod's volumes: every hostPath the chart may declare, in its order, with its condition ----


class HostVolume(NamedTuple):
    """A volume the chart declares when `when` holds: hostPath `path` (emptyDir when path is None)."""

    name: str
    path: Callable[[NodeAgentChart], str] | None
    when: Callable[[NodeAgentChart], bool]
    type: str = ""

    def volumes(self, chart: NodeAgentChart) -> list[dict[str, Any]]:
        if self.path is None:
            return [{"name": self.name, "emptyDir": {}}]
        return [_host_path(self.name, self.path(chart), self.type or None)]


def _fixed(path: str) -> Callable[[NodeAgentChart], str]:
    return lambda chart: path


def _value(key: str) -> Callable[[NodeAgentChart], str]:
    return lambda chart: str(chart.v.get(key))


class _PackageDirs(HostVolume):
    """The package-manager directories runtime compilation reads (or the user's own list)."""

    def volumes(self, chart: NodeAgentChart) -> list[dict[str, Any]]:
        return [_host_path(name, path) for name, path in _package_dirs(chart.v)]


def _gpu(chart: NodeAgentChart) -> bool:
    return chart.v.on("datadog.gpuMonitoring.enabled")


def _asset_dir(chart: NodeAgentChart) -> str:
    return str(chart.v.get("datadog.systemProbe.runtimeCompilationAssetDir"))


def _release_files(chart: NodeAgentChart) -> bool:
    return chart.os_release_paths() and (chart.system_probe() or chart.sbom_host())


_IMAGE_STORES = (("containerd", "/var/lib/containerd"), ("docker", "/var/lib/docker"), ("crio", "/var/lib/containers"))
_PACKAGE_DBS = ("apk", "dpkg", "rpm")

HOST_VOLUMES: tuple[HostVolume, ...] = (
    HostVolume("pod-resources-socket", _value("datadog.kubelet.podResourcesSocketDir"), _gpu),
    HostVolume(
        "host-systemd-transient",
        _fixed("/run/systemd/transient"),
        lambda c: _gpu(c) and c.v.on("datadog.gpuMonitoring.configureCgroupPerms"),
    ),
    HostVolume("procdir", _fixed("/proc"), lambda c: True),
    HostVolume("cgroups", _fixed("/sys/fs/cgroup"), lambda c: True),
    HostVolume("os-release-file", NodeAgentChart.os_release_file, lambda c: bool(c.os_release_file())),
    *(
        HostVolume(f"etc-{n}-release", _fixed(f"/etc/{n}-release"), _release_files)
        for n in ("redhat", "fedora", "lsb", "system")
    ),
    HostVolume(
        "dsdsocket",
        _value("datadog.dogstatsd.hostSocketPath"),
        lambda c: c.v.on("datadog.dogstatsd.useSocketVolume"),
        "DirectoryOrCreate",
    ),
    HostVolume("dsdsocket", None, lambda c: not c.v.on("datadog.dogstatsd.useSocketVolume")),
    HostVolume(
        "kubelet-ca", _value("datadog.kubelet.hostCAPath"), lambda c: c.v.on("datadog.kubelet.hostCAPath"), "File"
    ),
    HostVolume("apmsocket", _value("datadog.apm.hostSocketPath"), NodeAgentChart.apm_uds, "DirectoryOrCreate"),
    HostVolume(
        "host-profiler-seccomp-root", _value("datadog.hostProfiler.seccompRoot"), NodeAgentChart.host_profiler_seccomp
    ),
    HostVolume("seccomp-root", _value("datadog.systemProbe.seccompRoot"), NodeAgentChart.seccomp_setup),
    HostVolume("debugfs", _fixed("/sys/kernel/debug"), NodeAgentChart.system_probe),
    HostVolume(
        "bpffs", _fixed("/sys/fs/bpf"), lambda c: c.system_probe() and c.v.on("datadog.networkMonitoring.enabled")
    ),
    *(
        HostVolume(
            name,
            _fixed(path),
            lambda c: c.compiles_ebpf() and c.v.on("datadog.systemProbe.enableDefaultKernelHeadersPaths"),
        )
        for name, path in (("modules", "/lib/modules"), ("src", "/usr/src"))
    ),
    HostVolume(
        "runtime-compiler-output-dir",
        lambda c: f"{_asset_dir(c)}/build",
        NodeAgentChart.compiles_ebpf,
        "DirectoryOrCreate",
    ),
    HostVolume(
        "kernel-headers-download-dir",
        lambda c: f"{_asset_dir(c)}/kernel-headers",
        NodeAgentChart.compiles_ebpf,
        "DirectoryOrCreate",
    ),
    _PackageDirs("package-dirs", None, NodeAgentChart.compiles_ebpf),
    HostVolume(
        "btf-path",
        _value("datadog.systemProbe.btfPath"),
        lambda c: c.system_probe() and c.v.on("datadog.systemProbe.btfPath"),
    ),
    HostVolume("passwd", _fixed("/etc/passwd"), NodeAgentChart.passwd_volume),
    HostVolume("hostroot", _fixed("/"), NodeAgentChart.host_root),
    *(
        HostVolume(
            f"host-{name}-dir",
            _fixed(path),
            lambda c: c.sbom_images() and c.v.on("datadog.sbom.containerImage.uncompressedLayersSupport"),
        )
        for name, path in _IMAGE_STORES
    ),
    *(HostVolume(f"host-{n}-dir", _fixed(f"/var/lib/{n}"), NodeAgentChart.sbom_host) for n in _PACKAGE_DBS),
    HostVolume(
        "group",
        _fixed("/etc/group"),
        lambda c: c.cws() or c.v.on("datadog.securityAgent.compliance.enabled"),
    ),
    HostVolume(
        "runtimesocketdir",
        lambda c: posixpath.dirname(c.runtime_socket()),
        lambda c: c.v.on("datadog.containerRuntimeSupport.enabled"),
    ),
    HostVolume(
        "logpodpath",
        lambda c: str(c.v.get("datadog.kubelet.podLogsPath") or "/var/log/pods"),
        lambda c: c.logs() or c.otel_logs_volumes(),
    ),
    HostVolume("logscontainerspath", _fixed("/var/log/containers"), lambda c: c.logs() or c.otel_logs_volumes()),
    HostVolume(
        "logdockercontainerpath",
        _fixed("/var/lib/docker/containers"),
        lambda c: (c.logs() or c.otel_logs_volumes()) and not c.v.get("datadog.criSocketPath"),
    ),
    HostVolume("pointerdir", _fixed("/var/lib/datadog-agent/logs"), NodeAgentChart.logs),
    HostVolume("datadogrun", None, lambda c: not c.logs()),
    HostVolume("gpu-devices", _fixed("/dev/null"), _gpu),
    HostVolume("tracingfs", _fixed("/sys/kernel/tracing"), NodeAgentChart.host_profiler),
)


def _number(value: Any) -> Any:
    """A port the chart prints unquoted: "4317" in values is the number 4317 in the manifest."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _with_context(container: dict[str, Any], context: Any) -> dict[str, Any]:
    if context:
        container["securityContext"] = context
    return container


def _with_ports(container: dict[str, Any], ports: list[dict[str, Any]]) -> dict[str, Any]:
    if ports:
        container["ports"] = ports
    return container


def _package_dirs(v: _Values) -> list[tuple[str, str]]:
    custom = v.get("datadog.systemProbe.mountPackageManagementDirs") or []
    if custom:
        return [(str(d.get("name")), str(d.get("hostPath"))) for d in custom if isinstance(d, Mapping)]
    return [
        ("apt-config-dir", "/etc/apt"),
        ("yum-repos-dir", "/etc/yum.repos.d"),
        ("opensuse-repos-dir", "/etc/zypp"),
        ("public-key-dir", "/etc/pki"),
        ("yum-vars-dir", "/etc/yum/vars"),
        ("dnf-vars-dir", "/etc/dnf/vars"),
        ("rhel-subscription-dir", "/etc/rhsm"),
    ]


def _system_probe(
    chart: NodeAgentChart,
    release_mounts: list[dict[str, Any]],
    host_release_mount: list[dict[str, Any]],
    passwd: bool,
    custom: list[dict[str, Any]],
) -> dict[str, Any]:
    v = chart.v
    mounts = [_mount("debugfs", "/sys/kernel/debug", False)]
    if v.on("datadog.networkMonitoring.enabled"):
        mounts.append(_mount("bpffs", "/sys/fs/bpf", True))
    mounts.append(_mount("procdir", "/host/proc", True))
    cgroup_features = (
        chart.cws()
        or v.on("datadog.serviceMonitoring.enabled")
        or v.on("datadog.networkMonitoring.enabled")
        or chart.discovery()
        or chart.gpu_privileged()
        or chart.sbom_usage()
    )
    if cgroup_features:
        mounts.append(_mount("cgroups", "/host/sys/fs/cgroup", True))
    if chart.cws():
        if passwd:
            mounts.append(_mount("passwd", "/etc/passwd", True))
        mounts.append(_mount("group", "/etc/group", True))
    mounts += host_release_mount + release_mounts
    if chart.cws() or v.on("datadog.serviceMonitoring.enabled") or chart.gpu_privileged():
        mounts.append(_mount("hostroot", "/host/root", True))
    if chart.gpu_privileged():
        mounts += [
            _mount("pod-resources-socket", str(v.get("datadog.kubelet.podResourcesSocketDir")), False),
            {"name": "gpu-devices", "mountPath": "/var/run/nvidia-container-devices/all"},
        ]
        if v.on("datadog.gpuMonitoring.configureCgroupPerms"):
            mounts.append(_mount("host-systemd-transient", "/host/root/run/systemd/transient", False))
    if chart.runtime_compilation():
        if v.on("datadog.systemProbe.enableDefaultKernelHeadersPaths"):
            mounts += [_mount("modules", "/lib/modules", True), _mount("src", "/usr/src", True)]
        asset_dir = str(v.get("datadog.systemProbe.runtimeCompilationAssetDir"))
        mounts += [
            _mount("runtime-compiler-output-dir", f"{asset_dir}/build", False),
            _mount("kernel-headers-download-dir", f"{asset_dir}/kernel-headers", False),
        ]
        custom_dirs = v.get("datadog.systemProbe.mountPackageManagementDirs") or []
        if custom_dirs:
            mounts += [
                _mount(str(d.get("name")), str(d.get("mountPath")), True) for d in custom_dirs if isinstance(d, Mapping)
            ]
        else:
            mounts += [_mount(name, "/host" + path, True) for name, path in _package_dirs(v)]
    btf = str(v.get("datadog.systemProbe.btfPath") or "")
    if btf:
        mounts.append(_mount("btf-path", btf, True))
    mounts += custom
    kill = chart.cws() and v.on("datadog.securityAgent.runtime.enforcement.enabled")
    apparmor = str(v.get("datadog.systemProbe.apparmor") or "") if v.on("agents.podSecurity.apparmor.enabled") else ""
    context = _security_context(
        v.get("agents.containers.systemProbe.securityContext"),
        add=(("MKNOD",) if chart.gpu_privileged() else ()) + (("KILL",) if kill else ()),
        seccomp=str(v.get("datadog.systemProbe.seccomp") or ""),
        apparmor=apparmor,
    )
    container = _with_context({"name": "system-probe", "volumeMounts": mounts}, context)
    return _with_ports(container, _custom_ports(v, "agents.containers.systemProbe.ports"))


def _security_agent(
    chart: NodeAgentChart,
    dsd_dir: str,
    passwd: bool,
    host_release_mount: list[dict[str, Any]],
    runtime_mount: list[dict[str, Any]],
    ca_mount: list[dict[str, Any]],
    custom: list[dict[str, Any]],
) -> dict[str, Any]:
    v = chart.v
    mounts = [_mount("dsdsocket", dsd_dir, False)]
    if chart.compliance():
        mounts.append(_mount("cgroups", "/host/sys/fs/cgroup", True))
        if passwd:
            mounts.append(_mount("passwd", "/etc/passwd", True))
        mounts += [_mount("group", "/etc/group", True), _mount("hostroot", "/host/root", True)]
        mounts += [_mount("procdir", "/host/proc", True), *ca_mount]
    mounts += host_release_mount + runtime_mount + custom
    base = v.get("agents.containers.securityAgent.securityContext")
    context: dict[str, Any] = dict(copy.deepcopy(base)) if isinstance(base, Mapping) else {}
    # The chart merges AUDIT_* under the user's block: a user `capabilities.add` wins over them.
    if chart.compliance() and not (context.get("capabilities") or {}).get("add"):
        caps = dict(context.get("capabilities") or {})
        caps["add"] = ["AUDIT_CONTROL", "AUDIT_READ"]
        context["capabilities"] = caps
    container = _with_context({"name": "security-agent", "volumeMounts": mounts}, _security_context(context))
    return _with_ports(container, _custom_ports(v, "agents.containers.securityAgent.ports"))


def host_profiler_seccomp_name(v: _Values) -> str:
    image = str(v.get("datadog.hostProfiler.image") or "datadog/ddot-ebpf-dev:nightly-latest")
    suffix = "-logging" if v.on("datadog.hostProfiler.loggingSeccomp") else ""
    # Imported here for start-up speed: hashlib loads OpenSSL, and only the host profiler needs it.
    import hashlib

    return f"host-profiler-{hashlib.sha256(image.encode()).hexdigest()[:8]}{suffix}"


def _host_profiler(
    chart: NodeAgentChart,
    run_mount: list[dict[str, Any]],
    runtime_mount: list[dict[str, Any]],
    ca_mount: list[dict[str, Any]],
    custom: list[dict[str, Any]],
) -> dict[str, Any]:
    v = chart.v
    mounts = [_mount("tracingfs", "/sys/kernel/tracing", True), *run_mount, *runtime_mount, *ca_mount, *custom]
    mounts += _custom_mounts(v, "agents.containers.hostProfiler.volumeMounts")
    seccomp = f"localhost/{host_profiler_seccomp_name(v)}" if chart.host_profiler_seccomp() else "unconfined"
    apparmor = str(v.get("datadog.hostProfiler.apparmor") or "") if v.on("agents.podSecurity.apparmor.enabled") else ""
    context = _security_context(
        v.get("agents.containers.hostProfiler.securityContext"), seccomp=seccomp, apparmor=apparmor
    )
    return _with_context({"name": "host-profiler", "volumeMounts": mounts}, context)
