"""The bundle whose values.yaml is the user's own file, edited: for `audit --fix` and `generate --base`.

Both edit the file with the fix engine (tui.core.audit.fix), then compute every other file of the
bundle (patch, namespace, privileges.json, REPORT.md, datadog-agent.yaml) from the deployment of the
edited values the fix already computed, so the files cannot disagree with the values the user will
install.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.audit.audit import DUPLICATE_KEY, AuditInput, read_input, without_ignored_blocks
from tui.core.audit.findings import DELETE, AuditReport, Finding
from tui.core.audit.fix import (
    ALL_SAFE,
    ANSWER_SETTING,
    BREAKS_POD,
    REFUSED,
    FixResult,
    answer_findings,
    plan_fix,
    report_section,
)
from tui.core.chart.model import NodeAgentChart
from tui.core.errors import DdsecureError, InputFileError
from tui.core.wrappers.source import ValuesSource


def _check_linux(values: Mapping[str, Any], name: str) -> None:
    """The bundle hardens the Linux DaemonSet; written for a Windows one it would break it (its runtime
    socket is a named pipe, which the Linux socket path would replace)."""
    system = NodeAgentChart(values).target_system()
    if system != "linux":
        raise InputFileError(
            f"{name}: targetSystem {system}: ddsecure hardens the Linux node Agent only; audit without --fix"
        )


def _check_target(target: str) -> None:
    if target == "operator":
        raise InputFileError(
            "your values file goes into the Helm bundle; --target operator writes no values.yaml "
            "(use --target helm or both)"
        )


def _installed_as(answers: Answers, source: ValuesSource) -> Answers:
    """The release name and namespace the wrapper's controller uses: the patch targets their DaemonSet."""
    changes = {
        key: value for key, value in (("release_name", source.release), ("namespace", source.namespace)) if value
    }
    try:
        return answers.replace(**changes)
    except DdsecureError:  # not a name the answers accept (templated, too long): keep the answers' own
        return answers


def _wrapper_file(name: str) -> str:
    """The wrapper's name in the bundle: its own, unless a bundle file has it."""
    from tui.core.output.bundle import WRITTEN_BY_DDSECURE

    wrapper = Path(name).name
    if wrapper in WRITTEN_BY_DDSECURE or wrapper.startswith("."):
        wrapper = f"fixed-{wrapper.lstrip('.')}"
    return wrapper


def _bundle(
    answers: Answers | None, fixed: FixResult, name: str, target: str, bundle_dir: Path | None = None
) -> dict[str, str]:
    """`answers`: the ones the bundle is for (generate --base), by default those the edited values amount to."""
    from tui.core.deployment import Deployment
    from tui.core.output.bundle import ANSWERS, REPORT, VALUES, build_bundle
    from tui.core.output.next_steps import Wrapper, next_steps

    source = fixed.source
    wrapper: Wrapper | None = None
    edited = fixed.deployment or Deployment.of_values(fixed.values)
    answers = edited.answers if answers is None else answers
    if source is not None and source.wrapped:
        answers = _installed_as(answers, source)
    deployment = edited.with_answers(answers, fixed.values_text)
    deployment.left_out_edits = tuple(
        (f"{d.finding.key}: {_shown(d.finding)}", d.reason.replace(f" ({BREAKS_POD})", ""))
        for d in fixed.outcomes
        if d.status == REFUSED and BREAKS_POD in d.reason
    )
    if source is not None and source.wrapped:
        from tui.core.audit.wrapper_patches import add_patches, patch_entries
        from tui.core.wrappers import FORMS

        # A controller that can apply the patches gets them in the wrapper (only additions, each explained).
        entries = patch_entries(deployment)
        fixed.text, fixed.additions = add_patches(fixed.text, source, entries, f"file {name}")
        origin = Path(name)
        wrapper = Wrapper(
            source.form,
            _wrapper_file(name),
            # REPORT.md names the file as the user did (no local absolute path in a file meant to be committed);
            # the copy command runs in the bundle directory, so it gets the path from there when that is known.
            origin=name if origin.is_file() else "",
            copy_to=_path_from(origin, bundle_dir) if origin.is_file() else "",
            patched=bool(entries) and FORMS[source.form].patches is not None,
            object_name=source.object_name,
            object_namespace=source.object_namespace,
        )
    files = build_bundle(answers, target=target, deployment=deployment, wrapper=wrapper)
    fixed.next_steps = next_steps(answers, target, wrapper)
    # answers.yaml promises that `generate --answers` rewrites the bundle byte for byte; from an edited
    # file of the user's it cannot, so it is left out rather than wrong.
    files.pop(ANSWERS, None)
    files[REPORT] = files[REPORT].rstrip("\n") + "\n\n" + report_section(fixed, name)
    if wrapper is not None:
        # The wrapper (HelmRelease, Application, helmfile ...) edited, beside the values alone.
        files[wrapper.file] = fixed.text
    if _starts_with_bom(name):  # the reader drops a byte-order mark; the user's file gets it back
        mine = wrapper.file if wrapper is not None else VALUES
        files[mine] = "\ufeff" + files[mine]
    return files


def _starts_with_bom(name: str) -> bool:
    try:
        with open(name, "rb") as handle:
            return handle.read(3) == b"\xef\xbb\xbf"
    except OSError:  # a file read from elsewhere (standard input, a test's text): nothing to keep
        return False


def _path_from(path: Path, directory: Path | None) -> str:
    if directory is None or path.is_absolute():
        return ""
    return os.path.relpath(path.resolve(), directory.resolve())


def _shown(finding: Finding) -> str:
    return ", ".join(f"{json.dumps(value)}" for _, value in finding.changes if value is not DELETE) or "removed"


def check_apply(chosen: Sequence[str], report: AuditReport, where: str) -> None:
    """Each `--apply` name is a finding of this file (its id, or id:key), or all-safe."""
    known = {f.id for f in report.findings} | {f"{f.id}:{f.key}" for f in report.findings} | {ALL_SAFE}
    unknown = [name for name in chosen if name not in known]
    if unknown:
        ids = ", ".join(sorted({f.id for f in report.findings if f.changes})) or "none"
        raise InputFileError(f"--apply {unknown[0]}: no such finding in {where} (findings with an edit: {ids})")


def fixed_bundle(
    given: AuditInput,
    report: AuditReport,
    chosen: Sequence[str] = (),
    target: str = "helm",
    bundle_dir: Path | None = None,
) -> tuple[dict[str, str], FixResult]:
    """`audit --fix`: the user's values edited for the audit's findings, and the bundle built from them."""
    assert given.source is not None and given.values is not None
    _check_target(target)
    _check_linux(given.values, given.name)
    check_apply(chosen, report, given.name)
    edited = without_ignored_blocks(given, chosen)  # a key written twice: only with --apply duplicate-key
    fixed = plan_fix(
        edited.text, given.name, given.source, given.values, report, chosen, edited.documents, refuse_invalid=True
    )
    if edited is not given:
        _removed_blocks(fixed, given)
    return _bundle(None, fixed, given.name, target, bundle_dir), fixed


def _removed_blocks(fixed: FixResult, given: AuditInput) -> None:
    """The duplicate-key findings were applied by removing the blocks helm ignores: say so, with the lines."""
    from tui.core.audit.fix import APPLIED, FixOutcome

    spans = {".".join(d.path): d.ignored for d in given.duplicates}
    fixed.outcomes = [
        FixOutcome(
            d.finding, APPLIED, f"removed lines {spans[d.finding.key][0]}-{spans[d.finding.key][1]}, which helm ignores"
        )
        if d.finding.id == DUPLICATE_KEY and d.finding.key in spans
        else d
        for d in fixed.outcomes
    ]


def based_bundle(
    answers: Answers,
    text: str,
    name: str,
    chosen: Sequence[str] = (),
    target: str = "helm",
    bundle_dir: Path | None = None,
) -> tuple[dict[str, str], FixResult, AuditInput]:
    """`generate --base`: the user's values plus these answers' least-privilege settings, with the same
    engine and no-loss rules (a key the user set changes only when named in `chosen`), and the bundle."""
    from tui.core.deployment import Deployment

    _check_target(target)
    given = read_input(text, name)
    if given.kind != "values" or given.values is None or given.source is None:
        raise InputFileError(f"{name}: not a values file (or a wrapper holding one) to start from")
    _check_linux(given.values, name)
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
        refuse_invalid=True,
    )
    return _bundle(answers, fixed, name, target, bundle_dir), fixed, given
