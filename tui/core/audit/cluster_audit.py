"""Auditing cluster-level privileges: the RBAC a values file will render, or that manifests contain.

For a values file the cluster model predicts the chart's RBAC; for rendered manifests the RBAC
objects are read as they are. Both go through `cluster_grants`, and each dangerous class found
becomes one finding naming the grants, the feature that needs them and the key that removes them.
In manifests a grant is attributed by the workload that runs as the account holding it: the node
Agent's and the Cluster Agent's grants to their features, the bundled Datadog Operator's to
`operator-bundled` (`operator_hits`: the values audit's finding for the same subchart), and one held by
an account no Datadog workload runs as to that account, never to an Agent.
A feature the file turns on itself is a choice: its dangerous grants are reported as `info`;
one that only comes from a chart default is worth fixing.
"""

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from tui.core.answers.contract import chart_fullname
from tui.core.audit.catalogue import CATALOGUE, Hit
from tui.core.audit.findings import Finding
from tui.core.chart.infer import COPIED_FILE_KEYS, count_keys, is_set, user_value
from tui.core.cluster.grants import (
    BINDING_KINDS,
    CLUSTER,
    CLUSTER_AGENT,
    DANGERS,
    NODE_AGENT,
    OPERATOR,
    Grant,
    account_runners,
    bindings_of,
    dangers_of,
    grant_holders,
    grant_set,
    grants_of,
    workloads_of,
)
from tui.core.cluster.ledger import summarise
from tui.core.cluster.model import CLUSTER_DEFAULTS, FEATURES, ClusterModel, cluster_objects, unmodelled_keys
from tui.core.yamlio.dotted import lookup

# Features `--fix` may switch off by itself: nothing a user relies on without knowing it (the Secret
# metrics, the AppSec injector that is off anyway, Helm values in flares). The others (admission
# controller, Orchestrator Explorer, fine-grained kubelet authorization, which needs Kubernetes 1.33+)
# change what applications or the cluster see, so the finding only says how.
_AUTO_FIX_FEATURES = frozenset({"ksm-secrets", "appsec", "flare"})

# A grant that a value narrows rather than removes with its feature: (the feature it belongs to, the
# edit, the fix), said only when that feature holds the grant.
_NARROWED = {
    "nodes-proxy": (
        "kubelet",
        (),
        "on Kubernetes 1.33+ (fine-grained kubelet authorization on by default) set "
        "datadog.kubelet.fineGrainedAuthorization: true: nodes/pods, nodes/healthz... replace nodes/proxy",
    ),
    "scc-use": (
        "openshift-scc",
        (),
        "the chart always renders it: remove the SCC names with a kustomize patch (`ddsecure audit --fix`)",
    ),
}


def _chosen_feature(values: Mapping[str, Any], feature: str, copied: bool) -> bool:
    """The file itself turns the feature on: sets its switch on (in a copy of values.yaml, away from the default)."""
    off = FEATURES[feature].off if feature in FEATURES else ()
    for key, off_value in off:
        value = user_value(values, key)
        if not is_set(values, key) or value == off_value:
            continue
        if not copied or value != lookup(CLUSTER_DEFAULTS, key):
            return True
    return False


def findings_for_grants(
    grants: set[Grant],
    features: Mapping[Grant, tuple[str, ...]],
    values: Mapping[str, Any] | None,
    copied: bool = False,
    strays: Mapping[Grant, tuple[str, str]] | None = None,
) -> list[Finding]:
    """One finding per dangerous class present; `values` is None for rendered manifests, whose grants held
    by no Agent are `strays`: (who holds it, what removes it), said instead of a feature."""
    findings = []
    for danger in DANGERS:
        found = sorted(g for g in grants if danger.id in dangers_of(g))
        if not found:
            continue
        owners = sorted({f for g in found for f in features.get(g, ())}, key=list(FEATURES).index)
        holders = dict.fromkeys((strays or {})[g] for g in found if g in (strays or {}))
        chosen_here = values is not None and bool(owners) and all(_chosen_feature(values, f, copied) for f in owners)
        changes: tuple[tuple[str, Any], ...] = ()
        fixes = []
        for owner in owners:
            feature = FEATURES[owner]
            if feature.off:
                changes += feature.off if owner in _AUTO_FIX_FEATURES else ()
                fixes.append(f"{feature.removed_by} (loses {feature.lost_without})")
        narrowed = danger.id in _NARROWED and _NARROWED[danger.id][0] in owners
        if narrowed:
            _, narrowing, text = _NARROWED[danger.id]
            changes += narrowing
            fixes.insert(0, text)
        fixes += [fix for _, fix in holders]
        keys = [k for o in owners for k, _ in FEATURES[o].off]
        if narrowed and danger.id == "nodes-proxy":
            keys.insert(0, "datadog.kubelet.fineGrainedAuthorization")
        what = ", ".join([*(FEATURES[o].title for o in owners), *(who for who, _ in holders)]) or "the chart"
        shown = summarise([str(g) for g in found])
        more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
        fields = {
            "what": what,
            "grants": "; ".join(shown[:4]) + more,
            "chosen": " (turned on in this file)" if chosen_here else "",
            "fixes": "; or ".join(fixes) or "no chart value removes it",
        }
        entry = CATALOGUE[f"cluster-{danger.id}"]
        edits = changes if values is not None and not chosen_here else ()
        findings.append(entry.finding(keys[0] if keys else "rbac", fields, edits, "info" if chosen_here else ""))
    return findings


def cluster_findings_for_values(values: Mapping[str, Any]) -> list[Finding]:
    release, namespace = "datadog", "datadog"
    model = cluster_objects(values, release, namespace)
    grants = grant_set(model.objects, namespace)
    copied = count_keys(values) >= COPIED_FILE_KEYS
    findings = findings_for_grants(grants, model.features_of_grants(namespace), values, copied)
    findings += host_access_findings(workloads_of(model.objects), from_values=True)
    unknown = unmodelled_keys(values)
    if unknown:
        findings.append(CATALOGUE["cluster-rbac-unmodelled"].finding(unknown[0], {"keys": ", ".join(unknown)}))
    return findings


def cluster_findings_for_manifests(documents: Sequence[Any]) -> list[Finding]:
    """The dangerous grants of the node Agent, the Cluster Agent and of accounts no Datadog workload runs as;
    the bundled Operator's are `operator_hits`' (the manifest audit's `operator-bundled` check)."""
    holders = _holders(documents)
    if not holders.held:
        return []
    grants = {*holders.sides, *holders.strays}
    findings = findings_for_grants(grants, _features_by_shape(holders.sides), None, strays=holders.strays)
    return findings + host_access_findings(workloads_of(documents), from_values=False)


class _Holders(NamedTuple):
    """Who holds the grants of rendered manifests."""

    held: dict[Grant, frozenset[tuple[str, str]]]  # each grant and the accounts holding it
    runners: dict[tuple[str, str], dict[str, str]]  # each account and the Datadog workloads running as it
    sides: dict[Grant, frozenset[str]]  # the Agents' grants: the Agents (node, cluster) holding each
    strays: dict[Grant, tuple[str, str]]  # grants neither an Agent nor the bundled Operator holds: (who, fix)
    operators: dict[tuple[str, str], list[Grant]]  # the bundled Operator's accounts and their grants


_AGENTS = frozenset({NODE_AGENT, CLUSTER_AGENT})


def _holders(documents: Sequence[Any]) -> _Holders:
    held = grant_holders(documents)
    runners = account_runners(documents)
    agents = {account: kinds for account, runs in runners.items() if (kinds := _AGENTS & set(runs.values()))}
    holders = _Holders(held, runners, {}, {}, {a: [] for a, runs in runners.items() if OPERATOR in runs.values()})
    for grant, accounts in sorted(held.items()):
        sides = frozenset(kind for account in accounts for kind in agents.get(account, ()))
        if sides:
            holders.sides[grant] = sides
        for account in sorted(accounts):
            if account in holders.operators:
                holders.operators[account].append(grant)
            elif not sides and grant not in holders.strays:
                holders.strays[grant] = _stray(account, runners.get(account, {}))
    return holders


def _stray(account: tuple[str, str], runs: Mapping[str, str]) -> tuple[str, str]:
    """(who, fix) for a grant no Agent holds: the datadog-operator chart's own Operator, or an account that
    no Datadog workload of the manifests runs as."""
    name = f"ServiceAccount {account[0]}/{account[1]}"
    if runs:  # the Operator of a datadog-operator release (its chart's labels say so)
        return (
            f"the Datadog Operator's {name} (from its own datadog-operator chart)",
            "no value of the datadog chart: it belongs to the datadog-operator release",
        )
    return f"{name}, which no Datadog workload in these manifests runs as", "none known for an account no Agent uses"


def operator_hits(documents: Sequence[Any]) -> Iterator[Hit]:
    """`operator-bundled` for the chart's bundled Operator in rendered manifests, in the values audit's words,
    with the grants of its ServiceAccount named (the values audit cannot predict them)."""
    holders = _holders(documents)
    for account, grants in sorted(holders.operators.items()):
        mine = sorted(w for w, kind in holders.runners[account].items() if kind == OPERATOR)
        what = ", ".join([w for w in mine if not w.startswith("ServiceAccount ")] or mine)
        if grants:
            dangers = [d.title for d in DANGERS if any(d.id in dangers_of(g) for g in grants)]
            worst = [g for d in DANGERS for g in grants if d.id in dangers_of(g)]  # the most dangerous first
            shown = summarise([str(g) for g in dict.fromkeys(worst or grants)])
            more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
            rbac = (
                f"its ServiceAccount {account[0]}/{account[1]} holds {len(grants)} permissions"
                + (f" ({', '.join(dangers)})" if dangers else "")
                + ": "
                + "; ".join(shown[:4])
                + more
            )
        else:
            rbac = "its RBAC is not in these manifests"
        yield Hit("datadog.operator.enabled", {"source": f"rendered: {what}", "rbac": rbac})


def host_access_findings(workloads: Mapping[str, Mapping[str, Any]], *, from_values: bool) -> list[Finding]:
    """The release's Deployments (the Cluster Agent) that share their node's network or mount its paths."""
    found = []
    network, volumes = "clusterAgent.useHostNetwork", "clusterAgent.volumes"
    for name, workload in workloads.items():
        who = "the Cluster Agent" if from_values else f"Deployment {name}"
        if workload.get("hostNetwork") is True:
            fields = {"name": who, "setting": network, "source": "set in file" if from_values else "rendered"}
            key = network if from_values else f"Deployment {name}: hostNetwork"
            edit = ((network, False),) if from_values else ()
            found.append(CATALOGUE["cluster-agent-host-network"].finding(key, fields, edit))
        for path, mode in (workload.get("hostPaths") or {}).items():
            fields = {"name": who, "setting": volumes, "path": path, "mode": mode}
            key = volumes if from_values else f"Deployment {name}: hostPath {path}"
            found.append(CATALOGUE["cluster-agent-host-path"].finding(key, fields, (), "" if mode == "rw" else "low"))
    return found


def _features_by_shape(sides: Mapping[Grant, frozenset[str]]) -> dict[Grant, tuple[str, ...]]:
    """Which chart feature a rendered grant most likely comes from: matched on its `_shape` against the
    model with every modelled feature on, among the roles of the Agents that hold it (`sides`: node Agent,
    Cluster Agent)."""
    by_shape = _shapes()
    return {
        g: tuple(dict.fromkeys(f for side in sorted(held) for f in by_shape.get(_shape(side, g), ())))
        for g, held in sides.items()
    }


def _shape(side: str, g: Grant) -> tuple[Any, ...]:
    """What of a grant does not follow the release's names or namespace: the Agent holding it, group,
    resource, verb, whether it is cluster-wide and whether it is for any name."""
    return side, g.api_group, g.resource, g.verb, g.scope == CLUSTER, g.name == "*"


@lru_cache(maxsize=1)
def _shapes() -> dict[tuple[Any, ...], tuple[str, ...]]:
    """`_shape` -> features, from the model with every feature on, with and without the Cluster Agent
    (without it, the node Agent's role takes the cluster-level rules)."""
    everything = {
        "datadog": {
            "kubeStateMetricsCore": {"collectSecretMetrics": True},
            "secretBackend": {"command": "/readsecret_multiple_providers.sh"},
            "securityAgent": {"compliance": {"enabled": True}},
        },
        "clusterAgent": {"admissionController": {"cwsInstrumentation": {"enabled": True}}},
    }
    alone = {**everything, "clusterAgent": {"enabled": False}}
    full = chart_fullname("datadog")
    by_shape: dict[tuple[Any, ...], tuple[str, ...]] = {}
    for values in (everything, alone):
        model = cluster_objects(values, "datadog", "default")
        for side, account in ((NODE_AGENT, full), (CLUSTER_AGENT, f"{full}-cluster-agent")):
            mine = [o for o in model.objects if o["kind"] not in BINDING_KINDS or o["subjects"][0]["name"] == account]
            for grant, features in ClusterModel(mine, model.rule_features).features_of_grants("default").items():
                key = _shape(side, grant)
                by_shape[key] = tuple(dict.fromkeys(by_shape.get(key, ()) + features))
    return by_shape


def cluster_ledger_of_manifests(documents: Sequence[Any]) -> dict[str, Any] | None:
    """privileges.json's `cluster` section read off manifests, when they hold the release's RBAC."""
    if not bindings_of(documents):
        return None
    return {"grants": grants_of(documents), "workloads": workloads_of(documents)}
