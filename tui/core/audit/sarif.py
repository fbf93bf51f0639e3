"""SARIF 2.1.0 output, for code-scanning dashboards."""

from __future__ import annotations

from typing import Any

from tui import __version__
from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import AuditReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
_SCORE = {"high": "8.0", "medium": "5.0", "low": "3.0", "info": "1.0"}


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


def sarif_rules(rule_ids: list[str]) -> list[dict[str, Any]]:
    return [sarif_rule(rule_id) for rule_id in rule_ids]


def to_sarif(report: AuditReport, line_of: dict[str, int] | None = None) -> dict[str, Any]:
    """One run, one rule per finding id, one result per finding, located in the audited file."""
    line_of = line_of or {}
    findings = report.sorted_findings()
    rule_ids = sorted({f.id for f in findings})
    rules = sarif_rules(rule_ids)
    results = []
    for finding in findings:
        region = {"startLine": max(1, line_of.get(finding.key, 1))}
        text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
        results.append(
            {
                "ruleId": finding.id,
                "ruleIndex": rule_ids.index(finding.id),
                "level": _LEVEL[finding.severity],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": report.path},
                            "region": region,
                        },
                        "logicalLocations": [{"fullyQualifiedName": finding.key, "kind": "member"}],
                    }
                ],
                "properties": {"severity": finding.severity, "key": finding.key},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ddsecure",
                        "version": __version__,
                        "informationUri": "https://github.com/DataDog/helm-charts",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": report.path}}],
                "results": results,
            }
        ],
    }
