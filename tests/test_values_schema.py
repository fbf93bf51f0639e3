"""The chart's values.schema.json, as the audit checks it: the shipped constraints are the chart's, the
checker agrees with a full JSON Schema validator on every value it can meet, and real helm refuses exactly
the values it refuses."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.audit.audit import audit_text
from tui.core.audit.fix_yaml import with_changes
from tui.core.chart.values_schema import (
    DATA,
    KEYWORDS,
    SECTION_FAILURES,
    _schema,
    problems,
    schema_refusal,
    section_refusal,
)

from bundle_helpers import helm_refusal
from conftest import CHART_REFERENCE, needs_reference

ROOT = Path(__file__).resolve().parents[1]
SOURCE = CHART_REFERENCE / "values.schema.json"


@needs_reference
def test_the_shipped_schema_is_the_charts_without_its_words():
    spec = importlib.util.spec_from_file_location("gen_values_schema", ROOT / "scripts" / "gen_values_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate(SOURCE) == json.loads(DATA.read_text())
    assert "description" not in DATA.read_text()


def _keywords(node: Any, in_properties: bool = False) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not in_properties:
                found.add(key)
            found |= _keywords(value, key in ("properties", "$defs") and not in_properties)
    elif isinstance(node, list):
        for item in node:
            found |= _keywords(item)
    return found


def test_the_checker_follows_every_keyword_the_schema_uses():
    assert _keywords(_schema()) <= KEYWORDS


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "auto", "all", "x", "false"]))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "datadog",
                    "apm",
                    "instrumentation",
                    "enabled",
                    "targets",
                    "name",
                    "podSelector",
                    "matchLabels",
                    "matchExpressions",
                    "key",
                    "operator",
                    "values",
                    "namespaceSelector",
                    "matchNames",
                    "appsec",
                    "injector",
                    "rbac",
                    "create",
                    "registryMigrationMode",
                    "libVersions",
                    "ddTraceConfigs",
                    "valueFrom",
                    "value",
                    "instrumentationCrd",
                    "proxies",
                    "mode",
                    "sidecar",
                    "port",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


@settings(max_examples=400, deadline=None)
@given(values=st.dictionaries(st.sampled_from(["datadog", "registryMigrationMode", "agents"]), VALUES, max_size=3))
def test_the_checker_agrees_with_a_json_schema_validator(values):
    checked = _without_nulls(values)
    expected = jsonschema.Draft7Validator(_schema()).is_valid(checked)
    assert (next(problems(checked, _schema()), None) is None) == expected, checked


# Each refused beside a near miss helm accepts.
SCHEMA_CASES = {
    "a quoted boolean": ("datadog: {appsec: {injector: {rbac: {create: 'false'}}}}", True),
    "a boolean": ("datadog: {appsec: {injector: {rbac: {create: false}}}}", False),
    "a string for the datadog section": ("datadog: ''", True),
    "a list for a section": ("datadog: {apm: []}", True),
    "an unknown mode": ("registryMigrationMode: bogus", True),
    "a known mode": ("registryMigrationMode: auto", False),
    "a typed switch": ("datadog: {apm: {instrumentation: {enabled: true}}}", False),
    # the schema's `if` on enabledNamespaces reads the chart's default (an empty list): targets are allowed
    "single-step targets": ("datadog: {apm: {instrumentation: {enabled: true, targets: [{name: t}]}}}", False),
    "an unknown selector key": (
        "datadog: {apm: {instrumentation: {targets: [{name: a, podSelector: {bogus: {}}}]}}}",
        True,
    ),
}


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_the_audit_refuses_exactly_what_helm_refuses_by_schema(case, chart_tools, tmp_path):
    text, refused = SCHEMA_CASES[case]
    refusal = helm_refusal(chart_tools, text + "\n", tmp_path)
    assert bool(refusal) == refused, refusal
    if refused:
        assert "schema" in refusal
    report = audit_text(text + "\n", "values.yaml")
    assert ("helm refuses the values before rendering" in report.refused) == refused, report.refused
    assert bool(schema_refusal(json.loads(json.dumps(_read(text))))) == refused


def _read(text: str) -> dict[str, Any]:
    from tui.core.yamlio.helm import read_values

    return read_values(text, "test").documents[0]


def _sections() -> list[tuple[str, str, Any, bool]]:
    """Every 25th section of each measured form, failing or not: (form, section, value, helm fails)."""
    from tui.core.chart.keys import chart_keys

    data = json.loads(SECTION_FAILURES.read_text())
    maps = sorted(key for key in chart_keys().keys if chart_keys().kind(key) == "map")
    values = {"null": None, "empty": "", "scalar": "x"}
    return [(form, key, values[form], key in data[form]) for form in values for key in maps[::25]]


@pytest.mark.parametrize(("form", "section", "value", "fails"), _sections())
def test_a_section_helm_cannot_read_is_refused_exactly_where_helm_fails(
    form, section, value, fails, chart_tools, tmp_path
):
    values = with_changes({"datadog": {"apiKeyExistingSecret": "datadog-secret"}}, [(section, value)])
    refusal = helm_refusal(chart_tools, json.dumps(values), tmp_path)
    assert bool(refusal) == fails, refusal
    assert bool(section_refusal(values)) == fails
