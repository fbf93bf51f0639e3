"""The pods a bundle deploys into the Agent's namespace, each with the workload that owns it and its ledger.

The admission objects are computed from these, and these from the same model as privileges.json:
the node-Agent pod and its ledger (`Deployment.pod`, `Deployment.ledger`, or the Operator's predicted
pod), and each Deployment of the cluster model (the Cluster Agent), read by the same `ledger_of_pod`.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from tui.core.deployment import Deployment
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.spec import pod_spec_of


class Profile(NamedTuple):
    """One workload of the bundle: its kind and name, a title for messages, its pod spec and ledger."""

    kind: str  # "DaemonSet" or "Deployment"
    name: str
    title: str
    pod: Mapping[str, Any]
    ledger: Ledger

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def node_agent(self) -> bool:
        return self.kind == "DaemonSet"


@lru_cache(maxsize=64)  # the fence, the exception, privileges.json, REPORT.md and the steps all read them
def profiles(deployment: Deployment, target: str = "helm") -> tuple[Profile, ...]:
    """The workloads `target` ("helm", "operator", "both") deploys.

    The Operator's Cluster Agent is not modelled: its pod is held to what any pod of the namespace may do
    (no host access at all). With "both", the chart's Cluster Agent Deployment has the Operator's name
    (RELEASE-cluster-agent), so it is held to that too rather than to the chart's users and containers,
    which the Operator's need not share, unless the chart's has host access (clusterAgent.useHostNetwork, a
    hostPath in clusterAgent.volumes): then the name keeps the chart's profile, or the fence would refuse it."""
    found: list[Profile] = []
    if target != "operator":
        name = deployment.patch.name
        found.append(
            Profile("DaemonSet", name, f"the node Agent (DaemonSet {name})", deployment.pod, deployment.ledger)
        )
    if target != "helm":
        footprint = deployment.operator
        name = footprint.daemonset
        title = f"the node Agent of the Datadog Operator (DaemonSet {name})"
        found.append(Profile("DaemonSet", name, title, footprint.pod, footprint.ledger))
    if target != "operator":
        for document in deployment.rendered_cluster.objects:
            if document.get("kind") != "Deployment":
                continue
            name = str((document.get("metadata") or {}).get("name"))
            pod = pod_spec_of(document)
            ledger = ledger_of_pod(pod)
            host_access = ledger.host_network or ledger.host_paths
            if target == "both" and name == f"{deployment.answers.release_name}-cluster-agent" and not host_access:
                continue
            title = (
                f"the Cluster Agent (Deployment {name})" if name.endswith("-cluster-agent") else f"Deployment {name}"
            )
            found.append(Profile("Deployment", name, title, pod, ledger))
    return tuple(found)
