"""Every finding id any audit can emit, one entry each: the single place its words live.

An entry says what the finding is about (`help`), when it fires (`when`, in words), which inputs it
is read from (`reads`), its usual severity, and the message, fix and cost texts, formatted with the
fields of each occurrence. The audits only decide *whether* a rule fires and with which fields
(`values_rules`, `manifest_audit`, `datadog_agent`, `cluster_audit`); `docs/rules.md`, SARIF's
`rules[]` and the rule fixtures' test are generated from this table, so none of them can drift.

Three families are derived rather than typed again: one `pss-<check>` per Pod Security check
(`pod_security.CHECKS`), one `cluster-<danger>` per dangerous RBAC class (`cluster_grants.DANGERS`)
and one entry per platform rule (`platform_rules.PLATFORM_RULES`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from tui.core.audit.findings import PRIVILEGE_SEVERITY, SEVERITIES, Finding
from tui.core.chart.platform_rules import PLATFORM_RULES
from tui.core.cluster.grants import DANGERS
from tui.core.pod.pod_security import CHECKS

# What a rule reads: a values file (plain, or inside a HelmRelease/Application/HelmChart/helmfile
# wrapper), rendered manifests or a live DaemonSet, a DatadogAgent resource, the release's RBAC
# (predicted from values or read from manifests), or the bundle ddsecure writes (platform rules).
VALUES, MANIFESTS, DATADOG_AGENT, CLUSTER, BUNDLE = "values", "manifests", "datadog-agent", "cluster", "bundle"
INPUTS = (VALUES, MANIFESTS, DATADOG_AGENT, CLUSTER, BUNDLE)


class Rule(NamedTuple):
    id: str
    severity: str  # the usual one; an occurrence may be milder (a privilege the input asks for is info)
    reads: tuple[str, ...]
    when: str  # when it fires, in words
    help: str  # what the privilege or mistake is, and why it matters
    message: str  # str.format templates, filled with the occurrence's fields and its `key`
    fix: str = ""
    cost: str = ""

    @property
    def name(self) -> str:
        return "".join(part.title() for part in self.id.split("-"))

    def finding(
        self,
        key: str,
        fields: Mapping[str, Any] | None = None,
        changes: tuple[tuple[str, Any], ...] = (),
        severity: str = "",
    ) -> Finding:
        values = {"key": key, **(fields or {})}
        return Finding(
            self.id,
            severity or self.severity,
            key,
            self.message.format(**values),
            self.fix.format(**values),
            changes,
            self.cost.format(**values),
        )


class Hit(NamedTuple):
    """One occurrence of a rule: the key to point at, the texts' fields, the edit, a milder severity."""

    key: str
    fields: Mapping[str, Any] = {}
    changes: tuple[tuple[str, Any], ...] = ()
    severity: str = ""


Subject = TypeVar("Subject")


@dataclass(frozen=True)
class Check(Generic[Subject]):
    """How one reader decides a catalogue rule: `when` yields one `Hit` per occurrence in what it reads."""

    id: str
    when: Callable[[Subject], Iterable[Hit]]

    def findings(self, subject: Subject) -> list[Finding]:
        entry = CATALOGUE[self.id]
        return [entry.finding(hit.key, hit.fields, hit.changes, hit.severity) for hit in self.when(subject)]


_P = PRIVILEGE_SEVERITY
_VM = (VALUES, MANIFESTS)
_VMD = (VALUES, MANIFESTS, DATADOG_AGENT)
_VD = (VALUES, DATADOG_AGENT)
# The socket these fixes name is a guess from the file (containerd unless it says otherwise).
_WRONG_SOCKET_COST = "container metadata and logs, if your nodes' runtime socket is not {socket}"

_WRITTEN: tuple[Rule, ...] = (
    # --- privileges of the node-Agent pod -----------------------------------------------------------
    Rule(
        "privileged-container",
        _P["privileged"],
        _VMD,
        "a container of the node-Agent pod sets securityContext.privileged: true (in a DatadogAgent, in "
        "spec.override.nodeAgent.containers.<name>.securityContext)",
        "A privileged container has every capability and every host device: it is root on the node. "
        "No feature of the chart or the Operator needs it.",
        "{container} runs privileged: every capability and every host device; no Agent feature needs it",
        "{setting}: false",
        "a tool you added to {container} that needs host devices stops working",
    ),
    Rule(
        "host-network",
        _P["hostNetwork"],
        _VMD,
        "the pod uses the node's network namespace (agents.useHostNetwork, "
        "spec.override.nodeAgent.hostNetwork, or hostNetwork in a rendered pod)",
        "With hostNetwork the Agent sees every interface of the node and every port it opens is open on "
        "the node. Nothing in the chart forces it.",
        "hostNetwork ({source}): the Agent shares the node's network namespace, sees every interface and "
        "binds ports on the node; no chart feature forces it",
        "{setting}: false",
        "clients that reach the Agent at the node IP need host ports or the node-local Service instead",
    ),
    Rule(
        "hostpid-unneeded",
        _P["hostPID"],
        _VMD,
        "the pod shares the host PID namespace and nothing the input enables needs it",
        "hostPID lets the Agent see, and with the right capability signal, every process of the node. "
        "Only DogStatsD origin detection over the socket and a few security features need it.",
        "hostPID ({source}) lets the Agent see every process on the node, and nothing this file enables "
        "needs it (needed only by: {needed_by})",
        "{setting}: false",
        "container tags on DogStatsD metrics sent over the socket without client-side origin detection",
    ),
    Rule(
        "hostpid-needed",
        _P["requested"],
        _VM,
        "the pod shares the host PID namespace because a feature the input turns on needs it",
        "hostPID lets the Agent see every process of the node; named so that the feature's cost is known.",
        "hostPID is on because of {because}; {tail}",
    ),
    Rule(
        "hostpid-not-removed",
        "high",
        (VALUES,),
        "datadog.dogstatsd.useHostPID: false is set but datadog.useHostPID is left at its default (true)",
        "The chart ORs the two hostPID switches: turning one off does not remove hostPID.",
        "datadog.dogstatsd.useHostPID: false does not remove hostPID: the chart ORs it with "
        "datadog.useHostPID, which defaults to true",
        "datadog.useHostPID: false",
    ),
    Rule(
        "origin-detection-without-hostpid",
        "low",
        (VALUES,),
        "DogStatsD origin detection over the socket is on while hostPID is off",
        "Origin detection over a socket maps the sender's PID to its container, which needs hostPID; "
        "without it metrics silently lose their container tags.",
        "origin detection over the socket needs hostPID, which is off: metrics lose container tags",
        "datadog.useHostPID: true, or use UDP with client-side origin detection",
    ),
    Rule(
        "system-probe-unrequested",
        _P["system-probe"],
        _VD,
        "system-probe runs although the input turns on no eBPF feature (service discovery is on by "
        "default from Agent 7.78)",
        "system-probe is the Agent's eBPF container: added capabilities such as SYS_ADMIN and BPF, "
        "debugfs read-write and many hostPaths.",
        "system-probe runs (from {key}, {source}) with {count} added capabilities, debugfs read-write and "
        "many hostPaths, but the file enables no system-probe feature",
        "{key}: false",
        "nothing the file asks for",
    ),
    Rule(
        "ebpf-feature",
        _P["requested"],
        (VALUES,),
        "the input turns on a feature that runs system-probe",
        "Names what an eBPF feature brings (capabilities, seccomp profile, hostPaths) so its cost is known.",
        "{key} runs system-probe ({brings}): it brings capabilities {caps}; {seccomp}hostPaths {paths}",
    ),
    Rule(
        "capabilities-added",
        _P["capabilities"],
        _VMD,
        "a container adds Linux capabilities: info when a feature the input asks for needs them, medium "
        "when they go beyond what the chart (or the Operator) adds or the container is not asked for; in a "
        "DatadogAgent, capabilities.add in a container's override",
        "Each added capability is a slice of root (SYS_ADMIN is nearly all of it).",
        "{container} adds {count} capabilities ({reason}): {caps}",
        "{fix}",
    ),
    Rule(
        "host-root",
        _P["hostPath /"],
        _VMD,
        "the host's / is mounted (info when read-only and a feature the input asks for needs it; in a "
        "DatadogAgent, a hostPath / in spec.override.nodeAgent.volumes)",
        "The whole host filesystem: every secret, key and configuration file of the node.",
        "hostPath / {mode} ({where}): the whole host filesystem, from {because}",
        "turn off the feature that mounts it, or remove the volume",
    ),
    Rule(
        "custom-host-path",
        _P["hostPath rw"],
        _VD,
        "agents.volumes (in a DatadogAgent, spec.override.nodeAgent.volumes) adds a hostPath (medium "
        "read-write, low read-only)",
        "A hostPath the chart's or the Operator's features do not need, added by hand.",
        "hostPath {path} {mode} ({where}) is added by {setting} ({volume}); {features} do not need it",
        "remove {volume} from {setting} and {mounts}, or mount it readOnly",
    ),
    Rule(
        "host-path-rw",
        _P["requested"],
        (VALUES,),
        "a read-write hostPath that a feature the input enables needs",
        "A writable host directory: named with the feature it serves.",
        "hostPath {path} is writable from {where}: {because}",
    ),
    Rule(
        "hostport-unneeded",
        _P["hostPort"],
        _VD,
        "a container opens a host port that no transport the input asks for needs (in a DatadogAgent, an OTLP "
        "receiver's host port the Operator opens by default)",
        "A host port is reachable by anything that reaches the node, not only by the pods of the cluster.",
        "host port {port}/{protocol} ({owner}) is open on every node: anything that reaches the node can send to it",
        "{fix}",
        "{cost}",
    ),
    Rule(
        "host-port",
        _P["requested"],
        _VMD,
        "a container opens a host port the input's transport asks for",
        "A host port is reachable by anything that reaches the node; the node-local Service or a socket "
        "keeps the Agent inside the cluster.",
        "host port {port}/{protocol} ({owner}) is open on every node, as the file's transport asks",
    ),
    Rule(
        "apm-unrequested",
        "medium",
        _VD,
        "trace-agent runs and the input asks for no APM (the APM socket, or the Operator's APM default)",
        "trace-agent is one more container, and its socket is a read-write hostPath.",
        "trace-agent runs because {cause} ({source}), but the file asks for no APM",
        "{setting}: false",
        "traces sent to the socket",
    ),
    Rule(
        "apm-both-transports",
        "medium",
        (VALUES,),
        "APM listens both on its socket and on host port 8126",
        "Two ways in where one is enough: a read-write hostPath and a host port.",
        "APM listens on both the socket (a read-write hostPath) and host port 8126; one transport is enough",
        "datadog.apm.socketEnabled: false (keep TCP), or datadog.apm.portEnabled: false (keep the socket)",
        "applications configured for the socket must use TCP",
    ),
    Rule(
        "apm-socket-stranded",
        "medium",
        (VALUES,),
        "the APM socket sits in the DogStatsD socket directory, which is an emptyDir",
        "A socket nobody can reach, kept only for its cost.",
        "the APM socket shares the DogStatsD directory, which is an emptyDir here: applications cannot reach it",
        "datadog.apm.socketEnabled: false (it serves nobody); to keep a socket instead, set datadog.apm.socketPath: "
        "/var/run/datadog-apm/apm.socket and datadog.apm.hostSocketPath: /var/run/datadog-apm",
    ),
    Rule(
        "runtime-dir-too-wide",
        "medium",
        (VALUES,),
        "no runtime socket path is set, so the chart mounts the whole host /var/run",
        "The host's /var/run holds every daemon's socket (the runtime, but also others).",
        "hostPath {path} {mode}: no runtime socket path is set, so the chart mounts the whole host {path}",
        "{key}: {socket}",
        _WRONG_SOCKET_COST,
    ),
    Rule(
        "dsd-socket-unneeded",
        "medium",
        _VD,
        "the DogStatsD socket directory is a read-write hostPath although nothing needs the socket",
        "A writable host directory, for a socket UDP can replace.",
        "hostPath {path} {mode}: the DogStatsD socket directory is a read-write hostPath although nothing here "
        "needs the socket ({source}); UDP 8125 works without it",
        "{setting}: false",
        "clients that send to the socket must use UDP",
    ),
    Rule(
        "passwd-unneeded",
        "low",
        (VALUES,),
        "/etc/passwd is mounted although no process collection or CWS reads it",
        "The host's user list: small, but not needed.",
        "hostPath {path} {mode}: the host's user list is mounted although no process collection or CWS reads it",
        "datadog.disablePasswdMount: true",
    ),
    Rule(
        "docker-logs-dir",
        "low",
        (VALUES,),
        "logs are on and no criSocketPath is set, so the Docker containers directory is mounted",
        "A host directory for a runtime the nodes may not run.",
        "hostPath {path} {mode}: mounted for logs because no criSocketPath is set",
        "datadog.criSocketPath: {socket}",
        _WRONG_SOCKET_COST,
    ),
    Rule(
        "hostpath-unneeded",
        _P["hostPath rw"],
        (VALUES,),
        "a hostPath that the features the input enables do not need (medium read-write, low read-only)",
        "Every host directory mounted is one more place the Agent can read or write on the node.",
        "hostPath {path} {mode} ({where}) is not needed by the features this file enables",
        "see {key}",
    ),
    Rule(
        "operator-bundled",
        "high",
        (VALUES, MANIFESTS),
        "datadog.operator.enabled is on (the chart installs the Datadog Operator beside the Agent), or rendered "
        "manifests hold the bundled Operator (its Deployment or the RBAC of its ServiceAccount)",
        "The Operator's controller can create and bind roles cluster-wide; a Helm-managed Agent does not use it.",
        "the chart also installs the Datadog Operator ({source}): its controller may create and bind roles and "
        "run Deployments and webhooks across the cluster, and nothing in a Helm-managed Agent uses it; {rbac}",
        "{key}: false",
        "the bundled Operator, if you manage DatadogAgent resources with it",
    ),
    Rule(
        "runs-as-root",
        _P["root"],
        _VD,
        "every container runs as root (in a DatadogAgent, medium when only the Operator's default says so)",
        "Root in the container is root on the node's files the pod mounts.",
        "every container runs as root{why}; the Agent can run as dd-agent (UID {uid}) if the runtime socket "
        "and logs are readable by it",
        "{setting}: {{runAsUser: {uid}, runAsNonRoot: true}}",
    ),
    # --- chart and values-file mistakes --------------------------------------------------------------
    Rule(
        "agent-too-old",
        "medium",
        (VALUES,),
        "agents.image.tag is older than 7.36 and doNotCheckTag is not set",
        "The chart refuses to render such a tag: the file cannot be installed as it is.",
        "agents.image.tag {tag} is older than 7.36: the chart refuses to render it (a stale copy of an old "
        "values file?)",
        "agents.image.tag 7.36 or newer (from 7.78 also datadog.discovery.enabled: false, or system-probe "
        "comes with it), or agents.image.doNotCheckTag: true to keep this image",
    ),
    Rule(
        "pod-refused",
        "high",
        _VM,
        "the API server (or kubelet) would refuse a node-Agent or Cluster Agent pod: a pod rule it "
        "enforces, or a field its strict schema does not know",
        "Kubernetes refuses the whole DaemonSet or Deployment, so nothing of it runs; `--fix` and "
        "`generate --base` refuse such a file rather than build on it.",
        "{problem}{tail}",
        "change the security context, ports or volumes the message names",
    ),
    Rule(
        "chart-refuses",
        "medium",
        (VALUES,),
        "the chart model predicts that helm template fails on the file",
        "A file helm refuses installs nothing.",
        "helm template fails on this file: {refusal}",
        "change {key} as the message says",
    ),
    Rule(
        "wrong-type",
        "medium",
        _VD,
        "a block that must be a mapping is another type (high in a DatadogAgent: the Operator rejects it)",
        "helm fails on it or ignores it; the Operator rejects the resource. The audit reads the block as empty.",
        "{key} must be a mapping, not {kind}; {consequence}",
        "remove {key} or give it {structure}",
    ),
    Rule(
        "string-boolean",
        "medium",
        (VALUES,),
        "a switch of the chart holds a string ('false', 'no', \"yes\"...) that the chart reads otherwise than it says",
        "helm keeps a quoted word as a string, and the chart reads a string by its own test (`if` on a non-empty "
        'string is true, `toString != "false"`, `eq ... "true"`): the switch may be on although it says off.',
        "{key} is the string {value!r}, not a boolean: {effect}",
        "{key}: {seems}",
        "the chart reads {key} as {seems} from now on: what it says",
    ),
    Rule(
        "duplicate-key",
        "high",
        (VALUES,),
        "the file writes a key twice (at any depth, in a wrapper's values too)",
        "helm reads only the last copy of a key written twice and ignores the others without a word: what the "
        "ignored block sets is not deployed.",
        "{key} is written twice: helm reads only the one at line {kept} and ignores {lines}, which would have set "
        "{held}",
        "remove {lines} (move what they should set into the block at line {kept}); with --fix: --apply duplicate-key",
        "nothing helm reads today: the ignored block held {held}",
    ),
    Rule(
        "deprecated-key",
        "low",
        (VALUES,),
        "a key the chart deprecates is set (info when it only repeats its default)",
        "A deprecated key may stop working with the next chart version.",
        "{key} is deprecated{detail}",
        "{edit}",
    ),
    Rule(
        "no-op-key",
        "medium",
        (VALUES,),
        "a key that looks meaningful but does not exist in the chart",
        "It is silently ignored: the setting the author believed in is not applied.",
        "{key} does not exist in the chart and is silently ignored: {hint}",
        "remove {key}",
    ),
    Rule(
        "wrong-level",
        "medium",
        (VALUES,),
        "a chart key written at the wrong level of the file",
        "It is silently ignored where it is; the chart reads it elsewhere.",
        "{key} is ignored at this level; the chart reads it as {moved}",
        "move it to {moved}",
    ),
    Rule(
        "unknown-key",
        "medium",
        (VALUES,),
        "a key that is not a key of the chart (with a suggestion when one is close)",
        "It is silently ignored: a typo can leave a privilege on.",
        "{key} is not a key of the chart{detail}",
        "{edit}",
    ),
    Rule(
        "plaintext-secret",
        "high",
        _VD,
        "the API or app key is written in the file instead of a Secret",
        "Anyone who reads the file, the release history or the resource has the key.",
        "{key} holds a literal key in the {where}: anyone who reads {readers} has it",
        "store it in a Secret and set {reference}",
    ),
    Rule(
        "answer-setting",
        "medium",
        (VALUES,),
        "`generate --base`: a least-privilege setting of the answers that the base file lacks",
        "The edit that makes your file carry what the answers chose.",
        "the answers set {key}: {value}{reason}",
        "{key}: {value}",
    ),
    Rule(
        "render-disagrees",
        "medium",
        (VALUES,),
        "`audit --render`: real helm renders a pod whose privileges differ from the model's prediction",
        "The ledger reported is then helm's; the model is wrong here and should be fixed.",
        "{detail}",
        "report it: ddsecure's chart model is wrong here",
    ),
    # --- rendered manifests and live DaemonSets ------------------------------------------------------
    Rule(
        "expect-differs",
        "high",
        (MANIFESTS,),
        "`audit --expect privileges.json`: the DaemonSet grants more, or other, privileges than the bundle lists",
        "What runs is not what was reviewed.",
        "differs from {path}: {line}",
    ),
    # --- DatadogAgent (Operator) ---------------------------------------------------------------------
    Rule(
        "operator-default-feature",
        "info",
        (DATADOG_AGENT,),
        "a spec.features switch is unset and the Operator turns the feature on by default",
        "An Operator default is not a wish: the feature runs although nobody asked for it.",
        "unset, so the Operator turns {feature} on",
        "set {key}: false if you do not use it",
    ),
    Rule(
        "operator-container-hardening",
        "low",
        (DATADOG_AGENT,),
        "a node-Agent container's override does not set allowPrivilegeEscalation: false (and, when not "
        "root, capabilities drop ALL)",
        "The Operator replaces a container's whole securityContext with the override: what it omits is lost.",
        "{container} does not set {missing}",
        "set {wanted} (each container apart)",
    ),
    # --- the release's RBAC --------------------------------------------------------------------------
    Rule(
        "cluster-agent-host-network",
        _P["hostNetwork"],
        (CLUSTER, DATADOG_AGENT),
        "the Cluster Agent pod uses its node's network namespace (clusterAgent.useHostNetwork, "
        "spec.override.clusterAgent.hostNetwork, or hostNetwork in a rendered Deployment of the release)",
        "With hostNetwork the Cluster Agent's ports (the admission webhook, the external metrics server) are open "
        "on its node to any host that can reach the node, and the pod sees every interface of the node.",
        "hostNetwork ({source}): {name} shares its node's network namespace; its webhook and metrics ports are "
        "open on the node to any host that reaches it",
        "{setting}: false",
        "if your control plane reaches pods only through node addresses (some custom CNIs), the admission "
        "webhook and external metrics stop answering",
    ),
    Rule(
        "cluster-agent-host-path",
        _P["hostPath rw"],
        (CLUSTER,),
        "a Deployment of the release (the Cluster Agent) has a hostPath volume (clusterAgent.volumes); low when "
        "every mount of it is read-only",
        "The Cluster Agent needs no host directory: a hostPath there is one someone added, and it gives the pod "
        "whatever its node holds at that path.",
        "hostPath {path} ({mode}) in {name}: the Cluster Agent needs no host directory",
        "take the hostPath out of {setting}; a ConfigMap or Secret volume brings files without the node",
    ),
    Rule(
        "cluster-rbac-unmodelled",
        "info",
        (CLUSTER,),
        "the values turn on a component whose RBAC the cluster model does not predict",
        "The cluster grants listed are then incomplete.",
        "the RBAC of {keys} is not predicted; audit the rendered manifests for the exact grants",
        "helm template ... > rendered.yaml && ddsecure audit rendered.yaml",
    ),
)


# --- derived families ----------------------------------------------------------------------------------

# A failed Pod Security check: what baseline refuses matters more than what only restricted refuses (the
# Agent cannot run under restricted at all). `audit --render` repeats them as info.
PSS_SEVERITY = {"baseline": "medium", "restricted": "low"}

# How serious a dangerous RBAC class is when nothing in the file asked for it (info when it did).
CLUSTER_SEVERITY = {
    "secrets": "high",
    "nodes-proxy": "high",
    "webhooks": "medium",
    "rbac-writes": "high",
    "wildcards": "medium",
    "scc-use": "low",  # no value removes it; the bundle's kustomization does
    "workload-writes": "medium",
}


# Pod Security checks a DatadogAgent's overrides are read for too (the pod's and containers' contexts).
PSS_DATADOG_AGENT = ("seLinuxOptions",)


def _pss_rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            f"pss-{check.id}",
            PSS_SEVERITY[check.level],
            (MANIFESTS, DATADOG_AGENT) if check.id in PSS_DATADOG_AGENT else (MANIFESTS,),
            f"the node-Agent pod fails the Pod Security {check.level} check {check.id}"
            + (" (in a DatadogAgent, through spec.override.nodeAgent)" if check.id in PSS_DATADOG_AGENT else ""),
            check.title,
            "fails Pod Security {level} check {check}: {reason}{detail}",
            "{fix}" if check.id in PSS_DATADOG_AGENT else "",  # a DatadogAgent's fix: remove the override
            "{cost}" if check.id in PSS_DATADOG_AGENT else "",
        )
        for check in CHECKS
        if check.level in PSS_SEVERITY
    )


def _cluster_rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            f"cluster-{danger.id}",
            CLUSTER_SEVERITY[danger.id],
            (CLUSTER,),
            f"the release's service accounts hold {danger.title} (info when a feature the file turns on needs it)",
            danger.why[0].upper() + danger.why[1:] + ".",
            danger.title
            + ": "
            + danger.why
            + ". Granted to the release's service accounts for {what}: {grants}{chosen}",
            "{fixes}",
        )
        for danger in DANGERS
    )


def _platform_rules() -> tuple[Rule, ...]:
    where: dict[tuple[str, ...], str] = {(): "every platform"}
    return tuple(
        Rule(
            rule.id,
            "high",
            (BUNDLE,),
            "the bundle written for " + where.get(rule.platforms, ", ".join(rule.platforms)) + " breaks its promise",
            "Promise: " + rule.promise + ".",
            "{reason}",
        )
        for rule in PLATFORM_RULES
    )


RULES: tuple[Rule, ...] = _WRITTEN + _pss_rules() + _cluster_rules() + _platform_rules()
CATALOGUE: dict[str, Rule] = {rule.id: rule for rule in RULES}
assert len(CATALOGUE) == len(RULES), "one fact, one id: an id appears twice"
assert all(r.severity in SEVERITIES and set(r.reads) <= set(INPUTS) for r in RULES)
assert set(CLUSTER_SEVERITY) == {d.id for d in DANGERS}, "every dangerous class needs a severity"
