"""The bundle whose values.yaml is the user's own file, edited: for `audit --fix` and `generate --base`.

Both edit the file with the fix engine (tui.core.audit.fix), then compute every other file of the
bundle (patch, namespace, privileges.json, REPORT.md, datadog-agent.yaml) from the edited values
through a `ValuesDeployment`, so the files cannot disagree with the values the user will install.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui.core.answers import Answers
from tui.core.audit.audit import AuditInput, read_input
from tui.core.audit.findings import AuditReport
from tui.core.audit.fix import ALL_SAFE, ANSWER_SETTING, FixResult, answer_findings, plan_fix, report_section
from tui.core.errors import InputFileError


def _check_target(target: str) -> None:
    if target == "operator":
        raise InputFileError(
            "your values file goes into the Helm bundle; --target operator writes no values.yaml "
            "(use --target helm or both)"
        )


def _bundle(answers: Answers, fixed: FixResult, name: str, target: str) -> dict[str, str]:
    from tui.core.audit.values_audit import modelled_values
    from tui.core.bundle import ANSWERS, REPORT, WRITTEN_BY_DDSECURE, build_bundle
    from tui.core.deployment import ValuesDeployment

    deployment = ValuesDeployment(answers, modelled_values(fixed.values)[0], fixed.values_text)
    files = build_bundle(answers, target=target, deployment=deployment)
    # answers.yaml promises that `generate --answers` rewrites the bundle byte for byte; from an edited
    # file of the user's it cannot, so it is left out rather than wrong.
    files.pop(ANSWERS, None)
    files[REPORT] = files[REPORT].rstrip("\n") + "\n\n" + report_section(fixed, name)
    if fixed.source is not None and fixed.source.wrapped:
        # The wrapper (HelmRelease, Application, helmfile ...) edited, beside the values alone.
        wrapper = Path(name).name
        if wrapper in WRITTEN_BY_DDSECURE or wrapper.startswith("."):
            wrapper = f"fixed-{wrapper.lstrip('.')}"
        files[wrapper] = fixed.text
    return files


def check_apply(chosen: Sequence[str], report: AuditReport, where: str) -> None:
    """Each `--apply` name is a finding of this file (its id, or id:key), or all-safe."""
    known = {f.id for f in report.findings} | {f"{f.id}:{f.key}" for f in report.findings} | {ALL_SAFE}
    unknown = [name for name in chosen if name not in known]
    if unknown:
        ids = ", ".join(sorted({f.id for f in report.findings if f.changes})) or "none"
        raise InputFileError(f"--apply {unknown[0]}: no such finding in {where} (findings with an edit: {ids})")


def fixed_bundle(
    given: AuditInput, report: AuditReport, chosen: Sequence[str] = (), target: str = "helm"
) -> tuple[dict[str, str], FixResult]:
    """`audit --fix`: the user's values edited for the audit's findings, and the bundle built from them."""
    from tui.core.audit.infer import infer_answers
    from tui.core.audit.values_audit import modelled_values

    assert given.source is not None and given.values is not None
    _check_target(target)
    check_apply(chosen, report, given.name)
    fixed = plan_fix(
        given.text, given.name, given.source, given.values, report, chosen, given.documents, loader=given.loader
    )
    answers, _ = infer_answers(modelled_values(fixed.values)[0])
    return _bundle(answers, fixed, given.name, target), fixed


def based_bundle(
    answers: Answers, text: str, name: str, chosen: Sequence[str] = (), target: str = "helm"
) -> tuple[dict[str, str], FixResult, AuditInput]:
    """`generate --base`: the user's values plus these answers' least-privilege settings, with the same
    engine and no-loss rules (a key the user set changes only when named in `chosen`), and the bundle."""
    from tui.core.deployment import Deployment

    _check_target(target)
    given = read_input(text, name)
    if given.kind != "values" or given.values is None or given.source is None:
        raise InputFileError(f"{name}: not a values file (or a wrapper holding one) to start from")
    plan = Deployment.of(answers)
    report = answer_findings(given.values, plan.values, plan.values_plan.comments)
    known = {ANSWER_SETTING, ALL_SAFE} | {f"{f.id}:{f.key}" for f in report.findings}
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise InputFileError(f"--apply {unknown[0]}: not a setting these answers change in {name}")
    fixed = plan_fix(
        text,
        name,
        given.source,
        given.values,
        report,
        chosen,
        given.documents,
        follow_up=False,
        allowed=plan.rendered_pod,
    )
    return _bundle(answers, fixed, name, target), fixed, given
