"""One deployment, computed once: values, the pod they render, the patch, the result.

`Deployment.of(answers)` starts from the answers (the values ddsecure writes); `Deployment.of_values`
from a values file someone else wrote (the audit reads it, `audit --fix` edits it, the bundle is
built from the edited one). Every artefact, screen, audit and fix reads this object, and each thing
is derived once (a cached property), so the values file, the patch, the ledger, the audit's findings
and the report cannot disagree with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from tui.core.answers.app_endpoints import app_endpoints
from tui.core.answers.contract import Answers
from tui.core.chart.daemonset_patch import DaemonSetPatch, daemonset_patch
from tui.core.chart.model import NodeAgentChart, effective_values, render_pod, unmodelled
from tui.core.chart.providers import CHART_PROVIDERS
from tui.core.chart.values import (
    APM_OWN_SOCKET_DIR,
    DSD_SOCKET_DIR,
    ValuesPlan,
    chart_values,
)
from tui.core.cluster.ledger import ClusterLedger
from tui.core.cluster.model import ClusterModel, cluster_objects
from tui.core.cluster.rbac_patch import RbacPatch, apply_rbac_patches, rbac_patches
from tui.core.operator.footprint import OperatorFootprint
from tui.core.platforms.catalog import PLATFORMS, Platform
from tui.core.pod import pod_security
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.pod_security import CheckResult
from tui.core.pod.spec import PodSpec, pod_spec_of
from tui.core.pod.strategic_merge import apply_patch

if TYPE_CHECKING:
    from tui.core.chart.keys import Shaped


class Deployment:
    def __init__(self, answers: Answers):
        self.answers = answers

    @classmethod
    def of(cls, answers: Answers) -> Deployment:
        """The shared deployment for these answers: every file and screen reads one computation."""
        return _deployment_of(answers)

    @classmethod
    def of_values(
        cls,
        values: Mapping[str, Any],
        answers: Answers | None = None,
        *,
        values_text: str = "",
        previous: ValuesDeployment | None = None,
        runtime_socket: str = "",
    ) -> ValuesDeployment:
        """The deployment of given values (a user's file, as read). `answers`: the ones the patch and the
        report read (by default, inferred from the values). `previous`: a deployment of an earlier
        version of these values, sharing the subtrees an edit did not touch (their reading is reused).
        `runtime_socket`: the socket of the nodes the file's wrapper installs on (k3s), inferred when the
        values name neither a socket nor a platform."""
        return ValuesDeployment(values, answers, values_text, previous, runtime_socket)

    @cached_property
    def values_plan(self) -> ValuesPlan:
        return chart_values(self.answers)

    @property
    def values(self) -> dict:
        return self.values_plan.values

    @cached_property
    def rendered_pod(self) -> PodSpec:
        """The node-Agent pod as `helm template` renders these values, before the patch."""
        return render_pod(self.values, self.answers.api_server)

    @cached_property
    def patch(self) -> DaemonSetPatch:
        return daemonset_patch(self.answers, self.rendered_pod)

    @cached_property
    def pod(self) -> PodSpec:
        """The pod after `kubectl kustomize` applies daemonset-overrides.yaml: what runs on nodes."""
        return apply_patch(self.rendered_pod, self.patch.pod_patch)

    @property
    def hardening_left_out(self) -> list[tuple[str, str]]:
        """Hardening not written because the API server would refuse the pod with it: (what, why)."""
        return [*self.patch.left_out, *self.left_out_edits]

    left_out_edits: tuple[tuple[str, str], ...] = ()  # a user's file: its edits refused for that reason

    @cached_property
    def pod_security_results(self) -> list[CheckResult]:
        """Every Pod Security check run on the pod (what-if comparisons read these, computed once)."""
        return pod_security.evaluate(self.pod)

    @cached_property
    def ledger(self) -> Ledger:
        return ledger_of_pod(self.pod, app_socket_dirs=self.app_socket_dirs)

    @cached_property
    def rendered_ledger(self) -> Ledger:
        """The ledger of the pod the chart renders, before the patch (what the audit compares against)."""
        return ledger_of_pod(self.rendered_pod)

    @cached_property
    def rendered_cluster(self) -> ClusterModel:
        """RBAC and the Cluster Agent pod as `helm template` renders these values, before the RBAC patch."""
        return cluster_objects(self.values, self.answers.release_name, self.answers.namespace)

    @cached_property
    def rbac_patches(self) -> list[RbacPatch]:
        if not self.platform.post_render_patch:
            return []  # a values-only platform (GKE Autopilot) gets no kustomize step to carry them
        return rbac_patches(self.rendered_cluster)

    @cached_property
    def cluster(self) -> ClusterLedger:
        """Cluster-level privileges after `kubectl kustomize` applies the RBAC patches: what the cluster grants."""
        model = self.rendered_cluster
        patched = ClusterModel(apply_rbac_patches(model.objects, self.rbac_patches), model.rule_features)
        return ClusterLedger.of(patched, self.answers.namespace)

    @cached_property
    def operator(self) -> OperatorFootprint:
        """The same answers for the Datadog Operator: the DatadogAgent and the pod it is predicted to deploy."""
        return OperatorFootprint(self)

    @property
    def platform(self) -> Platform:
        return PLATFORMS[self.answers.platform]

    @cached_property
    def scc(self) -> dict[str, Any] | None:
        """The Agent's SecurityContextConstraints (privilege fields), when the values create one."""
        return CHART_PROVIDERS.scc(effective_values(self.values), self.pod)

    @property
    def app_socket_dirs(self) -> tuple[str, ...]:
        """Host directories application pods mount to reach the Agent's sockets (injected or by hand)."""
        endpoints = app_endpoints(self.answers)
        dirs = []
        if endpoints.dogstatsd == "socket":
            dirs.append(DSD_SOCKET_DIR)
        if endpoints.apm == "socket":
            dirs.append(DSD_SOCKET_DIR if self.answers.dogstatsd_over_uds else APM_OWN_SOCKET_DIR)
        return tuple(dict.fromkeys(dirs))


class ValuesDeployment(Deployment):
    """A deployment of given values (the user's own file, edited by `audit --fix`) instead of the values
    ddsecure writes; its answers are the ones given, or those inferred from the values.

    The audit reads the values as they are (`chart`, `values_pod`, `values_ledger`: what plain `helm
    template` renders from them); the bundle reads the same deployment's patch and ledger."""

    def __init__(
        self,
        given: Mapping[str, Any],
        answers: Answers | None = None,
        values_text: str = "",
        previous: ValuesDeployment | None = None,
        runtime_socket: str = "",
    ):
        self.given = given  # the values as read, wrongly shaped blocks included
        self._answers = answers
        self.values_text = values_text  # the file as the user will install it
        self._shaping: dict[tuple[int, str], Shaped] = previous._shaping if previous is not None else {}
        self.wrapper_socket: str = runtime_socket or (previous.wrapper_socket if previous is not None else "")

    @cached_property
    def answers(self) -> Answers:  # type: ignore[override]
        return self._answers if self._answers is not None else self.inferred[0]

    @cached_property
    def inferred(self) -> tuple[Answers, list[str]]:
        """The answers these values amount to, and notes on what could not be carried over."""
        from tui.core.chart.infer import infer_answers  # here for start-up speed: generate reads no values file

        answers, notes = infer_answers(self.modelled)
        socket = self.wrapper_socket
        if socket and answers.platform == "generic" and answers.runtime_socket is None:
            # the nodes the wrapper installs on have their own socket, not the generic one
            answers = answers.replace(runtime_socket=socket)
            notes.append(f"runtime_socket: {socket}, the socket of the nodes the file's wrapper installs on")
        return answers, notes

    def with_answers(self, answers: Answers, values_text: str) -> ValuesDeployment:
        """The same values installed with other answers (a wrapper's release name and namespace)."""
        other = ValuesDeployment(self.given, answers, values_text, self)
        other.__dict__.update({k: self.__dict__[k] for k in _ANSWER_FREE if k in self.__dict__})
        return other

    @cached_property
    def shaped(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """(the values with wrongly shaped blocks dropped, each dropped key and the type it had)."""
        from tui.core.chart.keys import chart_keys  # here for start-up speed: generate reads no values file

        return chart_keys().shaped(self.given, self._shaping)

    @property
    def modelled(self) -> dict[str, Any]:
        """The values the chart model reads: wrongly shaped blocks dropped (helm would fail on them)."""
        return self.shaped[0]

    @cached_property
    def values(self) -> dict:
        given = dict(self.modelled)
        if not isinstance(given.get("datadog"), Mapping):
            given["datadog"] = {}
        return given

    @cached_property
    def chart(self) -> NodeAgentChart:
        return NodeAgentChart(self.modelled)

    @cached_property
    def refusal(self) -> str:
        """Why helm fails on these values ("" when it renders): the chart's schema first, as helm checks it
        before rendering, then a section the templates cannot read (null or a scalar), then the templates'
        own checks."""
        # here for start-up speed: generate checks none
        from tui.core.chart.values_schema import schema_refusal, section_refusal

        return schema_refusal(self.given) or section_refusal(self.given) or self.chart.refusal()

    @cached_property
    def values_pod(self) -> PodSpec:
        """The node-Agent pod as plain `helm template` renders the values (no cluster API), unpatched."""
        return render_pod(self.modelled)

    @cached_property
    def values_ledger(self) -> Ledger:
        return ledger_of_pod(self.values_pod)

    @cached_property
    def values_cluster_pod(self) -> dict[str, Any]:
        """The Cluster Agent's pod as plain `helm template` renders the values, or {} without one."""
        objects = cluster_objects(self.modelled, "datadog", "datadog").objects
        deployment = next((o for o in objects if o.get("kind") == "Deployment"), None)
        return dict(pod_spec_of(deployment)) if deployment is not None else {}

    @cached_property
    def target_ledger(self) -> Ledger:
        """The least-privilege ledger for the same answers: what the audit calls needed."""
        return Deployment.of(self.answers).rendered_ledger

    @cached_property
    def operator(self) -> OperatorFootprint:
        """The DatadogAgent is written from the answers alone: the values' other settings never reach it."""
        return Deployment.of(self.answers).operator

    @cached_property
    def unmodelled(self) -> list[dict[str, str]]:
        """What the values change that the model cannot see."""
        return unmodelled(self.modelled)


# What a values deployment derives from the values alone, whatever the answers.
_ANSWER_FREE = (
    "shaped", "values", "chart", "refusal", "values_pod", "values_ledger", "values_cluster_pod", "unmodelled"
)  # fmt: skip


@lru_cache(maxsize=128)
def _deployment_of(answers: Answers) -> Deployment:
    return Deployment(answers)
