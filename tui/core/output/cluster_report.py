"""Cluster-level privileges in words: for REPORT.md, `ddsecure explain cluster` and the wizards.

Everything here is read from `Deployment.cluster` (the cluster ledger) and the feature and danger
records beside the model; nothing about a permission is written twice.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS_BY_ID, format_value
from tui.core.cluster.grants import DANGERS_BY_ID, dangers_of
from tui.core.cluster.ledger import ClusterLedger, summarise
from tui.core.cluster.model import FEATURES, cluster_objects
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError

# The decisions that change cluster-level privileges, in the order they are explained.
CLUSTER_DECISIONS = (
    "kubernetes_version",
    "admission_controller",
    "orchestrator_explorer",
    "secret_metrics",
    "kubernetes_events",
)


@lru_cache(maxsize=4)
def chart_default_cluster(release: str = "datadog", namespace: str = "datadog") -> ClusterLedger:
    """What `helm install` with only an API key (and the Operator off) grants: the baseline."""
    values = {"datadog": {"apiKeyExistingSecret": "datadog-secret", "operator": {"enabled": False}}}
    return ClusterLedger.of(cluster_objects(values, release, namespace), namespace)


def danger_titles(dangers: tuple[str, ...] | list[str]) -> str:
    return ", ".join(DANGERS_BY_ID[d].title for d in dangers)


def cluster_delta(before: ClusterLedger, after: ClusterLedger) -> list[str]:
    """ "+ 30 cluster permissions (dangerous: Secrets, admission webhooks)", and the same with "−"."""
    lines = []
    for sign, grants in (("+", set(after.grants) - set(before.grants)), ("−", set(before.grants) - set(after.grants))):
        if not grants:
            continue
        dangers = sorted({d for g in grants for d in dangers_of(g)}, key=list(DANGERS_BY_ID).index)
        noun = "permission" if len(grants) == 1 else "permissions"
        lines.append(
            f"{sign} {len(grants)} cluster {noun}" + (f" (dangerous: {danger_titles(dangers)})" if dangers else "")
        )
    return lines


def answer_effects(answers: Answers) -> list[tuple[str, str, list[str]]]:
    """(decision title, other value, delta) for each cluster decision: what changing it would add or remove.
    A change the other answers rule out (eBPF features on GKE Autopilot before 1.33) says so instead."""
    current = Deployment.of(answers).cluster
    effects = []
    for decision_id in CLUSTER_DECISIONS:
        value: Any = getattr(answers, decision_id)
        if decision_id == "kubernetes_version":
            other: Any = "1.32" if answers.fine_grained_kubelet else "1.33"
        else:
            other = not value
        title = DECISIONS_BY_ID[decision_id].title
        try:
            delta = cluster_delta(current, Deployment.of(answers.replace(**{decision_id: other})).cluster)
        except AnswerError as refused:
            delta = [f"not possible with the other answers ({refused})"]
        effects.append((title, f"{decision_id}={format_value(other)}", delta))
    return effects


def feature_lines(ledger: ClusterLedger) -> list[str]:
    """Markdown: one entry per feature, dangerous features first, with its dangerous grants spelled out."""
    out: list[str] = []
    for row in ledger.by_feature():
        feature = FEATURES.get(row.feature)
        title = feature.title if feature else row.feature
        count = f"{len(row.grants)} permission{'s' if len(row.grants) != 1 else ''}"
        head = f"- **{title}** ({count}"
        head += f"; dangerous: {danger_titles(row.dangers)})" if row.dangers else ")"
        if feature:
            head += f": {feature.used_for}. Without it: {feature.lost_without}."
            if feature.removed_by:
                head += f" Removed by: {feature.removed_by}."
            if feature.answer:
                head += f" Decided by the answer `{feature.answer}`."
        out.append(head)
        for danger in row.dangers:
            grants = [g for g in row.grants if danger in dangers_of(g)]
            out.append(f"  - {DANGERS_BY_ID[danger].title} — {DANGERS_BY_ID[danger].why}:")
            out += [f"    - `{line}`" for line in summarise(grants)]
    return out


def workload_lines(ledger: ClusterLedger) -> list[str]:
    out = []
    for name, workload in ledger.workloads.items():
        pod = workload["securityContext"]
        user = pod.get("runAsUser")
        who = f"UID {user}" if user is not None else "the platform's UID"
        seccomp = (pod.get("seccompProfile") or {}).get("type", "none")
        host = ["the node's network (hostNetwork)"] if workload.get("hostNetwork") else []
        host += [f"hostPath {path} {mode}" for path, mode in (workload.get("hostPaths") or {}).items()]
        out.append(
            f"- `{name}`: {who}, runAsNonRoot {str(bool(pod.get('runAsNonRoot'))).lower()}, seccomp {seccomp}"
            + "".join(f"; {item}" for item in host)
        )
        for kind in ("initContainers", "containers"):
            for container, context in workload[kind].items():
                dropped = ", ".join((context.get("capabilities") or {}).get("drop") or []) or "nothing"
                out.append(
                    f"  - `{container}`: drops {dropped}; allowPrivilegeEscalation "
                    f"{str(context.get('allowPrivilegeEscalation', True)).lower()}; read-only root filesystem "
                    f"{str(bool(context.get('readOnlyRootFilesystem'))).lower()}"
                )
    return out


def report_section(deployment: Deployment) -> list[str]:
    """The REPORT.md section on RBAC and the Cluster Agent."""
    answers = deployment.answers
    ledger = deployment.cluster
    baseline = chart_default_cluster(answers.release_name, answers.namespace)
    out = [
        "## Cluster-level privileges (RBAC and the Cluster Agent)",
        "",
        f"{len(ledger.grants)} permissions are bound to the release's service accounts "
        f"(the chart's defaults bind {len(baseline.grants)}). privileges.json lists each one under `cluster.grants`.",
    ]
    if ledger.dangers:
        out.append(f"Dangerous classes kept: {danger_titles(ledger.dangers)}.")
    else:
        out.append("No dangerous class is kept (Secrets, nodes/proxy, webhooks, RBAC writes, wildcards, host SCCs).")
    out += ["", "### Kept, by the feature that needs them (dangerous first)", ""]
    shared = sum(1 for grant in ledger.grants if len(ledger.features[grant]) > 1)
    if shared:
        out += [
            f"{shared} of the {len(ledger.grants)} permissions are needed by two features or more and are listed "
            "under each, so the counts below add up to more.",
            "",
        ]
    out += feature_lines(ledger)
    removed = [
        FEATURES[row.feature].title
        for row in baseline.by_feature()
        if row.feature in FEATURES and row.feature not in {r.feature for r in ledger.by_feature()}
    ]
    gone = [d for d in baseline.dangers if d not in ledger.dangers]
    out += ["", "### Compared with the chart's defaults", ""]
    out.append(
        f"- {len(baseline.grants) - len(set(baseline.grants) & set(ledger.grants))} of the chart's permissions removed"
    )
    if removed:
        out.append(f"- features without any permission here: {', '.join(removed)}")
    if gone:
        out.append(f"- dangerous classes removed: {danger_titles(gone)}")
    if deployment.rbac_patches:
        out += ["", "### What kustomization.yaml patches in the RBAC", ""]
        out += [f"- {patch.why}" for patch in deployment.rbac_patches]
    out += ["", "### What each cluster answer would change", ""]
    for title, change, delta in answer_effects(answers):
        out.append(f"- {title}: with `{change}`: {'; '.join(delta) if delta else 'no change'}")
    out += ["", "### Cluster Agent pod", ""]
    out += workload_lines(ledger) or ["- no Cluster Agent"]
    return out


def explain_cluster(answers: Answers) -> str:
    """Plain text for `ddsecure explain cluster`: the report's section without Markdown tables."""
    lines = report_section(Deployment.of(answers))
    text = "\n".join(line.replace("**", "").replace("`", "").removeprefix("### ").removeprefix("## ") for line in lines)
    return text + "\n"


def summary_lines(ledger: ClusterLedger) -> list[str]:
    """A few lines for the wizards: the count, then each feature, dangerous ones first with what makes them so.

    A permission two features need is counted once, on a line of its own, so the counts add up to the total."""
    baseline = chart_default_cluster()
    lines = [
        f"{len(ledger.grants)} RBAC permissions (the chart's defaults: {len(baseline.grants)})"
        + (f"; dangerous: {danger_titles(ledger.dangers)}" if ledger.dangers else "; none dangerous")
    ]
    for row in ledger.by_feature():
        feature = FEATURES.get(row.feature)
        title = feature.title if feature else row.feature
        own = sum(1 for grant in row.grants if len(ledger.features[grant]) == 1)
        if row.dangers:
            lines.append(
                f"  {title} ({own}): {danger_titles(row.dangers)} — {feature.used_for if feature else ''}".rstrip(" —")
            )
        elif own:
            lines.append(f"  {title} ({own})")
    shared = [grant for grant in ledger.grants if len(ledger.features[grant]) > 1]
    if shared:
        lines.append(f"  needed by two features or more ({len(shared)})")
    return lines
