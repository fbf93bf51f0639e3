"""The privilege fence: a ValidatingAdmissionPolicy that admits, in the Agent's namespace, only what
privileges.json lists.

The namespace must be labelled Pod Security `enforce: privileged` for the Agent's hostPaths, which
opens it to any pod. The fence closes it again:

- a pod owned by one of the bundle's workloads (matched by its controller's ownerReference), and that
  workload's own DaemonSet or Deployment object, may hold exactly the privileges of its ledger: those
  containers by name; per container, only the listed added capabilities, privileged only if listed, the
  listed UID when it is not root, the listed host ports; only the listed hostPath volumes, mounted only
  by the listed containers, read-only where the ledger says so; hostPID/hostNetwork/hostIPC only if
  listed;
- any other pod or workload of the namespace may hold none of these privileges.

Everything else (the service-account token volume, labels, ownerReferences, nodeName, resources, env,
images) is not looked at, so what the API server and the controllers add is always admitted.

The expressions are standard CEL only (no Kubernetes library function), so the tests evaluate the very
same text with cel-python. Kubernetes type-checks literals as homogeneous (`HomogeneousAggregateLiterals`),
so the ledger is written as several single-typed maps and lists keyed `PROFILE|CONTAINER[|VOLUME]`.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tui.core.admission.profiles import Profile
from tui.core.answers.contract import Answers
from tui.core.digest import sha256_hex

FENCE_FILE = "admission-policy.yaml"
FENCE_FROM_MINOR = 30  # admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is GA (on by default) in 1.30
API_VERSION = "admissionregistration.k8s.io/v1"
REGENERATE = "; to change what it may hold, regenerate the bundle with ddsecure and apply it again"


def fence_applies(answers: Answers) -> bool:
    return answers.kubernetes_minor >= FENCE_FROM_MINOR


def fence_absent_reason(answers: Answers) -> str:
    return (
        f"kubernetes_version={answers.kubernetes_version}: ValidatingAdmissionPolicy is GA from Kubernetes "
        f"1.{FENCE_FROM_MINOR} (v1beta1 before, off by default), so the bundle has no {FENCE_FILE}; "
        f"answer kubernetes_version 1.{FENCE_FROM_MINOR} or later once the cluster runs it"
    )


def fence_name(answers: Answers) -> str:
    """Cluster-scoped: the namespace and release make it unique per installation."""
    return f"ddsecure-fence-{answers.namespace}-{answers.release_name}"


# --- the ledger as CEL literals --------------------------------------------------------------------


def cel_literal(value: Any) -> str:
    """A CEL literal for strings, ints, lists and string-keyed maps; lists and maps must be homogeneous,
    as Kubernetes' type checker requires."""
    if isinstance(value, bool):
        raise TypeError("booleans are written as membership in a list")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, Mapping):
        _check_homogeneous(list(value.values()))
        return "{" + ", ".join(f"{cel_literal(k)}: {cel_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        _check_homogeneous(list(value))
        return "[" + ", ".join(cel_literal(v) for v in value) + "]"
    raise TypeError(f"no CEL literal for {type(value).__name__}")


def _check_homogeneous(items: list[Any]) -> None:
    def kind(item: Any) -> str:
        if isinstance(item, Mapping):
            return "map"
        return "list" if isinstance(item, Sequence) and not isinstance(item, str) else type(item).__name__

    kinds = {kind(item) for item in items}
    if len(kinds) > 1:
        raise TypeError(f"a CEL literal must hold one type, not {sorted(kinds)}")


class FenceData(NamedTuple):
    """The ledgers of every profile, flattened into single-typed tables."""

    titles: dict[str, str]  # profile -> who it is, for messages
    containers: list[str]  # profile|container
    privileged: list[str]  # profile|container
    capabilities: dict[str, list[str]]  # profile|container -> added capabilities
    users: dict[str, int]  # profile|container -> the non-root UID it must keep
    host_ports: dict[str, list[int]]  # profile|container -> host ports
    host_paths: dict[str, str]  # profile|volume -> host path
    rw_mounts: list[str]  # profile|container|volume
    ro_mounts: list[str]  # profile|container|volume
    host_pid: list[str]  # profiles
    host_network: list[str]
    host_ipc: list[str]


def fence_data(found: Sequence[Profile]) -> FenceData:
    data = FenceData({}, [], [], {}, {}, {}, {}, [], [], [], [], [])
    for profile in found:
        key, ledger = profile.key, profile.ledger
        data.titles[key] = profile.title
        for name in ledger.containers:
            data.containers.append(f"{key}|{name}")
        for grant in ledger.container_grants:
            if grant.privileged:
                data.privileged.append(f"{key}|{grant.name}")
        for name, caps in ledger.capabilities.items():
            data.capabilities[f"{key}|{name}"] = list(caps)
        for name, user in ledger.container_users.items():
            if user:  # root (0, or the image's default) is already the most a UID can be
                data.users[f"{key}|{name}"] = user
        for listener in ledger.listeners:
            # Under hostNetwork the API server defaults each hostPort to its containerPort.
            port = listener.port if ledger.host_network else listener.host_port
            if port:
                ports = data.host_ports.setdefault(f"{key}|{listener.container}", [])
                if port not in ports:
                    ports.append(port)
        for path in ledger.host_paths:
            data.host_paths[f"{key}|{path.volume}"] = path.path
            for container in path.containers:
                (data.ro_mounts if path.read_only else data.rw_mounts).append(f"{key}|{container}|{path.volume}")
        for flag, table in (
            (ledger.host_pid, data.host_pid),
            (ledger.host_network, data.host_network),
            (bool(profile.pod.get("hostIPC")), data.host_ipc),
        ):
            if flag:
                table.append(key)
    return data


# --- the expressions -------------------------------------------------------------------------------

_CKEY = "(variables.profile + '|' + c.name)"
_MKEY = "(variables.profile + '|' + c.name + '|' + m.name)"
_VKEY = "(variables.profile + '|' + v.name)"
_SC = "has(c.securityContext)"
_IS_HOST_PATH_MOUNT = (
    "has(variables.spec.volumes) && variables.spec.volumes.exists(v, v.name == m.name && has(v.hostPath))"
)

# (name, expression) in order: a later variable may read an earlier one.
_VARIABLES: tuple[tuple[str, str], ...] = (
    ("spec", "request.kind.kind == 'Pod' ? object.spec : object.spec.template.spec"),
    (
        "containers",
        "variables.spec.containers"
        " + (has(variables.spec.initContainers) ? variables.spec.initContainers : [])"
        " + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])",
    ),
)

_RO_OK = "!(KEY in variables.fenceRoMounts) || (has(m.readOnly) && m.readOnly)"
_CAP_OK = "KEY in variables.fenceCapabilities && cap in variables.fenceCapabilities[KEY]"
_PORT_OK = (
    "!has(p.hostPort) || p.hostPort == 0"
    " || (KEY in variables.fenceHostPorts && p.hostPort in variables.fenceHostPorts[KEY])"
)
_FIRST = "(variables.profile + '|' + variables.{0}[0].name)"


class Check(NamedTuple):
    """One privilege the fence limits: the rule, and the message naming the first offender.

    `offenders`, when set, is a variable listing the offending containers (or volumes) for the message:
    variables are evaluated only when read, so it costs nothing on an admitted object."""

    privilege: str
    expression: str
    message: str
    offenders: tuple[str, str] = ("", "")


_CHECKS: tuple[Check, ...] = (
    Check(
        "container",
        f"variables.profile == '' || variables.containers.all(c, {_CKEY} in variables.fenceContainers)",
        "'container ' + variables.badContainers[0].name + ' in ' + variables.subject"
        " + ' is not a container privileges.json lists'",
        ("badContainers", f"variables.containers.filter(c, !({_CKEY} in variables.fenceContainers))"),
    ),
    Check(
        "privileged",
        f"variables.containers.all(c, !{_SC} || !has(c.securityContext.privileged) || !c.securityContext.privileged"
        f" || {_CKEY} in variables.fencePrivileged)",
        "'privileged: true on container ' + variables.badPrivileged[0].name + ' in ' + variables.subject"
        " + ' is not in privileges.json'",
        (
            "badPrivileged",
            f"variables.containers.filter(c, {_SC} && has(c.securityContext.privileged)"
            f" && c.securityContext.privileged && !({_CKEY} in variables.fencePrivileged))",
        ),
    ),
    Check(
        "capability",
        f"variables.containers.all(c, !{_SC} || !has(c.securityContext.capabilities)"
        " || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, "
        + _CAP_OK.replace("KEY", _CKEY)
        + "))",
        "'capability ' + variables.badCapabilities[0].securityContext.capabilities.add.filter(cap, !("
        + _CAP_OK.replace("KEY", _FIRST.format("badCapabilities"))
        + "))[0] + ' added to container ' + variables.badCapabilities[0].name + ' in ' + variables.subject"
        " + ' is not in privileges.json'",
        (
            "badCapabilities",
            f"variables.containers.filter(c, {_SC} && has(c.securityContext.capabilities)"
            " && has(c.securityContext.capabilities.add) && c.securityContext.capabilities.add.exists(cap, !("
            + _CAP_OK.replace("KEY", _CKEY)
            + ")))",
        ),
    ),
    Check(
        "user",
        f"variables.containers.all(c, !({_CKEY} in variables.fenceUsers) || ({_SC}"
        f" && has(c.securityContext.runAsUser) ? c.securityContext.runAsUser == variables.fenceUsers[{_CKEY}]"
        " : has(variables.spec.securityContext) && has(variables.spec.securityContext.runAsUser)"
        f" && variables.spec.securityContext.runAsUser == variables.fenceUsers[{_CKEY}]))",
        "'container ' + variables.badUsers[0].name + ' in ' + variables.subject"
        " + ' must run as UID ' + string(variables.fenceUsers[" + _FIRST.format("badUsers") + "])"
        " + ' as privileges.json lists: a non-root container stays non-root'",
        (
            "badUsers",
            f"variables.containers.filter(c, {_CKEY} in variables.fenceUsers && !({_SC}"
            f" && has(c.securityContext.runAsUser) ? c.securityContext.runAsUser == variables.fenceUsers[{_CKEY}]"
            " : has(variables.spec.securityContext) && has(variables.spec.securityContext.runAsUser)"
            f" && variables.spec.securityContext.runAsUser == variables.fenceUsers[{_CKEY}]))",
        ),
    ),
    Check(
        "hostPath",
        "!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath)"
        f" || ({_VKEY} in variables.fenceHostPaths && v.hostPath.path == variables.fenceHostPaths[{_VKEY}]))",
        "'hostPath ' + variables.badHostPaths[0].hostPath.path + ' (volume ' + variables.badHostPaths[0].name"
        " + ') in ' + variables.subject + ' is not in privileges.json'",
        (
            "badHostPaths",
            "variables.spec.volumes.filter(v, has(v.hostPath) && !("
            f"{_VKEY} in variables.fenceHostPaths && v.hostPath.path == variables.fenceHostPaths[{_VKEY}]))",
        ),
    ),
    Check(
        "hostPath mount",
        "variables.containers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m,"
        f" !({_IS_HOST_PATH_MOUNT}) || {_MKEY} in variables.fenceRwMounts || {_MKEY} in variables.fenceRoMounts))",
        "'container ' + variables.badMounts[0].name + ' in ' + variables.subject"
        " + ' mounts a hostPath volume that privileges.json does not give it'",
        (
            "badMounts",
            "variables.containers.filter(c, has(c.volumeMounts) && c.volumeMounts.exists(m,"
            f" ({_IS_HOST_PATH_MOUNT})"
            f" && !({_MKEY} in variables.fenceRwMounts || {_MKEY} in variables.fenceRoMounts)))",
        ),
    ),
    Check(
        "read-only hostPath",
        "variables.containers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, "
        + _RO_OK.replace("KEY", _MKEY)
        + "))",
        "'hostPath ' + variables.fenceHostPaths[variables.profile + '|' + variables.badReadOnly[0].volumeMounts"
        ".filter(m, !("
        + _RO_OK.replace("KEY", "(variables.profile + '|' + variables.badReadOnly[0].name + '|' + m.name)")
        + "))[0].name]"
        " + ' is read-only in privileges.json but container ' + variables.badReadOnly[0].name"
        " + ' in ' + variables.subject + ' mounts it read-write'",
        (
            "badReadOnly",
            "variables.containers.filter(c, has(c.volumeMounts) && c.volumeMounts.exists(m, !("
            + _RO_OK.replace("KEY", _MKEY)
            + ")))",
        ),
    ),
    Check(
        "hostPID",
        "!has(variables.spec.hostPID) || !variables.spec.hostPID || variables.profile in variables.fenceHostPID",
        "'hostPID: true in ' + variables.subject + ' is not in privileges.json'",
    ),
    Check(
        "hostNetwork",
        "!has(variables.spec.hostNetwork) || !variables.spec.hostNetwork"
        " || variables.profile in variables.fenceHostNetwork",
        "'hostNetwork: true in ' + variables.subject + ' is not in privileges.json'",
    ),
    Check(
        "hostIPC",
        "!has(variables.spec.hostIPC) || !variables.spec.hostIPC || variables.profile in variables.fenceHostIPC",
        "'hostIPC: true in ' + variables.subject + ' is not in privileges.json'",
    ),
    Check(
        "hostPort",
        "variables.containers.all(c, !has(c.ports) || c.ports.all(p, " + _PORT_OK.replace("KEY", _CKEY) + "))",
        "'hostPort ' + string(variables.badHostPorts[0].ports.filter(p, !("
        + _PORT_OK.replace("KEY", _FIRST.format("badHostPorts"))
        + "))[0].hostPort) + ' of container ' + variables.badHostPorts[0].name + ' in ' + variables.subject"
        " + ' is not in privileges.json'",
        (
            "badHostPorts",
            "variables.containers.filter(c, has(c.ports) && c.ports.exists(p, !("
            + _PORT_OK.replace("KEY", _CKEY)
            + ")))",
        ),
    ),
)
CHECKED_PRIVILEGES = tuple(check.privilege for check in _CHECKS)


def _profile_expression(found: Sequence[Profile]) -> str:
    """Which profile the object is: a workload by its kind and name, a pod by its controller's ownerReference
    (a ReplicaSet of a Deployment is named DEPLOYMENT-HASH, HASH being the pod's pod-template-hash label)."""
    owner = "object.metadata.ownerReferences.exists(o, has(o.controller) && o.controller && "
    pods = []
    for profile in found:
        if profile.kind == "DaemonSet":
            test = f"o.kind == 'DaemonSet' && o.name == {cel_literal(profile.name)})"
        else:
            test = (
                "o.kind == 'ReplicaSet' && has(object.metadata.labels)"
                " && 'pod-template-hash' in object.metadata.labels"
                f" && o.name == {cel_literal(profile.name + '-')} + object.metadata.labels['pod-template-hash'])"
            )
        pods.append(f"{owner}{test} ? {cel_literal(profile.key)}")
    pod = " : ".join(["!has(object.metadata.ownerReferences) ? ''", *pods, "''"])
    workload = "(request.kind.kind + '/' + object.metadata.name)"
    return f"request.kind.kind == 'Pod' ? ({pod}) : {workload} in variables.fenceTitles ? {workload} : ''"


def variables(found: Sequence[Profile]) -> list[dict[str, str]]:
    data = fence_data(found)
    tables = {
        "fenceTitles": data.titles,
        "fenceContainers": data.containers,
        "fencePrivileged": data.privileged,
        "fenceCapabilities": data.capabilities,
        "fenceUsers": data.users,
        "fenceHostPorts": data.host_ports,
        "fenceHostPaths": data.host_paths,
        "fenceRwMounts": data.rw_mounts,
        "fenceRoMounts": data.ro_mounts,
        "fenceHostPID": data.host_pid,
        "fenceHostNetwork": data.host_network,
        "fenceHostIPC": data.host_ipc,
    }
    out = [{"name": name, "expression": cel_literal(value)} for name, value in tables.items()]
    out += [{"name": name, "expression": expression} for name, expression in _VARIABLES]
    out.append({"name": "profile", "expression": _profile_expression(found)})
    out.append(
        {
            "name": "subject",
            "expression": "variables.profile != '' ? variables.fenceTitles[variables.profile]"
            " : request.kind.kind + ' ' + object.metadata.name + ' (not a workload of the Agent: no host privilege)'",
        }
    )
    out += [{"name": c.offenders[0], "expression": c.offenders[1]} for c in _CHECKS if c.offenders[0]]
    return out


def validations() -> list[dict[str, str]]:
    return [
        {
            "expression": check.expression,
            "messageExpression": f"{check.message} + '{REGENERATE}'",
            "message": f"{check.privilege} not in privileges.json{REGENERATE}",
            "reason": "Forbidden",
        }
        for check in _CHECKS
    ]


def policy_objects(answers: Answers, found: Sequence[Profile]) -> list[dict[str, Any]]:
    """The ValidatingAdmissionPolicy and its binding, scoped to the Agent's namespace."""
    name = fence_name(answers)
    namespace = {"matchLabels": {"kubernetes.io/metadata.name": answers.namespace}}
    operations = ["CREATE", "UPDATE"]
    policy = {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "namespaceSelector": namespace,
                "resourceRules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": operations,
                        "resources": ["pods", "pods/ephemeralcontainers"],
                    },
                    {
                        "apiGroups": ["apps"],
                        "apiVersions": ["v1"],
                        "operations": operations,
                        "resources": ["daemonsets", "deployments"],
                    },
                ],
            },
            "variables": variables(found),
            "validations": validations(),
        },
    }
    binding = {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {"policyName": name, "validationActions": ["Deny"], "matchResources": {"namespaceSelector": namespace}},
    }
    return [policy, binding]


def policy_digest(policy: Mapping[str, Any]) -> str:
    """A digest of what the policy checks (its variables and validations), which the API server stores as
    written: `audit --expect` compares it to tell an edited fence from the bundle's."""
    spec = policy.get("spec") or {}
    checked = {
        "variables": [[v.get("name"), v.get("expression")] for v in spec.get("variables") or []],
        "validations": [[v.get("expression"), v.get("messageExpression")] for v in spec.get("validations") or []],
    }
    return sha256_hex(json.dumps(checked, sort_keys=True))
