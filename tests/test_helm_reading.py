"""What helm's reading of a file changes in the audit: switches in YAML 1.1 and quoted spellings, keys
written twice (found, named, and removed by --fix only when asked), and the chart version a wrapper pins."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.audit.audit import audit_text, read_input
from tui.core.chart.model import KEY_READINGS, NodeAgentChart, reading_of

FIX_CORPUS = Path(__file__).parent / "fix_corpus"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def findings(text: str, rule: str) -> list:
    return [f for f in audit_text(text, "values.yaml").findings if f.id == rule]


# --- per-key reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "on"),
    [
        ("datadog.useHostPID", "false", True),  # `if`: a non-empty string is on
        ("datadog.useHostPID", "", False),
        ("datadog.discovery.enabled", "false", False),  # printed and compared with "true"
        ("datadog.discovery.enabled", "yes", False),
        ("datadog.discovery.enabled", "true", True),
        ("datadog.discovery.enabled", True, True),
        ("datadog.hostProfiler.seccomp.enabled", "False", True),  # ne (toString x) "false": only false is off
        ("datadog.hostProfiler.seccomp.enabled", "false", False),
        ("datadog.hostProfiler.seccomp.enabled", False, False),
        ("agents.useHostNetwork", "false", False),  # on for the `if`, then printed: hostNetwork: false
        ("agents.useHostNetwork", "yes", True),  # printed yes, which YAML 1.1 reads as true
        ("agents.useHostNetwork", True, True),
    ],
)
def test_each_switch_is_read_as_its_template_reads_it(key, value, on):
    assert reading_of(key).on(value) is on


def test_the_model_follows_those_readings():
    assert not NodeAgentChart({"datadog": {"discovery": {"enabled": "yes"}}}).discovery()
    assert NodeAgentChart({"datadog": {"discovery": {"enabled": "true"}}}).discovery()
    local = {"datadog": {"apm": {"useLocalService": "yes", "portEnabled": True}}}
    assert not NodeAgentChart(local).apm_local_service()  # "yes" is printed, and "yes" is not "true"
    assert set(KEY_READINGS) >= {"datadog.discovery.enabled", "datadog.apm.useLocalService"}


@pytest.mark.parametrize(
    ("text", "key", "does"),
    [
        ('datadog:\n  useHostPID: "false"\n', "datadog.useHostPID", "ON"),
        ("datadog:\n  logs:\n    enabled: 'no'\n", "datadog.logs.enabled", "ON"),
        ('datadog:\n  discovery:\n    enabled: "yes"\n', "datadog.discovery.enabled", "OFF"),
        ('datadog:\n  discovery:\n    enabled: "True"\n', "datadog.discovery.enabled", "OFF"),
    ],
)
def test_string_boolean_fires_where_helm_does_otherwise_and_says_what_it_does(text, key, does):
    [finding] = findings(text, "string-boolean")
    assert finding.key == key and f"helm turns it {does}" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "datadog:\n  useHostPID: no\n",  # a real boolean in YAML 1.1
        'datadog:\n  useHostPID: "true"\n',  # truthy, as it says
        'datadog:\n  discovery:\n    enabled: "true"\n',  # printed "true", as it says
        "datadog:\n  logs:\n    enabled: 'on'\n",
        'datadog:\n  site: "no"\n',  # not a switch
        'agents:\n  useHostNetwork: "false"\n',  # printed into the pod: false, as it says
    ],
)
def test_string_boolean_is_silent_where_helm_does_what_the_text_says(text):
    assert findings(text, "string-boolean") == []


def test_yaml_1_1_spellings_are_switches_not_strings():
    text = "datadog:\n  useHostPID: n\n  logs:\n    enabled: no\n  discovery:\n    enabled: off\n"
    report = audit_text(text, "values.yaml")
    assert report.ledger["hostPID"] is False
    assert "system-probe" not in report.ledger["containers"]
    assert not [g for g in report.ledger["hostPaths"] if g["path"].startswith("/var/log")]
    assert not [f for f in report.findings if f.id == "string-boolean"]


# --- keys written twice ----------------------------------------------------------------------------

TWICE = """\
datadog:
  apiKeyExistingSecret: datadog-secret
  logs:
    enabled: true
    containerCollectAll: true
  site: datadoghq.eu
  logs:
    enabled: false
"""


def test_a_duplicate_is_read_last_wins_and_named_with_lines_and_what_it_held():
    given = read_input(TWICE, "values.yaml")
    assert given.values["datadog"]["logs"] == {"enabled": False}
    [finding] = findings(TWICE, "duplicate-key")
    assert finding.severity == "high" and finding.key == "datadog.logs"
    assert "ignores lines 3-5" in finding.message and "line 7" in finding.message
    assert "datadog.logs.enabled: true" in finding.message
    assert "datadog.logs.containerCollectAll: true" in finding.message
    assert "held" in finding.cost and "containerCollectAll" in finding.cost


def test_fix_refuses_a_file_with_a_duplicate_unless_asked(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(TWICE)
    code, _out, err = run("audit", str(path), "--fix", "-o", str(tmp_path / "out"))
    assert code == 2 and "datadog.logs is written twice" in err and "--apply duplicate-key" in err
    assert err.count("\n") == 1 and not (tmp_path / "out").exists()
    assert path.read_text() == TWICE


def test_fix_with_apply_removes_the_ignored_block_and_says_so(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(TWICE)
    out_dir = tmp_path / "out"
    _code, out, err = run("audit", str(path), "--fix", "-o", str(out_dir), "--apply", "duplicate-key")
    assert err == "", err
    assert "-    containerCollectAll: true" in out  # the diff shows the block going
    assert "--fix applied: removed lines 3-5, which helm ignores" in out
    written = (out_dir / "values.yaml").read_text()
    assert written.count("logs:") == 1 and "containerCollectAll" not in written
    assert read_input(written, "values.yaml").duplicates == ()


def test_a_duplicate_inside_a_flow_mapping_is_never_removed_by_lines(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text("datadog: {apiKeyExistingSecret: s, useHostPID: true, useHostPID: false}\n")
    code, _, err = run("audit", str(path), "--fix", "-o", str(tmp_path / "out"), "--apply", "duplicate-key")
    assert code == 2 and "by hand" in err


def test_a_duplicate_in_a_wrapper_counts_lines_in_the_wrapper():
    text = (FIX_CORPUS / "flux-helmrelease.yaml").read_text()
    text = text.replace(
        "  values:\n", "  values:\n    fips:\n      enabled: true\n    fips:\n      enabled: false\n", 1
    )
    given = read_input(text, "release.yaml")
    [duplicate] = given.duplicates
    assert duplicate.path == ("fips",)
    first = text.splitlines().index("    fips:") + 1
    assert duplicate.ignored == (first, first + 1)


def test_values_documents_merge_as_helm_merges_them():
    given = read_input("datadog:\n  logs:\n    enabled: true\n---\ndatadog:\n  site: datadoghq.eu\n", "values.yaml")
    assert given.values == {"datadog": {"logs": {"enabled": True}, "site": "datadoghq.eu"}}


# --- the chart a wrapper installs -------------------------------------------------------------------

WRAPPERS = {
    "flux-helmrelease.yaml": ("Flux HelmRelease", "spec.chart.spec.version"),
    "argocd-valuesobject.yaml": ("Argo CD Application", "spec.source.targetRevision"),
    "argocd-values-string.yaml": ("Argo CD Application", "targetRevision"),
    "helmfile.yaml": ("helmfile release", "releases.0.version"),
    "k3s-helmchart.yaml": ("k3s/RKE2 HelmChart", "spec.version"),
}


@pytest.mark.parametrize("name", sorted(WRAPPERS))
def test_a_wrapper_names_its_chart_in_the_header_and_json(name):
    kind, where = WRAPPERS[name]
    text = (FIX_CORPUS / name).read_text()
    _code, out, _ = run("audit", str(FIX_CORPUS / name))
    assert f"({kind} values for datadog/datadog 3.240.0)" in out.splitlines()[0]
    _, out, _ = run("audit", str(FIX_CORPUS / name), "--format", "json")
    document = json.loads(out)
    assert document["chart"]["name"] == "datadog/datadog" and document["chart"]["version"] == "3.240.0"
    assert document["chart"]["source"].startswith(kind) and document["chart"]["source"].endswith(where)
    assert "partial" not in out or document["ledgerComplete"] == (not document["unmodelled"])
    assert "3.240.0" in text


@pytest.mark.parametrize("name", sorted(WRAPPERS))
def test_another_chart_version_makes_the_ledger_partial_and_names_the_render_command(name, tmp_path):
    path = tmp_path / name
    path.write_text((FIX_CORPUS / name).read_text().replace("3.240.0", "3.69.3"))
    _, out, _ = run("audit", str(path))
    assert out.splitlines()[0].endswith("values for datadog/datadog 3.69.3)")
    assert f"ddsecure audit {path} --render --chart datadog/datadog --version 3.69.3" in out
    _, out, _ = run("audit", str(path), "--format", "json")
    document = json.loads(out)
    assert document["chart"]["version"] == "3.69.3"
    assert document["ledgerComplete"] is False and document["ledger"]["partial"] is True


def test_a_plain_values_file_names_no_wrapper_chart():
    _, out, _ = run("audit", str(FIX_CORPUS / "docker-runtime.yaml"), "--format", "json")
    assert json.loads(out)["chart"] is None
