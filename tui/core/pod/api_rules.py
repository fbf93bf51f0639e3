"""The API server's own pod rules that no OpenAPI schema expresses, checked offline on a pod spec.

A schema says which fields exist and their types; the API server also refuses combinations
(kubernetes `pkg/apis/core/validation`: `ValidateSecurityContext`, `validateContainerPorts`,
`validateHostNetwork`, `ValidateVolumeMounts`, ...). These are the ones ddsecure's outputs can touch:
its hardening (allowPrivilegeEscalation, capabilities, users, seccomp), its patch (ports, volumes,
mounts) and the user's own values that flow into the same pod. One rule per entry of `POD_RULES`:
an id, who refuses the pod, a title, and a pure function yielding one message per problem.

`runAsNonRoot` with user 0 is not the API server's: it admits the pod and the kubelet then refuses
to start the container, so the pod never runs either; its `enforcer` says so.

Capability names are not validated by the API server at all (any string is admitted); its only rule
on them compares the literal "CAP_SYS_ADMIN" with allowPrivilegeEscalation: false, so `SYS_ADMIN`
with no escalation is admitted and `CAP_SYS_ADMIN` is not.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeGuard

PodSpec = Mapping[str, Any]

API_SERVER = "the API server"
KUBELET = "the kubelet"

MAX_ID = 2147483647  # runAsUser, runAsGroup, fsGroup: 0 .. 2^31-1
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_ENV_NAME_STRICT = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
PROTOCOLS = ("TCP", "UDP", "SCTP")
HOST_PATH_TYPES = ("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice")
PROPAGATIONS = ("None", "HostToContainer", "Bidirectional")
PROFILE_TYPES = ("RuntimeDefault", "Unconfined", "Localhost")
# Env names: any printable ASCII but '=' from 1.32 (RelaxedEnvironmentVariableValidation on by default).
RELAXED_ENV_FROM = 32
APPARMOR_FIELD_FROM = 30


class Violation(NamedTuple):
    rule: str
    enforcer: str
    message: str  # "<field path>: <what is wrong>"

    def __str__(self) -> str:
        return f"{self.message} ({self.enforcer} refuses it)"


class PodRule(NamedTuple):
    id: str
    enforcer: str
    title: str
    check: Callable[[PodSpec, int], Iterator[str]]


# --- reading ------------------------------------------------------------------------------------


def _lists(pod: PodSpec) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
    for key in ("initContainers", "containers"):
        items = pod.get(key)
        yield key, [c for c in items if isinstance(c, Mapping)] if isinstance(items, list) else []


def _containers(pod: PodSpec) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(field path, container) for init containers then containers."""
    for key, items in _lists(pod):
        for container in items:
            yield f"{key}[{container.get('name', '?')}]", container


def _map(node: Any, key: str) -> Mapping[str, Any]:
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _seq(node: Any, key: str) -> list[Any]:
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, list) else []


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# --- the rules ----------------------------------------------------------------------------------


def _privileged_without_escalation(pod: PodSpec, _: int) -> Iterator[str]:
    for where, container in _containers(pod):
        context = _map(container, "securityContext")
        if context.get("allowPrivilegeEscalation") is False and context.get("privileged") is True:
            yield f"{where}.securityContext: allowPrivilegeEscalation: false contradicts privileged: true"


def _sys_admin_without_escalation(pod: PodSpec, _: int) -> Iterator[str]:
    # The API server compares the literal name: "CAP_SYS_ADMIN", not "SYS_ADMIN".
    for where, container in _containers(pod):
        context = _map(container, "securityContext")
        if context.get("allowPrivilegeEscalation") is False and "CAP_SYS_ADMIN" in _seq(
            _map(context, "capabilities"), "add"
        ):
            yield f"{where}.securityContext: allowPrivilegeEscalation: false contradicts capabilities.add CAP_SYS_ADMIN"


def _ids_in_range(pod: PodSpec, _: int) -> Iterator[str]:
    def check(where: str, context: Mapping[str, Any], keys: tuple[str, ...]) -> Iterator[str]:
        for key in keys:
            value = context.get(key)
            if value is not None and not (_is_int(value) and 0 <= value <= MAX_ID):
                yield f"{where}.securityContext.{key}: {value!r} is not an id from 0 to {MAX_ID}"

    pod_context = _map(pod, "securityContext")
    yield from check("spec", pod_context, ("runAsUser", "runAsGroup", "fsGroup"))
    for n, gid in enumerate(_seq(pod_context, "supplementalGroups")):
        if not (_is_int(gid) and 0 <= gid <= MAX_ID):
            yield f"spec.securityContext.supplementalGroups[{n}]: {gid!r} is not an id from 0 to {MAX_ID}"
    for where, container in _containers(pod):
        yield from check(where, _map(container, "securityContext"), ("runAsUser", "runAsGroup"))


def _non_root_as_root(pod: PodSpec, _: int) -> Iterator[str]:
    pod_context = _map(pod, "securityContext")
    for where, container in _containers(pod):
        context = _map(container, "securityContext")
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        user = context.get("runAsUser", pod_context.get("runAsUser"))
        if non_root is True and user == 0 and not isinstance(user, bool):
            yield f"{where}: runAsNonRoot: true with runAsUser: 0 (the container never starts)"


def _container_names(pod: PodSpec, _: int) -> Iterator[str]:
    seen: set[str] = set()
    for key, items in _lists(pod):
        for n, container in enumerate(items):
            name = container.get("name")
            if not isinstance(name, str) or not name:
                yield f"{key}[{n}].name: required"
            elif len(name) > 63 or not _DNS_LABEL.match(name):
                yield f"{key}[{name}].name: {name!r} is not a DNS label (lower case, digits, '-', at most 63)"
            elif name in seen:
                yield f"{key}[{name}].name: another container has this name"
            else:
                seen.add(name)


def _volumes(pod: PodSpec, _: int) -> Iterator[str]:
    seen: set[str] = set()
    for n, volume in enumerate(_seq(pod, "volumes")):
        name = volume.get("name") if isinstance(volume, Mapping) else None
        if not isinstance(name, str) or not name:
            yield f"volumes[{n}].name: required"
            continue
        if len(name) > 63 or not _DNS_LABEL.match(name):
            yield f"volumes[{name}].name: {name!r} is not a DNS label (lower case, digits, '-', at most 63)"
        if name in seen:
            yield f"volumes[{name}].name: another volume has this name"
        seen.add(name)
        sources = [k for k in volume if k != "name"]
        if len(sources) != 1:
            yield f"volumes[{name}]: needs exactly one volume source, has {len(sources)}"
        host_path = _map(volume, "hostPath")
        if "hostPath" in volume:
            path = host_path.get("path")
            if not isinstance(path, str) or not path:
                yield f"volumes[{name}].hostPath.path: required"
            elif ".." in path.split("/"):
                yield f"volumes[{name}].hostPath.path: {path!r} must not contain '..'"
            kind = host_path.get("type", "")
            if kind is not None and kind not in HOST_PATH_TYPES:
                yield f"volumes[{name}].hostPath.type: {kind!r} is not one of {', '.join(HOST_PATH_TYPES[1:])}"


def _mounts(pod: PodSpec, _: int) -> Iterator[str]:
    volumes = {v.get("name") for v in _seq(pod, "volumes") if isinstance(v, Mapping)}
    for where, container in _containers(pod):
        paths: set[str] = set()
        privileged = _map(container, "securityContext").get("privileged") is True
        for mount in _seq(container, "volumeMounts"):
            if not isinstance(mount, Mapping):
                continue
            name, path = mount.get("name"), mount.get("mountPath")
            if name not in volumes:
                yield f"{where}.volumeMounts[{name}]: no volume of the pod has this name"
            if not isinstance(path, str) or not path:
                yield f"{where}.volumeMounts[{name}].mountPath: required"
            elif path in paths:
                yield f"{where}.volumeMounts[{name}].mountPath: {path} is mounted twice in this container"
            else:
                paths.add(path)
            sub_path = mount.get("subPath")
            if isinstance(sub_path, str) and (sub_path.startswith("/") or ".." in sub_path.split("/")):
                yield f"{where}.volumeMounts[{name}].subPath: {sub_path!r} must be relative, without '..'"
            propagation = mount.get("mountPropagation")
            if propagation is not None and propagation not in PROPAGATIONS:
                yield f"{where}.volumeMounts[{name}].mountPropagation: {propagation!r} is not one of " + ", ".join(
                    PROPAGATIONS
                )
            elif propagation == "Bidirectional" and not privileged:
                yield f"{where}.volumeMounts[{name}].mountPropagation: Bidirectional needs a privileged container"


def _port_name_ok(name: str) -> bool:
    """An IANA service name: at most 15 characters, a-z 0-9 '-', a letter, no '-' at an end or doubled."""
    return (
        len(name) <= 15
        and bool(_PORT_NAME_CHARS.match(name))
        and any(c.isalpha() for c in name)
        and not name.startswith("-")
        and not name.endswith("-")
        and "--" not in name
    )


def _ports(pod: PodSpec, _: int) -> Iterator[str]:
    for where, container in _containers(pod):
        names: set[str] = set()
        for n, port in enumerate(_seq(container, "ports")):
            if not isinstance(port, Mapping):
                continue
            at = f"{where}.ports[{n}]"
            name = port.get("name")
            if name:
                if not isinstance(name, str) or not _port_name_ok(name):
                    yield f"{at}.name: {name!r} is not a port name (a-z, 0-9, '-', a letter, at most 15)"
                elif name in names:
                    yield f"{at}.name: {name} names another port of this container"
                else:
                    names.add(name)
            container_port = port.get("containerPort")
            if not (_is_int(container_port) and 1 <= container_port <= 65535):
                yield f"{at}.containerPort: {container_port!r} is not a port from 1 to 65535"
            host_port = port.get("hostPort")
            if host_port is not None and not (_is_int(host_port) and 0 <= host_port <= 65535):
                yield f"{at}.hostPort: {host_port!r} is not a port from 1 to 65535"
            protocol = port.get("protocol") or "TCP"
            if protocol not in PROTOCOLS:
                yield f"{at}.protocol: {protocol!r} is not one of {', '.join(PROTOCOLS)}"


def _host_network_ports(pod: PodSpec, _: int) -> Iterator[str]:
    # The API server first defaults an unset hostPort to the containerPort under hostNetwork.
    if pod.get("hostNetwork") is not True:
        return
    for where, container in _containers(pod):
        for n, port in enumerate(_seq(container, "ports")):
            if not isinstance(port, Mapping):
                continue
            host_port, container_port = port.get("hostPort"), port.get("containerPort")
            if host_port not in (None, 0) and host_port != container_port:
                yield (
                    f"{where}.ports[{n}]: hostPort {host_port} differs from containerPort {container_port} "
                    "under hostNetwork (they must be equal)"
                )


def _host_ports_unique(pod: PodSpec, _: int) -> Iterator[str]:
    host_network = pod.get("hostNetwork") is True
    for key, items in _lists(pod):
        seen: dict[tuple[Any, Any, Any], str] = {}
        for container in items:
            for port in _seq(container, "ports"):
                if not isinstance(port, Mapping):
                    continue
                host_port = port.get("hostPort") or (port.get("containerPort") if host_network else None)
                if not host_port:
                    continue
                protocol = port.get("protocol") or "TCP"
                slot = (port.get("hostIP", ""), protocol, host_port)
                owner = f"{key}[{container.get('name', '?')}]"
                if slot in seen:
                    yield f"{owner}.ports: host port {host_port}/{protocol} is also taken by {seen[slot]}"
                else:
                    seen[slot] = owner


def _profiles(pod: PodSpec, minor: int) -> Iterator[str]:
    fields = ["seccompProfile"] + (["appArmorProfile"] if minor >= APPARMOR_FIELD_FROM else [])
    contexts = [("spec.securityContext", _map(pod, "securityContext"))]
    contexts += [(f"{where}.securityContext", _map(c, "securityContext")) for where, c in _containers(pod)]
    for where, context in contexts:
        for key in fields:
            if key not in context:
                continue
            profile = _map(context, key)
            kind, local = profile.get("type"), profile.get("localhostProfile")
            if kind not in PROFILE_TYPES:
                yield f"{where}.{key}.type: {kind!r} is not one of {', '.join(PROFILE_TYPES)}"
            elif kind == "Localhost" and not (isinstance(local, str) and local):
                yield f"{where}.{key}: type Localhost needs localhostProfile"
            elif kind != "Localhost" and local is not None:
                yield f"{where}.{key}: localhostProfile is only for type Localhost"


def _env_names(pod: PodSpec, minor: int) -> Iterator[str]:
    for where, container in _containers(pod):
        for entry in _seq(container, "env"):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not isinstance(name, str) or not name:
                yield f"{where}.env: an entry has no name"
            elif minor >= RELAXED_ENV_FROM:
                if "=" in name or not name.isprintable() or not name.isascii():
                    yield f"{where}.env[{name}]: a name is printable ASCII without '='"
            elif not _ENV_NAME_STRICT.match(name):
                yield f"{where}.env[{name}]: before 1.{RELAXED_ENV_FROM} a name is letters, digits, '-', '.', '_'"


POD_RULES: tuple[PodRule, ...] = (
    PodRule("privileged-no-escalation", API_SERVER, "privileged with allowPrivilegeEscalation: false",
            _privileged_without_escalation),
    PodRule("sys-admin-no-escalation", API_SERVER, "CAP_SYS_ADMIN with allowPrivilegeEscalation: false",
            _sys_admin_without_escalation),
    PodRule("id-range", API_SERVER, "user and group ids from 0 to 2^31-1", _ids_in_range),
    PodRule("non-root-as-root", KUBELET, "runAsNonRoot: true with runAsUser: 0", _non_root_as_root),
    PodRule("container-names", API_SERVER, "container names: DNS labels, unique in the pod", _container_names),
    PodRule("volumes", API_SERVER, "volumes: unique DNS-label names, one source, a hostPath path", _volumes),
    PodRule("volume-mounts", API_SERVER, "mounts: an existing volume, a path once per container", _mounts),
    PodRule("ports", API_SERVER, "ports: numbers, protocols, unique names", _ports),
    PodRule("host-network-ports", API_SERVER, "under hostNetwork a hostPort equals its containerPort",
            _host_network_ports),
    PodRule("host-ports-unique", API_SERVER, "a host port and protocol once per pod", _host_ports_unique),
    PodRule("profiles", API_SERVER, "seccomp and AppArmor profiles: a known type, a Localhost profile", _profiles),
    PodRule("env-names", API_SERVER, "environment variable names", _env_names),
)  # fmt: skip


LATEST_MINOR = 99


def violations(pod: Any, kubernetes_minor: int = LATEST_MINOR) -> list[Violation]:
    """Every problem that makes the API server (or the kubelet) refuse this pod; empty when none."""
    if not isinstance(pod, Mapping):
        return [Violation("pod", API_SERVER, "the pod spec is not a mapping")]
    return [
        Violation(rule.id, rule.enforcer, message)
        for rule in POD_RULES
        for message in rule.check(pod, kubernetes_minor)
    ]
