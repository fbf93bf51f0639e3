"""Findings and the audit report: plain data that the text, JSON and SARIF outputs read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "low", "medium", "high")

# One severity per kind of privilege, shared by the values, rendered-manifest and DatadogAgent audits:
# what no feature needs is high (privileged, hostNetwork, hostPID, the whole host filesystem, an eBPF
# container nobody asked for); a privilege that a feature the input asks for needs is only named (info).
PRIVILEGE_SEVERITY = {
    "privileged": "high",
    "hostNetwork": "high",
    "hostPID": "high",
    "hostPath /": "high",
    "system-probe": "high",
    "hostPath rw": "medium",
    "hostPort": "medium",
    "capabilities": "medium",
    "hostPath ro": "low",
    "root": "low",
    "requested": "info",
}

DELETE = object()  # in Finding.changes: remove this key from the user's file


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    key: str
    message: str
    fix: str = ""
    # dotted key -> new value (or DELETE): the edit `--fix` applies to the user's file
    changes: tuple[tuple[str, Any], ...] = ()
    # what the user loses if `changes` are applied ("" when nothing)
    cost: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "key": self.key,
            "message": self.message,
            "fix": self.fix,
            "cost": self.cost,
        }


@dataclass(frozen=True)
class Privilege:
    """One privilege the input grants, with the key responsible and where its value comes from."""

    what: str
    key: str
    source: str  # "set in file", "chart default", "rendered"
    keys: tuple[str, ...] = ()  # every key whose setting causes it (the chart's condition), `key` first

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"privilege": self.what, "key": self.key, "source": self.source}
        if self.keys:
            document["keys"] = list(self.keys)
        return document


@dataclass
class AuditReport:
    path: str
    kind: str  # "values" or "manifests"
    findings: list[Finding] = field(default_factory=list)
    privileges: list[Privilege] = field(default_factory=list)
    answers: dict[str, Any] | None = None
    answer_notes: list[str] = field(default_factory=list)
    pod_security: list[dict[str, Any]] = field(default_factory=list)
    render: dict[str, Any] | None = None
    ledger: dict[str, Any] | None = None
    # what the model cannot see: [{"key": ..., "why": ...}]; any entry makes the ledger partial
    unmodelled: list[dict[str, str]] = field(default_factory=list)
    refused: str = ""  # why `helm template` fails on this input ("" when it renders)
    ledger_source: str = "model"  # "helm" once --render has replaced the model's ledger with the real one
    # the chart a wrapper says it installs: {"name", "version", "source"} (None when the file names none)
    chart: dict[str, str] | None = None

    @property
    def ledger_complete(self) -> bool:
        if self.ledger_source == "helm":
            return True
        return not self.unmodelled and not self.refused

    def reaches(self, fail_on: str) -> bool:
        return any(rank(f.severity) >= rank(fail_on) for f in self.findings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (-rank(f.severity), f.id, f.key))

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "kind": self.kind,
            "findings": [f.as_json() for f in self.sorted_findings()],
            "privileges": [p.as_json() for p in self.privileges],
            "inferredAnswers": self.answers,
            "inferenceNotes": self.answer_notes,
            "podSecurity": self.pod_security,
            "render": self.render,
            "ledger": self.ledger,
            "unmodelled": self.unmodelled,
            "refused": self.refused,
            "ledgerComplete": self.ledger_complete,
            "ledgerSource": self.ledger_source,
            "chart": self.chart,
        }
