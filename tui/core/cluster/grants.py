"""Reading cluster-level privileges off Kubernetes objects, predicted or rendered.

One reader for both: `grants_of` expands the RBAC objects of a release (Roles, ClusterRoles and the
bindings that give them to the release's service accounts) into one string per permission,
`SCOPE|APIGROUP|RESOURCE|RESOURCENAME|VERB`; `workloads_of` reads each Deployment's security
contexts and host access. The cluster model's prediction and a real `helm template` + `kubectl
kustomize` output go through the same functions, which is how the tests prove privileges.json equals
the render.
"""

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from tui.core.pod.spec import host_path_access, pod_spec_of

ROLE_KINDS = ("ClusterRole", "Role")
BINDING_KINDS = ("ClusterRoleBinding", "RoleBinding")
CLUSTER = "cluster"
# Permissions that change objects (as opposed to reading them).
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection", "*"})


class Grant(NamedTuple):
    """One expanded permission. `resource` is `url:/path` for a non-resource URL."""

    scope: str
    api_group: str
    resource: str
    name: str
    verb: str

    def __str__(self) -> str:
        return "|".join(self)

    @classmethod
    def parse(cls, text: str) -> "Grant":
        scope, group, resource, name, verb = text.split("|")
        return cls(scope, group, resource, name, verb)


def rule_grants(scope: str, rule: Mapping[str, Any]) -> set[Grant]:
    """Every permission one PolicyRule gives in `scope` (a namespace, or `cluster`)."""
    verbs = [str(v) for v in rule.get("verbs") or []]
    names = [str(n) for n in rule.get("resourceNames") or []] or ["*"]
    found = {Grant(scope, "", f"url:{url}", "*", verb) for url in rule.get("nonResourceURLs") or [] for verb in verbs}
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for name in names:
                found |= {Grant(scope, str(group), str(resource), name, verb) for verb in verbs}
    return found


class Binding(NamedTuple):
    """A binding read from manifests: where it applies, the role it names, and the release's accounts it binds."""

    name: str
    scope: str
    role_kind: str
    role_name: str
    accounts: frozenset[tuple[str, str]] = frozenset()


def _key(doc: Mapping[str, Any]) -> tuple[str, str, str | None]:
    meta = doc.get("metadata") or {}
    namespace = meta.get("namespace") if doc.get("kind") == "Role" else None
    return str(doc.get("kind")), str(meta.get("name")), namespace


def _objects(documents: Iterable[Any]) -> list[Mapping[str, Any]]:
    return [d for d in documents if isinstance(d, Mapping)]


def release_service_accounts(documents: Iterable[Any], namespace: str | None = None) -> set[tuple[str, str]]:
    """(namespace, name) of every ServiceAccount among the documents: the release's own accounts."""
    accounts = set()
    for doc in _objects(documents):
        if doc.get("kind") == "ServiceAccount":
            meta = doc.get("metadata") or {}
            accounts.add((str(meta.get("namespace") or namespace or "default"), str(meta.get("name"))))
    return accounts


def bindings_of(documents: Iterable[Any], namespace: str | None = None) -> list[Binding]:
    """The bindings whose subjects include one of the release's service accounts."""
    docs = _objects(documents)
    accounts = release_service_accounts(docs, namespace)
    found: list[Binding] = []
    for doc in docs:
        if doc.get("kind") not in BINDING_KINDS:
            continue
        meta = doc.get("metadata") or {}
        subjects = {
            (str(s.get("namespace") or meta.get("namespace") or namespace), str(s.get("name")))
            for s in doc.get("subjects") or []
            if isinstance(s, Mapping) and s.get("kind") == "ServiceAccount"
        }
        if not subjects & accounts:
            continue
        ref = doc.get("roleRef") or {}
        scope = CLUSTER if doc.get("kind") == "ClusterRoleBinding" else str(meta.get("namespace") or namespace)
        role_ns = scope if ref.get("kind") == "Role" else None
        key = (str(ref.get("kind")), str(ref.get("name")), role_ns)
        found.append(Binding(str(meta.get("name")), scope, key[0], key[1], frozenset(subjects & accounts)))
    return found


def grants_of(documents: Iterable[Any], namespace: str | None = None) -> list[str]:
    """The sorted, de-duplicated permissions bound to the release's service accounts."""
    return sorted(str(g) for g in grant_set(documents, namespace))


def grant_set(documents: Iterable[Any], namespace: str | None = None) -> set[Grant]:
    return set(grant_holders(documents, namespace))


def grant_holders(documents: Iterable[Any], namespace: str | None = None) -> dict[Grant, frozenset[tuple[str, str]]]:
    """Each permission bound to the release's service accounts, with the (namespace, name) accounts holding it."""
    docs = _objects(documents)
    roles = {_key(d): d for d in docs if d.get("kind") in ROLE_KINDS}
    holders: dict[Grant, frozenset[tuple[str, str]]] = {}
    for binding in bindings_of(docs, namespace):
        role_ns = binding.scope if binding.role_kind == "Role" else None
        role = roles.get((binding.role_kind, binding.role_name, role_ns))
        for rule in (role or {}).get("rules") or []:
            if isinstance(rule, Mapping):
                for grant in rule_grants(binding.scope, rule):
                    holders[grant] = holders.get(grant, frozenset()) | binding.accounts
    return holders


# --- who runs as an account ----------------------------------------------------------------------------

# The Datadog workloads of a rendered release, told apart by what they run: the node Agent (a DaemonSet,
# or the cluster checks runner Deployment, both with an `agent` container and bound to the node Agent's
# role), the Cluster Agent, and the Datadog Operator: the datadog chart's bundled subchart (alias
# `operator`, so `helm.sh/chart: operator-<version>`) or the datadog-operator chart's own release.
NODE_AGENT, CLUSTER_AGENT, OPERATOR, OPERATOR_CHART = "node-agent", "cluster-agent", "operator", "operator-chart"


def _image_name(image: Any) -> str:
    """`registry.datadoghq.com/operator:1.29.0` -> `operator` (the last path segment, no tag or digest)."""
    return str(image or "").split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]


def _operator_kind(doc: Mapping[str, Any], pod: Mapping[str, Any]) -> str | None:
    """OPERATOR or OPERATOR_CHART when the object belongs to the Datadog Operator, else None."""
    labels = (doc.get("metadata") or {}).get("labels") or {}
    chart = str(labels.get("helm.sh/chart") or "") if isinstance(labels, Mapping) else ""
    if chart.startswith("datadog-operator-"):
        return OPERATOR_CHART
    if chart.startswith("operator-") and labels.get("app.kubernetes.io/name") in ("operator", "datadog-operator"):
        return OPERATOR
    images = [str(c.get("image") or "") for c in pod.get("containers") or [] if isinstance(c, Mapping)]
    if any(_image_name(i) == "operator" and "datadog" in i for i in images):
        return OPERATOR
    return None


def _workload_kind(doc: Mapping[str, Any]) -> str | None:
    pod = pod_spec_of(doc)
    if not isinstance(pod, Mapping):
        return None
    names = {str(c.get("name")) for c in pod.get("containers") or [] if isinstance(c, Mapping)}
    if doc.get("kind") == "DaemonSet":
        return NODE_AGENT if "agent" in names else None
    if "cluster-agent" in names:
        return CLUSTER_AGENT
    if "agent" in names:
        return NODE_AGENT
    return _operator_kind(doc, pod)


def account_runners(documents: Iterable[Any], namespace: str | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """Each (namespace, name) service account a Datadog workload among the documents runs as:
    {account: {"Deployment datadog-operator": OPERATOR, ...}}. An Operator ServiceAccount counts even
    without its Deployment (its chart's labels say whose it is)."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for doc in _objects(documents):
        meta = doc.get("metadata") or {}
        where = str(meta.get("namespace") or namespace or "default")
        if doc.get("kind") == "ServiceAccount":
            kind = _operator_kind(doc, {})
            if kind:
                found.setdefault((where, str(meta.get("name"))), {})[f"ServiceAccount {meta.get('name')}"] = kind
            continue
        if doc.get("kind") not in ("DaemonSet", "Deployment"):
            continue
        kind = _workload_kind(doc)
        if kind is None:
            continue
        pod = pod_spec_of(doc)
        account = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
        found.setdefault((where, account), {})[f"{doc.get('kind')} {meta.get('name')}"] = kind
    return found


# --- workloads -------------------------------------------------------------------------------------


def workloads_of(documents: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Each Deployment's pod and container security contexts (and hostNetwork and hostPaths, when it has
    them), by Deployment name."""
    found: dict[str, dict[str, Any]] = {}
    for doc in _objects(documents):
        if doc.get("kind") != "Deployment":
            continue
        pod = pod_spec_of(doc)
        found[str((doc.get("metadata") or {}).get("name"))] = {
            "automountServiceAccountToken": pod.get("automountServiceAccountToken"),
            "securityContext": pod.get("securityContext") or {},
            "initContainers": {
                str(c.get("name")): c.get("securityContext") or {} for c in pod.get("initContainers") or []
            },
            "containers": {str(c.get("name")): c.get("securityContext") or {} for c in pod.get("containers") or []},
            **({"hostNetwork": True} if pod.get("hostNetwork") is True else {}),
            **({"hostPaths": paths} if (paths := _host_paths(pod)) else {}),
        }
    return dict(sorted(found.items()))


def _host_paths(pod: Mapping[str, Any]) -> dict[str, str]:
    """Each hostPath of the pod, "rw" when a container mounts it read-write, else "ro"."""
    return {path: "ro" if read_only else "rw" for path, (_, read_only, _) in sorted(host_path_access(pod).items())}


# --- what makes a grant dangerous ---------------------------------------------------------------------


class Danger(NamedTuple):
    """A class of grant that reaches far beyond reading metadata, with why it matters."""

    id: str
    title: str
    why: str
    matches: Callable[[Grant], bool]


def _is_secret_access(g: Grant) -> bool:
    return g.api_group == "" and g.resource in ("secrets", "*")


def _is_kubelet_proxy(g: Grant) -> bool:
    return g.api_group == "" and g.resource in ("nodes/proxy", "nodes/*")


def _is_webhook_write(g: Grant) -> bool:
    return g.api_group == "admissionregistration.k8s.io" and g.verb in WRITE_VERBS


def _is_rbac_write(g: Grant) -> bool:
    return (g.api_group == "rbac.authorization.k8s.io" and g.verb in WRITE_VERBS | {"bind", "escalate"}) or (
        g.verb == "impersonate"
    )


def _is_wildcard(g: Grant) -> bool:
    return "*" in (g.api_group, g.verb) or g.resource == "*" or g.resource.startswith("*/")


# OpenShift's own SCCs that admit host access or any UID; an SCC the release creates for itself is
# limited to what its pods need and is not counted here.
HOST_SCCS = frozenset(
    {"privileged", "hostaccess", "hostmount-anyuid", "hostnetwork", "hostnetwork-v2", "anyuid", "node-exporter", "*"}
)


def _is_scc_use(g: Grant) -> bool:
    return (
        g.api_group in ("security.openshift.io", "*")
        and g.resource in ("securitycontextconstraints", "*")
        and g.verb in ("use", "*")
        and g.name in HOST_SCCS
    )


def _is_workload_write(g: Grant) -> bool:
    """Changing or deleting other teams' objects anywhere (creating new ones, like a lock, is not counted)."""
    if g.scope != CLUSTER or g.name != "*":
        return False
    if g.resource == "pods/exec":
        return True
    changes = g.verb in WRITE_VERBS - {"create"}
    return changes and g.resource in ("configmaps", "pods", "deployments", "daemonsets", "statefulsets", "replicasets")


# The order is the order of the report: the most dangerous first.
DANGERS: tuple[Danger, ...] = (
    Danger(
        "secrets",
        "Secrets",
        "reading Secrets exposes every credential they hold (tokens, passwords, keys)",
        _is_secret_access,
    ),
    Danger(
        "nodes-proxy",
        "kubelet proxy (nodes/proxy)",
        "the kubelet API behind nodes/proxy runs commands in any container of the node",
        _is_kubelet_proxy,
    ),
    Danger(
        "webhooks",
        "admission webhooks",
        "a mutating webhook sees and may change every pod created in the cluster",
        _is_webhook_write,
    ),
    Danger(
        "rbac-writes",
        "RBAC writes",
        "writing roles or bindings, or impersonating, is a path to cluster-admin",
        _is_rbac_write,
    ),
    Danger(
        "wildcards",
        "wildcards",
        "a wildcard also covers resources and verbs added to the cluster later",
        _is_wildcard,
    ),
    Danger(
        "scc-use",
        "use of OpenShift's host-access SCCs",
        "an account that may use privileged or hostaccess can run pods with that host access",
        _is_scc_use,
    ),
    Danger(
        "workload-writes",
        "cluster-wide workload and ConfigMap writes",
        "changing ConfigMaps or workloads in every namespace can alter what other applications run",
        _is_workload_write,
    ),
)
DANGERS_BY_ID = {d.id: d for d in DANGERS}


@lru_cache(maxsize=4096)  # the report asks once per grant and feature: thousands of times per bundle
def dangers_of(grant: Grant | str) -> tuple[str, ...]:
    g = Grant.parse(grant) if isinstance(grant, str) else grant
    return tuple(d.id for d in DANGERS if d.matches(g))
