"""Rendered or live manifests whose pods Kubernetes would refuse: one high `pod-refused` finding each.

The same pod rules and strict PodSpec schema that every generate runs (`tui.core.pod_rules`,
`tui.core.pod_schema`), on each DaemonSet and Deployment of the input, at the newest version shipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tui.core.audit.findings import Finding
from tui.core.pod_rules import LATEST_MINOR, violations
from tui.core.pod_schema import schema_problems
from tui.core.pod_spec import pod_spec_of

WORKLOADS = ("DaemonSet", "Deployment")


def _workloads(documents: Sequence[Any]) -> Iterator[Mapping[str, Any]]:
    for document in documents:
        if not isinstance(document, Mapping):
            continue
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            yield from _workloads(document["items"])
        elif document.get("kind") in WORKLOADS:
            yield document


def refused_pod_findings(documents: Sequence[Any]) -> list[Finding]:
    out = []
    for workload in _workloads(documents):
        pod = pod_spec_of(workload)
        problems = [str(v) for v in violations(pod, LATEST_MINOR)] or schema_problems(pod, LATEST_MINOR, limit=1)
        if problems:
            name = (workload.get("metadata") or {}).get("name", "?")
            subject = f"{workload['kind']} {name}"
            out.append(
                Finding(
                    "pod-refused",
                    "high",
                    subject,
                    f"Kubernetes would refuse the pod of {subject}: {problems[0]}",
                    "change the security context, ports or volumes the message names",
                )
            )
    return out
