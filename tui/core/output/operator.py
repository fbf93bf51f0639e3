"""The Datadog Operator target as the bundle shows it: datadog-agent.yaml's data, its section of
privileges.json and of REPORT.md. The model (the resource, the predicted pod) is `tui.core.operator`."""

from __future__ import annotations

from typing import Any

from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.operator.footprint import OperatorFootprint
from tui.core.operator.names import OPERATOR_FILE
from tui.core.yamlio.dotted import copy_tree


def datadog_agent(answers: Answers) -> dict[str, Any]:
    """The DatadogAgent ddsecure writes for these answers (datadog-agent.yaml)."""
    return copy_tree(Deployment.of(answers).operator.resource)  # the caller may edit it


# What the Operator grants at cluster level instead of the chart's RBAC (from its documentation and
# its RBAC model; the Operator was not run here).
OPERATOR_CLUSTER_NOTES = (
    "The Operator writes the node Agent's and the Cluster Agent's RBAC itself from the enabled features; "
    "kustomization.yaml's RBAC patches do not apply to it and it would reconcile them back.",
    "The Operator's own controller holds broad cluster rights: it creates ClusterRoles and bindings for the "
    "Agents (RBAC writes, hence bind/escalate on what it grants), Deployments, DaemonSets, Services and "
    "webhook configurations. Protect its namespace and service account like cluster-admin.",
    "No DatadogAgent field narrows the kubelet rights: the node Agent keeps get on nodes/proxy whatever the "
    "Kubernetes version.",
    "No DatadogAgent field turns off Secret and ConfigMap metrics in kube-state-metrics core; only "
    "features.kubeStateMetricsCore.enabled: false removes its RBAC, with all kubernetes_state.* metrics.",
    "The admission controller, the Orchestrator Explorer and Kubernetes event collection follow the same answers "
    "as the Helm values (features.admissionController, features.orchestratorExplorer, features.eventCollection), "
    "and the Cluster Agent pod gets the same security context (override.clusterAgent).",
)


def privileges_section(footprint: OperatorFootprint) -> dict[str, Any]:
    """The "operator" part of privileges.json."""
    answers = footprint.answers
    return {
        "datadogAgent": f"{answers.namespace}/{answers.release_name}",
        "daemonset": footprint.daemonset,
        "predicted": True,
        "differencesFromHelm": footprint.differences,
        **footprint.ledger.as_json(),
        "clusterNotes": list(OPERATOR_CLUSTER_NOTES),
    }


def report_section(footprint: OperatorFootprint) -> str:
    """The REPORT.md section for the Operator target."""
    ledger = footprint.ledger
    lines = [
        "## Datadog Operator target (datadog-agent.yaml)",
        "",
        f"`{OPERATOR_FILE}` asks the Operator for the same features. The Operator writes the node-Agent "
        f"DaemonSet `{footprint.daemonset}` itself, so its footprint is predicted here from the chart "
        "model and the Operator's documented behaviour (the Operator was not run). The Helm-only "
        "`daemonset-overrides.yaml` does not apply: the Operator reconciles its DaemonSet back.",
        "",
        "Where the Operator's pod differs from the Helm bundle's:",
        "",
    ]
    lines += [f"- {line}" for line in footprint.differences] or ["- no difference in privileges"]
    lines += ["", "The Operator's pod keeps:", ""]
    lines += [f"- {line}" for line in ledger.summary_lines()]
    lines += ["", "At cluster level (RBAC and the Cluster Agent):", ""]
    lines += [f"- {note}" for note in OPERATOR_CLUSTER_NOTES]
    if ledger.agent_violation_reasons:
        lines += ["", "Pod Security checks it fails: " + "; ".join(ledger.agent_violation_reasons) + "."]
    return "\n".join(lines) + "\n"
