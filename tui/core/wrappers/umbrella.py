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

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tui.core.errors import InputFileError
from tui.core.wrappers.base import Committed, WrapperForm, origin_or_file
from tui.core.wrappers.source import ValuesSource

# The key an umbrella chart conventionally names in `condition:` to install a subchart or not: helm hands it
# to the subchart with the rest of the block, and the datadog chart, which has no such key, ignores it.
CONDITION = "enabled"

# The datadog chart's top-level sections: a block holding one may be that chart's values (the repository
# audit also tells the chart's values files by them).
SECTIONS = ("datadog", "clusterAgent", "agents", "clusterChecksRunner")
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
        # `global` is helm's values for every chart, never a subchart's block
        if not isinstance(key, str) or not isinstance(block, Mapping) or key == "global":
            continue
        sections = [s for s in SECTIONS if isinstance(block.get(s), Mapping)]
        if "datadog" in sections:
            found.append(key)
        elif sections and set(block) - {CONDITION} <= TOP_LEVEL:
            beside = [other for other in document if other != key and other not in TOP_LEVEL]
            if key not in TOP_LEVEL or beside:
                found.append(key)
    return found


class UmbrellaValues(WrapperForm):
    name = "umbrella"
    installs_chart = False  # values for a chart's dependency: Chart.yaml names the chart
    label = "umbrella chart's values"
    title = "umbrella chart"
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
        return self.block(index, document, blocks[0])

    def block(self, index: int, document: Mapping[str, Any], key: str) -> ValuesSource:
        """The values under `key`: the subchart's name or alias."""
        notes = ["global: (which helm also hands the subchart) is not read"] if "global" in document else []
        if CONDITION in document[key]:
            condition = f"{key}.{CONDITION}: read as the umbrella's condition for installing the subchart (Chart.yaml "
            if document[key][CONDITION] in (False, "false", None):
                notes.append(
                    condition + "`condition:`), and it is off: the umbrella installs no Agent; this audit describes "
                    "the Agent these values would deploy with it on"
                )
            else:
                notes.append(condition + "`condition:`), which the datadog chart itself ignores")
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


# --- the umbrella's Chart.yaml, when it sits beside the values file -------------------------------------


class Dependency(NamedTuple):
    """The datadog chart as a dependency of an umbrella chart."""

    key: str  # where the umbrella's values hold its block: the alias, else the chart's name
    version: str  # as Chart.yaml writes it ("" when it does not): a version or a range
    position: int  # its place in `dependencies`


def datadog_dependency(chart: Any) -> Dependency | None:
    """The datadog chart among the dependencies of a parsed Chart.yaml, or None."""
    dependencies = chart.get("dependencies") if isinstance(chart, Mapping) else None
    for index, entry in enumerate(dependencies if isinstance(dependencies, list) else []):
        if isinstance(entry, Mapping) and entry.get("name") == "datadog":
            alias = entry.get("alias")
            return Dependency(
                alias if isinstance(alias, str) and alias else "datadog", _text(entry.get("version")), index
            )
    return None


def dependency_beside(values_file: Path, known: dict[Path, Dependency | None] | None = None) -> Dependency | None:
    """The datadog dependency of the umbrella chart whose Chart.yaml sits beside `values_file`, if any (an
    unreadable Chart.yaml is no umbrella: the values file is then read by its shape alone). `known`: the
    dependencies already read, by directory (a repository audit reads each Chart.yaml once)."""
    if values_file.name == "Chart.yaml":
        return None
    if known is None:
        return _dependency_in(values_file.parent)
    if values_file.parent not in known:
        known[values_file.parent] = _dependency_in(values_file.parent)
    return known[values_file.parent]


def _dependency_in(directory: Path) -> Dependency | None:
    from tui.core.errors import DdsecureError
    from tui.core.yamlio.reader import parse_documents, read_text

    chart_file = directory / "Chart.yaml"
    if not chart_file.is_file():
        return None
    try:
        documents = parse_documents(read_text(chart_file), str(chart_file))
    except DdsecureError:
        return None
    return datadog_dependency(documents[0]) if documents else None


def at_dependency(documents: Sequence[Any], dependency: Dependency) -> ValuesSource | None:
    """The dependency's block in a values file of its umbrella chart: its values whatever their shape."""
    held = [
        n
        for n, document in enumerate(documents)
        if isinstance(document, Mapping) and isinstance(document.get(dependency.key), Mapping)
    ]
    return FORM.block(held[0], documents[held[0]], dependency.key) if len(held) == 1 else None


def _text(node: Any) -> str:
    return str(node).strip() if node is not None else ""
