"""The plan of `audit --fix` and its check: decide every finding, edit the file, read the result back.

Findings are decided (fix_policy) against the values as they stand when their turn comes, and the
loop runs until nothing more is applied, so fixing a fixed file changes nothing. The edits are then
made to the file (fix_yaml). Before anything is written the result is read back and checked: the
values are exactly the planned ones, any wrapper around them is unchanged, every other leaf is where
it was, and nothing is granted that the input did not grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.core.audit.findings import AuditReport
from tui.core.audit.fix_policy import APPLIED, MANUAL, OPT_IN, FixOutcome, Version, decide, leaves
from tui.core.audit.fix_yaml import edit_in_blocks, edit_text, plain
from tui.core.deployment import Deployment, ValuesDeployment
from tui.core.errors import InputFileError
from tui.core.pod.ledger import Ledger
from tui.core.wrappers import FORMS
from tui.core.wrappers.source import PathStep, ValuesSource, at
from tui.core.yamlio.dotted import MISSING
from tui.core.yamlio.reader import helm_documents, helm_values

if TYPE_CHECKING:
    from tui.core.output.next_steps import NextSteps

MAX_ROUNDS = 5


@dataclass
class FixResult:
    text: str  # the whole input file, edited (wrapper kept)
    values_text: str  # the values alone, edited (the bundle's values.yaml)
    values: dict[str, Any]  # the edited values as data
    outcomes: list[FixOutcome] = field(default_factory=list)
    before: Ledger | None = None
    after: Ledger | None = None
    source: ValuesSource | None = None
    # What was added to the wrapper beside the values edits (the bundle's patches, for a controller
    # that applies them), one explained line each; and the steps from this bundle to a running Agent.
    additions: list[str] = field(default_factory=list)
    next_steps: NextSteps | None = None
    # The deployment of the edited values, which the bundle is built from (set by plan_fix).
    deployment: ValuesDeployment | None = None

    def applied(self) -> list[FixOutcome]:
        return [d for d in self.outcomes if d.status == APPLIED]


def footprint(values: Mapping[str, Any]) -> Ledger:
    """The ledger of the pod the chart renders from these values (before any patch)."""
    return Deployment.of_values(values).values_ledger


def granted(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What the pod rendered from `after` grants that the one from `before` does not (empty: it only shrinks)."""
    first, second = Deployment.of_values(before), Deployment.of_values(after)
    return Version(first, "").grants(second.values_pod, second.values_ledger)


def named_by(leaf: str, keys: Iterable[str]) -> bool:
    """The leaf is one of these keys, inside one, or holds one."""
    return any(leaf == k or leaf.startswith(k + ".") or k.startswith(leaf + ".") for k in keys)


# --- deciding every finding --------------------------------------------------------------------------


def decide_all(
    values: Mapping[str, Any],
    report: AuditReport,
    name: str,
    chosen: Sequence[str] = (),
    *,
    follow_up: bool = True,
    allowed: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[FixOutcome], list[tuple[str, Any]]]:
    """The fixed values, one outcome per finding of `report` (and of any later round), and the edits
    made, in order. `follow_up`: re-audit after each round and fix what the audit finds next (audit
    --fix); without it only `report`'s findings are decided (generate --base). `allowed`: a pod whose
    privileges an edit may bring (the pod of the answers the user chose); by default none."""
    last, outcomes, made = _decide_versions(Version.of(plain(values), name), report, chosen, follow_up, allowed)
    return last.values, outcomes, made


def _decide_versions(
    current: Version,
    report: AuditReport,
    chosen: Sequence[str],
    follow_up: bool,
    allowed: Mapping[str, Any] | None,
) -> tuple[Version, list[FixOutcome], list[tuple[str, Any]]]:
    audited = {(f.id, f.key) for f in current.report.findings}
    made: list[tuple[str, Any]] = []
    outcomes: dict[tuple[str, str], FixOutcome] = {}
    decided_on: dict[tuple[str, str], int] = {}  # the version of the values each outcome read
    claimed: dict[str, tuple[Any, str]] = {}  # key -> (value, finding id) of edits made
    version = 0
    findings = report.sorted_findings()
    for _ in range(MAX_ROUNDS):
        start = version
        for finding in findings:
            handle = (finding.id, finding.key)
            if handle in outcomes and (outcomes[handle].status == APPLIED or decided_on[handle] == version):
                continue  # made, or decided on exactly these values already
            outcome, edited = decide(finding, current, claimed, chosen, allowed)
            outcomes[handle], decided_on[handle] = outcome, version
            if outcome.status == APPLIED and edited is not None:
                current, version = edited, version + 1
                decided_on[handle] = version
                made += finding.changes
                for dotted, value in finding.changes:
                    claimed[dotted] = (value, finding.id)
        if follow_up:
            findings = current.report.sorted_findings()
        if version == start:
            break
    remaining = {(f.id, f.key) for f in current.report.findings}
    for handle, outcome in outcomes.items():
        if outcome.status in (OPT_IN, MANUAL) and handle in audited and handle not in remaining:
            # Another applied edit cleared it (two findings about one key, say).
            outcomes[handle] = FixOutcome(outcome.finding, APPLIED, "cleared by the other applied edits")
    return current, list(outcomes.values()), made


# --- the whole fix ---------------------------------------------------------------------------------


def plan_fix(
    text: str,
    name: str,
    source: ValuesSource,
    values: Mapping[str, Any],
    report: AuditReport,
    chosen: Sequence[str] = (),
    documents: Sequence[Any] | None = None,
    *,
    follow_up: bool = True,
    allowed: Mapping[str, Any] | None = None,
    refuse_invalid: bool = False,
) -> FixResult:
    """Decide every finding, edit the file, and check the result before anyone writes it. `refuse_invalid`:
    a file whose pods Kubernetes would refuse is not built on (one line, nothing written)."""
    first = Version.of(plain(values), name, FORMS[source.form].runtime_socket)
    if refuse_invalid:
        from tui.core.audit.refused_pods import first_violation

        problem = first_violation(first.deployment)
        if problem:
            raise InputFileError(f"{name}: {problem}; fix the file first, nothing written")
    old_documents = [plain(d) for d in documents] if documents is not None else None
    last, outcomes, changes = _decide_versions(first, report, chosen, follow_up, allowed)
    where = f"file {name}"
    # ruamel writes \n; a Windows file is edited as \n and given its \r\n back, so no other line changes.
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    quick = ""
    if not source.path and changes:
        # On a long plain file, reading and dumping only the blocks the edits fall in spares reading and
        # dumping the whole file with the round trip (twice); the read-back check is the same.
        try:
            quick = edit_in_blocks(text, changes)
            if quick:
                _check(text, quick, quick, source, first, last, changes, where, old_documents, allowed)
        except Exception:  # anything unexpected (or a failed read-back): the whole-file way decides, and says why
            quick = ""
    if quick:
        whole = inner = quick
    else:
        whole, inner = _edited(text, source, changes, first, last, where, old_documents, allowed)
    if crlf:
        whole, inner = whole.replace("\n", "\r\n"), inner.replace("\n", "\r\n")
    return FixResult(
        text=whole,
        values_text=inner,
        values=last.values,
        outcomes=outcomes,
        before=first.ledger,
        after=last.ledger,
        source=source,
        deployment=last.deployment,
    )


def _edited(
    text: str,
    source: ValuesSource,
    changes: Sequence[tuple[str, Any]],
    first: Version,
    last: Version,
    where: str,
    old_documents: Sequence[Any] | None,
    allowed: Mapping[str, Any] | None,
) -> tuple[str, str]:
    """The first of `edit_text`'s candidates that reads back as planned."""
    try:
        candidates = edit_text(text, source, changes)
    except Exception as error:  # ruamel raises plain exceptions on input its round-trip cannot keep
        raise InputFileError(f"{where}: cannot be edited safely ({_first_line(error)}); nothing written") from None
    problem: InputFileError | None = None
    for whole, inner in candidates:
        try:
            _check(text, whole, inner, source, first, last, changes, where, old_documents, allowed)
            return whole, inner
        except InputFileError as error:
            problem = problem or error
    raise problem or InputFileError(f"{where}: cannot be edited safely; nothing written")


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(error).__name__


def _check(
    text: str,
    whole: str,
    inner: str,
    source: ValuesSource,
    first: Version,
    last: Version,
    changes: Sequence[tuple[str, Any]],
    where: str,
    old_documents: Sequence[Any] | None = None,
    allowed: Mapping[str, Any] | None = None,
) -> None:
    """The written text says exactly what was planned, or nothing is written."""

    def refuse(why: str) -> InputFileError:
        return InputFileError(f"{where}: cannot be edited safely: {why}; nothing written")

    planned = last.values

    try:  # read back as helm will read it
        new_documents = helm_documents(whole, where).documents
        if old_documents is None or source.path or len(new_documents) > 1:  # not the merged values: the documents
            old_documents = helm_documents(text, where).documents
        if inner == whole and len(new_documents) <= 1:  # a plain one-document file: already read
            inner_values = (new_documents or [{}])[0]
        else:
            inner_values = helm_values(inner, where).documents[0]  # several documents: merged, as helm does
    except InputFileError as error:
        raise refuse(f"the edited file does not read back ({error})") from None
    if old_documents and len(new_documents) != len(old_documents):  # an empty file gains its one document
        raise refuse("the number of YAML documents changed")
    got = source.values(new_documents, where) if source.path else inner_values
    if plain(got) != planned or plain(inner_values) != planned:
        raise refuse("the edited values differ from the planned edit (anchors, aliases or merge keys shared by it?)")
    if source.path:
        for n, (old, new) in enumerate(zip(old_documents, new_documents, strict=True)):
            if n == source.document:
                old, new = _without(old, source.path), _without(new, source.path)
            if plain(old) != plain(new):
                raise refuse("the wrapper around the values would change")
    keys = [dotted for dotted, _ in changes]
    old_leaves, new_leaves = leaves(first.values), leaves(planned)
    lost = [k for k, v in old_leaves.items() if not named_by(k, keys) and new_leaves.get(k, MISSING) != v]
    if lost:
        raise refuse(f"{lost[0]} would change although no applied finding names it")
    grants = first.grants(last.pod, last.ledger)
    if allowed is not None:
        asked = set(first.grants(allowed))
        grants = [g for g in grants if g not in asked]
    if grants:
        raise refuse("the result would grant " + ", ".join(grants))


def _without(document: Any, path: Sequence[PathStep]) -> Any:
    document = plain(document)
    container = at(document, path[:-1])
    if isinstance(container, dict):
        container.pop(path[-1], None)
    elif isinstance(container, list) and isinstance(path[-1], int) and path[-1] < len(container):
        container[path[-1]] = None
    return document


# --- showing it ------------------------------------------------------------------------------------
