"""An Argo CD Application with a Helm source: `helm.valuesObject` or the `helm.values` string; and an
ApplicationSet, whose `spec.template` is that Application for every cluster it generates.

An ApplicationSet is read only where every cluster gets the same values: values templated per cluster
(`{{ ... }}`) or a `templatePatch` make it a program, refused with "render it first". Argo CD has no
post-renderer for a Helm source, so the bundle's patches cannot ride in either file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers.base import (
    Committed,
    WrapperForm,
    is_datadog_chart,
    mapping,
    object_of,
    origin_or_file,
    shown_name,
    text,
)
from tui.core.wrappers.source import PathStep, ValuesElsewhere, ValuesSource, at


def _helm_source(source: Mapping[str, Any]) -> bool:
    """A source that installs the datadog chart: a Helm repository's `chart` names it (datadog-operator from
    the same repository does not), or a Git source's `path` is a directory named datadog."""
    if source.get("chart") is not None:
        return is_datadog_chart(source.get("chart"))
    return str(source.get("path") or "").rstrip("/").endswith("datadog")


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
    spec_path: tuple[PathStep, ...] = ("spec",)  # where the Application's spec is

    def application(self, document: Mapping[str, Any], where: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """(metadata, spec) of the Application that installs the chart."""
        return mapping(document.get("metadata")), mapping(document.get("spec"))

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        metadata, spec = self.application(document, where)
        candidates: list[tuple[PathStep, ...]] = []
        if isinstance(spec.get("source"), Mapping) and _helm_source(spec["source"]):
            candidates.append((*self.spec_path, "source"))
        for n, source in enumerate(spec.get("sources") or []):
            if isinstance(source, Mapping) and _helm_source(source):
                candidates.append((*self.spec_path, "sources", n))
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
                f"{where}: the Argo CD {self.kind} sets both helm.values and helm.valuesObject (Argo CD merges "
                "them); not supported: keep one of the two"
            )
        self.check_values(helm, where)
        label = f"Argo CD {self.kind}" + shown_name(document)
        dotted = ".".join(str(s) for s in base[1:])
        unseen = []
        if helm.get("parameters"):
            unseen.append((f"spec.{dotted}.helm.parameters", "parameters Argo CD sets over the values, not read here"))
        if at(document, (*base, "chart")) is None:
            path = text(at(document, (*base, "path")))
            unseen.append(
                (
                    f"spec.{dotted}.path",
                    f"a chart in a Git repository ({path}), read as the datadog chart itself; if it is an umbrella "
                    "chart, its values for datadog sit under the dependency's name: audit its values.yaml beside "
                    "its Chart.yaml",
                )
            )
        if helm.get("valueFiles"):
            files = ", ".join(str(f) for f in helm["valueFiles"]) if isinstance(helm["valueFiles"], list) else ""
            unseen.append(
                (f"spec.{dotted}.helm.valueFiles", f"value files Argo CD merges in ({files}): audit them too")
            )
        name, namespace = object_of(document)
        application = _fixed(text(metadata.get("name")))
        embedded = isinstance(helm.get("values"), str)
        key = "values" if embedded else "valuesObject"
        return ValuesSource(
            self.name,
            index,
            (*base, "helm", key),
            embedded=embedded,
            description=f"spec.{dotted}.helm.{key} of the {label}",
            unseen=tuple(unseen),
            release=_fixed(text(helm.get("releaseName"))) or application,  # Argo CD's default: the Application's
            namespace=_fixed(text(at(spec, ("destination", "namespace")))),
            object_name=name,
            object_namespace=namespace,
        )

    def check_values(self, helm: Mapping[str, Any], where: str) -> None:
        """Refuse values this file cannot state alone (an Application always can)."""

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...] | None:
        source = values_path[:-2]
        # a Git source's targetRevision is a branch or a commit, not the chart's version
        return (*source, "targetRevision") if at(document, (*source, "chart")) is not None else None

    def controller_command(self, wrapper: Committed) -> str:
        return f"argocd app sync {wrapper.object_name or 'datadog'}"


class ArgoCdApplicationSet(ArgoCdApplication):
    name = "argocd-appset"
    label = "Argo CD ApplicationSet"
    title = label
    controller = "the ApplicationSet controller generates an Application per cluster from spec.template"
    missing = ArgoCdApplication.missing.replace("this Application installs", "each Application it generates installs")
    kind = "ApplicationSet"
    spec_path = ("spec", "template", "spec")

    def application(self, document: Mapping[str, Any], where: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        spec = mapping(document.get("spec"))
        if spec.get("templatePatch"):
            raise ValuesElsewhere(
                f"{where}: the ApplicationSet's templatePatch changes each Application it generates; render it "
                "first (argocd appset generate) and audit the Application, or its values"
            )
        template = mapping(spec.get("template"))
        return mapping(template.get("metadata")), mapping(template.get("spec"))

    def check_values(self, helm: Mapping[str, Any], where: str) -> None:
        if "{{" in str(helm.get("valuesObject")) + str(helm.get("values")):
            raise ValuesElsewhere(
                f"{where}: the ApplicationSet's values are templated per cluster; render it first (argocd appset "
                "generate) and audit the Application it generates, or its values"
            )

    def controller_command(self, wrapper: Committed) -> str:
        return f"kubectl apply -f {origin_or_file(wrapper)}"


def _fixed(name: str) -> str:
    """A name as the file gives it, or "" when the ApplicationSet templates it per cluster."""
    return "" if "{{" in name else name


FORM = ArgoCdApplication()
APPLICATION_SET = ArgoCdApplicationSet()
