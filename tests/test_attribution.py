"""Each privilege is blamed on the key that causes it, read off the chart model's conditions.

For every hostPath volume, container, capability, host port and hostPID cause the model can produce, a
file that starts from a minimal base and sets only the causing key(s) must get a privilege row naming
them, and SARIF must place the key's findings on the key's own line (in a wrapper: the wrapper's line).
"""

from __future__ import annotations

import io
import json

import pytest

from tui.cli import main
from tui.core.audit.audit import audit_input, key_lines, read_input
from tui.core.audit.sarif import line_for
from tui.core.chart.model import CAPABILITY_CAUSES, CONTAINERS, HOST_PID_TRIGGERS, HOST_VOLUMES

# The least the chart grants: no eBPF, no hostPID, no sockets.
BASE = {
    "datadog.apiKeyExistingSecret": "datadog-secret",
    "datadog.discovery.enabled": False,
    "datadog.useHostPID": False,
    "datadog.dogstatsd.useSocketVolume": False,
    "datadog.apm.socketEnabled": False,
}
NPM = {"datadog.networkMonitoring.enabled": True}
GPU = {"datadog.gpuMonitoring.enabled": True}
SBOM_LAYERS = {
    "datadog.sbom.containerImage.enabled": True,
    "datadog.sbom.containerImage.uncompressedLayersSupport": True,
}
PROFILER = {"datadog.hostProfiler.enabled": True}
COMPILE = {"datadog.systemProbe.enableOOMKill": True}
LOGS = {"datadog.logs.enabled": True}

# (what the privilege row starts with, the keys the file sets, the keys the row must name)
HOST_PATHS: dict[str, tuple[dict, tuple[str, ...]]] = {
    "pod-resources-socket": (GPU, tuple(GPU)),
    "gpu-devices": (GPU, tuple(GPU)),
    "host-systemd-transient": (
        {**GPU, "datadog.gpuMonitoring.configureCgroupPerms": True},
        ("datadog.gpuMonitoring.configureCgroupPerms",),
    ),
    "os-release-file": ({"datadog.osReleasePath": "/etc/os-release"}, ("datadog.osReleasePath",)),
    "etc-redhat-release": (NPM, tuple(NPM)),
    "etc-fedora-release": (NPM, tuple(NPM)),
    "etc-lsb-release": (NPM, tuple(NPM)),
    "etc-system-release": ({"datadog.sbom.host.enabled": True}, ("datadog.sbom.host.enabled",)),
    "dsdsocket": ({"datadog.dogstatsd.useSocketVolume": True}, ("datadog.dogstatsd.useSocketVolume",)),
    "kubelet-ca": ({"datadog.kubelet.hostCAPath": "/etc/kubernetes/ca.crt"}, ("datadog.kubelet.hostCAPath",)),
    "apmsocket": ({"datadog.apm.socketEnabled": True}, ("datadog.apm.socketEnabled",)),
    "host-profiler-seccomp-root": (PROFILER, tuple(PROFILER)),
    "tracingfs": (PROFILER, tuple(PROFILER)),
    "seccomp-root": (NPM, tuple(NPM)),
    "debugfs": (NPM, tuple(NPM)),
    "bpffs": (NPM, tuple(NPM)),
    "modules": (COMPILE, tuple(COMPILE)),
    "src": (COMPILE, tuple(COMPILE)),
    "runtime-compiler-output-dir": (COMPILE, tuple(COMPILE)),
    "kernel-headers-download-dir": (COMPILE, tuple(COMPILE)),
    "package-dirs": (COMPILE, tuple(COMPILE)),
    "btf-path": ({**NPM, "datadog.systemProbe.btfPath": "/sys/kernel/btf"}, ("datadog.systemProbe.btfPath",)),
    "passwd": ({"datadog.processAgent.processCollection": True}, ("datadog.processAgent.processCollection",)),
    "hostroot": ({"datadog.securityAgent.runtime.enabled": True}, ("datadog.securityAgent.runtime.enabled",)),
    "host-containerd-dir": (SBOM_LAYERS, tuple(SBOM_LAYERS)),
    "host-docker-dir": (SBOM_LAYERS, tuple(SBOM_LAYERS)),
    "host-crio-dir": (SBOM_LAYERS, tuple(SBOM_LAYERS)),
    "host-apk-dir": ({"datadog.sbom.host.enabled": True}, ("datadog.sbom.host.enabled",)),
    "host-dpkg-dir": ({"datadog.sbom.host.enabled": True}, ("datadog.sbom.host.enabled",)),
    "host-rpm-dir": ({"datadog.sbom.host.enabled": True}, ("datadog.sbom.host.enabled",)),
    "group": ({"datadog.securityAgent.compliance.enabled": True}, ("datadog.securityAgent.compliance.enabled",)),
    "runtimesocketdir": (
        {"datadog.containerRuntimeSupport.enabled": True, "datadog.criSocketPath": "/run/containerd/containerd.sock"},
        ("datadog.containerRuntimeSupport.enabled", "datadog.criSocketPath"),
    ),
    "logpodpath": (LOGS, tuple(LOGS)),
    "logscontainerspath": (LOGS, tuple(LOGS)),
    "logdockercontainerpath": (LOGS, tuple(LOGS)),
    "pointerdir": (LOGS, tuple(LOGS)),
}
ALWAYS = {"procdir", "cgroups"}  # the chart mounts them whatever the values say

CONTAINER_CASES: dict[str, tuple[dict, tuple[str, ...]]] = {
    "trace-agent": ({"datadog.apm.portEnabled": True}, ("datadog.apm.portEnabled",)),
    "process-agent": (NPM, tuple(NPM)),
    "system-probe": (NPM, tuple(NPM)),
    "seccomp-setup": (NPM, tuple(NPM)),
    "security-agent": (
        {"datadog.securityAgent.compliance.enabled": True},
        ("datadog.securityAgent.compliance.enabled",),
    ),
    "otel-agent": ({"datadog.otelCollector.enabled": True}, ("datadog.otelCollector.enabled",)),
    "host-profiler": (PROFILER, tuple(PROFILER)),
    "host-profiler-seccomp-setup": (PROFILER, tuple(PROFILER)),
    "agent-data-plane": ({"datadog.dataPlane.enabled": True}, ("datadog.dataPlane.enabled",)),
    "fips-proxy": ({"fips.enabled": True}, ("fips.enabled",)),
}
ALWAYS_CONTAINERS = {"agent", "init-volume", "init-config"}

CAPABILITY_CASES: dict[tuple[str, str], tuple[dict, tuple[str, ...]]] = {
    ("agent", "SYS_ADMIN"): (SBOM_LAYERS, tuple(SBOM_LAYERS)),
    ("agent", "MKNOD"): (GPU, tuple(GPU)),
    ("system-probe", "MKNOD"): (
        {**GPU, "datadog.gpuMonitoring.privilegedMode": True},
        ("datadog.gpuMonitoring.privilegedMode",),
    ),
    ("system-probe", "KILL"): (
        {"datadog.securityAgent.runtime.enabled": True, "datadog.securityAgent.runtime.enforcement.enabled": True},
        ("datadog.securityAgent.runtime.enforcement.enabled",),
    ),
    ("security-agent", "AUDIT_CONTROL"): (
        {"datadog.securityAgent.compliance.enabled": True},
        ("datadog.securityAgent.compliance.enabled",),
    ),
    ("security-agent", "AUDIT_READ"): (
        {"datadog.securityAgent.compliance.enabled": True},
        ("datadog.securityAgent.compliance.enabled",),
    ),
    ("system-probe", "NET_ADMIN"): (NPM, tuple(NPM)),
    ("host-profiler", "PERFMON"): (PROFILER, tuple(PROFILER)),
    ("agent", "NET_RAW"): (
        {"agents.containers.agent.securityContext": {"capabilities": {"add": ["NET_RAW"]}}},
        ("agents.containers.agent.securityContext",),
    ),
}

PORT_CASES: dict[str, tuple[dict, tuple[str, ...]]] = {
    "hostPort 8125": ({"datadog.dogstatsd.useHostPort": True}, ("datadog.dogstatsd.useHostPort",)),
    "hostPort 8126": ({"datadog.apm.portEnabled": True}, ("datadog.apm.portEnabled",)),
    "hostPort 8126 (trace-agent)": ({"datadog.apm.enabled": True}, ("datadog.apm.enabled",)),
    "hostPort 4317": (
        {"datadog.otlp.receiver.protocols.grpc.enabled": True},
        ("datadog.otlp.receiver.protocols.grpc.enabled",),
    ),
    "hostPort 4318": (
        {"datadog.otlp.receiver.protocols.http.enabled": True},
        ("datadog.otlp.receiver.protocols.http.enabled",),
    ),
    "hostPort 9999": (
        {"agents.containers.agent.ports": [{"containerPort": 9999, "hostPort": 9999, "name": "x", "protocol": "TCP"}]},
        ("agents.containers.agent.ports",),
    ),
}

HOST_PID_CASES: dict[str, dict] = {
    "datadog.securityAgent.compliance.enabled": {"datadog.securityAgent.compliance.enabled": True},
    "datadog.hostProfiler.enabled": PROFILER,
    "datadog.sbom.enrichment.usage.enabled": {"datadog.sbom.enrichment.usage.enabled": True},
    "datadog.dogstatsd.useHostPID": {"datadog.dogstatsd.useHostPID": True},
    "datadog.useHostPID": {"datadog.useHostPID": True},
}


def _text(settings: dict) -> str:
    """A values file with these dotted settings on top of BASE, one key per line (lists and maps in flow)."""
    tree: dict = {}
    for dotted, value in {**BASE, **settings}.items():
        node = tree
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    def lines(node: dict, indent: int) -> list[str]:
        out = []
        for key, value in node.items():
            if isinstance(value, dict) and not (key == "securityContext" and indent > 4):
                out.append(" " * indent + f"{key}:")
                out += lines(value, indent + 2)
            else:
                out.append(" " * indent + f"{key}: {json.dumps(value)}")
        return out

    return "# values\n" + "\n".join(lines(tree, 0)) + "\n"


def _line(text: str, dotted: str) -> int:
    """The line where `dotted` is written, found by walking the text's indentation."""
    parts, depth, number = dotted.split("."), 0, 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(f"{parts[depth]}:") and len(line) - len(line.lstrip()) == 2 * depth:
            depth += 1
            if depth == len(parts):
                return number
    raise AssertionError(f"{dotted} not in the file")


def _check(settings: dict, starts: str, keys: tuple[str, ...], tmp_path) -> None:
    text = _text(settings)
    given = read_input(text, "values.yaml")
    report = audit_input(given)
    rows = [p for p in report.privileges if p.what.startswith(starts)]
    assert rows, (starts, [p.what for p in report.privileges])
    for key in keys:
        assert any(key in row.keys for row in rows), (starts, key, [(r.what, r.keys) for r in rows])
        assert any(key in causes for what, causes in report.ledger["causes"].items() if what.startswith(starts))
    # SARIF: every result pointing at a causing key sits on that key's line
    path = tmp_path / "values.yaml"
    path.write_text(text)
    out = io.StringIO()
    main(["audit", str(path), "--format", "sarif"], out=out, err=io.StringIO())
    results = json.loads(out.getvalue())["runs"][0]["results"]
    lines = key_lines(text, given)
    for key in keys:
        assert line_for(lines, key) == _line(text, key)
        for result in results:
            if result["properties"]["key"] == key:
                assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == _line(text, key)


def test_every_volume_container_and_capability_of_the_model_has_a_case():
    volumes = {v.name for v in HOST_VOLUMES if v.path is not None or v.name == "package-dirs"}
    assert volumes - ALWAYS == set(HOST_PATHS)
    assert {c.name for c in CONTAINERS} - ALWAYS_CONTAINERS == set(CONTAINER_CASES)
    assert set(CAPABILITY_CAUSES) <= set(CAPABILITY_CASES)
    assert {t.key for t in HOST_PID_TRIGGERS} == set(HOST_PID_CASES)


def _volume_row(volume: str, settings: dict) -> str:
    """The privilege row of a volume: 'hostPath PATH'."""
    from tui.core.chart.model import render_pod

    pod = render_pod(read_input(_text(settings), "v").values)
    wanted = [
        v for v in pod["volumes"] if v["name"] == volume or (volume == "package-dirs" and v["name"] == "apt-config-dir")
    ]
    assert wanted, volume
    return f"hostPath {wanted[0]['hostPath']['path']} "


@pytest.mark.parametrize("volume", sorted(HOST_PATHS))
def test_each_host_path_names_its_cause(volume, tmp_path):
    settings, keys = HOST_PATHS[volume]
    _check(settings, _volume_row(volume, settings), keys, tmp_path)


@pytest.mark.parametrize("container", sorted(CONTAINER_CASES))
def test_each_container_names_its_cause(container, tmp_path):
    settings, keys = CONTAINER_CASES[container]
    _check(settings, f"container {container}", keys, tmp_path)


@pytest.mark.parametrize("case", sorted(CAPABILITY_CASES), ids="-".join)
def test_each_capability_names_its_cause(case, tmp_path):
    settings, keys = CAPABILITY_CASES[case]
    container, capability = case
    text = _text(settings)
    report = audit_input(read_input(text, "values.yaml"))
    assert any(p.what.startswith(f"capabilities {container}:") and capability in p.what for p in report.privileges)
    _check(settings, f"capabilities {container}:", keys, tmp_path)


@pytest.mark.parametrize("port", sorted(PORT_CASES))
def test_each_host_port_names_its_cause(port, tmp_path):
    settings, keys = PORT_CASES[port]
    _check(settings, port, keys, tmp_path)


@pytest.mark.parametrize("key", sorted(HOST_PID_CASES))
def test_each_host_pid_cause_is_named(key, tmp_path):
    _check(HOST_PID_CASES[key], "hostPID", (key,), tmp_path)


def test_the_always_mounted_paths_blame_the_chart_not_a_feature():
    report = audit_input(read_input(_text({}), "values.yaml"))
    for path in ("/proc", "/sys/fs/cgroup"):
        row = next(p for p in report.privileges if p.what.startswith(f"hostPath {path} "))
        assert row.keys == () and row.source == "chart"


def test_inside_a_wrapper_the_line_is_the_wrapper_files(tmp_path):
    text = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: datadog\nspec:\n"
        "  chart:\n    spec:\n      chart: datadog\n      version: 3.240.0\n  values:\n    datadog:\n"
        "      apiKeyExistingSecret: s\n      dogstatsd:\n        useSocketVolume: true\n"
    )
    path = tmp_path / "release.yaml"
    path.write_text(text)
    out = io.StringIO()
    main(["audit", str(path), "--format", "sarif"], out=out, err=io.StringIO())
    results = json.loads(out.getvalue())["runs"][0]["results"]
    rw = next(r for r in results if r["ruleId"] == "host-path-rw")
    assert rw["properties"]["key"] == "datadog.dogstatsd.useSocketVolume"
    assert rw["locations"][0]["physicalLocation"]["region"]["startLine"] == 14


def test_a_k3s_literal_block_counts_lines_in_the_wrapper(tmp_path):
    text = (
        "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: datadog\nspec:\n  chart: datadog\n"
        "  valuesContent: |-\n    datadog:\n      apiKeyExistingSecret: s\n      dogstatsd:\n"
        "        useSocketVolume: true\n"
    )
    given = read_input(text, "chart.yaml")
    assert key_lines(text, given)["datadog.dogstatsd.useSocketVolume"] == 11


@pytest.mark.parametrize(
    "name",
    [
        "helmfile.yaml",
        "argocd-valuesobject.yaml",
        "argocd-values-string.yaml",
        "kustomize-helmcharts.yaml",
        "k3s-helmchart.yaml",
        "flux-helmrelease.yaml",
    ],
)
def test_every_values_key_of_a_wrapper_has_its_line_in_the_wrapper_file(name):
    from pathlib import Path

    text = (Path(__file__).parent / "fix_corpus" / name).read_text()
    lines = key_lines(text, read_input(text, name))
    assert lines
    written = text.splitlines()
    for dotted, line in lines.items():
        assert written[line - 1].strip().removeprefix("- ").startswith(dotted.rsplit(".", 1)[-1] + ":"), (dotted, line)
