"""An umbrella chart's values: the datadog chart is one of its dependencies, and its values are the block
under the dependency's name (`datadog:`, or the alias the umbrella's Chart.yaml gives it), beside other
subcharts' values.

Helm hands the subchart only that block (and `global:`), so that block is what is read and edited. It is
recognised by its shape, told apart from a plain values file with a section written one level too deep
(`datadog: {clusterAgent: ...}`, a common mistake the audit reports): the block holds a `datadog:` section,
which no key of the chart holds; or it holds only the chart's top-level keys, one of them a section, under a
name that is not one of the chart's or beside keys that are not. The umbrella renders the subchart itself
with no post-renderer, so the bundle's patches cannot ride in this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers.base import Committed, WrapperForm, origin_or_file
from tui.core.wrappers.source import ValuesSource

# The datadog chart's top-level sections: a block holding one may be that chart's values.
SECTIONS = ("datadog", "agents", "clusterAgent", "clusterChecksRunner")
# Every top-level key of chart 3.240.0's values (a test holds this to tui/core/data/chart_keys.json).
TOP_LEVEL = frozenset(
    {
        *SECTIONS,
        "commonLabels",
        "datadog-crds",
        "existingClusterAgent",
        "fips",
        "fullnameOverride",
        "global",
        "kube-state-metrics",
        "kubeVersionOverride",
        "nameOverride",
        "operator",
        "otelAgentGateway",
        "providers",
        "registry",
        "registryMigrationMode",
        "remoteConfiguration",
        "targetSystem",
        "useFIPSAgent",
    }
)


def subchart_blocks(document: Mapping[str, Any]) -> list[str]:
    """The top-level keys whose block is a set of datadog chart values (the subchart's name or alias)."""
    found = []
    for key, block in document.items():
        if not isinstance(key, str) or not isinstance(block, Mapping):
            continue
        sections = [s for s in SECTIONS if isinstance(block.get(s), Mapping)]
        if "datadog" in sections:
            found.append(key)
        elif sections and set(block) <= TOP_LEVEL:
            beside = [other for other in document if other != key and other not in TOP_LEVEL]
            if key not in TOP_LEVEL or beside:
                found.append(key)
    return found


class UmbrellaValues(WrapperForm):
    name = "umbrella"
    label = "umbrella chart's values"
    title = "umbrella chart values"
    controller = "helm renders the datadog subchart from its block of your umbrella chart's values"
    missing = (
        "An umbrella chart renders the datadog subchart itself and names its objects after your release, so "
        "installing it applies none of the bundle's DaemonSet and RBAC patches, and the check below lists what "
        "they would have removed. To apply them, give helm upgrade a post-renderer that runs kustomize with "
        "{overrides} (its DaemonSet and RBAC names changed to the ones your release renders), or install the "
        "datadog chart on its own with this bundle ({by_hand})."
    )

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        return "kind" not in document and bool(subchart_blocks(document))

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        blocks = subchart_blocks(document)
        if len(blocks) > 1:
            raise InputFileError(
                f"{where}: {len(blocks)} blocks hold datadog chart values ({', '.join(blocks)}); expected one"
            )
        key = blocks[0]
        notes = ["global: (which helm also hands the subchart) is not read"] if "global" in document else []
        return ValuesSource(
            self.name,
            index,
            (key,),
            description=f"the datadog subchart's values under {key}: of an umbrella chart",
            notes=tuple(notes),
        )

    def controller_command(self, wrapper: Committed) -> str:
        return f"helm upgrade RELEASE UMBRELLA_CHART -f {origin_or_file(wrapper)}"


FORM = UmbrellaValues()
