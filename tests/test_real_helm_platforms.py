"""With the real chart: each platform's bundle renders, with the flags its README gives, to its ledger and rules.

The bundle is rendered the way its files say (`helm template` with the platform's `--kube-version` and
`--api-versions`, then `kubectl kustomize` unless the platform takes values only), and then:
privileges.json equals the ledger of the real pod, the SCC in privileges.json equals the rendered SCC,
and every least-privilege rule of the platform holds on the real pod. Skips without DDSECURE_CHART_DIR.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset
from tui.core.chart.model import render_pod
from tui.core.chart.platform_rules import Rendered, broken_rules
from tui.core.chart.providers import scc_projection
from tui.core.deployment import Deployment
from tui.core.output.bundle import KUSTOMIZATION, RENDERED, build_bundle
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset, pod_spec_of, privilege_projection


def _load_all(text: str) -> list:
    from ruamel.yaml import YAML

    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d]


def _helm(tools, args: list[str]) -> str:
    chart, helm, _ = tools
    result = subprocess.run([helm, "template", *args[:1], str(chart), *args[1:]], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _deploy(tools, answers: Answers, directory: Path) -> dict:
    files = build_bundle(answers, target="helm")
    for name, text in files.items():
        (directory / name).write_text(text)
    flags = list(answers.api_server.helm_flags())
    # The flags ddsecure asks for are the ones its own files print.
    assert " ".join(flags) in files["REPORT.md"]
    args = [answers.release_name, "-n", answers.namespace, "-f", str(directory / "values.yaml"), *flags]
    rendered = _helm(tools, args)
    if KUSTOMIZATION in files:
        (directory / RENDERED).write_text(rendered)
        result = subprocess.run([tools[2], "kustomize", str(directory)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        rendered = result.stdout
    documents = _load_all(rendered)
    daemonset = find_node_agent_daemonset(documents)
    assert daemonset is not None
    scc = next((d for d in documents if d.get("kind") == "SecurityContextConstraints"), None)
    return {"files": files, "pod": pod_spec_of(daemonset), "scc": scc, "documents": documents}


def _check(answers: Answers, result: dict) -> None:
    deployment = Deployment(answers)
    real_pod = result["pod"]
    assert privilege_projection(real_pod) == privilege_projection(deployment.pod)
    written = json.loads(result["files"]["privileges.json"])
    real_ledger = ledger_of_pod(real_pod, app_socket_dirs=deployment.app_socket_dirs).as_json()
    assert {k: written[k] for k in real_ledger} == real_ledger
    real_scc = scc_projection(result["scc"]) if result["scc"] else None
    assert written["platform"].get("securityContextConstraints") == real_scc
    patched = KUSTOMIZATION in result["files"] and bool(deployment.patch.steps)
    real = Rendered(answers, deployment.values, real_pod, real_scc, patched)
    assert broken_rules(real) == []


SAMPLES = (
    {},
    {"dogstatsd": "uds", "origin_detection": True, "apm": "uds", "logs": "all", "run_as": "root"},
    {"system_probe": ("npm", "cws"), "dogstatsd": "udp-hostport", "apm": "tcp-hostport", "logs": "annotated"},
    {"runtime_socket": "/run/containerd.sock", "system_probe": ("oom-kill",), "process_collection": True},
)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("changes", SAMPLES, ids=("defaults", "sockets", "ebpf-hostports", "shared-socket-dir"))
def test_platform_bundle_renders_to_its_ledger_and_rules(platform, changes, chart_tools, tmp_path):
    if platform == "gke-autopilot" and "runtime_socket" in changes:
        changes = {k: v for k, v in changes.items() if k != "runtime_socket"}
    answers = Answers(platform=platform, **changes)
    _check(answers, _deploy(chart_tools, answers, tmp_path))


@pytest.mark.parametrize("preset", ["openshift-hardened", "k3s-uds", "gke-autopilot"])
def test_platform_preset_renders_to_its_ledger(preset, chart_tools, tmp_path):
    answers = layer([load_preset(preset).answers])
    _check(answers, _deploy(chart_tools, answers, tmp_path))


def test_autopilot_renders_the_allowlist_variant_only_with_its_flags(chart_tools, tmp_path):
    answers = Answers(platform="gke-autopilot")
    result = _deploy(chart_tools, answers, tmp_path)
    assert any(d.get("kind") == "AllowlistSynchronizer" for d in result["documents"])
    plain = _load_all(_helm(chart_tools, ["datadog", "-n", "datadog", "-f", str(tmp_path / "values.yaml")]))
    assert not any(d.get("kind") == "AllowlistSynchronizer" for d in plain)


PROVIDER_CASES = [
    ({"providers": {"talos": {"enabled": True}}, "datadog": {"securityAgent": {"runtime": {"enabled": True}}}}, None),
    ({"providers": {"talos": {"enabled": True}}, "datadog": {"systemProbe": {"enableOOMKill": True}}}, None),
    ({"providers": {"gke": {"cos": True}}, "datadog": {"serviceMonitoring": {"enabled": True}}}, None),
    ({"providers": {"flatcar": {"enabled": True}}, "datadog": {"systemProbe": {"enableTCPQueueLength": True}}}, None),
    (
        {
            "providers": {"eks": {"ec2": {"useHostnameFromFile": True}}},
            "datadog": {"networkMonitoring": {"enabled": True}},
        },
        None,
    ),
    ({"providers": {"aks": {"enabled": True}}, "datadog": {"kubelet": {"hostCAPath": "/etc/k/ca.crt"}}}, None),
    ({"providers": {"gke": {"autopilot": True}}, "datadog": {"logs": {"enabled": True}}}, None),
    ({"providers": {"gke": {"autopilot": True}}}, "gke-autopilot"),
    (
        {
            "providers": {"gke": {"autopilot": True}},
            "datadog": {"logs": {"enabled": True}, "apm": {"portEnabled": True}},
        },
        "gke-autopilot",
    ),
    ({"providers": {"gke": {"autopilot": True}}, "datadog": {"networkMonitoring": {"enabled": True}}}, "gke-autopilot"),
    ({"datadog": {"securityContext": None}}, "openshift"),
    ({"datadog": {"securityContext": None}}, None),
    (
        {
            "datadog": {"securityContext": None},
            "agents": {"podSecurity": {"securityContextConstraints": {"create": True}}},
        },
        None,
    ),
]


@pytest.mark.parametrize(
    ("values", "platform"),
    PROVIDER_CASES,
    ids=lambda c: json.dumps(c, sort_keys=True)[:70] if isinstance(c, dict) else str(c),
)
def test_provider_model_predicts_helm(values, platform, chart_tools, tmp_path):
    """The providers.* model the audit relies on, for values and clusters ddsecure would never write."""
    values = {**values, "datadog": {**values.get("datadog", {}), "apiKey": "placeholder"}}
    cluster = PLATFORMS[platform].cluster if platform else PLATFORMS["generic"].cluster
    (tmp_path / "v.json").write_text(json.dumps(values))
    documents = _load_all(
        _helm(chart_tools, ["dd", "-n", "default", "-f", str(tmp_path / "v.json"), *cluster.helm_flags()])
    )
    daemonset = find_node_agent_daemonset(documents)
    assert daemonset is not None
    predicted = render_pod(values, cluster)
    assert privilege_projection(pod_spec_of(daemonset)) == privilege_projection(predicted)
