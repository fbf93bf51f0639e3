"""The rule catalogue's fixtures: every rule fires on its failing input and not on its passing one.

The cases are generated from the catalogue (`tui/core/audit/catalogue.py`) and the fixtures each rule
ships with (`tests/rule_fixtures.py`); a rule without both kinds of fixture, or without a case for an
input its entry says it reads, fails `test_every_rule_ships_fixtures`. Then: every values fix shrinks.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from rule_fixtures import CSPM, FIXTURES, READS, Case, agents, daemonset, dd

from tui.cli import main
from tui.core.answers.contract import Answers
from tui.core.audit.audit import audit_text, read_input
from tui.core.audit.catalogue import CATALOGUE, CLUSTER, RULES
from tui.core.audit.findings import PRIVILEGE_SEVERITY
from tui.core.audit.fix import answer_findings, with_changes
from tui.core.audit.values_audit import audit_values
from tui.core.chart.model import render_pod
from tui.core.chart.platform_rules import broken_rules
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle
from tui.core.pod.ledger import ledger_of_pod
from tui.core.yamlio.commented import dump

_KIND = {"values": "values", "manifests": "manifests", "datadog-agent": "datadog-agent"}


def _yaml(document: Any) -> str:
    """A fixture written as text is audited as written: what a mapping cannot say (a key written twice)."""
    if isinstance(document, str):
        return document
    documents = document if isinstance(document, list) else [document]
    return "".join("---\n" + dump(d) for d in documents)


def _cli(*argv: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *argv, "--format", "json"], out=out, err=err)
    assert err.getvalue() == "", err.getvalue()
    return code, json.loads(out.getvalue())


def emitted(case_input: str, given: Any, tmp_path: Path, request: pytest.FixtureRequest) -> set[str]:
    """The ids the audit emits for one fixture, audited the way its input is."""
    if case_input in _KIND:
        report = audit_text(_yaml(given), "in.yaml")
        assert report.kind == _KIND[case_input]
        return {f.id for f in report.findings}
    if case_input == "bundle":
        return {line.split(":", 1)[0] for line in broken_rules(given())}
    if case_input == "base":
        base, answers = given
        plan = Deployment(answers)
        return {f.id for f in answer_findings(base, plan.values, plan.values_plan.comments).findings}
    if case_input == "render":
        chart, _, _ = request.getfixturevalue("chart_tools")
        path = tmp_path / "values.yaml"
        path.write_text(_yaml(given))
        return {f["id"] for f in _cli(str(path), "--render", "--chart", str(chart))[1]["findings"]}
    assert case_input == "expect"
    answers = Answers()
    directory = tmp_path / "bundle"
    directory.mkdir()
    for name, text in build_bundle(answers).items():
        (directory / name).write_text(text)
    pod = json.loads(json.dumps(Deployment.of(answers).pod))
    given(pod)
    live = tmp_path / "live.yaml"
    live.write_text(_yaml(daemonset(pod, name=Deployment.of(answers).patch.name, namespace=answers.namespace)))
    return {f["id"] for f in _cli(str(live), "--expect", str(directory / "privileges.json"))[1]["findings"]}


CASES = [
    pytest.param(rule.id, case.input, getattr(case, kind), kind == "fires", id=f"{rule.id}-{case.input}{n}-{kind}")
    for rule in RULES
    for n, case in enumerate(FIXTURES.get(rule.id, ()))
    for kind in ("fires", "quiet")
]


def test_every_rule_ships_fixtures():
    """Each rule has a failing and a passing input for every input it reads; no fixture names a lost id."""
    assert set(FIXTURES) <= set(CATALOGUE), set(FIXTURES) - set(CATALOGUE)
    for rule in RULES:
        cases: list[Case] = list(FIXTURES.get(rule.id, ()))
        assert cases, f"{rule.id} ships no fixture"
        read = {READS[c.input] for c in cases}
        wanted = set(rule.reads) - {CLUSTER}
        if CLUSTER in rule.reads:
            assert read & {"values", "manifests"}, f"{rule.id}: no values or manifests fixture"
        assert wanted <= read, f"{rule.id} reads {sorted(wanted - read)} but has no fixture for it"


@pytest.mark.parametrize(("rule_id", "case_input", "given", "fires"), CASES)
def test_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one(
    rule_id, case_input, given, fires, tmp_path, request
):
    assert (rule_id in emitted(case_input, given, tmp_path, request)) is fires


def test_privileged_is_the_highest_severity_and_hostpid_from_a_default_is_not_higher():
    assert PRIVILEGE_SEVERITY["privileged"] == "high"
    findings = audit_values(agents(containers={"systemProbe": {"securityContext": {"privileged": True}}}), "v").findings
    by_id = {f.id: f for f in findings}
    assert by_id["privileged-container"].severity == "high"
    assert by_id["hostpid-unneeded"].severity == "high"


def test_capabilities_are_named_one_by_one():
    finding = next(f for f in audit_values(dd(), "v").findings if f.id == "capabilities-added")
    for cap in ("SYS_ADMIN", "NET_ADMIN", "DAC_READ_SEARCH"):
        assert cap in finding.message


def test_hostpid_fix_is_not_offered_when_a_feature_still_forces_it():
    for forcing in (CSPM, {"hostProfiler": {"enabled": True}}, {"sbom": {"enrichment": {"usage": {"enabled": True}}}}):
        report = audit_values(dd(**forcing), "v")
        assert not [f for f in report.findings if ("datadog.useHostPID", False) in f.changes]
        assert any(f.id == "hostpid-needed" for f in report.findings)


def test_host_ports_name_their_owner():
    report = audit_values(dd(otlp={"receiver": {"protocols": {"grpc": {"enabled": True}}}}), "v")
    finding = next(f for f in report.findings if f.id == "hostport-unneeded")
    assert "4317/TCP (agent, otlpgrpcport)" in finding.message
    assert finding.changes == (("datadog.otlp.receiver.protocols.grpc.useHostPort", False),)
    assert finding.cost


# --- every fix only takes privileges away, and no two fixes disagree --------------------------------


def _grants(values: dict) -> set[tuple[str, str]]:
    ledger = ledger_of_pod(render_pod(values))
    out = {("hostPID", "")} if ledger.host_pid else set()
    out |= {("hostNetwork", "")} if ledger.host_network else set()
    out |= {("port", str(p)) for p in ledger.host_ports}
    out |= {(f"path-{g.mode}", g.path) for g in ledger.host_paths}
    out |= {(f"cap-{c}", cap) for c, caps in ledger.capabilities.items() for cap in caps}
    out |= {("container", c) for c in ledger.containers}
    return out


def _covered(kind: str, path: str, before: set) -> bool:
    """A host path inside one already granted (read-write, or read-only for a read-only grant)."""
    modes = ("path-rw",) if kind == "path-rw" else ("path-rw", "path-ro")
    return any(
        old_kind in modes and (path == old or path.startswith(old.rstrip("/") + "/")) for old_kind, old in before
    )


def _shrinks(before: set, after: set) -> set:
    """Grants gained; a narrower host path than one already granted is not a gain."""
    gained = after - before
    return {(kind, what) for kind, what in gained if not (kind.startswith("path-") and _covered(kind, what, before))}


def _as_values(case: dict | str) -> Any:
    return read_input(case, "values.yaml").values if isinstance(case, str) else case


CORPUS = sorted((Path(__file__).parent / "audit_corpus").glob("*.yaml"))


VALUES_FIXTURES = [(rule_id, c.fires) for rule_id, cases in FIXTURES.items() for c in cases if c.input == "values"]


@pytest.mark.parametrize(
    "values",
    [_as_values(v) for _, v in VALUES_FIXTURES] + [YAML(typ="safe", pure=True).load(p.read_text()) for p in CORPUS],
    ids=[rule_id for rule_id, _ in VALUES_FIXTURES] + [p.stem for p in CORPUS],
)
def test_each_fix_only_shrinks_privileges_and_fixes_agree(values):
    report = audit_values(values, "v")
    before = _grants(values)
    wanted: dict[str, Any] = {}
    for finding in report.findings:
        for key, value in finding.changes:
            assert wanted.get(key, value) is value or wanted.get(key, value) == value, (finding.id, key)
            wanted[key] = value
        if finding.changes and finding.id not in ("wrong-type", "unknown-key", "wrong-level", "deprecated-key"):
            assert not _shrinks(before, _grants(with_changes(values, finding.changes))), finding.id
