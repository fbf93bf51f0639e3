"""Bad input to `ddsecure audit`: one line, exit 2, quickly; plus a hypothesis fuzz of the parser entry."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core.audit.audit import audit_text
from tui.core.errors import InputFileError
from tui.core.yamlio.reader import MAX_BYTES

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
# Files of the corpus that are valid YAML mappings of the wrong shape: audited (exit 0 or 1), not refused.
# A key written twice and two `---` documents are read as helm reads them (the last key wins; documents merge).
AUDITED = {
    "empty.yaml",  # helm installs the chart's defaults: so does the audit
    "datadog-scalar.yaml",
    "wrong-types.yaml",
    "datadog-agent-types.yaml",
    "datadog-agent-garbage.yaml",
    "duplicate-keys.yaml",
    "two-values-docs.yaml",
    # pods the API server refuses (a port or user written as text): a pod-refused finding, not an error
    "run-as-user-text.yaml",
    "daemonset-garbage.yaml",
}


def run(path: Path) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = main(["audit", str(path)], out=out, err=err)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_corpus_input_never_crashes_and_answers_quickly(path):
    code, out, err, seconds = run(path)
    assert seconds < 2.0
    if path.name in AUDITED:
        assert code in (0, 1) and err == "" and "Findings" in out
    else:
        assert code == 2, out
        assert err.startswith("ddsecure: error: ") and err.count("\n") == 1
        assert "Traceback" not in err


def test_a_20_mb_file_is_refused_by_size(tmp_path):
    path = tmp_path / "huge.yaml"
    line = b"key: " + b"x" * 94 + b"\n"
    path.write_bytes(line * (20_000_000 // len(line)))
    code, _, err, seconds = run(path)
    assert code == 2 and "larger than" in err and seconds < 2.0


def test_size_cap_is_above_a_real_render():
    assert MAX_BYTES >= 1_000_000


def test_a_missing_file_is_a_one_line_error_and_a_directory_is_searched(tmp_path):
    code, _, err, _ = run(tmp_path / "nope.yaml")
    assert code == 2 and err.count("\n") == 1
    code, out, err, _ = run(tmp_path)  # no YAML in it: nothing to audit (issue 16: directories are audited)
    assert (code, err) == (0, "")
    assert "no Datadog file found" in out


def test_wrong_shapes_are_reported_as_findings_not_crashes():
    report = audit_text((CORPUS / "wrong-types.yaml").read_text(), "wrong-types.yaml")
    assert {f.key for f in report.findings if f.id == "wrong-type"} >= {"datadog.dogstatsd", "datadog.securityContext"}


def _check(text: str) -> None:
    try:
        audit_text(text, "fuzz.yaml")
    except InputFileError as error:
        assert "\n" not in str(error)


yaml_words = st.sampled_from(
    [
        "datadog:",
        "  apm:",
        "    portEnabled: true",
        "  dogstatsd: {useSocketVolume: 'false'}",
        "agents:",
        "  image: {tag: 7.30.0}",
        "- a",
        "&a [1, 2]",
        "*a",
        "kind: DaemonSet",
        "apiVersion: apps/v1",
        "---",
        "  securityContext: {runAsUser: x}",
        "\t",
        "key: [",
        "{",
        "!!binary aGk=",
        "? complex",
        "datadog: null",
        "spec: {template: {spec: {containers: [{name: agent}]}}}",
    ]
)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_words, max_size=12).map("\n".join))
def test_fuzz_yaml_like_text_never_raises_anything_but_input_errors(text):
    _check(text)


@settings(max_examples=100, deadline=2000)
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(text):
    _check(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["datadog", "agents", "apm", "dogstatsd", "securityContext", "runAsUser", "enabled", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=2000)
@given(st.dictionaries(st.sampled_from(["datadog", "agents", "clusterAgent", "x"]), json_values, max_size=3))
def test_fuzz_values_trees_through_the_whole_audit(tree):
    import json

    _check(json.dumps(tree))


@settings(max_examples=100, deadline=2000)
@given(json_values)
def test_fuzz_manifest_shaped_input(spec):
    import json

    for kind in ("DaemonSet", "DatadogAgent"):
        document = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}
        _check(json.dumps(document))
        template = {"spec": {"template": {"spec": {"containers": [{"name": "agent", "securityContext": spec}]}}}}
        _check(json.dumps({"apiVersion": "apps/v1", "kind": kind, **template}))


def test_a_field_kubernetes_reads_as_an_integer_written_as_text_is_a_refused_pod():
    code, out, err, _ = run(CORPUS / "run-as-user-text.yaml")
    assert code == 1 and err == ""
    assert "[pod-refused] agents" in out and "runAsUser: 'root'" in out


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "~\n"])
def test_an_empty_values_file_is_the_charts_defaults_as_helm_installs_them(text, tmp_path):
    report = audit_text(text, "values.yaml")
    assert report.kind == "values" and "hostpid-unneeded" in {f.id for f in report.findings}
    path = tmp_path / "values.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    code = main(["audit", str(path), "--fix", "-o", str(out)], out=io.StringIO(), err=io.StringIO())
    assert code in (0, 1)
    fixed = (out / "values.yaml").read_text()
    assert fixed.startswith(text.replace("~\n", "")) and "useHostPID: false" in fixed  # the user's comments first


def test_a_chart_yaml_is_refused_in_one_line_not_audited_as_values():
    text = "apiVersion: v2\nname: platform\nversion: 0.1.0\ndependencies:\n- {name: datadog, version: 3.240.0}\n"
    with pytest.raises(InputFileError, match=r"Chart\.yaml .*audit the values\.yaml beside it"):
        audit_text(text, "Chart.yaml")
