"""The fast preset reader agrees with ruamel.yaml wherever it answers, and declines the rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.answers.contract import layer
from tui.core.answers.files import load_preset, preset_names, presets_dir
from tui.core.answers.presets import read_flat_yaml

from bundle_helpers import load_yaml


@pytest.mark.parametrize("name", preset_names())
def test_every_shipped_preset_is_read_fast_and_identically(name):
    text = (presets_dir() / f"{name}.yaml").read_text()
    fast = read_flat_yaml(text)
    assert fast is not None, "shipped presets must stay within the fast shape"
    assert fast == load_yaml(text)
    assert load_preset(name).description
    layer([load_preset(name).answers])  # and every preset is valid answers


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",
        "a: 0123\n",
        "a: 1.5\n",
        "a:\n  - x\n",
        "a: {b: c}\n",
        "a: b # comment\n",
        "a: 'single'\n",
        "a: x\na: y\n",
        "\ta: x\n",
        "a:\n    b: deep\n",
        "a: &anchor x\n",
        "a: null\n",
    ],
)
def test_anything_beyond_the_preset_shape_is_left_to_ruamel(text):
    assert read_flat_yaml(text) is None


WORDS = st.sampled_from(["udp", "uds", "off", "all", "true", "false", "nonroot", "7.81.1", "a.b-c", "npm", '"7.81.1"'])
KEYS = st.sampled_from(["dogstatsd", "apm", "logs", "run_as", "agent_version", "x-y"])


@settings(max_examples=200, deadline=None)
@given(
    top=st.dictionaries(KEYS, WORDS, max_size=3),
    nested=st.dictionaries(KEYS, st.one_of(WORDS, st.lists(WORDS, max_size=3)), max_size=4),
)
def test_agrees_with_ruamel_whenever_it_answers(top, nested):
    def render(value):
        return "[" + ", ".join(value) + "]" if isinstance(value, list) else value

    lines = [f"{k}: {render(v)}" for k, v in top.items()]
    lines += ["answers:"] + [f"  {k}: {render(v)}" for k, v in nested.items()]
    text = "\n".join(lines) + "\n"
    fast = read_flat_yaml(text)
    if fast is not None:
        assert fast == load_yaml(text)
