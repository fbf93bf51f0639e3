"""A Flux HelmRelease: `spec.values`, patched by a kustomize post-renderer of its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.wrappers.base import (
    Committed,
    Item,
    PatchHolder,
    WrapperForm,
    is_datadog_chart,
    mapping,
    object_of,
    shown_name,
    text,
)
from tui.core.wrappers.source import PathStep, ValuesSource, at


class PostRenderers(PatchHolder):
    """helm-controller v2 runs `spec.postRenderers[].kustomize.patches` in order: the bundle's patches are
    one more post-renderer after the user's."""

    def holder(self, document: Any, source: ValuesSource) -> Any:
        return document["spec"]

    def present(self, holder: Mapping[str, Any]) -> list[Item]:
        renderers = holder.get("postRenderers") or []
        kustomize = [r.get("kustomize") or {} for r in renderers if isinstance(r, dict)]
        return [("patches", p) for k in kustomize for p in k.get("patches") or []]

    def append(self, holder: Any, missing: list[Item], entry: Any) -> None:
        if holder.get("postRenderers") is None:
            holder["postRenderers"] = []
        holder["postRenderers"].append({"kustomize": {"patches": [entry(item) for _, item in missing]}})

    def where(self, key: str) -> str:
        return "spec.postRenderers (a new kustomize entry, after yours)"


class FluxHelmRelease(WrapperForm):
    name = "flux"
    label = "Flux HelmRelease"
    title = label
    controller = "Flux's helm-controller renders the chart from spec.values"
    carried = (
        "and applies the DaemonSet and RBAC patches from spec.postRenderers, where ddsecure added them "
        "(nothing to run by hand)"
    )
    patches = PostRenderers()

    kind, api_group = "HelmRelease", "helm.toolkit.fluxcd.io"

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        spec = mapping(document.get("spec"))
        chart = at(spec, ("chart", "spec", "chart"))
        reference = at(spec, ("chartRef", "name"))
        if not (is_datadog_chart(chart) or is_datadog_chart(reference)):
            return None
        unseen = []
        if spec.get("valuesFrom"):
            unseen.append(
                (
                    "spec.valuesFrom",
                    "values Flux merges in from ConfigMaps or Secrets, not read here (audit the ConfigMap too)",
                )
            )
        if reference is not None and chart is None:
            kind = text(at(spec, ("chartRef", "kind"))) or "source"
            unseen.append(
                (
                    "spec.chartRef",
                    f"the chart version is in the {kind} it names, not read here (--render --chart REF --version V)",
                )
            )
        name, namespace = object_of(document)
        target = text(spec.get("targetNamespace"))
        # helm-controller's default release name is "[<targetNamespace>-]<name>".
        release = text(spec.get("releaseName")) or (f"{target}-{name}" if target and name else name)
        return ValuesSource(
            self.name,
            index,
            ("spec", "values"),
            description=f"spec.values of the Flux HelmRelease{shown_name(document)}",
            unseen=tuple(unseen),
            release=release,
            namespace=target or namespace,
            object_name=name,
            object_namespace=namespace,
        )

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...]:
        return ("spec", "chart", "spec", "version")

    def controller_command(self, wrapper: Committed) -> str:
        name, namespace = wrapper.object_name or "datadog", wrapper.object_namespace
        in_namespace = f" -n {namespace}" if namespace else ""
        return f"flux reconcile helmrelease {name}{in_namespace} --with-source"


FORM = FluxHelmRelease()
