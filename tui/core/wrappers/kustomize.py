"""A Kustomize kustomization inflating the chart from `helmCharts` (`valuesInline`); it is itself a
kustomization, so the bundle's patches go in its `patches:` list."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.core.wrappers.base import Committed, PatchHolder, WrapperForm, datadog_entry, text
from tui.core.wrappers.source import PathStep, ValuesSource, at


class KustomizeHelmCharts(WrapperForm):
    name = "kustomize"
    label = "Kustomize kustomization (helmCharts)"
    title = "Kustomize helmCharts"
    controller = "kustomize inflates the chart from helmCharts"
    carried = (
        "and applies the DaemonSet and RBAC patches ddsecure added to its patches: list (helm must be "
        "enabled wherever it is built: kubectl kustomize --enable-helm, or Argo CD's kustomize.buildOptions; "
        "kustomize 5.7 runs `helm version -c`, which helm 4 refuses, so it needs helm 3 on its PATH or "
        "--helm-command)"
    )
    patches = PatchHolder()

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        return (
            document.get("kind") in ("Kustomization", None) and "helmCharts" in document
        )  # kustomize reads it without a kind

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        found = datadog_entry(
            document.get("helmCharts"),
            "name",
            f"{where}: the Kustomization inflates the datadog chart {{count}} times; expect once",
        )
        if found is None:
            return None
        unseen = []
        for key in ("valuesFile", "additionalValuesFiles"):
            if at(document, ("helmCharts", found, key)):
                unseen.append((f"helmCharts[{found}].{key}", "value files kustomize merges in, not read here"))
        chart = document["helmCharts"][found]
        return ValuesSource(
            self.name,
            index,
            ("helmCharts", found, "valuesInline"),
            description="helmCharts valuesInline of the Kustomization",
            unseen=tuple(unseen),
            release=text(chart.get("releaseName")) or "release-name",  # kustomize's default, when unset
            namespace=text(chart.get("namespace")) or text(document.get("namespace")),
        )

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...]:
        return (*values_path[:-1], "version")  # the helmCharts entry's

    def controller_command(self, wrapper: Committed) -> str:
        where = Path(wrapper.origin).parent.as_posix() if wrapper.origin else "."
        return f"kubectl kustomize --enable-helm {where} | kubectl apply -f -"


FORM = KustomizeHelmCharts()
