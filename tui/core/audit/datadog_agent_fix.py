"""`audit --fix` for a DatadogAgent: the user's own resource, edited, and the Operator bundle describing it.

The resource is edited with the round trip of the values `--fix` (`fix_yaml`): the same file, with its
comments, key order and other documents, and exactly each above-info finding's `changes` made (a finding
without an edit is left to the user, with its fix). The other files are computed from the answers the
*edited* resource amounts to. Where the edited resource holds privileges the Operator model of those
answers does not predict (an override, a feature the model does not follow, a second transport), the
admission files are left out, since a fence drawn from that prediction would refuse the user's own
DaemonSet, and REPORT.md and privileges.json say what the prediction leaves out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.core.audit.audit import AuditInput
from tui.core.audit.datadog_agent import infer_answers, is_datadog_agent, privileges
from tui.core.audit.findings import DELETE, AuditReport, Finding
from tui.core.audit.fix_policy import APPLIED, MANUAL, REFUSED, FixOutcome
from tui.core.audit.fix_yaml import edit_text, plain, with_changes
from tui.core.errors import InputFileError
from tui.core.operator.features import SERVICE_DISCOVERY, SWITCHES, OperatorAgent, Switch
from tui.core.wrappers.source import ValuesSource
from tui.core.yamlio.dotted import lookup, section

# Fields under spec.override.nodeAgent that the answers' resource never sets and that can grant a privilege
# the prediction would not hold (ports, mounts of host volumes, another UID...).
_OVERRIDE_FIELDS = ("hostNetwork", "hostIPC")  # volumes: listed with the privileges, as hostPath overrides
_CONTAINER_FIELDS = ("ports", "volumeMounts")
# (privileged and SELinux options are among the privileges already)
_CONTEXT_FIELDS = ("runAsUser", "appArmorProfile", "seccompProfile")


@dataclass
class DatadogAgentFix:
    text: str  # the whole file as written: every document, the DatadogAgent edited
    resource: dict[str, Any]  # the edited DatadogAgent, as data
    outcomes: list[FixOutcome]
    unpredicted: list[str] = field(default_factory=list)  # what the answers' prediction leaves out
    files: dict[str, str] = field(default_factory=dict)


def _shown(value: Any) -> str:
    return "(removed)" if value is DELETE else json.dumps(value)


def _claims(changes: list[tuple[str, Any, str]], dotted: str, value: Any, rule: str) -> str:
    """The edit of another finding that this one contradicts ("" when none)."""
    for other, other_value, other_id in changes:
        nested = other.startswith(dotted + ".") or dotted.startswith(other + ".")
        if (other == dotted and other_value != value) or (nested and other_id != rule):
            return f"it contradicts the {other_id} edit of {other}"
    return ""


def _plan(report: AuditReport) -> tuple[list[tuple[str, Any, str]], list[FixOutcome]]:
    """Each above-info finding's edit (None in a finding's changes removes the key), in report order."""
    changes: list[tuple[str, Any, str]] = []
    outcomes: list[FixOutcome] = []
    for finding in report.sorted_findings():
        if finding.severity == "info":
            continue
        if not finding.changes:
            outcomes.append(
                FixOutcome(finding, MANUAL, "no automatic edit" + (f" ({finding.fix})" if finding.fix else ""))
            )
            continue
        edits = [(dotted, DELETE if value is None else value) for dotted, value in finding.changes]
        clash = next((c for dotted, value in edits if (c := _claims(changes, dotted, value, finding.id))), "")
        if clash:
            outcomes.append(FixOutcome(finding, REFUSED, clash))
            continue
        changes += [(dotted, value, finding.id) for dotted, value in edits]
        done = "; ".join(f"{dotted}: {_shown(value)}" for dotted, value in edits)
        outcomes.append(FixOutcome(finding, APPLIED, done + (f"; it costs: {finding.cost}" if finding.cost else "")))
    return changes, outcomes


def _read_back(text: str, name: str, index: int) -> Any:
    from tui.core.yamlio.reader import helm_documents

    try:
        documents = helm_documents(text, f"file {name}").documents
    except InputFileError:
        return None
    return documents[index] if index < len(documents) else None


def edit_resource(given: AuditInput, report: AuditReport) -> DatadogAgentFix:
    """The file with the DatadogAgent edited for the report's findings, every other byte kept where the
    round trip can; the first candidate that reads back exactly as planned is kept."""
    index = next(i for i, d in enumerate(given.documents) if is_datadog_agent(d))
    changes, outcomes = _plan(report)
    edits = [(dotted, value) for dotted, value, _ in changes]
    planned = with_changes(plain(given.documents[index]), edits)
    source = ValuesSource("values", index, ())
    for text, _ in edit_text(given.text, source, edits):
        back = _read_back(text, given.name, index)
        if back is not None and plain(back) == plain(planned):
            return DatadogAgentFix(text, plain(planned), outcomes)
    raise InputFileError(f"{given.name}: the edited DatadogAgent does not read back as planned; nothing written")


def unpredicted(resource: Mapping[str, Any], answers_resource: Mapping[str, Any]) -> list[str]:
    """What `resource` grants, or may grant, that the DatadogAgent of its answers (`answers_resource`, from
    which the bundle's prediction is made) does not: one line each."""
    predicted = {p.what for p in privileges(answers_resource)}
    out = [f"{p.what} ({p.key})" for p in privileges(resource) if p.what not in predicted]
    agent, answers_agent = OperatorAgent(resource), OperatorAgent(answers_resource)
    out += [f"spec.features.{name} (not modelled: {why})" for name, why in agent.unmodelled_features().items()]
    # A feature the prediction has off brings its volumes and containers (processDiscovery: /etc/passwd ...)
    for name, switch in (*SWITCHES.items(), ("service_discovery", Switch(SERVICE_DISCOVERY, False))):
        if agent.on(name) and not answers_agent.on(name):
            how = "set in file" if agent.explicit(name) else "Operator default"
            out.append(f"spec.features.{switch.field} on ({how}; the answers cannot express it)")
    node, ours = agent.node, answers_agent.node
    base = "spec.override.nodeAgent"
    out += [f"{base}.{key} (set in file)" for key in _OVERRIDE_FIELDS if key in node]
    containers = section(node, "containers")
    for name, override in containers.items():
        if not isinstance(override, Mapping):
            continue
        out += [f"{base}.containers.{name}.{key} (set in file)" for key in _CONTAINER_FIELDS if override.get(key)]
        context = section(override, "securityContext")
        theirs = section(ours, f"containers.{name}.securityContext")
        out += [
            f"{base}.containers.{name}.securityContext.{key} (set in file)"
            for key in _CONTEXT_FIELDS
            if key in context and context.get(key) != theirs.get(key)
        ]
    pod, their_pod = agent.pod_context, section(ours, "securityContext")
    if "runAsUser" in pod and pod.get("runAsUser") != their_pod.get("runAsUser"):
        predicted = their_pod.get("runAsUser", 0)
        out.append(f"{base}.securityContext.runAsUser {pod.get('runAsUser')} (the prediction runs as {predicted})")
    for socket in ("criSocketPath", "dockerSocketPath"):
        mine, theirs_ = lookup(resource, f"spec.global.{socket}"), lookup(answers_resource, f"spec.global.{socket}")
        if mine and mine != theirs_:
            out.append(f"spec.global.{socket} {mine} (the prediction mounts {theirs_ or 'another socket'})")
    return list(dict.fromkeys(out))


def _report_section(name: str, fix: DatadogAgentFix, admission: tuple[str, ...]) -> str:
    from tui.core.operator.names import OPERATOR_FILE

    order = {APPLIED: 0, REFUSED: 1, MANUAL: 2}
    lines = [
        "## Changes to your DatadogAgent",
        "",
        f"`{OPERATOR_FILE}` is `{name}` with only these edits; every other field, comment and document is yours.",
        "",
    ]
    for outcome in sorted(fix.outcomes, key=lambda d: order.get(d.status, 3)):
        finding: Finding = outcome.finding
        lines.append(
            f"- `{finding.id}` `{finding.key}` ({finding.severity}): {finding.message}. **{outcome.summary()}**"
        )
    if not fix.outcomes:
        lines.append("- no finding above info: nothing changed")
    if fix.unpredicted:
        lines += [
            "",
            "The footprint above is predicted from the answers your resource amounts to; your resource also "
            "holds what that prediction does not:",
            "",
        ]
        lines += [f"- {line}" for line in fix.unpredicted]
        lines += ["", f"So this bundle has no {' or '.join(admission)}: {no_fence_reason()}."]
    return "\n".join(lines) + "\n"


def no_fence_reason() -> str:
    return (
        "a fence drawn from the prediction would refuse your DaemonSet, which holds more than it; "
        "audit the Operator's DaemonSet (kubectl get ds -o yaml) once it runs"
    )


def fixed_bundle(given: AuditInput, report: AuditReport) -> DatadogAgentFix:
    """The edited resource and every file of the Operator bundle that describes it."""
    from tui.core.operator.names import OPERATOR_FILE
    from tui.core.output.bundle import ADMISSION_FILES, ANSWERS, PRIVILEGES, REPORT, build_bundle
    from tui.core.output.operator import datadog_agent

    fix = edit_resource(given, report)
    answers, _ = infer_answers(fix.resource)
    fix.unpredicted = unpredicted(fix.resource, datadog_agent(answers))
    files = build_bundle(answers, target="operator")
    files[OPERATOR_FILE] = fix.text
    # answers.yaml promises that `generate --answers` writes the bundle again byte for byte; from the
    # user's own resource it cannot, so it is left out rather than wrong.
    files.pop(ANSWERS, None)
    if fix.unpredicted:
        _without_admission(files, answers)
    files[REPORT] = files[REPORT].rstrip("\n") + "\n\n" + _report_section(given.name, fix, ADMISSION_FILES)
    if fix.unpredicted:
        document = json.loads(files[PRIVILEGES])
        document["notPredicted"] = fix.unpredicted
        files[PRIVILEGES] = json.dumps(document, indent=2) + "\n"
    fix.files = files
    return fix


def _without_admission(files: dict[str, str], answers: Any) -> None:
    """The bundle without its admission files, and without the words and steps that apply them."""
    from tui.core.deployment import Deployment
    from tui.core.output.bundle import ADMISSION_FILES, PRIVILEGES, REPORT, admission_report
    from tui.core.output.next_steps import next_steps

    for name in ADMISSION_FILES:
        files.pop(name, None)
    steps = next_steps(answers, "operator")
    prepare, *rest = steps.steps
    kept = tuple(c for c in prepare.commands if not any(name in c for name in ADMISSION_FILES))
    title = prepare.title.replace("namespace (and its privilege fence)", "namespace")
    rest = [
        s._replace(title=s.title.replace(", the namespace's labels and the fence", " and the namespace's labels"))
        for s in rest
    ]
    fenceless = steps._replace(steps=(prepare._replace(title=title, commands=kept, note=""), *rest))
    absent = (
        "## Admission: no fence\n\n"
        f"This bundle has no {' or '.join(ADMISSION_FILES)}: {no_fence_reason()} (see the last section).\n"
    )
    report = files[REPORT]
    for old, new in (
        (admission_report(Deployment.of(answers), "operator"), absent),
        (steps.markdown(), fenceless.markdown()),
    ):
        assert old in report, "REPORT.md is not the bundle's own"
        report = report.replace(old, new)
    files[REPORT] = report
    document = json.loads(files[PRIVILEGES])
    admission = document.get("admission") or {}
    admission["fence"] = None
    admission["fenceAbsent"] = no_fence_reason()
    files[PRIVILEGES] = json.dumps(document, indent=2) + "\n"
