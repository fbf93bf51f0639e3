"""A k3s/RKE2 HelmChart: the values are the `spec.valuesContent` string.

The k3s/RKE2 helm-controller runs helm install with no post-renderer, so the bundle's patches cannot
ride in this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from tui.core.wrappers.source import PathStep, ValuesSource


class K3sHelmChart(WrapperForm):
    name = "k3s"
    label = "k3s/RKE2 HelmChart"
    title = label
    controller = "the k3s/RKE2 helm-controller installs the chart from spec.valuesContent"
    missing = (
        "The k3s/RKE2 helm-controller runs helm install with no post-renderer, so this HelmChart installs the "
        "chart WITHOUT the bundle's DaemonSet and RBAC patches, and the check below lists what they would have "
        "removed. To apply them, deploy the patched chart instead of a HelmChart: render it ({by_hand}) "
        "and put the output in the server's auto-deploy directory (/var/lib/rancher/k3s/server/manifests/, "
        "RKE2: /var/lib/rancher/rke2/server/manifests/)."
    )

    kind, api_group = "HelmChart", "helm.cattle.io"
    runtime_socket = "/run/k3s/containerd/containerd.sock"  # k3s's and RKE2's embedded containerd

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        spec = mapping(document.get("spec"))
        if not is_datadog_chart(spec.get("chart")):
            return None
        name, namespace = object_of(document)
        return ValuesSource(
            self.name,
            index,
            ("spec", "valuesContent"),
            embedded=True,
            description=f"spec.valuesContent of the HelmChart{shown_name(document)}",
            release=name,  # the k3s helm-controller names the release after the HelmChart
            namespace=text(spec.get("targetNamespace")) or namespace,
            object_name=name,
            object_namespace=namespace,
        )

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...]:
        return ("spec", "version")

    def controller_command(self, wrapper: Committed) -> str:
        return f"kubectl apply -f {origin_or_file(wrapper)}"


FORM = K3sHelmChart()
