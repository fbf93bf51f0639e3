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

import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tui.core.agent_version import chart_tag_at_least
from tui.core.chart.defaults import CHART_DEFAULTS, DEFAULT_AGENT_TAG
from tui.core.chart.providers import CHART_PROVIDERS
from tui.core.digest import sha256_hex
from tui.core.platforms.api_server import ANY_CLUSTER, Cluster
from tui.core.yamlio.dotted import copy_tree, is_map, lookup

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
        elif is_map(value) and is_map(merged.get(key)):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


def effective_values(user_values: Mapping[str, Any]) -> dict[str, Any]:
    return coalesce(CHART_DEFAULTS, user_values)


def printed_scalar(value: Any) -> Any:
    """A value a template prints unquoted (`hostNetwork: {{ ... }}`), as YAML then reads it back: "false" is
    false, "0x1FBD" is 8125; nothing printed (a null value) reads as null."""
    if value is None or isinstance(value, (bool, int)):
        return value  # printed and read back as itself
    # here for start-up speed: the YAML reader is not needed for the values ddsecure writes
    from tui.core.yamlio.helm import resolve_plain

    return resolve_plain(go_text(value).strip())


def printed_number(value: Any) -> Any:
    """A value the template prints where Kubernetes wants a number (`containerPort: {{ ... }}`), as YAML then
    reads it: an integer when it reads as a whole number, null when nothing is printed, else the text,
    which the API server refuses (pod-refused)."""
    read = printed_scalar(value)
    if isinstance(read, float) and read.is_integer():
        return int(read)
    return read if read is None or (isinstance(read, int) and not isinstance(read, bool)) else go_text(value)


def go_text(value: Any) -> str:
    """A value as a template prints it (`{{ x }}`, `toString`, `print`): Go's spelling of booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


class KeyReading(NamedTuple):
    """How a template tests a switch: `if` (Go truthiness: a non-empty string is on, even "false"), `printed`
    (the value is printed and compared with "true": only true and "true" are on), `not-false` (`ne (toString
    x) "false"`: anything but false and "false" is on) or `if-then-printed` (the `if` passes, then the value
    is printed into the field: only what reads back as true is on)."""

    key: str
    how: str
    where: str

    def on(self, value: Any) -> bool:
        if self.how == "printed":
            return go_text(value) == "true"
        if self.how == "not-false":
            return go_text(value) != "false"
        if self.how == "if-then-printed":  # the `if` passes, then the field is the printed value read back
            return _truthy(value) and printed_scalar(value) is True
        return _truthy(value)


def _truthy(value: Any) -> bool:
    return bool(value)


# Switches the chart does not read with a plain `if`; every other switch is read as `if .Values.key`.
KEY_READINGS: dict[str, KeyReading] = {
    r.key: r
    for r in (
        KeyReading("datadog.discovery.enabled", "printed", 'resolved-discovery-enabled, then eq ... "true"'),
        KeyReading("datadog.apm.useLocalService", "printed", 'trace-agent-use-local-service, then eq ... "true"'),
        KeyReading("datadog.hostProfiler.seccomp.enabled", "not-false", 'ne (toString ...) "false"'),
        KeyReading(
            "agents.useHostNetwork", "if-then-printed", "if .Values.agents.useHostNetwork, then hostNetwork: {{ ... }}"
        ),
    )
}


def reading_of(key: str) -> KeyReading:
    return KEY_READINGS.get(key) or KeyReading(key, "if", f"if .Values.{key}")


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
    when: "Callable[[NodeAgentChart], bool]"


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
            return KEY_READINGS["datadog.discovery.enabled"].on(explicit)
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
        seccomp = self.v.get("datadog.hostProfiler.seccomp.enabled", "")
        return self.host_profiler() and KEY_READINGS["datadog.hostProfiler.seccomp.enabled"].on(seccomp)

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
        local = self.v.get("datadog.apm.useLocalService")
        return KEY_READINGS["datadog.apm.useLocalService"].on(local) if local else self.apm_host_port()

    def single_step_instrumentation(self) -> bool:
        """The values ask the Cluster Agent to inject tracing libraries (in every namespace or in some)."""
        v = self.v
        namespaces = v.get("datadog.apm.instrumentation.enabledNamespaces")
        return v.on("datadog.apm.instrumentation.enabled") or bool(namespaces)

    def injection_asked(self) -> bool:
        """The values ask for what only the admission controller (on by the chart's default) carries out:
        configuration in every pod (mutateUnlabelled), or single-step instrumentation."""
        v = self.v
        # both on by the chart's default; the node model's defaults do not hold the Cluster Agent's
        if not (v.get("clusterAgent.enabled", True) and v.get("clusterAgent.admissionController.enabled", True)):
            return False
        return v.on("clusterAgent.admissionController.mutateUnlabelled") or self.single_step_instrumentation()

    def injection_mode(self) -> str:
        """The mode the chart gives the admission controller (DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE)."""
        v = self.v
        if v.get("clusterAgent.admissionController.configMode"):
            return str(v.get("clusterAgent.admissionController.configMode"))
        if self.apm_uds():
            return "socket"
        if self.apm_host_port() or v.on("providers.gke.autopilot"):
            return "hostip"
        if self.apm_local_service():
            return "service"
        return "socket"  # the chart's fallback when APM has no TCP port

    def target_system(self) -> str:
        """The node OS the chart deploys the Agent to; only `linux` is modelled (Windows uses named pipes,
        no hostPID and other containers)."""
        return str(self.v.get("targetSystem"))

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
        return _cluster_name_refusal(v) or _cluster_agent_tag_refusal(v) or _env_refusal(v) or _notes_refusal(v)


def _cluster_agent_tag_refusal(v: _Values) -> str:
    """The chart's check-dca-version, which runs whether the Cluster Agent is deployed or not."""
    if v.on("clusterAgent.image.doNotCheckTag"):
        return ""
    tag = go_text(v.get("clusterAgent.image.tag", ""))
    version = DEFAULT_AGENT_TAG if tag == "latest" else tag
    if version and (not _SEMVER_ISH.match(version) or not chart_tag_at_least(version, "1.20.0-0")):
        return (
            f"clusterAgent.image.tag {tag!r}: the chart renders only Cluster Agent tags from 1.20.0 "
            "(or clusterAgent.image.doNotCheckTag: true)"
        )
    return ""


# The chart's check-cluster-name: FQDN-like, lowercase, underscores allowed, at most 80 characters.
_CHART_CLUSTER_NAME = re.compile(r"([a-z0-9]([a-z0-9\-_]*[a-z0-9])?\.)*([a-z0-9]([a-z0-9\-_]*[a-z0-9])?)")


def _cluster_name_refusal(v: _Values) -> str:
    name = v.get("datadog.clusterName")
    if not isinstance(name, str) or not name or "{{" in name:  # a template (`tpl`) is checked once rendered
        return ""
    if len(name) > 80:
        return "datadog.clusterName is longer than 80 characters; the chart fails"
    if not _CHART_CLUSTER_NAME.fullmatch(name):
        return (
            f"datadog.clusterName {name!r}: the chart accepts only lowercase letters, digits, '.', '-' and '_', "
            "starting and ending with a letter or digit; it fails"
        )
    return ""


def _env_refusal(v: _Values) -> str:
    """The chart fails on an env entry without a name (additional-env-entries, and the concat it ranges over)."""
    for key in ("datadog.env", "agents.containers.agent.env"):
        entries = v.get(key) or []
        if isinstance(entries, list) and any(is_map(e) and not e.get("name") for e in entries):
            return f"{key} has an entry without a name: the chart fails"
    return ""


def _pdb_refusal(v: _Values) -> str:
    """A PodDisruptionBudget the chart creates with both of its limits: the chart fails."""
    for part in ("clusterAgent", "clusterChecksRunner"):
        creates = v.on(f"{part}.createPodDisruptionBudget") or v.on(f"{part}.pdb.create")
        if creates and v.on(f"{part}.pdb.minAvailable") and v.on(f"{part}.pdb.maxUnavailable"):
            return f"{part}.pdb sets both minAvailable and maxUnavailable: the chart fails"
    return ""


def _notes_refusal(v: _Values) -> str:
    """The combinations the chart's NOTES.txt fails on (helm template renders it too)."""
    ssi = v.on("datadog.apm.instrumentation.enabled")
    cluster_agent = v.get("clusterAgent.enabled", True) or all(
        v.on(f"existingClusterAgent.{key}") for key in ("join", "serviceName", "tokenSecretName")
    )
    if v.on("datadog.systemProbe.enabled"):
        return "datadog.systemProbe.enabled is no longer read: the chart fails and names the switches that replace it"
    if v.get("datadog.apm.instrumentation.enabledNamespaces") and v.get(
        "datadog.apm.instrumentation.disabledNamespaces"
    ):
        return "datadog.apm.instrumentation.enabledNamespaces and disabledNamespaces together: the chart fails"
    if ssi and not cluster_agent:
        return "datadog.apm.instrumentation.enabled needs the Cluster Agent (clusterAgent.enabled): the chart fails"
    if ssi and not v.get("clusterAgent.admissionController.enabled", True):
        return "datadog.apm.instrumentation.enabled needs clusterAgent.admissionController.enabled: the chart fails"
    if v.get("datadog.apm.instrumentation.injectionMode") == "csi" and not v.on("datadog.csi.enabled"):
        return "datadog.apm.instrumentation.injectionMode csi needs datadog.csi.enabled: the chart fails"
    if v.on("datadog.operator.migration.enabled") and v.get("operator.datadogCRDs.keepCrds") is not True:
        return "datadog.operator.migration.enabled needs operator.datadogCRDs.keepCrds: true: the chart fails"
    return _pdb_refusal(v)


def _yaml_map(text: Any) -> Mapping[str, Any]:
    if isinstance(text, Mapping):
        return text
    if not isinstance(text, str) or not text.strip():
        return {}
    from tui.core.errors import InputFileError
    from tui.core.yamlio.helm import read_stream

    try:  # `fromYaml`: the first document, read as helm reads YAML
        documents = read_stream(text, "a YAML string").documents
    except InputFileError:
        return {}
    parsed = documents[0] if documents else None
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
    if chart.target_system() != "linux":
        why = "only the Linux DaemonSet is modelled: no node-Agent privilege is listed"
        out.append({"key": "targetSystem", "why": why})
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
    context: dict[str, Any] = dict(copy_tree(base)) if isinstance(base, Mapping) else {}
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
        out += [dict(copy_tree(m)) for m in v.get(key) or [] if isinstance(m, Mapping)]
    return out


def _custom_ports(v: _Values, key: str) -> list[dict[str, Any]]:
    return [dict(copy_tree(p)) for p in v.get(key) or [] if isinstance(p, Mapping)]


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


class PodParts(NamedTuple):
    """What several containers of the pod share, computed once per render: mounts, directories, ports."""

    runtime_mount: list[dict[str, Any]]  # the runtime socket's directory, when runtime support is on
    ca_mount: list[dict[str, Any]]  # the kubelet's CA file, when one is set
    dsd_dir: str
    apm_dir: str
    passwd: bool  # the chart may mount /etc/passwd (root, not disabled)
    cri_set: bool
    proc: dict[str, Any]
    cgroups: dict[str, Any]
    release_mounts: list[dict[str, Any]]  # /etc/*-release files system-probe reads
    host_release_mount: list[dict[str, Any]]  # linux-container-host-release-volumemounts
    run_mount: list[dict[str, Any]]  # the agent run directory (a hostPath only with logs)
    custom: list[dict[str, Any]]  # agents.volumeMounts, in every container
    dsd_port: dict[str, Any]


def _parts(chart: NodeAgentChart) -> PodParts:
    v = chart.v
    runtime_dir = posixpath.dirname(chart.runtime_socket())
    runtime_on = v.on("datadog.containerRuntimeSupport.enabled")
    ca_path = str(v.get("datadog.kubelet.hostCAPath") or "")
    ca_file = str(v.get("datadog.kubelet.agentCAPath") or "/var/run/kubelet-ca/" + posixpath.basename(ca_path))
    os_release = chart.os_release_file()
    release_mounts = [
        _mount(f"etc-{name}-release", f"/host/etc/{name}-release", True)
        for name in _RELEASE_NAMES
        if chart.os_release_paths() and v.get("datadog.osReleasePath") != f"/etc/{name}-release"
    ]
    host_release = os_release and (chart.system_probe() or v.get("datadog.osReleasePath"))
    dsd_port: dict[str, Any] = {
        "containerPort": printed_number(v.get("datadog.dogstatsd.port")),
        "name": "dogstatsdport",
        "protocol": "UDP",
    }
    if v.on("datadog.dogstatsd.useHostPort"):
        dsd_port["hostPort"] = dsd_port["containerPort"]
    return PodParts(
        runtime_mount=[_mount("runtimesocketdir", posixpath.normpath("/host/" + runtime_dir), True)]
        if runtime_on
        else [],
        ca_mount=[_mount("kubelet-ca", ca_file, True)] if ca_path else [],
        dsd_dir=posixpath.dirname(str(v.get("datadog.dogstatsd.socketPath"))),
        apm_dir=posixpath.dirname(str(v.get("datadog.apm.socketPath"))),
        passwd=chart.passwd_allowed(),
        cri_set=bool(v.get("datadog.criSocketPath")),
        proc=_mount("procdir", "/host/proc", True),
        cgroups=_mount("cgroups", "/host/sys/fs/cgroup", True),
        release_mounts=release_mounts,
        host_release_mount=[_mount("os-release-file", "/host" + os_release, True)] if host_release else [],
        run_mount=[_mount("pointerdir" if chart.logs() else "datadogrun", "/opt/datadog-agent/run", False)],
        custom=_custom_mounts(v, "agents.volumeMounts"),
        dsd_port=dsd_port,
    )


_RELEASE_NAMES = ("redhat", "fedora", "lsb")


def render_pod(user_values: Mapping[str, Any], cluster: Cluster = ANY_CLUSTER) -> PodSpec:
    """The node-Agent pod spec (privilege-relevant parts) that the chart renders for these values,
    on a cluster whose API server reports `cluster`: each container of `CONTAINERS` whose condition
    holds, built by its own builder, and each volume of `HOST_VOLUMES` whose condition holds."""
    chart = NodeAgentChart(user_values)
    v = chart.v
    parts = _parts(chart)
    volumes = [vol for entry in HOST_VOLUMES if entry.when(chart) for vol in entry.volumes(chart)]
    volumes += [dict(copy_tree(vol)) for vol in v.get("agents.volumes") or [] if isinstance(vol, Mapping)]
    built = [(entry, entry.build(chart, parts)) for entry in CONTAINERS if entry.when(chart)]
    init_containers = [container for entry, container in built if entry.init]
    init_context = _security_context(v.get("agents.containers.initContainers.securityContext"))
    for init in init_containers:
        if init_context:
            init["securityContext"] = copy_tree(init_context)
    pod: PodSpec = {}
    pod_context = v.get("datadog.securityContext")
    if pod_context:
        pod["securityContext"] = copy_tree(pod_context)
    if v.on("agents.useHostNetwork"):  # printed as written: "false" is on for the `if`, then false in the pod
        pod["hostNetwork"] = printed_scalar(v.get("agents.useHostNetwork"))
    if chart.host_pid():
        pod["hostPID"] = True
    pod["containers"] = [container for entry, container in built if not entry.init]
    pod["initContainers"] = init_containers
    pod["volumes"] = volumes
    return CHART_PROVIDERS.finish(pod, v.tree, cluster, render_pod)


# --- one builder per container, in the chart's order --------------------------------------------------


def _init_volume(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    return {"name": "init-volume", "volumeMounts": []}


def _init_config(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    own = _custom_mounts(chart.v, "agents.containers.initContainers.volumeMounts")
    return {"name": "init-config", "volumeMounts": [parts.proc, *parts.runtime_mount, *own]}


def _host_profiler_seccomp_setup(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    root = str(chart.v.get("datadog.hostProfiler.seccompRoot"))
    return {
        "name": "host-profiler-seccomp-setup",
        "volumeMounts": [_mount("host-profiler-seccomp-root", "/host" + root, False)],
    }


def _seccomp_setup(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    return {"name": "seccomp-setup", "volumeMounts": [_mount("seccomp-root", "/host/var/lib/kubelet/seccomp", False)]}


def _sbom_layers(chart: NodeAgentChart) -> bool:
    v = chart.v
    return chart.sbom_images() and (
        v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
        or v.on("datadog.sbom.containerImage.overlayFSDirectScan")
    )


def _agent(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    v = chart.v
    gpu = v.on("datadog.gpuMonitoring.enabled")
    sbom_layers = _sbom_layers(chart)
    mounts = [*parts.host_release_mount, *parts.runtime_mount]
    if gpu:
        mounts += [
            _mount("pod-resources-socket", str(v.get("datadog.kubelet.podResourcesSocketDir")), False),
            {"name": "gpu-devices", "mountPath": "/var/run/nvidia-container-devices/all"},
        ]
    mounts += [_mount("dsdsocket", parts.dsd_dir, False), parts.proc, parts.cgroups]
    if parts.passwd and chart.process_checks() and chart.process_checks_in_core_agent():
        mounts.append(_mount("passwd", "/etc/passwd", True))
    if chart.logs():
        mounts += [
            _mount("pointerdir", "/opt/datadog-agent/run", False),
            _mount("logpodpath", "/var/log/pods", True),
            _mount("logscontainerspath", "/var/log/containers", True),
        ]
        if not parts.cri_set:
            mounts.append(_mount("logdockercontainerpath", "/var/lib/docker/containers", True))
    else:
        mounts.append({"name": "datadogrun", "mountPath": "/opt/datadog-agent/run"})
    if sbom_layers:
        mounts += [_mount(f"host-{n}-dir", "/host" + p, True) for n, p in _IMAGE_STORES]
    if chart.sbom_host():
        mounts += [_mount(f"host-{n}-dir", f"/host/var/lib/{n}", True) for n in _PACKAGE_DBS]
        if chart.os_release_paths():
            mounts += [
                _mount(f"etc-{n}-release", f"/host/etc/{n}-release", True)
                for n in (*_RELEASE_NAMES, "system")
                if v.get("datadog.osReleasePath") != f"/etc/{n}-release"
            ]
    mounts += parts.ca_mount + parts.custom
    ports = [] if chart.data_plane() else [parts.dsd_port]
    ports += _otlp_ports(v) + _custom_ports(v, "agents.containers.agent.ports")
    agent: dict[str, Any] = {"name": "agent", "volumeMounts": mounts}
    if ports:
        agent["ports"] = ports
    sys_admin = (
        sbom_layers
        and v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
        and not v.on("datadog.sbom.containerImage.overlayFSDirectScan")
    )
    apparmor = (
        v.on("agents.podSecurity.apparmor.enabled")
        and chart.sbom_images()
        and v.on("datadog.sbom.containerImage.uncompressedLayersSupport")
    )
    context = _security_context(
        v.get("agents.containers.agent.securityContext"),
        add=(("SYS_ADMIN",) if sys_admin else ()) + (("MKNOD",) if gpu else ()),
        apparmor="unconfined" if apparmor else "",
    )
    if context:
        agent["securityContext"] = context
    env = [_printed_env(entry) for entry in v.get("agents.containers.agent.env") or [] if is_map(entry)]
    if env:
        agent["env"] = env
    return agent


def _printed_env(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as the chart's additional-env-entries prints it: a set value quoted (7500 is "7500"), else
    its valueFrom."""
    printed: dict[str, Any] = {"name": go_text(entry.get("name"))}
    if entry.get("value"):
        printed["value"] = go_text(entry["value"])
    elif entry.get("valueFrom") is not None:
        printed["valueFrom"] = copy_tree(entry["valueFrom"])
    return printed


def _trace_agent(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    v = chart.v
    mounts = [parts.proc, parts.cgroups, _mount("dsdsocket", parts.dsd_dir, False)]
    if chart.apm_uds() and parts.dsd_dir != parts.apm_dir:
        mounts.append(_mount("apmsocket", parts.apm_dir, False))
    mounts += parts.runtime_mount + parts.ca_mount + parts.custom
    port: dict[str, Any] = {
        "containerPort": printed_number(v.get("datadog.apm.port")),
        "name": "traceport",
        "protocol": "TCP",
    }
    if chart.apm_host_port():
        port["hostPort"] = port["containerPort"]
    return _with_context(
        {
            "name": "trace-agent",
            "ports": [port, *_custom_ports(v, "agents.containers.traceAgent.ports")],
            "volumeMounts": mounts,
        },
        _security_context(v.get("agents.containers.traceAgent.securityContext")),
    )


def _process_agent(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    v = chart.v
    mounts = [_mount("dsdsocket", parts.dsd_dir, True), *parts.host_release_mount, *parts.runtime_mount, parts.cgroups]
    if parts.passwd and any(v.on(key) for key in _PROCESS_KEYS):
        mounts.append(_mount("passwd", "/etc/passwd", True))
    mounts += [parts.proc, *parts.ca_mount, *parts.custom]
    return _with_ports(
        _with_context(
            {"name": "process-agent", "volumeMounts": mounts},
            _security_context(v.get("agents.containers.processAgent.securityContext")),
        ),
        _custom_ports(v, "agents.containers.processAgent.ports"),
    )


def _otel_agent(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    v = chart.v
    mounts = [*parts.run_mount, parts.proc, parts.cgroups, _mount("dsdsocket", parts.dsd_dir, True)]
    if chart.otel_reads_log_files():
        mounts += [
            _mount("logpodpath", "/var/log/pods", True),
            _mount("logscontainerspath", "/var/log/containers", True),
        ]
        if not parts.cri_set:
            mounts.append(_mount("logdockercontainerpath", "/var/lib/docker/containers", True))
    mounts += parts.runtime_mount + parts.ca_mount + parts.custom
    mounts += _custom_mounts(v, "agents.containers.otelAgent.volumeMounts")
    ports = []
    for port in v.get("datadog.otelCollector.ports") or []:
        if isinstance(port, Mapping):
            entry = {
                "containerPort": printed_number(port.get("containerPort")),
                "protocol": port.get("protocol"),
                "name": port.get("name"),
            }
            if port.get("hostPort"):
                entry["hostPort"] = printed_number(port.get("hostPort"))
            ports.append(entry)
    ports += _custom_ports(v, "agents.containers.otelAgent.ports")
    return _with_context(
        {"name": "otel-agent", "ports": ports, "volumeMounts": mounts},
        _security_context(v.get("agents.containers.otelAgent.securityContext")),
    )


def _data_plane(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    v = chart.v
    mounts = [*parts.runtime_mount, _mount("dsdsocket", parts.dsd_dir, False), parts.proc, parts.cgroups, *parts.custom]
    ports = [parts.dsd_port, *_custom_ports(v, "agents.containers.agentDataPlane.ports")]
    return _with_context(
        {"name": "agent-data-plane", "ports": ports, "volumeMounts": mounts},
        _security_context(v.get("agents.containers.agentDataPlane.securityContext")),
    )


def _fips_proxy(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    first, count = int(chart.v.get("fips.port", 9803)), int(chart.v.get("fips.portRange", 15))
    ports = [
        {"containerPort": p, "name": f"port-{i}", "protocol": "TCP"} for i, p in enumerate(range(first, first + count))
    ]
    return {"name": "fips-proxy", "ports": ports}


# --- the pod's volumes: every hostPath the chart may declare, in its order, with its condition ----


Causes = Callable[["NodeAgentChart"], list[str]]


def _always(chart: NodeAgentChart) -> list[str]:
    """Declared whatever the values say."""
    return []


def _all(*keys: str) -> Causes:
    """An `and` of switches: every one of them is a cause."""
    return lambda chart: list(keys)


def _any(*keys: str) -> Causes:
    """An `or` of switches: the ones that are on (all, when the condition holds through none of them)."""
    return lambda chart: [k for k in keys if chart.v.on(k)] or list(keys)


def _triggered(*tables: tuple[Trigger, ...], also: Causes = _always) -> Causes:
    """The keys of the triggers that hold, table by table, then `also`'s."""

    def causes(chart: NodeAgentChart) -> list[str]:
        keys = [t.key for table in tables for t in chart.active(table)] + also(chart)
        return list(dict.fromkeys(keys))

    return causes


class HostVolume(NamedTuple):
    """A volume the chart declares when `when` holds: hostPath `path` (emptyDir when path is None).
    `causes`: the values keys of that condition which hold, for the audit to blame."""

    name: str
    path: Callable[[NodeAgentChart], str] | None
    when: Callable[[NodeAgentChart], bool]
    type: str = ""
    causes: Causes = _always

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


def _passwd_causes(chart: NodeAgentChart) -> list[str]:
    """The containers that read /etc/passwd; the core agent's process checks (Agent 7.60+) when none else."""
    users = _triggered(SYSTEM_PROBE_TRIGGERS, SECURITY_AGENT_TRIGGERS)(chart)
    users += [k for k in _PROCESS_KEYS if chart.v.on(k)]
    return list(dict.fromkeys(users)) or ["agents.image.tag"]


_PROCESS_KEYS = tuple(
    f"datadog.processAgent.{f}" for f in ("processCollection", "processDiscovery", "containerCollection")
)
_LOG_KEYS = ("datadog.logs.enabled", "datadog.logsEnabled", "datadog.otelCollector.logs.enabled")


def _compiling(chart: NodeAgentChart) -> list[str]:
    """What makes system-probe compile eBPF programs at run time (runtime_compilation's condition)."""
    keys = [
        k
        for k in (
            "datadog.systemProbe.enableTCPQueueLength",
            "datadog.systemProbe.enableOOMKill",
            "datadog.serviceMonitoring.enabled",
        )
        if chart.v.on(k)
    ]
    if chart.discovery() and chart.v.on("datadog.discovery.networkStats.enabled"):
        keys += ["datadog.discovery.enabled", "datadog.discovery.networkStats.enabled"]
    return keys


_GPU = _all("datadog.gpuMonitoring.enabled")
_IMAGE_STORES = (("containerd", "/var/lib/containerd"), ("docker", "/var/lib/docker"), ("crio", "/var/lib/containers"))
_PACKAGE_DBS = ("apk", "dpkg", "rpm")

HOST_VOLUMES: tuple[HostVolume, ...] = (
    HostVolume("pod-resources-socket", _value("datadog.kubelet.podResourcesSocketDir"), _gpu, causes=_GPU),
    HostVolume(
        "host-systemd-transient",
        _fixed("/run/systemd/transient"),
        lambda c: _gpu(c) and c.v.on("datadog.gpuMonitoring.configureCgroupPerms"),
        causes=_all("datadog.gpuMonitoring.enabled", "datadog.gpuMonitoring.configureCgroupPerms"),
    ),
    HostVolume("procdir", _fixed("/proc"), lambda c: True),
    HostVolume("cgroups", _fixed("/sys/fs/cgroup"), lambda c: True),
    HostVolume(
        "os-release-file",
        NodeAgentChart.os_release_file,
        lambda c: bool(c.os_release_file()),
        causes=_any("datadog.systemProbe.osReleasePath", "datadog.osReleasePath", "datadog.sbom.host.enabled"),
    ),
    *(
        HostVolume(
            f"etc-{n}-release",
            _fixed(f"/etc/{n}-release"),
            _release_files,
            causes=_triggered(SYSTEM_PROBE_TRIGGERS, also=lambda c: ["datadog.sbom.host.enabled"] * c.sbom_host()),
        )
        for n in ("redhat", "fedora", "lsb", "system")
    ),
    HostVolume(
        "dsdsocket",
        _value("datadog.dogstatsd.hostSocketPath"),
        lambda c: c.v.on("datadog.dogstatsd.useSocketVolume"),
        "DirectoryOrCreate",
        _all("datadog.dogstatsd.useSocketVolume"),
    ),
    HostVolume("dsdsocket", None, lambda c: not c.v.on("datadog.dogstatsd.useSocketVolume")),
    HostVolume(
        "kubelet-ca",
        _value("datadog.kubelet.hostCAPath"),
        lambda c: c.v.on("datadog.kubelet.hostCAPath"),
        "File",
        _all("datadog.kubelet.hostCAPath"),
    ),
    HostVolume(
        "apmsocket",
        _value("datadog.apm.hostSocketPath"),
        NodeAgentChart.apm_uds,
        "DirectoryOrCreate",
        _any("datadog.apm.socketEnabled", "datadog.apm.useSocketVolume"),
    ),
    HostVolume(
        "host-profiler-seccomp-root",
        _value("datadog.hostProfiler.seccompRoot"),
        NodeAgentChart.host_profiler_seccomp,
        causes=_all("datadog.hostProfiler.enabled"),
    ),
    HostVolume(
        "seccomp-root",
        _value("datadog.systemProbe.seccompRoot"),
        NodeAgentChart.seccomp_setup,
        causes=_triggered(SYSTEM_PROBE_TRIGGERS, also=_all("datadog.systemProbe.seccomp")),
    ),
    HostVolume(
        "debugfs", _fixed("/sys/kernel/debug"), NodeAgentChart.system_probe, causes=_triggered(SYSTEM_PROBE_TRIGGERS)
    ),
    HostVolume(
        "bpffs",
        _fixed("/sys/fs/bpf"),
        lambda c: c.system_probe() and c.v.on("datadog.networkMonitoring.enabled"),
        causes=_all("datadog.networkMonitoring.enabled"),
    ),
    *(
        HostVolume(
            name,
            _fixed(path),
            lambda c: c.compiles_ebpf() and c.v.on("datadog.systemProbe.enableDefaultKernelHeadersPaths"),
            causes=_compiling,
        )
        for name, path in (("modules", "/lib/modules"), ("src", "/usr/src"))
    ),
    HostVolume(
        "runtime-compiler-output-dir",
        lambda c: f"{_asset_dir(c)}/build",
        NodeAgentChart.compiles_ebpf,
        "DirectoryOrCreate",
        _compiling,
    ),
    HostVolume(
        "kernel-headers-download-dir",
        lambda c: f"{_asset_dir(c)}/kernel-headers",
        NodeAgentChart.compiles_ebpf,
        "DirectoryOrCreate",
        _compiling,
    ),
    _PackageDirs("package-dirs", None, NodeAgentChart.compiles_ebpf, causes=_compiling),
    HostVolume(
        "btf-path",
        _value("datadog.systemProbe.btfPath"),
        lambda c: c.system_probe() and c.v.on("datadog.systemProbe.btfPath"),
        causes=_all("datadog.systemProbe.btfPath"),
    ),
    HostVolume("passwd", _fixed("/etc/passwd"), NodeAgentChart.passwd_volume, causes=_passwd_causes),
    HostVolume("hostroot", _fixed("/"), NodeAgentChart.host_root, causes=_triggered(HOST_ROOT_TRIGGERS)),
    *(
        HostVolume(
            f"host-{name}-dir",
            _fixed(path),
            lambda c: c.sbom_images() and c.v.on("datadog.sbom.containerImage.uncompressedLayersSupport"),
            causes=_all("datadog.sbom.containerImage.enabled", "datadog.sbom.containerImage.uncompressedLayersSupport"),
        )
        for name, path in _IMAGE_STORES
    ),
    *(
        HostVolume(
            f"host-{n}-dir", _fixed(f"/var/lib/{n}"), NodeAgentChart.sbom_host, causes=_all("datadog.sbom.host.enabled")
        )
        for n in _PACKAGE_DBS
    ),
    HostVolume(
        "group",
        _fixed("/etc/group"),
        lambda c: c.cws() or c.v.on("datadog.securityAgent.compliance.enabled"),
        causes=_any("datadog.securityAgent.runtime.enabled", "datadog.securityAgent.compliance.enabled"),
    ),
    HostVolume(
        "runtimesocketdir",
        lambda c: posixpath.dirname(c.runtime_socket()),
        lambda c: c.v.on("datadog.containerRuntimeSupport.enabled"),
        causes=lambda c: [
            "datadog.containerRuntimeSupport.enabled",
            *(k for k in ("datadog.dockerSocketPath", "datadog.criSocketPath") if c.v.on(k)),
        ],
    ),
    HostVolume(
        "logpodpath",
        lambda c: str(c.v.get("datadog.kubelet.podLogsPath") or "/var/log/pods"),
        lambda c: c.logs() or c.otel_logs_volumes(),
        causes=_any(*_LOG_KEYS),
    ),
    HostVolume(
        "logscontainerspath",
        _fixed("/var/log/containers"),
        lambda c: c.logs() or c.otel_logs_volumes(),
        causes=_any(*_LOG_KEYS),
    ),
    HostVolume(
        "logdockercontainerpath",
        _fixed("/var/lib/docker/containers"),
        lambda c: (c.logs() or c.otel_logs_volumes()) and not c.v.get("datadog.criSocketPath"),
        causes=_any(*_LOG_KEYS),
    ),
    HostVolume("pointerdir", _fixed("/var/lib/datadog-agent/logs"), NodeAgentChart.logs, causes=_any(*_LOG_KEYS[:2])),
    HostVolume("datadogrun", None, lambda c: not c.logs()),
    HostVolume("gpu-devices", _fixed("/dev/null"), _gpu, causes=_GPU),
    HostVolume(
        "tracingfs",
        _fixed("/sys/kernel/tracing"),
        NodeAgentChart.host_profiler,
        causes=_all("datadog.hostProfiler.enabled"),
    ),
)


def volume_causes(chart: NodeAgentChart, name: str) -> list[str]:
    """The keys that make the chart declare volume `name` (empty: always declared, or not a chart volume)."""
    for entry in HOST_VOLUMES:
        if entry.name == name and entry.path is not None and entry.when(chart):
            return entry.causes(chart)
    if name in {n for n, _ in _package_dirs(chart.v)}:
        return _compiling(chart)
    return []


# Capabilities the chart adds to a container for a feature, by capability: the keys of that condition.
CAPABILITY_CAUSES: dict[tuple[str, str], Causes] = {
    ("agent", "SYS_ADMIN"): _all(
        "datadog.sbom.containerImage.enabled", "datadog.sbom.containerImage.uncompressedLayersSupport"
    ),
    ("agent", "MKNOD"): _GPU,
    ("system-probe", "MKNOD"): _all("datadog.gpuMonitoring.enabled", "datadog.gpuMonitoring.privilegedMode"),
    ("system-probe", "KILL"): _all(
        "datadog.securityAgent.runtime.enabled", "datadog.securityAgent.runtime.enforcement.enabled"
    ),
    ("security-agent", "AUDIT_CONTROL"): _all("datadog.securityAgent.compliance.enabled"),
    ("security-agent", "AUDIT_READ"): _all("datadog.securityAgent.compliance.enabled"),
}


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


def _system_probe(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    release_mounts, host_release_mount, passwd, custom = (
        parts.release_mounts,
        parts.host_release_mount,
        parts.passwd,
        parts.custom,
    )
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


def _security_agent(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    dsd_dir, passwd, host_release_mount = parts.dsd_dir, parts.passwd, parts.host_release_mount
    runtime_mount, ca_mount, custom = parts.runtime_mount, parts.ca_mount, parts.custom
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
    context: dict[str, Any] = dict(copy_tree(base)) if isinstance(base, Mapping) else {}
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
    return f"host-profiler-{sha256_hex(image)[:8]}{suffix}"


def _host_profiler(chart: NodeAgentChart, parts: PodParts) -> dict[str, Any]:
    run_mount, runtime_mount, ca_mount, custom = parts.run_mount, parts.runtime_mount, parts.ca_mount, parts.custom
    v = chart.v
    mounts = [_mount("tracingfs", "/sys/kernel/tracing", True), *run_mount, *runtime_mount, *ca_mount, *custom]
    mounts += _custom_mounts(v, "agents.containers.hostProfiler.volumeMounts")
    seccomp = f"localhost/{host_profiler_seccomp_name(v)}" if chart.host_profiler_seccomp() else "unconfined"
    apparmor = str(v.get("datadog.hostProfiler.apparmor") or "") if v.on("agents.podSecurity.apparmor.enabled") else ""
    context = _security_context(
        v.get("agents.containers.hostProfiler.securityContext"), seccomp=seccomp, apparmor=apparmor
    )
    return _with_context({"name": "host-profiler", "volumeMounts": mounts}, context)


# --- the pod's containers: each one the chart may add, with the keys of its condition ---------------


class ContainerEntry(NamedTuple):
    """A container (or init container) the chart adds when `when` holds, built by `build`, and the keys of
    that condition (`causes`) for the audit to blame."""

    name: str
    when: Callable[[NodeAgentChart], bool]
    build: Callable[[NodeAgentChart, PodParts], dict[str, Any]]
    causes: Causes = _always
    init: bool = False


_APM_KEYS = (
    "datadog.apm.socketEnabled",
    "datadog.apm.useSocketVolume",
    "datadog.apm.portEnabled",
    "datadog.apm.enabled",
    "datadog.apm.useLocalService",
)

CONTAINERS: tuple[ContainerEntry, ...] = (
    ContainerEntry("init-volume", lambda c: True, _init_volume, init=True),
    ContainerEntry("init-config", lambda c: True, _init_config, init=True),
    ContainerEntry(
        "host-profiler-seccomp-setup",
        NodeAgentChart.host_profiler_seccomp,
        _host_profiler_seccomp_setup,
        _all("datadog.hostProfiler.enabled"),
        init=True,
    ),
    ContainerEntry(
        "seccomp-setup",
        NodeAgentChart.seccomp_setup,
        _seccomp_setup,
        _triggered(SYSTEM_PROBE_TRIGGERS, also=_all("datadog.systemProbe.seccomp")),
        init=True,
    ),
    ContainerEntry("agent", lambda c: True, _agent),
    ContainerEntry("trace-agent", NodeAgentChart.trace_agent, _trace_agent, _any(*_APM_KEYS)),
    ContainerEntry("process-agent", NodeAgentChart.process_agent, _process_agent, _triggered(PROCESS_AGENT_TRIGGERS)),
    ContainerEntry("system-probe", NodeAgentChart.system_probe, _system_probe, _triggered(SYSTEM_PROBE_TRIGGERS)),
    ContainerEntry(
        "security-agent", NodeAgentChart.security_agent, _security_agent, _triggered(SECURITY_AGENT_TRIGGERS)
    ),
    ContainerEntry("otel-agent", NodeAgentChart.otel, _otel_agent, _all("datadog.otelCollector.enabled")),
    ContainerEntry("host-profiler", NodeAgentChart.host_profiler, _host_profiler, _all("datadog.hostProfiler.enabled")),
    ContainerEntry("agent-data-plane", NodeAgentChart.data_plane, _data_plane, _all("datadog.dataPlane.enabled")),
    ContainerEntry("fips-proxy", NodeAgentChart.fips_proxy, _fips_proxy, _all("fips.enabled")),
)


def container_causes(chart: NodeAgentChart, name: str) -> list[str]:
    """The keys that make the chart add container `name` (empty: it is always there)."""
    entry = next((e for e in CONTAINERS if e.name == name), None)
    return entry.causes(chart) if entry is not None and entry.when(chart) else []
