"""`audit --fix`: the user's own values file, edited in place, losing nothing the user configured.

Three modules, each with its own reason to change:

- `fix_policy`: what may be applied to each finding (applied, not applied unless asked, refused) and why;
- `fix_yaml`: the ruamel.yaml round trip that edits the file and keeps every other byte of it;
- `fix_plan`: the plan over every finding, the edit, and the read-back check before anything is written.

This module shows the result (the diff, REPORT.md's section) and makes the findings of `generate
--base`; it also names the public pieces of the three, so callers import them from one place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import AuditReport
from tui.core.audit.fix_plan import FixResult, decide_all, footprint, granted, named_by, plan_fix
from tui.core.audit.fix_policy import (
    ALL_SAFE,
    APPLIED,
    BREAKS_POD,
    CREDENTIAL_KEYS,
    MANUAL,
    OPT_IN,
    REFUSED,
    FixOutcome,
    endpoints,
    leaves,
    pod_grants,
    short,
    wanted,
)
from tui.core.audit.fix_yaml import (
    apply_changes,
    carried_over,
    dump_documents,
    edit_text,
    plain,
    round_trip_yaml,
    with_changes,
)
from tui.core.chart.model import effective_values
from tui.core.yamlio.dotted import MISSING

__all__ = [
    "ALL_SAFE",
    "ANSWER_SETTING",
    "APPLIED",
    "BREAKS_POD",
    "CREDENTIAL_KEYS",
    "MANUAL",
    "OPT_IN",
    "REFUSED",
    "FixOutcome",
    "FixResult",
    "answer_findings",
    "apply_changes",
    "carried_over",
    "decide_all",
    "dump_documents",
    "edit_text",
    "endpoints",
    "footprint",
    "granted",
    "leaves",
    "named_by",
    "plain",
    "plan_fix",
    "pod_grants",
    "report_section",
    "round_trip_yaml",
    "unified_diff",
    "wanted",
    "with_changes",
]

# --- showing it ------------------------------------------------------------------------------------

# Keys whose values are credentials: the diff shows that they go, never what they held.
_SECRET_LINE = re.compile(r"^(?P<head>[-+ ]\s*(?:apiKey|appKey|token)\s*:\s*)(?P<value>[^\s#].*?)(?P<tail>\s*)$")


def _redacted(line: str) -> str:
    match = _SECRET_LINE.match(line)
    if match is None:
        return line
    return f"{match['head']}<redacted>{match['tail']}"


def unified_diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=name, tofile=f"{name} (fixed)"
    )
    return "".join(_redacted(line) for line in lines)


def report_section(fixed: FixResult, name: str) -> str:
    """REPORT.md's account of the edit: every finding with what --fix did and why, as the CLI says it."""
    where = fixed.source.description if fixed.source is not None else "chart values"
    out = [
        "## Changes to your values file",
        "",
        f"`values.yaml` is `{name}` ({where}) with only these edits; every other key, value and comment is yours.",
        "",
    ]
    order = {APPLIED: 0, OPT_IN: 1, REFUSED: 2, MANUAL: 3}
    for outcome in sorted(fixed.outcomes, key=lambda d: order[d.status]):
        finding = outcome.finding
        head = f"- `{finding.id}` `{finding.key}` ({finding.severity}): {finding.message}."
        out.append(f"{head} **{outcome.summary()}**")
    if not fixed.outcomes:
        out.append("- no finding: nothing changed")
    if fixed.additions:
        out += ["", f"Added to `{PurePath(name).name}` beside the values (nothing of yours changed or removed):", ""]
        out += [f"- {line}" for line in fixed.additions]
    return "\n".join(out) + "\n"


# --- generate --base ------------------------------------------------------------------------------

ANSWER_SETTING = "answer-setting"


def answer_findings(values: Mapping[str, Any], plan_values: Mapping[str, Any], why: Mapping[str, str]) -> AuditReport:
    """`generate --base`: one finding per least-privilege setting of the answers the base file lacks.

    Each leaf ddsecure would write is compared with what the base file gives the chart (its own value,
    or the chart's default); only differing leaves become edits, so the user's other keys in the same
    block stay."""
    effective = leaves(effective_values(plain(values)))
    report = AuditReport("base", "values")
    for dotted, value in leaves(plan_values).items():
        if effective.get(dotted, MISSING) == value:
            continue
        parts = dotted.split(".")
        reason = next((why[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in why), "")
        fields = {"value": short(value), "reason": f" ({reason})" if reason else ""}
        report.findings.append(CATALOGUE[ANSWER_SETTING].finding(dotted, fields, ((dotted, value),)))
    return report
