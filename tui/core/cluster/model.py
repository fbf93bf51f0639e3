"""A model of what datadog/datadog 3.240.0 renders at cluster level: RBAC and the Cluster Agent pod.

`cluster_objects(values, release, namespace)` predicts the ServiceAccounts, Roles, ClusterRoles and
bindings the chart renders, plus the security-relevant part of the Cluster Agent Deployment, as
Kubernetes objects; `cluster_grants.grants_of` then reads them exactly as it reads a real render.
Every rule is tagged with the feature that needs it (`RuleFeature`), so the report can group the
permissions kept by what they are for. What the model does not cover is named by
`unmodelled_keys`, so the audit can say when only a real render is exact.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from tui.core.agent_version import chart_tag_at_least
from tui.core.answers.contract import chart_fullname
from tui.core.chart.defaults import DEFAULT_AGENT_TAG
from tui.core.chart.model import coalesce
from tui.core.cluster.grants import Grant, bindings_of, rule_grants
from tui.core.yamlio.dotted import lookup

RBAC_API = "rbac.authorization.k8s.io/v1"

# Defaults of chart 3.240.0 for every key this model reads (tests compare them with values.yaml).
CLUSTER_DEFAULTS: dict[str, Any] = {
    "fullnameOverride": None,
    "providers": {"gke": {"autopilot": False}},
    "existingClusterAgent": {"join": False},
    "agents": {"rbac": {"create": True, "serviceAccountName": "default", "automountServiceAccountToken": True}},
    "clusterAgent": {
        "enabled": True,
        "image": {"tag": "7.81.1", "doNotCheckTag": None},
        "useHostNetwork": False,
        "rbac": {"create": True, "flareAdditionalPermissions": True, "automountServiceAccountToken": True},
        "metricsProvider": {"enabled": False, "wpaController": False, "useDatadogMetrics": False},
        "admissionController": {
            "enabled": True,
            "webhookName": "datadog-webhook",
            "remoteInstrumentation": {"enabled": False},
            "cwsInstrumentation": {"enabled": False, "mode": "remote_copy"},
        },
        "securityContext": {},
        "containers": {
            "clusterAgent": {"securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True}},
            "initContainers": {"securityContext": {}},
        },
    },
    "datadog": {
        "collectEvents": True,
        "leaderElection": True,
        "kubelet": {"useApiServer": False, "fineGrainedAuthorization": False},
        "apm": {"instrumentation": {"enabled": False, "language_detection": {"enabled": True}}},
        "securityAgent": {"compliance": {"enabled": False}},
        "secretBackend": {"enableGlobalPermissions": True, "command": None, "type": None, "roles": []},
        "appsec": {"injector": {"rbac": {"create": True}}},
        "kubeStateMetricsCore": {
            "enabled": True,
            "rbac": {"create": True},
            "useClusterCheckRunners": False,
            "namespaces": [],
            "collectSecretMetrics": True,
            "collectConfigMaps": True,
            "collectVpaMetrics": False,
            "collectCrMetrics": [],
            "collectApiServicesMetrics": False,
        },
        "orchestratorExplorer": {
            "enabled": True,
            "rbac": {"create": True},
            "useClusterCheckRunners": False,
            "networkCRDs": {"enabled": False},
            "customResources": [],
        },
        "operator": {"enabled": True, "migration": {"enabled": False}},
    },
}

# Values whose RBAC this model does not predict: when one is on, only a real render is exact.
UNMODELLED = (
    "clusterAgent.privateActionRunner.enabled",
    "clusterAgent.metricsProvider.enabled",  # the API service's RBAC is not modelled
    "datadog.autoscaling.workload.enabled",
    "datadog.autoscaling.cluster.enabled",
    "datadog.kubernetesResourcesAnnotationsAsTags",
    "datadog.kubernetesResourcesLabelsAsTags",
    "datadog.kubeStateMetricsCore.namespaces",
    "datadog.kubeStateMetricsCore.collectCrMetrics",
    "datadog.kubeStateMetricsCore.useClusterCheckRunners",
    "datadog.orchestratorExplorer.useClusterCheckRunners",
    "datadog.orchestratorExplorer.customResources",
    "clusterChecksRunner.enabled",
    "clusterChecksRunner.rbac.dedicated",
    "datadog.kubernetesActions.enabled",
    "datadog.helmCheck.enabled",
    "datadog.otelCollector.enabled",
    "otelAgentGateway.enabled",
    "datadog.instrumentationCrd.enabled",
    "fullnameOverride",
    "nameOverride",
    "datadog.operator.enabled",  # the bundled Operator subchart (on by default) brings its own RBAC
)


class Feature(NamedTuple):
    """Why a group of permissions exists, and how to do without it."""

    title: str
    used_for: str
    lost_without: str
    off: tuple[tuple[str, Any], ...] = ()  # the values that take it away; () when no value can
    note: str = ""  # how it is removed when no value can
    answer: str = ""  # the ddsecure answer that decides it

    @property
    def removed_by(self) -> str:
        keys = ", ".join(f"{key}: {str(value).lower()}" for key, value in self.off)
        return keys or self.note


FEATURES: dict[str, Feature] = {
    "kubelet": Feature(
        "node Agent: kubelet API",
        "metrics, the pod list and health checks from the kubelet of the Agent's own node",
        "every container and pod metric",
        answer="kubernetes_version",
    ),
    "node-agent": Feature(
        "node Agent: API server checks",
        "the API server's /metrics, the leader-election lease check and EKS control-plane metrics",
        "control-plane metrics and the Cluster Agent leader check",
    ),
    "cluster-agent": Feature(
        "Cluster Agent: cluster metadata",
        "pod, node, service and namespace metadata for tags, HPA metrics and the leader election",
        "cluster-level tags and metadata; the Cluster Agent does not run without it",
    ),
    "events": Feature(
        "Kubernetes events",
        "the read position of event collection (a ConfigMap) so restarts neither lose nor repeat events",
        "Kubernetes events in Datadog",
        off=(("datadog.collectEvents", False),),
        answer="kubernetes_events",
    ),
    "ksm-core": Feature(
        "kube-state-metrics core",
        "kubernetes_state.* metrics: list and watch of workloads, nodes, volumes and quotas",
        "kubernetes_state.* metrics",
        off=(("datadog.kubeStateMetricsCore.enabled", False),),
    ),
    "ksm-secrets": Feature(
        "Secret and ConfigMap metrics",
        "kubernetes_state.secret.* and kubernetes_state.configmap.*: list and watch of every Secret and ConfigMap",
        "Secret and ConfigMap counts and ages",
        off=(
            ("datadog.kubeStateMetricsCore.collectSecretMetrics", False),
            ("datadog.kubeStateMetricsCore.collectConfigMaps", False),
        ),
        answer="secret_metrics",
    ),
    "orchestrator": Feature(
        "Orchestrator Explorer",
        "the Kubernetes resources view: reads workloads, RBAC objects, service accounts and whole API groups",
        "the Kubernetes resources view in Datadog",
        off=(("datadog.orchestratorExplorer.enabled", False),),
        answer="orchestrator_explorer",
    ),
    "admission": Feature(
        "admission controller",
        "its own webhook configurations, its TLS certificate Secret, and the owners of pods it mutates",
        "automatic Agent configuration and library injection in application pods",
        off=(("clusterAgent.admissionController.enabled", False),),
        answer="admission_controller",
    ),
    "appsec": Feature(
        "AppSec injector",
        "patching ingress gateways and copying ConfigMaps in every namespace for App and API Protection",
        "the AppSec proxy injection (and its clean-up)",
        off=(("datadog.appsec.injector.rbac.create", False),),
    ),
    "openshift-scc": Feature(
        "OpenShift SCC use",
        "on OpenShift, admitting the Agent pods under a SecurityContextConstraints object",
        "nothing outside OpenShift; on OpenShift, the pods' admission",
        note="the bundle's RBAC patch keeps only the release's own SCC",
    ),
    "secret-backend": Feature(
        "secret backend",
        "reading Secrets named by ENC[] handles in the Agent's configuration",
        "ENC[] secrets resolved from Kubernetes Secrets",
        off=(("datadog.secretBackend.enableGlobalPermissions", False),),
    ),
    "flare": Feature(
        "flare: Helm values",
        "adding the release's Helm values (read from its Secrets and ConfigMaps) to a support flare",
        "Helm values in flares",
        off=(("clusterAgent.rbac.flareAdditionalPermissions", False),),
    ),
    "metrics-provider": Feature(
        "external metrics provider",
        "serving Datadog metrics to HorizontalPodAutoscalers",
        "autoscaling on Datadog metrics",
        off=(("clusterAgent.metricsProvider.enabled", False),),
    ),
    "compliance": Feature(
        "compliance (CSPM)",
        "reading bindings, service accounts and policies for Kubernetes compliance checks",
        "Kubernetes posture findings",
        off=(("datadog.securityAgent.compliance.enabled", False),),
    ),
    "language-detection": Feature(
        "APM language detection",
        "annotating Deployments with the languages found in their containers",
        "language detection for single-step instrumentation",
        off=(("datadog.apm.instrumentation.language_detection.enabled", False),),
    ),
    "operator-migration": Feature(
        "Operator migration",
        "creating and patching DatadogAgent objects",
        "the Helm-to-Operator migration job",
        off=(("datadog.operator.migration.enabled", False),),
    ),
}


class RuleFeature(NamedTuple):
    """A rule of a predicted role and the feature it is there for."""

    role: tuple[str, str, str | None]  # kind, name, namespace (None for cluster roles)
    position: int
    feature: str


class ClusterModel(NamedTuple):
    objects: list[dict[str, Any]]
    rule_features: list[RuleFeature]

    def features_of_grants(self, namespace: str) -> dict[Grant, tuple[str, ...]]:
        """Each predicted permission and the features that need it (read from the bound roles)."""
        roles = {
            (
                str(o["kind"]),
                str(o["metadata"]["name"]),
                o["metadata"].get("namespace") if o["kind"] == "Role" else None,
            ): o
            for o in self.objects
            if o["kind"] in ("Role", "ClusterRole")
        }
        by_rule = {(rf.role, rf.position): rf.feature for rf in self.rule_features}
        found: dict[Grant, tuple[str, ...]] = {}
        for binding in bindings_of(self.objects, namespace):
            key = (binding.role_kind, binding.role_name, binding.scope if binding.role_kind == "Role" else None)
            role = roles.get(key)
            for index, rule in enumerate((role or {}).get("rules") or []):
                feature = by_rule.get((key, index), "cluster-agent")
                for grant in rule_grants(binding.scope, rule):
                    if feature not in found.get(grant, ()):
                        found[grant] = (*found.get(grant, ()), feature)
        return found


class _V:
    def __init__(self, values: Mapping[str, Any]):
        self.tree = coalesce(CLUSTER_DEFAULTS, values)

    def get(self, dotted: str, default: Any = None) -> Any:
        value = lookup(self.tree, dotted)
        return default if value is None else value

    def on(self, dotted: str) -> bool:
        return bool(self.get(dotted))


def unmodelled_keys(values: Mapping[str, Any]) -> list[str]:
    """The values on here (set, or on by the chart's default) whose RBAC effect the model does not predict."""
    v = _V(values)
    return [key for key in UNMODELLED if v.on(key)]


def _rule(
    groups: list[str] | None = None,
    resources: list[str] | None = None,
    verbs: list[str] | None = None,
    names: list[str] | None = None,
    urls: list[str] | None = None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if urls:
        rule["nonResourceURLs"] = urls
    else:
        rule["apiGroups"] = groups or [""]
        rule["resources"] = resources or []
        if names:
            rule["resourceNames"] = names
    rule["verbs"] = verbs or []
    return rule


class _Role:
    """A role being built: its rules and the feature of each."""

    def __init__(self, kind: str, name: str, namespace: str | None = None):
        self.kind, self.name, self.namespace = kind, name, namespace
        self.rules: list[tuple[str, dict[str, Any]]] = []

    def add(self, feature: str, rule: dict[str, Any]) -> None:
        self.rules.append((feature, rule))

    def object(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": self.name}
        if self.namespace:
            meta["namespace"] = self.namespace
        return {"apiVersion": RBAC_API, "kind": self.kind, "metadata": meta, "rules": [r for _, r in self.rules]}

    def features(self) -> list[RuleFeature]:
        key = (self.kind, self.name, self.namespace if self.kind == "Role" else None)
        return [RuleFeature(key, i, feature) for i, (feature, _) in enumerate(self.rules)]


def _binding(
    kind: str, name: str, role_kind: str, role: str, account: str, namespace: str, where: str | None = None
) -> dict[str, Any]:
    """A binding of `role` to the release's `account` (in `namespace`); a RoleBinding lives in `where`."""
    meta: dict[str, Any] = {"name": name}
    if kind == "RoleBinding":
        meta["namespace"] = where or namespace
    return {
        "apiVersion": RBAC_API,
        "kind": kind,
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
    }


def _service_account(name: str, namespace: str, automount: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "automountServiceAccountToken": automount,
        "metadata": {"name": name, "namespace": namespace},
    }


def cluster_objects(values: Mapping[str, Any], release: str, namespace: str) -> ClusterModel:
    v = _V(values)
    full = chart_fullname(release)
    dca = f"{full}-cluster-agent"
    deploys_dca = v.on("clusterAgent.enabled") and not v.on("existingClusterAgent.join")
    objects: list[dict[str, Any]] = []
    features: list[RuleFeature] = []

    def emit(role: _Role, *bindings: dict[str, Any]) -> None:
        objects.append(role.object())
        features.extend(role.features())
        objects.extend(bindings)

    if v.on("agents.rbac.create"):
        # GKE Autopilot's allowlist names the node Agent's account itself.
        account = "datadog-agent" if v.on("providers.gke.autopilot") else full
        agent = _node_agent_role(v, full, deploys_dca)
        emit(agent, _binding("ClusterRoleBinding", full, "ClusterRole", full, account, namespace))
        objects.append(_service_account(account, namespace, v.get("agents.rbac.automountServiceAccountToken")))
        for role in v.get("datadog.secretBackend.roles") or []:
            ns = str(role.get("namespace"))
            reader = _Role("Role", f"{full}-secret-reader-{ns}", ns)
            reader.add(
                "secret-backend", _rule([""], ["secrets"], ["get", "watch", "list"], list(role.get("secrets") or []))
            )
            emit(
                reader,
                _binding("RoleBinding", f"{full}-read-secrets-{ns}", "Role", reader.name, account, namespace, ns),
            )

    if deploys_dca and v.on("clusterAgent.rbac.create"):
        emit(
            _cluster_agent_role(v, full),
            _binding("ClusterRoleBinding", dca, "ClusterRole", dca, dca, namespace),
        )
        objects.append(_service_account(dca, namespace, v.get("clusterAgent.rbac.automountServiceAccountToken")))
        if v.on("clusterAgent.admissionController.enabled"):
            main = _Role("Role", f"{dca}-main", namespace)
            main.add("admission", _rule([""], ["secrets"], ["get", "list", "watch", "update", "create"]))
            main.add("admission", _rule([""], ["configmaps"], ["get", "update", "create"]))
            emit(main, _binding("RoleBinding", main.name, "Role", main.name, dca, namespace))
        if v.on("clusterAgent.metricsProvider.enabled"):
            objects.append(
                _binding(
                    "ClusterRoleBinding",
                    f"{dca}-system-auth-delegator",
                    "ClusterRole",
                    "system:auth-delegator",
                    dca,
                    namespace,
                )
            )
            objects.append(
                _binding(
                    "RoleBinding",
                    f"{dca}-apiserver",
                    "Role",
                    "extension-apiserver-authentication-reader",
                    dca,
                    namespace,
                )
            )
        if v.on("clusterAgent.rbac.flareAdditionalPermissions"):
            flare = _Role("Role", f"{full}-dca-flare", namespace)
            flare.add("flare", _rule([""], ["secrets", "configmaps"], ["get", "list"]))
            emit(flare, _binding("RoleBinding", flare.name, "Role", flare.name, dca, namespace))

    if v.on("datadog.kubeStateMetricsCore.enabled") and v.on("datadog.kubeStateMetricsCore.rbac.create"):
        ksm = _ksm_core_role(v, full)
        emit(ksm, _binding("ClusterRoleBinding", ksm.name, "ClusterRole", ksm.name, dca, namespace))

    if (
        v.on("datadog.orchestratorExplorer.enabled")
        and v.on("clusterAgent.enabled")
        and v.on("datadog.orchestratorExplorer.rbac.create")
    ):
        explorer = _orchestrator_role(v, full)
        emit(explorer, _binding("ClusterRoleBinding", explorer.name, "ClusterRole", explorer.name, dca, namespace))

    if deploys_dca:
        objects.append(_cluster_agent_deployment(v, dca, namespace))
    return ClusterModel(objects, features)


def _node_agent_role(v: _V, full: str, deploys_dca: bool) -> _Role:
    role = _Role("ClusterRole", full)
    if not deploys_dca:
        core = ["services", "events", "endpoints", "pods", "nodes", "namespaces", "componentstatuses"]
        role.add("cluster-agent", _rule([""], core, ["get", "list", "watch"]))
        role.add("cluster-agent", _rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch"]))
        role.add("cluster-agent", _rule(["quota.openshift.io"], ["clusterresourcequotas"], ["get", "list"]))
        if v.on("datadog.collectEvents"):
            role.add("events", _rule([""], ["configmaps"], ["get", "update"], [f"{full}token", "datadogtoken"]))
        if v.on("datadog.leaderElection"):
            leader = [f"{full}-leader-election", "datadog-leader-election"]
            role.add("cluster-agent", _rule([""], ["configmaps"], ["get", "update"], leader))
            role.add("cluster-agent", _rule([""], ["configmaps"], ["create"]))
            role.add(
                "cluster-agent",
                _rule(["coordination.k8s.io"], ["leases"], ["get", "update"], [f"{full}-leader-election"]),
            )
            role.add("cluster-agent", _rule(["coordination.k8s.io"], ["leases"], ["create"]))
        role.add("cluster-agent", _rule(urls=["/version", "/healthz"], verbs=["get"]))
    role.add("node-agent", _rule(urls=["/metrics", "/metrics/slis"], verbs=["get"]))
    kubelet = (
        ["nodes/pods", "nodes/healthz", "nodes/configz", "nodes/logs"]
        if v.on("datadog.kubelet.fineGrainedAuthorization")
        else ["nodes/proxy"]
    )
    role.add("kubelet", _rule([""], ["nodes/metrics", "nodes/spec", *kubelet, "nodes/stats"], ["get"]))
    if v.on("datadog.kubelet.useApiServer"):
        role.add("kubelet", _rule([""], ["pods"], ["get", "list"]))
    role.add("node-agent", _rule([""], ["endpoints"], ["get"]))
    role.add(
        "openshift-scc",
        _rule(["security.openshift.io"], ["securitycontextconstraints"], ["use"], [full, "hostaccess", "privileged"]),
    )
    role.add("node-agent", _rule(["coordination.k8s.io"], ["leases"], ["get"]))
    if _needs_secret_permissions(v):
        role.add("secret-backend", _rule([""], ["secrets"], ["get"]))
    role.add("node-agent", _rule(["metrics.eks.amazonaws.com"], ["kcm/metrics", "ksh/metrics"], ["get"]))
    if v.on("datadog.operator.migration.enabled"):
        role.add("operator-migration", _rule(["datadoghq.com"], ["datadogagents"], ["get", "patch", "create"]))
    return role


def _release_at_least(tag: str, floor: str) -> bool:
    """`semverCompare ">=floor"` without a `-0`: a pre-release tag (7.81.1-jmx to semver) never matches."""
    return "-" not in tag and chart_tag_at_least(tag, floor)


def _needs_secret_permissions(v: _V) -> bool:
    if not v.on("datadog.secretBackend.enableGlobalPermissions"):
        return False
    return v.get("datadog.secretBackend.command") == "/readsecret_multiple_providers.sh" or v.on(
        "datadog.secretBackend.type"
    )


def _cluster_agent_role(v: _V, full: str) -> _Role:
    role = _Role("ClusterRole", f"{full}-cluster-agent")
    core = ["services", "endpoints", "pods", "nodes", "namespaces", "componentstatuses", "limitranges"]
    role.add("cluster-agent", _rule([""], core, ["get", "list", "watch"]))
    role.add("cluster-agent", _rule([""], ["events"], ["get", "list", "watch", "create"]))
    role.add("cluster-agent", _rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch"]))
    role.add("cluster-agent", _rule(["quota.openshift.io"], ["clusterresourcequotas"], ["get", "list"]))
    role.add("cluster-agent", _rule(["autoscaling"], ["horizontalpodautoscalers"], ["list", "watch"]))
    if v.on("datadog.collectEvents"):
        role.add("events", _rule([""], ["configmaps"], ["get", "update"], [f"{full}token", "datadogtoken"]))
    leader = [f"{full}-leader-election", "datadog-leader-election"]
    if v.on("clusterAgent.metricsProvider.enabled"):
        leader.append("datadog-custom-metrics")
    role.add("cluster-agent", _rule([""], ["configmaps"], ["get", "update"], leader))
    role.add(
        "cluster-agent", _rule(["coordination.k8s.io"], ["leases"], ["get", "update"], [f"{full}-leader-election"])
    )
    role.add("cluster-agent", _rule(["coordination.k8s.io"], ["leases"], ["create"]))
    if v.on("clusterAgent.metricsProvider.enabled"):
        role.add(
            "metrics-provider",
            _rule([""], ["configmaps"], ["get", "list", "watch"], ["extension-apiserver-authentication"]),
        )
    role.add("cluster-agent", _rule([""], ["configmaps", "events"], ["create"]))
    role.add("cluster-agent", _rule(urls=["/version", "/healthz", "/metrics"], verbs=["get"]))
    if v.on("clusterAgent.metricsProvider.enabled") and v.on("clusterAgent.metricsProvider.wpaController"):
        role.add("metrics-provider", _rule(["datadoghq.com"], ["watermarkpodautoscalers"], ["list", "get", "watch"]))
    if v.on("datadog.apm.instrumentation.enabled") and v.on("datadog.apm.instrumentation.language_detection.enabled"):
        role.add("language-detection", _rule(["apps"], ["deployments"], ["list", "get", "watch", "patch"]))
    if v.on("clusterAgent.metricsProvider.enabled") and v.on("clusterAgent.metricsProvider.useDatadogMetrics"):
        role.add(
            "metrics-provider", _rule(["datadoghq.com"], ["datadogmetrics"], ["list", "create", "delete", "watch"])
        )
        role.add("metrics-provider", _rule(["datadoghq.com"], ["datadogmetrics/status"], ["update"]))
    if v.on("clusterAgent.admissionController.enabled"):
        hooks = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]
        name = str(v.get("clusterAgent.admissionController.webhookName"))
        role.add(
            "admission",
            _rule(["admissionregistration.k8s.io"], hooks, ["get", "list", "watch", "update", "delete"], [name]),
        )
        role.add("admission", _rule(["admissionregistration.k8s.io"], hooks, ["create"]))
        role.add("admission", _rule(["batch"], ["jobs", "cronjobs"], ["get"]))
        role.add("admission", _rule(["apps"], ["statefulsets", "replicasets", "deployments", "daemonsets"], ["get"]))
        if v.on("clusterAgent.admissionController.remoteInstrumentation.enabled"):
            role.add(
                "admission", _rule(["apps"], ["deployments", "replicasets", "daemonsets", "statefulsets"], ["patch"])
            )
        role.add("admission", _rule([""], ["replicationcontrollers"], ["get"]))
        role.add("admission", _rule(["storage.k8s.io"], ["csidrivers"], ["get", "list", "watch"]))
        if (
            v.on("clusterAgent.admissionController.cwsInstrumentation.enabled")
            and v.get("clusterAgent.admissionController.cwsInstrumentation.mode") == "remote_copy"
        ):
            role.add("admission", _rule([""], ["pods/exec"], ["create"]))
    if v.on("datadog.securityAgent.compliance.enabled"):
        role.add("compliance", _rule([""], ["serviceaccounts", "namespaces"], ["list"]))
        role.add("compliance", _rule(["policy"], ["poddisruptionbudgets"], ["get", "list", "watch"]))
        role.add(
            "compliance",
            _rule(["rbac.authorization.k8s.io"], ["clusterrolebindings", "rolebindings"], ["list", "watch"]),
        )
        role.add("compliance", _rule(["networking.k8s.io"], ["networkpolicies"], ["list"]))
    role.add(
        "openshift-scc",
        _rule(
            ["security.openshift.io"], ["securitycontextconstraints"], ["use"], [f"{full}-cluster-agent", "hostnetwork"]
        ),
    )
    if _needs_secret_permissions(v):
        role.add("secret-backend", _rule([""], ["secrets"], ["get"]))
    if v.on("datadog.appsec.injector.rbac.create"):
        for rule in (
            _rule(["gateway.networking.k8s.io"], ["gateways", "gatewayclasses"], ["get", "list", "watch", "patch"]),
            _rule(["gateway.networking.k8s.io"], ["referencegrants"], ["get", "delete", "create", "patch"]),
            _rule(["gateway.envoyproxy.io"], ["envoyextensionpolicies", "backends"], ["get", "delete", "create"]),
            _rule(["networking.istio.io"], ["envoyfilters"], ["get", "create", "delete"]),
            _rule(["networking.istio.io"], ["gateways"], ["get", "list", "watch"]),
            _rule(["networking.k8s.io"], ["ingressclasses"], ["get", "list", "watch"]),
            _rule([""], ["configmaps"], ["get", "list", "watch", "create", "update", "delete"]),
        ):
            role.add("appsec", rule)
    return role


def _ksm_core_role(v: _V, full: str) -> _Role:
    role = _Role("ClusterRole", f"{full}-ksm-core")
    sensitive = [
        name
        for name, key in (("secrets", "collectSecretMetrics"), ("configmaps", "collectConfigMaps"))
        if v.on(f"datadog.kubeStateMetricsCore.{key}")
    ]
    if sensitive:
        role.add("ksm-secrets", _rule([""], sensitive, ["list", "watch"]))
    core = [
        "nodes",
        "pods",
        "services",
        "resourcequotas",
        "replicationcontrollers",
        "limitranges",
        "persistentvolumeclaims",
        "persistentvolumes",
        "namespaces",
        "endpoints",
        "events",
    ]
    lw = ["list", "watch"]
    role.add("ksm-core", _rule([""], core, lw))
    role.add("ksm-core", _rule(["discovery.k8s.io"], ["endpointslices"], lw))
    role.add("ksm-core", _rule(["extensions"], ["daemonsets", "deployments", "replicasets"], lw))
    apps = ["statefulsets", "daemonsets", "deployments", "replicasets"]
    tag = str(v.get("agents.image.tag", DEFAULT_AGENT_TAG))
    if v.on("agents.image.doNotCheckTag") or tag.startswith("latest") or _release_at_least(tag, "7.72.0"):
        apps.append("controllerrevisions")
    role.add("ksm-core", _rule(["apps"], apps, lw))
    role.add("ksm-core", _rule(["batch"], ["cronjobs", "jobs"], lw))
    role.add("ksm-core", _rule(["autoscaling"], ["horizontalpodautoscalers"], lw))
    role.add("ksm-core", _rule(["policy"], ["poddisruptionbudgets"], lw))
    role.add("ksm-core", _rule(["storage.k8s.io"], ["storageclasses", "volumeattachments"], lw))
    if v.on("datadog.kubeStateMetricsCore.collectVpaMetrics"):
        role.add("ksm-core", _rule(["autoscaling.k8s.io"], ["verticalpodautoscalers"], lw))
    role.add("ksm-core", _rule(["networking.k8s.io"], ["ingresses"], lw))
    role.add("ksm-core", _rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], lw))
    if v.on("datadog.kubeStateMetricsCore.collectApiServicesMetrics"):
        role.add("ksm-core", _rule(["apiregistration.k8s.io"], ["apiservices"], lw))
    return role


def _orchestrator_role(v: _V, full: str) -> _Role:
    role = _Role("ClusterRole", f"{full}-orchestrator-explorer")
    lgw = ["list", "get", "watch"]
    lwg = ["list", "watch", "get"]
    role.add("orchestrator", _rule([""], ["namespaces"], ["get"], ["kube-system"]))
    role.add("orchestrator", _rule([""], ["configmaps"], ["create", "get", "update"], ["datadog-cluster-id"]))
    core = ["pods", "nodes", "namespaces", "limitranges", "services", "persistentvolumes"]
    role.add("orchestrator", _rule([""], [*core, "persistentvolumeclaims", "serviceaccounts"], lgw))
    role.add("orchestrator", _rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"]))
    role.add("orchestrator", _rule(["autoscaling"], ["horizontalpodautoscalers"], ["list", "watch"]))
    role.add("orchestrator", _rule(["apps"], ["deployments", "replicasets", "daemonsets", "statefulsets"], lgw))
    role.add("orchestrator", _rule(["batch"], ["cronjobs", "jobs"], lgw))
    role.add("orchestrator", _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], lgw))
    rbac = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]
    role.add("orchestrator", _rule(["rbac.authorization.k8s.io"], rbac, lgw))
    role.add("orchestrator", _rule(["storage.k8s.io"], ["storageclasses"], lgw))
    role.add("orchestrator", _rule(["autoscaling.k8s.io"], ["verticalpodautoscalers"], lgw))
    role.add("orchestrator", _rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], lgw))
    role.add("orchestrator", _rule(["policy"], ["poddisruptionbudgets"], ["get", "list", "watch"]))
    groups = ["datadoghq.com", "eks.amazonaws.com", "karpenter.azure.com", "karpenter.k8s.aws", "karpenter.sh"]
    role.add("orchestrator", _rule(groups, ["*"], ["list", "watch"]))
    role.add("orchestrator", _rule(["argoproj.io"], ["rollouts", "applications", "applicationsets"], lwg))
    flux = ["buckets", "helmcharts", "externalartifacts", "gitrepositories", "helmrepositories", "ocirepositories"]
    role.add("orchestrator", _rule(["source.toolkit.fluxcd.io"], flux, lwg))
    role.add("orchestrator", _rule(["kustomize.toolkit.fluxcd.io"], ["kustomizations"], lwg))
    if v.on("datadog.orchestratorExplorer.networkCRDs.enabled"):
        gateway = ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "listenersets"]
        role.add("orchestrator", _rule(["gateway.networking.k8s.io"], gateway, lwg))
        istio = ["virtualservices", "gateways", "destinationrules", "serviceentries", "sidecars"]
        role.add("orchestrator", _rule(["networking.istio.io"], istio, lwg))
        meshes = [
            "gateway.envoyproxy.io",
            "traefik.containo.us",
            "policy.linkerd.io",
            "consul.hashicorp.com",
            "mesh.consul.hashicorp.com",
            "kuma.io",
        ]
        role.add("orchestrator", _rule(meshes, ["*"], lwg))
        role.add("orchestrator", _rule(["k8s.nginx.org"], ["virtualservers", "virtualserverroutes"], lwg))
        role.add("orchestrator", _rule(["traefik.io"], ["ingressroutes"], lwg))
        ingress = ["configuration.konghq.com", "core.haproxy.org", "ingress.v1.haproxy.org", "ingress.v3.haproxy.org"]
        role.add("orchestrator", _rule(ingress, ["*"], lwg))
    return role


def _cluster_agent_deployment(v: _V, name: str, namespace: str) -> dict[str, Any]:
    """Only the parts of the Cluster Agent Deployment that decide its privileges."""
    pod: dict[str, Any] = {"automountServiceAccountToken": v.get("clusterAgent.rbac.automountServiceAccountToken")}
    if v.on("clusterAgent.useHostNetwork"):
        pod["hostNetwork"] = v.get("clusterAgent.useHostNetwork")
        pod["dnsPolicy"] = "ClusterFirstWithHostNet"
    if v.get("clusterAgent.securityContext"):
        pod["securityContext"] = v.get("clusterAgent.securityContext")
    init: dict[str, Any] = {"name": "init-volume"}
    if v.get("clusterAgent.containers.initContainers.securityContext"):
        init["securityContext"] = v.get("clusterAgent.containers.initContainers.securityContext")
    main: dict[str, Any] = {"name": "cluster-agent"}
    if v.get("clusterAgent.containers.clusterAgent.securityContext"):
        main["securityContext"] = v.get("clusterAgent.containers.clusterAgent.securityContext")
    # Volumes and mounts of the user's own, which the chart adds as given (a hostPath among them, say).
    mounts = [m for m in v.get("clusterAgent.volumeMounts") or [] if isinstance(m, Mapping)]
    if mounts:
        main["volumeMounts"] = mounts
    pod["initContainers"] = [init]
    pod["containers"] = [main]
    volumes = [vol for vol in v.get("clusterAgent.volumes") or [] if isinstance(vol, Mapping)]
    if volumes:
        pod["volumes"] = volumes
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"spec": pod}},
    }
