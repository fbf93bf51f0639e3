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

    def overridden_containers(self) -> tuple[str, ...]:
        """The overridable node-Agent containers the Operator runs for this resource."""
        runs = {
            "trace-agent": self.on("apm"),
            "process-agent": bool(set(PROCESS_AGENT_FEATURES) & set(self.system_probe)),
        }
        return tuple(name for name in OVERRIDDEN_CONTAINERS if runs.get(name, True))
