"""The chart values a platform adds to the plan, each with its reason.

Most are the platform's own keys (`Platform.chart_keys`). OpenShift's SecurityContextConstraints is
narrowed to the pod these values render: its capabilities, seccomp profiles and volume types are read
off the chart model's pod, so the SCC allows exactly what the Agent uses and nothing the chart lists
by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.core.chart.model import render_pod
from tui.core.platforms.catalog import PLATFORMS, SPC_T
from tui.core.yamlio.commented import CommentedTree

if TYPE_CHECKING:
    from tui.core.answers.contract import Answers

# The plan is chart.values' ValuesPlan; only its CommentedTree part (data, comments, set) is read here,
# so this module sits below chart.values instead of importing it back.

# The volume types of the node-Agent pod besides hostPath and emptyDir: its config maps, and the
# service account token (admitted through `secret`).
_BASE_VOLUME_TYPES = ("configMap", "secret")


# Every key through which ddsecure sets a security context (or system-probe's seccomp profile).
_SECURITY_CONTEXT_KEYS = ("datadog.securityContext", "agents.containers", "datadog.systemProbe.seccomp")


def _unset(plan: CommentedTree, dotted: str) -> None:
    """Take a key (and the comments of everything under it) out of the plan."""
    *path, last = dotted.split(".")
    node: Any = plan.data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)
    for key in [k for k in plan.comments if k == dotted or k.startswith(dotted + ".")]:
        del plan.comments[key]


def add_platform_values(plan: CommentedTree, answers: Answers) -> None:
    platform = PLATFORMS[answers.platform]
    for key in platform.chart_keys:
        plan.set(key.key, key.value, key.why)
    if not platform.custom_security_contexts:
        for dotted in _SECURITY_CONTEXT_KEYS:
            _unset(plan, dotted)
    if answers.platform == "openshift":
        _openshift(plan, answers)


def _openshift(plan: CommentedTree, answers: Answers) -> None:
    plan.set(
        "datadog.securityContext.seLinuxOptions",
        dict(SPC_T),
        "platform=openshift: the chart adds SELinux type spc_t only when datadog.securityContext is empty; "
        "without it the Agent cannot read the runtime socket, /proc or cgroups",
    )
    pod = render_pod(plan.data, answers.api_server)
    capabilities: list[str] = []
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        for cap in ((container.get("securityContext") or {}).get("capabilities") or {}).get("add") or []:
            if cap not in capabilities:
                capabilities.append(cap)
    plan.set(
        "agents.podSecurity.capabilities",
        capabilities,
        "platform=openshift: exactly the capabilities the pod adds"
        + (" (system-probe's eBPF)" if capabilities else "; no eBPF feature, so none")
        + "; the chart allows 13 whatever the features",
    )
    plan.set(
        "agents.podSecurity.seccompProfiles",
        ["runtime/default"],
        "platform=openshift: every container runs with RuntimeDefault; no Localhost profile is allowed",
    )
    types = {"emptyDir"} | {"hostPath" for v in pod.get("volumes", []) if "hostPath" in v}
    plan.set(
        "agents.podSecurity.volumes",
        sorted(types | set(_BASE_VOLUME_TYPES)),
        "platform=openshift: the volume types the pod uses (downwardAPI dropped)",
    )


def namespace_labels(answers: Answers) -> dict[str, Any]:
    return dict(PLATFORMS[answers.platform].namespace_labels)
