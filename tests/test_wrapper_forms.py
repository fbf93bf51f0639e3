"""Each form a file of chart values can take is one module of tui.core.wrappers, in one registry:
it alone recognises its documents, it says where the values are, whether and where it carries the
bundle's patches, and how its controller installs it."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tui.core.answers.contract import Answers
from tui.core.audit.audit import audit_input, read_input
from tui.core.chart.model import render_pod
from tui.core.errors import InputFileError
from tui.core.output.next_steps import Wrapper, next_steps, wrapper_header
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset, pod_spec_of
from tui.core.wrappers import FORMS, PLAIN, WRAPPERS

from conftest import REFERENCE_VALUES, needs_reference

CORPUS = Path(__file__).parent / "fix_corpus"
# fixture -> (its form, the tool its controller command runs, carries the bundle's patches)
FIXTURES = {
    "flux-helmrelease.yaml": ("flux", "flux reconcile helmrelease", True),
    "argocd-valuesobject.yaml": ("argocd", "argocd app sync", False),
    "argocd-values-string.yaml": ("argocd", "argocd app sync", False),
    "argocd-applicationset.yaml": ("argocd-appset", "kubectl apply -f", False),
    "kustomize-helmcharts.yaml": ("kustomize", "kubectl kustomize --enable-helm", True),
    "k3s-helmchart.yaml": ("k3s", "kubectl apply -f", False),
    "helmfile.yaml": ("helmfile", "helmfile -f", True),
    "umbrella-values.yaml": ("umbrella", "helm upgrade", False),
    "flux-valuesfrom-configmap.yaml": ("configmap", "kubectl apply -f", False),
}


def test_the_registry_has_every_form_once():
    assert set(FORMS) == {
        "values", "flux", "argocd", "argocd-appset", "kustomize", "k3s", "helmfile", "configmap", "umbrella"
    }  # fmt: skip
    assert FORMS["values"] is PLAIN and PLAIN not in WRAPPERS
    assert [form.name for form in WRAPPERS] == [name for name in FORMS if name != "values"]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_exactly_one_form_recognises_each_wrapper_and_locates_its_values(fixture):
    name, _, _ = FIXTURES[fixture]
    given = read_input((CORPUS / fixture).read_text(), fixture)
    assert given.source is not None and given.source.form == name
    document = given.documents[given.source.document]
    assert [form.name for form in WRAPPERS if form.is_one(document, fixture)] == [name]
    assert FORMS[name].locate(given.source.document, document, fixture) == given.source


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_form_installs_its_own_way(fixture):
    name, tool, carries = FIXTURES[fixture]
    form = FORMS[name]
    assert (form.patches is not None) == carries
    # a form that cannot carry the patches says what to do instead, with the bundle's own file names
    assert bool(form.missing) != carries and bool(form.carried) == carries
    wrapper = Wrapper(
        name, fixture, origin=f"/repo/{fixture}", patched=carries, object_name="dd", object_namespace="ns"
    )
    assert form.controller_command(wrapper).startswith(tool)
    steps = next_steps(Answers(), "helm", wrapper).text()
    assert form.controller_command(wrapper) in steps and form.label in steps
    assert not re.search(r"\{[a-z_]+\}", steps)  # every file name of the form's text filled in
    header = wrapper_header(wrapper)
    assert header.startswith(f"{fixture} ({form.label})") and ("does NOT apply" in header) != carries


def test_plain_values_are_no_wrapper():
    given = read_input("datadog:\n  logs:\n    enabled: true\n", "values.yaml")
    assert given.source == PLAIN.source() and not given.source.wrapped
    assert PLAIN.patches is None and not PLAIN.controller_command(Wrapper("values", "values.yaml"))


# --- an umbrella chart's values ------------------------------------------------------------------------


def test_an_umbrella_charts_block_is_read_under_its_name_or_alias():
    for key in ("datadog", "dd-agent"):
        given = read_input(
            f"global: {{env: prod}}\nredis: {{replicas: 2}}\n{key}:\n  agents:\n    useHostNetwork: true\n", "v"
        )
        assert given.source is not None and (given.source.form, given.source.path) == ("umbrella", (key,))
        assert given.values == {"agents": {"useHostNetwork": True}}
        assert "global: (which helm also hands the subchart) is not read" in given.source.notes


def test_two_blocks_of_datadog_values_are_refused_in_one_line():
    with pytest.raises(InputFileError, match="2 blocks hold datadog chart values \\(a, b\\); expected one"):
        read_input("a:\n  datadog: {logs: {enabled: true}}\nb:\n  agents: {enabled: true}\n", "v")


@needs_reference
def test_the_charts_own_values_are_plain_values_not_an_umbrella():
    """No key of the chart holds one of its sections, so its full values.yaml is never read as an umbrella's."""
    given = read_input(REFERENCE_VALUES.read_text(), "values.yaml")
    assert given.source == PLAIN.source()


def test_real_helm_hands_the_subchart_the_block_the_audit_reads(chart_tools, tmp_path):
    """An umbrella chart with the real datadog chart as a dependency under an alias: the node Agent helm
    renders from the umbrella's values has exactly the privileges the audit reads from that block."""
    chart, helm, _ = chart_tools
    umbrella = tmp_path / "platform-monitoring"
    shutil.copytree(chart, umbrella / "charts" / "datadog")
    (umbrella / "Chart.yaml").write_text(
        "apiVersion: v2\nname: platform-monitoring\nversion: 1.0.0\ndependencies:\n"
        "  - name: datadog\n    version: 3.240.0\n    repository: https://helm.datadoghq.com\n    alias: dd\n"
    )
    text = (CORPUS / "umbrella-values.yaml").read_text().replace("\ndatadog:  #", "\ndd:  #")
    values_file = umbrella / "values-prod.yaml"
    values_file.write_text(text)
    done = subprocess.run(
        [helm, "template", "mon", str(umbrella), "-f", str(values_file)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    daemonset = find_node_agent_daemonset(list(YAML(typ="safe", pure=True).load_all(done.stdout)))
    given = read_input(text, values_file.name)
    assert given.source is not None and given.source.path == ("dd",)

    def facts(pod):
        document = ledger_of_pod(pod).as_json()
        for grant in document["hostPaths"]:
            grant.pop("because")
        return document

    assert facts(pod_spec_of(daemonset)) == facts(render_pod(given.values))
    assert facts(render_pod(given.values))["hostPorts"]  # the block's dogstatsd.useHostPort reached the subchart


def test_the_umbrella_form_knows_the_charts_top_level_keys():
    from tui.core.chart.keys import chart_keys
    from tui.core.wrappers.umbrella import TOP_LEVEL

    assert {key.split(".")[0] for key in chart_keys().keys} == TOP_LEVEL


@pytest.mark.parametrize(
    "text",
    [
        "datadog:\n  clusterAgent:\n    enabled: false\n",  # a section one level too deep: wrong-level
        "datadog:\n  apiKeyExistingSecret: s\n  agents:\n    enabled: true\n",
        "agents:\n  enabled: true\ndatadog:\n  clusterAgent:\n    enabled: false\n",
    ],
)
def test_a_section_written_one_level_too_deep_stays_plain_values(text):
    assert read_input(text, "values.yaml").source == PLAIN.source()


def test_the_umbrellas_condition_key_is_not_a_chart_key_and_fix_keeps_it(tmp_path):
    """`datadog.enabled` is the usual `condition:` of the dependency: not read as an unknown chart key."""
    from tui.cli import main

    source = tmp_path / "values.yaml"
    source.write_text("datadog:\n  enabled: true\n  datadog:\n    apiKeyExistingSecret: s\n")
    given = read_input(source.read_text(), "values.yaml")
    assert given.source is not None and any("condition" in note for note in given.source.notes)
    report = audit_input(given)
    assert "unknown-key" not in {f.id for f in report.findings}
    assert any("condition" in note for note in report.answer_notes)
    assert main(["audit", str(source), "--fix", "-o", str(tmp_path / "out")]) in (0, 1)
    assert (tmp_path / "out" / "fixed-values.yaml").read_text().startswith("datadog:\n  enabled: true\n  datadog:\n")


def test_an_umbrella_with_the_subchart_off_says_no_agent_is_installed():
    given = read_input("datadog:\n  enabled: false\n  datadog:\n    logs: {enabled: true}\n", "values.yaml")
    assert given.source is not None
    assert any("it is off: the umbrella installs no Agent" in note for note in given.source.notes)


_FLUX_HEAD = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: dd}\n"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            _FLUX_HEAD + "spec:\n  chart: {spec: {chart: datadog}}\n  valuesFrom: [{kind: ConfigMap, name: dd}]\n"
            "  values: {datadog: {site: datadoghq.eu}}\n",
            "spec.valuesFrom",
        ),
        (
            "helmCharts:\n  - name: datadog\n    valuesFile: prod.yaml\n    valuesInline: {datadog: {site: x}}\n",
            "helmCharts[0].valuesFile",
        ),
        (
            "releases:\n  - name: dd\n    chart: datadog/datadog\n    values:\n      - prod.yaml\n"
            "      - datadog: {site: x}\n    set: [{name: agents.useHostNetwork, value: true}]\n",
            "releases[0].values",
        ),
    ],
)
def test_values_a_controller_merges_in_unread_make_the_ledger_partial(text, key):
    """Value files, ConfigMaps and --set entries the wrapper names are not read: the ledger says it cannot see
    them, by the key that names them, rather than describe the inline values as if they were all."""
    report = audit_input(read_input(text, "w.yaml"))
    assert not report.ledger_complete
    assert key in [entry["key"] for entry in report.unmodelled]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_text_header_names_what_holds_the_values(fixture, capsys):
    from tui.cli import main

    name, _, _ = FIXTURES[fixture]
    main(["audit", str(CORPUS / fixture), "--fail-on", "none"])
    header = capsys.readouterr().out.splitlines()[0]
    assert f"({FORMS[name].title} values for datadog/datadog " in header, header


def test_the_render_command_for_another_chart_version_is_safe_to_paste_into_a_shell():
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: datadog}\nspec:\n  source:\n"
        "    repoURL: https://helm.datadoghq.com\n    chart: datadog\n    targetRevision: '>=3.58.0'\n"
        "    helm:\n      valuesObject:\n        datadog: {apiKeyExistingSecret: datadog-secret}\n"
    )
    report = audit_input(read_input(text, "my app.yaml"))
    why = report.unmodelled[0]["why"]
    # unquoted, bash would redirect into a file named =3.58.0
    assert why.endswith("ddsecure audit 'my app.yaml' --render --chart datadog/datadog --version '>=3.58.0'")


OPERATOR_RELEASES = {
    "argocd": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: op}\nspec:\n  source:\n"
    "    repoURL: https://helm.datadoghq.com\n    chart: datadog-operator\n    targetRevision: 2.23.1\n"
    "    helm: {values: 'site: datadoghq.com'}\n",
    "flux": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: op}\nspec:\n"
    "  chart: {spec: {chart: datadog-operator, sourceRef: {kind: HelmRepository, name: datadog}}}\n"
    "  values: {site: datadoghq.com}\n",
    "helmfile": "repositories:\n- {name: datadog, url: https://helm.datadoghq.com}\nreleases:\n"
    "- {name: op, chart: datadog/datadog-operator, values: [{site: datadoghq.com}]}\n",
}


@pytest.mark.parametrize("form", OPERATOR_RELEASES)
def test_a_release_of_another_chart_from_datadogs_repository_is_refused_not_audited_as_the_agent(form):
    # the same repository serves datadog-operator: its values are not the Agent chart's
    with pytest.raises(InputFileError, match="installs another chart than datadog/datadog") as refused:
        read_input(OPERATOR_RELEASES[form], "op.yaml")
    assert "\n" not in str(refused.value)


def test_a_git_source_is_read_as_the_chart_but_its_branch_is_no_chart_version():
    text = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: datadog}\nspec:\n  source:\n"
        "    repoURL: https://github.com/example/deployments.git\n    path: charts/datadog\n"
        "    targetRevision: main\n    helm:\n      valuesObject:\n        datadog: {apiKeyExistingSecret: s}\n"
    )
    report = audit_input(read_input(text, "app.yaml"))
    assert report.chart is None  # `main` is a branch
    assert report.unmodelled[0]["key"] == "spec.source.path"  # may be an umbrella chart: the ledger says so
    assert report.ledger_complete is False


K3S_HELMCHART = (
    "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: datadog, namespace: kube-system}\nspec:\n"
    "  repo: https://helm.datadoghq.com\n  chart: datadog\n  targetNamespace: datadog\n  valuesContent: |-\n"
    "    datadog:\n      apiKeyExistingSecret: datadog-secret\n"
)


def test_a_k3s_helmchart_narrows_the_runtime_mount_to_k3s_containerd_socket(tmp_path):
    # k3s and RKE2 run their own containerd: the generic /var/run/containerd socket is not on their nodes
    report = audit_input(read_input(K3S_HELMCHART, "datadog.yaml"))
    assert report.answers["runtime_socket"] == "/run/k3s/containerd/containerd.sock"
    [wide] = [f for f in report.findings if f.id == "runtime-dir-too-wide"]
    assert wide.changes == (("datadog.criSocketPath", "/run/k3s/containerd/containerd.sock"),)
    path = tmp_path / "datadog.yaml"
    path.write_text(K3S_HELMCHART)
    from tui.cli import main

    code = main(["audit", str(path), "--fix", "-o", str(tmp_path / "out")], out=io.StringIO(), err=io.StringIO())
    assert code in (0, 1)
    # /run/k3s/containerd lies inside the /var/run the chart mounted (a link to /run): narrower, so applied
    assert "criSocketPath: /run/k3s/containerd/containerd.sock" in (tmp_path / "out" / "datadog.yaml").read_text()


@pytest.mark.parametrize(
    ("data", "recognised"),
    [
        ("datadog:\n  apiKeyExistingSecret: s\n", True),
        ("datadog:\n  enabled: true\n  host: dd-agent\n", False),  # another chart's switch for Datadog
        ("replicas: 2\n", False),
        ("datadog: [not, values]\n", False),
    ],
)
def test_a_configmap_holds_the_charts_values_only_when_its_datadog_section_is_the_charts(data, recognised):
    document = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "v"}, "data": {"values.yaml": data}}
    source = FORMS["configmap"].locate(0, document, "f")
    assert (source is not None) == recognised


def test_a_secret_with_base64_values_is_listed_as_values_elsewhere():
    from tui.core.wrappers.source import ValuesElsewhere

    encoded = base64.b64encode(b"datadog:\n  apiKey: 0123456789abcdef0123456789abcdef\n").decode()
    document = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "v"}, "data": {"values.yaml": encoded}}
    with pytest.raises(ValuesElsewhere, match=r"base64-encoded in data\.values\.yaml"):
        FORMS["configmap"].locate(0, document, "f")


def test_beside_rendered_workloads_a_configmap_of_values_leaves_the_manifests_to_be_audited():
    configmap = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\ndata:\n  values.yaml: |\n"
        "    datadog:\n      apiKeyExistingSecret: s\n"
    )
    daemonset = (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: dd}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: agent\n        image: gcr.io/datadoghq/agent:7.81.1\n"
    )
    assert read_input(configmap, "cm.yaml").source.form == "configmap"
    assert read_input(configmap + "---\n" + daemonset, "live.yaml").kind == "manifests"


def test_a_file_with_two_releases_is_audited_release_by_release_and_fix_asks_for_one(tmp_path):
    app = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec:\n  source:\n"
        "    repoURL: https://helm.datadoghq.com\n    chart: datadog\n    targetRevision: 3.240.0\n"
        "    helm:\n      valuesObject:\n        datadog: {{apiKeyExistingSecret: s}}\n"
    )
    path = tmp_path / "apps.yaml"
    path.write_text(app.format(name="datadog-prod") + "---\n" + app.format(name="datadog-staging"))
    from tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["audit", str(path), "--fail-on", "none"], out=out, err=err) == 0
    headers = [line for line in out.getvalue().splitlines() if line.startswith("ddsecure audit: ")]
    assert [h.rsplit("— ", 1)[1] for h in headers] == [
        "Argo CD Application 'datadog-prod'",
        "Argo CD Application 'datadog-staging'",
    ]
    err = io.StringIO()
    assert main(["audit", str(path), "--fix", "-o", str(tmp_path / "out")], out=io.StringIO(), err=err) == 2
    assert "--fix edits one" in err.getvalue() and not (tmp_path / "out").exists()


def test_helms_global_block_is_no_subchart_of_an_umbrella():
    given = read_input("global:\n  datadog:\n    env: dev\ndatadog:\n  apiKeyExistingSecret: s\n", "values.yaml")
    assert given.source is not None and given.source.form == "values"
    assert given.values["datadog"] == {"apiKeyExistingSecret": "s"}


def test_fix_of_a_helmrelease_without_a_final_newline_adds_its_patches_on_lines_of_their_own(tmp_path):
    text = (CORPUS / "flux-helmrelease.yaml").read_text().rstrip("\n")
    path = tmp_path / "release.yaml"
    path.write_text(text)
    from tui.cli import main

    code = main(["audit", str(path), "--fix", "-o", str(tmp_path / "out")], out=io.StringIO(), err=io.StringIO())
    assert code in (0, 1)
    fixed = (tmp_path / "out" / "release.yaml").read_text()
    assert text.splitlines()[-1] + "\n" in fixed and "postRenderers" in fixed
