"""The part of Kubernetes' strategic merge patch that DaemonSet pod-spec patches use.

ddsecure applies its own `daemonset-overrides.yaml` to the predicted pod with this, so the ledger
describes the pod after `kubectl kustomize`; the integration test checks the result against the real
kustomize. Supported: maps merge recursively, a null deletes a key, lists of containers, volumes,
mounts, ports and env merge on their merge key, `$patch: delete` removes a list item, and
`$setElementOrder/<list>` fixes the order of a merged list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.yamlio.dotted import copy_tree

# Merge keys of the pod-spec lists, as in the Kubernetes API's patchMergeKey tags.
MERGE_KEYS: dict[str, str | None] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "env": "name",
    "ports": "containerPort",
    "imagePullSecrets": "name",
    "tolerations": None,
}
ORDER_PREFIX = "$setElementOrder/"


def apply_patch(original: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A new map: `original` with `patch` merged in strategically (`original` is left as it was)."""
    return _merge(copy_tree(dict(original)), patch)


def _merge(result: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `patch` into `result`, a copy this module owns (deep-copied once, at the top; the maps and lists
    a patch reaches are remade as plain ones on the way down)."""
    orders = {k.removeprefix(ORDER_PREFIX): v for k, v in patch.items() if k.startswith(ORDER_PREFIX)}
    for key, value in patch.items():
        if key.startswith(ORDER_PREFIX) or key == "$patch":
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = _merge(dict(result[key]), value)
        elif isinstance(value, list) and (merge_key := MERGE_KEYS.get(key)) and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, merge_key)
        else:
            result[key] = _without_directives(value)
    for key, order in orders.items():
        if isinstance(result.get(key), list):
            result[key] = _reorder(result[key], order, MERGE_KEYS.get(key) or "name")
    return result


def _merge_list(merged: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    merged = list(merged)
    for item in patch:
        if not isinstance(item, Mapping) or merge_key not in item:
            merged.append(_without_directives(item))
            continue
        index = next(
            (i for i, old in enumerate(merged) if isinstance(old, Mapping) and old.get(merge_key) == item[merge_key]),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del merged[index]
        elif index is None:
            merged.append(_without_directives(item))
        else:
            merged[index] = _merge(dict(merged[index]), item)
    return merged


def _reorder(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    rank = {entry.get(merge_key): i for i, entry in enumerate(order) if isinstance(entry, Mapping)}
    known = [item for item in items if isinstance(item, Mapping) and item.get(merge_key) in rank]
    rest = [item for item in items if item not in known]
    return sorted(known, key=lambda item: rank[item.get(merge_key)]) + rest


def _without_directives(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _without_directives(v) for k, v in value.items() if k != "$patch" and not str(k).startswith(ORDER_PREFIX)
        }
    if isinstance(value, list):
        return [_without_directives(v) for v in value]
    return copy_tree(value)
