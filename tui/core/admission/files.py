"""The bundle's admission files, their part of privileges.json, and what REPORT.md says about them."""

from __future__ import annotations

from typing import Any

from tui.core.admission.fence import (
    CHECKED_PRIVILEGES,
    FENCE_FILE,
    fence_absent_reason,
    fence_applies,
    fence_name,
    policy_digest,
    policy_objects,
)
from tui.core.admission.kyverno import KYVERNO_FILE, controls_text, exception_objects
from tui.core.admission.profiles import Profile, profiles
from tui.core.deployment import Deployment
from tui.core.yamlio.commented import dump, header


def _documents(objects: list[dict[str, Any]]) -> str:
    return "---\n".join(dump(obj, blank_between_top_level=False) for obj in objects)


def render_fence(deployment: Deployment, target: str) -> str | None:
    """admission-policy.yaml, or None below Kubernetes 1.30."""
    answers = deployment.answers
    if not fence_applies(answers):
        return None
    found = profiles(deployment, target)
    who = "\n".join(f"  {p.title}" for p in found)
    top = header(
        f"The privilege fence: in namespace {answers.namespace}, admit only what privileges.json lists.\n"
        f"Workloads held to their ledger (their DaemonSet or Deployment, and the pods it owns):\n{who}\n"
        "Any other pod or workload of the namespace may hold no host privilege at all.\n"
        f"Checked: {', '.join(CHECKED_PRIVILEGES)}.\n"
        f"Apply it before the Agent: kubectl apply -f {FENCE_FILE} (Kubernetes 1.30+).\n"
        "To change what it admits, regenerate the bundle with ddsecure; do not edit it by hand."
    )
    return top + _documents(policy_objects(answers, found))


def render_kyverno_exception(deployment: Deployment, target: str) -> str | None:
    """kyverno-exception.yaml, or None when no workload breaks a Pod Security control."""
    answers = deployment.answers
    found = profiles(deployment, target)
    objects = exception_objects(answers, found)
    if not objects:
        return None
    lines = "\n".join(f"  {p.title}: {controls_text(p)}" for p in found if controls_text(p))
    top = header(
        "For clusters where Kyverno enforces its Pod Security policies (kyverno/policies pod-security, or a\n"
        "validate.podSecurity rule): exempt the Agent's workloads from exactly the controls they break:\n"
        f"{lines}\n"
        f"Kyverno reads PolicyExceptions only with --enablePolicyException (off since 1.13) and from\n"
        f"--exceptionNamespace={answers.namespace} (or *). Then: kubectl apply -f {KYVERNO_FILE}"
    )
    return top + _documents(objects)


def privileges_section(deployment: Deployment, target: str, namespace_labels: dict[str, str]) -> dict[str, Any]:
    """privileges.json's "admission": the namespace's Pod Security labels and the fence, which
    `audit --expect` compares with a cluster dump."""
    answers = deployment.answers
    section: dict[str, Any] = {"namespace": answers.namespace, "namespaceLabels": namespace_labels}
    if fence_applies(answers):
        policy, binding = policy_objects(answers, profiles(deployment, target))
        section["fence"] = {
            "policy": policy["metadata"]["name"],
            "binding": binding["metadata"]["name"],
            "sha256": policy_digest(policy),
        }
    else:
        section["fence"] = None
        section["fenceAbsent"] = fence_absent_reason(answers)
    return section


def report_section(deployment: Deployment, target: str) -> str:
    answers = deployment.answers
    found = profiles(deployment, target)
    lines = ["## Admission: the ledger enforced", ""]
    lines.append(
        f"The namespace must admit the Agent's privileges (Pod Security `enforce` above), which opens it to any "
        f"pod. `{FENCE_FILE}` closes it again."
    )
    lines.append("")
    if fence_applies(answers):
        lines.append(
            f"- `{FENCE_FILE}`: a ValidatingAdmissionPolicy `{fence_name(answers)}` and its binding "
            f"(Deny) for namespace `{answers.namespace}`. Each workload below, its DaemonSet or Deployment and "
            "the pods it owns (by their controller's ownerReference) may hold only what privileges.json lists: "
            "those containers by name; per container the listed added capabilities, privileged only if listed, "
            "its non-root UID, its host ports; only the listed hostPaths, mounted by the listed containers, "
            "read-only where listed; hostPID, hostNetwork and hostIPC only where listed. Any other pod or "
            "workload of the namespace may hold none of these. What the API server and the controllers add "
            "(the service-account token, labels, ownerReferences, nodeName, resources, env) is not checked. "
            f"A denial names the privilege. Apply it before installing: `kubectl apply -f {FENCE_FILE}`."
        )
        lines += [f"  - {p.title}" for p in found]
        if target != "helm":
            lines.append(
                "  - the Datadog Operator's Cluster Agent is not modelled: like any other pod of the namespace, it "
                "may hold no host privilege"
                + (" (nor may the chart's, which has its name)" if target == "both" else "")
            )
    else:
        lines.append(f"- No `{FENCE_FILE}`: {fence_absent_reason(answers)}.")
    exceptions = [p for p in found if controls_text(p)]
    if exceptions:
        lines.append(
            f"- `{KYVERNO_FILE}`: if Kyverno enforces its Pod Security policies, a PolicyException (kyverno.io/v2) "
            "for exactly the controls each workload breaks, in the kyverno/policies pod-security policies and "
            "the validate.podSecurity subrule policies; it matches the workload and its pods by name. Kyverno "
            f"must run with `--enablePolicyException` and `--exceptionNamespace={answers.namespace}`; then "
            f"`kubectl apply -f {KYVERNO_FILE}`."
        )
        lines += [f"  - {p.title}: {controls_text(p)}" for p in exceptions]
    return "\n".join(lines) + "\n"


__all__ = [
    "FENCE_FILE",
    "KYVERNO_FILE",
    "Profile",
    "privileges_section",
    "render_fence",
    "render_kyverno_exception",
    "report_section",
]
