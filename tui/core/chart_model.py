"""A model of what datadog/datadog 3.240.0 renders for the node-Agent DaemonSet's pod.

Only what decides privileges is modelled: which containers exist, the pod and container security
contexts, hostPID/hostNetwork, host ports, and every hostPath volume with its mounts. The shape is
the Kubernetes pod spec, so the same code (the DaemonSet patch, the ledger, Pod Security checks)
works on this prediction and on a real `helm template` output alike. The integration tests compare
the two with real helm.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping
from typing import Any

from tui.core.agent_version import chart_tag_at_least
from tui.core.chart_defaults import CHART_DEFAULTS, DEFAULT_AGENT_TAG
from tui.core.chart_providers import CHART_PROVIDERS
from tui.core.cluster import ANY_CLUSTER, Cluster
from tui.core.dotted import lookup

PodSpec = dict[str, Any]


def coalesce(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge values the way helm does: maps merge key by key, a null deletes, anything else replaces.

    New maps are built along merged paths only; untouched subtrees are shared, not copied, because
    nothing downstream mutates a values tree (the render copies what it puts into the pod).
    """
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


def effective_values(user_values: Mapping[str, Any]) -> dict[str, Any]:
    return coalesce(CHART_DEFAULTS, user_values)


class _Values:
    """Dotted, nil-safe reads of a values tree, like `.Values.a.b` in a template."""

    def __init__(self, tree: Mapping[str, Any]):
        self.tree = tree

    def get(self, dotted: str, default: Any = None) -> Any:
        value = lookup(self.tree, dotted)
        return default if value is None else value

    def on(self, dotted: str) -> bool:
        """Go template truthiness: false, 0, "", empty collections and nil are false."""
        return bool(self.get(dotted))


def agent_version_of(values: _Values) -> str:
    tag = str(values.get("agents.image.tag", DEFAULT_AGENT_TAG))
    tag = tag.removesuffix("-jmx")
    if tag in ("7", "latest"):
        return DEFAULT_AGENT_TAG
    return tag


def version_at_least(values: _Values, floor: str) -> bool:
    """`semverCompare ">=floor"` on the agent tag; unparsable tags count as newest, like the chart."""
    if values.on("agents.image.doNotCheckTag"):
        return True
    return chart_tag_at_least(agent_version_of(values), floor)


# --- the chart's switches ------------------------------------------------------------------------


class NodeAgentChart:
    """The chart's helper predicates, named as in its `_helpers.tpl`."""

    def __init__(self, user_values: Mapping[str, Any]):
        self.v = _Values(effective_values(user_values))

    # features
    def discovery(self) -> bool:
        explicit = self.v.tree.get("datadog", {}).get("discovery", {}).get("enabled")
        if explicit is not None:
            return bool(explicit)
        return version_at_least(self.v, "7.78.0-0")

    def cws(self) -> bool:
        return self.v.on("datadog.securityAgent.runtime.enabled")

    def compliance(self) -> bool:
        return self.v.on("datadog.securityAgent.compliance.enabled") and not self.v.on(
            "datadog.securityAgent.compliance.runInSystemProbe"
        )

    def system_probe(self) -> bool:
        v = self.v
        return any(
            (
                self.cws(),
                v.on("datadog.networkMonitoring.enabled"),
                v.on("datadog.systemProbe.enableTCPQueueLength"),
                v.on("datadog.systemProbe.enableOOMKill"),
                v.on("datadog.serviceMonitoring.enabled"),
                v.on("datadog.traceroute.enabled"),
                self.discovery(),
                v.on("datadog.discovery.serviceMap.enabled"),
                v.on("datadog.gpuMonitoring.enabled") and v.on("datadog.gpuMonitoring.privilegedMode"),
                v.on("datadog.dynamicInstrumentationGo.enabled"),
                v.on("datadog.securityAgent.compliance.enabled")
                and v.on("datadog.securityAgent.compliance.runInSystemProbe"),
                v.on("datadog.sbom.enrichment.usage.enabled"),
            )
        )

    def security_agent(self) -> bool:
        cws_in_sa = self.cws() and not self.v.on("datadog.securityAgent.runtime.directSendFromSystemProbe")
        return self.compliance() or cws_in_sa

    def runtime_compilation(self) -> bool:
        v = self.v
        return (
            v.on("datadog.systemProbe.enableTCPQueueLength")
            or v.on("datadog.systemProbe.enableOOMKill")
            or v.on("datadog.serviceMonitoring.enabled")
            or (self.discovery() and v.on("datadog.discovery.networkStats.enabled"))
        )

    def process_checks(self) -> bool:
        v = self.v
        language_detection = v.on("datadog.apm.instrumentation.enabled") and v.on(
            "datadog.apm.instrumentation.language_detection.enabled"
        )
        return any(
            (
                v.on("datadog.processAgent.containerCollection"),
                v.on("datadog.processAgent.processCollection"),
                v.on("datadog.processAgent.processDiscovery"),
                language_detection,
            )
        )

    def process_checks_in_core_agent(self) -> bool:
        return version_at_least(self.v, "7.60.0-0")

    def process_agent(self) -> bool:
        v = self.v
        if v.on("datadog.networkMonitoring.enabled") or v.on("datadog.serviceMonitoring.enabled"):
            return True
        orchestrator = v.on("datadog.orchestratorExplorer.enabled") and v.on("clusterAgent.enabled")
        if not v.on("agents.image.doNotCheckTag") and orchestrator and not version_at_least(v, "7.51.0"):
            return True
        if self.process_checks_in_core_agent():
            return False
        return self.process_checks()

    def apm_uds(self) -> bool:
        return self.v.on("datadog.apm.socketEnabled") or self.v.on("datadog.apm.useSocketVolume")

    def apm_host_port(self) -> bool:
        return self.v.on("datadog.apm.portEnabled") or self.v.on("datadog.apm.enabled")

    def apm_local_service(self) -> bool:
        return self.v.on("datadog.apm.useLocalService") or self.apm_host_port()

    def trace_agent(self) -> bool:
        return self.apm_uds() or self.apm_host_port() or self.apm_local_service()

    def host_pid(self) -> bool:
        v = self.v
        return any(
            (
                self.compliance(),
                v.on("datadog.hostProfiler.enabled"),
                v.on("datadog.dogstatsd.useHostPID"),
                v.on("datadog.useHostPID"),
                v.on("datadog.sbom.enrichment.usage.enabled"),
            )
        )

    def agent_is_root(self) -> bool:
        user = self.v.get("datadog.securityContext.runAsUser")
        return not user or str(user) == "0"

    def passwd_allowed(self) -> bool:
        return self.agent_is_root() and not self.v.on("datadog.disablePasswdMount")

    def os_release_paths(self) -> bool:
        return self.v.on("datadog.systemProbe.enableDefaultOsReleasePaths") and not self.v.on(
            "datadog.disableDefaultOsReleasePaths"
        )

    def os_release_file(self) -> str:
        return str(self.v.get("datadog.systemProbe.osReleasePath") or self.v.get("datadog.osReleasePath") or "")

    def runtime_socket(self) -> str:
        v = self.v
        return str(v.get("datadog.dockerSocketPath") or v.get("datadog.criSocketPath") or "/var/run/docker.sock")

    def logs(self) -> bool:
        return self.v.on("datadog.logs.enabled") or self.v.on("datadog.logsEnabled")


# --- the render ----------------------------------------------------------------------------------


def _host_path(name: str, path: str, type_: str | None = None) -> dict[str, Any]:
    host: dict[str, Any] = {"path": path}
    if type_:
        host["type"] = type_
    return {"name": name, "hostPath": host}


def _mount(name: str, path: str, read_only: bool) -> dict[str, Any]:
    return {"name": name, "mountPath": path, "readOnly": read_only}


def _security_context(base: Any, *, add: tuple[str, ...] = (), seccomp: str = "", apparmor: str = "") -> Any:
    """The chart's generate-security-context: the given block, extra capabilities, profiles."""
    context: dict[str, Any] = dict(copy.deepcopy(base)) if isinstance(base, Mapping) else {}
    if add:
        caps = dict(context.get("capabilities") or {})
        caps["add"] = list(caps.get("add") or []) + list(add)
        context["capabilities"] = caps
    if seccomp.startswith("localhost/"):
        context["seccompProfile"] = {"type": "Localhost", "localhostProfile": seccomp.removeprefix("localhost/")}
    elif seccomp == "runtime/default":
        context["seccompProfile"] = {"type": "RuntimeDefault"}
    elif seccomp == "unconfined":
        context["seccompProfile"] = {"type": "Unconfined"}
    if apparmor:
        profile = (
            {"type": "Unconfined"}
            if apparmor == "unconfined"
            else {"type": "RuntimeDefault"}
            if apparmor == "runtime/default"
            else {"type": "Localhost", "localhostProfile": apparmor.removeprefix("localhost/")}
        )
        context["appArmorProfile"] = profile
    return context or None


def render_pod(user_values: Mapping[str, Any], cluster: Cluster = ANY_CLUSTER) -> PodSpec:
    """The node-Agent pod spec (privilege-relevant parts) that the chart renders for these values,
    on a cluster whose API server reports `cluster`."""
    chart = NodeAgentChart(user_values)
    v = chart.v
    sp, sa, pa, ta = chart.system_probe(), chart.security_agent(), chart.process_agent(), chart.trace_agent()
    runtime_dir = posixpath.dirname(chart.runtime_socket())
    runtime_on = v.on("datadog.containerRuntimeSupport.enabled")
    runtime_mount = [_mount("runtimesocketdir", posixpath.normpath("/host/" + runtime_dir), True)] if runtime_on else []
    dsd_dir = posixpath.dirname(str(v.get("datadog.dogstatsd.socketPath")))
    apm_dir = posixpath.dirname(str(v.get("datadog.apm.socketPath")))
    os_release = chart.os_release_file()
    passwd = chart.passwd_allowed()
    logs = chart.logs()
    cri_set = bool(v.get("datadog.criSocketPath"))
    seccomp_setup = sp and v.get("datadog.systemProbe.seccomp") == "localhost/system-probe"
    proc = _mount("procdir", "/host/proc", True)
    cgroups = _mount("cgroups", "/host/sys/fs/cgroup", True)
    release_mounts = [
        _mount(f"etc-{name}-release", f"/host/etc/{name}-release", True)
        for name in ("redhat", "fedora", "lsb")
        if chart.os_release_paths() and v.get("datadog.osReleasePath") != f"/etc/{name}-release"
    ]

    # volumes, in the chart's order
    volumes: list[dict[str, Any]] = [_host_path("procdir", "/proc"), _host_path("cgroups", "/sys/fs/cgroup")]
    if os_release:
        volumes.append(_host_path("os-release-file", os_release))
    if chart.os_release_paths() and sp:
        volumes += [_host_path(f"etc-{n}-release", f"/etc/{n}-release") for n in ("redhat", "fedora", "lsb", "system")]
    if v.on("datadog.dogstatsd.useSocketVolume"):
        volumes.append(_host_path("dsdsocket", str(v.get("datadog.dogstatsd.hostSocketPath")), "DirectoryOrCreate"))
    else:
        volumes.append({"name": "dsdsocket", "emptyDir": {}})
    if chart.apm_uds():
        volumes.append(_host_path("apmsocket", str(v.get("datadog.apm.hostSocketPath")), "DirectoryOrCreate"))
    if sp:
        if seccomp_setup:
            volumes.append(_host_path("seccomp-root", str(v.get("datadog.systemProbe.seccompRoot"))))
        volumes.append(_host_path("debugfs", "/sys/kernel/debug"))
        if v.on("datadog.networkMonitoring.enabled"):
            volumes.append(_host_path("bpffs", "/sys/fs/bpf"))
        if chart.runtime_compilation() and v.on("datadog.systemProbe.enableDefaultKernelHeadersPaths"):
            volumes += [_host_path("modules", "/lib/modules"), _host_path("src", "/usr/src")]
        if chart.runtime_compilation():
            asset_dir = str(v.get("datadog.systemProbe.runtimeCompilationAssetDir"))
            volumes += [
                _host_path("runtime-compiler-output-dir", f"{asset_dir}/build", "DirectoryOrCreate"),
                _host_path("kernel-headers-download-dir", f"{asset_dir}/kernel-headers", "DirectoryOrCreate"),
            ]
            volumes += [_host_path(n, p) for n, p in _package_dirs(v)]
    needs_passwd = chart.cws() or chart.process_checks() or chart.process_checks_in_core_agent() or sp or sa
    if passwd and needs_passwd:
        volumes.append(_host_path("passwd", "/etc/passwd"))
    hostroot = (
        sp and (chart.cws() or v.on("datadog.serviceMonitoring.enabled") or v.on("datadog.gpuMonitoring.enabled"))
    ) or (sa and v.on("datadog.securityAgent.compliance.enabled"))
    if hostroot:
        volumes.append(_host_path("hostroot", "/"))
    if chart.cws() or v.on("datadog.securityAgent.compliance.enabled"):
        volumes.append(_host_path("group", "/etc/group"))
    if runtime_on:
        volumes.append(_host_path("runtimesocketdir", runtime_dir))
    if logs:
        volumes.append(_host_path("logpodpath", str(v.get("datadog.kubelet.podLogsPath") or "/var/log/pods")))
        volumes.append(_host_path("logscontainerspath", "/var/log/containers"))
        if not cri_set:
            volumes.append(_host_path("logdockercontainerpath", "/var/lib/docker/containers"))
        volumes.append(_host_path("pointerdir", "/var/lib/datadog-agent/logs"))
    else:
        volumes.append({"name": "datadogrun", "emptyDir": {}})

    init_context = _security_context(v.get("agents.containers.initContainers.securityContext"))
    init_containers: list[dict[str, Any]] = [
        {"name": "init-volume", "volumeMounts": []},
        {"name": "init-config", "volumeMounts": [proc, *runtime_mount]},
    ]
    if seccomp_setup:
        init_containers.append(
            {"name": "seccomp-setup", "volumeMounts": [_mount("seccomp-root", "/host/var/lib/kubelet/seccomp", False)]}
        )
    for init in init_containers:
        if init_context:
            init["securityContext"] = copy.deepcopy(init_context)

    # containers
    agent_mounts = []
    if os_release:
        agent_mounts.append(_mount("os-release-file", "/host" + os_release, True))
    agent_mounts += [*runtime_mount, _mount("dsdsocket", dsd_dir, False), proc, cgroups]
    if passwd and chart.process_checks() and chart.process_checks_in_core_agent():
        agent_mounts.append(_mount("passwd", "/etc/passwd", True))
    if logs:
        agent_mounts += [
            _mount("pointerdir", "/opt/datadog-agent/run", False),
            _mount("logpodpath", "/var/log/pods", True),
            _mount("logscontainerspath", "/var/log/containers", True),
        ]
        if not cri_set:
            agent_mounts.append(_mount("logdockercontainerpath", "/var/lib/docker/containers", True))
    else:
        agent_mounts.append({"name": "datadogrun", "mountPath": "/opt/datadog-agent/run"})
    dsd_port: dict[str, Any] = {
        "containerPort": int(v.get("datadog.dogstatsd.port", 8125)),
        "name": "dogstatsdport",
        "protocol": "UDP",
    }
    if v.on("datadog.dogstatsd.useHostPort"):
        dsd_port["hostPort"] = dsd_port["containerPort"]
    agent: dict[str, Any] = {"name": "agent", "ports": [dsd_port], "volumeMounts": agent_mounts}
    agent_context = _security_context(v.get("agents.containers.agent.securityContext"))
    if agent_context:
        agent["securityContext"] = agent_context
    env = v.get("agents.containers.agent.env") or []
    if env:
        agent["env"] = copy.deepcopy(env)
    containers = [agent]

    if ta:
        ta_mounts = [proc, cgroups, _mount("dsdsocket", dsd_dir, False)]
        if chart.apm_uds() and dsd_dir != apm_dir:
            ta_mounts.append(_mount("apmsocket", apm_dir, False))
        ta_mounts += runtime_mount
        apm_port: dict[str, Any] = {
            "containerPort": int(v.get("datadog.apm.port", 8126)),
            "name": "traceport",
            "protocol": "TCP",
        }
        if chart.apm_host_port():
            apm_port["hostPort"] = apm_port["containerPort"]
        containers.append(
            _with_context(
                {"name": "trace-agent", "ports": [apm_port], "volumeMounts": ta_mounts},
                _security_context(v.get("agents.containers.traceAgent.securityContext")),
            )
        )
    if pa:
        pa_mounts = [_mount("dsdsocket", dsd_dir, True)]
        if os_release and (sp or v.get("datadog.osReleasePath")):
            pa_mounts.append(_mount("os-release-file", "/host" + os_release, True))
        pa_mounts += [*runtime_mount, cgroups]
        process_features = ("processCollection", "processDiscovery", "containerCollection")
        if passwd and any(v.on(f"datadog.processAgent.{f}") for f in process_features):
            pa_mounts.append(_mount("passwd", "/etc/passwd", True))
        pa_mounts.append(proc)
        containers.append(
            _with_context(
                {"name": "process-agent", "volumeMounts": pa_mounts},
                _security_context(v.get("agents.containers.processAgent.securityContext")),
            )
        )
    if sp:
        containers.append(_system_probe(chart, release_mounts, os_release, passwd, hostroot))
    if sa:
        sa_mounts = [_mount("dsdsocket", dsd_dir, False)]
        if chart.compliance():
            sa_mounts.append(cgroups)
            if passwd:
                sa_mounts.append(_mount("passwd", "/etc/passwd", True))
            sa_mounts += [_mount("group", "/etc/group", True), _mount("hostroot", "/host/root", True), proc]
        if os_release and (sp or v.get("datadog.osReleasePath")):
            sa_mounts.append(_mount("os-release-file", "/host" + os_release, True))
        sa_mounts += runtime_mount
        containers.append(
            _with_context(
                {"name": "security-agent", "volumeMounts": sa_mounts},
                _security_context(
                    v.get("agents.containers.securityAgent.securityContext"),
                    add=("AUDIT_CONTROL", "AUDIT_READ") if chart.compliance() else (),
                ),
            )
        )

    pod: PodSpec = {}
    pod_context = v.get("datadog.securityContext")
    if pod_context:
        pod["securityContext"] = copy.deepcopy(pod_context)
    if v.on("agents.useHostNetwork"):
        pod["hostNetwork"] = True
    if chart.host_pid():
        pod["hostPID"] = True
    pod["containers"] = containers
    pod["initContainers"] = init_containers
    pod["volumes"] = volumes
    return CHART_PROVIDERS.finish(pod, v.tree, cluster, render_pod)


def _with_context(container: dict[str, Any], context: Any) -> dict[str, Any]:
    if context:
        container["securityContext"] = context
    return container


def _package_dirs(v: _Values) -> list[tuple[str, str]]:
    custom = v.get("datadog.systemProbe.mountPackageManagementDirs") or []
    if custom:
        return [(str(d.get("name")), str(d.get("hostPath"))) for d in custom if isinstance(d, Mapping)]
    return [
        ("apt-config-dir", "/etc/apt"),
        ("yum-repos-dir", "/etc/yum.repos.d"),
        ("opensuse-repos-dir", "/etc/zypp"),
        ("public-key-dir", "/etc/pki"),
        ("yum-vars-dir", "/etc/yum/vars"),
        ("dnf-vars-dir", "/etc/dnf/vars"),
        ("rhel-subscription-dir", "/etc/rhsm"),
    ]


def _system_probe(
    chart: NodeAgentChart, release_mounts: list[dict[str, Any]], os_release: str, passwd: bool, hostroot: bool
) -> dict[str, Any]:
    v = chart.v
    mounts = [_mount("debugfs", "/sys/kernel/debug", False)]
    if v.on("datadog.networkMonitoring.enabled"):
        mounts.append(_mount("bpffs", "/sys/fs/bpf", True))
    mounts.append(_mount("procdir", "/host/proc", True))
    cgroup_features = (
        chart.cws()
        or v.on("datadog.serviceMonitoring.enabled")
        or v.on("datadog.networkMonitoring.enabled")
        or chart.discovery()
        or (v.on("datadog.gpuMonitoring.enabled") and v.on("datadog.gpuMonitoring.privilegedMode"))
        or v.on("datadog.sbom.enrichment.usage.enabled")
    )
    if cgroup_features:
        mounts.append(_mount("cgroups", "/host/sys/fs/cgroup", True))
    if chart.cws():
        if passwd:
            mounts.append(_mount("passwd", "/etc/passwd", True))
        mounts.append(_mount("group", "/etc/group", True))
    if os_release:
        mounts.append(_mount("os-release-file", "/host" + os_release, True))
    mounts += release_mounts
    if hostroot:
        mounts.append(_mount("hostroot", "/host/root", True))
    if chart.runtime_compilation():
        if v.on("datadog.systemProbe.enableDefaultKernelHeadersPaths"):
            mounts += [_mount("modules", "/lib/modules", True), _mount("src", "/usr/src", True)]
        asset_dir = str(v.get("datadog.systemProbe.runtimeCompilationAssetDir"))
        mounts += [
            _mount("runtime-compiler-output-dir", f"{asset_dir}/build", False),
            _mount("kernel-headers-download-dir", f"{asset_dir}/kernel-headers", False),
        ]
        mounts += [_mount(name, "/host" + path, True) for name, path in _package_dirs(v)]
    kill = chart.cws() and v.on("datadog.securityAgent.runtime.enforcement.enabled")
    apparmor = str(v.get("datadog.systemProbe.apparmor") or "") if v.on("agents.podSecurity.apparmor.enabled") else ""
    context = _security_context(
        v.get("agents.containers.systemProbe.securityContext"),
        add=("KILL",) if kill else (),
        seccomp=str(v.get("datadog.systemProbe.seccomp") or ""),
        apparmor=apparmor,
    )
    return _with_context({"name": "system-probe", "volumeMounts": mounts}, context)
