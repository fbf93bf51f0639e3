"""The shipped chart key list is what scripts/gen_chart_keys.py produces from the reference values.yaml."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tui.core.chart.keys import DATA, chart_keys

from conftest import REFERENCE_VALUES, needs_reference

ROOT = Path(__file__).resolve().parents[1]
SOURCE = REFERENCE_VALUES


@needs_reference
def test_shipped_key_list_is_up_to_date():
    spec = importlib.util.spec_from_file_location("gen_chart_keys", ROOT / "scripts" / "gen_chart_keys.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate(SOURCE) == json.loads(DATA.read_text())


def test_key_list_knows_the_keys_the_generator_writes():
    keys = chart_keys()
    for dotted in (
        "datadog.useHostPID",
        "datadog.dogstatsd.useSocketVolume",
        "datadog.discovery.enabled",
        "datadog.apm.socketEnabled",
        "clusterAgent.admissionController.configMode",
        "agents.containers.initContainers.securityContext",
    ):
        assert keys.known(dotted), dotted
    assert keys.kind("datadog.useHostPID") == "bool"


def test_deprecated_keys_carry_their_replacements():
    deprecated = chart_keys().deprecated
    assert deprecated["datadog.dogstatsd.useHostPID"]["replacement"] == "datadog.useHostPID"
    assert deprecated["datadog.apm.enabled"]["replacement"] == "datadog.apm.portEnabled"
    assert deprecated["datadog.apm.useSocketVolume"]["replacement"] == "datadog.apm.socketEnabled"
    assert deprecated["datadog.securityAgent.runtime.fimEnabled"]["replacement"] == ""


def test_commented_out_documented_keys_are_known():
    keys = chart_keys()
    assert keys.known("clusterAgent.admissionController.imageTag")
    assert "clusterAgent.admissionController.imageTag" not in keys.keys
