"""`audit --fix` on a long plain file dumps only the blocks its edits fall in: the text it writes must be
exactly what dumping the whole file writes, and a values deployment read again after an edit must read
exactly what reading the edited values afresh reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_audit_fix_property import SETTINGS, values_files

from tui.core.audit.audit import audit_input, read_input
from tui.core.audit.findings import DELETE
from tui.core.audit.fix import ALL_SAFE, decide_all, edit_text, with_changes
from tui.core.audit.fix_yaml import edit_in_blocks
from tui.core.deployment import Deployment
from tui.core.wrappers import PLAIN

from conftest import CHART_REFERENCE

CORPUS = Path(__file__).parent / "fix_corpus"
PLAIN_FILES = [p for p in sorted(CORPUS.glob("*.yaml")) if read_input(p.read_text(), p.name).source == PLAIN.source()]
CHART_VALUES = CHART_REFERENCE / "values.yaml"


def _both_ways(text: str, changes: list[tuple[str, object]]) -> tuple[str, str]:
    """(the blocks' edit, or "" when it cannot; the whole file's first candidate)."""
    whole = edit_text(text, PLAIN.source(), changes)[0][0]
    return edit_in_blocks(text, changes), whole


def _planned(text: str, name: str) -> list[tuple[str, object]]:
    given_input = read_input(text, name)
    assert given_input.values is not None
    _, _, changes = decide_all(given_input.values, audit_input(given_input), name, (ALL_SAFE,))
    return changes


@pytest.mark.parametrize("path", [*PLAIN_FILES, CHART_VALUES], ids=lambda p: p.name)
def test_the_fix_of_each_plain_file_is_the_same_by_blocks(path):
    if not path.is_file():
        pytest.skip(f"{path} not found (set DDSECURE_REFERENCE_DIR)")
    text = path.read_text()
    changes = _planned(text, path.name)
    blocks, whole = _both_ways(text, changes)
    # an edit spread over a file's documents is no one block's: the whole-file way makes it
    assert blocks == whole or ("\n---" in text and blocks == "")
    if path == CHART_VALUES:
        assert changes and blocks  # the benchmark's file takes the quick way


EDITS = [*((key, value) for key, values in SETTINGS for value in values), ("datadog.useHostPID", DELETE)]
EDITS += [("datadog.operator.enabled", False), ("agents.containers.systemProbe.securityContext", {"a": 1})]
EDITS += [("datadog.apm", "on"), ("agents.containers", None), ("datadog.dogstatsd", DELETE)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=values_files(), changes=st.lists(st.sampled_from(EDITS), min_size=1, max_size=4))
def test_any_edit_by_blocks_is_the_whole_files_edit_or_none(text, changes):
    blocks, whole = _both_ways(text, changes)
    assert blocks in ("", whole)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=values_files(), changes=st.lists(st.sampled_from(EDITS), min_size=1, max_size=4))
def test_a_deployment_after_an_edit_reads_what_a_fresh_one_reads(text, changes):
    given_input = read_input(text, "values.yaml")
    assert given_input.values is not None
    values = {**given_input.values, "clusterAgent": 3}  # a block of the wrong type, dropped and reported
    first = Deployment.of_values(values)
    assert first.shaped[1][-1] == ("clusterAgent", "int")  # read once, so the edit below can reuse it
    edited = with_changes(values, changes)
    assert Deployment.of_values(edited, previous=first).shaped == Deployment.of_values(edited).shaped


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_deleting_a_key_keeps_the_comments_that_lead_in_to_the_next_key(position):
    # ruamel files "# EU site" under apiKey; the delete must not take the user's note about site with it
    keys = {
        "first": "  apiKey: 0123\n  # EU site, do not change\n  site: datadoghq.eu\n",
        "middle": "  clusterName: prod\n  apiKey: 0123\n\n  # EU site, do not change\n  site: datadoghq.eu\n",
        "last": "  clusterName: prod\n  apiKey: 0123\n# the node Agent\nagents:\n  enabled: true\n",
    }[position]
    text = "datadog:\n" + keys
    for edited in _both_ways(text, [("datadog.apiKey", DELETE)]):
        if edited:
            assert "apiKey" not in edited
            assert edited == text.replace("  apiKey: 0123\n", "")


def test_replacing_the_key_after_a_deleted_one_keeps_the_comment_between_them():
    # apiKey goes and the empty apiKeyExistingSecret gets the Secret: one replaced run of lines for difflib
    text = "datadog:\n  apiKey: 0123\n\n  # about the Secret: keep me\n  apiKeyExistingSecret:\n  site: datadoghq.eu\n"
    changes = [("datadog.apiKey", DELETE), ("datadog.apiKeyExistingSecret", "datadog-secret")]
    for edited in _both_ways(text, changes):
        if edited:
            assert "  # about the Secret: keep me\n  apiKeyExistingSecret: datadog-secret\n" in edited
            assert "apiKey: 0123" not in edited
