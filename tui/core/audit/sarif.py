"""SARIF 2.1.0 output, for code-scanning dashboards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tui import __version__
from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import AuditReport, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"high": "8.0", "medium": "5.0", "low": "3.0", "info": "1.0"}


def line_for(line_of: dict[str, int], key: str) -> int:
    """The key's line, or its nearest ancestor's that the file sets (1: the file sets none of them)."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        line = line_of.get(".".join(parts[:n]))
        if line is not None:
            return line
    return 1


def sarif_rule(rule_id: str) -> dict[str, Any]:
    """A `reportingDescriptor` written from the rule's catalogue entry, whatever the findings say."""
    entry = CATALOGUE[rule_id]
    help_text = entry.help + (f" Fix: {entry.fix}" if entry.fix and "{" not in entry.fix else "")
    return {
        "id": entry.id,
        "name": entry.name,
        "shortDescription": {"text": f"{entry.id}: {entry.when}"[:1024]},
        "fullDescription": {"text": entry.help},
        "help": {"text": help_text, "markdown": f"{entry.help}\n\nFires when {entry.when}."},
        "defaultConfiguration": {"level": _LEVEL[entry.severity]},
        "properties": {"security-severity": _SCORE[entry.severity], "tags": ["security", *entry.reads]},
    }


def sarif_rules(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """`rules[]`: the catalogue entry of each finding id, in id order (results point at them by index)."""
    return [sarif_rule(rule_id) for rule_id in sorted({f.id for f in findings})]


def sarif_result(finding: Finding, rule_index: int, uri: str, line: int) -> dict[str, Any]:
    text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
    return {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(1, line)},
                },
                "logicalLocations": [{"fullyQualifiedName": finding.key, "kind": "member"}],
            }
        ],
        "properties": {"severity": finding.severity, "key": finding.key},
    }


def _run(rules: list[dict[str, Any]], uris: list[str], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tool": {
            "driver": {
                "name": "ddsecure",
                "version": __version__,
                "informationUri": "https://github.com/DataDog/helm-charts",
                "rules": rules,
            }
        },
        "artifacts": [{"location": {"uri": uri}} for uri in uris],
        "results": results,
    }


def to_sarif(report: AuditReport, line_of: dict[str, int] | None = None) -> dict[str, Any]:
    """One run, one rule per finding id, one result per finding, located in the audited file."""
    line_of = line_of or {}
    findings = report.sorted_findings()
    rules = sarif_rules(findings)
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = [sarif_result(f, index[f.id], report.path, line_for(line_of, f.key)) for f in findings]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [_run(rules, [report.path], results)]}


def to_sarif_files(
    audits: Sequence[tuple[AuditReport, str, Callable[[str], int]]], errors: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """One run over many files: each report with its relative URI and the line of each finding's key;
    `errors` (uri, one line) are Datadog files that could not be audited, as tool notifications."""
    findings = [(f, uri, line_of) for report, uri, line_of in audits for f in report.sorted_findings()]
    rules = sarif_rules([f for f, _, _ in findings])
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = [sarif_result(f, index[f.id], uri, line_of(f.key)) for f, uri, line_of in findings]
    uris = list(dict.fromkeys([uri for _, uri, _ in audits] + [uri for uri, _ in errors]))
    run = _run(rules, uris, results)
    run["invocations"] = [
        {
            "executionSuccessful": not errors,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": message},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }
                for uri, message in errors
            ],
        }
    ]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
