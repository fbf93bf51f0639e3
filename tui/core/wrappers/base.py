"""What every wrapper form is: where its values are, how it carries the bundle's patches, how it installs.

A wrapper form is one kind of file that installs the datadog chart with values inside it (a Flux
HelmRelease, an Argo CD Application, a Kustomize `helmCharts` entry, a k3s/RKE2 HelmChart, a
helmfile release, an umbrella chart's values), or plain values. Each form is one module of this package
with one `WrapperForm`:

- `locate`: the values inside one document of that kind (a `ValuesSource`), or None;
- `patches`: how the file carries the bundle's DaemonSet and RBAC patches (a `PatchHolder`), or None
  when the form's controller has no post-renderer;
- the install steps: who renders the chart from it, where the patches sit, what to do without them,
  and the command that makes the controller pick up the committed file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from tui.core.errors import InputFileError
from tui.core.wrappers.source import PathStep, ValuesSource

Item = tuple[str, Any]  # (the list of the holder it goes in, the patch entry)


class Committed(Protocol):
    """The edited wrapper as the bundle holds it (next_steps.Wrapper): what a controller command names."""

    @property
    def file(self) -> str: ...  # in the bundle

    @property
    def origin(self) -> str: ...  # where it came from (absolute), "" when unknown

    @property
    def object_name(self) -> str: ...

    @property
    def object_namespace(self) -> str: ...


class PatchHolder:
    """Where a wrapper keeps the patches its controller applies after rendering: by default a kustomize
    `patches:` list on the document itself (a kustomization)."""

    def holder(self, document: Any, source: ValuesSource) -> Any:
        """The mapping whose lists take the entries."""
        return document

    def present(self, holder: Mapping[str, Any]) -> list[Item]:
        """Every patch the file already applies to the chart (`holder` as plain data)."""
        keys = ("patches", "strategicMergePatches", "jsonPatches")
        return [(key, item) for key in keys for item in holder.get(key) or []]

    def items(self, entries: Sequence[dict[str, Any]]) -> list[Item]:
        """The bundle's kustomize `patches` entries in this holder's own shape."""
        return [("patches", dict(entry)) for entry in entries]

    def append(self, holder: Any, missing: list[Item], entry: Any) -> None:
        """Add after what the user has; `entry(item)` makes one entry in the holder's node type."""
        for key, item in missing:
            if holder.get(key) is None:
                holder[key] = []
            holder[key].append(entry(item))

    def where(self, key: str) -> str:
        """Where an added entry sits, as the explanation says it."""
        return "patches: (after yours)"


class WrapperForm:
    """One form of file holding chart values (see the module docstring)."""

    name = ""  # the ValuesSource.form tag
    label = ""  # what the file is, in the install steps
    title = ""  # what holds the values, in an audit's header ("Flux HelmRelease 'datadog'")
    controller = ""  # who renders the chart from it
    carried = ""  # where the patches sit when ddsecure added them (with `patches`)
    # Without a post-renderer: why, and what the user must add instead. Formatted with the bundle's
    # file names: {values}, {overrides}, {kustomization}, {rendered}, {chart_version}, {by_hand}.
    missing = ""
    patches: PatchHolder | None = None
    # The form is a release of a chart (its chart names which); a form that only holds values is not.
    installs_chart = True
    # The container runtime socket of the nodes only this form installs on ("" when any node may run it).
    runtime_socket = ""
    # A Kubernetes object form: its kind and API group (a form without them overrides `is_one`).
    kind = ""
    api_group = ""

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        """The document is of this form's kind (its values may still be another chart's)."""
        return bool(self.kind) and is_object(document, self.kind, self.api_group)

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        """The datadog chart's values in this document, or None when it installs another chart."""
        return None

    def controller_command(self, wrapper: Committed) -> str:
        """What makes the controller pick up the committed file now, rather than at its next interval."""
        return ""

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...] | None:
        """Where the document names the chart version it installs, from where its values sit (None: nowhere)."""
        return None


# --- reading wrapper documents -------------------------------------------------------------------------


def is_object(document: Mapping[str, Any], kind: str, api_group: str) -> bool:
    """The document is a `kind` of `api_group`, at any version of the group."""
    return document.get("kind") == kind and str(document.get("apiVersion") or "").startswith(f"{api_group}/")


def mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


def shown_name(document: Mapping[str, Any]) -> str:
    """` 'name'` of a wrapper object, for its description ("" when it has none)."""
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f" {name!r}" if name else ""


def text(node: Any) -> str:
    return node.strip() if isinstance(node, str) else ""


def object_of(document: Mapping[str, Any]) -> tuple[str, str]:
    """metadata.name and metadata.namespace of a wrapper object."""
    metadata = mapping(document.get("metadata"))
    return text(metadata.get("name")), text(metadata.get("namespace"))


def is_datadog_chart(name: Any) -> bool:
    """The datadog/datadog chart (not datadog-operator, datadog-crds), by chart name or reference."""
    return isinstance(name, str) and re.fullmatch(r"(?:.*/)?datadog(?:@.*)?", name.strip()) is not None


def datadog_entry(entries: Any, name_key: str, too_many: str) -> int | None:
    """The index of the one entry of a list that installs the datadog chart (its `name_key` names it),
    None when none does; `too_many`, formatted with {count}, is the error when several do."""
    found = [
        n
        for n, entry in enumerate(entries or [])
        if isinstance(entry, Mapping) and is_datadog_chart(entry.get(name_key))
    ]
    if len(found) > 1:
        raise InputFileError(too_many.format(count=len(found)))
    return found[0] if found else None


def origin_or_file(wrapper: Committed) -> str:
    return wrapper.origin or wrapper.file


__all__ = ["Committed", "Item", "PatchHolder", "PathStep", "WrapperForm"]
