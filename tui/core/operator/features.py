"""What the Datadog Operator makes of a DatadogAgent's features: the one model of its behaviour.

The Operator model writes a resource from the answers (`resource.py`) and predicts the pod the
Operator deploys for it (`footprint.py`); the DatadogAgent audit (`audit/datadog_agent.py`) reads a user's resource.
Both read this module: each `spec.features` switch with the Operator's default when it is unset, the
features for which the Operator turns hostPID on, and the node-Agent containers it overrides (the
features that bring process-agent are the Agent's: `answers.PROCESS_AGENT_FEATURES`). Facts from the
chart reference (§7); the Operator was not run here.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core.agent_version import AgentVersion
from tui.core.answers.contract import PROCESS_AGENT_FEATURES, SYSTEM_PROBE_FEATURES
from tui.core.errors import AnswerError
from tui.core.yamlio.dotted import lookup, section

# spec.features field of each system-probe answer.
FEATURE_FIELDS = {
    "npm": "npm",
    "usm": "usm",
    "cws": "cws",
    "oom-kill": "oomKill",
    "tcp-queue-length": "tcpQueueLength",
}
assert tuple(FEATURE_FIELDS) == SYSTEM_PROBE_FEATURES, "every system-probe answer needs its spec.features field"
# System-probe features for which the Operator itself turns on hostPID.
HOST_PID_FEATURES = ("npm", "usm", "cws")
# Node-Agent containers whose securityContext the Operator takes from the override (each one whole).
OVERRIDDEN_CONTAINERS = ("agent", "trace-agent", "process-agent", "init-volume", "init-config")


class Switch(NamedTuple):
    """A boolean field under spec.features and the Operator's default when the resource leaves it unset."""

    field: str
    default: bool


# Every switch the model reads. Service discovery's default follows the Agent version (on from 7.78).
SWITCHES: dict[str, Switch] = {
    "dsd_socket": Switch("dogstatsd.unixDomainSocketConfig.enabled", True),
    "dsd_host_port": Switch("dogstatsd.hostPortConfig.enabled", False),
    "origin_detection": Switch("dogstatsd.originDetectionEnabled", False),
    "apm": Switch("apm.enabled", True),
    "apm_socket": Switch("apm.unixDomainSocketConfig.enabled", True),
    "apm_host_port": Switch("apm.hostPortConfig.enabled", False),
    "logs": Switch("logCollection.enabled", False),
    "logs_all": Switch("logCollection.containerCollectAll", False),
    "processes": Switch("liveProcessCollection.enabled", False),
    "containers": Switch("liveContainerCollection.enabled", True),
    "process_discovery": Switch("processDiscovery.enabled", True),
    **{feature: Switch(f"{field}.enabled", False) for feature, field in FEATURE_FIELDS.items()},
}
SERVICE_DISCOVERY = "serviceDiscovery.enabled"

# spec.features the model follows: each switch above, service discovery, and the audit's own readings of
# cspm, sbom (its host part) and otlp (the receivers' host ports).
MODELLED_FEATURES = frozenset(
    {field.split(".")[0] for field, _ in SWITCHES.values()} | {"serviceDiscovery", "cspm", "sbom", "otlp"}
)
# spec.features that give the node-Agent pod no privilege: they configure the Cluster Agent or only the
# Agent's behaviour (datadog-operator feature/<name>), so the ledger has nothing to follow.
NO_NODE_PRIVILEGE = frozenset(
    {
        "admissionController",
        "orchestratorExplorer",
        "eventCollection",
        "kubeStateMetricsCore",
        "clusterChecks",
        "externalMetricsServer",
        "prometheusScrape",
        "helmCheck",
        "remoteConfiguration",
        "asm",
        "autoscaling",
    }
)
# What the Operator adds for the features the model does not follow (datadog-operator feature/<name>).
UNMODELLED_FEATURES = {
    "otelCollector": "the otel-agent container, and its receivers' ports (4317, 4318 by default) open on the host",
    "otelAgentGateway": "a gateway Deployment of the OpenTelemetry collector",
    "gpu": "system-probe with eBPF capabilities, the GPU devices and the NVIDIA driver directories of the host",
    "ebpfCheck": "system-probe with eBPF capabilities and debugfs",
    "dynamicInstrumentation": "system-probe with eBPF capabilities and the host's /proc",
    "dataPlane": "the agent-data-plane container",
    "controlPlaneMonitoring": "control-plane checks and the host paths they read",
    "kubernetesActions": "rights for the Cluster Agent to act on workloads",
    "sbom.containerImage": "with uncompressed layers, SYS_ADMIN on the agent and the runtime's image directories",
    "sbom.enrichment": "hostPID, and system-probe with SYS_ADMIN, SYS_PTRACE and debugfs",
}
# Features the model does not follow that run system-probe.
UNMODELLED_SYSTEM_PROBE = ("gpu", "ebpfCheck", "dynamicInstrumentation")


def _enables(node: Any) -> bool:
    """Some `enabled: true` is set at or below this node."""
    if isinstance(node, Mapping):
        return node.get("enabled") is True or any(_enables(v) for v in node.values())
    return isinstance(node, list) and any(_enables(v) for v in node)


def host_pid_reason(system_probe: tuple[str, ...], dsd_socket: bool, origin_detection: bool) -> str:
    """Why the Operator turns hostPID on by itself ("" when it does not): the one statement of its rule."""
    features = [f for f in system_probe if f in HOST_PID_FEATURES]
    if features:
        return "system_probe=" + ",".join(features)
    if dsd_socket and origin_detection:
        return "dogstatsd=uds + origin_detection"
    return ""


def _version(spec: Mapping[str, Any]) -> AgentVersion | None:
    tag = lookup(spec, "override.nodeAgent.image.tag")
    if tag is None:
        return None
    try:
        return AgentVersion.parse(str(tag))
    except AnswerError:
        return None


class OperatorAgent:
    """A DatadogAgent as the Operator reads it: each switch's value, and whether the resource sets it."""

    def __init__(self, resource: Mapping[str, Any]) -> None:
        self.resource = resource
        self.spec = section(resource, "spec")
        self.node = section(self.spec, "override.nodeAgent")
        self.version = _version(self.spec)
        self.pod_context = section(self.node, "securityContext")

    def _switch(self, dotted: str, default: bool) -> tuple[bool, bool]:
        value = lookup(self.spec, f"features.{dotted}")
        return (value, True) if isinstance(value, bool) else (default, False)

    def on(self, name: str) -> bool:
        if name == "service_discovery":
            return self._switch(SERVICE_DISCOVERY, self.version is None or self.version.discovery_on_by_default)[0]
        return self._switch(SWITCHES[name].field, SWITCHES[name].default)[0]

    def explicit(self, name: str) -> bool:
        field = SERVICE_DISCOVERY if name == "service_discovery" else SWITCHES[name].field
        return self._switch(field, False)[1]

    @property
    def system_probe(self) -> tuple[str, ...]:
        return tuple(feature for feature in FEATURE_FIELDS if self.on(feature))

    @property
    def run_as_user(self) -> Any:
        return self.pod_context.get("runAsUser", 0)  # the Operator forces root when nothing says otherwise

    @property
    def dogstatsd_off(self) -> bool:
        return any(
            isinstance(e, Mapping) and e.get("name") == "DD_USE_DOGSTATSD" and str(e.get("value")).lower() == "false"
            for e in lookup(self.node, "containers.agent.env", []) or []
        )

    def host_pid_needed_by(self) -> str:
        """What here makes the Operator turn hostPID on ("" when nothing does)."""
        return host_pid_reason(self.system_probe, self.on("dsd_socket"), self.on("origin_detection"))

    @property
    def host_pid(self) -> tuple[bool, str]:
        """(hostPID on, the field responsible): the override, else the feature for which the Operator turns it on."""
        override = self.node.get("hostPID")
        if isinstance(override, bool):
            return override, "spec.override.nodeAgent.hostPID"
        pid_features = [f for f in self.system_probe if f in HOST_PID_FEATURES]
        if pid_features:
            return True, f"spec.features.{FEATURE_FIELDS[pid_features[0]]}.enabled"
        if self.host_pid_needed_by():
            return True, "spec.features.dogstatsd.originDetectionEnabled"
        return False, ""

    def unmodelled_features(self) -> dict[str, str]:
        """spec.features (dotted below spec.features) that the resource turns on and the model does not
        follow, with what the Operator adds for each: the ledger is partial for them."""
        features = section(self.spec, "features")
        out = {}
        for name, block in features.items():
            if name in MODELLED_FEATURES or name in NO_NODE_PRIVILEGE or not _enables(block):
                continue
            out[str(name)] = UNMODELLED_FEATURES.get(str(name), "what the Operator adds to the pods for it")
        if lookup(features, "sbom.enabled") is True:
            for part in ("containerImage", "enrichment"):
                if _enables(lookup(features, f"sbom.{part}")):
                    out[f"sbom.{part}"] = UNMODELLED_FEATURES[f"sbom.{part}"]
        return out

    def otlp_host_ports(self) -> list[tuple[str, int, str]]:
        """(protocol, host port, the hostPortConfig.enabled key) of each OTLP receiver the resource turns on
        whose host port stays open (datadog-operator: defaultOTLPGRPCHostPortEnabled and the HTTP one are true)."""
        out = []
        for protocol, default_port in (("grpc", 4317), ("http", 4318)):
            block = section(self.spec, f"features.otlp.receiver.protocols.{protocol}")
            key = f"spec.features.otlp.receiver.protocols.{protocol}.hostPortConfig.enabled"
            if block.get("enabled") is not True or lookup(block, "hostPortConfig.enabled") is False:
                continue
            port = lookup(block, "hostPortConfig.port")
            out.append((protocol, port if isinstance(port, int) and port else default_port, key))
        return out

    def overridden_containers(self) -> tuple[str, ...]:
        """The overridable node-Agent containers the Operator runs for this resource."""
        runs = {
            "trace-agent": self.on("apm"),
            "process-agent": bool(set(PROCESS_AGENT_FEATURES) & set(self.system_probe)),
        }
        return tuple(name for name in OVERRIDDEN_CONTAINERS if runs.get(name, True))
