"""A ValidatingAdmissionPolicy evaluated with cel-python, the way the API server evaluates it, and the
objects it is tried on: the bundle's pods as their controllers create them, and single extra privileges.


Variables are computed in order and read as `variables.NAME` (one that fails to evaluate is left out,
so reading it fails, as in Kubernetes where it fails when read); a validation that is false denies with
its messageExpression; one that fails to evaluate denies too (failurePolicy: Fail).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import celpy
from celpy import celtypes, json_to_cel

from tui.core.admission.profiles import Profile

REGENERATE = "regenerate the bundle with ddsecure"  # every denial says how to change what is admitted


@lru_cache(maxsize=512)
def _program(expression: str) -> Any:
    env = celpy.Environment()
    return env.program(env.compile(expression))


def evaluate(expression: str, activation: Mapping[str, Any]) -> Any:
    """The value, or the exception (a CEL evaluation error) as a value."""
    try:
        result = _program(expression).evaluate(dict(activation))
    except Exception as error:  # cel-python raises its evaluation errors
        return error
    return result


def _failed(value: Any) -> bool:
    return isinstance(value, Exception | celpy.CELEvalError)


def request_for(obj: Mapping[str, Any], operation: str = "CREATE") -> dict[str, Any]:
    group, _, version = str(obj.get("apiVersion", "v1")).rpartition("/")
    meta = obj.get("metadata") or {}
    return {
        "kind": {"group": group, "version": version, "kind": obj.get("kind")},
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "operation": operation,
    }


def denials(policy: Mapping[str, Any], obj: Mapping[str, Any], operation: str = "CREATE") -> list[str]:
    """The messages the policy denies `obj` with; empty when it is admitted."""
    activation: dict[str, Any] = {
        "object": json_to_cel(copy.deepcopy(dict(obj))),
        "oldObject": None,
        "request": json_to_cel(request_for(obj, operation)),
    }
    known: dict[str, Any] = {}
    spec = policy["spec"]
    for variable in spec.get("variables") or []:
        value = evaluate(variable["expression"], {**activation, "variables": celtypes.MapType(known)})
        if not _failed(value):
            known[celtypes.StringType(variable["name"])] = value
    activation["variables"] = celtypes.MapType(known)
    out = []
    for validation in spec["validations"]:
        verdict = evaluate(validation["expression"], activation)
        if _failed(verdict):
            out.append(f"error: {verdict}")
        elif verdict is not True and verdict != celtypes.BoolType(True):
            message = evaluate(validation.get("messageExpression", "''"), activation)
            out.append(str(validation.get("message")) if _failed(message) else str(message))
    return out


# --- what the API server and the controllers make of the bundle's workloads ------------------------


def as_created(profile: Profile, namespace: str) -> dict[str, Any]:
    """The pod its controller creates, as the fence sees it: controller labels and ownerReference, the
    ServiceAccount plugin's token volume and mounts, nodeName, and changed resources and env."""
    spec = copy.deepcopy(dict(profile.pod))
    labels = {"app": profile.name, "controller-revision-hash": "6b8c9d7f5"}
    if profile.kind == "DaemonSet":
        owner = {"kind": "DaemonSet", "name": profile.name}
        name = f"{profile.name}-x7k2p"
    else:
        labels["pod-template-hash"] = "5d4f8b9c7"
        owner = {"kind": "ReplicaSet", "name": f"{profile.name}-5d4f8b9c7"}
        name = f"{profile.name}-5d4f8b9c7-x7k2p"
    token = "kube-api-access-q8w2n"
    spec.setdefault("volumes", []).append(
        {"name": token, "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    )
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        container.setdefault("volumeMounts", []).append(
            {"name": token, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}
        )
        container["resources"] = {"requests": {"cpu": "250m", "memory": "256Mi"}}
        container.setdefault("env", []).append({"name": "DD_EXTRA", "value": "1"})
    spec["nodeName"] = "node-1"
    spec["serviceAccountName"] = profile.name
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "ownerReferences": [
                {"apiVersion": "apps/v1", "uid": "0e9e", "controller": True, "blockOwnerDeletion": True, **owner}
            ],
        },
        "spec": spec,
    }


def as_workload(profile: Profile, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": profile.kind,
        "metadata": {"name": profile.name, "namespace": namespace},
        "spec": {"template": {"metadata": {"labels": {"app": profile.name}}, "spec": copy.deepcopy(dict(profile.pod))}},
    }


def _agent(pod: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in pod["spec"]["containers"] if c["name"] == "agent")


# Each single extra privilege, and the words its denial must contain.
def add_host_path(pod):
    pod["spec"]["volumes"].append({"name": "host-root", "hostPath": {"path": "/"}})
    _agent(pod)["volumeMounts"].append({"name": "host-root", "mountPath": "/host"})


def make_ro_mount_rw(pod):
    mount = next(m for m in _agent(pod)["volumeMounts"] if m["name"] == "procdir")
    mount.pop("readOnly")


def add_capability(pod):
    _agent(pod).setdefault("securityContext", {}).setdefault("capabilities", {})["add"] = ["SYS_ADMIN"]


def make_privileged(pod):
    _agent(pod).setdefault("securityContext", {})["privileged"] = True


def add_host_port(pod):
    _agent(pod).setdefault("ports", []).append({"containerPort": 9999, "hostPort": 9999, "protocol": "TCP"})


def add_container(pod):
    pod["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})


def run_as_root(pod):
    _agent(pod).setdefault("securityContext", {})["runAsUser"] = 0


EXTRAS = {
    "hostPath": (add_host_path, "hostPath / (volume host-root)"),
    "read-only made read-write": (make_ro_mount_rw, "hostPath /proc is read-only in privileges.json"),
    "capability": (add_capability, "capability SYS_ADMIN added to container agent"),
    "privileged": (make_privileged, "privileged: true on container agent"),
    "hostNetwork": (lambda pod: pod["spec"].update(hostNetwork=True), "hostNetwork: true"),
    "hostPID": (lambda pod: pod["spec"].update(hostPID=True), "hostPID: true"),
    "hostIPC": (lambda pod: pod["spec"].update(hostIPC=True), "hostIPC: true"),
    "hostPort": (add_host_port, "hostPort 9999 of container agent"),
    "container": (add_container, "container sidecar"),
    "root": (run_as_root, "container agent in the node Agent (DaemonSet datadog) must run as UID 100"),
}
