"""`ddsecure audit FILE`: format an audit report as text, JSON or SARIF, and apply `--fix`.

All the analysis lives in `tui.core.audit`; this module only reads arguments and writes output.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from tui.core.audit.findings import SEVERITIES, AuditReport, rank
from tui.core.errors import DdsecureError
from tui.exit_codes import EXIT_DIFFERENT, EXIT_OK

if TYPE_CHECKING:
    from tui.core.audit.expected import Expectation


class AuditUsageError(DdsecureError):
    pass


def run_audit(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.audit.audit import audit_file, key_lines

    fix = bool(getattr(args, "fix", False))
    output = getattr(args, "output", None)
    if fix and output is None:
        raise AuditUsageError("--fix needs -o DIR: the directory to write the least-privilege bundle to")
    if output is not None and not fix:
        raise AuditUsageError("-o DIR is only used with --fix")
    report, text = audit_file(
        args.file, render=bool(getattr(args, "render", False)), chart=getattr(args, "chart", None)
    )
    expected = _check_expected(report, text, args)
    fix_diff = ""
    written: list[Any] = []
    if fix:
        fix_diff, written = _apply_fix(report, text, args)
    fmt = getattr(args, "format", "text") or "text"
    if fmt == "json":
        document = report.as_json()
        if fix:
            document["fix"] = {"written": [str(p) for p in written], "diff": fix_diff}
        if expected is not None:
            document["expected"] = expected.as_json()
        out.write(json.dumps(document, indent=2, default=str) + "\n")
    elif fmt == "sarif":
        from tui.core.audit.sarif import to_sarif

        out.write(json.dumps(to_sarif(report, key_lines(text)), indent=2) + "\n")
    else:
        out.write(format_text(report))
        if expected is not None:
            out.write(_expected_text(expected))
        if fix:
            out.write(f"\nwrote the least-privilege bundle for these answers to {args.output}:\n")
            out.writelines(f"  {p.name}\n" for p in written)
            out.write("\nchanges to your file (each finding's fix applied):\n")
            out.write(fix_diff or "  (none)\n")
    fail_on = getattr(args, "fail_on", "high") or "high"
    return EXIT_DIFFERENT if report.reaches(fail_on) else EXIT_OK


def _check_expected(report: AuditReport, text: str, args: argparse.Namespace) -> Expectation | None:
    """--expect: compare the DaemonSet's ledger with privileges.json; each difference is a high finding."""
    path = getattr(args, "expect", None)
    if path is None:
        return None
    if report.kind != "manifests" or report.ledger is None:
        raise AuditUsageError(
            "--expect compares a DaemonSet: audit the rendered manifests or the running DaemonSet "
            "(kubectl get daemonset -n NAMESPACE NAME -o yaml)"
        )
    from tui.core.audit.expected import expectation
    from tui.core.audit.findings import Finding
    from tui.core.audit.manifest_audit import node_agent_pod
    from tui.core.yaml_input import parse_documents

    _, _, daemonset = node_agent_pod(parse_documents(text, str(args.file)), str(args.file))
    result = expectation(path, daemonset, report.ledger)
    report.findings += [
        Finding("expect-differs", "high", f"DaemonSet {daemonset}", f"differs from {path}: {line}")
        for line in result.differences
    ]
    return result


def _expected_text(expected: Expectation) -> str:
    lines = ["", f"Compared with {expected.file} ({expected.section} ledger), DaemonSet {expected.daemonset}:"]
    if not expected.differences:
        lines.append(f"  grants exactly what {expected.file} lists")
    lines += [f"  {line}" for line in expected.differences]
    return "\n".join(lines) + "\n"


def _apply_fix(report: AuditReport, text: str, args: argparse.Namespace) -> tuple[str, list[Any]]:
    if report.kind == "datadog-agent" and report.answers is not None:
        from tui.core.audit.datadog_agent import apply_fix

        return apply_fix(report, args.output, force=bool(getattr(args, "force", False)))
    if report.kind != "values" or report.answers is None:
        raise AuditUsageError("--fix works on a values file; for manifests, audit the values that produced them")
    from tui.core.answers import layer
    from tui.core.audit.fix import fix_diff
    from tui.core.bundle import build_bundle, write_bundle

    answers = layer([report.answers])
    written = write_bundle(build_bundle(answers), args.output, force=bool(getattr(args, "force", False)))
    return fix_diff(text, report.sorted_findings(), str(args.file)), written


def format_text(report: AuditReport) -> str:
    lines: list[str] = []
    what = {
        "values": "values file for datadog/datadog 3.240.0",
        "datadog-agent": "DatadogAgent for the Datadog Operator",
    }.get(report.kind, "Kubernetes manifests")
    lines.append(f"ddsecure audit: {report.path} ({what})")
    findings = report.sorted_findings()
    counts = ", ".join(
        f"{sum(f.severity == s for f in findings)} {s}"
        for s in reversed(SEVERITIES)
        if any(f.severity == s for f in findings)
    )
    lines.append("")
    lines.append(f"Findings: {len(findings)}" + (f" ({counts})" if counts else " — nothing to fix"))
    for severity in reversed(SEVERITIES):
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines.append(f"  {severity.upper()}")
        for finding in group:
            lines.append(f"    [{finding.id}] {finding.key}")
            lines.append(f"      {finding.message}")
            if finding.fix:
                lines.append(f"      fix: {finding.fix}")
    lines.append("")
    lines.append("Privileges granted (key responsible; where its value comes from):")
    for privilege in report.privileges:
        lines.append(f"  {privilege.what}")
        lines.append(f"      ← {privilege.key} ({privilege.source})")
    if report.answers is not None:
        lines.append("")
        lines.append("Inferred answers (what `ddsecure generate` would build from; see --fix):")
        lines += [f"  {key}: {json.dumps(value)}" for key, value in report.answers.items()]
        lines += [f"  note: {note}" for note in report.answer_notes]
    if report.pod_security:
        lines += _pod_security_lines(report.pod_security, "Pod Security (the DaemonSet's pod)")
    if report.render is not None:
        render = report.render
        lines.append("")
        lines.append(f"helm template ({render['chart']}), DaemonSet {render['daemonset']}:")
        if render["agrees"]:
            lines.append("  the real render grants exactly what was inferred")
        else:
            lines += [f"  differs: {line}" for line in render["differences"]]
        lines += _pod_security_lines(render["podSecurity"], "Pod Security (rendered)")
    return "\n".join(lines) + "\n"


def _pod_security_lines(results: list[dict[str, Any]], title: str) -> list[str]:
    lines = ["", f"{title}:"]
    for level in ("baseline", "restricted"):
        failed = [r for r in results if r["level"] == level and not r["allowed"]]
        lines.append(f"  {level}: " + ("passes" if not failed else f"fails {len(failed)} check(s)"))
        for result in failed:
            detail = f" ({result['detail']})" if result["detail"] else ""
            lines.append(f"    ✗ {result['check']}: {result['reason']}{detail}")
    return lines


__all__ = ["format_text", "rank", "run_audit"]
