"""`ddsecure audit FILE`: format an audit report as text, JSON or SARIF, and apply `--fix`.

All the analysis lives in `tui.core.audit`; this module only reads arguments and writes output.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui.core.audit.findings import SEVERITIES, AuditReport, rank
from tui.core.errors import DdsecureError
from tui.exit_codes import EXIT_DIFFERENT, EXIT_OK

if TYPE_CHECKING:
    from tui.core.audit.expected import Expectation


class AuditUsageError(DdsecureError):
    pass


def run_audit(args: argparse.Namespace, out: TextIO) -> int:
    """Audit one file (`cli` sends directories and many files to `audit_paths`, which reads this module)."""
    return _audit_one_file(args, out)


def _audit_one_file(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.audit.audit import audit_input, key_lines, read_input
    from tui.core.wrappers import FORMS
    from tui.core.wrappers.umbrella import dependency_beside
    from tui.core.yamlio.reader import read_text

    fix = bool(getattr(args, "fix", False))
    output = getattr(args, "output", None)
    chosen = list(getattr(args, "apply", None) or [])
    if fix and output is None:
        raise AuditUsageError("--fix needs -o DIR: the directory to write the least-privilege bundle to")
    if output is not None and not fix:
        raise AuditUsageError("-o DIR is only used with --fix")
    if chosen and not fix:
        raise AuditUsageError("--apply is only used with --fix")
    text = read_text(args.file)
    # --fix edits the very tree the audit reads; an umbrella chart's Chart.yaml beside the file says where
    # the datadog subchart's values are and which version it installs
    given = read_input(text, str(args.file), round_trip=fix, dependency=dependency_beside(Path(args.file)))
    report = audit_input(
        given,
        render=bool(getattr(args, "render", False)),
        chart=getattr(args, "chart", None),
        version=getattr(args, "version", None),
    )
    expected = _check_expected(report, text, args)
    fixed: Any = None
    operator: Any = None  # the DatadogAgent --fix: the user's resource edited, and its bundle
    written: list[Any] = []
    if fix:
        if report.kind == "datadog-agent" and report.answers is not None:
            from tui.core.audit.datadog_agent_fix import fixed_bundle as operator_bundle
            from tui.core.output.bundle import write_bundle

            operator = operator_bundle(given, report)
            written = write_bundle(operator.files, args.output, force=bool(getattr(args, "force", False)))
        elif report.kind != "values" or report.answers is None:
            raise AuditUsageError("--fix works on a values file; for manifests, audit the values that produced them")
        else:
            fixed, written = _fix_values(given, report, chosen, args)
    outcomes = fixed.outcomes if fixed is not None else operator.outcomes if operator is not None else []
    operator_diff = _diff(given, operator) if operator is not None else ""
    fmt = getattr(args, "format", "text") or "text"
    if fmt == "json":
        document = report.as_json()
        if fix:
            by_finding = {(d.finding.id, d.finding.key): d.summary() for d in outcomes}
            for item in document["findings"]:
                if (item["id"], item["key"]) in by_finding:
                    item["fixStatus"] = by_finding[(item["id"], item["key"])]
            document["fix"] = {
                "written": [str(p) for p in written],
                "diff": _diff(given, fixed) if fixed is not None else operator_diff,
                "decisions": [d.as_json() for d in outcomes],
            }
            if fixed is not None and fixed.before is not None and fixed.after is not None:
                document["fix"]["footprint"] = {"before": fixed.before.as_json(), "after": fixed.after.as_json()}
        if expected is not None:
            document["expected"] = expected.as_json()
        out.write(json.dumps(document, indent=2, default=str) + "\n")
    elif fmt == "sarif":
        from tui.core.audit.sarif import to_sarif

        sarif = to_sarif(report, key_lines(text, given))  # a values input: the reader's lines, by values key
        if fix:
            by_finding = {(d.finding.id, d.finding.key): d.summary() for d in outcomes}
            for result, finding in zip(sarif["runs"][0]["results"], report.sorted_findings(), strict=False):
                summary = by_finding.get((finding.id, finding.key))
                if summary:
                    result["message"]["text"] += f" --fix: {summary}"
                    result["properties"]["fix"] = summary
        out.write(json.dumps(sarif, indent=2) + "\n")
    else:
        from tui.colour import severities_for

        holder = FORMS[given.source.form].title if given.source is not None and given.source.wrapped else ""
        out.write(severities_for(out, format_text(report, outcomes, holder)))
        if expected is not None:
            out.write(_expected_text(expected))
        if fix:
            out.write(f"\nwrote the least-privilege bundle to {args.output}:\n")
            out.writelines(f"  {p.name}\n" for p in written)
            if fixed is None:
                out.write(_operator_summary(operator))
                out.write("\nchanges to your file (each applied finding's edit, nothing else):\n")
                out.write(operator_diff or "  (none)\n")
            else:
                out.write(_fix_summary(fixed))
                out.writelines(f"  added to your file: {line}\n" for line in fixed.additions)
                out.write("\nchanges to your file (each applied finding's edit, nothing else):\n")
                out.write(_diff(given, fixed) or "  (none)\n")
                out.write(_next_lines(fixed, args.output))
    if expected is not None:  # --expect answers one question: does the cluster match privileges.json?
        return EXIT_DIFFERENT if expected.differences else EXIT_OK
    fail_on = getattr(args, "fail_on", "high") or "high"
    return EXIT_DIFFERENT if fail_on != "none" and report.reaches(fail_on) else EXIT_OK


def _check_expected(report: AuditReport, text: str, args: argparse.Namespace) -> Expectation | None:
    """--expect: compare the DaemonSet's ledger with privileges.json; each difference is a high finding."""
    path = getattr(args, "expect", None)
    if path is None:
        return None
    if report.kind != "manifests" or report.ledger is None:
        raise AuditUsageError(
            "--expect compares a DaemonSet: audit the rendered manifests, the running DaemonSet "
            "(kubectl get daemonset -n NAMESPACE NAME -o yaml) or the cluster (kubectl get ds,deploy,... -A -o yaml, "
            "as the bundle's next steps print it)"
        )
    from tui.core.audit.catalogue import CATALOGUE
    from tui.core.audit.expected import expectation
    from tui.core.audit.manifest_audit import node_agent_pod
    from tui.core.yamlio.reader import helm_documents

    documents = helm_documents(text, str(args.file)).documents  # as kubectl reads the cluster's objects
    _, _, daemonset = node_agent_pod(documents, str(args.file))
    result = expectation(path, daemonset, report.ledger, documents)
    report.findings += [
        CATALOGUE["expect-differs"].finding(f"DaemonSet {daemonset}", {"path": path, "line": line})
        for line in result.differences
    ]
    return result


def _expected_text(expected: Expectation) -> str:
    lines = ["", f"Compared with {expected.file} ({expected.section} ledger), DaemonSet {expected.daemonset}:"]
    if not expected.differences:
        lines.append(f"  grants exactly what {expected.file} lists")
    lines += [f"  {line}" for line in expected.differences]
    return "\n".join(lines) + "\n"


def _diff(given: Any, fixed: Any) -> str:
    from tui.core.audit.fix import unified_diff

    return unified_diff(given.text, fixed.text, given.name)


def _operator_summary(operator: Any) -> str:
    """What --fix did to a DatadogAgent, and why the bundle has no fence when it has none."""
    from tui.core.audit.datadog_agent_fix import no_fence_reason
    from tui.core.audit.fix import APPLIED, MANUAL, REFUSED
    from tui.core.output.bundle import ADMISSION_FILES

    counts = {status: sum(d.status == status for d in operator.outcomes) for status in (APPLIED, MANUAL, REFUSED)}
    lines = [
        "",
        f"--fix: {counts[APPLIED]} finding(s) applied to your DatadogAgent, {counts[MANUAL]} left to you (no "
        f"automatic edit), {counts[REFUSED]} refused",
    ]
    if operator.unpredicted:
        lines.append(f"no {' or '.join(ADMISSION_FILES)}: {no_fence_reason()}; it also holds:")
        lines += [f"  {line}" for line in operator.unpredicted]
    return "\n".join(lines) + "\n"


def _fix_values(given: Any, report: AuditReport, chosen: list[str], args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """Edit the user's own values, then write the bundle computed from the edited file."""
    from tui.core.audit.fixed_bundle import fixed_bundle
    from tui.core.output.bundle import write_bundle

    files, fixed = fixed_bundle(given, report, chosen, getattr(args, "target", "helm") or "helm", args.output)
    return fixed, write_bundle(files, args.output, force=bool(getattr(args, "force", False)))


def generate_from_base(answers: Any, args: argparse.Namespace, out: TextIO) -> int:
    """`generate --base FILE`: the user's file plus the least-privilege settings of these answers, edited
    in place with the audit's engine and its no-loss rules; the bundle is computed from the result."""
    from tui.core.audit.fixed_bundle import based_bundle
    from tui.core.output.bundle import bundle_diff, write_bundle
    from tui.core.yamlio.reader import read_text

    text = read_text(args.base)
    files, fixed, given = based_bundle(answers, text, str(args.base), list(args.apply or []), args.target, args.output)
    if getattr(args, "check", False):
        diff = bundle_diff(files, args.output)
        out.write(diff or f"{args.output} holds exactly this bundle\n")
        return 1 if diff else 0
    written = write_bundle(files, args.output, force=bool(getattr(args, "force", False)))
    out.write(f"wrote {len(written)} files to {args.output} (values.yaml is {args.base}, edited):\n")
    out.writelines(f"  {path.name}\n" for path in written)
    for outcome in fixed.outcomes:
        out.write(f"  [{outcome.finding.key}] {outcome.summary()}\n")
    out.writelines(f"  [added to your file] {line}\n" for line in fixed.additions)
    out.write(_fix_summary(fixed, "--base"))
    out.write("\nchanges to your file:\n")
    out.write(_diff(given, fixed) or "  (none)\n")
    out.write(_next_lines(fixed, args.output))
    return 0


def _next_lines(fixed: Any, directory: Any) -> str:
    """The bundle's next steps (for a wrapper: its controller's way), as REPORT.md has them."""
    if fixed.next_steps is None:
        return ""
    return "\nnext:\n" + "".join(f"  {line}\n" for line in fixed.next_steps.lines(directory))


def _fix_summary(fixed: Any, label: str = "--fix") -> str:
    from tui.core.audit.fix import APPLIED, OPT_IN, REFUSED
    from tui.core.pod.ledger import ledger_delta

    counts = {status: sum(d.status == status for d in fixed.outcomes) for status in (APPLIED, OPT_IN, REFUSED)}
    lines = [
        "",
        f"{label}: {counts[APPLIED]} finding(s) applied, {counts[OPT_IN]} need --apply (they change something you "
        f"set), {counts[REFUSED]} refused",
    ]
    delta = ledger_delta(fixed.before, fixed.after) if fixed.before is not None and fixed.after is not None else []
    lines.append("footprint of your values (before the DaemonSet patch):")
    lines += [f"  {line}" for line in delta] or ["  unchanged"]
    return "\n".join(lines) + "\n"


def format_text(report: AuditReport, outcomes: list[Any] | None = None, holder: str = "") -> str:
    """The report as text. `holder`: what holds the values when it is not a plain values file (a Flux
    HelmRelease, an umbrella chart...), for the header."""
    lines: list[str] = []
    what = {
        "values": f"{holder or 'values file'}{' values' if holder else ''} for datadog/datadog 3.240.0",
        "datadog-agent": "DatadogAgent for the Datadog Operator",
    }.get(report.kind, "Kubernetes manifests")
    if report.chart is not None:  # the wrapper names the chart it installs
        what = f"{report.chart['source'].rsplit(' ', 1)[0]} values for {report.chart['name']} {report.chart['version']}"
    lines.append(f"ddsecure audit: {report.path} ({what})")
    if report.refused:
        lines.append(f"helm template fails on this file: {report.refused}")
    if report.unmodelled:
        keys = ", ".join(f"{u['key']} ({u['why']})" for u in report.unmodelled)
        lines.append(f"partial ledger: the model cannot see {keys}")
    findings = report.sorted_findings()
    by_finding = {(d.finding.id, d.finding.key): d for d in outcomes or []}
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
            outcome = by_finding.get((finding.id, finding.key))
            if outcome is not None:
                lines.append(f"      --fix {outcome.summary()}")
    lines.append("")
    lines.append("Privileges granted (key responsible; where its value comes from):")
    for privilege in report.privileges:
        lines.append(f"  {privilege.what}")
        lines.append(f"      ← {', '.join(privilege.keys or (privilege.key,))} ({privilege.source})")
    if not report.privileges and report.unmodelled and report.ledger_source != "helm":
        lines.append(
            "  none listed: the model cannot see this file's node Agent (see 'partial ledger'); --render lists helm's"
        )
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
        if "refused" in render:
            lines.append(f"helm template ({render['chart']}) fails: {render['refused']}")
            lines += [f"  differs: {line}" for line in render["differences"]]
        elif render["daemonset"] is None:
            lines.append(f"helm template ({render['chart']}) renders no node-Agent DaemonSet")
            lines += [f"  differs from the model: {line}" for line in render["differences"]]
        else:
            lines.append(f"helm template ({render['chart']}), DaemonSet {render['daemonset']}: the ledger is helm's")
            if render["agrees"]:
                lines.append("  the chart model predicted exactly this render")
            else:
                lines += [f"  differs from the model: {line}" for line in render["differences"]]
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
