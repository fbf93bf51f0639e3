"""An Argo CD Application with a Helm source: `helm.valuesObject` or the `helm.values` string.

Argo CD has no post-renderer for a Helm source, so the bundle's patches cannot ride in this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers.base import (
    Committed,
    WrapperForm,
    is_datadog_chart,
    is_object,
    mapping,
    object_of,
    shown_name,
    text,
)
from tui.core.wrappers.source import PathStep, ValuesSource, at


def _helm_source(source: Mapping[str, Any]) -> bool:
    return (
        is_datadog_chart(source.get("chart"))
        or "datadoghq" in str(source.get("repoURL") or "")
        or str(source.get("path") or "").rstrip("/").endswith("datadog")
    )


class ArgoCdApplication(WrapperForm):
    name = "argocd"
    label = "Argo CD Application"
    title = label
    controller = "Argo CD renders the chart from spec.source.helm"
    missing = (
        "Argo CD has no post-renderer for a Helm source (argoproj/argo-cd#3698), so this Application installs "
        "the chart WITHOUT the bundle's DaemonSet and RBAC patches, and the check below lists what they would "
        "have removed. To apply them, let Argo CD build a kustomization instead: in your Git repository, put a "
        "kustomization.yaml with a helmCharts entry for the datadog chart {chart_version} (valuesFile: {values}) "
        "and the patches: of this bundle's {kustomization}, beside {values} and {overrides}; point the "
        "Application's source at that directory (path: instead of chart:) and enable helm in its builds "
        "(argocd-cm: kustomize.buildOptions: --enable-helm)."
    )

    kind, api_group = "Application", "argoproj.io"

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        if is_object(document, "ApplicationSet", self.api_group):
            raise InputFileError(
                f"{where}: an Argo CD ApplicationSet generates its values per cluster; render it first "
                "(argocd appset generate) and audit the Application it generates, or its values"
            )
        return super().is_one(document, where)

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        spec = mapping(document.get("spec"))
        candidates: list[tuple[PathStep, ...]] = []
        if isinstance(spec.get("source"), Mapping) and _helm_source(spec["source"]):
            candidates.append(("spec", "source"))
        for n, source in enumerate(spec.get("sources") or []):
            if isinstance(source, Mapping) and _helm_source(source):
                candidates.append(("spec", "sources", n))
        if not candidates:
            return None
        if len(candidates) > 1:
            raise InputFileError(
                f"{where}: the Argo CD Application has {len(candidates)} datadog sources; expected one"
            )
        base = candidates[0]
        helm = at(document, (*base, "helm"))
        helm = helm if isinstance(helm, Mapping) else {}
        if helm.get("valuesObject") is not None and helm.get("values"):
            raise InputFileError(
                f"{where}: the Argo CD Application sets both helm.values and helm.valuesObject (Argo CD merges "
                "them); not supported: keep one of the two"
            )
        label = "Argo CD Application" + shown_name(document)
        dotted = ".".join(str(s) for s in base[1:])
        unseen = []
        if helm.get("parameters"):
            unseen.append((f"spec.{dotted}.helm.parameters", "parameters Argo CD sets over the values, not read here"))
        if helm.get("valueFiles"):
            files = ", ".join(str(f) for f in helm["valueFiles"]) if isinstance(helm["valueFiles"], list) else ""
            unseen.append(
                (f"spec.{dotted}.helm.valueFiles", f"value files Argo CD merges in ({files}): audit them too")
            )
        name, namespace = object_of(document)
        embedded = isinstance(helm.get("values"), str)
        key = "values" if embedded else "valuesObject"
        return ValuesSource(
            self.name,
            index,
            (*base, "helm", key),
            embedded=embedded,
            description=f"spec.{dotted}.helm.{key} of the {label}",
            unseen=tuple(unseen),
            release=text(helm.get("releaseName")) or name,  # Argo CD's default: the Application's name
            namespace=text(at(spec, ("destination", "namespace"))),
            object_name=name,
            object_namespace=namespace,
        )

    def version_path(self, values_path: tuple[PathStep, ...]) -> tuple[PathStep, ...]:
        return (*values_path[:-2], "targetRevision")  # beside source.helm

    def controller_command(self, wrapper: Committed) -> str:
        return f"argocd app sync {wrapper.object_name or 'datadog'}"


FORM = ArgoCdApplication()
