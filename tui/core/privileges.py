"""The privilege ledger: what a node-Agent pod spec grants, read off the pod itself.

The same function reads the predicted pod (after ddsecure's patch) and a real rendered DaemonSet,
which is how the tests prove the ledger equals the render.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core import pod_security
from tui.core.pod_spec import all_containers, host_path_mounts, host_path_volumes
from tui.core.privilege_catalog import host_path_info


class HostPathGrant(NamedTuple):
    path: str
    read_only: bool
    containers: tuple[str, ...]
    because: str
    volume: str

    @property
    def mode(self) -> str:
        return "ro" if self.read_only else "rw"


class Ledger(NamedTuple):
    host_pid: bool
    host_network: bool
    host_ports: tuple[int, ...]
    run_as_user: int | None
    run_as_non_root: bool
    host_paths: tuple[HostPathGrant, ...]
    capabilities: dict[str, tuple[str, ...]]
    containers: tuple[str, ...]
    container_users: dict[str, int | None]
    agent_level: str
    agent_violations: tuple[str, ...]
    app_level: str
    app_reason: str

    def as_json(self) -> dict[str, Any]:
        """The `privileges.json` document."""
        return {
            "hostPID": self.host_pid,
            "hostNetwork": self.host_network,
            "hostPorts": list(self.host_ports),
            "runAsUser": self.run_as_user,
            "runAsNonRoot": self.run_as_non_root,
            "hostPaths": [
                {
                    "path": g.path,
                    "readOnly": g.read_only,
                    "containers": list(g.containers),
                    "because": g.because,
                    "volume": g.volume,
                }
                for g in self.host_paths
            ],
            "capabilities": {name: list(caps) for name, caps in self.capabilities.items()},
            "containers": list(self.containers),
            "containerUsers": dict(self.container_users),
            "pss": {
                "agent": self.agent_level,
                "agentViolations": list(self.agent_violations),
                "applications": self.app_level,
                "applicationsReason": self.app_reason,
            },
        }

    def summary_lines(self) -> list[str]:
        """Short lines a screen can list: one per privilege kept."""
        lines = []
        user = "root (0)" if not self.run_as_user else f"UID {self.run_as_user}"
        lines.append(f"user: {user}" + (" (runAsNonRoot)" if self.run_as_non_root else ""))
        lines.append(f"hostPID: {'yes' if self.host_pid else 'no'}")
        lines.append(f"hostNetwork: {'yes' if self.host_network else 'no'}")
        lines.append("host ports: " + (", ".join(map(str, self.host_ports)) or "none"))
        for grant in self.host_paths:
            lines.append(f"hostPath {grant.path} {grant.mode}  ({', '.join(grant.containers)})")
        for name, caps in self.capabilities.items():
            lines.append(f"capabilities {name}: {', '.join(caps)}")
        lines.append(f"Pod Security: agent {self.agent_level}, apps {self.app_level}")
        return lines


def ledger_of_pod(pod: Mapping[str, Any], *, app_socket_dirs: tuple[str, ...] = ()) -> Ledger:
    """Read the privileges of a pod spec. `app_socket_dirs`: hostPaths injected into app pods."""
    volumes = host_path_volumes(pod)
    grants: dict[str, dict[str, Any]] = {}
    for mounted_by, volume, _, read_only in host_path_mounts(pod):
        path = str(volumes[volume].get("path", ""))
        grant = grants.setdefault(path, {"volume": volume, "ro": True, "containers": []})
        grant["ro"] = grant["ro"] and read_only
        if mounted_by not in grant["containers"]:
            grant["containers"].append(mounted_by)
    # A declared volume that nothing mounts still lets the kubelet create or touch the host path.
    for volume, block in volumes.items():
        path = str(block.get("path", ""))
        grants.setdefault(path, {"volume": volume, "ro": True, "containers": []})
    host_paths = tuple(
        HostPathGrant(
            path=path,
            read_only=g["ro"],
            containers=tuple(g["containers"]),
            because=host_path_info(g["volume"]).because
            + ("" if g["containers"] else " — declared but mounted by no container"),
            volume=g["volume"],
        )
        for path, g in sorted(grants.items())
    )
    pod_context = pod.get("securityContext") or {}
    capabilities: dict[str, tuple[str, ...]] = {}
    users: dict[str, int | None] = {}
    ports: set[int] = set()
    for container in all_containers(pod):
        name = str(container.get("name"))
        context = container.get("securityContext") or {}
        added = ((context.get("capabilities") or {}).get("add")) or []
        if added:
            capabilities[name] = tuple(str(c) for c in added)
        user = context.get("runAsUser", pod_context.get("runAsUser"))
        users[name] = None if user is None else int(user)
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                ports.add(int(port["hostPort"]))
    results = pod_security.evaluate(pod)
    failed = tuple(r.check_id for r in results if not r.allowed)
    app_level, app_reason = _application_level(app_socket_dirs)
    return Ledger(
        host_pid=bool(pod.get("hostPID")),
        host_network=bool(pod.get("hostNetwork")),
        host_ports=tuple(sorted(ports)),
        run_as_user=None if pod_context.get("runAsUser") is None else int(pod_context["runAsUser"]),
        run_as_non_root=bool(pod_context.get("runAsNonRoot")),
        host_paths=host_paths,
        capabilities=capabilities,
        containers=tuple(str(c.get("name")) for c in all_containers(pod)),
        container_users=users,
        agent_level=pod_security.level_of(results),
        agent_violations=failed,
        app_level=app_level,
        app_reason=app_reason,
    )


def _application_level(app_socket_dirs: tuple[str, ...]) -> tuple[str, str]:
    if app_socket_dirs:
        return (
            "privileged",
            "the admission controller mounts "
            + ", ".join(app_socket_dirs)
            + " (hostPath) into application pods, which baseline forbids",
        )
    return "restricted", "application pods get only environment variables; no hostPath, no host port"


def ledger_delta(before: Ledger, after: Ledger) -> list[str]:
    """What changes between two ledgers, as "+ …" (granted) and "− …" (removed) lines."""
    out: list[str] = []

    def flag(name: str, old: bool, new: bool) -> None:
        if old != new:
            out.append(f"{'+' if new else '−'} {name}")

    flag("hostPID", before.host_pid, after.host_pid)
    flag("hostNetwork", before.host_network, after.host_network)
    for port in sorted(set(after.host_ports) - set(before.host_ports)):
        out.append(f"+ hostPort {port}")
    for port in sorted(set(before.host_ports) - set(after.host_ports)):
        out.append(f"− hostPort {port}")
    if before.run_as_user != after.run_as_user:
        out.append(f"± runAsUser {before.run_as_user} → {after.run_as_user}")
    old_paths = {(g.path, g.mode) for g in before.host_paths}
    new_paths = {(g.path, g.mode) for g in after.host_paths}
    out += [f"+ {path} {mode}" for path, mode in sorted(new_paths - old_paths)]
    out += [f"− {path} {mode}" for path, mode in sorted(old_paths - new_paths)]
    old_caps = {(c, cap) for c, caps in before.capabilities.items() for cap in caps}
    new_caps = {(c, cap) for c, caps in after.capabilities.items() for cap in caps}
    added = sorted({cap for _, cap in new_caps - old_caps})
    removed = sorted({cap for _, cap in old_caps - new_caps})
    if added:
        out.append("+ capabilities " + ", ".join(added))
    if removed:
        out.append("− capabilities " + ", ".join(removed))
    old_containers, new_containers = set(before.containers), set(after.containers)
    out += [f"+ container {c}" for c in sorted(new_containers - old_containers)]
    out += [f"− container {c}" for c in sorted(old_containers - new_containers)]
    if before.agent_level != after.agent_level:
        out.append(f"± agent Pod Security {before.agent_level} → {after.agent_level}")
    if before.app_level != after.app_level:
        out.append(f"± apps Pod Security {before.app_level} → {after.app_level}")
    return out
