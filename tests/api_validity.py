"""What the API server would say of rendered objects, offline: the strict OpenAPI schema of the answered
Kubernetes version (the `kubernetes-validate` package, a test dependency) and the pod rules of
`tui.core.pod.api_rules`. CRD kinds (SCC, DatadogAgent) have no built-in schema and keep their own checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import kubernetes_validate

from tui.core.pod.api_rules import violations
from tui.core.pod.spec import pod_spec_of

WORKLOADS = ("DaemonSet", "Deployment")


def built_in(api_version: str) -> bool:
    """Kubernetes' own groups: the core group (`v1`), dot-less groups (`apps/v1`) and `*.k8s.io`."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def api_problems(documents: Iterable[Mapping[str, Any]], kubernetes_version: str) -> list[str]:
    """One line per object the API server of that version would refuse; empty when all are admitted."""
    minor = int(kubernetes_version.split(".")[1])
    problems: list[str] = []
    for document in documents:
        kind, name = document.get("kind"), (document.get("metadata") or {}).get("name")
        try:
            kubernetes_validate.validate(dict(document), kubernetes_version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            if built_in(str(document.get("apiVersion"))):
                problems.append(f"{kind} {name}: no schema for {document.get('apiVersion')} in {kubernetes_version}")
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(step) for step in error.path)
            problems.append(f"{kind} {name}: {path}: {error.message[:300]}")
        if kind in WORKLOADS:
            problems += [f"{kind} {name}: {v}" for v in violations(pod_spec_of(document), minor)]
    return problems
