"""Values in a GitOps wrapper: the steps name the wrapper's own way, and Flux/Kustomize carry the patches.

A Flux or Argo CD user never runs `helm template`: their controller renders the chart from the
wrapper. The next steps (CLI, wizards, REPORT.md) say to put the edited wrapper back and how its
controller applies the bundle's DaemonSet and RBAC patches; a Flux HelmRelease and a Kustomize
helmCharts kustomization get the patches themselves (only additions, the user's own kept first).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main
from tui.core.wrappers.source import at
from tui.core.yamlio.reader import parse_documents

CORPUS = Path(__file__).parent / "fix_corpus"
HELM_BY_HAND = "helm template "
# wrapper file -> the command its controller's way runs (helmfile: helm is what runs, through helmfile)
WAYS = {
    "flux-helmrelease.yaml": "flux reconcile helmrelease datadog -n datadog --with-source",
    "flux-postrenderers.yaml": "flux reconcile helmrelease datadog-agent -n flux-system --with-source",
    "argocd-values-string.yaml": "argocd app sync datadog-agent",
    "argocd-valuesobject.yaml": "argocd app sync datadog",
    "kustomize-helmcharts.yaml": f"kubectl kustomize --enable-helm {CORPUS}",
    "k3s-helmchart.yaml": f"kubectl apply -f {CORPUS / 'k3s-helmchart.yaml'}",
    "helmfile.yaml": f"helmfile -f {CORPUS / 'helmfile.yaml'} apply",
}
# Formats that cannot carry the patches say why, and what to add (helmfile, Flux and Kustomize carry them)
MISSING = {
    "argocd-values-string.yaml": "no post-renderer for a Helm source",
    "argocd-valuesobject.yaml": "no post-renderer for a Helm source",
    "k3s-helmchart.yaml": "runs helm install with no post-renderer",
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def fixed(name: str, directory: Path, source: Path | None = None) -> str:
    code, out, err = run("audit", str(source or CORPUS / name), "--fix", "-o", str(directory))
    assert code in (0, 1) and err == "", err
    return out


def next_section(report: str) -> str:
    return report.split("## Next steps", 1)[1].split("\n## ", 1)[0]


def shell_commands(markdown: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", markdown, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def documents(path: Path) -> list[Any]:
    return parse_documents(path.read_text(), str(path))


def helmrelease(path: Path) -> dict[str, Any]:
    return next(d for d in documents(path) if d.get("kind") == "HelmRelease")


def bundle_patches(directory: Path) -> list[dict[str, Any]]:
    """The bundle's own patches (kustomization.yaml), with the DaemonSet patch file read inline."""
    kustomization = documents(directory / "kustomization.yaml")[0]
    out = []
    for entry in kustomization["patches"]:
        if "path" in entry:
            entry = {"target": entry["target"], "patch": documents(directory / entry.pop("path"))[0]}
        out.append(entry)
    return out


def as_data(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Patches with their text read as data (YAML for the DaemonSet, JSON for RBAC), targets by kind and name."""
    out = []
    for entry in entries:
        patch = entry["patch"]
        if isinstance(patch, str):
            patch = json.loads(patch) if patch.lstrip().startswith("[") else parse_documents(patch, "patch")[0]
        out.append({"kind": entry["target"]["kind"], "name": entry["target"]["name"], "patch": patch})
    return out


# --- the steps name the wrapper's way, on every surface --------------------------------------------


@pytest.mark.parametrize("name", sorted(WAYS))
def test_steps_name_the_wrappers_way_not_helm_template(name, tmp_path):
    out = fixed(name, tmp_path / "out")
    printed = out.split("\nnext:\n", 1)[1]
    report = next_section((tmp_path / "out" / "REPORT.md").read_text())
    commands = shell_commands(report)
    for text in (printed, report):
        assert f"cp {name} {CORPUS / name}" in text  # put the edited wrapper back where it came from
        assert WAYS[name] in text
        assert "ddsecure audit live.yaml --expect privileges.json" in text  # the same check ends it
    assert not any(c.startswith(HELM_BY_HAND) or c.startswith("helm repo add") for c in commands)
    assert commands[-1] == "ddsecure audit live.yaml --expect privileges.json"
    assert not any(line.strip().startswith(HELM_BY_HAND) for line in printed.splitlines())
    if name in MISSING:  # cannot carry the patches: says so, and what to add, in one paragraph
        assert MISSING[name] in " ".join(printed.split()) and MISSING[name] in report
        assert "WITHOUT the bundle's DaemonSet and RBAC patches" in report
    else:
        assert "WITHOUT" not in report


def test_generate_base_prints_and_reports_the_same_steps(tmp_path):
    source = CORPUS / "argocd-valuesobject.yaml"
    code, out, err = run("generate", "--preset", "minimal-metrics", "--base", str(source), "-o", str(tmp_path / "b"))
    assert (code, err) == (0, "")
    printed = out.split("\nnext:\n", 1)[1]
    report = next_section((tmp_path / "b" / "REPORT.md").read_text())
    assert "argocd app sync datadog" in printed and "argocd app sync datadog" in report
    assert "helm template" not in "".join(shell_commands(report))


def test_the_patch_files_say_who_applies_them(tmp_path):
    fixed("flux-helmrelease.yaml", tmp_path / "flux")
    fixed("k3s-helmchart.yaml", tmp_path / "k3s")
    for file in ("daemonset-overrides.yaml", "kustomization.yaml"):
        assert (tmp_path / "flux" / file).read_text().startswith("# flux-helmrelease.yaml (Flux HelmRelease) carries")
        assert "does NOT apply these patches" in (tmp_path / "k3s" / file).read_text().splitlines()[0]


def test_the_release_name_and_namespace_are_the_controllers(tmp_path):
    """Argo CD names the release after the Application; Flux after "[targetNamespace-]name"."""
    fixed("argocd-values-string.yaml", tmp_path / "argo")
    argo = json.loads((tmp_path / "argo" / "privileges.json").read_text())
    assert argo["daemonset"] == "datadog-agent"
    assert argo["admission"]["fence"]["policy"] == "ddsecure-fence-datadog-datadog-agent"
    fixed("flux-postrenderers.yaml", tmp_path / "flux")
    flux = json.loads((tmp_path / "flux" / "privileges.json").read_text())
    assert flux["admission"]["fence"]["policy"] == "ddsecure-fence-monitoring-monitoring-datadog-agent"
    ours = helmrelease(tmp_path / "flux" / "flux-postrenderers.yaml")["spec"]["postRenderers"][-1]
    assert ours["kustomize"]["patches"][0]["target"]["name"] == "monitoring-datadog-agent"
    # kustomize inflates a helmCharts entry without releaseName as "release-name"
    unnamed = tmp_path / "kustomization.yaml"
    text = (CORPUS / "kustomize-helmcharts.yaml").read_text().replace("    releaseName: datadog\n", "")
    unnamed.write_text(
        text.replace("    namespace: datadog\n", "").replace("helmCharts:", "namespace: ops\nhelmCharts:")
    )
    fixed("kustomization.yaml", tmp_path / "kz", source=unnamed)
    kz = json.loads((tmp_path / "kz" / "privileges.json").read_text())
    assert kz["admission"]["fence"]["policy"] == "ddsecure-fence-ops-release-name"
    assert documents(tmp_path / "kz" / "fixed-kustomization.yaml")[0]["patches"][0]["target"]["name"] == (
        "release-name-datadog"
    )


# --- Flux: the patches go into spec.postRenderers --------------------------------------------------


def test_flux_helmrelease_carries_the_bundles_patches(tmp_path):
    out_dir = tmp_path / "out"
    out = fixed("flux-helmrelease.yaml", out_dir)
    release = helmrelease(out_dir / "flux-helmrelease.yaml")
    renderers = release["spec"]["postRenderers"]
    assert len(renderers) == 1 and set(renderers[0]) == {"kustomize"}
    assert as_data(renderers[0]["kustomize"]["patches"]) == as_data(bundle_patches(out_dir))
    # the values edits are the audit's alone: the HelmRelease's values are the bundle's values.yaml
    assert release["spec"]["values"] == documents(out_dir / "values.yaml")[0]
    assert release["spec"]["values"]["datadog"]["useHostPID"] is False
    # each addition is explained, in the output and the report
    report = (out_dir / "REPORT.md").read_text()
    assert "Added to `flux-helmrelease.yaml` beside the values" in report
    assert "spec.postRenderers (a new kustomize entry, after yours): the DaemonSet patch" in report
    assert "added to your file: spec.postRenderers" in out
    assert "flux reconcile helmrelease" in next_section(report) and "kubectl kustomize" not in next_section(report)


def test_flux_keeps_the_users_post_renderers_first_and_its_comments(tmp_path):
    source = CORPUS / "flux-postrenderers.yaml"
    before = helmrelease(source)
    fixed("flux-postrenderers.yaml", tmp_path / "out")
    written = tmp_path / "out" / "flux-postrenderers.yaml"
    after = helmrelease(written)
    theirs = before["spec"]["postRenderers"]
    assert after["spec"]["postRenderers"][: len(theirs)] == theirs  # untouched, and first (Flux runs them in order)
    assert len(after["spec"]["postRenderers"]) == len(theirs) + 1
    assert as_data(after["spec"]["postRenderers"][-1]["kustomize"]["patches"]) == as_data(
        bundle_patches(tmp_path / "out")
    )
    text = written.read_text()
    for comment in ("# our platform team's labels, on every object of the release", "# the release is"):
        assert comment in text
    # every line of the user's file is still there, in order: only additions besides the values edits
    original = source.read_text().splitlines()
    lines = iter(text.splitlines())
    assert all(line in lines for line in original)
    # everything but the values and the renderers is the same
    strip = ("values", "postRenderers")
    assert {k: v for k, v in after["spec"].items() if k not in strip} == {
        k: v for k, v in before["spec"].items() if k not in strip
    }


def test_fixing_the_fixed_helmrelease_adds_nothing(tmp_path):
    fixed("flux-postrenderers.yaml", tmp_path / "one")
    again = tmp_path / "flux-postrenderers.yaml"
    shutil.copy(tmp_path / "one" / "flux-postrenderers.yaml", again)
    out = fixed("flux-postrenderers.yaml", tmp_path / "two", source=again)
    assert (tmp_path / "two" / again.name).read_text() == again.read_text()
    assert "added to your file" not in out


# --- Kustomize helmCharts: the wrapper is a kustomization ------------------------------------------


def test_kustomize_helmcharts_gets_the_patches_in_its_patches_list(tmp_path):
    source = CORPUS / "kustomize-helmcharts.yaml"
    fixed(source.name, tmp_path / "out")
    written = documents(tmp_path / "out" / source.name)[0]
    assert as_data(written["patches"]) == as_data(bundle_patches(tmp_path / "out"))
    before = documents(source)[0]
    assert {k: v for k, v in written.items() if k != "patches"} | {"helmCharts": None} == before | {"helmCharts": None}
    assert at(written, ("helmCharts", 0, "valuesInline")) == documents(tmp_path / "out" / "values.yaml")[0]


# --- helmfile: the release takes strategicMergePatches and jsonPatches ------------------------------


def test_helmfile_release_gets_the_patches_as_data(tmp_path):
    source = CORPUS / "helmfile.yaml"
    out = fixed(source.name, tmp_path / "out")
    release = documents(tmp_path / "out" / source.name)[0]["releases"][0]
    bundle = as_data(bundle_patches(tmp_path / "out"))
    assert release["strategicMergePatches"] == [bundle[0]["patch"]]  # the document of daemonset-overrides.yaml
    assert [
        {"kind": p["target"]["kind"], "name": p["target"]["name"], "patch": p["patch"]} for p in release["jsonPatches"]
    ] == bundle[1:]
    assert release["values"][0] == documents(tmp_path / "out" / "values.yaml")[0]
    assert "added to your file: the datadog release's strategicMergePatches (after yours)" in out
    assert "# k3d" in (tmp_path / "out" / source.name).read_text()


# --- the wizards show the wrapper's steps too ------------------------------------------------------


def test_the_question_wizard_prints_the_wrappers_steps(tmp_path, monkeypatch):
    from test_ask import CLEAR, DEFAULT_QUESTIONS, ENTER, TARGET, walk

    monkeypatch.chdir(tmp_path)
    base = CORPUS / "flux-helmrelease.yaml"
    keys = ENTER * DEFAULT_QUESTIONS + TARGET + CLEAR + "./b" + ENTER + str(base) + ENTER + ENTER
    result = walk(keys, None)
    assert result.rc == 0, result.err
    assert "flux reconcile helmrelease datadog -n datadog --with-source" in result.out
    assert not any(line.strip().startswith(HELM_BY_HAND) for line in result.out.splitlines())


async def test_the_app_export_shows_the_wrappers_steps(tmp_path):
    pytest.importorskip("textual")
    from textual.widgets import Input, Static

    from tui.app.wizard_app import WizardApp
    from tui.core.answers.contract import Answers

    app = WizardApp(Answers(), output=tmp_path / "bundle", start="export", target="helm")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#base", Input).value = str(CORPUS / "k3s-helmchart.yaml")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#export-result", Static).render())
    assert "k3s/RKE2 HelmChart" in shown and HELM_BY_HAND + "datadog" not in shown
    assert app.written_steps is not None and "kubectl apply -f" in "".join(app.written_steps.commands())


# --- with the real chart: the wrapper's patches, applied the way its tool does -----------------------


def carried_renderers(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str, str]:
    """(values, kustomizations to run in order, release, namespace) as each tool runs them: Flux's
    post-renderers one by one, a kustomization's own patches, helmfile's patches through kustomize."""
    document = next(d for d in documents(path) if d.get("kind") in ("HelmRelease", "Kustomization", None))
    if document.get("kind") == "HelmRelease":
        spec = document["spec"]
        release = f"{spec['targetNamespace']}-{document['metadata']['name']}"
        return spec["values"], [r["kustomize"] for r in spec["postRenderers"]], release, spec["targetNamespace"]
    if document.get("kind") == "Kustomization":
        chart = document["helmCharts"][0]
        return chart["valuesInline"], [{"patches": document["patches"]}], chart["releaseName"], chart["namespace"]
    release = document["releases"][0]
    patches = [{"patch": json.dumps(p)} for p in release["strategicMergePatches"]]
    patches += [{"target": p["target"], "patch": json.dumps(p["patch"])} for p in release["jsonPatches"]]
    return release["values"][0], [{"patches": patches}], release["name"], release["namespace"]


def without_operator(source: Path, directory: Path) -> Path:
    """The file with the chart's Datadog Operator subchart off (as flux-postrenderers.yaml has it).

    An `audit --fix` bundle's privileges.json leaves out the Operator the chart installs by default when
    the user's values do not turn it off (reported to the lead); these tests are about the patches."""
    from tui.core.audit.audit import read_input
    from tui.core.audit.fix import round_trip_yaml

    given = read_input(source.read_text(), str(source))
    assert given.source is not None
    yaml = round_trip_yaml(given.text)
    trees = list(yaml.load_all(given.text))
    values = at(trees[given.source.document], given.source.path)
    values["datadog"].setdefault("operator", {})["enabled"] = False
    copy = directory / source.name
    with copy.open("w") as out:
        yaml.dump_all(trees, out) if len(trees) > 1 else yaml.dump(trees[0], out)
    return copy


@pytest.mark.parametrize("name", ["flux-postrenderers.yaml", "kustomize-helmcharts.yaml", "helmfile.yaml"])
def test_the_carried_patches_applied_as_the_tool_does_pass_the_check(name, chart_tools, tmp_path):
    """helm template with the wrapper's values, then its patches with kustomize as its tool runs them,
    then `ddsecure audit --expect privileges.json`: the running Agent is the one the bundle describes."""
    chart, helm, kubectl = chart_tools
    out_dir = tmp_path / "out"
    fixed(name, out_dir, source=without_operator(CORPUS / name, tmp_path))
    values, renderers, release, namespace = carried_renderers(out_dir / name)
    values_file = tmp_path / "values.json"
    values_file.write_text(json.dumps(values))
    rendered = subprocess.run(
        [helm, "template", release, str(chart), "-n", namespace, "-f", str(values_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for number, renderer in enumerate(renderers):
        step = tmp_path / f"renderer-{number}"
        step.mkdir()
        (step / "input.yaml").write_text(rendered)
        (step / "kustomization.yaml").write_text(json.dumps({"resources": ["input.yaml"], **renderer}))
        built = subprocess.run([kubectl, "kustomize", str(step)], capture_output=True, text=True)
        assert built.returncode == 0, built.stderr
        rendered = built.stdout
    (out_dir / "live.yaml").write_text(rendered)
    if name == "flux-postrenderers.yaml":
        assert "team: observability" in rendered  # the user's own renderer still ran
    # The audit also reports the user's own cluster-wide grants (high, exit 1): the check is the comparison.
    _, out, _ = run(
        "audit", str(out_dir / "live.yaml"), "--expect", str(out_dir / "privileges.json"), "--format", "json"
    )
    expected = json.loads(out)["expected"]
    assert expected["agrees"] is True, expected["differences"]
