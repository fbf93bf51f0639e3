"""The fixtures every catalogue rule ships with: an input it fires on and the closest one it does not.

`FIXTURES[id]` lists `Case`s, like Polaris' failure.yaml/success.yaml per check. A case's `input` says
how it is audited:

- `values`, `manifests`, `datadog-agent`: the document (a values mapping, which may be a wrapper
  such as a Flux HelmRelease; a list of manifests; a DatadogAgent) is written as YAML and audited
  through `audit_text`, as `ddsecure audit FILE` does;
- `bundle`: a callable returning the `platform_rules.Rendered` a platform rule checks;
- `base`: (base values, answers) for `generate --base`;
- `render`: values audited with `--render` and the real chart;
- `expect`: a callable editing the pod of the bundle's DaemonSet, audited with `--expect privileges.json`.

`tests/test_audit_rules.py` runs them all and fails when a rule lacks either kind, or lacks a case for
an input its catalogue entry says it reads.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, NamedTuple

from tui.core.answers.contract import Answers
from tui.core.chart.model import render_pod
from tui.core.chart.platform_rules import Rendered
from tui.core.deployment import Deployment
from tui.core.output.operator import datadog_agent
from tui.core.platforms.catalog import PLATFORMS


class Case(NamedTuple):
    input: str
    fires: Any
    quiet: Any


# The catalogue input each kind of case exercises (a cluster rule is read from values or manifests).
READS = {
    "values": "values",
    "manifests": "manifests",
    "datadog-agent": "datadog-agent",
    "bundle": "bundle",
    "base": "values",
    "render": "values",
    "expect": "manifests",
}

# --- values -----------------------------------------------------------------------------------------

SECRET = {"apiKeyExistingSecret": "datadog-secret"}
CSPM = {"securityAgent": {"compliance": {"enabled": True}}}
CWS = {"securityAgent": {"runtime": {"enabled": True}}}
CUSTOM_VOLUME = {
    "volumes": [{"name": "journal", "hostPath": {"path": "/var/log/journal"}}],
    "volumeMounts": [{"name": "journal", "mountPath": "/var/log/journal"}],
}
CONTAINERD = "/var/run/containerd/containerd.sock"


def dd(**datadog: Any) -> dict:
    return {"datadog": {**SECRET, **datadog}}


def agents(datadog: dict | None = None, **block: Any) -> dict:
    return {"datadog": {**SECRET, **(datadog or {})}, "agents": block}


def helm_release(values: dict) -> dict:
    """A Flux HelmRelease holding the values: the audit reads them through the wrapper."""
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "datadog", "namespace": "datadog"},
        "spec": {"chart": {"spec": {"chart": "datadog", "version": "3.240.0"}}, "values": values},
    }


# privileged with allowPrivilegeEscalation false: the API server refuses the pod (privileged escalates)
REFUSED_CONTEXT = {"privileged": True, "allowPrivilegeEscalation": False}
PRIV = {"agent": {"securityContext": {"privileged": True}}}

# --- manifests --------------------------------------------------------------------------------------


def daemonset(pod: dict, *extra: dict, name: str = "datadog", namespace: str = "datadog") -> list[dict]:
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": {"spec": pod}},
        },
        *extra,
    ]


def rendered(values: dict) -> list[dict]:
    """The DaemonSet the chart model renders for these values."""
    return daemonset(copy.deepcopy(dict(render_pod(values))))


# A pod that passes every Pod Security check, restricted included.
RESTRICTED_POD = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "agent",
            "image": "agent",
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        }
    ],
}


def pod_with(pod: dict | None = None, **container: Any) -> list[dict]:
    """The restricted pod with pod-level fields and agent-container securityContext fields changed."""
    spec = copy.deepcopy(RESTRICTED_POD)
    for key, value in (pod or {}).items():
        if value is None:
            spec.pop(key, None)
        elif isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
            spec[key] = {k: v for k, v in spec[key].items() if v is not None}
        else:
            spec[key] = value
    agent = spec["containers"][0]
    for key, value in container.items():
        if key in ("ports", "livenessProbe"):
            agent[key] = value
        elif value is None:
            agent["securityContext"].pop(key, None)
        else:
            agent["securityContext"][key] = value
    return daemonset(spec)


_HOST_VOLUME = {
    "volumes": [{"name": "tmp", "hostPath": {"path": "/tmp"}}],
}

# One pod failing each Pod Security check; RESTRICTED_POD passes them all.
PSS_FAILING: dict[str, list[dict]] = {
    "hostNamespaces": pod_with({"hostIPC": True}),
    "privileged": pod_with(privileged=True),
    "capabilities_baseline": pod_with(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}),
    "hostPathVolumes": pod_with(_HOST_VOLUME),
    "hostPorts": pod_with(ports=[{"containerPort": 8125, "hostPort": 8125, "protocol": "UDP"}]),
    "hostProbesAndHostLifecycle": pod_with(livenessProbe={"httpGet": {"host": "10.0.0.1", "port": 5555}}),
    "appArmorProfile": pod_with(appArmorProfile={"type": "Unconfined"}),
    "seLinuxOptions": pod_with({"securityContext": {"seLinuxOptions": {"type": "spc_t"}}}),
    "procMount": pod_with(procMount="Unmasked"),
    "seccompProfile_baseline": pod_with({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
    "sysctls": pod_with({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}),
    "windowsHostProcess": pod_with(windowsOptions={"hostProcess": True}),
    "allowPrivilegeEscalation": pod_with(allowPrivilegeEscalation=None),
    "capabilities_restricted": pod_with(capabilities=None),
    "procMount_restricted": pod_with(procMount="Unmasked"),
    "restrictedVolumes": pod_with(_HOST_VOLUME),
    "runAsNonRoot": pod_with({"securityContext": {"runAsNonRoot": None}}),
    "runAsUser": pod_with(runAsUser=0),
    "seccompProfile_restricted": pod_with({"securityContext": {"seccompProfile": None}}),
}


def with_rbac(*rules: dict) -> list[dict]:
    """The restricted DaemonSet, and a ClusterRole with these rules bound to the release's account."""
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "datadog", "namespace": "datadog"}}
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "datadog"},
        "rules": list(rules),
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "datadog"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "datadog"},
        "subjects": [{"kind": "ServiceAccount", "name": "datadog", "namespace": "datadog"}],
    }
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["serviceAccountName"] = "datadog"
    return daemonset(pod, account, role, binding)


def rbac_rule(group: str, resource: str, verb: str, names: list[str] | None = None) -> dict:
    rule: dict[str, Any] = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
    if names:
        rule["resourceNames"] = names
    return rule


HARMLESS = with_rbac(rbac_rule("", "pods", "get"))


# A real pattern: the node's CA bundle mounted into the Cluster Agent.
CERTS_FROM_THE_NODE = {
    "volumes": [{"name": "certs", "hostPath": {"path": "/etc/ssl/certs"}}],
    "volumeMounts": [{"name": "certs", "mountPath": "/etc/ssl/certs", "readOnly": True}],
}


def cluster_agent(**pod: Any) -> dict:
    """The Cluster Agent Deployment as rendered, with these pod fields."""
    spec = {"containers": [{"name": "cluster-agent", "image": "gcr.io/datadoghq/cluster-agent:7.81.1"}], **pod}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "datadog-cluster-agent", "namespace": "datadog"},
        "spec": {"template": {"spec": spec}},
    }


def bundled_operator(*rules: dict) -> list[dict]:
    """The datadog chart's bundled Operator as `helm template` renders it (subchart alias `operator`): its
    ServiceAccount, a ClusterRole with these rules bound to it, and its Deployment."""
    labels = {"app.kubernetes.io/name": "operator", "helm.sh/chart": "operator-2.25.0"}
    meta = {"name": "datadog-operator", "labels": labels}
    subject = {"kind": "ServiceAccount", "name": "datadog-operator", "namespace": "datadog"}
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "datadog-operator"}
    pod = {
        "serviceAccountName": "datadog-operator",
        "containers": [{"name": "operator", "image": "registry.datadoghq.com/operator:1.29.0"}],
    }
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {**meta, "namespace": "datadog"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta, "rules": list(rules)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": meta,
            "roleRef": ref,
            "subjects": [subject],
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {**meta, "namespace": "datadog"},
            "spec": {"template": {"spec": pod}},
        },
    ]


# --- DatadogAgent -----------------------------------------------------------------------------------

BARE_AGENT = {
    "apiVersion": "datadoghq.com/v2alpha1",
    "kind": "DatadogAgent",
    "metadata": {"name": "datadog", "namespace": "datadog"},
    "spec": {"global": {"credentials": {"apiSecret": {"secretName": "datadog-secret", "keyName": "api-key"}}}},
}


def agent_resource(answers: Answers | None = None, **edits: Any) -> dict:
    """ddsecure's own DatadogAgent for the answers (clean), with dotted edits (None removes)."""
    resource = copy.deepcopy(datadog_agent(answers or Answers()))
    for dotted, value in edits.items():
        *parents, last = dotted.split("__")
        node = resource
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return resource


CLEAN_AGENT = agent_resource()
HOST_ROOT_VOLUME = {"name": "hostroot", "hostPath": {"path": "/"}}

# --- bundle (platform rules) ------------------------------------------------------------------------


def bundle(answers: Answers, **parts: Any) -> Callable[[], Rendered]:
    def build() -> Rendered:
        deployment = Deployment(answers)
        base = Rendered(answers, deployment.values, deployment.pod, deployment.scc, bool(deployment.patch.steps))
        return base._replace(**{k: v(base) if callable(v) else v for k, v in parts.items()})

    return build


def _add_volume(path: str) -> Callable[[Rendered], dict]:
    return lambda r: {**r.pod, "volumes": [*r.pod["volumes"], {"name": "extra", "hostPath": {"path": path}}]}


def _scc(**changes: Any) -> Callable[[Rendered], dict]:
    return lambda r: {**dict(r.scc or {}), **changes}


def _values_with(**kubelet: Any) -> Callable[[Rendered], dict]:
    return lambda r: {**r.values, "datadog": {**r.values["datadog"], "kubelet": kubelet}}


GENERIC, TALOS = Answers(), Answers(platform="talos", system_probe=("cws",))
AKS, OPENSHIFT, AUTOPILOT, GKE = (Answers(platform=p) for p in ("aks", "openshift", "gke-autopilot", "gke"))

# --- the table --------------------------------------------------------------------------------------

FIXTURES: dict[str, tuple[Case, ...]] = {
    "privileged-container": (
        Case("values", agents(containers={"agent": {"securityContext": {"privileged": True}}}), dd()),
        Case("manifests", rendered(agents(containers={"agent": {"securityContext": {"privileged": True}}})), HARMLESS),
        Case(
            "datadog-agent",
            agent_resource(spec__override__nodeAgent__containers__agent__securityContext__privileged=True),
            CLEAN_AGENT,
        ),
    ),
    "host-network": (
        Case("values", agents(useHostNetwork=True), dd()),
        Case("manifests", rendered(agents(useHostNetwork=True)), rendered(dd())),
        Case("datadog-agent", agent_resource(spec__override__nodeAgent__hostNetwork=True), CLEAN_AGENT),
    ),
    "hostpid-unneeded": (
        Case("values", dd(), dd(useHostPID=False)),
        Case("values", helm_release(dd()), helm_release(dd(useHostPID=False))),
        Case("manifests", rendered(dd()), rendered(dd(useHostPID=False))),
        Case("datadog-agent", agent_resource(spec__override__nodeAgent__hostPID=True), CLEAN_AGENT),
    ),
    "hostpid-needed": (
        Case("values", dd(useHostPID=False, **CSPM), dd(useHostPID=False)),
        Case("manifests", rendered(dd(hostProfiler={"enabled": True})), rendered(dd(useHostPID=False))),
    ),
    "hostpid-not-removed": (
        # CSPM keeps hostPID: no fix is offered
        Case("values", dd(dogstatsd={"useHostPID": False}), dd(dogstatsd={"useHostPID": False}, **CSPM)),
    ),
    "origin-detection-without-hostpid": (
        Case(
            "values",
            dd(useHostPID=False, dogstatsd={"originDetection": True}),
            dd(dogstatsd={"originDetection": True}),
        ),
    ),
    "system-probe-unrequested": (
        Case("values", dd(), dd(discovery={"enabled": False})),
        Case("datadog-agent", BARE_AGENT, CLEAN_AGENT),
    ),
    "ebpf-feature": (Case("values", dd(networkMonitoring={"enabled": True}), dd()),),
    "capabilities-added": (
        Case("values", dd(), dd(discovery={"enabled": False})),
        Case("manifests", rendered(dd()), rendered(dd(discovery={"enabled": False}))),
        Case(
            "datadog-agent",
            agent_resource(
                spec__override__nodeAgent__containers__agent__securityContext__capabilities__add=["NET_RAW"]
            ),
            CLEAN_AGENT,
        ),
    ),
    "host-root": (
        Case("values", dd(**CWS), dd()),
        Case("manifests", rendered(dd(**CWS)), rendered(dd())),
        Case("datadog-agent", agent_resource(spec__override__nodeAgent__volumes=[HOST_ROOT_VOLUME]), CLEAN_AGENT),
    ),
    "custom-host-path": (
        Case("values", agents(**CUSTOM_VOLUME), dd()),
        Case("datadog-agent", agent_resource(spec__override__nodeAgent__volumes=CUSTOM_VOLUME["volumes"]), CLEAN_AGENT),
    ),
    "host-path-rw": (
        Case("values", dd(dogstatsd={"originDetection": True}), dd(dogstatsd={"useSocketVolume": False})),
    ),
    "hostport-unneeded": (
        Case("values", dd(otlp={"receiver": {"protocols": {"grpc": {"enabled": True}}}}), dd()),
        Case(
            "datadog-agent",
            agent_resource(spec__features__otlp={"receiver": {"protocols": {"grpc": {"enabled": True}}}}),
            agent_resource(
                spec__features__otlp={
                    "receiver": {"protocols": {"grpc": {"enabled": True, "hostPortConfig": {"enabled": False}}}}
                }
            ),
        ),
    ),
    "host-port": (
        Case("values", dd(dogstatsd={"useHostPort": True}), dd()),
        Case("manifests", rendered(dd(dogstatsd={"useHostPort": True})), rendered(dd())),
        Case("datadog-agent", agent_resource(Answers(dogstatsd="udp-hostport")), CLEAN_AGENT),
    ),
    "apm-unrequested": (
        Case("values", dd(), dd(apm={"socketEnabled": False})),
        # single-step instrumentation's libraries send their traces to the Agent's socket
        Case("values", dd(), dd(apm={"instrumentation": {"enabled": True}})),
        Case("datadog-agent", BARE_AGENT, CLEAN_AGENT),
    ),
    "apm-both-transports": (
        Case("values", dd(apm={"portEnabled": True}), dd(apm={"portEnabled": True, "socketEnabled": False})),
    ),
    "apm-socket-stranded": (Case("values", dd(dogstatsd={"useSocketVolume": False}), dd()),),
    "runtime-dir-too-wide": (Case("values", dd(), dd(criSocketPath=CONTAINERD)),),
    "dsd-socket-unneeded": (
        Case("values", dd(), dd(dogstatsd={"useSocketVolume": False})),
        # the admission controller points every pod at the socket (its mode is socket by the chart's default)
        Case("values", dd(), {**dd(), "clusterAgent": {"admissionController": {"mutateUnlabelled": True}}}),
        Case("datadog-agent", BARE_AGENT, CLEAN_AGENT),
    ),
    "passwd-unneeded": (Case("values", dd(), dd(disablePasswdMount=True)),),
    "docker-logs-dir": (
        Case("values", dd(logs={"enabled": True}), dd(logs={"enabled": True}, criSocketPath=CONTAINERD)),
    ),
    "hostpath-unneeded": (
        Case("values", dd(systemProbe={"osReleasePath": "/etc/x"}, discovery={"enabled": False}), dd()),
    ),
    "operator-bundled": (
        Case("values", dd(), dd(operator={"enabled": False})),
        Case("manifests", [*HARMLESS, *bundled_operator(rbac_rule("", "nodes/proxy", "get"))], HARMLESS),
    ),
    "runs-as-root": (
        Case("values", dd(), dd(securityContext={"runAsUser": 100})),
        Case("datadog-agent", BARE_AGENT, CLEAN_AGENT),
    ),
    "agent-too-old": (
        Case("values", agents(image={"tag": "7.30.0"}), agents(image={"tag": "7.30.0", "doNotCheckTag": True})),
    ),
    "pod-refused": (
        Case("values", agents(containers={"agent": {"securityContext": REFUSED_CONTEXT}}), agents(containers=PRIV)),
        Case(
            "manifests",
            rendered(agents(containers={"agent": {"securityContext": REFUSED_CONTEXT}})),
            rendered(agents(containers=PRIV)),
        ),
    ),
    "chart-refuses": (
        Case(
            "values",
            agents({"otelCollector": {"enabled": True}}, image={"tag": "7.60.0"}),
            agents({"otelCollector": {"enabled": True}}, image={"tag": "7.81.1"}),
        ),
    ),
    "wrong-type": (
        Case("values", dd(dogstatsd="on"), dd(dogstatsd={})),
        Case("datadog-agent", {**BARE_AGENT, "spec": {"global": "oops"}}, CLEAN_AGENT),
    ),
    "string-boolean": (
        Case("values", dd(dogstatsd={"useSocketVolume": "false"}), dd(dogstatsd={"useSocketVolume": False})),
        # a quoted "true" is on, as it says: silent
        Case("values", dd(useHostPID="false"), dd(useHostPID="true")),
    ),
    "duplicate-key": (
        # text: a mapping cannot hold a key twice; helm reads the second logs block
        Case(
            "values",
            "datadog:\n  apiKeyExistingSecret: s\n  logs:\n    enabled: true\n  logs:\n    enabled: false\n",
            "datadog:\n  apiKeyExistingSecret: s\n  logs:\n    enabled: false\n",
        ),
    ),
    "deprecated-key": (Case("values", dd(apm={"enabled": True}), dd(apm={"portEnabled": True})),),
    "no-op-key": (Case("values", dd(systemProbe={"enabled": False}), dd(discovery={"enabled": False})),),
    "wrong-level": (
        Case("values", {**dd(), "networkMonitoring": {"enabled": True}}, dd(networkMonitoring={"enabled": True})),
    ),
    "unknown-key": (Case("values", dd(dogstatd={"useHostPort": True}), dd(dogstatsd={"useHostPort": True})),),
    "plaintext-secret": (
        Case("values", {"datadog": {"apiKey": "0123456789abcdef"}}, dd()),
        Case("datadog-agent", agent_resource(spec__global__credentials__apiKey="0123456789abcdef"), CLEAN_AGENT),
    ),
    "answer-setting": (
        Case("base", ({"datadog": {"site": "datadoghq.eu"}}, GENERIC), (Deployment(GENERIC).values, GENERIC)),
    ),
    "render-disagrees": (
        # Google Distributed Cloud (providers.gke.gdc) is not modelled: helm's pod differs from the model's
        Case("render", {"datadog": SECRET, "providers": {"gke": {"gdc": True}}}, dd(criSocketPath=CONTAINERD)),
    ),
    "expect-differs": (Case("expect", lambda pod: pod.update(hostPID=True), lambda pod: None),),
    "operator-default-feature": (Case("datadog-agent", BARE_AGENT, CLEAN_AGENT),),
    "operator-container-hardening": (
        Case(
            "datadog-agent",
            agent_resource(
                spec__override__nodeAgent__containers__agent__securityContext__allowPrivilegeEscalation=None
            ),
            CLEAN_AGENT,
        ),
    ),
    "cluster-agent-host-network": (
        Case("values", {**dd(), "clusterAgent": {"useHostNetwork": True}}, {**dd(), "clusterAgent": {}}),
        Case("manifests", [*HARMLESS, cluster_agent(hostNetwork=True)], [*HARMLESS, cluster_agent()]),
        Case(
            "datadog-agent",
            {**BARE_AGENT, "spec": {**BARE_AGENT["spec"], "override": {"clusterAgent": {"hostNetwork": True}}}},
            BARE_AGENT,
        ),
    ),
    "cluster-agent-host-path": (
        Case("values", {**dd(), "clusterAgent": CERTS_FROM_THE_NODE}, {**dd(), "clusterAgent": {"volumes": []}}),
        Case(
            "manifests",
            [*HARMLESS, cluster_agent(volumes=CERTS_FROM_THE_NODE["volumes"])],
            [*HARMLESS, cluster_agent(volumes=[{"name": "certs", "emptyDir": {}}])],
        ),
    ),
    "cluster-rbac-unmodelled": (Case("values", dd(), dd(operator={"enabled": False})),),
    "cluster-secrets": (Case("manifests", with_rbac(rbac_rule("", "secrets", "get")), HARMLESS),),
    "cluster-nodes-proxy": (Case("manifests", with_rbac(rbac_rule("", "nodes/proxy", "get")), HARMLESS),),
    "cluster-webhooks": (
        Case(
            "manifests",
            with_rbac(rbac_rule("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "create")),
            HARMLESS,
        ),
    ),
    "cluster-rbac-writes": (
        Case("manifests", with_rbac(rbac_rule("rbac.authorization.k8s.io", "clusterroles", "create")), HARMLESS),
    ),
    "cluster-wildcards": (Case("manifests", with_rbac(rbac_rule("", "pods", "*")), HARMLESS),),
    "cluster-scc-use": (
        Case(
            "manifests",
            with_rbac(rbac_rule("security.openshift.io", "securitycontextconstraints", "use", ["privileged"])),
            HARMLESS,
        ),
    ),
    "cluster-workload-writes": (Case("manifests", with_rbac(rbac_rule("", "configmaps", "update")), HARMLESS),),
    "runtime-socket-only": (Case("bundle", bundle(GENERIC, pod=_add_volume("/var/run")), bundle(GENERIC)),),
    "talos-no-users": (Case("bundle", bundle(TALOS, pod=_add_volume("/etc/passwd")), bundle(TALOS)),),
    "aks-kubelet-ca": (Case("bundle", bundle(AKS, values=_values_with(tlsVerify=False)), bundle(AKS)),),
    "openshift-narrow-scc": (Case("bundle", bundle(OPENSHIFT, scc=_scc(allowHostPID=True)), bundle(OPENSHIFT)),),
    "openshift-spc-t": (
        Case("bundle", bundle(OPENSHIFT, pod=lambda r: {**r.pod, "securityContext": {}}), bundle(OPENSHIFT)),
    ),
    "autopilot-values-only": (Case("bundle", bundle(AUTOPILOT, patched=True), bundle(AUTOPILOT)),),
    "autopilot-discovery-off": (
        Case(
            "bundle",
            bundle(
                AUTOPILOT,
                pod=render_pod({"providers": {"gke": {"autopilot": True}}}, PLATFORMS["gke-autopilot"].cluster),
            ),
            bundle(AUTOPILOT),
        ),
    ),
    "read-only-usr": (Case("bundle", bundle(GKE, pod=_add_volume("/usr/src")), bundle(GKE)),),
    **{
        f"pss-{check}": (Case("manifests", failing, daemonset(RESTRICTED_POD)),)
        for check, failing in PSS_FAILING.items()
    },
}
FIXTURES["pss-seLinuxOptions"] += (
    Case(
        "datadog-agent",
        agent_resource(spec__override__nodeAgent__securityContext__seLinuxOptions={"type": "spc_t"}),
        agent_resource(spec__override__nodeAgent__securityContext__seLinuxOptions={"type": "container_t"}),
    ),
)
