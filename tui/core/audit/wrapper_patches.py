"""The bundle's DaemonSet and RBAC patches, added to a GitOps wrapper whose controller can apply them.

Each wrapper form says where it keeps them (its `PatchHolder`, in tui.core.wrappers): a Flux
HelmRelease in a post-renderer of its own, a Kustomize `helmCharts` kustomization in its `patches:`,
a helmfile release in `strategicMergePatches:` and `jsonPatches:`. For those the bundle's patches go
into the file, so whatever renders the chart also hardens it. An Argo CD Application with a Helm
source and a k3s HelmChart have no holder; their next steps say what to add instead.

Only additions, each explained: the user's own postRenderers and patches stay first and untouched,
a patch already in the file is not added again (so fixing a fixed file changes nothing), and the
result is read back: it must be the old file plus exactly these entries.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from tui.core.audit.fix_yaml import carried_over, dump_documents, plain, round_trip_yaml
from tui.core.deployment import Deployment
from tui.core.errors import InputFileError
from tui.core.wrappers import FORMS
from tui.core.wrappers.base import Item, PatchHolder
from tui.core.wrappers.source import ValuesSource


def patch_entries(deployment: Deployment) -> list[dict[str, Any]]:
    """The bundle's patches as kustomize `patches` entries, inline (the wrapper is one file to commit)."""
    from tui.core.yamlio.commented import dump

    if not deployment.platform.post_render_patch:
        return []
    patch = deployment.patch
    daemonset = {
        "target": {"group": "apps", "version": "v1", "kind": "DaemonSet", "name": patch.name},
        "patch": dump(patch.document(), blank_between_top_level=False),
    }
    return [daemonset, *(rbac.kustomize_entry() for rbac in deployment.rbac_patches)]


def add_patches(
    text: str, source: ValuesSource, entries: Sequence[dict[str, Any]], where: str
) -> tuple[str, list[str]]:
    """The wrapper with the entries it lacks added, and one line per addition (empty: nothing added)."""
    carrier = FORMS[source.form].patches
    if carrier is None or not entries:
        return text, []
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    yaml = round_trip_yaml(text)
    documents = list(yaml.load_all(text))
    holder = carrier.holder(documents[source.document], source)
    present = carrier.present(plain(holder))
    missing = [item for item in carrier.items(entries) if item not in present]
    if not missing:
        return (text.replace("\n", "\r\n") if crlf else text), []
    normalised = dump_documents(yaml, documents)
    expected = [plain(d) for d in documents]
    carrier.append(holder, missing, _literal)  # round-trip nodes, as people write them by hand
    carrier.append(carrier.holder(expected[source.document], source), missing, copy.deepcopy)
    edited = dump_documents(yaml, documents)
    from tui.core.yamlio.reader import parse_documents

    for candidate in dict.fromkeys((carried_over(text, normalised, edited), edited)):
        if candidate and [plain(d) for d in parse_documents(candidate, where)] == expected:
            break
    else:
        raise InputFileError(f"{where}: cannot add the bundle's patches to it safely; nothing written")
    return (candidate.replace("\n", "\r\n") if crlf else candidate), _explained(carrier, missing)


def _literal(entry: Any) -> Any:
    """Round-trip nodes, a multi-line patch as a `|` block, as people write them by hand."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(entry, dict):
        out = CommentedMap()
        for key, value in entry.items():
            out[key] = _literal(value)
        return out
    if isinstance(entry, list):
        return CommentedSeq(_literal(value) for value in entry)
    if isinstance(entry, str) and "\n" in entry:
        return LiteralScalarString(entry)
    return entry


def _explained(carrier: PatchHolder, missing: list[Item]) -> list[str]:
    lines = []
    for key, entry in missing:
        where = carrier.where(key)
        target = entry.get("target") or {"kind": entry["kind"], "name": entry["metadata"]["name"]}
        if target["kind"] == "DaemonSet":
            why = "the DaemonSet patch of daemonset-overrides.yaml (what the chart's values cannot express)"
        else:
            why = "an RBAC patch of kustomization.yaml (a grant the chart makes whatever the values say)"
        lines.append(f"{where}: {why}, for {target['kind']} {target['name']}")
    return lines
