"""What datadog/datadog 3.240.0 does differently per platform: `providers.*` keys and cluster capabilities.

The generic chart model (`chart_model.render_pod`) renders the pod as on a plain cluster and hands it
to `CHART_3_240_0.finish`, which applies everything this chart version does for the platform keys in
the values and for what the API server reports (`Cluster`): Talos, GKE COS, Flatcar, GKE Autopilot
with and without the WorkloadAllowlist API, EKS's hostname file, the kubelet CA file (AKS), and the
OpenShift SELinux type. The SecurityContextConstraints object the chart renders is modelled here too.

A second chart version that changes one of these is a second `ProviderModel`, not edits elsewhere.
"""

import posixpath
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tui.core.platforms.api_server import Cluster
from tui.core.platforms.catalog import AUTOPILOT_ALLOWLIST_APIS, AUTOPILOT_ALLOWLIST_KUBE, SPC_T
from tui.core.pod.privilege_catalog import AUTOPILOT_HOST_ROOT, PACKAGE_DIRS
from tui.core.yamlio.dotted import copy_tree, lookup

PodSpec = dict[str, Any]
Render = Callable[[Mapping[str, Any], Cluster], PodSpec]


def _on(values: Mapping[str, Any], key: str) -> bool:
    return bool(lookup(values, key))


def _set(tree: Mapping[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of `tree` with one dotted key set (copies only along the path)."""
    head, _, rest = dotted.partition(".")
    out = dict(tree)
    if rest:
        child = out.get(head)
        out[head] = _set(child if isinstance(child, Mapping) else {}, rest, value)
    else:
        out[head] = value
    return out


def _mount(name: str, path: str, read_only: bool) -> dict[str, Any]:
    return {"name": name, "mountPath": path, "readOnly": read_only}


def _containers(pod: PodSpec) -> list[dict[str, Any]]:
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def _drop_volumes(pod: PodSpec, names: set[str]) -> None:
    """Remove volumes and every mount of them: what a template branch that is off never renders."""
    pod["volumes"] = [v for v in pod.get("volumes") or [] if v.get("name") not in names]
    for container in _containers(pod):
        container["volumeMounts"] = [m for m in container.get("volumeMounts") or [] if m.get("name") not in names]


def _drop_mounts(pod: PodSpec, container: str, names: set[str]) -> None:
    for entry in _containers(pod):
        if entry.get("name") == container:
            entry["volumeMounts"] = [m for m in entry.get("volumeMounts") or [] if m.get("name") not in names]


def _add_mount(pod: PodSpec, containers: tuple[str, ...], mount: dict[str, Any]) -> None:
    for entry in pod.get("containers") or []:
        if entry.get("name") in containers:
            entry.setdefault("volumeMounts", []).append(dict(mount))


class SccDefaults(NamedTuple):
    """The chart's defaults for the SCC keys (`agents.podSecurity.*`), checked against values.yaml in tests."""

    capabilities: tuple[str, ...]
    volumes: tuple[str, ...]
    seccomp_profiles: tuple[str, ...]
    se_linux_context: Mapping[str, Any]


class ProviderModel(NamedTuple):
    """One chart version's platform behaviour, as facts the functions below read."""

    chart_version: str
    openshift_api: str
    allowlist_apis: tuple[str, ...]
    allowlist_kube: str
    autopilot_socket: str
    autopilot_host_root: str
    # Volumes the chart declares only for eBPF runtime compilation (Talos turns it off); package
    # directories are added from `datadog.systemProbe.mountPackageManagementDirs` or these defaults.
    compilation_volumes: tuple[str, ...]
    default_package_volumes: tuple[str, ...]
    hostname_file: str
    scc_defaults: SccDefaults
    # The values keys whose template paths `finish` follows (the chart model's `unmodelled` skips them).
    modelled: tuple[str, ...]

    # --- what the cluster reports ----------------------------------------------------------------

    def is_openshift(self, cluster: Cluster) -> bool:
        return cluster.serves(self.openshift_api)

    def autopilot_allowlist(self, values: Mapping[str, Any], cluster: Cluster) -> bool:
        """The WorkloadAllowlist variant: the API is served and GKE is recent enough (or forced for CI)."""
        if not _on(values, "providers.gke.autopilot"):
            return False
        if _on(values, "datadog.envDict.HELM_FORCE_RENDER"):
            return True
        return all(cluster.serves(api) for api in self.allowlist_apis) and cluster.kube_at_least(self.allowlist_kube)

    # --- the pod ---------------------------------------------------------------------------------

    def equivalent_values(self, values: Mapping[str, Any], cluster: Cluster) -> Mapping[str, Any]:
        """Values for which the generic model renders what this chart renders on the platform.

        Where a platform switch has the same effect as an ordinary key, setting that key is exact;
        the rest is done to the finished pod in `finish`.
        """
        out: Mapping[str, Any] = values
        if _on(values, "providers.talos.enabled"):
            out = _set(out, "datadog.disablePasswdMount", True)
            out = _set(out, "datadog.disableDefaultOsReleasePaths", True)
            out = _set(out, "datadog.systemProbe.enableDefaultKernelHeadersPaths", False)
        if _on(values, "providers.gke.autopilot"):
            out = _set(out, "datadog.disableDefaultOsReleasePaths", True)
            out = _set(out, "datadog.sbom.enrichment.usage.enabled", False)
            if not _on(values, "datadog.csi.enabled"):
                out = _set(out, "datadog.dogstatsd.useSocketVolume", False)
                out = _set(out, "datadog.apm.socketEnabled", False)
                out = _set(out, "datadog.apm.useSocketVolume", False)
            explicit = lookup(values, "datadog.discovery.enabled")
            if explicit is None and not self.autopilot_allowlist(values, cluster):
                out = _set(out, "datadog.discovery.enabled", False)
        return out

    def finish(self, pod: PodSpec, values: Mapping[str, Any], cluster: Cluster, render: Render) -> PodSpec:
        """The generic model's pod, as this chart renders it on the platform the values and cluster say."""
        equivalent = self.equivalent_values(values, cluster)
        if equivalent is not values:
            # Rendered again without the platform keys: that render finishes the generic parts below.
            pod = render(_set(equivalent, "providers", None), cluster)
        else:
            pod = copy_tree(pod)
            self._files(pod, values)
            self._se_linux(pod, values, cluster)
        if _on(values, "providers.talos.enabled"):
            _drop_volumes(pod, {"group", *self.compilation_volumes, *self._package_volumes(values)})
        if any(_on(values, k) for k in ("providers.gke.autopilot", "providers.gke.cos", "providers.flatcar.enabled")):
            _drop_volumes(pod, {"src"})
        if _on(values, "providers.gke.autopilot"):
            self._autopilot(pod, values, cluster)
        return pod

    def _package_volumes(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        custom = lookup(values, "datadog.systemProbe.mountPackageManagementDirs") or []
        if custom:
            return tuple(str(d.get("name")) for d in custom if isinstance(d, Mapping))
        return self.default_package_volumes

    def _autopilot(self, pod: PodSpec, values: Mapping[str, Any], cluster: Cluster) -> None:
        allowlist = self.autopilot_allowlist(values, cluster)
        names = {c.get("name") for c in pod.get("containers") or []}
        # The runtime is containerd at its usual place, whatever the values say.
        socket_dir = posixpath.dirname(self.autopilot_socket)
        for volume in pod.get("volumes") or []:
            if volume.get("name") == "runtimesocketdir":
                volume["hostPath"]["path"] = socket_dir
        for container in _containers(pod):
            for mount in container.get("volumeMounts") or []:
                if mount.get("name") == "runtimesocketdir":
                    mount["mountPath"] = posixpath.normpath("/host/" + socket_dir)
        # The Agent's run directory is always a host directory under the addon's root.
        run_volume = "datadogrun" if allowlist else "pointerdir"
        run_path = f"{self.autopilot_host_root}/logs"
        volumes = []
        for volume in pod.get("volumes") or []:
            if volume.get("name") in ("pointerdir", "datadogrun"):
                volume = {"name": run_volume, "hostPath": {"path": run_path}}
            volumes.append(volume)
        pod["volumes"] = volumes
        for container in pod.get("containers") or []:
            for mount in container.get("volumeMounts") or []:
                if mount.get("mountPath") == "/opt/datadog-agent/run" and container.get("name") == "agent":
                    mount.update(name=run_volume, readOnly=False)
        if allowlist and "system-probe" in names:
            _add_mount(pod, ("system-probe",), _mount("datadogrun", "/opt/datadog-agent/run", False))
        if not (allowlist and "system-probe" in names):
            _drop_volumes(pod, {"os-release-file"})
        _drop_mounts(pod, "trace-agent", {"procdir", "cgroups"})
        _drop_mounts(pod, "security-agent", {"dsdsocket"})
        if not _on(values, "datadog.csi.enabled"):
            _drop_mounts(pod, "process-agent", {"dsdsocket"})

    def _files(self, pod: PodSpec, values: Mapping[str, Any]) -> None:
        """EKS's instance-id file, read instead of the metadata service (the kubelet CA file, AKS's, is generic)."""
        if _on(values, "providers.eks.ec2.useHostnameFromFile"):
            pod["volumes"].append(
                {"name": "cloudinit-instance-id-file", "hostPath": {"path": self.hostname_file, "type": "File"}}
            )
            readers = ("agent", "trace-agent", "process-agent", "system-probe", "security-agent")
            _add_mount(pod, readers, _mount("cloudinit-instance-id-file", self.hostname_file, True))

    def _se_linux(self, pod: PodSpec, values: Mapping[str, Any], cluster: Cluster) -> None:
        """Without `datadog.securityContext` the chart gives the pod an SELinux type (spc_t on OpenShift)."""
        if lookup(values, "datadog.securityContext"):
            return
        options = None
        if _on(values, "agents.podSecurity.podSecurityPolicy.create") or _on(
            values, "agents.podSecurity.securityContextConstraints.create"
        ):
            if lookup(values, "agents.podSecurity.securityContext"):
                options = lookup(values, "agents.podSecurity.securityContext.seLinuxOptions")
            else:
                context = lookup(values, "agents.podSecurity.seLinuxContext", self.scc_defaults.se_linux_context)
                options = (context or {}).get("seLinuxOptions") if isinstance(context, Mapping) else None
        elif self.is_openshift(cluster):
            options = SPC_T
        if options:
            pod["securityContext"] = {"seLinuxOptions": copy_tree(options)}

    # --- the SecurityContextConstraints object ----------------------------------------------------

    def scc(self, values: Mapping[str, Any], pod: Mapping[str, Any]) -> dict[str, Any] | None:
        """The privilege fields of the Agent's SCC, as the chart renders them; None when it renders none."""
        if not _on(values, "agents.podSecurity.securityContextConstraints.create"):
            return None
        d = self.scc_defaults

        def key(dotted: str, default: Any) -> Any:
            value = lookup(values, f"agents.podSecurity.{dotted}")
            return default if value is None else value

        context = lookup(values, "agents.podSecurity.securityContext")
        if context:
            se_linux = {"rule": "MustRunAs", **context}
        else:
            raw = key("seLinuxContext", d.se_linux_context)
            # The chart renames the `rule:` key to `type:` when it copies this block.
            se_linux = {("type" if k == "rule" else k): v for k, v in (raw or {}).items()}
        host_network = pod.get("hostNetwork") is True  # the chart prints the value into both
        return {
            "allowHostPID": bool(pod.get("hostPID")),
            "allowHostPorts": any(
                _on(values, k)
                for k in ("datadog.dogstatsd.useHostPort", "datadog.apm.enabled", "datadog.apm.portEnabled")
            )
            or host_network,
            "allowHostNetwork": host_network,
            "allowPrivilegedContainer": bool(key("privileged", False)),
            "allowedCapabilities": list(key("capabilities", list(d.capabilities)) or []),
            "volumes": list(key("volumes", list(d.volumes)) or []),
            "seccompProfiles": list(key("seccompProfiles", list(d.seccomp_profiles)) or []),
            "seLinuxContext": copy_tree(se_linux),
        }


SCC_FIELDS = (
    "allowHostPID",
    "allowHostPorts",
    "allowHostNetwork",
    "allowPrivilegedContainer",
    "allowedCapabilities",
    "volumes",
    "seccompProfiles",
    "seLinuxContext",
)


def scc_projection(scc: Mapping[str, Any]) -> dict[str, Any]:
    """The privilege fields of a rendered SecurityContextConstraints document, comparable with `scc`."""
    out = {name: scc.get(name) for name in SCC_FIELDS}
    for name in ("allowedCapabilities", "volumes", "seccompProfiles"):
        out[name] = list(out[name] or [])
    for name in ("allowHostPID", "allowHostPorts", "allowHostNetwork", "allowPrivilegedContainer"):
        out[name] = bool(out[name])
    out["seLinuxContext"] = dict(out["seLinuxContext"] or {})
    return out


CHART_3_240_0 = ProviderModel(
    modelled=(
        "providers.talos.enabled",
        "providers.gke.cos",
        "providers.gke.autopilot",
        "providers.flatcar.enabled",
        "providers.eks.ec2.useHostnameFromFile",
        "providers.aks.enabled",  # nothing in the node-Agent pod
        "agents.podSecurity.podSecurityPolicy.create",
        "agents.podSecurity.securityContextConstraints.create",
    ),
    chart_version="3.240.0",
    openshift_api="quota.openshift.io/v1/ClusterResourceQuota",
    allowlist_apis=AUTOPILOT_ALLOWLIST_APIS,
    allowlist_kube=AUTOPILOT_ALLOWLIST_KUBE,
    autopilot_socket="/var/run/containerd/containerd.sock",
    autopilot_host_root=AUTOPILOT_HOST_ROOT,
    compilation_volumes=("modules", "src", "runtime-compiler-output-dir", "kernel-headers-download-dir"),
    default_package_volumes=PACKAGE_DIRS,
    hostname_file="/var/lib/cloud/data/instance-id",
    scc_defaults=SccDefaults(
        capabilities=(
            "SYS_ADMIN",
            "SYS_RESOURCE",
            "SYS_PTRACE",
            "NET_ADMIN",
            "NET_BROADCAST",
            "NET_RAW",
            "IPC_LOCK",
            "CHOWN",
            "AUDIT_CONTROL",
            "AUDIT_READ",
            "DAC_READ_SEARCH",
            "MKNOD",
            "SYSLOG",
        ),
        volumes=("configMap", "downwardAPI", "emptyDir", "hostPath", "secret"),
        seccomp_profiles=("runtime/default", "localhost/system-probe"),
        se_linux_context={
            "rule": "MustRunAs",
            "seLinuxOptions": dict(SPC_T),
        },
    ),
)
# The chart version ddsecure targets; the model and the values plan read this one.
CHART_PROVIDERS = CHART_3_240_0
