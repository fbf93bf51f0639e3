"""`ddsecure audit PATH...` over a repository: exactly the Datadog files, in every format, worst exit code."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_audit import official_sarif_schema

from tui.audit_paths import PROGRESS_AFTER, run_audit_paths
from tui.cli import main
from tui.core.audit.detect import VALUES_SECTIONS, values_mismatch
from tui.core.audit.discovery import classify
from tui.core.chart.keys import chart_keys

FIXTURE = Path(__file__).parent / "repo_fixture"
# Every kind of Datadog file; flux/datadog.yaml holds two HelmReleases of the chart.
DATADOG = {
    "argocd/datadog-application.yaml": "Argo CD Application 'datadog'",
    "charts/datadog/values.yaml": "values",  # a full copy of the chart's values.yaml
    "clusters/prod/datadog-values.yaml": "values",
    "clusters/staging/datadog-values.yaml": "values",
    "flux/datadog.yaml": "Flux HelmRelease",
    "helmfile/helmfile.yaml": "helmfile release 'datadog'",
    "k3s/datadog-helmchart.yaml": "k3s/RKE2 HelmChart 'datadog'",
    "kustomize/datadog/kustomization.yaml": "Kustomize helmCharts 'datadog'",
    "kustomize/datadog-edge/kustomization.yaml": "Kustomize helmCharts 'datadog-edge'",  # no apiVersion nor kind
    "operator/datadog-agent.yaml": "DatadogAgent",
    "rendered/datadog-agent-live.yaml": "rendered manifests",
}
# A release of the chart whose values the file does not hold (templated per cluster): listed, not audited.
ELSEWHERE = {"argocd/datadog-applicationset.yaml"}
# The files a clean audit at --fail-on high lets through.
WITHOUT_HIGH = {"clusters/staging/datadog-values.yaml", "operator/datadog-agent.yaml"}


def fixture_yaml() -> set[str]:
    return {p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*") if p.suffix in (".yaml", ".yml")}


UNRELATED = fixture_yaml() - set(DATADOG) - ELSEWHERE


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def in_fixture(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURE)
    return FIXTURE


def test_fixture_mixes_datadog_files_with_every_kind_of_unrelated_yaml():
    assert {
        "apps/mychart/values.yaml",  # another chart's values, with a datadog: switch
        "apps/ci-runners/values.yaml",  # another chart's values, with an agents: section
        "apps/web/deployment.yaml",  # a plain Deployment with Datadog annotations
        "kustomize/apps/kustomization.yaml",  # a kustomization without helmCharts
        ".github/workflows/ci.yaml",  # a GitHub workflow
        "flux/datadog-operator.yaml",  # the Operator's chart, not the Agent's
        "apps/logging/node-agent.yaml",  # another vendor's DaemonSet with an `agent` container
        "argocd/grafana-application.yaml",  # another chart's Application, with a datadog: section
    } <= UNRELATED
    assert set(DATADOG) | ELSEWHERE <= fixture_yaml()


def test_text_audits_exactly_the_datadog_files_and_never_names_the_others(in_fixture):
    code, out, err = run(".")
    headers = [line for line in out.splitlines() if line.startswith("ddsecure audit: ")]
    named = {line.removeprefix("ddsecure audit: ").split(" (")[0] for line in headers}
    assert named == set(DATADOG) | ELSEWHERE
    # the two releases of flux/datadog.yaml, one header each; the ApplicationSet says its values are not in it
    assert len(headers) == len(DATADOG) + 1 + len(ELSEWHERE)
    assert "ddsecure audit: argocd/datadog-applicationset.yaml (its values are not in it)" in headers
    assert sum("Flux HelmRelease 'datadog-eu'" in h or "Flux HelmRelease 'datadog-us'" in h for h in headers) == 2
    for name in UNRELATED:
        assert name not in out + err
    assert code == 1
    summary, _, elsewhere = out[out.index("Datadog file(s) audited") :].partition("whose values are elsewhere")
    assert {line.strip() for line in summary.splitlines()[1:-1]} == set(DATADOG) - WITHOUT_HIGH
    assert {line.strip() for line in elsewhere.splitlines()[1:]} == ELSEWHERE


def test_json_is_one_document_listing_exactly_the_datadog_files(in_fixture):
    code, out, _ = run(".", "--format", "json")
    document = json.loads(out)
    assert {entry["file"] for entry in document["files"]} == set(DATADOG)
    sources = {entry["source"] for entry in document["files"] if entry["file"] == "flux/datadog.yaml"}
    assert sources == {"Flux HelmRelease 'datadog-eu'", "Flux HelmRelease 'datadog-us'"}
    for entry in document["files"]:
        assert entry["source"].startswith(DATADOG[entry["file"]])
    assert document["errors"] == []
    assert {entry["file"] for entry in document["valuesElsewhere"]} == ELSEWHERE
    for name in UNRELATED:
        assert name not in out
    assert code == 1


def test_sarif_is_one_valid_run_with_relative_uris_and_each_result_at_its_keys_line(in_fixture):
    import jsonschema

    code, out, _ = run(".", "--format", "sarif")
    document = json.loads(out)
    schema = official_sarif_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(document)
    assert len(document["runs"]) == 1
    run_ = document["runs"][0]
    assert {a["location"]["uri"] for a in run_["artifacts"]} == set(DATADOG)
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    located: dict[tuple[str, str], int] = {}
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        where = result["locations"][0]["physicalLocation"]
        uri, line = where["artifactLocation"]["uri"], where["region"]["startLine"]
        assert uri in DATADOG and not os.path.isabs(uri)
        text = (FIXTURE / uri).read_text().splitlines()[line - 1].strip().removeprefix("- ")
        key = result["properties"]["key"]
        if uri.startswith("rendered/"):  # within the Agent DaemonSet's document, not the ServiceAccount's
            lines = (FIXTURE / uri).read_text().splitlines()
            assert line >= lines.index("kind: DaemonSet"), (key, text)
        else:  # the key itself, the closest parent the file sets, or (neither set) where the values begin
            names = [*key.split("."), *VALUES_SECTIONS]
            first = next(n for n, t in enumerate((FIXTURE / uri).read_text().splitlines(), 1) if t[:1] not in "#-")
            assert line == first or any(text.startswith(name + ":") for name in names), (uri, key, text)
        located[(uri, key)] = line
    for name in UNRELATED:
        assert name not in out
    assert code == 1

    def line_of(uri: str, text: str, after: str = "") -> int:
        lines = (FIXTURE / uri).read_text().splitlines()
        start = next(n for n, line in enumerate(lines) if after in line)
        return next(n for n, line in enumerate(lines[start:], start + 1) if line.strip() == text)

    assert located["clusters/prod/datadog-values.yaml", "datadog.apm.portEnabled"] == line_of(
        "clusters/prod/datadog-values.yaml", "portEnabled: true"
    )
    assert located["flux/datadog.yaml", "agents.useHostNetwork"] == line_of("flux/datadog.yaml", "useHostNetwork: true")
    # the second release of the file: its own lines, not the first release's
    assert located["flux/datadog.yaml", "datadog.logs.enabled"] == line_of(
        "flux/datadog.yaml", "enabled: true", after="datadog-us"
    )
    # values inside a YAML string (k3s valuesContent)
    assert located["k3s/datadog-helmchart.yaml", "datadog.logs.enabled"] == line_of(
        "k3s/datadog-helmchart.yaml", "enabled: true"
    )
    daemonset = "rendered/datadog-agent-live.yaml"
    assert located[daemonset, "DaemonSet datadog: hostPID"] == line_of(daemonset, "hostPID: true")
    assert located[daemonset, "DaemonSet datadog: system-probe"] == line_of(daemonset, "- name: system-probe")
    assert located[daemonset, "DaemonSet datadog: runAsNonRoot"] == line_of(daemonset, "kind: DaemonSet") - 1
    assert located["argocd/datadog-application.yaml", "datadog.securityAgent.runtime.enabled"] == line_of(
        "argocd/datadog-application.yaml", "enabled: true"
    )


def test_verbose_says_why_each_other_file_is_skipped_on_stderr_only(in_fixture):
    _, out, err = run(".", "--verbose", "--format", "json")
    skipped = {line.split(":")[0].removeprefix("skipped ") for line in err.splitlines() if line.startswith("skipped ")}
    assert {Path(name).as_posix() for name in skipped} == UNRELATED
    json.loads(out)  # stdout stays one JSON document


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("high", 1), ("none", 0), ("info", 1)],
)
def test_exit_code_is_the_worst_over_the_files(in_fixture, fail_on, expected):
    assert run(".", "--fail-on", fail_on)[0] == expected


def test_clean_datadog_files_and_unrelated_ones_exit_0(in_fixture):
    code, out, _ = run(*sorted(WITHOUT_HIGH), "apps/web/deployment.yaml", ".github/workflows/ci.yaml")
    assert code == 0
    assert "2 Datadog file(s) audited; 0 with a finding at --fail-on high" in out


def test_a_datadog_file_that_cannot_be_read_is_reported_and_exits_2(tmp_path, monkeypatch):
    (tmp_path / "two-sources.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: dd}\nspec:\n  sources:\n"
        "    - {chart: datadog, repoURL: https://helm.datadoghq.com}\n"
        "    - {chart: datadog, repoURL: https://helm.datadoghq.com}\n"
    )
    (tmp_path / "values.yaml").write_text((FIXTURE / "clusters/prod/datadog-values.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    code, out, err = run(".")
    assert code == 2
    assert (
        err == "ddsecure: error: file two-sources.yaml: the Argo CD Application has 2 datadog sources; expected one\n"
    )
    assert "ddsecure audit: two-sources.yaml (not audited)" in out
    assert "ddsecure audit: values.yaml (values file" in out
    code, out, _ = run(".", "--format", "sarif")
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["two-sources.yaml"]
    assert code == 2
    assert json.loads(run(".", "--format", "json")[1])["errors"][0]["file"] == "two-sources.yaml"


def test_one_file_is_audited_whatever_it_holds_unless_discover(in_fixture):
    code, _, err = run("apps/ci-runners/values.yaml")  # as before: one FILE is audited as values
    assert code in (0, 1) and not err
    code, out, err = run("--discover", "apps/ci-runners/values.yaml")
    assert (code, err) == (0, "")
    assert "apps/ci-runners" not in out


def test_single_file_options_are_refused_with_a_directory(in_fixture, tmp_path):
    code, _, err = run(".", "--fix", "-o", str(tmp_path / "out"))
    assert code == 2
    assert err.count("\n") == 1 and "--fix works on one file" in err


def test_a_missing_path_is_one_line_and_exit_2(in_fixture):
    code, out, err = run(".", "no/such/dir")
    assert (code, out) == (2, "")
    assert err == "ddsecure: error: no/such/dir: no such file or directory\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(**options) -> argparse.Namespace:
    return argparse.Namespace(format="text", fail_on="high", verbose=False, **options)


def test_progress_line_on_a_terminal_only_with_more_than_a_few_files(in_fixture):
    terminal = _Terminal()
    run_audit_paths(_args(), [Path(".")], io.StringIO(), terminal)
    shown = terminal.getvalue()
    assert f"auditing 1/{len(DATADOG) + 1}: " in shown and shown.endswith("\r\x1b[K")
    assert len(DATADOG) > PROGRESS_AFTER
    piped = io.StringIO()
    run_audit_paths(_args(), [Path(".")], io.StringIO(), piped)
    assert piped.getvalue() == ""
    few = _Terminal()
    run_audit_paths(_args(), [Path("flux"), Path("k3s")], io.StringIO(), few)
    assert few.getvalue() == ""


# --- recognising the chart's values among other charts' values ----------------------------------------

_KEYS = sorted(k for k in chart_keys().keys if k.split(".")[0] in VALUES_SECTIONS and k.count(".") <= 2)
_NAMES = st.from_regex(r"[a-z][a-zA-Z]{2,12}", fullmatch=True)


def _nested(dotted: list[str]) -> dict:
    values: dict = {}
    for key in dotted:
        node = values
        *parents, last = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(last, True)
    return values


def test_values_with_keys_at_the_wrong_level_are_still_the_charts():
    """Real users' files: sections nested one level too deep, a section's key at the top. They are the
    chart's values with the mistakes the audit is for, not another chart's."""
    too_deep = {"datadog": {"agents": {"image": {"tag": "7.55.0"}}, "registry": "r", "apiKeyExistingSecret": "s"}}
    at_the_top = {"datadog": {"site": "datadoghq.eu"}, "admissionController": {"enabled": True}}
    assert values_mismatch(too_deep) == values_mismatch(at_the_top) == ""
    other_chart = {"datadog": {"site": "datadoghq.com"}, "serviceAccount": {}, "config": {}, "metastore": {}}
    assert values_mismatch(other_chart) != ""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=12))
def test_any_values_written_with_the_charts_own_keys_are_recognised(keys):
    values = _nested(keys)
    if any(isinstance(values.get(s), dict) for s in VALUES_SECTIONS):
        assert values_mismatch(values) == ""


@settings(max_examples=150, deadline=None)
@given(
    own=st.dictionaries(_NAMES, st.just(1), min_size=2, max_size=8),
    section=st.sampled_from(VALUES_SECTIONS),
    inside=st.dictionaries(_NAMES, st.just(1), min_size=1, max_size=6),
)
def test_another_charts_values_with_a_datadog_section_are_never_recognised(own, section, inside):
    """Another chart's values: its own top-level keys, and one section named like the chart's."""
    known = chart_keys()
    own = {k: v for k, v in own.items() if not known.known(k)}
    inside = {k: v for k, v in inside.items() if not known.known(f"{section}.{k}")}
    if len(own) < 2 or not inside:
        return
    assert values_mismatch({**own, section: inside}) != ""
    assert values_mismatch({section: inside}) != ""  # an override file with only that section


def test_each_file_is_audited_once_however_often_it_is_named(in_fixture):
    _, once, _ = run(".")
    _, again, _ = run(".", "flux", "flux/datadog.yaml", "./k3s/../k3s/datadog-helmchart.yaml")
    assert again == once


def test_help_explains_every_audit_argument_and_the_exit_codes(capsys):
    for argv in (["audit", "--help"], ["--help"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        shown = capsys.readouterr().out
        for code in ("0", "1", "2", "130"):
            assert re.search(rf"^  {code} +\S", shown, re.MULTILINE), (argv, code)
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "PATH a file or a directory" in shown
    assert "text (default)" in shown and "sarif: SARIF 2.1.0" in shown
    assert "(default: high); none: never exit 1" in shown
    for option in ("--fix", "--apply", "--output", "--force", "--render", "--chart", "--version", "--target"):
        assert option in shown
    assert "--discover" in shown and "--verbose" in shown


def test_readme_documents_the_exit_codes_the_hook_and_the_sarif_upload():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for code in ("0", "1", "2", "130"):
        assert f"| {code} |" in readme
    assert "id: ddsecure-audit" in readme and "upload-sarif" in readme


# --- recognising the Agent DaemonSet and Datadog documents, one table ---------------------------------


def _daemonset(container: str, image: str | None, env: str = "", labels: str = "{}") -> str:
    image_line = f"\n          image: {image}" if image else ""
    env_line = f"\n          env: [{{name: {env}, value: x}}]" if env else ""
    return (
        f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: node, labels: {labels}}}\nspec:\n  template:\n"
        f"    spec:\n      containers:\n        - name: {container}{image_line}{env_line}\n"
    )


@pytest.mark.parametrize(
    ("text", "audited"),
    [
        (_daemonset("agent", "gcr.io/datadoghq/agent:7.78.0"), "rendered manifests"),
        (_daemonset("agent", "mirror.example.com/agent:7.78.0", env="DD_SITE"), "rendered manifests"),
        (
            _daemonset("agent", "mirror.example.com/agent:7", labels="{app.kubernetes.io/name: datadog}"),
            "rendered manifests",
        ),
        (
            "apiVersion: v1\nkind: List\nitems:\n  - " + _daemonset("agent", "datadog/agent:7").replace("\n", "\n    "),
            "rendered manifests",
        ),
        (_daemonset("agent", None, env="DD_DOGSTATSD_PORT"), None),  # a strategic-merge patch: no image
        (_daemonset("agent", "newrelic/infrastructure:3", env="NRIA_LICENSE_KEY"), None),
        (_daemonset("datadog-sidecar", "datadog/agent:7"), None),  # no `agent` container
        (
            "apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: datadog}\nspec: {}\n",
            "DatadogAgent",
        ),
        ("apiVersion: example.com/v1\nkind: DatadogAgent\nmetadata: {name: fake}\n", None),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dd}\ndata: {datadog.yaml: 'agents: 1'}\n", None),
        # helm -f merges a values file's documents: read as one, as the audit of the file alone reads it
        ("datadog:\n  site: datadoghq.eu\n---\nclusterAgent:\n  enabled: true\n", "values"),
        # helm keeps the last of two equal keys: a Datadog file, never skipped as broken YAML
        ("datadog:\n  logs: {enabled: true}\n  logs: {enabled: false}\n", "values"),
        ("- datadog\n- agents\n", None),
        ("datadog: {site: datadoghq.eu}\n", "values"),
        ("datadog:\n  site: [unclosed\n", None),  # broken YAML: skipped, with the parser's reason
    ],
)
def test_which_documents_are_datadog_ones(text, audited):
    outcome = classify(text, "input.yaml")
    if audited is None:
        assert isinstance(outcome, str) and outcome, outcome
    else:
        assert [what for _, what in outcome] == [audited]


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["Deployment", "DaemonSet", "StatefulSet", "Service", "ConfigMap", "Job"]),
    container=st.sampled_from(["agent", "app", "web", "collector"]),
    image=st.sampled_from(["nginx:1.27", "newrelic/infrastructure:3", "fluent/fluent-bit:3", "mirror.local/agent"]),
    annotations=st.booleans(),
)
def test_unrelated_kubernetes_objects_are_never_audited(kind, container, image, annotations):
    """Objects that mention Datadog (annotations, DD_AGENT_HOST) but are not the Agent are skipped."""
    note = "\n    annotations: {ad.datadoghq.com/app.logs: '[]'}" if annotations else ""
    text = (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: x{note}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: {container}\n          image: {image}\n"
        "          env: [{name: DD_AGENT_HOST, value: x}]\n"
    )
    assert isinstance(classify(text, "x.yaml"), str)


def test_fail_on_none_for_one_file_too():
    path = str(FIXTURE / "clusters/prod/datadog-values.yaml")
    assert run(path)[0] == 1
    assert run(path, "--fail-on", "none")[0] == 0


def test_sarif_uris_outside_the_current_directory_are_file_uris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(str(FIXTURE / "k3s"), "--format", "sarif")
    (artifact,) = json.loads(out)["runs"][0]["artifacts"]
    assert artifact["location"]["uri"] == (FIXTURE / "k3s/datadog-helmchart.yaml").as_uri()


def test_an_umbrella_charts_values_are_audited_as_the_datadog_subcharts(tmp_path, monkeypatch):
    """The datadog chart as a dependency of an umbrella chart: its block is found and read, the umbrella's
    other subcharts' values never are."""
    umbrella = tmp_path / "monitoring"
    umbrella.mkdir()
    (umbrella / "Chart.yaml").write_text("apiVersion: v2\nname: monitoring\nversion: 1.0.0\n")
    (umbrella / "values.yaml").write_text(
        "redis:\n  replicas: 2\n"
        "datadog:\n  agents:\n    useHostNetwork: true\n  datadog:\n    logs:\n      enabled: true\n"
    )
    (umbrella / "values-redis.yaml").write_text("redis:\n  auth:\n    enabled: true\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(".", "--format", "json")
    document = json.loads(out)
    assert [(entry["file"], entry["source"]) for entry in document["files"]] == [
        ("monitoring/values.yaml", "umbrella chart")
    ]
    ids = {(f["id"], f["key"]) for f in document["files"][0]["findings"]}
    assert ("host-network", "agents.useHostNetwork") in ids
    assert code == 1


_ALIKE_CORPORA = [Path(__file__).parent / name for name in ("fix_corpus", "helm_reading_corpus", "audit_corpus")]


@pytest.mark.parametrize(
    "path",
    sorted(p for corpus in _ALIKE_CORPORA for p in corpus.glob("*.yaml")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_a_file_in_a_repository_reads_as_the_file_alone(path):
    """Both read as helm does (YAML 1.1 words, the last of two equal keys, merged documents): the same findings
    on the same keys, whether the file is audited alone or found in a repository."""
    from tui.core.audit.audit import audit_input, read_input

    text = path.read_text()
    outcome = classify(text, path.name)
    assert not isinstance(outcome, str | Exception), outcome
    found = [sorted((f.id, f.key) for f in audit_input(given).findings) for given, _ in outcome]
    alone = sorted((f.id, f.key) for f in audit_input(read_input(text, path.name)).findings)
    assert found == [alone]


def _umbrella(tmp_path: Path, values: str, version: str = "3.240.0") -> Path:
    chart = tmp_path / "monitoring"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: monitoring\nversion: 1.0.0\ndependencies:\n"
        f"  - name: datadog\n    version: {version}\n    repository: https://helm.datadoghq.com\n    alias: dd\n"
    )
    (chart / "values.yaml").write_text(values)
    return chart / "values.yaml"


def test_the_umbrellas_chart_yaml_names_the_block_and_its_chart_version(tmp_path, monkeypatch):
    """Beside a Chart.yaml that depends on datadog (alias dd), the block under dd: is the subchart's even where
    its shape alone would read as a section one level too deep, and another version makes the ledger partial."""
    values = _umbrella(tmp_path, "dd:\n  clusterAgent:\n    enabled: false\n", version="~3.100.0")
    monkeypatch.chdir(tmp_path)
    for argv in (["monitoring/values.yaml"], ["."]):
        _, out, _ = run(*argv, "--format", "json")
        document = json.loads(out)
        report = document["files"][0] if "files" in document else document
        assert report["source"] == "umbrella chart" if "files" in document else True
        assert "wrong-level" not in {f["id"] for f in report["findings"]}
        assert report["chart"] == {
            "name": "datadog/datadog",
            "version": "~3.100.0",
            "source": "Chart.yaml dependencies[0].version",
        }
        assert report["ledgerComplete"] is False
    assert values.read_text() == "dd:\n  clusterAgent:\n    enabled: false\n"


def test_an_applicationset_is_audited_unless_its_values_are_templated_per_cluster(tmp_path, monkeypatch):
    """The same values for every cluster it generates: read like an Application. Values templated per cluster:
    a program to render first, like a templated helmfile: listed as such, never an error."""
    static = (Path(__file__).parent / "fix_corpus" / "argocd-applicationset.yaml").read_text()
    (tmp_path / "static.yaml").write_text(static)
    (tmp_path / "templated.yaml").write_text(static.replace("logs: {enabled: true}", "clusterName: '{{name}}'"))
    monkeypatch.chdir(tmp_path)
    _, out, err = run(".", "--format", "json", "--verbose")
    assert [(e["file"], e["source"]) for e in json.loads(out)["files"]] == [
        ("static.yaml", "Argo CD ApplicationSet 'datadog'")
    ]
    [elsewhere] = json.loads(out)["valuesElsewhere"]
    assert elsewhere["file"] == "templated.yaml"
    assert elsewhere["why"].startswith("the ApplicationSet's values are templated per cluster; render it first")
    assert "templated.yaml" not in err


def test_a_helmfile_reading_its_values_from_files_is_listed_and_its_values_file_audited(tmp_path, monkeypatch):
    # the usual helmfile layout: the release names values.yaml, which holds the chart's values
    (tmp_path / "helmfile.yaml").write_text(
        "releases:\n- name: datadog\n  chart: datadog/datadog\n  values: [values.yaml]\n"
    )
    (tmp_path / "values.yaml").write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(".", "--fail-on", "none")
    assert code == 0 and err == ""  # no error: nothing was left unread
    assert "ddsecure audit: values.yaml (values file" in out
    assert "ddsecure audit: helmfile.yaml (its values are not in it)\n  the helmfile's datadog release" in out
    assert "1 Datadog file(s) audited" in out


def test_the_summary_counts_only_the_files_it_audited(tmp_path, monkeypatch):
    (tmp_path / "values.yaml").write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    (tmp_path / "two.yaml").write_text(  # two datadog sources in one Application: unreadable
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: d}\nspec:\n  sources:\n"
        "  - {repoURL: https://helm.datadoghq.com, chart: datadog}\n"
        "  - {repoURL: https://helm.datadoghq.com, chart: datadog}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(".", "--fail-on", "none")
    assert code == 2
    assert "1 Datadog file(s) audited" in out and "1 could not be audited:\n  two.yaml" in out
