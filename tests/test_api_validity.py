"""Every object of every bundle is one the API server of the answered Kubernetes version admits.

With the real chart (DDSECURE_CHART_DIR, helm, kubectl): each preset, one bundle per platform and
sampled answers are rendered the way their files say (helm template + kubectl kustomize), and every
built-in object passes the strict OpenAPI schema of its version and the API server's pod rules.
Without the chart, the model's pods pass the pod rules for every sampled answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.deployment import Deployment
from tui.core.output.next_steps import NAMESPACE
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.api_rules import violations
from tui.core.pod.schema import schema_problems
from tui.core.pod.spec import pod_spec_of

from api_validity import api_problems
from bundle_helpers import deploy_as_documented, load_yaml
from strategies import answers_strategy


def _admitted(tools, answers: Answers, directory: Path) -> None:
    files, documents = deploy_as_documented(tools, answers, directory)
    if not any(d["kind"] == "Namespace" for d in documents):  # values only (Autopilot): applied on its own
        documents.append(load_yaml(files[NAMESPACE]))
    assert {d["kind"] for d in documents} >= {"DaemonSet", "Namespace"}
    assert api_problems(documents, answers.kubernetes_version) == []


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_bundle_is_admitted(preset, chart_tools, tmp_path):
    _admitted(chart_tools, layer([load_preset(preset).answers]), tmp_path)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_bundle_is_admitted(platform, chart_tools, tmp_path):
    answers = Answers(platform=platform, dogstatsd="uds", logs="all", apm="uds", kubernetes_version="1.30")
    _admitted(chart_tools, answers, tmp_path)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers_strategy())
def test_sampled_bundles_are_admitted(answers, chart_tools, tmp_path_factory):
    _admitted(chart_tools, answers, tmp_path_factory.mktemp("bundle"))


def test_the_schema_is_strict_and_the_pod_rules_run(chart_tools, tmp_path):
    """The check above can fail: an unknown field and a refused combination are both caught."""
    _, documents = deploy_as_documented(chart_tools, Answers(), tmp_path)
    daemonset = next(d for d in documents if d["kind"] == "DaemonSet")
    agent = next(c for c in daemonset["spec"]["template"]["spec"]["containers"] if c["name"] == "agent")
    agent["securityContext"]["privilegd"] = True
    assert any("privilegd" in p for p in api_problems([daemonset], "1.33"))
    del agent["securityContext"]["privilegd"]
    agent["securityContext"]["privileged"] = True
    assert any("contradicts privileged" in p for p in api_problems([daemonset], "1.33"))


@settings(max_examples=60, deadline=None)
@given(answers=answers_strategy())
def test_the_models_pods_pass_the_pod_rules_and_schema(answers):
    deployment = Deployment(answers)
    minor = answers.kubernetes_minor
    assert violations(deployment.pod, minor) == []
    assert schema_problems(deployment.pod, minor) == []
    for document in deployment.rendered_cluster.objects:
        if document["kind"] == "Deployment":
            assert violations(pod_spec_of(document), minor) == []
