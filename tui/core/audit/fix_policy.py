"""What `audit --fix` may do with each finding: apply it, leave it to the user, or refuse it.

- **refused** (never made, even when asked): the edit would grant a privilege the input does not
  have (a hostPath, ro -> rw, a capability, a container, a host port, hostPID, hostNetwork,
  privileged, root), contradicts an edit already made, brings a new problem, or does not clear its
  own finding;
- **opt-in** (made only with `--apply ID`): the edit changes or removes a leaf the user set (a
  feature, a transport, a data path, a pinned version, an enabled or disabled component, a key the
  chart does not know), or closes a socket or port applications reach the Agent through today;
- **applied**: the edit only overrides chart defaults the user never set.

Each outcome reads two `Version`s of the values (before and after the edit), each a deployment of
those values computed once, with the audit of it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tui.core.audit.findings import DELETE, AuditReport, Finding
from tui.core.audit.fix_yaml import plain, with_changes
from tui.core.audit.values_audit import audit_deployment
from tui.core.chart.infer import COPIED_FILE_KEYS, chart_default, count_keys
from tui.core.chart.keys import ChartKeys, chart_keys
from tui.core.chart.model import effective_values
from tui.core.deployment import Deployment, ValuesDeployment
from tui.core.pod.api_rules import Violation, violations
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.spec import all_containers
from tui.core.yamlio.dotted import MISSING, lookup

ALL_SAFE = "all-safe"
BREAKS_POD = "hardening is never written where it breaks the pod"
CREDENTIAL_KEYS = ("datadog.apiKey", "datadog.appKey")

# --- outcomes -------------------------------------------------------------------------------------

APPLIED, OPT_IN, REFUSED, MANUAL = "applied", "opt-in", "refused", "manual"


@dataclass(frozen=True)
class FixOutcome:
    """What `--fix` does with one finding, and why: the one wording every output shows."""

    finding: Finding
    status: str  # APPLIED, OPT_IN, REFUSED or MANUAL
    reason: str  # why it is not applied / what applying it costs
    grants: tuple[str, ...] = ()  # for a refused edit: what it would grant

    @property
    def handle(self) -> str:
        """The name `--apply` takes for this one finding."""
        return f"{self.finding.id}:{self.finding.key}"

    def summary(self) -> str:
        if self.status == APPLIED:
            return f"applied: {self.reason}"
        if self.status == OPT_IN:
            return f"not applied: {self.reason}; to apply it: --apply {self.handle}"
        if self.status == REFUSED:
            return f"refused: {self.reason}"
        return f"not applied: {self.reason}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.finding.id,
            "key": self.finding.key,
            "apply": self.handle,
            "status": self.status,
            "reason": self.reason,
            "grants": list(self.grants),
            "summary": self.summary(),
        }


# --- leaves ------------------------------------------------------------------------------------------


def leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value for every leaf (a scalar, a list or an empty mapping)."""
    if isinstance(tree, Mapping) and tree:
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(leaves(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): tree} if prefix else {}


def _sub_leaves(node: Any) -> dict[str, Any]:
    if isinstance(node, Mapping) and node:
        return leaves(node)
    return {"": node}


def short(value: Any) -> str:
    """A value as one short phrase of a reason."""
    if isinstance(value, Mapping):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


# --- what an edit grants, and whom it cuts off ------------------------------------------------------


def pod_grants(pod_a: Mapping[str, Any], pod_b: Mapping[str, Any]) -> list[str]:
    """What pod B grants that pod A does not: the chart model's pods or real rendered ones alike."""
    return ledger_grants(pod_a, ledger_of_pod(pod_a), pod_b, ledger_of_pod(pod_b))


def ledger_grants(pod_a: Mapping[str, Any], a: Ledger, pod_b: Mapping[str, Any], b: Ledger) -> list[str]:
    """`pod_grants` with the pods' ledgers already read."""
    out: list[str] = []
    if b.host_pid and not a.host_pid:
        out.append("hostPID")
    if b.host_network and not a.host_network:
        out.append("hostNetwork")
    out += [f"host port {port}" for port in sorted(set(b.host_ports) - set(a.host_ports))]
    for grant in b.host_paths:
        # A path inside one the pod already mounts, with no more access, grants nothing new.
        path = _on_host(grant.path)
        within = [g for g in a.host_paths if path == _on_host(g.path) or path.startswith(_on_host(g.path) + "/")]
        if not within:
            out.append(f"hostPath {grant.path} {grant.mode}")
        elif not grant.read_only and all(g.read_only for g in within):
            out.append(f"hostPath {grant.path} read-write (was read-only)")
    for container, caps in b.capabilities.items():
        new = [c for c in caps if c not in a.capabilities.get(container, ())]
        if new:
            out.append(f"capabilities {', '.join(new)} ({container})")
    out += [f"container {c}" for c in b.containers if c not in a.containers]
    out += [f"privileged ({c})" for c in sorted(_privileged(pod_b) - _privileged(pod_a))]
    for container, user in b.container_users.items():
        if not user and a.container_users.get(container):
            out.append(f"root ({container})")
    if not b.run_as_user and a.run_as_user:
        out.append("root (pod)")
    return out


def _on_host(path: str) -> str:
    """The directory a host path is: /var/run is a link to /run (FHS 3.0, every systemd distribution), so
    k3s's /run/k3s/containerd lies inside the chart's /var/run mount."""
    path = path.rstrip("/") or "/"
    return "/run" + path.removeprefix("/var/run") if path == "/var/run" or path.startswith("/var/run/") else path


def _privileged(pod: Mapping[str, Any]) -> set[str]:
    out = set()
    for container in all_containers(pod):
        context = container.get("securityContext") or {}
        if isinstance(context, Mapping) and context.get("privileged"):
            out.add(str(container.get("name")))
    return out


def endpoints(deployment: ValuesDeployment) -> set[str]:
    """How applications reach the Agent from outside its pod: host ports and the sockets on the node."""
    chart = deployment.chart
    v = chart.v
    found = {f"host port {port}" for port in deployment.values_ledger.host_ports}
    if v.on("datadog.dogstatsd.useSocketVolume"):
        name = posixpath.basename(str(v.get("datadog.dogstatsd.socketPath")))
        found.add(f"the DogStatsD socket {v.get('datadog.dogstatsd.hostSocketPath')}/{name}")
    if chart.apm_uds():
        name = posixpath.basename(str(v.get("datadog.apm.socketPath")))
        found.add(f"the APM socket {v.get('datadog.apm.hostSocketPath')}/{name}")
    if chart.apm_local_service():
        found.add("the APM local service (port 8126)")
    return found


# --- whose leaf is it -----------------------------------------------------------------------------


class Owner:
    """Which keys of the current values are the user's choices (not inherited chart defaults)."""

    def __init__(self, values: Mapping[str, Any]):
        self.values = values
        self.copied = count_keys(values) >= COPIED_FILE_KEYS

    def chosen(self, dotted: str) -> bool:
        node = lookup(self.values, dotted, MISSING)
        if node is MISSING:
            return False
        if not self.copied:
            return True
        # In a full copy of the chart's values.yaml a key at its default is inherited, not chosen.
        return any(chart_default(f"{dotted}.{k}" if k else dotted) != v for k, v in _sub_leaves(node).items())

    def touches(self, dotted: str, value: Any) -> str:
        """Why this edit touches the user's configuration ("" when it does not)."""
        parts = dotted.split(".")
        for depth in range(1, len(parts)):
            ancestor = ".".join(parts[:depth])
            node = lookup(self.values, ancestor, MISSING)
            if node is not MISSING and not isinstance(node, Mapping):
                # a null here is the user's too: for helm it removes the chart's whole block
                return f"replaces your {ancestor}: {short(node)} with a mapping"
        current = lookup(self.values, dotted, MISSING)
        if current is MISSING:
            return ""
        if value is DELETE:
            if dotted in CREDENTIAL_KEYS:
                return ""  # a literal credential is never carried into the bundle

            if not chart_keys().known(dotted):
                return f"removes {dotted}, which your file sets and the chart does not read"
            return f"removes {dotted}, which your file sets"
        if plain(current) == value or not self.chosen(dotted):
            return ""
        return f"changes {dotted}, which your file sets ({short(current)} -> {short(value)})"


# --- one version of the values ----------------------------------------------------------------------


class Version:
    """One version of the values during the fix: its deployment, and what the policy reads of it, once.

    Each edit makes a new version that shares the subtrees the edit did not touch with the one before,
    so reading it again costs only what changed."""

    def __init__(self, deployment: ValuesDeployment, name: str):
        self.deployment, self.name = deployment, name

    @classmethod
    def of(cls, values: dict[str, Any], name: str, runtime_socket: str = "") -> Version:
        return cls(Deployment.of_values(values, runtime_socket=runtime_socket), name)

    def edited(self, changes: Iterable[tuple[str, Any]]) -> Version:
        values = with_changes(self.values, changes)
        return Version(Deployment.of_values(values, previous=self.deployment), self.name)

    @property
    def values(self) -> dict[str, Any]:
        return self.deployment.given  # type: ignore[return-value]  # a plain tree: Version.of and edited

    @property
    def pod(self) -> dict[str, Any]:
        return self.deployment.values_pod

    @property
    def ledger(self) -> Ledger:
        return self.deployment.values_ledger

    @cached_property
    def refusals(self) -> list[Violation]:
        """Why Kubernetes would refuse the node-Agent pod, computed once."""
        return violations(self.pod)

    @cached_property
    def cluster_refusals(self) -> list[Violation]:
        """Why Kubernetes would refuse the Cluster Agent pod, computed once."""
        return violations(self.deployment.values_cluster_pod)

    @cached_property
    def endpoints(self) -> set[str]:
        return endpoints(self.deployment)

    @cached_property
    def report(self) -> AuditReport:
        return audit_deployment(self.deployment, self.name)

    @cached_property
    def issues(self) -> set[tuple[str, str]]:
        return {(f.id, f.key) for f in self.report.findings if f.severity != "info"}

    @cached_property
    def owner(self) -> Owner:
        return Owner(self.values)

    @cached_property
    def chart_reads(self) -> dict[str, Any]:
        """Every leaf the chart reads (defaults included), for comparing what two versions configure."""
        keys = chart_keys()
        flat = leaves(effective_values(self.deployment.modelled))
        return {k: v for k, v in flat.items() if _known_prefix(keys, k)}

    def grants(self, pod: Mapping[str, Any], ledger: Ledger | None = None) -> list[str]:
        """What `pod` grants that this version's pod does not."""
        return ledger_grants(self.pod, self.ledger, pod, ledger or ledger_of_pod(pod))


def _known_prefix(keys: ChartKeys, dotted: str) -> bool:
    parts = dotted.split(".")
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        if not keys.known(prefix):
            return False
        if keys.is_open(prefix):
            return True
    return True


# --- the policy ---------------------------------------------------------------------------------------


def wanted(finding: Finding, chosen: Iterable[str]) -> bool:
    """The user opted in to this finding by id (`hostport-unneeded`) or by id and key."""
    names = set(chosen)
    return finding.id in names or f"{finding.id}:{finding.key}" in names


def decide(
    finding: Finding,
    current: Version,
    claimed: Mapping[str, tuple[Any, str]],
    chosen: Sequence[str],
    allowed: Mapping[str, Any] | None = None,
) -> tuple[FixOutcome, Version | None]:
    """What to do with one finding on the values as they stand, and the values after its edit when applied.

    `claimed`: key -> (value, finding id) of the edits already made; `allowed`: a pod whose privileges
    an edit may bring (the pod of the answers the user chose), by default none."""
    if not finding.changes:
        return FixOutcome(finding, MANUAL, "no automatic edit" + (f" ({finding.fix})" if finding.fix else "")), None
    edited = current.edited(finding.changes)
    if edited.values == current.values:
        return FixOutcome(finding, MANUAL, "the edit changes nothing in this file"), None
    try:
        grants = current.grants(edited.pod, edited.ledger)
        if allowed is not None and grants:
            asked = set(current.grants(allowed))
            grants = [g for g in grants if g not in asked]
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        return FixOutcome(finding, REFUSED, f"the chart model cannot read the edited values ({error})"), None
    if grants:
        ignored = [
            k
            for k, v in finding.changes
            if v is DELETE and not chart_keys().known(k) and lookup(current.values, k, MISSING) is not MISSING
        ]
        why = f"{ignored[0]} is ignored today; fixed, it would grant " if ignored else "it would grant "
        shown = ", ".join(grants[:6]) + (f" and {len(grants) - 6} more" if len(grants) > 6 else "")
        return FixOutcome(finding, REFUSED, why + shown + " (a fix never raises a privilege)", tuple(grants)), None
    invalid = _invalidates(current.refusals, edited.refusals)
    # The Cluster Agent's pod reads agents.* only for image, names and grace period, none a pod rule reads.
    if not invalid and any(not dotted.startswith("agents.") for dotted, _ in finding.changes):
        invalid = _invalidates(current.cluster_refusals, edited.cluster_refusals)
    if invalid:
        return FixOutcome(finding, REFUSED, f"{invalid} ({BREAKS_POD})"), None
    for dotted, value in finding.changes:
        for other, (other_value, other_id) in claimed.items():
            same = other == dotted
            nested = other.startswith(dotted + ".") or dotted.startswith(other + ".")
            if (same and not _same(other_value, value)) or (nested and other_id != finding.id):
                return FixOutcome(finding, REFUSED, f"it contradicts the {other_id} edit of {other}"), None
    moved = _moves(finding.changes, current.values)
    costs = [
        f"moves {dotted} to {moved[dotted]}, where the chart reads it" if dotted in moved else reason
        for dotted, value in finding.changes
        if dotted in moved or (reason := current.owner.touches(dotted, value))
    ]
    lost = sorted(current.endpoints - edited.endpoints)
    costs += [f"applications reaching the Agent through {e} lose it" for e in lost]
    # all-safe: the chart reads the same configuration either way (only ignored or default-valued keys differ)
    free = ALL_SAFE in chosen and not finding.cost and current.chart_reads == edited.chart_reads
    if costs and not (wanted(finding, chosen) or free):
        return FixOutcome(finding, OPT_IN, "; ".join(costs)), None
    if (finding.id, finding.key) in edited.issues:
        return FixOutcome(finding, REFUSED, "its edit does not clear the finding"), None
    new = sorted(edited.issues - current.issues) if allowed is None else []
    if new:
        shown = ", ".join(f"{i} ({k})" for i, k in new)
        return FixOutcome(finding, REFUSED, f"the edit would bring {shown}"), None
    done = "; ".join(costs) if costs else _default_cost(finding, current.values)
    rule_cost = finding.cost  # the rule's own word on what the edit takes away
    return FixOutcome(finding, APPLIED, done + (f"; it costs: {rule_cost}" if rule_cost else "")), edited


def _moves(changes: Sequence[tuple[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    """Keys an edit takes away and sets, value for value, elsewhere (a key at the wrong level put where
    the chart reads it): deleted key -> where it goes."""
    deleted = {dotted: plain(lookup(values, dotted)) for dotted, value in changes if value is DELETE}
    return {
        gone: dotted
        for dotted, value in changes
        if value is not DELETE
        for gone, was in deleted.items()
        if was == plain(value) and lookup(values, dotted, MISSING) is MISSING
    }


def _invalidates(before: Sequence[Violation], after: Sequence[Violation]) -> str:
    """Why the edited pod would be refused where the current one is not ("" when it would be admitted)."""
    known = {v.message for v in before}
    new = [v for v in after if v.message not in known]
    return f"{new[0].enforcer} would refuse the pod: {new[0].message}" if new else ""


def _same(a: Any, b: Any) -> bool:
    return (a is DELETE and b is DELETE) or (a is not DELETE and b is not DELETE and a == b)


def _default_cost(finding: Finding, values: Mapping[str, Any]) -> str:
    parts = []
    for dotted, value in finding.changes:
        if dotted in CREDENTIAL_KEYS and value is DELETE:
            parts.append(f"{dotted} is removed: create the Secret it names before installing")
            continue
        if value is DELETE:
            continue
        default = chart_default(dotted)
        was = lookup(values, dotted, MISSING)
        if was is MISSING:
            shown = short(default) if default is not MISSING else "unset"
            parts.append(f"{dotted}: {short(value)} (was {shown}, a chart default you did not set)")
        elif plain(was) != value:  # a value the file already holds is no change to describe
            whose = "the chart's default" if plain(was) == default else "as your file set it"
            parts.append(f"{dotted}: {short(value)} (was {short(was)}, {whose})")
    return "; ".join(parts) or "nothing you set changes"
