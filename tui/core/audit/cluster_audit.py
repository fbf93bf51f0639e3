"""Auditing cluster-level privileges: the RBAC a values file will render, or that manifests contain.

For a values file the cluster model predicts the chart's RBAC; for rendered manifests the RBAC
objects are read as they are. Both go through `cluster_grants`, and each dangerous class found
becomes one finding naming the grants, the feature that needs them and the key that removes them.
A feature the file turns on itself is a choice: its dangerous grants are reported as `info`;
one that only comes from a chart default is worth fixing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import Finding
from tui.core.chart.infer import COPIED_FILE_KEYS, count_keys, is_set, user_value
from tui.core.cluster.grants import DANGERS, Grant, bindings_of, dangers_of, grant_set, grants_of, workloads_of
from tui.core.cluster.ledger import summarise
from tui.core.cluster.model import CLUSTER_DEFAULTS, FEATURES, cluster_objects, unmodelled_keys
from tui.core.yamlio.dotted import lookup

# Features `--fix` may switch off by itself: nothing a user relies on without knowing it (the Secret
# metrics, the AppSec injector that is off anyway, Helm values in flares). The others (admission
# controller, Orchestrator Explorer, fine-grained kubelet authorization, which needs Kubernetes 1.33+)
# change what applications or the cluster see, so the finding only says how.
_AUTO_FIX_FEATURES = frozenset({"ksm-secrets", "appsec", "flare"})

# A grant that a value narrows rather than removes with its feature.
_NARROWED = {
    "nodes-proxy": (
        (),
        "on Kubernetes 1.33+ (fine-grained kubelet authorization on by default) set "
        "datadog.kubelet.fineGrainedAuthorization: true: nodes/pods, nodes/healthz... replace nodes/proxy",
    ),
    "scc-use": (
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
) -> list[Finding]:
    """One finding per dangerous class present; `values` is None for rendered manifests."""
    findings = []
    for danger in DANGERS:
        found = sorted(g for g in grants if danger.id in dangers_of(g))
        if not found:
            continue
        owners = sorted({f for g in found for f in features.get(g, ())}, key=list(FEATURES).index)
        chosen_here = values is not None and bool(owners) and all(_chosen_feature(values, f, copied) for f in owners)
        changes: tuple[tuple[str, Any], ...] = ()
        fixes = []
        for owner in owners:
            feature = FEATURES[owner]
            if feature.off:
                changes += feature.off if owner in _AUTO_FIX_FEATURES else ()
                fixes.append(f"{feature.removed_by} (loses {feature.lost_without})")
        if danger.id in _NARROWED:
            narrowing, text = _NARROWED[danger.id]
            changes += narrowing
            fixes.insert(0, text)
        keys = [k for o in owners for k, _ in FEATURES[o].off]
        if danger.id == "nodes-proxy":
            keys.insert(0, "datadog.kubelet.fineGrainedAuthorization")
        what = ", ".join(FEATURES[o].title for o in owners) or "the chart"
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
    grants = grant_set(documents)
    if not grants:
        return []
    return findings_for_grants(grants, _features_by_shape(grants), None) + host_access_findings(
        workloads_of(documents), from_values=False
    )


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


def _features_by_shape(grants: set[Grant]) -> dict[Grant, tuple[str, ...]]:
    """Which chart feature a rendered grant most likely comes from: matched on group, resource and verb
    (not on names, which follow the release) against the model with every modelled feature on."""
    everything = {
        "datadog": {
            "kubeStateMetricsCore": {"collectSecretMetrics": True},
            "secretBackend": {"command": "/readsecret_multiple_providers.sh"},
            "securityAgent": {"compliance": {"enabled": True}},
        },
        "clusterAgent": {"admissionController": {"cwsInstrumentation": {"enabled": True}}},
    }
    model = cluster_objects(everything, "datadog", "default")
    by_shape: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for grant, features in model.features_of_grants("default").items():
        key = (grant.api_group, grant.resource, grant.verb)
        by_shape[key] = tuple(dict.fromkeys(by_shape.get(key, ()) + features))
    return {g: by_shape.get((g.api_group, g.resource, g.verb), ()) for g in grants}


def cluster_ledger_of_manifests(documents: Sequence[Any]) -> dict[str, Any] | None:
    """privileges.json's `cluster` section read off manifests, when they hold the release's RBAC."""
    if not bindings_of(documents):
        return None
    return {"grants": grants_of(documents), "workloads": workloads_of(documents)}
