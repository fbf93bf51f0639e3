"""What values cannot take out of the chart's RBAC, as JSON patches in the bundle's kustomization.

Chart 3.240.0 lets the node Agent `use` OpenShift's `privileged` and `hostaccess` SCCs, and the
Cluster Agent `hostnetwork`, whatever the values say. Each patch keeps only the SCCs the release
creates for itself (the platform's SCC object relies on them) and first tests that the rule is the
one the pinned chart renders, so a different chart version fails the build instead of being
patched blindly.
"""

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core.cluster.grants import HOST_SCCS
from tui.core.cluster.model import ClusterModel
from tui.core.yamlio.dotted import copy_tree


class RbacPatch(NamedTuple):
    kind: str
    name: str
    operations: tuple[dict[str, Any], ...]
    why: str

    def kustomize_entry(self) -> dict[str, Any]:
        """A kustomization `patches` entry; a JSON patch is one line of JSON, which YAML reads as is."""
        return {
            "target": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": self.kind, "name": self.name},
            "patch": json.dumps(list(self.operations)),
        }


def _is_scc_use(rule: Mapping[str, Any]) -> bool:
    return (
        list(rule.get("apiGroups") or []) == ["security.openshift.io"]
        and list(rule.get("resources") or []) == ["securitycontextconstraints"]
        and list(rule.get("verbs") or []) == ["use"]
    )


def rbac_patches(model: ClusterModel) -> list[RbacPatch]:
    patches = []
    for obj in model.objects:
        if obj["kind"] != "ClusterRole":
            continue
        for index, rule in enumerate(obj.get("rules") or []):
            names = list(rule.get("resourceNames") or [])
            if not _is_scc_use(rule) or not set(names) & HOST_SCCS:
                continue
            kept = [n for n in names if n not in HOST_SCCS]
            removed = [n for n in names if n in HOST_SCCS]
            path = f"/rules/{index}/resourceNames"
            patches.append(
                RbacPatch(
                    "ClusterRole",
                    obj["metadata"]["name"],
                    (
                        {"op": "test", "path": path, "value": names},
                        {"op": "replace", "path": path, "value": kept},
                    ),
                    f"ClusterRole {obj['metadata']['name']}: no use of OpenShift's {' and '.join(removed)} "
                    f"SCC{'s' if len(removed) > 1 else ''} "
                    f"(the chart grants it unconditionally); the release's own SCC ({', '.join(kept)}) stays",
                )
            )
    return patches


def apply_rbac_patches(objects: list[dict[str, Any]], patches: list[RbacPatch]) -> list[dict[str, Any]]:
    """The objects as `kubectl kustomize` leaves them (the two operations used here: test, replace)."""
    out = list(objects)
    copied: set[int] = set()  # only the patched objects are copied: the model's objects stay as they were
    for patch in patches:
        index = next(i for i, o in enumerate(out) if o["kind"] == patch.kind and o["metadata"]["name"] == patch.name)
        if index not in copied:
            out[index] = copy_tree(out[index])
            copied.add(index)
        target = out[index]
        for op in patch.operations:
            parent, key = _walk(target, op["path"])
            if op["op"] == "test" and parent[key] != op["value"]:
                raise ValueError(f"{patch.kind} {patch.name}: {op['path']} is not {op['value']}")
            if op["op"] == "replace":
                parent[key] = copy_tree(op["value"])
    return out


def _walk(doc: Any, pointer: str) -> tuple[Any, Any]:
    parts = [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]
    node = doc
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]
