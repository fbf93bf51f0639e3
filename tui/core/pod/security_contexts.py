"""The security contexts ddsecure asks for, whatever deploys them (Helm values or a DatadogAgent).

One place decides who each container runs as and what it may do, so the two targets cannot drift.
"""

from __future__ import annotations

from typing import Any

from tui.core.answers.contract import Answers

RUNTIME_DEFAULT_SECCOMP = {"type": "RuntimeDefault"}


def pod_security_context(answers: Answers) -> dict[str, Any]:
    context: dict[str, Any] = {"runAsUser": answers.uid}
    if answers.non_root:
        context["runAsNonRoot"] = True
    context["seccompProfile"] = dict(RUNTIME_DEFAULT_SECCOMP)
    return context


def why_pod_security_context(answers: Answers) -> str:
    uid = answers.uid
    if answers.non_root:
        since = "101 up to 7.47" if uid == 101 else "100 from 7.48"
        who = f"UID {uid} is dd-agent in the {answers.version} image ({since})"
    else:
        who = "root keeps runtime-socket and log access working on any host, at the cost of container-escape risk"
    return f"run_as={answers.run_as}: {who}; RuntimeDefault seccomp for every container"


def hardening(answers: Answers) -> dict[str, Any]:
    """For every container that needs no privilege: no escalation, and no capabilities when non-root.

    Root containers keep the runtime's default capabilities: dropping them can cost a root Agent
    its view of other users' processes in /proc.
    """
    context: dict[str, Any] = {"allowPrivilegeEscalation": False}
    if answers.non_root:
        context["capabilities"] = {"drop": ["ALL"]}
    return context


def why_hardening(answers: Answers) -> str:
    return "no setuid escalation" + ("; a non-root process needs no capabilities" if answers.non_root else "")


def as_root(answers: Answers, context: dict[str, Any]) -> dict[str, Any]:
    """system-probe and security-agent need root even when the rest of the pod runs as dd-agent."""
    if answers.non_root:
        context.update(runAsUser=0, runAsNonRoot=False)
    return context


# The Cluster Agent image creates dd-agent as a system user (UID 100) in group root and leaves its
# files group-writable, so it also runs under OpenShift's random UIDs (which are always in group 0).
CLUSTER_AGENT_UID = 100


def cluster_agent_pod_security_context(*, random_uid: bool = False) -> dict[str, Any]:
    """The Cluster Agent needs no privilege: non-root, RuntimeDefault seccomp.

    The image itself runs as root, so the UID is set here; where the platform assigns a random UID
    (OpenShift's MustRunAsRange SCCs) a fixed one would be refused, so it is left to the platform.
    """
    context: dict[str, Any] = {} if random_uid else {"runAsUser": CLUSTER_AGENT_UID}
    context["runAsNonRoot"] = True
    context["seccompProfile"] = dict(RUNTIME_DEFAULT_SECCOMP)
    return context


def cluster_agent_container_security_context() -> dict[str, Any]:
    """For both Cluster Agent containers, the init container included."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    }


def why_cluster_agent_security_context(*, random_uid: bool = False) -> str:
    who = (
        "the platform's random UID" if random_uid else f"UID {CLUSTER_AGENT_UID} (dd-agent in the Cluster Agent image)"
    )
    return f"the Cluster Agent needs no privilege: {who}, runAsNonRoot, RuntimeDefault seccomp"
