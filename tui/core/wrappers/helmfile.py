"""A helmfile release of the chart with inline values; the bundle's patches go in the release's
`strategicMergePatches:` and `jsonPatches:`, which helmfile applies with kustomize before installing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers.base import (
    Committed,
    Item,
    PatchHolder,
    WrapperForm,
    datadog_entry,
    origin_or_file,
    text,
)
from tui.core.wrappers.source import PathStep, ValuesElsewhere, ValuesSource, at, go_template_refusal


class ReleasePatches(PatchHolder):
    """The datadog release's two lists: the DaemonSet patch as a document, RBAC patches as JSON patches."""

    def holder(self, document: Any, source: ValuesSource) -> Any:
        return at(document, source.path[:2])

    def items(self, entries: Sequence[dict[str, Any]]) -> list[Item]:
        from tui.core.yamlio.reader import parse_documents

        out: list[Item] = []
        for entry in entries:
            if entry["target"]["kind"] == "DaemonSet":
                out.append(("strategicMergePatches", parse_documents(entry["patch"], "the DaemonSet patch")[0]))
            else:
                out.append(("jsonPatches", {"target": dict(entry["target"]), "patch": json.loads(entry["patch"])}))
        return out

    def where(self, key: str) -> str:
        return f"the datadog release's {key} (after yours)"


class HelmfileRelease(WrapperForm):
    name = "helmfile"
    label = "helmfile"
    title = "helmfile release"
    controller = "helmfile runs helm with the release's inline values"
    carried = (
        "and first applies the DaemonSet and RBAC patches ddsecure added to the release (strategicMergePatches, "
        "jsonPatches; helmfile runs kustomize for them, so kustomize must be on its PATH)"
    )
    patches = ReleasePatches()

    def is_one(self, document: Mapping[str, Any], where: str) -> bool:
        if "kind" in document or "releases" not in document:
            return False
        if "{{" in str(document):
            raise go_template_refusal(where)
        return True

    def locate(self, index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
        found = datadog_entry(
            document.get("releases"), "chart", f"{where}: the helmfile has {{count}} datadog releases; expected one"
        )
        if found is None:
            return None
        release = document["releases"][found]
        entries = release.get("values") or []
        if not isinstance(entries, list):
            raise InputFileError(f"{where}: the datadog release's values is not a list")
        inline = [n for n, entry in enumerate(entries) if isinstance(entry, Mapping)]
        files = [str(entry) for entry in entries if isinstance(entry, str)]
        if not inline:
            shown = ", ".join(files) or "none"
            raise ValuesElsewhere(
                f"{where}: the helmfile's datadog release has no inline values (files: {shown}); audit those files"
            )
        if len(inline) > 1:
            raise InputFileError(
                f"{where}: the helmfile's datadog release has {len(inline)} inline values blocks (helmfile merges "
                "them); not supported: keep one"
            )
        unseen = []
        if files:
            unseen.append(
                (f"releases[{found}].values", f"value files helmfile merges in ({', '.join(files)}): audit them")
            )
        for key in ("set", "setString"):
            if release.get(key):
                unseen.append((f"releases[{found}].{key}", "settings helmfile passes over the values, not read here"))
        return ValuesSource(
            self.name,
            index,
            ("releases", found, "values", inline[0]),
            description=f"the inline values of the helmfile release {release.get('name', 'datadog')!r}",
            unseen=tuple(unseen),
            release=text(release.get("name")),
            namespace=text(release.get("namespace")),
        )

    def version_path(self, values_path: tuple[PathStep, ...], document: Any) -> tuple[PathStep, ...]:
        return (*values_path[:-2], "version")  # the release's, beside values

    def controller_command(self, wrapper: Committed) -> str:
        return f"helmfile -f {origin_or_file(wrapper)} apply"


FORM = HelmfileRelease()
