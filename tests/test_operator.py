"""The Operator target: a DatadogAgent per answers, checked against the real CRD schema, and its ledger.

Goldens live in tests/golden_operator/<preset>.yaml; regenerate with DDSECURE_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from ruamel.yaml import YAML

from tui.cli import main
from tui.core.answers.contract import Answers, layer
from tui.core.answers.files import load_preset, preset_names
from tui.core.deployment import Deployment
from tui.core.operator.names import OPERATOR_FILE
from tui.core.output.bundle import ADMISSION_FILES, build_bundle, render_datadog_agent
from tui.core.output.operator import datadog_agent

from conftest import REFERENCE
from strategies import answers_strategy

GOLDEN = Path(__file__).parent / "golden_operator"
UPDATE = os.environ.get("DDSECURE_UPDATE_GOLDEN") == "1"
CRD = REFERENCE / "operator-crd" / "datadoghq.com_datadogagents.yaml"
HELM_FILES = {"values.yaml", "daemonset-overrides.yaml", "kustomization.yaml"}
COMMON_FILES = {"namespace.yaml", "privileges.json", "REPORT.md", "answers.yaml"} | set(ADMISSION_FILES)


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def preset_answers(name: str) -> Answers:
    return layer([load_preset(name).answers])


# --- the CRD schema, made as strict as the API server ---------------------------------------------


def structural_to_jsonschema(node: Any) -> Any:
    """An openAPIV3Schema as a JSON Schema that rejects unknown fields, as the API server prunes/refuses them."""
    if isinstance(node, list):
        return [structural_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: structural_to_jsonschema(value) for key, value in node.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and not preserve and "additionalProperties" not in out:
        out["additionalProperties"] = False
    for key in [k for k in out if k.startswith("x-kubernetes-")]:
        out.pop(key)
    return out


@pytest.fixture(scope="module")
def crd_validator():
    if not CRD.is_file():
        pytest.skip(f"DatadogAgent CRD not found at {CRD}")
    import jsonschema

    document = YAML(typ="safe").load(CRD.read_text())
    (version,) = [v for v in document["spec"]["versions"] if v["name"] == "v2alpha1"]
    schema = structural_to_jsonschema(version["schema"]["openAPIV3Schema"])
    return jsonschema.Draft7Validator(schema)


def crd_errors(validator, resource: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(resource)]


def test_strict_schema_rejects_unknown_fields_and_wrong_types(crd_validator):
    good = datadog_agent(Answers())
    assert crd_errors(crd_validator, good) == []
    typo = copy.deepcopy(good)
    typo["spec"]["features"]["dogstatsd"]["unixDomainSocketConfig"]["enabeld"] = True
    assert any("enabeld" in e for e in crd_errors(crd_validator, typo))
    container_typo = copy.deepcopy(good)
    container_typo["spec"]["override"]["nodeAgent"]["containers"]["agent"]["securityContext"]["runAsRoot"] = True
    assert crd_errors(crd_validator, container_typo)
    string_bool = copy.deepcopy(good)
    string_bool["spec"]["features"]["apm"]["enabled"] = "false"
    assert crd_errors(crd_validator, string_bool)


# --- goldens and validation per preset -------------------------------------------------------------


@pytest.mark.parametrize("preset", preset_names())
def test_preset_datadog_agent_matches_golden(preset):
    text = render_datadog_agent(Deployment.of(preset_answers(preset)))
    path = GOLDEN / f"{preset}.yaml"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_every_preset_has_an_operator_golden():
    assert sorted(p.stem for p in GOLDEN.glob("*.yaml")) == preset_names()


@pytest.mark.parametrize("preset", preset_names())
def test_preset_datadog_agent_is_valid_for_the_crd(preset, crd_validator):
    answers = preset_answers(preset)
    parsed = load_yaml(render_datadog_agent(Deployment.of(answers)))
    assert parsed == datadog_agent(answers)  # the comments do not change the data
    assert crd_errors(crd_validator, parsed) == []


answer_space = answers_strategy()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answer_space)
def test_answer_space_is_valid_for_the_crd_and_expresses_every_answer(answers, crd_validator):
    resource = load_yaml(render_datadog_agent(Deployment.of(answers)))
    assert crd_errors(crd_validator, resource) == []
    spec = resource["spec"]
    features, node = spec["features"], spec["override"]["nodeAgent"]
    assert spec["global"]["credentials"]["apiSecret"] == {"secretName": answers.api_key_secret, "keyName": "api-key"}
    assert features["dogstatsd"]["unixDomainSocketConfig"]["enabled"] == (answers.dogstatsd == "uds")
    assert features["dogstatsd"]["hostPortConfig"]["enabled"] == (answers.dogstatsd == "udp-hostport")
    assert features["dogstatsd"]["originDetectionEnabled"] == answers.origin_detection
    assert features["apm"]["enabled"] == (answers.apm != "off")
    assert features["logCollection"]["enabled"] == (answers.logs != "off")
    assert features["liveProcessCollection"]["enabled"] == answers.process_collection
    assert features["serviceDiscovery"] == {"enabled": False}
    assert features["npm"]["enabled"] == ("npm" in answers.system_probe)
    assert node["image"]["tag"] == answers.agent_version
    assert node["securityContext"]["runAsUser"] == answers.uid
    assert node["securityContext"].get("runAsNonRoot", False) == answers.non_root
    assert node["hostPID"] == (answers.host_pid or bool({"npm", "usm", "cws"} & set(answers.system_probe)))
    socket_key = "dockerSocketPath" if answers.runtime == "docker" else "criSocketPath"
    assert socket_key in spec["global"]
    for name, container in node["containers"].items():
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        if answers.non_root and name not in ("system-probe", "security-agent", "seccomp-setup"):
            assert context["capabilities"] == {"drop": ["ALL"]}, name
    assert ("system-probe" in node["containers"]) == bool(answers.system_probe)
    # The predicted pod runs each container as the DatadogAgent says.
    ledger = Deployment.of(answers).operator.ledger
    assert ledger.host_pid == node["hostPID"]
    assert ledger.run_as_user == answers.uid
    if answers.non_root:
        for name, user in ledger.container_users.items():
            expected = 0 if name in ("system-probe", "security-agent", "seccomp-setup") else answers.uid
            assert user == expected, name


# --- the footprint: where the Operator differs from Helm --------------------------------------------


def test_npm_turns_on_host_pid_with_the_operator_but_not_with_helm():
    answers = Answers(system_probe=("npm",))
    assert Deployment(answers).ledger.host_pid is False
    assert Deployment.of(answers).operator.ledger.host_pid is True
    differences = Deployment.of(answers).operator.differences
    assert any(line.startswith("+ hostPID") and "system_probe=npm" in line for line in differences)
    files = build_bundle(answers, target="both")
    privileges = json.loads(files["privileges.json"])
    assert privileges["hostPID"] is False
    assert privileges["operator"]["hostPID"] is True
    assert any(line.startswith("+ hostPID") for line in privileges["operator"]["differencesFromHelm"])
    assert "+ hostPID" in files["REPORT.md"].split("## Datadog Operator target")[1]


def test_uds_without_origin_detection_keeps_host_pid_off_in_both():
    answers = Answers(dogstatsd="uds", origin_detection=False, run_as="root")
    assert datadog_agent(answers)["spec"]["override"]["nodeAgent"]["hostPID"] is False
    assert Deployment.of(answers).operator.ledger.host_pid is False
    assert not any("hostPID" in line for line in Deployment.of(answers).operator.differences)


def test_operator_gives_seccomp_setup_its_own_root_context():
    answers = Answers(system_probe=("oom-kill",))
    helm = Deployment(answers).ledger
    operator = Deployment.of(answers).operator.ledger
    assert "seccomp-setup" not in helm.containers
    assert operator.container_users["seccomp-setup"] == 0
    assert operator.container_users["init-volume"] == answers.uid
    seccomp = [g for g in operator.host_paths if g.path == "/var/lib/kubelet/seccomp"]
    assert seccomp and not seccomp[0].read_only
    assert "+ /var/lib/kubelet/seccomp rw" in " ".join(Deployment.of(answers).operator.differences)
    pod = Deployment.of(answers).operator.pod
    sp = next(c for c in pod["containers"] if c["name"] == "system-probe")
    assert sp["securityContext"]["runAsUser"] == 0
    assert sp["securityContext"]["capabilities"]["add"] == list(helm.capabilities["system-probe"])


def test_docker_socket_directory_is_not_narrowed_by_the_operator():
    answers = Answers(runtime="docker")
    helm_paths = {g.path for g in Deployment(answers).ledger.host_paths}
    operator_paths = {g.path for g in Deployment.of(answers).operator.ledger.host_paths}
    assert "/var/run/docker.sock" in helm_paths and "/var/run" not in helm_paths
    assert "/var/run" in operator_paths
    assert any(line.startswith("+ /var/run ro") for line in Deployment.of(answers).operator.differences)


# --- the CLI ---------------------------------------------------------------------------------------


def _generate(tmp_path: Path, *extra: str) -> set[str]:
    out = tmp_path / "bundle"
    assert main(["generate", "--preset", "minimal-metrics", "-o", str(out), *extra]) == 0
    return {p.name for p in out.iterdir()}


def test_generate_operator_writes_only_operator_files(tmp_path, capsys):
    names = _generate(tmp_path, "--target", "operator")
    assert names == {OPERATOR_FILE} | COMMON_FILES
    out = tmp_path / "bundle"
    privileges = json.loads((out / "privileges.json").read_text())
    assert privileges["target"] == "operator" and privileges["predicted"] is True
    assert "Target: the Datadog Operator" in (out / "REPORT.md").read_text()
    assert "helm template" not in capsys.readouterr().out
    assert main(["generate", "--preset", "minimal-metrics", "-o", str(out), "--target", "operator", "--check"]) == 0


def test_generate_defaults_to_both(tmp_path, capsys):
    assert _generate(tmp_path) == HELM_FILES | COMMON_FILES | {OPERATOR_FILE}


def test_generate_helm_has_no_datadog_agent(tmp_path, capsys):
    assert _generate(tmp_path, "--target", "helm") == HELM_FILES | COMMON_FILES


def test_generate_rejects_an_unknown_target(tmp_path, capsys):
    assert main(["generate", "--preset", "minimal-metrics", "-o", str(tmp_path / "x"), "--target", "ansible"]) == 2
    assert "ddsecure: error:" in capsys.readouterr().err


def test_operator_namespace_admits_the_operator_pod():
    answers = Answers(system_probe=("npm",))
    files = build_bundle(answers, target="operator")
    namespace = load_yaml(files["namespace.yaml"])
    level = namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
    assert level == Deployment.of(answers).operator.ledger.agent_level == "privileged"


@pytest.mark.parametrize(
    "answers",
    [Answers(agent_version="7.59.0", process_collection=True), Answers(system_probe=("npm",))],
    ids=["process-collection-before-7.60", "npm"],
)
def test_every_process_agent_the_operator_runs_is_hardened(answers):
    containers = datadog_agent(answers)["spec"]["override"]["nodeAgent"]["containers"]
    assert containers["process-agent"]["securityContext"]["allowPrivilegeEscalation"] is False
    assert "process-agent" in [c["name"] for c in Deployment(answers).pod["containers"]]
