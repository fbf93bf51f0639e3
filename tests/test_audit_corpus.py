"""The audit's chart model against real `helm template`, on a corpus of values files.

Each file in tests/audit_corpus/ is rendered by the model and, with DDSECURE_CHART_DIR, by real helm:
the ledgers must be equal, or the chart must refuse the file on both sides, or the audit's
`unmodelled` list must name the gap. `expected.json` records what real helm rendered (regenerate with
DDSECURE_UPDATE_GOLDEN=1 and the chart), so without the chart the model is still held to it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tui.core.audit.audit import audit_text
from tui.core.chart.model import NodeAgentChart, render_pod, unmodelled
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset, pod_spec_of

CORPUS = Path(__file__).parent / "audit_corpus"
EXPECTED = CORPUS / "expected.json"
FILES = sorted(CORPUS.glob("*.yaml"))


def _load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text())


def _facts(ledger) -> dict:
    """The ledger without its explanations (they are ddsecure's words, not what helm rendered)."""
    document = ledger.as_json()
    for grant in document["hostPaths"]:
        grant.pop("because")
    return {"ledger": document}


def _model(values: dict) -> dict:
    chart = NodeAgentChart(values)
    if chart.refusal():
        return {"refused": True}
    return _facts(ledger_of_pod(render_pod(values)))


def _helm(tools, path: Path) -> dict:
    chart, helm, _ = tools
    done = subprocess.run([helm, "template", "dd", str(chart), "-f", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        return {"refused": True}
    daemonset = find_node_agent_daemonset(list(YAML(typ="safe", pure=True).load_all(done.stdout)))
    assert daemonset is not None, path.name
    return _facts(ledger_of_pod(pod_spec_of(daemonset)))


def test_corpus_is_large_enough_and_spans_the_versions():
    assert len(FILES) >= 20
    tags = {str((_load(f).get("agents") or {}).get("image", {}).get("tag", "")) for f in FILES}
    assert {"7.25.0", "7.81.1-jmx"} <= tags


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_model_equals_the_recorded_render_or_names_the_gap(path):
    expected = json.loads(EXPECTED.read_text())[path.name]
    values = _load(path)
    gaps = unmodelled(values)
    if gaps:
        assert all(g["key"] and g["why"] for g in gaps)
        return
    assert _model(values) == expected


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_corpus_file_audits_with_its_gaps_in_the_report(path):
    report = audit_text(path.read_text(), path.name)
    document = report.as_json()
    assert document["unmodelled"] == unmodelled(_load(path))
    assert document["ledgerComplete"] is (not document["unmodelled"] and not document["refused"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_model_equals_real_helm_or_names_the_gap(path, chart_tools):
    real = _helm(chart_tools, path)
    if os.environ.get("DDSECURE_UPDATE_GOLDEN"):
        recorded = json.loads(EXPECTED.read_text()) if EXPECTED.is_file() else {}
        recorded[path.name] = real
        EXPECTED.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    values = _load(path)
    if unmodelled(values):
        return
    assert _model(values) == real


UNMODELLED = [
    ({"targetSystem": "windows"}, {}, "targetSystem"),
    ({"agents": {"enabled": False}}, {}, "agents.enabled"),
    ({"datadog": {"hostVolumeMountPropagation": "HostToContainer"}}, {}, "datadog.hostVolumeMountPropagation"),
    ({"providers": {"gke": {"gdc": True}}}, {"providers": {"gke": {"gdc": False}}}, "providers.gke.gdc"),
    ({"datadog": {"privateActionRunner": {"enabled": True}}}, {}, "datadog.privateActionRunner.enabled"),
]


@pytest.mark.parametrize(("taken", "not_taken", "key"), UNMODELLED, ids=[k for _, _, k in UNMODELLED])
def test_each_unmodelled_path_is_named_and_only_when_taken(taken, not_taken, key):
    assert [u["key"] for u in unmodelled(taken)] == [key]
    assert unmodelled(not_taken) == []
    document = audit_text(json.dumps(taken), "values.yaml").as_json()
    assert document["ledger"]["partial"] is True and document["ledgerComplete"] is False


TAGS = ["7.25.0", "7.35.2", "7.36.0", "7.50.3", "7.51.0", "7.59.1", "7.60.0", "7.77.3", "7.78.0-rc.1", "7.78.0"]
TAGS += ["7.81.1-full", "7.81.1-jmx", "latest", "7", "6.55.1", "8.0.0"]


@pytest.mark.parametrize("check", [True, False], ids=["checked", "doNotCheckTag"])
@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_renders_as_modelled(tag, check, chart_tools, tmp_path):
    values = {
        "datadog": {"apiKeyExistingSecret": "s", "processAgent": {"processCollection": True}},
        "agents": {"image": {"tag": tag, "doNotCheckTag": not check}},
    }
    path = tmp_path / "values.json"
    path.write_text(json.dumps(values))
    assert _model(values) == _helm(chart_tools, path)
