"""One deployment, computed once from the answers: values, the pod they render, the patch, the result.

Every artefact and every screen reads this object, so the values file, the patch, the ledger and
the report cannot disagree with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property, lru_cache
from typing import Any

from tui.core.answers.app_endpoints import app_endpoints
from tui.core.answers.contract import Answers
from tui.core.chart.daemonset_patch import DaemonSetPatch, daemonset_patch
from tui.core.chart.model import effective_values, render_pod
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
from tui.core.platforms.catalog import PLATFORMS, Platform
from tui.core.pod import pod_security
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.pod_security import CheckResult
from tui.core.pod.spec import PodSpec
from tui.core.pod.strategic_merge import apply_patch


class Deployment:
    def __init__(self, answers: Answers):
        self.answers = answers

    @classmethod
    def of(cls, answers: Answers) -> Deployment:
        """The shared deployment for these answers: every file and screen reads one computation."""
        return _deployment_of(answers)

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

    @cached_property
    def pod_security_results(self) -> list[CheckResult]:
        """Every Pod Security check run on the pod (what-if comparisons read these, computed once)."""
        return pod_security.evaluate(self.pod)

    @cached_property
    def ledger(self) -> Ledger:
        return ledger_of_pod(self.pod, app_socket_dirs=self.app_socket_dirs)

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
    ddsecure writes; `answers` are the ones inferred from them, which the patch and the report read."""

    def __init__(self, answers: Answers, values: Mapping[str, Any], values_text: str):
        super().__init__(answers)
        given = dict(values)
        if not isinstance(given.get("datadog"), Mapping):
            given["datadog"] = {}
        self._given = given
        self.values_text = values_text  # the file as the user will install it

    @property
    def values(self) -> dict:
        return self._given


@lru_cache(maxsize=128)
def _deployment_of(answers: Answers) -> Deployment:
    return Deployment(answers)
