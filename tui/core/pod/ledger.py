"""The privilege ledger: what a node-Agent pod spec grants, read off the pod itself.

The same function reads the predicted pod (after ddsecure's patch) and a real rendered DaemonSet,
which is how the tests prove the ledger equals the render. `Ledger.privileges()` lists what the pod
grants worst first (root containers and their capabilities, host namespaces, listeners others can
reach, writable then read-only host paths), so every screen and file leads with the biggest grant.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core.pod import pod_security
from tui.core.pod.privilege_catalog import HOST_PID, LISTENERS, UNKNOWN_LISTENER, host_path_info
from tui.core.pod.spec import all_containers, host_path_access, integer_field


class HostPathGrant(NamedTuple):
    path: str
    read_only: bool
    containers: tuple[str, ...]
    because: str
    volume: str

    @property
    def mode(self) -> str:
        return "ro" if self.read_only else "rw"


class ContainerGrant(NamedTuple):
    """Who one container runs as and which capabilities it holds."""

    name: str
    user: int | None  # None: nothing sets runAsUser, so the image's user (root for the Agent images)
    added: tuple[str, ...]
    drops_all: bool
    privileged: bool

    @property
    def root(self) -> bool:
        return not self.user

    @property
    def user_text(self) -> str:
        return "root" if self.user == 0 else "root (image default)" if self.user is None else f"UID {self.user}"

    @property
    def capability_text(self) -> str:
        """The capabilities the process really holds: a root process keeps the runtime's default set unless
        the container drops ALL; a non-root one holds none of them unless they are added."""
        if self.privileged:
            return "privileged: every capability and every host device"
        added = ", ".join(self.added)
        if self.root and not self.drops_all:
            return "the runtime's default capabilities" + (f" plus {added}" if added else " (none dropped)")
        if added:
            return f"adds {added}" + ("" if self.root else " (ambient only if the binary is granted them)")
        return "drops all capabilities" if self.drops_all else "no capabilities (not root)"

    @property
    def rank(self) -> int:
        """Lower is worse: privileged, root with added capabilities, root, then non-root."""
        if self.privileged:
            return 0
        if self.root:
            return 1 if self.added else 2 if not self.drops_all else 3
        return 4 if self.added else 5


class Listener(NamedTuple):
    """A port a container of the Agent pod accepts connections or datagrams on."""

    container: str
    port: int
    protocol: str
    host_port: int | None
    host_network: bool

    @property
    def reach(self) -> str:
        """Who can send to it: the node's IP for a host port or host network, else the pod network."""
        if self.host_network:
            return "host network"
        return "host port" if self.host_port else "pod network"

    @property
    def who(self) -> str:
        if self.host_network:
            return "anything that can reach the node's IP (the pod shares the node's network)"
        if self.host_port:
            return f"anything that can reach <node IP>:{self.host_port}, and any pod through the pod IP"
        return "any pod, through the pod IP or the chart's node-local Service (unless a NetworkPolicy blocks it)"

    @property
    def text(self) -> str:
        short = {
            "host network": "the node's network: anything that reaches the node",
            "host port": f"host port {self.host_port}: anything that reaches the node's IP",
            "pod network": "pod network: any pod (pod IP, node-local Service)",
        }[self.reach]
        return f"{self.port}/{self.protocol} ({self.container}) — {short}"


class LedgerEntry(NamedTuple):
    """One privilege as screens list it; `severe` marks what breaks the baseline Pod Security level."""

    text: str
    severe: bool
    because: str = ""


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
    container_grants: tuple[ContainerGrant, ...] = ()  # worst first
    listeners: tuple[Listener, ...] = ()
    agent_violation_reasons: tuple[str, ...] = ()  # the same checks, in kubectl's words

    def as_json(self) -> dict[str, Any]:
        """The `privileges.json` document."""
        return {
            "containerPrivileges": [
                {
                    "container": g.name,
                    "user": g.user,
                    "root": g.root,
                    "capabilities": g.capability_text,
                    "added": list(g.added),
                    "dropsAll": g.drops_all,
                }
                for g in self.container_grants
            ],
            "listeners": [
                {
                    "container": lsn.container,
                    "port": lsn.port,
                    "protocol": lsn.protocol,
                    "hostPort": lsn.host_port,
                    "reach": lsn.reach,
                }
                for lsn in self.listeners
            ],
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
                "agentViolations": list(self.agent_violation_reasons),
                "applications": self.app_level,
                "applicationsReason": self.app_reason,
            },
        }

    def privileges(self) -> list[LedgerEntry]:
        """Every privilege kept, worst first: root containers (with what capabilities they hold), host
        namespaces, listeners reachable from the node's network, then the pod network, writable host paths,
        read-only host paths; the containers that run without root come last, grouped."""
        out: list[LedgerEntry] = []
        for grant in self.container_grants:
            if grant.root or grant.added or grant.privileged:
                out.append(LedgerEntry(f"{grant.name}: {grant.user_text}, {grant.capability_text}", True))
        if self.host_pid:
            out.append(LedgerEntry("hostPID: shares the node's process namespace", True, HOST_PID.because))
        if self.host_network:
            out.append(LedgerEntry("hostNetwork: shares the node's network namespace", True))
        for listener in sorted(self.listeners, key=lambda lsn: lsn.reach == "pod network"):
            info = LISTENERS.get((listener.port, listener.protocol), UNKNOWN_LISTENER)
            out.append(LedgerEntry(f"listens on {listener.text}", listener.reach != "pod network", info.because))
        for path in sorted(self.host_paths, key=lambda g: g.read_only):
            out.append(
                LedgerEntry(
                    f"hostPath {path.path} {path.mode}  ({', '.join(path.containers) or 'unmounted'})",
                    True,
                    path.because,
                )
            )
        calm = [g for g in self.container_grants if not (g.root or g.added or g.privileged)]
        for user_text in dict.fromkeys(g.user_text for g in calm):
            names = ", ".join(g.name for g in calm if g.user_text == user_text)
            non_root = " (runAsNonRoot)" if self.run_as_non_root else ""
            out.append(LedgerEntry(f"{names}: {user_text}{non_root}, no capabilities", False))
        return out

    def summary_lines(self) -> list[str]:
        """Short lines a screen can list: one per privilege kept, worst first, then Pod Security."""
        lines = [entry.text for entry in self.privileges()]
        if not self.host_pid:
            lines.append("hostPID: no")
        if not self.host_network:
            lines.append("hostNetwork: no")
        if not self.listeners:
            lines.append("listeners: none")
        lines.append(f"Pod Security: agent {self.agent_level}, apps {self.app_level}")
        return lines


def ledger_of_pod(pod: Mapping[str, Any], *, app_socket_dirs: tuple[str, ...] = ()) -> Ledger:
    """Read the privileges of a pod spec. `app_socket_dirs`: hostPaths injected into app pods."""
    host_paths = tuple(
        HostPathGrant(
            path=path,
            read_only=read_only,
            containers=tuple(containers),
            because=host_path_info(volume, path).because
            + ("" if containers else " — declared but mounted by no container"),
            volume=volume,
        )
        for path, (volume, read_only, containers) in sorted(host_path_access(pod).items())
    )
    pod_context = pod.get("securityContext") or {}
    capabilities: dict[str, tuple[str, ...]] = {}
    users: dict[str, int | None] = {}
    ports: set[int] = set()
    container_grants: list[ContainerGrant] = []
    listeners: list[Listener] = []
    for container in all_containers(pod):
        name = str(container.get("name"))
        context = container.get("securityContext") or {}
        caps = context.get("capabilities") or {}
        added = tuple(str(c) for c in caps.get("add") or [])
        if added:
            capabilities[name] = added
        users[name] = integer_field(context.get("runAsUser", pod_context.get("runAsUser")))
        drops_all = any(str(c).upper() == "ALL" for c in caps.get("drop") or [])
        container_grants.append(ContainerGrant(name, users[name], added, drops_all, context.get("privileged") is True))
        for port in container.get("ports") or []:
            host_port = integer_field(port.get("hostPort")) or None
            if host_port:
                ports.add(host_port)
            container_port = integer_field(port.get("containerPort"))
            if container_port:
                protocol = str(port.get("protocol") or "TCP")
                listeners.append(Listener(name, container_port, protocol, host_port, bool(pod.get("hostNetwork"))))
    results = pod_security.evaluate(pod)
    failed = tuple(r.check_id for r in results if not r.allowed)
    reasons = tuple(dict.fromkeys(f"{r.reason} ({r.level})" for r in results if not r.allowed))
    app_level, app_reason = _application_level(app_socket_dirs)
    return Ledger(
        host_pid=bool(pod.get("hostPID")),
        host_network=bool(pod.get("hostNetwork")),
        host_ports=tuple(sorted(ports)),
        run_as_user=integer_field(pod_context.get("runAsUser")),
        run_as_non_root=bool(pod_context.get("runAsNonRoot")),
        host_paths=host_paths,
        capabilities=capabilities,
        containers=tuple(str(c.get("name")) for c in all_containers(pod)),
        container_users=users,
        agent_level=pod_security.level_of(results),
        agent_violations=failed,
        app_level=app_level,
        app_reason=app_reason,
        container_grants=tuple(sorted(container_grants, key=lambda g: g.rank)),
        listeners=tuple(listeners),
        agent_violation_reasons=reasons,
    )


def _application_level(app_socket_dirs: tuple[str, ...]) -> tuple[str, str]:
    if app_socket_dirs:
        return (
            "privileged",
            # Who adds the mount (the admission controller or the user) is the answers' business: see REPORT.md.
            "application pods that reach the Agent over its socket mount "
            + ", ".join(app_socket_dirs)
            + " (hostPath), which baseline forbids",
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
