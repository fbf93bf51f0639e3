"""`ddsecure audit FILE --render`: the user's helm from PATH, its ledger reported, each disagreement a finding.

Also: the same privilege gets the same severity from a values file, rendered manifests and a DatadogAgent.
"""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.audit.audit import audit_text
from tui.core.audit.findings import PRIVILEGE_SEVERITY

from conftest import CHART_DIR, needs_chart

CORPUS = Path(__file__).parent / "audit_corpus"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_without_helm_render_says_how_to_get_it_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm anywhere: no fallback path is tried
    code, out, err = run(str(CORPUS / "08-7.78.0-default-discovery.yaml"), "--render", "--chart", str(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "helm" in err and "install" in err


def _fake_helm(tmp_path: Path, stderr: str) -> Path:
    """A stand-in for the user's helm that records its arguments and fails like helm does."""
    script = tmp_path / "bin" / "helm"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\necho "{stderr}" >&2\nexit 1\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script.parent


def test_a_chart_reference_and_version_go_to_helm_as_a_user_would_type_them(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_helm(tmp_path, "Error: repo datadog not found")))
    path = CORPUS / "08-7.78.0-default-discovery.yaml"
    code, _, err = run(str(path), "--render", "--chart", "datadog/datadog", "--version", "3.240.0")
    assert code == 2 and err.count("\n") == 1 and "repo datadog not found" in err
    assert (tmp_path / "args").read_text().split() == [
        "template",
        "dd",
        "datadog/datadog",
        "--version",
        "3.240.0",
        "-f",
        str(path),
    ]


def test_a_template_failure_is_the_charts_answer_not_a_usage_error(tmp_path, monkeypatch):
    message = "Error: execution error at (datadog/templates/_helpers.tpl:141:4): tag too old"
    monkeypatch.setenv("PATH", str(_fake_helm(tmp_path, message)))
    code, out, _ = run(str(CORPUS / "02-pinned-7.29.1-refused.yaml"), "--render", "--chart", "datadog/datadog")
    document = json.loads(
        run(str(CORPUS / "02-pinned-7.29.1-refused.yaml"), "--render", "--chart", "x/y", "--format", "json")[1]
    )
    assert code in (0, 1) and "fails" in out
    assert document["render"]["agrees"] is True  # the model predicted the refusal
    assert "render-disagrees" not in {f["id"] for f in document["findings"]}


def test_an_unexpected_refusal_is_a_finding(tmp_path, monkeypatch):
    message = "Error: execution error at (datadog/templates/daemonset.yaml:1:4): something new"
    monkeypatch.setenv("PATH", str(_fake_helm(tmp_path, message)))
    document = json.loads(
        run(str(CORPUS / "08-7.78.0-default-discovery.yaml"), "--render", "--chart", "x/y", "--format", "json")[1]
    )
    assert document["render"]["agrees"] is False
    assert [f["id"] for f in document["findings"] if f["id"] == "render-disagrees"] == ["render-disagrees"]


@needs_chart
def test_render_reports_helms_ledger_and_each_difference_from_the_model_as_a_finding(tmp_path):
    path = tmp_path / "gdc.yaml"  # Google Distributed Cloud (providers.gke.gdc) is not modelled
    path.write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\nproviders:\n  gke:\n    gdc: true\n")
    _, out, err = run(str(path), "--render", "--chart", str(CHART_DIR), "--format", "json")
    document = json.loads(out)
    assert err == ""
    assert document["ledgerSource"] == "helm" and document["ledgerComplete"] is True
    assert document["ledger"] == document["render"]["ledger"] != document["render"]["modelLedger"]
    disagreements = [f for f in document["findings"] if f["id"] == "render-disagrees"]
    assert len(disagreements) == len(document["render"]["differences"]) > 0
    assert all("providers.gke.gdc" in f["message"] for f in disagreements)


@needs_chart
def test_render_of_a_modelled_file_agrees():
    _, out, _ = run(str(CORPUS / "10-otel-collector.yaml"), "--render", "--chart", str(CHART_DIR), "--format", "json")
    document = json.loads(out)
    assert document["render"]["agrees"] is True, document["render"]["differences"]
    assert 4317 in document["ledger"]["hostPorts"]


def _rendered(tmp_path: Path, text: str, fmt: str = "json") -> tuple[int, str, str]:
    """`audit FILE --render` of these values with the real chart: (exit code, stdout, stderr)."""
    path = tmp_path / "values.yaml"
    path.write_text(text)
    return run(str(path), "--render", "--chart", str(CHART_DIR), "--format", fmt)


@needs_chart
def test_render_of_windows_values_reports_helms_daemonset_with_no_linux_prediction_to_disagree_with(tmp_path):
    _, out, _ = _rendered(tmp_path, "targetSystem: windows\ndatadog:\n  apiKeyExistingSecret: datadog-secret\n")
    document = json.loads(out)
    assert document["render"]["modelLedger"] is None and document["render"]["differences"] == []
    assert "render-disagrees" not in {f["id"] for f in document["findings"]}
    # helm's own Windows DaemonSet: the runtime's named pipes, no hostPID
    assert document["ledger"]["hostPID"] is False
    assert {p["path"] for p in document["ledger"]["hostPaths"]} == {
        "\\\\.\\pipe\\containerd-containerd",
        "\\\\.\\pipe\\docker_engine",
    }


# --- one severity per privilege, whatever the input -------------------------------------------------

PRIVILEGED_VALUES = """\
datadog: {apiKeyExistingSecret: s}
agents:
  useHostNetwork: true
  containers: {agent: {securityContext: {privileged: true}}}
"""

PRIVILEGED_DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: dd}
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      containers:
      - name: agent
        securityContext: {privileged: true}
"""

PRIVILEGED_OPERATOR = """\
apiVersion: datadoghq.com/v2alpha1
kind: DatadogAgent
metadata: {name: datadog}
spec:
  override:
    nodeAgent:
      hostNetwork: true
      hostPID: true
"""


def _severity(text: str, *finding_ids: str) -> set[str]:
    return {f.severity for f in audit_text(text, "in.yaml").findings if f.id in finding_ids}


def test_privileged_host_network_and_host_pid_are_high_in_every_input():
    assert _severity(PRIVILEGED_VALUES, "privileged-container") == {PRIVILEGE_SEVERITY["privileged"]} == {"high"}
    assert _severity(PRIVILEGED_DAEMONSET, "privileged-container") == {"high"}
    assert _severity(PRIVILEGED_VALUES, "host-network") == _severity(PRIVILEGED_DAEMONSET, "host-network") == {"high"}
    assert _severity(PRIVILEGED_OPERATOR, "host-network") == {"high"}
    for text in (PRIVILEGED_VALUES, PRIVILEGED_DAEMONSET, PRIVILEGED_OPERATOR):
        assert _severity(text, "hostpid-unneeded") == {"high"}


@needs_chart
def test_render_agrees_with_a_refusal_the_schema_predicts(tmp_path):
    code, out, err = _rendered(tmp_path, "datadog:\n  apiKeyExistingSecret: s\nregistryMigrationMode: bogus\n")
    document = json.loads(out)
    assert code in (0, 1) and err == ""
    assert document["render"]["agrees"] is True and "schema" in document["refused"]


@needs_chart
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_render_of_values_without_a_node_agent_agrees_that_there_is_none(fmt, tmp_path):
    code, out, err = _rendered(tmp_path, "datadog:\n  apiKeyExistingSecret: s\nagents:\n  enabled: false\n", fmt)
    assert code in (0, 1) and err == ""
    if fmt == "json":
        assert json.loads(out)["render"] == {
            "chart": str(CHART_DIR), "daemonset": None, "agrees": True, "differences": []
        }  # fmt: skip
    if fmt == "text":
        assert "renders no node-Agent DaemonSet" in out
