"""Reading a pod spec, predicted or real: containers, hostPath volumes, mounts, the node-agent DaemonSet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

PodSpec = dict[str, Any]


def all_containers(pod: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Init containers first, then the long-running ones."""
    yield from pod.get("initContainers") or []
    yield from pod.get("containers") or []


def integer_field(value: Any) -> int | None:
    """An integer field of a pod as Kubernetes reads it; None when unset or not an integer (the API server
    refuses such a pod, which the audit reports as pod-refused: reading the pod only must not fail on it)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def host_ports(pod: Mapping[str, Any]) -> list[tuple[str, str, int, str]]:
    """(container, port name, host port, protocol) for each port of a long-running container on the host."""
    return [
        (str(container.get("name")), str(port.get("name", "")), number, str(port.get("protocol") or "TCP"))
        for container in pod.get("containers") or []
        for port in container.get("ports") or []
        if isinstance(port, Mapping) and (number := integer_field(port.get("hostPort")) or 0)
    ]


def host_path_volumes(pod: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Volume name to its hostPath block, for hostPath volumes only."""
    return {
        str(vol["name"]): vol["hostPath"]
        for vol in pod.get("volumes") or []
        if isinstance(vol, Mapping) and isinstance(vol.get("hostPath"), Mapping)
    }


def host_path_mounts(pod: Mapping[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(container, volume, mountPath, readOnly) for every mount of a hostPath volume."""
    volumes = host_path_volumes(pod)
    found = []
    for container in all_containers(pod):
        for mount in container.get("volumeMounts") or []:
            if mount.get("name") in volumes:
                found.append(
                    (str(container["name"]), str(mount["name"]), str(mount["mountPath"]), bool(mount.get("readOnly")))
                )
    return found


def host_path_access(pod: Mapping[str, Any]) -> dict[str, tuple[str, bool, list[str]]]:
    """Each host path of the pod: the volume naming it, whether every mount of it is read-only, and the
    containers mounting it (none: declared but not mounted, which still lets the kubelet create or touch it)."""
    volumes = host_path_volumes(pod)
    found: dict[str, tuple[str, bool, list[str]]] = {}
    for mounted_by, volume, _, read_only in host_path_mounts(pod):
        path = str(volumes[volume].get("path", ""))
        named, ro, containers = found.get(path, (volume, True, []))
        found[path] = (named, ro and read_only, containers if mounted_by in containers else [*containers, mounted_by])
    for volume, block in volumes.items():
        found.setdefault(str(block.get("path", "")), (volume, True, []))
    return found


def unmounted_host_path_volumes(pod: Mapping[str, Any]) -> list[str]:
    mounted = {volume for _, volume, _, _ in host_path_mounts(pod)}
    return [name for name in host_path_volumes(pod) if name not in mounted]


def find_node_agent_daemonset(documents: Iterable[Any]) -> Mapping[str, Any] | None:
    """The node-Agent DaemonSet among rendered manifests: the one running an `agent` container.

    `kubectl get daemonset -o yaml` without a name prints a `List`; its items are searched too."""
    for doc in documents:
        if isinstance(doc, Mapping) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            found = find_node_agent_daemonset(doc["items"])
            if found is not None:
                return found
        if not isinstance(doc, Mapping) or doc.get("kind") != "DaemonSet":
            continue
        spec = pod_spec_of(doc)
        if any(c.get("name") == "agent" for c in spec.get("containers") or []):
            return doc
    return None


def pod_spec_of(daemonset: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = ((daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}
    return spec if isinstance(spec, Mapping) else {}


def privilege_projection(pod: Mapping[str, Any]) -> dict[str, Any]:
    """Everything about a pod spec that decides its privileges, in a form that compares by value."""

    def ports(container: Mapping[str, Any]) -> list[tuple[Any, Any, Any]]:
        return sorted(
            (p.get("containerPort"), p.get("hostPort"), p.get("protocol", "TCP")) for p in container.get("ports") or []
        )

    return {
        "hostPID": bool(pod.get("hostPID")),
        "hostNetwork": bool(pod.get("hostNetwork")),
        "podSecurityContext": pod.get("securityContext") or {},
        "initContainers": [c.get("name") for c in pod.get("initContainers") or []],
        "containers": sorted(c.get("name") for c in pod.get("containers") or []),
        "securityContexts": {c["name"]: c.get("securityContext") or {} for c in all_containers(pod)},
        "ports": {c["name"]: ports(c) for c in all_containers(pod) if c.get("ports")},
        "hostPathVolumes": {name: dict(block) for name, block in host_path_volumes(pod).items()},
        "hostPathMounts": sorted(host_path_mounts(pod)),
    }
