"""`generate --base` and `audit --fix` write only objects the API server admits, or refuse with one line.

The user's file makes a container privileged or adds CAP_SYS_ADMIN: the hardening that would contradict
it (allowPrivilegeEscalation: false) is not written and REPORT.md says why. A file whose own pod would
be refused (a hostPort other than its containerPort under hostNetwork, a privileged Cluster Agent that
keeps the chart's allowPrivilegeEscalation: false) is refused: exit 2, one line, nothing written.
The checks read the written files, with the real chart when DDSECURE_CHART_DIR is set.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.audit.values_audit import audit_values
from tui.core.output.bundle import KUSTOMIZATION, REPORT, VALUES
from tui.core.pod.api_rules import violations
from tui.exit_codes import EXIT_USAGE

from api_validity import api_problems
from bundle_helpers import helm_template, load_yaml, read_bundle

PRIVILEGED_AGENT = "agents:\n  containers:\n    agent:\n      securityContext:\n        privileged: true\n"
SYS_ADMIN_AGENT = (
    "agents:\n  containers:\n    agent:\n      securityContext:\n"
    "        capabilities:\n          add: [CAP_SYS_ADMIN]\n"
)
PRIVILEGED_SYSTEM_PROBE = (
    "datadog:\n  networkMonitoring:\n    enabled: true\n"
    "agents:\n  containers:\n    systemProbe:\n      securityContext:\n        privileged: true\n"
)
HOST_NETWORK_PORTS = (
    "agents:\n  useHostNetwork: true\ndatadog:\n  dogstatsd:\n    useHostPort: true\n  apm:\n    portEnabled: true\n"
)
# (file, preset for --base, the container whose hardening is left out, or None when nothing clashes)
VALID_CASES = [
    ("privileged-agent", PRIVILEGED_AGENT, "minimal-metrics", "agent"),
    ("sys-admin-agent", SYS_ADMIN_AGENT, "minimal-metrics", "agent"),
    ("privileged-system-probe", PRIVILEGED_SYSTEM_PROBE, "everything-hardened", "system-probe"),
    ("host-network-ports", HOST_NETWORK_PORTS, "minimal-metrics", None),
]
REFUSED_CASES = [
    (
        "host-port-differs",
        "agents:\n  useHostNetwork: true\n  containers:\n    agent:\n      ports:\n"
        "      - {containerPort: 9000, hostPort: 9001, name: custom}\n",
        "hostPort 9001 differs from containerPort 9000 under hostNetwork",
    ),
    (
        "privileged-cluster-agent",
        "clusterAgent:\n  containers:\n    clusterAgent:\n      securityContext:\n        privileged: true\n",
        "Cluster Agent pod",
    ),
    (
        "escalation-and-privileged",
        "agents:\n  containers:\n    agent:\n      securityContext:\n"
        "        privileged: true\n        allowPrivilegeEscalation: false\n",
        "contradicts privileged: true",
    ),
]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return path


def _bundle(command: str, tmp_path: Path, text: str, preset: str) -> dict[str, str]:
    out = tmp_path / "out"
    if command == "base":
        code, _, err = cli("generate", "--preset", preset, "--base", str(_write(tmp_path, text)), "-o", str(out))
    else:
        code, _, err = cli("audit", str(_write(tmp_path, text)), "--fix", "-o", str(out))
    assert err == "" and code in (0, 1), err
    return read_bundle(out)


def _model_pod(files: dict[str, str]) -> dict:
    from tui.core.deployment import Deployment
    from tui.core.pod.strategic_merge import apply_patch

    pod = Deployment.of_values(load_yaml(files[VALUES]) or {}).values_pod
    if "daemonset-overrides.yaml" in files:
        pod = apply_patch(pod, load_yaml(files["daemonset-overrides.yaml"])["spec"]["template"]["spec"])
    return pod


@pytest.mark.parametrize("command", ["base", "fix"])
@pytest.mark.parametrize(("name", "text", "preset", "clash"), VALID_CASES, ids=[c[0] for c in VALID_CASES])
def test_written_bundle_is_valid_and_says_what_was_left_out(command, name, text, preset, clash, tmp_path):
    files = _bundle(command, tmp_path, text, preset)
    assert violations(_model_pod(files)) == []
    if command == "base" and clash is not None:
        section = files[REPORT].split("## Hardening left out: the API server would refuse it", 1)[1]
        assert f"containers[{clash}].securityContext: allowPrivilegeEscalation: false contradicts" in section
    if clash is not None:
        assert "privileged: true" in files[VALUES] or "CAP_SYS_ADMIN" in files[VALUES]  # the user's own, kept


def test_without_a_clash_the_report_has_no_such_section(tmp_path):
    files = _bundle("base", tmp_path, "datadog:\n  logs:\n    enabled: true\n", "minimal-metrics")
    assert "Hardening left out" not in files[REPORT]
    assert "allowPrivilegeEscalation: false" in files[VALUES]


@pytest.mark.parametrize("command", ["base", "fix"])
@pytest.mark.parametrize(("name", "text", "preset", "clash"), VALID_CASES, ids=[c[0] for c in VALID_CASES])
def test_written_bundle_renders_to_admitted_objects(command, name, text, preset, clash, chart_tools, tmp_path):
    files = _bundle(command, tmp_path, text, preset)
    out = tmp_path / "out"
    answers = load_yaml(files.get("answers.yaml", "")) or {}
    version = str(answers.get("kubernetes_version", "1.33"))
    flags = ("--kube-version", f"v{version}.0")
    rendered = helm_template(chart_tools, "datadog", "datadog", out / VALUES, flags)
    if KUSTOMIZATION in files:
        (out / "rendered.yaml").write_text(rendered)
        result = subprocess.run([chart_tools[2], "kustomize", str(out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        rendered = result.stdout
    from ruamel.yaml import YAML

    documents = [d for d in YAML(typ="safe", pure=True).load_all(rendered) if d]
    assert api_problems(documents, version) == []


@pytest.mark.parametrize("command", ["base", "fix"])
@pytest.mark.parametrize(("name", "text", "why"), REFUSED_CASES, ids=[c[0] for c in REFUSED_CASES])
def test_an_invalid_file_is_refused_in_one_line_and_nothing_is_written(command, name, text, why, tmp_path):
    out = tmp_path / "out"
    path = _write(tmp_path, text)
    if command == "base":
        code, stdout, err = cli("generate", "--preset", "minimal-metrics", "--base", str(path), "-o", str(out))
    else:
        code, stdout, err = cli("audit", str(path), "--fix", "-o", str(out))
    assert code == EXIT_USAGE
    assert len(err.strip().splitlines()) == 1 and why in err and "nothing written" in err
    assert "Traceback" not in err + stdout
    assert not out.exists()


@pytest.mark.parametrize(("name", "text", "why"), REFUSED_CASES, ids=[c[0] for c in REFUSED_CASES])
def test_audit_reports_an_invalid_file_as_a_high_finding(name, text, why, tmp_path):
    report = audit_values(load_yaml(text), "mine.yaml")
    refused = [f for f in report.findings if f.id == "pod-refused"]
    assert [f.severity for f in refused] == ["high"] and why in refused[0].message
    code, out, _ = cli("audit", str(_write(tmp_path, text)))
    assert code == 1 and "[pod-refused]" in out


# --- manifests: a rendered or live workload the API server would refuse is a high finding -----------


def _daemonset(security_context: dict) -> dict:
    containers = [{"name": "agent", "image": "agent", "securityContext": security_context}]
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "datadog", "namespace": "datadog"},
        "spec": {"selector": {}, "template": {"spec": {"containers": containers}}},
    }


@pytest.mark.parametrize(
    ("security_context", "why"),
    [
        ({"privileged": True, "allowPrivilegeEscalation": False}, "contradicts privileged: true"),
        ({"privilegd": True}, "securityContext.privilegd: unknown field"),
    ],
)
def test_manifests_with_a_refused_pod_get_a_high_finding(security_context, why):
    from tui.core.audit.manifest_audit import audit_manifests

    report = audit_manifests([_daemonset(security_context)], "live.yaml")
    refused = [f for f in report.findings if f.id == "pod-refused"]
    assert [f.severity for f in refused] == ["high"] and why in refused[0].message
    assert not [f for f in audit_manifests([_daemonset({"privileged": True})], "v").findings if f.id == "pod-refused"]


def test_the_real_render_of_a_refused_file_is_reported(chart_tools, tmp_path):
    values = _write(tmp_path, REFUSED_CASES[2][1] + "datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(helm_template(chart_tools, "datadog", "datadog", values))
    code, out, _ = cli("audit", str(rendered))
    assert code == 1 and "[pod-refused] DaemonSet datadog" in out


# --- the DaemonSet patch: a step that would leave a refused pod is left out, and REPORT.md says why ---


def test_a_patch_step_that_would_break_the_pod_is_left_out():
    import copy

    from tui.core.answers.contract import Answers
    from tui.core.chart.daemonset_patch import SOCKET_FILE_ONLY, daemonset_patch
    from tui.core.deployment import Deployment
    from tui.core.pod.strategic_merge import apply_patch

    answers = Answers(runtime="docker", dogstatsd="off")
    rendered = copy.deepcopy(Deployment(answers).rendered_pod)
    # The runtime socket's volume is not a hostPath here: making it one would give it two sources.
    rendered["volumes"] = [
        {"name": v["name"], "emptyDir": {}} if v["name"] == "runtimesocketdir" else v for v in rendered["volumes"]
    ]
    patch = daemonset_patch(answers, rendered)
    assert [title for title, _ in patch.left_out] == [SOCKET_FILE_ONLY]
    assert "volumes[runtimesocketdir]: needs exactly one volume source, has 2" in patch.left_out[0][1]
    assert patch.steps  # the other steps stay
    assert violations(apply_patch(rendered, patch.pod_patch)) == []
    assert violations(apply_patch(rendered, daemonset_patch(answers, Deployment(answers).rendered_pod).pod_patch))
