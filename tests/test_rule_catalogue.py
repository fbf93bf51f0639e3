"""The rule catalogue is the only source of finding ids and their words: docs/rules.md and SARIF's
`rules[]` are generated from it, and no audit emits an id it does not hold."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tui.core.audit.audit import audit_text
from tui.core.audit.catalogue import CATALOGUE, INPUTS, RULES
from tui.core.audit.findings import SEVERITIES
from tui.core.audit.rules_doc import DEFAULT_PATH, main, render
from tui.core.audit.sarif import sarif_rule, to_sarif
from tui.core.chart.platform_rules import PLATFORM_RULES
from tui.core.cluster.grants import DANGERS
from tui.core.pod.pod_security import CHECKS

TUI = Path(__file__).resolve().parents[1] / "tui"
DERIVED_PREFIXES = ("pss-", "cluster-")


def _emitted_ids() -> dict[str, set[str]]:
    """Every finding id written in the source, by file: `Finding("id", ...)`, `CATALOGUE["id"]` and the
    values rules' `Rule("id", ...)`; a computed id must be one of the derived families' prefixes."""
    found: dict[str, set[str]] = {}
    for path in sorted(TUI.rglob("*.py")):
        if path.name == "catalogue.py":
            continue
        tree = ast.parse(path.read_text())
        constants = {
            t.id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for t in node.targets
            if isinstance(t, ast.Name) and isinstance(node.value.value, str)
        }
        ids: set[str] = set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("Finding", "Rule", "Check")
            ):
                if node.func.id == "Rule" and path.name != "values_rules.py":
                    continue  # the values rules' table; other modules' `Rule`s are not findings
                if node.func.id == "Check" and "audit" not in path.parts:
                    continue  # the audit readers' tables; pod_security's `Check`s are its own
                argument = node.args[0] if node.args else None
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "CATALOGUE":
                argument = node.slice
            else:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                ids.add(argument.value)
            elif isinstance(argument, ast.Name) and argument.id in constants:
                ids.add(constants[argument.id])
            elif isinstance(argument, ast.JoinedStr):
                head = argument.values[0]
                prefix = head.value if isinstance(head, ast.Constant) else ""
                assert prefix in DERIVED_PREFIXES, f"{path}:{node.lineno}: a computed finding id outside the catalogue"
            elif isinstance(argument, ast.Attribute) or isinstance(node, ast.Subscript):
                continue  # `self.id`, `CATALOGUE[rule_id]`: looking up an id named elsewhere
            else:
                raise AssertionError(f"{path}:{node.lineno}: a finding id the test cannot read")
        if ids:
            found[str(path.relative_to(TUI.parent))] = ids
    return found


def test_every_id_an_audit_can_emit_is_in_the_catalogue_and_in_docs():
    documented = set(re.findall(r"^### `([^`]+)`$", DEFAULT_PATH.read_text(), flags=re.M))
    emitted = _emitted_ids()
    assert {"tui/core/audit/values_audit.py", "tui/core/audit/datadog_agent.py"} <= set(emitted)
    for where, ids in emitted.items():
        assert ids <= set(CATALOGUE), f"{where} emits {sorted(ids - set(CATALOGUE))}, which the catalogue lacks"
        assert ids <= documented, f"{where} emits {sorted(ids - documented)}, which docs/rules.md lacks"
    assert documented == set(CATALOGUE)


def test_only_the_catalogue_words_a_finding():
    """Every finding is made by `CATALOGUE[id].finding(...)`: no module builds one with its own text."""
    built = [
        f"{path.relative_to(TUI.parent)}:{node.lineno}"
        for path in sorted(TUI.rglob("*.py"))
        if path.name != "catalogue.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding"
    ]
    assert built == []


def test_docs_rules_md_is_generated_from_the_catalogue(tmp_path, capsys):
    assert DEFAULT_PATH.read_text() == render(), "docs/rules.md is stale: python -m tui.core.audit.rules_doc"
    stale = tmp_path / "rules.md"
    stale.write_text(render().replace("high", "low", 1))
    assert main(["--check", str(stale)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert main([str(stale)]) == 0 and main(["--check", str(stale)]) == 0


def test_derived_families_follow_their_models():
    assert {f"pss-{c.id}" for c in CHECKS if c.level != "privileged"} <= set(CATALOGUE)
    assert {f"cluster-{d.id}" for d in DANGERS} <= set(CATALOGUE)
    assert {r.id for r in PLATFORM_RULES} <= set(CATALOGUE)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_each_entry_is_complete(rule):
    assert re.fullmatch(r"[a-z][a-zA-Z0-9_-]*", rule.id)
    assert rule.severity in SEVERITIES and rule.reads and set(rule.reads) <= set(INPUTS)
    assert rule.when and rule.help.endswith(".") and rule.message


def test_one_fact_one_id():
    """The ids merged into one stay gone: no audit emits them any more."""
    retired = {
        "hostpid",  # hostpid-unneeded
        "operator-host-pid",  # hostpid-unneeded
        "operator-host-network",  # host-network
        "operator-root",  # runs-as-root
        "operator-dogstatsd-host-port",  # host-port
        "operator-apm-host-port",  # host-port
        "operator-dogstatsd-socket-default",  # dsd-socket-unneeded
        "operator-apm-default",  # apm-unrequested
        "operator-service-discovery-default",  # system-probe-unrequested
        "operator-api-key-inline",  # plaintext-secret
        "operator-not-a-map",  # wrong-type
        "operator-liveContainerCollection-default",  # operator-default-feature
        "operator-processDiscovery-default",  # operator-default-feature
    }
    assert not retired & set(CATALOGUE)
    assert not retired & set().union(*_emitted_ids().values())


PRIVILEGED_DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: datadog}
spec:
  template:
    spec:
      hostPID: true
      hostNetwork: true
      containers:
        - name: agent
          securityContext: {privileged: true}
"""


def test_sarif_rules_come_from_the_catalogue_not_from_the_first_finding():
    report = audit_text(PRIVILEGED_DAEMONSET, "live.yaml")
    document = to_sarif(report)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f.id for f in report.findings})
    for descriptor in rules:
        entry = CATALOGUE[descriptor["id"]]
        assert descriptor == sarif_rule(entry.id)
        assert descriptor["fullDescription"]["text"] == entry.help
        assert descriptor["properties"]["security-severity"] == {"high": "8.0", "medium": "5.0", "low": "3.0"}.get(
            entry.severity, "1.0"
        )
    messages = {f.message for f in report.findings}
    assert not messages & {r["shortDescription"]["text"] for r in rules}
    results = document["runs"][0]["results"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    json.dumps(document)


def test_each_reader_decides_the_rules_that_say_they_read_it():
    from tui.core.audit import datadog_agent, manifest_audit, values_rules

    tables = {
        "values": {r.id for r in values_rules.RULES},
        "manifests": {c.id for c in manifest_audit.CHECKS},
        "datadog-agent": {c.id for c in datadog_agent.CHECKS},
    }
    for reads, ids in tables.items():
        assert all(reads in CATALOGUE[i].reads for i in ids), reads
    manifests = {r.id for r in RULES if "manifests" in r.reads and not r.id.startswith(DERIVED_PREFIXES)}
    assert manifests - {"expect-differs"} == tables["manifests"]
    assert {r.id for r in RULES if "datadog-agent" in r.reads} == tables["datadog-agent"]
