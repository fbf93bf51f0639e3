"""The answers contract: ids, allowed values, defaults, validation and layering.

Wizards, presets, answers files and `--set` all speak these ids. Every default is the
least-privilege choice, so an empty set of answers is already a valid, minimal deployment.
"""

import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from tui.core.agent_version import AgentVersion
from tui.core.errors import AnswerError
from tui.core.platforms.api_server import Cluster
from tui.core.platforms.catalog import PLATFORM_NAMES, PLATFORMS, RUNTIME_SOCKETS, explicit_conflicts

RUNTIMES = ("containerd", "cri-o", "docker")
DOGSTATSD = ("uds", "udp", "udp-hostport", "off")
APM = ("off", "uds", "tcp-local-service", "tcp-hostport")
LOGS = ("off", "annotated", "all")
RUN_AS = ("nonroot", "root")
SYSTEM_PROBE_FEATURES = ("npm", "usm", "cws", "oom-kill", "tcp-queue-length")
# System-probe features whose network data goes through the process-agent container.
PROCESS_AGENT_FEATURES = ("npm", "usm")
SITES = (
    "datadoghq.com",
    "datadoghq.eu",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "ddog-gov.com",
)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Datadog cluster names: lowercase letters, digits, hyphens and dots, starting with a letter,
# ending with a letter or digit, at most 80 characters.
_CLUSTER_NAME = re.compile(r"^[a-z]([-a-z0-9.]*[a-z0-9])?$")
# A Kubernetes minor version, as `kubectl version` prints it (1.MINOR).
_KUBE_MINOR = re.compile(r"^1\.(1[89]|[2-9]\d)$")
# Fine-grained kubelet authorization (KubeletFineGrainedAuthz) is alpha in 1.32, off unless the
# kubelet's feature gate is set; beta and on by default from 1.33.
FINE_GRAINED_KUBELET_FROM = 33
# From 1.30 the chart gives AppArmor profiles as securityContext fields, which the model renders; before,
# as pod annotations, which it does not.
APPARMOR_FIELDS_FROM = 30
_SECRET_WORDS = ("api_key", "apikey", "api-key", "app_key", "appkey")
# Datadog API keys are 32 hexadecimal characters, application keys 40: a Secret name holding such a run is
# almost surely a pasted key, which would land in values.yaml and in the printed `kubectl create secret`.
_PASTED_KEY = re.compile(r"(?<![0-9a-f])(?:[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-f])", re.IGNORECASE)


class _AnswerFields(NamedTuple):
    platform: str = "generic"
    agent_version: str = "7.81.1"
    runtime: str = "containerd"
    runtime_socket: str | None = None
    dogstatsd: str = "udp"
    origin_detection: bool = False
    apm: str = "off"
    logs: str = "off"
    process_collection: bool = False
    run_as: str = "nonroot"
    system_probe: tuple[str, ...] = ()
    kubernetes_version: str = "1.33"
    admission_controller: bool = False
    orchestrator_explorer: bool = False
    secret_metrics: bool = False
    kubernetes_events: bool = False
    site: str = "datadoghq.com"
    cluster_name: str | None = None
    api_key_secret: str = "datadog-secret"
    release_name: str = "datadog"
    namespace: str = "datadog"


class Answers(_AnswerFields):
    """One user's answers: validated on construction, immutable, hashable (one cache key per deployment)."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> "Answers":
        given = _AnswerFields(*args, **kwargs)
        for spec in ANSWER_SPECS.values():
            spec.check(getattr(given, spec.id))
        given = _on_platform(given)
        if given.system_probe and int(given.kubernetes_version.split(".")[1]) < APPARMOR_FIELDS_FROM:
            raise AnswerError(
                f"kubernetes_version: {given.kubernetes_version} with system-probe features is not supported: "
                f"before 1.{APPARMOR_FIELDS_FROM} the chart sets system-probe's AppArmor profile as an annotation, "
                "which ddsecure does not model; answer 1.30 or later, or no system_probe features"
            )
        _check_system_probe_on_platform(given)
        _check_release_name_length(given)
        # The effective choice, not a rejected combination: origin detection has nothing to tag
        # when DogStatsD is off, so it is normalised away rather than refused.
        return super().__new__(
            cls,
            *given._replace(
                origin_detection=given.origin_detection and given.dogstatsd != "off",
                system_probe=tuple(sorted(set(given.system_probe), key=_feature_order)),
            ),
        )

    @property
    def socket_path(self) -> str:
        """The container runtime's socket on the nodes: the answer, else the platform's, else the usual one."""
        return self.runtime_socket or _default_socket(self.platform, self.runtime)

    @property
    def version(self) -> AgentVersion:
        return AgentVersion.parse(self.agent_version)

    @property
    def non_root(self) -> bool:
        return self.run_as == "nonroot"

    @property
    def uid(self) -> int:
        return self.version.dd_agent_uid if self.non_root else 0

    @property
    def dogstatsd_over_uds(self) -> bool:
        return self.dogstatsd == "uds"

    @property
    def apm_over_uds(self) -> bool:
        return self.apm == "uds"

    @property
    def process_agent(self) -> bool:
        """A process-agent container is needed: NPM or USM, or process collection before Agent 7.60."""
        network = bool(set(PROCESS_AGENT_FEATURES) & set(self.system_probe))
        explorer = self.orchestrator_explorer and self.version.orchestrator_needs_process_agent
        return network or explorer or (self.process_collection and not self.version.process_checks_in_core_agent)

    @property
    def kubernetes_minor(self) -> int:
        return int(self.kubernetes_version.split(".")[1])

    @property
    def api_server(self) -> Cluster:
        """What the cluster's API server tells helm: the platform's APIs at the answered Kubernetes version."""
        return PLATFORMS[self.platform].cluster.at_version(self.kubernetes_version)

    @property
    def fine_grained_kubelet(self) -> bool:
        """The kubelet authorizes nodes/pods, nodes/healthz... instead of the all-powerful nodes/proxy."""
        return self.kubernetes_minor >= FINE_GRAINED_KUBELET_FROM

    @property
    def host_pid(self) -> bool:
        """hostPID buys one thing here: mapping a Unix-socket peer's PID to its container."""
        return self.dogstatsd_over_uds and self.origin_detection

    def replace(self, **changes: Any) -> "Answers":
        return Answers(**{**self._asdict(), **{k: coerce(k, v) for k, v in changes.items()}})

    def as_dict(self) -> dict[str, Any]:
        """Plain data in contract order, lists for lists: what answers files and JSON hold."""
        out: dict[str, Any] = {}
        for spec in ANSWER_SPECS.values():
            value = getattr(self, spec.id)
            out[spec.id] = list(value) if isinstance(value, tuple) else value
        return out

    def changed_from_defaults(self) -> dict[str, Any]:
        default = Answers().as_dict()
        return {k: v for k, v in self.as_dict().items() if v != default[k]}


def _default_socket(platform: str, runtime: str) -> str:
    return PLATFORMS[platform].sockets.get(runtime) or RUNTIME_SOCKETS[runtime]


def _on_platform(given: _AnswerFields) -> _AnswerFields:
    """What the platform settles: its runtime, its socket, and a fallback for each value it refuses.

    Explicit answers the platform refuses are caught earlier, in `layer`, with the reason; here the
    remaining ones (defaults, a wizard that changed platform after other answers) take the fallback.
    """
    platform = PLATFORMS[given.platform]
    changes: dict[str, Any] = {}
    if platform.runtime is not None:
        changes["runtime"] = platform.runtime
    runtime = changes.get("runtime", given.runtime)
    if platform.socket_fixed or given.runtime_socket == _default_socket(given.platform, runtime):
        changes["runtime_socket"] = None
    for refusal in platform.refuses:
        value = getattr(given, refusal.answer_id)
        if isinstance(value, tuple) and refusal.value in value:
            changes[refusal.answer_id] = tuple(v for v in value if v != refusal.value)
        elif value == refusal.value and refusal.answer_id not in changes:
            changes[refusal.answer_id] = refusal.fallback
    return given._replace(**changes) if changes else given


def chart_fullname(release: str) -> str:
    """The chart's `datadog.fullname`, which begins the name of every object it renders: the release name
    alone when it already contains "datadog"."""
    name = release if "datadog" in release else f"{release}-datadog"
    return name[:63].rstrip("-")


# The longest name the chart gives a Service (63 characters at most, as every DNS label): the admission
# controller's when it is on, else the Cluster Agent's.
_LONGEST_SERVICE = {True: "-cluster-agent-admission-controller", False: "-cluster-agent"}


def _check_release_name_length(given: _AnswerFields) -> None:
    name = chart_fullname(given.release_name) + _LONGEST_SERVICE[bool(given.admission_controller)]
    if len(name) > 63:
        raise AnswerError(
            f"release_name: {given.release_name!r} is too long with these answers: the chart names a Service "
            f"{name} ({len(name)} characters) and Kubernetes allows 63; answer a shorter release name"
        )


def _check_system_probe_on_platform(given: _AnswerFields) -> None:
    """Refuse system-probe features where the chart renders no system-probe at the answered version (GKE
    Autopilot before its WorkloadAllowlist variant): helm would fail on them."""
    platform = PLATFORMS[given.platform]
    floor = platform.system_probe_from
    if not given.system_probe or floor is None:
        return
    cluster = platform.cluster.at_version(given.kubernetes_version)
    if not cluster.kube_at_least(floor):
        raise AnswerError(
            f"kubernetes_version: {given.kubernetes_version} with system-probe features is not supported on "
            f"{platform.title}: the chart renders system-probe there only from {floor.removeprefix('v')}, and "
            f"ddsecure renders {given.kubernetes_version} as {cluster.kube_version}, so helm would refuse the eBPF "
            "features; answer a later Kubernetes version, or no system_probe features"
        )


def _feature_order(feature: str) -> int:
    return SYSTEM_PROBE_FEATURES.index(feature) if feature in SYSTEM_PROBE_FEATURES else 99


class AnswerSpec(NamedTuple):
    """What one answer id accepts: a closed set of choices, a boolean, a list or checked text."""

    id: str
    kind: str  # "choice", "bool", "list", "text"
    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    max_length: int = 253
    optional: bool = False
    hint: str = ""

    def allowed(self) -> str:
        if self.kind == "bool":
            return "true, false"
        if self.kind in ("choice", "list"):
            return ", ".join(self.choices)
        return self.hint

    def check(self, value: Any) -> None:
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise AnswerError(f"{self.id}: {value!r} is not a boolean; valid: true, false")
        elif self.kind == "choice":
            if value not in self.choices:
                raise AnswerError(f"{self.id}: unknown value {value!r}; valid: {self.allowed()}")
        elif self.kind == "list":
            if not isinstance(value, (tuple, list)):
                raise AnswerError(f"{self.id}: expected a list of: {self.allowed()}")
            for item in value:
                if item not in self.choices:
                    raise AnswerError(f"{self.id}: unknown feature {item!r}; valid: {self.allowed()}")
        elif self.id == "agent_version":
            AgentVersion.parse(value)
        elif self.id == "runtime_socket":
            _check_socket_path(value)
        elif self.id == "api_key_secret" and isinstance(value, str) and (pasted := _PASTED_KEY.search(value)):
            _refuse_pasted_key(len(pasted.group(0)))
        else:
            if value is None and self.optional:
                return
            if not isinstance(value, str) or not value:
                raise AnswerError(f"{self.id}: expected {self.hint}")
            # fullmatch: `$` alone would accept a final newline ("datadog\n" from an answers file)
            if len(value) > self.max_length or not (self.pattern and self.pattern.fullmatch(value)):
                raise AnswerError(f"{self.id}: {value!r} is not valid; expected {self.hint}")
            if self.id == "namespace" and value in SYSTEM_NAMESPACES:
                raise AnswerError(
                    f"namespace: {value} holds the cluster's own workloads, and the bundle's fence and Pod Security "
                    "labels bind the whole namespace (they would refuse kube-proxy, CNI and CSI pods there); "
                    "answer a namespace of the Agent's own, e.g. datadog"
                )


_SOCKET_HINT = "an absolute path to the runtime's socket, e.g. /run/k3s/containerd/containerd.sock"
# Host directories the chart mounts for something else: a socket's directory inside one would share it.
_MOUNTED_FOR_OTHERS = ("/proc", "/sys", "/var/log", "/var/lib/datadog-agent", "/var/run/datadog", "/run/datadog")
# Namespaces of the cluster itself: a fence bound to one of them would hold every workload there.
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
_SOCKET_PATH = re.compile(r"^/[A-Za-z0-9._+@/-]*[A-Za-z0-9._+@-]$")


def _check_socket_path(value: Any) -> None:
    """An absolute, normalised file path; its directory is what the Agent mounts, so never the host's /."""
    if value is None:
        return
    if not isinstance(value, str) or not value:
        raise AnswerError(f"runtime_socket: an empty path is not a socket; give {_SOCKET_HINT}, or leave it unset")
    if not value.startswith("/"):
        raise AnswerError(f"runtime_socket: {value!r} is relative; give {_SOCKET_HINT}")
    plain = posixpath.normpath(value) == value and not value.startswith("//")  # normpath keeps a leading //
    if len(value) > 1024 or not _SOCKET_PATH.fullmatch(value) or not plain:
        raise AnswerError(f"runtime_socket: {value!r} is not a plain absolute path; give {_SOCKET_HINT}")
    directory = posixpath.dirname(value)
    if directory == "/":
        raise AnswerError(
            f"runtime_socket: {value!r} sits in / and the Agent would mount the host's root; give {_SOCKET_HINT}"
        )
    taken = next((d for d in _MOUNTED_FOR_OTHERS if directory == d or directory.startswith(d + "/")), None)
    if taken is not None:
        raise AnswerError(
            f"runtime_socket: {value!r} lies in {taken}, which the chart mounts for other reasons (with other "
            f"access); the two mounts would be one, and the ledger wrong; give {_SOCKET_HINT}"
        )


def _refuse_pasted_key(run: int) -> None:
    """Never echo the value: it is a credential."""
    kind = "an API key" if run == 32 else "an application key"
    raise AnswerError(
        f"api_key_secret: this looks like {kind} ({run} hexadecimal characters), not a Secret name; ddsecure never "
        "takes a key: store it with 'kubectl create secret generic datadog-secret --from-literal api-key=...' "
        "and answer the Secret's name (datadog-secret)"
    )


ANSWER_SPECS: dict[str, AnswerSpec] = {
    spec.id: spec
    for spec in (
        AnswerSpec("platform", "choice", PLATFORM_NAMES),
        AnswerSpec("agent_version", "text", hint="an Agent 7 version 7.MINOR.PATCH (-jmx/-full allowed)"),
        AnswerSpec("runtime", "choice", RUNTIMES),
        AnswerSpec("runtime_socket", "text", optional=True, hint=_SOCKET_HINT),
        AnswerSpec("dogstatsd", "choice", DOGSTATSD),
        AnswerSpec("origin_detection", "bool"),
        AnswerSpec("apm", "choice", APM),
        AnswerSpec("logs", "choice", LOGS),
        AnswerSpec("process_collection", "bool"),
        AnswerSpec("run_as", "choice", RUN_AS),
        AnswerSpec("system_probe", "list", SYSTEM_PROBE_FEATURES),
        AnswerSpec(
            "kubernetes_version",
            "text",
            pattern=_KUBE_MINOR,
            max_length=5,
            hint="the cluster's Kubernetes minor version, 1.MINOR (e.g. 1.33; quote it in YAML so 1.30 stays 1.30)",
        ),
        AnswerSpec("admission_controller", "bool"),
        AnswerSpec("orchestrator_explorer", "bool"),
        AnswerSpec("secret_metrics", "bool"),
        AnswerSpec("kubernetes_events", "bool"),
        AnswerSpec("site", "choice", SITES),
        AnswerSpec(
            "cluster_name",
            "text",
            pattern=_CLUSTER_NAME,
            max_length=80,
            optional=True,
            hint="lowercase letters, digits, '-' and '.', starting with a letter, at most 80 characters",
        ),
        AnswerSpec("api_key_secret", "text", pattern=_DNS_SUBDOMAIN, hint="a Kubernetes Secret name (DNS subdomain)"),
        AnswerSpec(
            "release_name",
            "text",
            pattern=_DNS_LABEL,
            max_length=53,
            hint="a Helm release name (DNS label, at most 53 characters)",
        ),
        AnswerSpec("namespace", "text", pattern=_DNS_LABEL, max_length=63, hint="a namespace name (DNS label)"),
    )
}

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def coerce(answer_id: str, value: Any) -> Any:
    """Turn a value from text (`--set`) or YAML into the type the contract wants, or refuse it."""
    spec = ANSWER_SPECS.get(answer_id)
    if spec is None:
        _refuse_unknown_id(answer_id)
        raise AssertionError  # unreachable: _refuse_unknown_id always raises
    if spec.kind == "bool" and isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise AnswerError(f"{answer_id}: {value!r} is not a boolean; valid: true, false")
    if spec.kind == "list":
        if value is None:
            return ()
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, (list, tuple)):
            return tuple(str(item) for item in value)
        raise AnswerError(f"{answer_id}: expected a list of: {spec.allowed()}")
    if spec.kind == "text":
        if answer_id == "runtime_socket" and isinstance(value, str):
            return value.strip()  # "" is refused by the contract, not read as "unset"
        if spec.optional and (value is None or value == ""):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
    return value


def _refuse_unknown_id(answer_id: str) -> None:
    if any(word in answer_id.lower().replace("-", "_") for word in _SECRET_WORDS) and answer_id != "api_key_secret":
        raise AnswerError(
            f"{answer_id}: ddsecure never takes an API key; create a Secret and name it with api_key_secret"
        )
    raise AnswerError(f"unknown answer id {answer_id!r}; valid ids: {', '.join(ANSWER_SPECS)}")


def layer(layers: Iterable[Mapping[str, Any]]) -> Answers:
    """Built-in defaults, then each layer in order; the last one to set an id wins."""
    merged: dict[str, Any] = {}
    for mapping in layers:
        for key, value in mapping.items():
            merged[key] = coerce(str(key), value)
    platform = merged.get("platform", "generic")
    if platform in PLATFORMS:
        for key, value in merged.items():
            ANSWER_SPECS[key].check(value)
        conflict = explicit_conflicts(platform, merged)
        if conflict:
            raise AnswerError(conflict)
    return Answers(**merged)


def parse_set(item: str) -> tuple[str, Any]:
    """`ID=VALUE` from the command line; lists are comma-separated (`system_probe=npm,usm`)."""
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise AnswerError(f"--set {item!r}: expected ID=VALUE, e.g. --set dogstatsd=uds")
    return key, coerce(key, value.strip())
