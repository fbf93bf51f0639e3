"""Values files written the ways helm reads differently from a YAML 1.2 reader, audited against real helm.

tests/helm_reading_corpus/ holds YAML 1.1 booleans, quoted booleans, keys written twice (top level, deep,
a container block), anchors, aliases and merge keys, flow style, block scalars, two `---` documents, hex
and octal ports, a null that deletes a chart default and explicit tags. The audit's ledger must equal
what real `helm template` renders from the very same file; `expected.json` records that render
(regenerate with DDSECURE_UPDATE_GOLDEN=1 and the chart) so the model is held to it without helm too.
A file with a key written twice gets a duplicate-key finding naming that key.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tui.core.audit.audit import audit_input, read_input
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset, pod_spec_of
from tui.core.yamlio.helm import read_values
from tui.core.yamlio.reader import helm_documents

CORPUS = Path(__file__).parent / "helm_reading_corpus"
EXPECTED = CORPUS / "expected.json"
FILES = sorted(CORPUS.glob("*.yaml"))


def _facts(ledger) -> dict:
    document = ledger.as_json()
    for grant in document["hostPaths"]:
        grant.pop("because")
    return document


def _audited(path: Path) -> dict:
    given = read_input(path.read_text(), path.name)
    report = audit_input(given)
    assert report.ledger_complete, report.unmodelled
    from tui.core.chart.model import render_pod

    return _facts(ledger_of_pod(render_pod(given.values)))


def _helm(tools, path: Path) -> dict:
    chart, helm, _ = tools
    done = subprocess.run([helm, "template", "dd", str(chart), "-f", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # read as the API server's clients read helm's output (YAML 1.1: a printed `off` is false)
    daemonset = find_node_agent_daemonset(helm_documents(done.stdout, "helm template output").documents)
    return _facts(ledger_of_pod(pod_spec_of(daemonset)))


def test_the_corpus_is_large_and_covers_each_way_of_writing():
    assert len(FILES) >= 15
    text = "\n".join(p.read_text() for p in FILES)
    for needle in (": n\n", ": Off\n", ': "false"', "<<: *", "*off", "---\n", "0x1FBD", "!!bool", "{", ">-\n", ": ~"):
        assert needle in text, needle
    assert sum(bool(read_values(p.read_text(), p.name).duplicates) for p in FILES) >= 5


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_audit_ledger_is_the_recorded_render(path):
    assert _audited(path) == json.loads(EXPECTED.read_text())[path.name]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_audit_ledger_is_real_helms(chart_tools, path):
    rendered = _helm(chart_tools, path)
    if os.environ.get("DDSECURE_UPDATE_GOLDEN"):
        recorded = json.loads(EXPECTED.read_text()) if EXPECTED.is_file() else {}
        recorded[path.name] = rendered
        EXPECTED.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    assert _audited(path) == rendered


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_key_written_twice_is_named_in_a_finding(path):
    duplicates = read_values(path.read_text(), path.name).duplicates
    report = audit_input(read_input(path.read_text(), path.name))
    named = {f.key for f in report.findings if f.id == "duplicate-key"}
    assert named == {".".join(d.path) for _, d in duplicates}
    for finding in (f for f in report.findings if f.id == "duplicate-key"):
        assert finding.severity == "high" and "ignores line" in finding.message and "would have set" in finding.message
