"""The bundle's DaemonSet and RBAC patches, added to a GitOps wrapper whose controller can apply them.

A Flux HelmRelease post-renders the chart with `spec.postRenderers[].kustomize.patches` (helm-controller
v2 API: each patch is `{target, patch: "<YAML or JSON text>"}`); a Kustomize `helmCharts`
kustomization is itself a kustomization, with a `patches:` list; a helmfile release takes
`strategicMergePatches:` (documents) and `jsonPatches:` (`{target, patch: [operations]}`), which
helmfile applies with kustomize before installing. For those three the bundle's patches go into the
file, so whatever renders the chart also hardens it. An Argo CD Application with a Helm source and a
k3s HelmChart cannot carry them; the next steps say what to add instead (next_steps.WRAPPER_WAYS).

Only additions, each explained: the user's own postRenderers and patches stay first and untouched,
a patch already in the file is not added again (so fixing a fixed file changes nothing), and the
result is read back: it must be the old file plus exactly these entries.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from tui.core.audit.fix import carried_over, dump_documents, plain, round_trip_yaml
from tui.core.audit.values_input import ValuesSource, at
from tui.core.deployment import Deployment
from tui.core.errors import InputFileError

CARRIERS = ("flux", "kustomize", "helmfile")  # the wrapper kinds whose format applies the patches itself
Item = tuple[str, Any]  # (the list it goes in, the entry)


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


def _items(form: str, entries: Sequence[dict[str, Any]]) -> list[Item]:
    """The entries in the wrapper's own shape: kustomize `patches`, or helmfile's two lists of data."""
    if form != "helmfile":
        return [("patches", dict(entry)) for entry in entries]
    from tui.core.yamlio.reader import parse_documents

    out: list[Item] = []
    for entry in entries:
        if entry["target"]["kind"] == "DaemonSet":
            out.append(("strategicMergePatches", parse_documents(entry["patch"], "the DaemonSet patch")[0]))
        else:
            out.append(("jsonPatches", {"target": dict(entry["target"]), "patch": json.loads(entry["patch"])}))
    return out


def _holder(document: Any, form: str, source: ValuesSource) -> Any:
    """The mapping whose lists take the entries: the kustomization, the HelmRelease spec, the helmfile release."""
    if form == "kustomize":
        return document
    if form == "helmfile":
        return at(document, source.path[:2])
    return document["spec"]


def _present(holder: Any, form: str) -> list[Item]:
    """Every patch the file already applies to the chart."""
    holder = plain(holder)
    if form == "flux":
        renderers = holder.get("postRenderers") or []
        kustomize = [r.get("kustomize") or {} for r in renderers if isinstance(r, dict)]
        return [("patches", p) for k in kustomize for p in k.get("patches") or []]
    return [
        (key, item) for key in ("patches", "strategicMergePatches", "jsonPatches") for item in holder.get(key) or []
    ]


def add_patches(
    text: str, source: ValuesSource, entries: Sequence[dict[str, Any]], where: str
) -> tuple[str, list[str]]:
    """The wrapper with the entries it lacks added, and one line per addition (empty: nothing added)."""
    if source.form not in CARRIERS or not entries:
        return text, []
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    yaml = round_trip_yaml(text)
    documents = list(yaml.load_all(text))
    holder = _holder(documents[source.document], source.form, source)
    present = _present(holder, source.form)
    missing = [item for item in _items(source.form, entries) if item not in present]
    if not missing:
        return (text.replace("\n", "\r\n") if crlf else text), []
    normalised = dump_documents(yaml, documents)
    expected = [plain(d) for d in documents]
    _append(holder, source.form, missing)
    _append(_holder(expected[source.document], source.form, source), source.form, missing)
    edited = dump_documents(yaml, documents)
    from tui.core.yamlio.reader import parse_documents

    for candidate in dict.fromkeys((carried_over(text, normalised, edited), edited)):
        if candidate and [plain(d) for d in parse_documents(candidate, where)] == expected:
            break
    else:
        raise InputFileError(f"{where}: cannot add the bundle's patches to it safely; nothing written")
    return (candidate.replace("\n", "\r\n") if crlf else candidate), _explained(source.form, missing)


def _append(holder: Any, form: str, missing: list[Item]) -> None:
    """Add after what the user has: a new post-renderer (Flux runs them in order), or more list entries."""
    round_trip = type(holder) is not dict
    if form == "flux":
        patches = [_literal(entry) if round_trip else copy.deepcopy(entry) for _, entry in missing]
        if holder.get("postRenderers") is None:
            holder["postRenderers"] = []
        holder["postRenderers"].append({"kustomize": {"patches": patches}})
        return
    for key, entry in missing:
        if holder.get(key) is None:
            holder[key] = []
        holder[key].append(_literal(entry) if round_trip else copy.deepcopy(entry))


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


def _explained(form: str, missing: list[Item]) -> list[str]:
    lines = []
    for key, entry in missing:
        if form == "flux":
            where = "spec.postRenderers (a new kustomize entry, after yours)"
        elif form == "helmfile":
            where = f"the datadog release's {key} (after yours)"
        else:
            where = "patches: (after yours)"
        target = entry.get("target") or {"kind": entry["kind"], "name": entry["metadata"]["name"]}
        if target["kind"] == "DaemonSet":
            why = "the DaemonSet patch of daemonset-overrides.yaml (what the chart's values cannot express)"
        else:
            why = "an RBAC patch of kustomization.yaml (a grant the chart makes whatever the values say)"
        lines.append(f"{where}: {why}, for {target['kind']} {target['name']}")
    return lines
