"""Issue 18 item 10: hints name only flags the command has, reports name paths as the user gave them, and
programs that produce values (Terraform, go templates, ApplicationSets templated per cluster) get the one-line
"render it first"."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tui.cli import build_parser, main

HELM_RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: datadog
  namespace: datadog
spec:
  chart:
    spec:
      chart: datadog
      version: 3.240.0
  values:
    datadog:
      apiKeyExistingSecret: datadog-secret
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue(), err.getvalue()


def flags_of(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {flag for action in sub.choices[command]._actions for flag in action.option_strings}


def test_audit_fix_into_a_non_empty_directory_suggests_only_audit_flags(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine\n")
    rc, _, err = run("audit", str(values), "--fix", "-o", str(tmp_path / "out"))
    assert rc == 2 and "--force" in err
    named = {word.strip(",;()'") for word in err.split() if word.startswith("--")}
    assert named <= flags_of("audit"), named - flags_of("audit")
    assert "--check" not in err


def test_generate_into_a_non_empty_directory_still_offers_its_check(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine\n")
    rc, _, err = run("generate", "-o", str(tmp_path / "out"))
    assert rc == 2 and "--force" in err and "--check to compare" in err
    assert {w.strip(",;()'") for w in err.split() if w.startswith("--")} <= flags_of("generate")


def test_the_kubernetes_version_note_of_an_audit_names_no_generate_flag(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("datadog:\n  apiKeyExistingSecret: datadog-secret\n")
    _, out, _ = run("audit", str(values))
    assert "--set" not in out
    assert "datadog.kubelet.fineGrainedAuthorization: false" in out


def test_report_of_a_wrapper_fix_names_the_file_as_given_not_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "hr.yaml").write_text(HELM_RELEASE)
    rc, out, err = run("audit", "infra/hr.yaml", "--fix", "-o", "out")
    assert rc in (0, 1), err
    report = (tmp_path / "out" / "REPORT.md").read_text()
    assert "commit hr.yaml in place of infra/hr.yaml" in report
    assert str(tmp_path) not in report and str(tmp_path) not in out
    # the copy runs in the bundle directory: from there the file is one level up
    assert "cp hr.yaml ../infra/hr.yaml" in report
    assert os.path.samefile(tmp_path / "out" / "../infra/hr.yaml", tmp_path / "infra" / "hr.yaml")


TERRAFORM = """\
resource "helm_release" "datadog" {
  name  = "datadog"
  chart = "datadog"
  values = [yamlencode({ datadog = { apiKeyExistingSecret = "x" } })]
}
"""
GOTMPL = "datadog:\n  apiKeyExistingSecret: {{ .Values.secret }}\n"
HELMFILE = (
    "releases:\n- name: datadog\n  chart: datadog/datadog\n  values:\n  - datadog:\n      site: {{ .Values.site }}\n"
)
APPSET = (  # values templated per cluster: read only once generated
    "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dd\nspec:\n  template:\n"
    "    spec:\n      source:\n        chart: datadog\n        helm:\n          valuesObject:\n"
    "            datadog: {clusterName: '{{name}}'}\n"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [("main.tf", TERRAFORM), ("values.yaml.gotmpl", GOTMPL), ("helmfile.yaml.gotmpl", HELMFILE), ("as.yaml", APPSET)],
)
@pytest.mark.parametrize("fix", [False, True])
def test_programs_that_produce_values_are_refused_with_render_it_first(tmp_path, name, text, fix):
    path = tmp_path / name
    path.write_text(text)
    rc, out, err = run("audit", str(path), *(["--fix", "-o", str(tmp_path / "out")] if fix else []))
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and ("render it first" in err or "render them first" in err)
    assert not Path(tmp_path / "out").exists()
