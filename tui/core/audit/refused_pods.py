"""Pods Kubernetes would refuse: the `pod-refused` rule, for a values file and for manifests.

The same pod rules and strict PodSpec schema that every generate runs (`tui.core.pod.api_rules`,
`tui.core.pod.schema`): on the node-Agent and Cluster Agent pods a values file renders, and on each
DaemonSet and Deployment of rendered or live manifests, at the newest version shipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tui.core.audit.catalogue import Hit
from tui.core.pod.api_rules import LATEST_MINOR, violations
from tui.core.pod.schema import schema_problems
from tui.core.pod.spec import pod_spec_of

if TYPE_CHECKING:
    from tui.core.deployment import ValuesDeployment

WORKLOADS = ("DaemonSet", "Deployment")


def pod_problem(pod: Mapping[str, Any], minor: int = LATEST_MINOR) -> str:
    """The first reason Kubernetes 1.`minor` would refuse this pod ("" when it would admit it)."""
    if not pod:
        return ""
    found = [str(v) for v in violations(pod, minor)] or schema_problems(pod, minor, limit=1)
    return found[0] if found else ""


def first_violation(deployment: ValuesDeployment) -> str:
    """The first reason the node-Agent or Cluster Agent pod these values render would be refused ("" if none)."""
    for what, pod in (("node-Agent", deployment.values_pod), ("Cluster Agent", deployment.values_cluster_pod)):
        found = violations(pod) if pod else []
        if found:
            return f"{found[0].enforcer} would refuse the {what} pod these values render: {found[0].message}"
        fields = schema_problems(pod, LATEST_MINOR, limit=1) if pod else []
        if fields:
            return f"the API server would refuse the {what} pod these values render: {fields[0]}"
    return ""


def _workloads(documents: Sequence[Any]) -> Iterator[Mapping[str, Any]]:
    for document in documents:
        if not isinstance(document, Mapping):
            continue
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            yield from _workloads(document["items"])
        elif document.get("kind") in WORKLOADS:
            yield document


def refused_pod_hits(documents: Sequence[Any]) -> Iterator[Hit]:
    """One `pod-refused` hit per DaemonSet or Deployment of the manifests whose pod would be refused."""
    for workload in _workloads(documents):
        problem = pod_problem(pod_spec_of(workload))
        if problem:
            subject = f"{workload['kind']} {(workload.get('metadata') or {}).get('name', '?')}"
            yield Hit(subject, {"problem": f"Kubernetes would refuse the pod of {subject}: {problem}", "tail": ""})
