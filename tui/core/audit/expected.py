"""`ddsecure audit MANIFESTS --expect privileges.json`: does a DaemonSet grant exactly what the bundle lists?

The audited DaemonSet's ledger (read by the same `ledger_of_pod` that wrote privileges.json) is compared
with the ledger in the file, key by key, so fields added to the ledger later are compared too.
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tui.core.errors import InputFileError

# Not properties of the DaemonSet: what the admission controller mounts into *application* pods.
_NOT_IN_THE_POD = {"applications", "applicationsReason"}


class Expectation(NamedTuple):
    file: str
    section: str  # "helm" or "operator": which ledger of the file was compared
    daemonset: str
    differences: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ledger": self.section,
            "daemonset": self.daemonset,
            "agrees": not self.differences,
            "differences": self.differences,
        }


def read_expected(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"--expect {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputFileError(f"--expect {path}: not a readable JSON file ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("hostPaths"), list):
        raise InputFileError(f"--expect {path}: not a privileges.json written by ddsecure")
    return document


def section_for(document: Mapping[str, Any], daemonset: str) -> tuple[str, Mapping[str, Any]]:
    """The ledger describing `daemonset`: a bundle for both targets holds the Helm and the Operator ledger."""
    operator = document.get("operator")
    if isinstance(operator, Mapping) and operator.get("daemonset") == daemonset:
        return "operator", operator
    return ("operator" if document.get("target") == "operator" else "helm"), document


def compare(expected: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """One line per difference, "+" for what the DaemonSet grants beyond the file, "−" for what it lacks."""
    out: list[str] = []
    for key, value in found.items():
        if key not in expected:
            continue  # written by an older ddsecure
        wanted = expected[key]
        if key == "hostPaths":
            out += _sets("hostPath", _paths(wanted), _paths(value))
        elif key == "capabilities":
            out += _sets("capability", _capabilities(wanted), _capabilities(value))
        elif key == "cluster" and isinstance(wanted, Mapping) and isinstance(value, Mapping):
            out += _sets("RBAC grant", set(wanted.get("grants") or []), set(value.get("grants") or []))
            if wanted.get("workloads") != value.get("workloads"):
                out.append(
                    f"Cluster Agent pod: {json.dumps(wanted.get('workloads'))} expected, "
                    f"{json.dumps(value.get('workloads'))} found"
                )
        elif key == "hostPorts":
            out += _sets("hostPort", {str(p) for p in wanted or []}, {str(p) for p in value or []})
        elif key == "pss" and isinstance(wanted, Mapping) and isinstance(value, Mapping):
            for name in value:
                if name in _NOT_IN_THE_POD or name not in wanted or wanted[name] == value[name]:
                    continue
                if isinstance(value[name], list) and isinstance(wanted[name], list):
                    out += _sets("Pod Security violation", set(wanted[name]), set(value[name]))
                else:
                    out.append(
                        f"Pod Security {name}: {json.dumps(wanted[name])} expected, {json.dumps(value[name])} found"
                    )
        elif key == "containerPrivileges":
            out += _container_privileges(wanted, value)
        elif wanted != value:
            out.append(f"{key}: {json.dumps(wanted)} expected, {json.dumps(value)} found")
    return out


def expectation(path: Path, daemonset: str, found: Mapping[str, Any], documents: Sequence[Any] = ()) -> Expectation:
    """`documents`: the audited file; when it is a whole-cluster dump (`cluster_dump`), the Cluster Agent,
    the RBAC bound to the release's service accounts, the namespace's labels and the fence are compared too."""
    document = read_expected(path)
    section, expected = section_for(document, daemonset)
    named = expected.get("daemonset")
    dump = cluster_dump(documents)
    if dump is not None:
        found = {**found, **_cluster_found(dump, daemonset, expected)}
    differences = compare(expected, found)
    if named and named != daemonset:
        differences.insert(0, f"DaemonSet {daemonset} audited, but {path} describes {named}")
    if dump is not None:
        differences += _admission_differences(dump, daemonset, document.get("admission"))
    return Expectation(str(path), section, daemonset, differences)


# --- a whole-cluster dump --------------------------------------------------------------------------

# Roles the chart binds but does not define (Kubernetes' own): privileges.json cannot list their rules, so
# their bindings are left out of the live grants as they are left out of the render's.
EXTERNAL_ROLES = frozenset(
    {("ClusterRole", "system:auth-delegator"), ("Role", "extension-apiserver-authentication-reader")}
)
_DUMP_KINDS = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy"})


def cluster_dump(documents: Sequence[Any]) -> list[Mapping[str, Any]] | None:
    """The objects of `kubectl get ds,deploy,clusterrole,... -A -o yaml` (a List holding more than
    DaemonSets), or None for manifests or a lone DaemonSet."""
    lists = [d for d in documents if isinstance(d, Mapping) and d.get("kind") == "List"]
    items = [i for d in lists for i in d.get("items") or [] if isinstance(i, Mapping)]
    if not any(i.get("kind") in _DUMP_KINDS for i in items):
        return None
    return items


def _named(items: Sequence[Mapping[str, Any]], kind: str, name: str, namespace: str | None = None) -> Any:
    for item in items:
        meta = item.get("metadata") or {}
        if (
            item.get("kind") == kind
            and meta.get("name") == name
            and (namespace is None or meta.get("namespace") == namespace)
        ):
            return item
    return None


def _namespace_of(items: Sequence[Mapping[str, Any]], daemonset: str) -> str:
    for item in items:
        meta = item.get("metadata") or {}
        if item.get("kind") == "DaemonSet" and meta.get("name") == daemonset:
            return str(meta.get("namespace") or "default")
    return "default"


def _cluster_found(items: Sequence[Mapping[str, Any]], daemonset: str, expected: Mapping[str, Any]) -> dict[str, Any]:
    """The `cluster` ledger read off the dump: grants bound to the service accounts of the node Agent and of
    the Deployments privileges.json lists, and those Deployments' security contexts."""
    from tui.core.cluster.grants import grants_of, workloads_of
    from tui.core.pod.spec import pod_spec_of

    wanted = expected.get("cluster")
    if not isinstance(wanted, Mapping):
        return {}
    namespace = _namespace_of(items, daemonset)
    workloads = [
        w for name in (wanted.get("workloads") or {}) if (w := _named(items, "Deployment", name, namespace)) is not None
    ]
    accounts = set()
    for workload in [_named(items, "DaemonSet", daemonset, namespace), *workloads]:
        if workload is not None:
            accounts.add(str(pod_spec_of(workload).get("serviceAccountName") or "default"))
    rbac = [
        i
        for i in items
        if i.get("kind") in ("ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding")
        and (i.get("kind"), (i.get("metadata") or {}).get("name")) not in EXTERNAL_ROLES
    ]
    service_accounts = [
        {"kind": "ServiceAccount", "metadata": {"name": account, "namespace": namespace}}
        for account in sorted(accounts)
    ]
    return {
        "cluster": {"grants": grants_of([*rbac, *service_accounts], namespace), "workloads": workloads_of(workloads)}
    }


def _admission_differences(items: Sequence[Mapping[str, Any]], daemonset: str, wanted: Any) -> list[str]:
    """The namespace's Pod Security labels and the fence, compared with privileges.json's "admission"."""
    from tui.core.admission.fence import policy_digest

    if not isinstance(wanted, Mapping):
        return []  # written by an older ddsecure
    out: list[str] = []
    namespace = str(wanted.get("namespace") or _namespace_of(items, daemonset))
    found = _named(items, "Namespace", namespace)
    labels = dict(((found or {}).get("metadata") or {}).get("labels") or {})
    expected = dict(wanted.get("namespaceLabels") or {})
    if found is None:
        out.append(f"− Namespace {namespace} (not in the dump)")
    else:
        for key in sorted(set(expected) | {k for k in labels if k.startswith("pod-security.kubernetes.io/")}):
            if labels.get(key) != expected.get(key):
                out.append(
                    f"namespace {namespace} label {key}: {json.dumps(expected.get(key))} expected, "
                    f"{json.dumps(labels.get(key))} found"
                )
    fence = wanted.get("fence")
    if isinstance(fence, Mapping):
        policy = _named(items, "ValidatingAdmissionPolicy", str(fence.get("policy")))
        binding = _named(items, "ValidatingAdmissionPolicyBinding", str(fence.get("binding")))
        if policy is None:
            out.append(f"− ValidatingAdmissionPolicy {fence.get('policy')} (the privilege fence) is not in the cluster")
        elif policy_digest(policy) != fence.get("sha256"):
            out.append(
                f"ValidatingAdmissionPolicy {fence.get('policy')} differs from the bundle's admission-policy.yaml"
            )
        spec = (binding or {}).get("spec") or {}
        if binding is None:
            out.append(
                f"− ValidatingAdmissionPolicyBinding {fence.get('binding')} (the fence's binding) is not in the cluster"
            )
        elif spec.get("policyName") != fence.get("policy") or "Deny" not in (spec.get("validationActions") or []):
            out.append(
                f"ValidatingAdmissionPolicyBinding {fence.get('binding')} does not Deny with {fence.get('policy')}"
            )
    return out


def _container_privileges(wanted: Any, found: Any) -> list[str]:
    """Per container, what the other keys do not already say (containers, users and added capabilities
    have their own lines): whether it drops ALL, and what it really holds."""
    before = {g.get("container"): g for g in wanted or [] if isinstance(g, Mapping)}
    out = []
    for grant in found or []:
        if not isinstance(grant, Mapping) or grant.get("container") not in before:
            continue
        old = before[grant.get("container")]
        if old.get("added") != grant.get("added") or old.get("user") != grant.get("user"):
            continue
        for field in ("dropsAll", "capabilities"):
            if old.get(field) != grant.get(field):
                out.append(
                    f"container {grant.get('container')} {field}: {json.dumps(old.get(field))} expected, "
                    f"{json.dumps(grant.get(field))} found"
                )
    return out


def _sets(kind: str, wanted: set[str], found: set[str]) -> list[str]:
    return [f"+ {kind} {item} (not in privileges.json)" for item in sorted(found - wanted)] + [
        f"− {kind} {item} (in privileges.json, not granted)" for item in sorted(wanted - found)
    ]


def _paths(grants: Any) -> set[str]:
    return {
        f"{g.get('path')} {'ro' if g.get('readOnly') else 'rw'} ({', '.join(g.get('containers') or []) or 'unmounted'})"
        for g in grants or []
        if isinstance(g, Mapping)
    }


def _capabilities(by_container: Any) -> set[str]:
    if not isinstance(by_container, Mapping):
        return set()
    return {f"{cap} ({container})" for container, caps in by_container.items() for cap in caps or []}
