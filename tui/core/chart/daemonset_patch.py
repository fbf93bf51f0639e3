"""What the chart's values cannot express, as one strategic-merge patch for the node-Agent DaemonSet.

Each change is a `PatchStep`: what it does (a title for files and screens), why, and the pod-spec
fragment. The steps are derived from the answers and from the pod the values render, so a
hostPath that no container mounts is removed whatever caused it.
"""

import posixpath
from typing import Any, NamedTuple

from tui.core.answers.app_endpoints import dogstatsd_udp_open
from tui.core.answers.contract import Answers, chart_fullname
from tui.core.chart.values import socket_file_only
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.api_rules import violations
from tui.core.pod.spec import PodSpec, host_path_mounts, unmounted_host_path_volumes
from tui.core.pod.strategic_merge import apply_patch
from tui.core.yamlio.dotted import copy_tree

# Step titles, shown in REPORT.md and daemonset-overrides.yaml; the Operator bundle drops SOCKET_FILE_ONLY.
UNMOUNTED_VOLUMES = "Remove hostPath volumes nothing mounts"
SOCKET_FILE_ONLY = "Mount only the runtime socket"
READ_ONLY_SOCKET_DIR = "Socket directory read-only where it is only connected to"
CLOSE_DOGSTATSD_PORT = "Close the DogStatsD UDP port"


class PatchStep(NamedTuple):
    title: str
    why: str
    fragment: dict[str, Any]


class DaemonSetPatch:
    def __init__(
        self,
        name: str,
        namespace: str,
        steps: list[PatchStep] | None = None,
        order: dict[str, list[str]] | None = None,
    ):
        self.name = name
        self.namespace = namespace
        self.steps = list(steps or [])
        # Steps left out because the API server would refuse the pod with them: (title, why).
        self.left_out: list[tuple[str, str]] = []
        # Container names per list, in the chart's order (see `pod_patch`).
        self.order = dict(order or {})

    @property
    def pod_patch(self) -> dict[str, Any]:
        """All steps merged into one `spec.template.spec` fragment.

        kustomize moves the containers a patch names to the front of their list; naming every
        container, in the chart's order, keeps the order (init-volume must run before init-config).
        """
        merged: dict[str, Any] = {}
        for step in self.steps:
            _merge_fragment(merged, step.fragment)
        for key, names in self.order.items():
            if key in merged:
                patched = {entry["name"]: entry for entry in merged[key]}
                merged[key] = [patched.get(name, {"name": name}) for name in names]
        return merged

    def document(self) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": {"template": {"spec": self.pod_patch}},
        }


def daemonset_patch(answers: Answers, rendered: PodSpec) -> DaemonSetPatch:
    order = {key: [c["name"] for c in rendered.get(key) or []] for key in ("initContainers", "containers")}
    patch = DaemonSetPatch(chart_fullname(answers.release_name), answers.namespace, order=order)
    if not PLATFORMS[answers.platform].post_render_patch:
        return patch  # the platform admits only the chart's own pod (GKE Autopilot): values only
    if socket_file_only(answers):
        patch.steps.append(_socket_file_only(answers, rendered))
    patch.steps += _read_only_socket_mounts(answers, rendered)
    # UDP stays open wherever applications are pointed at it (their choice, or the admission
    # controller's one mode for both transports).
    if answers.dogstatsd == "off" or (answers.dogstatsd == "uds" and not dogstatsd_udp_open(answers)):
        patch.steps.append(_close_udp(answers))
    unmounted = unmounted_host_path_volumes(rendered)
    if unmounted:
        patch.steps.append(
            PatchStep(
                UNMOUNTED_VOLUMES,
                "declared hostPath volumes that no container mounts: "
                + ", ".join(unmounted)
                + " (the chart declares them anyway)",
                {"volumes": [{"name": name, "$patch": "delete"} for name in unmounted]},
            )
        )
    return _admitted_steps(patch, rendered, answers.kubernetes_minor)


def _admitted_steps(patch: DaemonSetPatch, rendered: PodSpec, minor: int) -> DaemonSetPatch:
    """Keep each step only if the pod it leaves is one the API server admits (the values may be the
    user's own: a mount path of theirs where a step mounts the socket, say)."""
    before = {v.message for v in violations(rendered, minor)}
    steps, patch.steps = patch.steps, []
    for step in steps:
        patch.steps.append(step)
        new = [v for v in violations(apply_patch(rendered, patch.pod_patch), minor) if v.message not in before]
        if new:
            patch.steps.pop()
            patch.left_out.append((step.title, f"{new[0].enforcer} would refuse the pod: {new[0].message}"))
    return patch


def _socket_file_only(answers: Answers, rendered: PodSpec) -> PatchStep:
    socket = answers.socket_path
    mounts_by_container: dict[str, list[str]] = {}
    for container, volume, mount_path, _ in host_path_mounts(rendered):
        if volume == "runtimesocketdir":
            mounts_by_container.setdefault(container, []).append(mount_path)
    init_names = {c["name"] for c in rendered.get("initContainers") or []}
    fragment: dict[str, Any] = {
        "volumes": [{"name": "runtimesocketdir", "hostPath": {"path": socket, "type": "Socket"}}]
    }
    for container, paths in mounts_by_container.items():
        entry = {
            "name": container,
            "volumeMounts": [{"mountPath": p, "$patch": "delete"} for p in paths]
            + [{"name": "runtimesocketdir", "mountPath": "/host" + socket, "readOnly": True}],
        }
        fragment.setdefault("initContainers" if container in init_names else "containers", []).append(entry)
    directory = posixpath.dirname(socket)
    if answers.runtime == "docker":
        why = f"runtime=docker: the socket's directory is all of {directory}; mount only {socket} "
        why += "(restart the Agent pod if dockerd recreates its socket)"
    else:
        why = f"runtime_socket={socket}: its directory {directory} holds other sockets; mount only the socket"
    return PatchStep(SOCKET_FILE_ONLY, why, fragment)


def _read_only_socket_mounts(answers: Answers, rendered: PodSpec) -> list[PatchStep]:
    """trace-agent and security-agent get the DogStatsD directory read-write from the chart."""
    if not answers.dogstatsd_over_uds:
        return []
    writers = {"agent"} | ({"trace-agent"} if answers.apm_over_uds else set())
    entries = [
        {"name": container, "volumeMounts": [{"mountPath": path, "name": "dsdsocket", "readOnly": True}]}
        for container, volume, path, read_only in host_path_mounts(rendered)
        if volume == "dsdsocket" and not read_only and container not in writers
    ]
    if not entries:
        return []
    return [
        PatchStep(
            READ_ONLY_SOCKET_DIR,
            "only the agent creates dsd.socket; other containers just connect to it, which needs no write access",
            {"containers": entries},
        )
    ]


def _close_udp(answers: Answers) -> PatchStep:
    why = (
        "dogstatsd=uds: close the UDP listener so metrics arrive only through the socket"
        if answers.dogstatsd == "uds"
        else "dogstatsd=off: no DogStatsD port"
    )
    entry: dict[str, Any] = {"name": "agent", "ports": [{"containerPort": 8125, "protocol": "UDP", "$patch": "delete"}]}
    if answers.dogstatsd == "uds":
        entry["env"] = [{"name": "DD_DOGSTATSD_PORT", "value": "0"}]
    return PatchStep(CLOSE_DOGSTATSD_PORT, why, {"containers": [entry]})


def _merge_fragment(into: dict[str, Any], fragment: dict[str, Any]) -> None:
    """Combine step fragments: lists of named entries are joined per name, maps merged."""
    for key, value in fragment.items():
        if key not in into:
            into[key] = copy_tree(value)
        elif isinstance(value, list) and isinstance(into[key], list):
            for item in value:
                match = next(
                    (
                        e
                        for e in into[key]
                        if isinstance(e, dict)
                        and "name" in item
                        and e.get("name") == item.get("name")
                        and "$patch" not in item
                        and "$patch" not in e
                    ),
                    None,
                )
                if match is None:
                    into[key].append(copy_tree(item))
                else:
                    _merge_fragment(match, item)
        elif isinstance(value, dict) and isinstance(into[key], dict):
            _merge_fragment(into[key], value)
        else:
            into[key] = copy_tree(value)
