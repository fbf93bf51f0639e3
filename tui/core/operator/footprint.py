"""The Datadog Operator's side of a deployment: the DatadogAgent it is given and the pod it deploys.

The Operator writes the node-Agent DaemonSet itself, so its footprint is not exactly the Helm
chart's. `OperatorFootprint` predicts the pod the Operator deploys for the DatadogAgent of the same
answers, reads its privileges with the same ledger code, and lists where it differs from the Helm
bundle's pod. The Operator was not run here; the prediction follows the chart model plus the
Operator behaviour in the chart reference (§7), and leans towards the larger footprint where the
two could differ. `Deployment.operator` is the one instance per deployment.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Protocol

from tui.core.answers.contract import Answers
from tui.core.chart.daemonset_patch import SOCKET_FILE_ONLY, DaemonSetPatch, daemonset_patch
from tui.core.chart.model import render_pod
from tui.core.operator.features import OperatorAgent
from tui.core.operator.names import operator_daemonset
from tui.core.operator.resource import OperatorPlan, datadog_agent_plan, operator_host_pid
from tui.core.pod.ledger import Ledger, ledger_delta, ledger_of_pod
from tui.core.pod.spec import PodSpec
from tui.core.pod.strategic_merge import apply_patch
from tui.core.yamlio.dotted import copy_tree


class HelmDeployment(Protocol):
    """What the prediction reads of the Helm bundle's deployment of the same answers (a `Deployment`)."""

    @property
    def answers(self) -> Answers: ...

    @property
    def values(self) -> dict: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def app_socket_dirs(self) -> tuple[str, ...]: ...


class OperatorFootprint:
    def __init__(self, helm: HelmDeployment):
        self.helm = helm
        self.answers = helm.answers

    @property
    def daemonset(self) -> str:
        return operator_daemonset(self.answers)

    @cached_property
    def plan(self) -> OperatorPlan:
        """The DatadogAgent with its comments; system-probe asks for the capabilities it has in the Helm pod."""
        return datadog_agent_plan(self.answers, self.helm.ledger.capabilities.get("system-probe", ()))

    @property
    def resource(self) -> dict[str, Any]:
        return self.plan.data

    @cached_property
    def pod(self) -> PodSpec:
        """The node-Agent pod the Operator is predicted to deploy for `resource`.

        Starting from the chart model of the same features, it applies what the Operator does differently:
        - system-probe keeps the Operator's seccomp-setup init container (and its read-write
          /var/lib/kubelet/seccomp), which the Helm bundle removes with a chart value;
        - the Docker socket directory cannot be narrowed to the socket file (no DaemonSet patch: the
          Operator reconciles its DaemonSet back), so the Helm patch's Docker-socket step does not apply;
        - hostPID follows the Operator's own rules (NPM, USM and CWS turn it on);
        - every overridden container and the pod get exactly the DatadogAgent's security contexts.
        """
        answers = self.answers
        values = copy_tree(self.helm.values)
        if answers.system_probe:
            values.setdefault("datadog", {}).setdefault("systemProbe", {})["seccomp"] = "localhost/system-probe"
        rendered = render_pod(values)
        helm_patch = daemonset_patch(answers, rendered)
        steps = [s for s in helm_patch.steps if s.title != SOCKET_FILE_ONLY]
        kept = DaemonSetPatch(helm_patch.name, helm_patch.namespace, steps)
        pod = apply_patch(rendered, kept.pod_patch)  # a new map: the patch values are copied in
        written = self.resource
        pod["hostPID"] = OperatorAgent(written).host_pid[0]  # read back as the audit reads a user's resource
        plan = written["spec"]["override"]["nodeAgent"]
        pod["securityContext"] = copy_tree(plan["securityContext"])
        overrides = plan.get("containers", {})
        for group in ("initContainers", "containers"):
            for container in pod.get(group) or []:
                override = overrides.get(container.get("name"), {})
                if "securityContext" in override:
                    container["securityContext"] = copy_tree(override["securityContext"])
        return pod

    @cached_property
    def ledger(self) -> Ledger:
        return ledger_of_pod(self.pod, app_socket_dirs=self.helm.app_socket_dirs)

    @cached_property
    def differences(self) -> list[str]:
        """Lines saying where the Operator's pod differs from the Helm bundle's, each with its reason."""
        answers = self.answers
        out = [line + _why_delta(answers, line) for line in ledger_delta(self.helm.ledger, self.ledger)]
        if answers.non_root and answers.system_probe:
            out.append(
                "= init containers: the Operator takes one securityContext per init container, so seccomp-setup "
                "runs as root while init-volume and init-config stay non-root (the chart gives all init containers one)"
            )
        elif answers.non_root:
            out.append("= init containers: each gets its own securityContext (the chart has one block for all)")
        return out


def _why_delta(answers: Answers, line: str) -> str:
    if "hostPID" in line:
        return f" ({operator_host_pid(answers)[1].split(':')[0]}: the Operator turns it on; the chart does not)"
    if "/var/lib/kubelet/seccomp" in line:
        return " (the Operator's seccomp-setup init container installs system-probe's profile)"
    if "container seccomp-setup" in line:
        return " (the Operator always installs system-probe's seccomp profile)"
    if "/var/run" in line and answers.runtime == "docker":
        return " (the Operator mounts the Docker socket's directory; no patch can narrow it)"
    return ""
