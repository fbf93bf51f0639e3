"""`audit --fix`: the user's own values file edited in place, losing nothing and never raising a privilege.

Every file of tests/fix_corpus (plain values, wrappers, typos, pinned agents, ...) goes through the
command line; the checks read the files it wrote.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main
from tui.core.audit.audit import read_input
from tui.core.audit.fix import (
    ALL_SAFE,
    APPLIED,
    MANUAL,
    OPT_IN,
    REFUSED,
    granted,
    leaves,
    named_by,
    plan_fix,
    pod_grants,
)
from tui.core.audit.values_audit import audit_values
from tui.core.output.bundle import PRIVILEGES, REPORT, VALUES

from conftest import REFERENCE_VALUES, needs_chart, needs_reference

CORPUS = Path(__file__).parent / "fix_corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.yaml"))
DEFAULT_VALUES = REFERENCE_VALUES
_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def fix(path: Path, out_dir: Path, *extra: str) -> tuple[dict[str, Any], Path]:
    """Run `audit FILE --fix -o DIR --format json`; the JSON document and the fixed copy of FILE."""
    code, out, err = run(str(path), "--fix", "-o", str(out_dir), "--format", "json", *extra)
    assert err == "" and code in (0, 1), err
    document = json.loads(out)
    wrapped = (out_dir / path.name).is_file() and path.name != VALUES
    return document, out_dir / (path.name if wrapped else VALUES)


def comments(text: str) -> list[str]:
    return [m[1].strip() for line in text.splitlines() if (m := _COMMENT.search(line))]


def values_of(path: Path) -> dict[str, Any]:
    given = read_input(path.read_text(), str(path))
    assert given.values is not None
    return dict(given.values)


def applied_keys(document: dict[str, Any], original: dict[str, Any]) -> list[str]:
    """The keys the applied findings' edits name."""
    report = audit_values(original, "x")
    applied = {(d["id"], d["key"]) for d in document["fix"]["decisions"] if d["status"] == APPLIED}
    return [k for f in report.findings if (f.id, f.key) in applied for k, _ in f.changes]


# --- the invariants, for every file of the corpus --------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_fix_keeps_every_leaf_and_comment_and_only_shrinks(name, tmp_path):
    source = CORPUS / name
    original = values_of(source)
    document, fixed_path = fix(source, tmp_path / "out")
    fixed_text = fixed_path.read_text()
    fixed = values_of(fixed_path)
    # every leaf the user set survives unless an applied finding names it
    keys = applied_keys(document, original)
    new_leaves = leaves(fixed)
    for leaf, value in leaves(original).items():
        if not named_by(leaf, keys):
            assert new_leaves.get(leaf, "<gone>") == value, f"{leaf} lost or changed"
    # every comment survives
    for comment in comments(source.read_text()):
        assert comment in fixed_text, f"comment lost: {comment}"
    # the footprint never grows (the chart model)
    assert granted(original, fixed) == []
    # re-auditing the fixed file reports none of the applied findings
    applied = {(d["id"], d["key"]) for d in document["fix"]["decisions"] if d["status"] == APPLIED}
    assert applied, "nothing applied: the corpus file should show at least one fix"
    again = {(f.id, f.key) for f in audit_values(fixed, "fixed").findings}
    assert not applied & again
    # the printed diff, the written values and privileges.json describe the same file
    from tui.core.audit.fix import unified_diff

    assert document["fix"]["diff"] == unified_diff(source.read_text(), fixed_text, str(source))
    written_values = values_of(tmp_path / "out" / VALUES)
    assert written_values == fixed
    assert json.loads((tmp_path / "out" / PRIVILEGES).read_text())["hostPID"] is False or original_needs_pid(original)
    assert "## Changes to your values file" in (tmp_path / "out" / REPORT).read_text()
    assert not (tmp_path / "out" / "answers.yaml").exists()  # it could not rewrite this bundle


def original_needs_pid(values: dict[str, Any]) -> bool:
    from tui.core.audit.fix import footprint

    return footprint(values).host_pid


@pytest.mark.parametrize("name", FILES)
def test_fixing_a_fixed_file_changes_nothing(name, tmp_path):
    _, first = fix(CORPUS / name, tmp_path / "one")
    copy = tmp_path / name
    shutil.copy(first, copy)
    document, second = fix(copy, tmp_path / "two")
    assert second.read_text() == first.read_text()
    assert document["fix"]["diff"] == ""


def test_privileges_json_is_the_edited_files_footprint(tmp_path):
    from tui.core.deployment import Deployment

    _, fixed_path = fix(CORPUS / "eks-tolerations-resources.yaml", tmp_path / "out")
    deployment = Deployment.of_values(values_of(fixed_path), values_text=fixed_path.read_text())
    written = json.loads((tmp_path / "out" / PRIVILEGES).read_text())
    assert {k: v for k, v in written.items() if k in deployment.ledger.as_json()} == json.loads(
        json.dumps(deployment.ledger.as_json())
    )


# --- what each kind of file keeps -----------------------------------------------------------------


def decisions(document: dict[str, Any]) -> dict[str, str]:
    return {f"{d['id']}:{d['key']}": d["status"] for d in document["fix"]["decisions"]}


def test_a_section_key_at_the_top_is_moved_on_request_and_its_comment_stays_over_it(tmp_path):
    """A real user's file: the admission controller written at the top, with a comment over it."""
    source = CORPUS / "section-key-at-the-top.yaml"
    document, fixed = fix(source, tmp_path / "one")
    assert decisions(document)["wrong-level:admissionController"] == OPT_IN
    lines = fixed.read_text().splitlines()
    at = lines.index("admissionController:")
    assert lines[at - 2 : at] == ["", "# Admission Controller injects DD_AGENT_HOST/DD_* tags into pods automatically"]
    assert lines[at - 3].startswith("  ")  # the keys the fix adds to datadog: come before the blank line
    document, fixed = fix(source, tmp_path / "two", "--apply", "wrong-level")
    moved = next(d for d in document["fix"]["decisions"] if d["id"] == "wrong-level")
    assert moved["status"] == APPLIED
    assert moved["reason"] == "moves admissionController to clusterAgent.admissionController, where the chart reads it"
    values = values_of(fixed)
    assert "admissionController" not in values
    assert values["clusterAgent"]["admissionController"] == {"enabled": True, "mutateUnlabelled": True}


def test_chart_defaults_the_user_never_set_are_turned_off(tmp_path):
    document, fixed = fix(CORPUS / "eks-tolerations-resources.yaml", tmp_path / "out")
    status = decisions(document)
    assert status["hostpid-unneeded:datadog.useHostPID"] == APPLIED
    assert status["system-probe-unrequested:datadog.discovery.enabled"] == APPLIED
    assert status["runtime-dir-too-wide:datadog.criSocketPath"] == APPLIED
    # the socket is a guess from the file, so the finding says what a wrong guess costs
    narrowed = next(f for f in document["findings"] if f["id"] == "runtime-dir-too-wide")
    assert "/var/run/containerd/containerd.sock" in narrowed["cost"]
    values = values_of(fixed)
    assert values["agents"]["tolerations"] == [{"operator": "Exists"}]
    assert values["agents"]["priorityClassName"] == "system-node-critical"
    assert values["datadog"]["env"][0]["name"] == "DD_CONTAINER_EXCLUDE"


def test_sockets_applications_use_stay_unless_the_user_opts_in(tmp_path):
    document, fixed = fix(CORPUS / "eks-tolerations-resources.yaml", tmp_path / "out")
    status = decisions(document)
    assert status["apm-unrequested:datadog.apm.socketEnabled"] == OPT_IN
    assert status["dsd-socket-unneeded:datadog.dogstatsd.useSocketVolume"] == OPT_IN
    reason = next(d["reason"] for d in document["fix"]["decisions"] if d["id"] == "apm-unrequested")
    assert "/var/run/datadog/apm.socket" in reason
    assert "apm" not in values_of(fixed)["datadog"]
    document, fixed = fix(
        CORPUS / "eks-tolerations-resources.yaml", tmp_path / "opt", "--apply", "apm-unrequested", "--force"
    )
    assert decisions(document)["apm-unrequested:datadog.apm.socketEnabled"] == APPLIED
    assert values_of(fixed)["datadog"]["apm"] == {"socketEnabled": False}


def test_both_apm_transports_the_user_enabled_stay(tmp_path):
    document, fixed = fix(CORPUS / "apm-both-transports.yaml", tmp_path / "out")
    assert decisions(document)["apm-both-transports:datadog.apm.portEnabled"] == OPT_IN
    apm = values_of(fixed)["datadog"]["apm"]
    assert apm == {"socketEnabled": True, "portEnabled": True}


def test_a_typo_that_would_grant_a_privilege_is_reported_never_applied(tmp_path):
    document, fixed = fix(CORPUS / "typo-privileged.yaml", tmp_path / "out", "--apply", "unknown-key")
    by_key = {d["key"]: d for d in document["fix"]["decisions"]}
    typo = by_key["agents.containers.agent.securityContxt"]
    assert typo["status"] == REFUSED and "privileged (agent)" in typo["grants"]
    assert "ignored today" in typo["reason"]
    port = by_key["datadog.apm.portEnabeld"]
    assert port["status"] == REFUSED and "host port 8126" in port["grants"]
    values = values_of(fixed)
    assert values["agents"]["containers"]["agent"] == {"securityContxt": {"privileged": True}}
    assert values["datadog"]["apm"] == {"portEnabeld": True}
    _, out, _ = run(str(CORPUS / "typo-privileged.yaml"), "--fix", "-o", str(tmp_path / "text"))
    assert "refused: agents.containers.agent.securityContxt is ignored today; fixed, it would grant privileged" in out


def test_pinned_version_disabled_components_and_platform_keys_stay(tmp_path):
    document, fixed = fix(CORPUS / "pinned-old-agent.yaml", tmp_path / "a", "--apply", "agent-too-old")
    # no upgrade is offered (7.81 would bring discovery's system-probe with it): the user decides
    too_old = next(d for d in document["fix"]["decisions"] if d["id"] == "agent-too-old")
    assert too_old["status"] == MANUAL
    assert values_of(fixed)["agents"]["image"] == {
        "registry": "gcr.io/datadoghq",
        "tag": "7.30.0",
        "pullPolicy": "IfNotPresent",
    }
    _, fixed = fix(CORPUS / "cluster-agent-disabled.yaml", tmp_path / "b")
    values = values_of(fixed)
    assert values["clusterAgent"] == {"enabled": False}
    assert values["datadog"]["kubeStateMetricsCore"] == {"enabled": False}
    assert values["datadog"]["orchestratorExplorer"] == {"enabled": False}
    _, fixed = fix(CORPUS / "openshift-scc.yaml", tmp_path / "c")
    values = values_of(fixed)
    assert values["agents"]["podSecurity"]["securityContextConstraints"]["create"] is True
    assert values["agents"]["useHostNetwork"] is True
    assert values["datadog"]["kubelet"] == {"tlsVerify": False}


def test_confd_secret_backend_and_otel_stay(tmp_path):
    source = CORPUS / "confd-secret-backend.yaml"
    _, fixed = fix(source, tmp_path / "a")
    assert "postgres.yaml: |-\n      init_config:" in fixed.read_text()
    values = values_of(fixed)
    assert values["datadog"]["secretBackend"]["command"] == "/readsecret_multiple_providers.sh"
    assert values["datadog"]["customAgentConfig"] == {"inventories_configuration_enabled": False}
    _, fixed = fix(CORPUS / "otel-otlp.yaml", tmp_path / "b")
    values = values_of(fixed)
    assert values["datadog"]["otlp"]["receiver"]["protocols"]["http"]["endpoint"] == "0.0.0.0:4318"
    assert values["datadog"]["otelCollector"]["enabled"] is True


def test_a_literal_api_key_never_reaches_the_bundle(tmp_path):
    source = CORPUS / "string-bools-hostpid.yaml"
    document, fixed = fix(source, tmp_path / "out")
    assert decisions(document)["plaintext-secret:datadog.apiKey"] == APPLIED
    key = "0123456789abcdef0123456789abcdef"
    for path in (tmp_path / "out").iterdir():
        assert key not in path.read_text()
    assert key not in document["fix"]["diff"]
    assert values_of(fixed)["datadog"]["apiKeyExistingSecret"] == "datadog-secret"
    # the string booleans are the user's: reported, kept
    assert values_of(fixed)["datadog"]["logs"] == {"enabled": "true"}


# --- wrappers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("flux-helmrelease.yaml", ("spec", "values")),
        ("argocd-valuesobject.yaml", ("spec", "source", "helm", "valuesObject")),
        ("helmfile.yaml", ("releases", 0, "values", 0)),
        ("kustomize-helmcharts.yaml", ("helmCharts", 0, "valuesInline")),
        ("umbrella-values.yaml", ("datadog",)),
        ("argocd-applicationset.yaml", ("spec", "template", "spec", "source", "helm", "valuesObject")),
    ],
)
def test_a_wrapper_is_kept_and_its_values_are_edited_there(name, path, tmp_path):
    from tui.core.wrappers.source import at
    from tui.core.yamlio.reader import parse_documents

    source = CORPUS / name
    _, fixed = fix(source, tmp_path / "out")
    assert fixed.name == name
    before, after = parse_documents(source.read_text(), "a"), parse_documents(fixed.read_text(), "b")
    assert len(before) == len(after)
    index = len(before) - 1
    assert at(after[index], path)["datadog"]["useHostPID"] is False
    strip = dict(after[index])
    strip_before = dict(before[index])
    # besides the values, a kustomization gains the bundle's patches (tests/test_gitops_steps.py)
    kept = {path[0], "patches"}
    assert {k: v for k, v in strip.items() if k not in kept} == {k: v for k, v in strip_before.items() if k not in kept}
    # the bundle's values.yaml holds the values alone, for helm -f, every line where helm -f expects it
    assert values_of(tmp_path / "out" / VALUES) == at(after[index], path)
    first = next(line for line in (tmp_path / "out" / VALUES).read_text().splitlines() if line.strip())
    assert not first.startswith(" "), first


@pytest.mark.parametrize("name", ["argocd-values-string.yaml", "k3s-helmchart.yaml"])
def test_values_kept_as_a_string_stay_a_string(name, tmp_path):
    source = CORPUS / name
    _, fixed = fix(source, tmp_path / "out")
    text = fixed.read_text()
    assert ("values: |" in text) or ("valuesContent: |-" in text)
    assert "useHostPID: false" in text
    assert values_of(fixed)["datadog"]["useHostPID"] is False


# --- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('resource "helm_release" "datadog" {\n  values = [<<EOF\ndatadog: {}\nEOF\n  ]\n}\n', "Terraform"),
        (
            "releases:\n  - name: datadog\n    chart: datadog/datadog\n    values:\n"
            "      - datadog:\n          clusterName: {{ .Environment.Name }}\n",
            "go templates",
        ),
        (
            "releases:\n  - name: datadog\n    chart: datadog/datadog\n    values:\n"
            '      - datadog:\n          clusterName: "{{ .Environment.Name }}"\n',
            "go templates",
        ),
        (
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: dd}\nspec:\n  templatePatch: x\n"
            "  template: {spec: {source: {chart: datadog, helm: {valuesObject: {datadog: {}}}}}}\n",
            "ApplicationSet's templatePatch",
        ),
        (
            "releases:\n  - name: datadog\n    chart: datadog/datadog\n    values:\n      - values/datadog.yaml\n",
            "audit those files",
        ),
    ],
)
def test_unsupported_forms_are_one_line_exit_2_nothing_written(text, says, tmp_path):
    source = tmp_path / "input.yaml"
    source.write_text(text)
    code, out, err = run(str(source), "--fix", "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and err.count("\n") == 1 and says in err, err
    assert not (tmp_path / "out").exists()


def test_a_file_whose_edit_would_reach_elsewhere_through_an_alias_is_not_edited(tmp_path):
    source = tmp_path / "values.yaml"
    source.write_text("datadog: &dd\n  logs:\n    enabled: true\nbackup: *dd\n")
    code, out, err = run(str(source), "--fix", "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "cannot be edited safely" in err and "nothing written" in err
    assert not (tmp_path / "out").exists()


def test_apply_names_a_finding_of_this_file(tmp_path):
    code, _, err = run(str(CORPUS / "docker-runtime.yaml"), "--fix", "-o", str(tmp_path / "o"), "--apply", "nope")
    assert code == 2 and err.startswith("ddsecure: error: --apply nope: no such finding")
    assert not (tmp_path / "o").exists()
    code, _, err = run(str(CORPUS / "docker-runtime.yaml"), "--apply", "nope")
    assert code == 2 and "--apply is only used with --fix" in err


def test_all_safe_applies_the_edits_that_change_nothing_the_chart_reads(tmp_path):
    source = tmp_path / "values.yaml"
    source.write_text("datadog:\n  apm:\n    enabled: false  # old key, at its default\n  notAKey: 1\n")
    document, fixed = fix(source, tmp_path / "one")
    status = decisions(document)
    assert status["unknown-key:datadog.notAKey"] == OPT_IN
    document, fixed = fix(source, tmp_path / "two", "--apply", ALL_SAFE)
    assert decisions(document)["unknown-key:datadog.notAKey"] == APPLIED
    assert "notAKey" not in fixed.read_text()


# --- the chart's own values.yaml ------------------------------------------------------------------


@needs_reference
def test_a_full_copy_of_the_chart_values_is_edited_in_place(tmp_path):
    text = DEFAULT_VALUES.read_text()
    document, fixed = fix(DEFAULT_VALUES, tmp_path / "out")
    status = decisions(document)
    assert status["hostpid-unneeded:datadog.useHostPID"] == APPLIED
    assert status["system-probe-unrequested:datadog.discovery.enabled"] == APPLIED
    new = fixed.read_text()
    # only the applied keys' lines change: the rest of the 3,500 lines stay byte for byte
    diff = document["fix"]["diff"].splitlines()
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) <= 4 * len([s for s in status.values() if s == APPLIED])
    assert len(new.splitlines()) == len(text.splitlines())
    assert granted(values_of(DEFAULT_VALUES), values_of(fixed)) == []


# --- with the real chart ----------------------------------------------------------------------------


def _helm_pod(values_file: Path) -> dict[str, Any]:
    from tui.core.audit.helm_render import chart_dir, find_helm, helm_template
    from tui.core.audit.manifest_audit import node_agent_pod
    from tui.core.yamlio.reader import parse_documents

    helm, chart = find_helm(), chart_dir(None)
    assert helm and chart
    documents = parse_documents(helm_template(values_file, chart, helm, needs_key=True), "render")
    return node_agent_pod(documents, "render")[0]


@needs_chart
@pytest.mark.parametrize("name", FILES)
def test_real_helm_renders_no_more_privilege_after_the_fix(name, tmp_path):
    import json as _json

    source = CORPUS / name
    _, _ = fix(source, tmp_path / "out")
    before = tmp_path / "before.json"
    before.write_text(_json.dumps(values_of(source)))
    # the old agent tag does not render at all: pin the test to the chart's own tag for both sides
    pods = []
    for path in (before, tmp_path / "out" / VALUES):
        values = values_of(path)
        if name == "pinned-old-agent.yaml":
            values["agents"]["image"]["tag"] = "7.81.1"
            values["clusterAgent"]["image"]["tag"] = "7.81.1"
        plain_file = tmp_path / f"{path.stem}-plain.json"
        plain_file.write_text(_json.dumps(values))
        pods.append(_helm_pod(plain_file))
    assert pod_grants(pods[0], pods[1]) == []


# --- the engine alone ---------------------------------------------------------------------------------


def test_two_edits_on_one_key_never_contradict():
    from tui.core.audit.findings import AuditReport, Finding

    report = AuditReport("x", "values")
    report.findings = [
        Finding("made-up-one", "high", "datadog.logLevel", "m", "f", (("datadog.logLevel", "warn"),)),
        Finding("made-up", "medium", "datadog.logLevel", "m", "f", (("datadog.logLevel", "error"),)),
    ]
    text = "datadog:\n  logs:\n    enabled: true\n"
    given = read_input(text, "x")
    result = plan_fix(text, "x", given.source, given.values, report)
    status = {d.finding.id: d for d in result.outcomes}
    assert status["made-up-one"].status == APPLIED
    assert status["made-up"].status == REFUSED and "contradicts" in status["made-up"].reason
    assert result.values["datadog"]["logLevel"] == "warn"


def test_an_edit_that_brings_a_new_problem_is_refused():
    """hostPID off while origin detection runs over the socket: the two would contradict each other."""
    from tui.core.audit.findings import AuditReport, Finding

    text = "datadog:\n  dogstatsd:\n    originDetection: true\n    useSocketVolume: true\n"
    given = read_input(text, "x")
    report = AuditReport("x", "values")
    report.findings = [Finding("pid-off", "high", "datadog.useHostPID", "m", "f", (("datadog.useHostPID", False),))]
    result = plan_fix(text, "x", given.source, given.values, report)
    (outcome,) = result.outcomes
    assert outcome.status == REFUSED and "origin-detection-without-hostpid" in outcome.reason
    assert result.text == text


# --- generate --base --------------------------------------------------------------------------------


def generate(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["generate", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_generate_from_a_base_file_keeps_it_and_adds_the_answers_settings(tmp_path):
    source = CORPUS / "eks-tolerations-resources.yaml"
    code, out, err = generate("--preset", "minimal-metrics", "--base", str(source), "-o", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    written = (tmp_path / "out" / VALUES).read_text()
    for comment in comments(source.read_text()):
        assert comment in written
    values = values_of(tmp_path / "out" / VALUES)
    for leaf, value in leaves(values_of(source)).items():
        assert leaves(values).get(leaf) == value, leaf  # the answers' settings never override the user's
    assert values["datadog"]["useHostPID"] is False and values["datadog"]["discovery"] == {"enabled": False}
    assert "not applied: changes datadog.site, which your file sets" in out
    # the bundle is computed from that file
    ledger = json.loads((tmp_path / "out" / PRIVILEGES).read_text())
    assert ledger["hostPID"] is False and "system-probe" not in ledger["containers"]
    code, out, err = generate(
        "--preset",
        "minimal-metrics",
        "--base",
        str(source),
        "-o",
        str(tmp_path / "opt"),
        "--apply",
        "answer-setting:datadog.site",
    )
    assert (code, err) == (0, "")
    assert values_of(tmp_path / "opt" / VALUES)["datadog"]["site"] == "datadoghq.com"


def test_generate_from_a_wrapper_keeps_the_wrapper(tmp_path):
    source = CORPUS / "flux-helmrelease.yaml"
    code, _, err = generate("--preset", "minimal-metrics", "--base", str(source), "-o", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    wrapper = (tmp_path / "out" / "flux-helmrelease.yaml").read_text()
    assert wrapper.startswith("---\napiVersion: source.toolkit.fluxcd.io/v1") and "# the release itself" in wrapper
    assert values_of(tmp_path / "out" / VALUES)["datadog"]["useHostPID"] is False


def test_generate_base_refusals_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    code, out, err = generate("--preset", "minimal-metrics", "--base", str(bad), "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and err.count("\n") == 1
    code, _, err = generate("--preset", "minimal-metrics", "--apply", "x", "-o", str(tmp_path / "out"))
    assert code == 2 and "--apply is only used with --base" in err
    code, _, err = generate(
        "--preset",
        "minimal-metrics",
        "--base",
        str(CORPUS / "helmfile.yaml"),
        "--target",
        "operator",
        "-o",
        str(tmp_path / "out"),
    )
    assert code == 2 and "--target operator writes no values.yaml" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


# --- every output says the same -----------------------------------------------------------------------


def test_text_json_sarif_and_report_use_the_same_words(tmp_path):
    source = CORPUS / "typo-privileged.yaml"
    document, _ = fix(source, tmp_path / "json")
    summaries = [d["summary"] for d in document["fix"]["decisions"]]
    assert summaries and all(item.get("fixStatus") in summaries for item in document["findings"] if "fixStatus" in item)
    _, text, _ = run(str(source), "--fix", "-o", str(tmp_path / "text"))
    _, sarif_out, _ = run(str(source), "--fix", "-o", str(tmp_path / "sarif"), "--format", "sarif")
    sarif = json.loads(sarif_out)["runs"][0]["results"]
    report = (tmp_path / "text" / REPORT).read_text()
    for summary in summaries:
        assert f"--fix {summary}" in text
        assert summary in report
        assert any(result["properties"].get("fix") == summary for result in sarif)


def test_a_helmrelease_without_values_gets_them_and_an_argo_multi_source_app_is_read(tmp_path):
    release = tmp_path / "release.yaml"
    release.write_text(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: dd\n"
        "spec:\n  chart:\n    spec:\n      chart: datadog\n  interval: 5m  # reconcile\n"
    )
    _, fixed = fix(release, tmp_path / "a")
    assert values_of(fixed)["datadog"]["useHostPID"] is False
    assert "interval: 5m  # reconcile" in fixed.read_text()
    app = tmp_path / "app.yaml"
    app.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: dd\nspec:\n  sources:\n"
        "    - repoURL: https://github.com/acme/values\n      ref: values\n"
        "    - repoURL: https://helm.datadoghq.com\n      chart: datadog\n      helm:\n"
        "        valueFiles: [$values/datadog.yaml]\n        valuesObject:\n          datadog:\n"
        "            logs: {enabled: true}\n"
    )
    document, fixed = fix(app, tmp_path / "b")
    # the value files Argo CD merges in are not read: the ledger says it cannot see them
    assert document["ledgerComplete"] is False
    assert [u["key"] for u in document["unmodelled"]][:1] == ["spec.sources.1.helm.valueFiles"]
    assert "$values/datadog.yaml" in document["unmodelled"][0]["why"]
    assert values_of(fixed)["datadog"]["logs"] == {"enabled": True}
    assert values_of(fixed)["datadog"]["useHostPID"] is False


def test_a_null_block_of_the_users_is_not_replaced_by_default(tmp_path):
    source = tmp_path / "values.yaml"
    source.write_text("datadog:\n  discovery:\n")  # null: helm drops the chart's whole discovery block
    document, fixed = fix(source, tmp_path / "out")
    assert all(d["key"] != "datadog.discovery.enabled" or d["status"] != APPLIED for d in document["fix"]["decisions"])
    assert values_of(fixed)["datadog"]["discovery"] is None


def test_a_windows_file_keeps_its_line_endings_and_every_other_byte(tmp_path):
    source = tmp_path / "values.yaml"
    source.write_bytes(b"# ours\r\ndatadog:\r\n  logs:\r\n    enabled: true   # keep\r\n")
    _, fixed = fix(source, tmp_path / "out")
    new = fixed.read_bytes()
    assert new.startswith(b"# ours\r\ndatadog:\r\n  logs:\r\n    enabled: true   # keep\r\n")
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert values_of(fixed)["datadog"]["useHostPID"] is False


@needs_reference
@needs_chart
def test_real_helm_renders_no_more_privilege_after_fixing_the_chart_values(tmp_path):
    fix(DEFAULT_VALUES, tmp_path / "out")
    pods = [_helm_pod(DEFAULT_VALUES), _helm_pod(tmp_path / "out" / VALUES)]
    assert pod_grants(pods[0], pods[1]) == []
    assert "system-probe" not in [c["name"] for c in pods[1]["containers"]]


def test_a_value_the_file_set_is_never_called_a_chart_default_you_did_not_set(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text("datadog:\n  apiKey: 0123456789abcdef0123456789abcdef\n  apiKeyExistingSecret: datadog-api-key\n")
    document, _ = fix(path, tmp_path / "out")
    summary = next(d["summary"] for d in document["fix"]["decisions"] if d["id"] == "plaintext-secret")
    assert "apiKeyExistingSecret" not in summary  # the file already names that Secret: nothing changes there
    assert "datadog.apiKey is removed" in summary


def test_a_byte_order_mark_stays_on_the_users_file(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_bytes(b"\xef\xbb\xbfdatadog:\n  apiKeyExistingSecret: datadog-secret\n")
    _, fixed = fix(path, tmp_path / "out")
    data = fixed.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdatadog:\n") and data.count(b"\xef\xbb\xbf") == 1


def test_a_fix_that_only_adds_keys_keeps_every_line_of_a_file_in_another_style(tmp_path):
    # four-space indentation, `True`, a comment inside a flow list: ruamel writes each of these its own way
    source = CORPUS / "indent-four-spelled-booleans.yaml"
    _, fixed_path = fix(source, tmp_path / "out")
    fixed = iter(fixed_path.read_text().splitlines())
    for line in source.read_text().splitlines():
        assert line in fixed, f"rewritten or moved: {line!r}"  # in order, byte for byte
    assert "\n    useHostPID: false\n" in fixed_path.read_text()  # the additions in the file's own indentation


@pytest.mark.parametrize("line", ["    enabled:\ttrue\n", "    enabled: true\t\n"])
def test_a_tab_helm_reads_is_no_reason_to_refuse_the_fix_and_stays(line, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text("datadog:\n  apiKeyExistingSecret: s\n  logs:\n" + line)
    _, fixed = fix(path, tmp_path / "out")
    assert line in fixed.read_text() and "useHostPID: false" in fixed.read_text()
