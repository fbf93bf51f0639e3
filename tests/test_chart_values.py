"""Generated values only use keys the chart has, pass its schema, and keep our embedded defaults honest."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings

from tui.core.answers.contract import layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.chart.defaults import CHART_DEFAULTS
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle

from bundle_helpers import dotted_keys, load_yaml
from strategies import answers_strategy

# The chart copies these blocks verbatim into the manifest: below them are Kubernetes fields, not chart keys.
VERBATIM_BLOCKS = {"securityContext", "env"}


def _has_key(tree, dotted: str) -> bool:
    node = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        if part in VERBATIM_BLOCKS:
            return True
        node = node[part]
    return True


def test_embedded_chart_defaults_equal_the_reference_values(reference_values):
    for dotted in dotted_keys(CHART_DEFAULTS):
        node = reference_values
        for part in dotted.split("."):
            node = node[part]
        expected = CHART_DEFAULTS
        for part in dotted.split("."):
            expected = expected[part]
        assert node == expected, dotted


@pytest.mark.parametrize("preset", preset_names())
def test_preset_values_use_only_real_keys_and_pass_the_schema(preset, reference_values, reference_schema):
    answers = layer([load_preset(preset).answers])
    values = load_yaml(build_bundle(answers)["values.yaml"])
    assert values == Deployment(answers).values
    for dotted in dotted_keys(values):
        assert _has_key(reference_values, dotted), f"{dotted} is not a key of the chart"
    jsonschema.Draft7Validator(reference_schema).validate(values)


@settings(max_examples=60, deadline=None)
@given(answers=answers_strategy())
def test_any_answers_give_real_keys_and_valid_values(answers, reference_values, reference_schema):
    values = Deployment(answers).values
    for dotted in dotted_keys(values):
        assert _has_key(reference_values, dotted), dotted
    jsonschema.Draft7Validator(reference_schema).validate(values)
