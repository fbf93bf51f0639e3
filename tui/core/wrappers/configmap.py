"""A ConfigMap or Secret holding datadog chart values in one of its keys, as a Flux HelmRelease reads them
through `spec.valuesFrom` (`valuesKey`, `values.yaml` by default).

Such a key is read as the chart's values when its text is a mapping with a `datadog:` section written in
the chart's keys; the repository audit then checks the whole of it as it checks any values file. The
ConfigMap only holds values: the HelmRelease that reads it carries the bundle's patches, so this file
gets none, and the next steps say so.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers.base import Committed, WrapperForm, object_of, origin_or_file, shown_name
from tui.core.wrappers.source import ValuesElsewhere, ValuesSource

# Keys of the chart's `datadog:` section that only its values set (another chart's `datadog:` block
# holds a switch or an address, not these): one of them makes a key's text the chart's values.
_SIGNATURE = frozenset(
    (
        "apiKey", "apiKeyExistingSecret", "appKey", "appKeyExistingSecret", "site", "clusterName", "logs",
        "apm", "dogstatsd", "kubelet", "processAgent", "networkMonitoring", "securityAgent", "systemProbe",
        "orchestratorExplorer", "kubeStateMetricsCore", "clusterChecks", "confd", "checksd", "criSocketPath",
        "useHostPID", "tags", "env", "secretBackend", "otlp", "discovery",
    )
)  # fmt: skip


def holds_chart_values(text: Any) -> bool:
    if not isinstance(text, str) or "datadog:" not in text:
        return False
    from tui.core.yamlio.helm import read_values  # here for start-up speed: generate reads no values file

    try:
        values = read_values(text, "a ConfigMap key").documents
    except InputFileError:
        return False
    datadog = values[0].get("datadog") if values and isinstance(values[0], Mapping) else None
    return isinstance(datadog, Mapping) and bool(_SIGNATURE & set(datadog))


class ValuesConfigMap(WrapperForm):
    name = "configmap"
    installs_chart = False
    label = "ConfigMap of values (Flux valuesFrom)"
    title = "ConfigMap"
    controller = "Flux's helm-controller merges these values into the HelmRelease that names them in valuesFrom"
    missing = (
        "A ConfigMap only holds values: the HelmRelease that reads them through valuesFrom is what installs "
        "the chart, so the bundle's DaemonSet and RBAC patches belong there: audit it with --fix too (its "
        "spec.postRenderers get them), or render the chart by hand ({by_hand})."
    )

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        return document.get("kind") in ("ConfigMap", "Secret") and str(document.get("apiVersion")) == "v1"

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        found = []
        for field in ("data", "stringData"):
            data = document.get(field)
            if isinstance(data, Mapping):
                found += [(field, key) for key, text in data.items() if holds_chart_values(text)]
        if document.get("kind") == "Secret" and isinstance(document.get("data"), Mapping):
            encoded = [key for key, text in document["data"].items() if holds_chart_values(_decoded(text))]
            if encoded:
                raise ValuesElsewhere(
                    f"{where}: the Secret holds datadog chart values base64-encoded in data.{encoded[0]}; decode "
                    "them into a values file (or stringData) and audit that"
                )
        if not found:
            return None
        if len(found) > 1:
            keys = ", ".join(f"{field}.{key}" for field, key in found)
            kind = document.get("kind")
            raise InputFileError(f"{where}: the {kind} holds datadog chart values in {keys}; expected one")
        field, key = found[0]
        name, namespace = object_of(document)
        return ValuesSource(
            self.name,
            index,
            (field, key),
            embedded=True,
            description=f"{field}.{key} of the {document.get('kind')}{shown_name(document)}",
            object_name=name,
            object_namespace=namespace,
        )

    def controller_command(self, wrapper: Committed) -> str:
        return f"kubectl apply -f {origin_or_file(wrapper)}"


def _decoded(text: Any) -> str:
    try:
        return base64.b64decode(str(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""


FORM = ValuesConfigMap()
