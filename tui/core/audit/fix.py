"""`audit --fix`: the user's own values file, edited in place, losing nothing the user configured.

The engine reads each finding's `changes` (dotted key -> new value or DELETE) and decides, per
finding, whether to make that edit:

- **refused** (never made, even when asked): the edit would grant a privilege the input does not
  have (a hostPath, ro -> rw, a capability, a container, a host port, hostPID, hostNetwork,
  privileged, root), contradicts an edit already made, brings a new problem, or does not clear its
  own finding;
- **opt-in** (made only with `--apply ID`): the edit changes or removes a leaf the user set (a
  feature, a transport, a data path, a pinned version, an enabled or disabled component, a key the
  chart does not know), or closes a socket or port applications reach the Agent through today;
- **applied**: the edit only overrides chart defaults the user never set.

Findings are decided against the values as they stand when their turn comes, and the loop runs
until nothing more is applied, so fixing a fixed file changes nothing. The edits are then made to a
ruamel.yaml round-trip of the file, and the result is carried back onto the original text line by
line, so every key, value, comment and style the edits do not touch stays byte for byte. Before
anything is written the result is read back and checked: the values are exactly the planned ones,
any wrapper around them is unchanged, and every other leaf is where it was.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from tui.core.audit.findings import DELETE, AuditReport, Finding
from tui.core.audit.values_input import PathStep, ValuesSource, at
from tui.core.errors import InputFileError
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.yamlio.dotted import MISSING, lookup

if TYPE_CHECKING:
    from tui.core.output.next_steps import NextSteps

ALL_SAFE = "all-safe"
CREDENTIAL_KEYS = ("datadog.apiKey", "datadog.appKey")
SOCKET_VOLUMES = ("dsdsocket", "apmsocket")
MAX_ROUNDS = 5

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


@dataclass
class FixResult:
    text: str  # the whole input file, edited (wrapper kept)
    values_text: str  # the values alone, edited (the bundle's values.yaml)
    values: dict[str, Any]  # the edited values as data
    outcomes: list[FixOutcome] = field(default_factory=list)
    before: Ledger | None = None
    after: Ledger | None = None
    source: ValuesSource | None = None
    # What was added to the wrapper beside the values edits (the bundle's patches, for a controller
    # that applies them), one explained line each; and the steps from this bundle to a running Agent.
    additions: list[str] = field(default_factory=list)
    next_steps: NextSteps | None = None

    def applied(self) -> list[FixOutcome]:
        return [d for d in self.outcomes if d.status == APPLIED]


# --- leaves and edits on plain data -----------------------------------------------------------------


def plain(node: Any) -> Any:
    """A deep copy as builtin dicts and lists (ruamel's commented types compare and render the same)."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value for every leaf (a scalar, a list or an empty mapping)."""
    if isinstance(tree, Mapping) and tree:
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(leaves(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): tree} if prefix else {}


def named_by(leaf: str, keys: Iterable[str]) -> bool:
    """The leaf is one of these keys, inside one, or holds one."""
    return any(leaf == k or leaf.startswith(k + ".") or k.startswith(leaf + ".") for k in keys)


def apply_changes(tree: Any, changes: Iterable[tuple[str, Any]]) -> None:
    """Make the edits in place (a plain tree or a ruamel round-trip tree alike)."""
    for dotted, value in changes:
        if dotted:
            _apply(tree, dotted, value)


def _apply(tree: Any, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(child, Mapping):
            if value is DELETE:
                return
            child = _new_map(node)
            node[part] = child
        node = child
    if value is DELETE:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = copy.deepcopy(value)


def _new_map(parent: Any) -> Any:
    if type(parent) is dict:
        return {}
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap()


# --- footprint ------------------------------------------------------------------------------------


def _pod(values: Mapping[str, Any]) -> dict[str, Any]:
    from tui.core.audit.values_audit import modelled_values
    from tui.core.chart.model import render_pod

    return render_pod(modelled_values(values)[0])


def footprint(values: Mapping[str, Any]) -> Ledger:
    return ledger_of_pod(_pod(values))


def _privileged(pod: Mapping[str, Any]) -> set[str]:
    from tui.core.pod.spec import all_containers

    out = set()
    for container in all_containers(pod):
        context = container.get("securityContext") or {}
        if isinstance(context, Mapping) and context.get("privileged"):
            out.add(str(container.get("name")))
    return out


def granted(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What the pod rendered from `after` grants that the one from `before` does not (empty: it only shrinks)."""
    return pod_grants(_pod(before), _pod(after))


def pod_grants(pod_a: Mapping[str, Any], pod_b: Mapping[str, Any]) -> list[str]:
    """What pod B grants that pod A does not: the chart model's pods or real rendered ones alike."""
    a, b = ledger_of_pod(pod_a), ledger_of_pod(pod_b)
    out: list[str] = []
    if b.host_pid and not a.host_pid:
        out.append("hostPID")
    if b.host_network and not a.host_network:
        out.append("hostNetwork")
    out += [f"host port {port}" for port in sorted(set(b.host_ports) - set(a.host_ports))]
    for grant in b.host_paths:
        # A path inside one the pod already mounts, with no more access, grants nothing new.
        within = [g for g in a.host_paths if grant.path == g.path or grant.path.startswith(g.path.rstrip("/") + "/")]
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


def endpoints(
    values: Mapping[str, Any], modelled: Mapping[str, Any] | None = None, ledger: Ledger | None = None
) -> set[str]:
    """How applications reach the Agent from outside its pod: host ports and the sockets on the node."""
    import posixpath

    from tui.core.chart.model import NodeAgentChart

    if modelled is None:
        from tui.core.audit.values_audit import modelled_values

        modelled = modelled_values(values)[0]
    chart = NodeAgentChart(modelled)
    v = chart.v
    ledger = ledger or footprint(values)
    found = {f"host port {port}" for port in ledger.host_ports}
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


class _Owner:
    """Which keys of the current values are the user's choices (not inherited chart defaults)."""

    def __init__(self, values: Mapping[str, Any]):
        from tui.core.audit.infer import COPIED_FILE_KEYS, count_keys

        self.values = values
        self.copied = count_keys(values) >= COPIED_FILE_KEYS

    def chosen(self, dotted: str) -> bool:
        node = lookup(self.values, dotted, MISSING)
        if node is MISSING:
            return False
        if not self.copied:
            return True
        from tui.core.audit.infer import chart_default

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
                return f"replaces your {ancestor}: {_short(node)} with a mapping"
        current = lookup(self.values, dotted, MISSING)
        if current is MISSING:
            return ""
        if value is DELETE:
            if dotted in CREDENTIAL_KEYS:
                return ""  # a literal credential is never carried into the bundle
            from tui.core.audit.chart_keys import chart_keys

            if not chart_keys().known(dotted):
                return f"removes {dotted}, which your file sets and the chart does not read"
            return f"removes {dotted}, which your file sets"
        if plain(current) == value or not self.chosen(dotted):
            return ""
        return f"changes {dotted}, which your file sets ({_short(current)} -> {_short(value)})"


def _sub_leaves(node: Any) -> dict[str, Any]:
    if isinstance(node, Mapping) and node:
        return leaves(node)
    return {"": node}


def _short(value: Any) -> str:
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


# --- the engine -----------------------------------------------------------------------------------


def wanted(finding: Finding, chosen: Iterable[str]) -> bool:
    """The user opted in to this finding by id (`hostport-unneeded`) or by id and key."""
    names = set(chosen)
    return finding.id in names or f"{finding.id}:{finding.key}" in names


def _costs_nothing(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """The chart reads the same configuration either way: only ignored or default-valued keys differ."""
    from tui.core.audit.chart_keys import chart_keys
    from tui.core.audit.values_audit import modelled_values
    from tui.core.chart.model import effective_values

    keys = chart_keys()

    def read(values: Mapping[str, Any]) -> dict[str, Any]:
        flat = leaves(effective_values(modelled_values(values)[0]))
        return {k: v for k, v in flat.items() if _known_prefix(keys, k)}

    return read(before) == read(after)


def _known_prefix(keys: Any, dotted: str) -> bool:
    parts = dotted.split(".")
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        if not keys.known(prefix):
            return False
        if keys.is_open(prefix):
            return True
    return True


class _State:
    """One version of the values, with what the engine reads of it computed once."""

    def __init__(self, values: dict[str, Any], name: str):
        self.values, self.name = values, name

    @cached_property
    def modelled(self) -> dict[str, Any]:
        from tui.core.audit.values_audit import modelled_values

        return modelled_values(self.values)[0]

    @cached_property
    def pod(self) -> dict[str, Any]:
        from tui.core.chart.model import render_pod

        return render_pod(self.modelled)

    @cached_property
    def endpoints(self) -> set[str]:
        return endpoints(self.values, self.modelled, ledger_of_pod(self.pod))

    @cached_property
    def issues(self) -> set[tuple[str, str]]:
        return {(f.id, f.key) for f in self.report.findings if f.severity != "info"}

    @cached_property
    def report(self) -> AuditReport:
        from tui.core.audit.values_audit import audit_values

        return audit_values(self.values, self.name)

    @cached_property
    def owner(self) -> _Owner:
        return _Owner(self.values)


def with_changes(tree: Mapping[str, Any], changes: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A new tree with the edits made; only the mappings along the edited paths are copied."""
    out = dict(tree)
    for dotted, value in changes:
        if not dotted:
            continue
        parts, node = dotted.split("."), out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, Mapping):
                if value is DELETE:
                    break
                child = {}
            node[part] = child = dict(child)
            node = child
        else:
            if value is DELETE:
                node.pop(parts[-1], None)
            else:
                node[parts[-1]] = copy.deepcopy(value)
    return out


def decide_all(
    values: Mapping[str, Any],
    report: AuditReport,
    name: str,
    chosen: Sequence[str] = (),
    *,
    follow_up: bool = True,
    allowed: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[FixOutcome], list[tuple[str, Any]]]:
    """The fixed values, one outcome per finding of `report` (and of any later round), and the edits
    made, in order. `follow_up`: re-audit after each round and fix what the audit finds next (audit
    --fix); without it only `report`'s findings are decided (generate --base). `allowed`: a pod whose
    privileges an edit may bring (the pod of the answers the user chose); by default none."""
    current = _State(plain(values), name)
    audited = {(f.id, f.key) for f in current.report.findings}
    made: list[tuple[str, Any]] = []
    outcomes: dict[tuple[str, str], FixOutcome] = {}
    decided_on: dict[tuple[str, str], int] = {}  # the version of the values each outcome read
    claimed: dict[str, tuple[Any, str]] = {}  # key -> (value, finding id) of edits made
    version = 0
    findings = report.sorted_findings()
    for _ in range(MAX_ROUNDS):
        start = version
        for finding in findings:
            handle = (finding.id, finding.key)
            if handle in outcomes and (outcomes[handle].status == APPLIED or decided_on[handle] == version):
                continue  # made, or decided on exactly these values already
            outcome, edited = _decide(finding, current, claimed, chosen, allowed)
            outcomes[handle], decided_on[handle] = outcome, version
            if outcome.status == APPLIED and edited is not None:
                current, version = edited, version + 1
                decided_on[handle] = version
                made += finding.changes
                for dotted, value in finding.changes:
                    claimed[dotted] = (value, finding.id)
        if follow_up:
            findings = current.report.sorted_findings()
        if version == start:
            break
    remaining = {(f.id, f.key) for f in current.report.findings}
    for handle, outcome in outcomes.items():
        if outcome.status in (OPT_IN, MANUAL) and handle in audited and handle not in remaining:
            # Another applied edit cleared it (two findings about one key, say).
            outcomes[handle] = FixOutcome(outcome.finding, APPLIED, "cleared by the other applied edits")
    return current.values, list(outcomes.values()), made


def _decide(
    finding: Finding,
    current: _State,
    claimed: Mapping[str, tuple[Any, str]],
    chosen: Sequence[str],
    allowed: Mapping[str, Any] | None = None,
) -> tuple[FixOutcome, _State | None]:
    if not finding.changes:
        return FixOutcome(finding, MANUAL, "no automatic edit" + (f" ({finding.fix})" if finding.fix else "")), None
    edited = _State(with_changes(current.values, finding.changes), current.name)
    if edited.values == current.values:
        return FixOutcome(finding, MANUAL, "the edit changes nothing in this file"), None
    try:
        grants = pod_grants(current.pod, edited.pod)
        if allowed is not None and grants:
            asked = set(pod_grants(current.pod, allowed))
            grants = [g for g in grants if g not in asked]
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        return FixOutcome(finding, REFUSED, f"the chart model cannot read the edited values ({error})"), None
    if grants:
        from tui.core.audit.chart_keys import chart_keys

        ignored = [
            k
            for k, v in finding.changes
            if v is DELETE and not chart_keys().known(k) and lookup(current.values, k, MISSING) is not MISSING
        ]
        why = f"{ignored[0]} is ignored today; fixed, it would grant " if ignored else "it would grant "
        shown = ", ".join(grants[:6]) + (f" and {len(grants) - 6} more" if len(grants) > 6 else "")
        return FixOutcome(finding, REFUSED, why + shown + " (a fix never raises a privilege)", tuple(grants)), None
    for dotted, value in finding.changes:
        for other, (other_value, other_id) in claimed.items():
            same = other == dotted
            nested = other.startswith(dotted + ".") or dotted.startswith(other + ".")
            if (same and not _same(other_value, value)) or (nested and other_id != finding.id):
                return FixOutcome(finding, REFUSED, f"it contradicts the {other_id} edit of {other}"), None
    costs = [reason for dotted, value in finding.changes if (reason := current.owner.touches(dotted, value))]
    lost = sorted(current.endpoints - edited.endpoints)
    costs += [f"applications reaching the Agent through {e} lose it" for e in lost]
    free = ALL_SAFE in chosen and not finding.cost and _costs_nothing(current.values, edited.values)
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


def _same(a: Any, b: Any) -> bool:
    return (a is DELETE and b is DELETE) or (a is not DELETE and b is not DELETE and a == b)


def _default_cost(finding: Finding, values: Mapping[str, Any]) -> str:
    from tui.core.audit.infer import chart_default

    parts = []
    for dotted, value in finding.changes:
        if dotted in CREDENTIAL_KEYS and value is DELETE:
            parts.append(f"{dotted} is removed: create the Secret it names before installing")
            continue
        if value is DELETE:
            continue
        default = chart_default(dotted)
        was = lookup(values, dotted, MISSING)
        shown = _short(was) if was is not MISSING else (_short(default) if default is not MISSING else "unset")
        parts.append(f"{dotted}: {_short(value)} (was {shown}, a chart default you did not set)")
    return "; ".join(parts) or "nothing you set changes"


# --- the round-trip edit ---------------------------------------------------------------------------


def round_trip_yaml(text: str) -> Any:
    """The ruamel round-trip loader and dumper configured for this file's own style."""
    return _yaml(text)


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**_indentation(text))
    if text.lstrip().startswith("---"):
        yaml.explicit_start = True
    return yaml


def _indentation(text: str) -> dict[str, int]:
    """The file's own list style: dashes flush with the parent key, or indented under it."""
    previous_indent = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("- ") and previous_indent is not None:
            offset = max(indent - previous_indent, 0)
            return {"mapping": 2, "sequence": offset + 2, "offset": offset}
        previous_indent = indent if stripped.rstrip().endswith(":") else None
    return {"mapping": 2, "sequence": 2, "offset": 0}


def dump_documents(yaml: Any, documents: list[Any]) -> str:
    """`documents` written back by their round-trip loader `yaml` (one document, or a stream)."""
    out = io.StringIO()
    if len(documents) == 1:
        yaml.dump(documents[0], out)
    else:
        yaml.dump_all(documents, out)
    return out.getvalue()


def carried_over(original: str, normalised: str, edited: str) -> str:
    """The edits between two ruamel dumps (`normalised` -> `edited`), made on the original text.

    ruamel re-indents lists and re-flows some lines even where nothing changed; carrying only the
    changed lines over keeps the rest of the user's text exactly. Returns "" when a change falls on
    a line ruamel rewrote, so the caller can use the plain dump instead.
    """
    if original == normalised:
        return edited
    src, norm, new = original.splitlines(keepends=True), normalised.splitlines(keepends=True), edited.splitlines(True)
    mapping: dict[int, int] = {}  # normalised line -> original line, where identical
    for block in difflib.SequenceMatcher(None, norm, src).get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    out: list[str] = []
    position = 0  # next original line to copy
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, norm, new).get_opcodes():
        if tag == "equal":
            continue
        if any(i not in mapping for i in range(i1, i2)):
            return ""
        if i1 < i2:
            start, end = mapping[i1], mapping[i2 - 1] + 1
            if end - start != i2 - i1:
                return ""
        elif i1 in mapping:
            start = end = mapping[i1]
        elif i1 - 1 in mapping:
            start = end = mapping[i1 - 1] + 1
        else:
            return ""
        if start < position:
            return ""
        out += src[position:start]
        out += new[j1:j2]
        position = end
    out += src[position:]
    return "".join(out)


def _ensure(document: Any, path: Sequence[PathStep], embedded: bool) -> tuple[Any, PathStep]:
    """The container of the values and the key holding them, creating missing mappings on the way."""
    node = document
    for step in path[:-1]:
        child = node[step] if (isinstance(step, int) or step in node) else None
        if child is None:
            child = _new_map(node)
            node[step] = child
        node = child
    last = path[-1]
    if isinstance(last, str) and (last not in node or node[last] is None):
        node[last] = "" if embedded else _new_map(node)
    return node, last


def edit_text(
    text: str, source: ValuesSource, changes: Sequence[tuple[str, Any]], loaded: tuple[Any, list[Any]] | None = None
) -> list[tuple[str, str]]:
    """Candidates for (the whole file edited, the values alone edited), best first: the edits carried
    onto the original text, then ruamel's own dump of the edited tree. The caller keeps the first
    that reads back as planned. `loaded`: (round-trip loader, its documents) already read, which
    are edited in place."""
    if not changes:
        return [(text, text if not source.wrapped else _values_alone(text, source))]
    if loaded is not None:
        yaml, documents = loaded
    else:
        yaml = _yaml(text)
        documents = list(yaml.load_all(text))
    normalised = dump_documents(yaml, documents)
    if not source.path:
        apply_changes(documents[source.document], changes)
        edited = dump_documents(yaml, documents)
        carried = carried_over(text, normalised, edited)
        return [(c, c) for c in dict.fromkeys((carried, edited)) if c]
    container, key = _ensure(documents[source.document], source.path, source.embedded)
    if not source.embedded:
        apply_changes(container[key], changes)
        edited = dump_documents(yaml, documents)
        inner = _dump_alone(container[key])
        return [(c, inner) for c in dict.fromkeys((carried_over(text, normalised, edited), edited)) if c]
    from ruamel.yaml.scalarstring import LiteralScalarString

    inner_text = str(container[key] or "")
    inner_yaml = _yaml(inner_text)
    tree = inner_yaml.load(inner_text) or _new_map(container)
    inner_normalised = dump_documents(inner_yaml, [tree])
    apply_changes(tree, changes)
    inner_edited = dump_documents(inner_yaml, [tree])
    out = []
    for inner in dict.fromkeys((carried_over(inner_text, inner_normalised, inner_edited), inner_edited)):
        if inner:
            # keep the block's chomping: `|-` (no final newline) stays `|-`
            container[key] = LiteralScalarString(inner if inner_text.endswith("\n") else inner.rstrip("\n"))
            edited = dump_documents(yaml, documents)
            out += [(c, inner) for c in dict.fromkeys((carried_over(text, normalised, edited), edited)) if c]
    return out


def _dump_alone(tree: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def _values_alone(text: str, source: ValuesSource) -> str:
    yaml = _yaml(text)
    documents = list(yaml.load_all(text))
    node = at(documents[source.document], source.path)
    if source.embedded:
        return str(node or "")
    return _dump_alone(node) if node else "{}\n"


# --- the whole fix ---------------------------------------------------------------------------------


def plan_fix(
    text: str,
    name: str,
    source: ValuesSource,
    values: Mapping[str, Any],
    report: AuditReport,
    chosen: Sequence[str] = (),
    documents: Sequence[Any] | None = None,
    *,
    follow_up: bool = True,
    allowed: Mapping[str, Any] | None = None,
    loader: Any = None,
) -> FixResult:
    """Decide every finding, edit the file, and check the result before anyone writes it.

    `loader`: the round-trip loader that read `documents` (`read_input(..., round_trip=True)`); the
    file is then read once, and its documents are edited in place."""
    before = plain(values)
    old_documents = [plain(d) for d in documents] if documents is not None else None
    fixed, outcomes, changes = decide_all(before, report, name, chosen, follow_up=follow_up, allowed=allowed)
    where = f"file {name}"
    # ruamel writes \n; a Windows file is edited as \n and given its \r\n back, so no other line changes.
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    # One parsed tree can be edited in place when nothing was dropped from the stream (no empty document).
    shared = not crlf and loader is not None and documents is not None and len(documents) == 1 and "---" not in text
    try:
        candidates = edit_text(text, source, changes, (loader, list(documents or [])) if shared else None)
    except Exception as error:  # ruamel raises plain exceptions on input its round-trip cannot keep
        raise InputFileError(f"{where}: cannot be edited safely ({_first_line(error)}); nothing written") from None
    problem: InputFileError | None = None
    for whole, inner in candidates:
        try:
            _check(text, whole, inner, source, before, fixed, changes, where, old_documents, allowed)
            break
        except InputFileError as error:
            problem = problem or error
    else:
        raise problem or InputFileError(f"{where}: cannot be edited safely; nothing written")
    if crlf:
        whole, inner = whole.replace("\n", "\r\n"), inner.replace("\n", "\r\n")
    return FixResult(
        text=whole,
        values_text=inner,
        values=fixed,
        outcomes=outcomes,
        before=footprint(before),
        after=footprint(fixed),
        source=source,
    )


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(error).__name__


def _check(
    text: str,
    whole: str,
    inner: str,
    source: ValuesSource,
    before: Mapping[str, Any],
    planned: Mapping[str, Any],
    changes: Sequence[tuple[str, Any]],
    where: str,
    old_documents: Sequence[Any] | None = None,
    allowed: Mapping[str, Any] | None = None,
) -> None:
    """The written text says exactly what was planned, or nothing is written."""
    from tui.core.yamlio.reader import parse_documents

    def refuse(why: str) -> InputFileError:
        return InputFileError(f"{where}: cannot be edited safely: {why}; nothing written")

    try:
        new_documents = parse_documents(whole, where)
        if old_documents is None:
            old_documents = parse_documents(text, where)
        inner_values = (new_documents or [{}])[0] if inner == whole else (parse_documents(inner, where) or [{}])[0]
    except InputFileError as error:
        raise refuse(f"the edited file does not read back ({error})") from None
    if len(new_documents) != len(old_documents):
        raise refuse("the number of YAML documents changed")
    got = source.values(new_documents, where) if source.path else new_documents[0]
    if plain(got) != planned or plain(inner_values) != planned:
        raise refuse("the edited values differ from the planned edit (anchors, aliases or merge keys shared by it?)")
    if source.path:
        for n, (old, new) in enumerate(zip(old_documents, new_documents, strict=True)):
            if n == source.document:
                old, new = _without(old, source.path), _without(new, source.path)
            if plain(old) != plain(new):
                raise refuse("the wrapper around the values would change")
    keys = [dotted for dotted, _ in changes]
    old_leaves, new_leaves = leaves(plain(before)), leaves(planned)
    lost = [k for k, v in old_leaves.items() if not named_by(k, keys) and new_leaves.get(k, MISSING) != v]
    if lost:
        raise refuse(f"{lost[0]} would change although no applied finding names it")
    grants = granted(before, planned)
    if allowed is not None:
        asked = set(pod_grants(_pod(before), allowed))
        grants = [g for g in grants if g not in asked]
    if grants:
        raise refuse("the result would grant " + ", ".join(grants))


def _without(document: Any, path: Sequence[PathStep]) -> Any:
    document = plain(document)
    container = at(document, path[:-1])
    if isinstance(container, dict):
        container.pop(path[-1], None)
    elif isinstance(container, list) and isinstance(path[-1], int) and path[-1] < len(container):
        container[path[-1]] = None
    return document


# --- showing it ------------------------------------------------------------------------------------

# Keys whose values are credentials: the diff shows that they go, never what they held.
_SECRET_LINE = re.compile(r"^(?P<head>[-+ ]\s*(?:apiKey|appKey|token)\s*:\s*)(?P<value>[^\s#].*?)(?P<tail>\s*)$")


def _redacted(line: str) -> str:
    match = _SECRET_LINE.match(line)
    if match is None:
        return line
    return f"{match['head']}<redacted>{match['tail']}"


def unified_diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=name, tofile=f"{name} (fixed)"
    )
    return "".join(_redacted(line) for line in lines)


def report_section(fixed: FixResult, name: str) -> str:
    """REPORT.md's account of the edit: every finding with what --fix did and why, as the CLI says it."""
    where = fixed.source.description if fixed.source is not None else "chart values"
    out = [
        "## Changes to your values file",
        "",
        f"`values.yaml` is `{name}` ({where}) with only these edits; every other key, value and comment is yours.",
        "",
    ]
    order = {APPLIED: 0, OPT_IN: 1, REFUSED: 2, MANUAL: 3}
    for outcome in sorted(fixed.outcomes, key=lambda d: order[d.status]):
        finding = outcome.finding
        head = f"- `{finding.id}` `{finding.key}` ({finding.severity}): {finding.message}."
        out.append(f"{head} **{outcome.summary()}**")
    if not fixed.outcomes:
        out.append("- no finding: nothing changed")
    if fixed.additions:
        out += ["", f"Added to `{PurePath(name).name}` beside the values (nothing of yours changed or removed):", ""]
        out += [f"- {line}" for line in fixed.additions]
    return "\n".join(out) + "\n"


# --- generate --base ------------------------------------------------------------------------------

ANSWER_SETTING = "answer-setting"


def answer_findings(values: Mapping[str, Any], plan_values: Mapping[str, Any], why: Mapping[str, str]) -> AuditReport:
    """`generate --base`: one finding per least-privilege setting of the answers the base file lacks.

    Each leaf ddsecure would write is compared with what the base file gives the chart (its own value,
    or the chart's default); only differing leaves become edits, so the user's other keys in the same
    block stay."""
    from tui.core.chart.model import effective_values

    effective = leaves(effective_values(plain(values)))
    report = AuditReport("base", "values")
    for dotted, value in leaves(plan_values).items():
        if effective.get(dotted, MISSING) == value:
            continue
        parts = dotted.split(".")
        reason = next((why[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in why), "")
        report.findings.append(
            Finding(
                ANSWER_SETTING,
                "medium",
                dotted,
                f"the answers set {dotted}: {_short(value)}" + (f" ({reason})" if reason else ""),
                f"{dotted}: {_short(value)}",
                ((dotted, value),),
            )
        )
    return report
