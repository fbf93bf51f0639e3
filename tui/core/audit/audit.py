"""The audit entry point: read a file, decide what it is, and audit it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.audit.detect import detect, is_manifest
from tui.core.audit.findings import AuditReport
from tui.core.errors import DdsecureError, InputFileError
from tui.core.wrappers import FORMS, WRAPPERS, locate
from tui.core.wrappers.source import ValuesSource, at, unsupported_form
from tui.core.wrappers.umbrella import CONDITION, Dependency, at_dependency
from tui.core.wrappers.umbrella import FORM as UMBRELLA_FORM
from tui.core.yamlio.dotted import section
from tui.core.yamlio.helm import Duplicate, split_documents
from tui.core.yamlio.reader import read_text

if TYPE_CHECKING:
    from tui.core.deployment import ValuesDeployment

_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_.\-/]+|\"[^\"]*\"|'[^']*'):(\s|$)")


@dataclass(frozen=True)
class AuditInput:
    """A parsed input: what it is and, for values, where they sit in the file (plain or in a wrapper).

    Everything is read as helm (or, for a wrapper, kubectl and then helm) reads it: YAML 1.1 scalars,
    the last of two equal keys, merge keys; `--fix` edits the text and reads it back the same way."""

    text: str
    name: str
    documents: list[Any]
    kind: str  # "values", "manifests" or "operator"
    source: ValuesSource | None = None  # for values: where they are in the file
    values: Mapping[str, Any] | None = None  # for values: the values themselves
    duplicates: tuple[Duplicate, ...] = ()  # keys of the values written twice: helm keeps the last
    lines: Mapping[str, int] = field(default_factory=dict)  # dotted values key -> its line in the file
    chart: Mapping[str, str] | None = None  # the chart a wrapper installs: name, version, source


def read_input(
    text: str,
    name: str,
    *,
    round_trip: bool = False,
    only: int | None = None,
    dependency: Dependency | None = None,
    reading: Any = None,
) -> AuditInput:
    """The file as helm reads it. `round_trip` changes nothing: `--fix` reads the file as every audit does,
    then edits its text (tui.core.audit.fix_yaml reads with the round trip only what it edits).

    `only`: the one document whose wrapper to read (a file may hold one per cluster). `dependency`: the
    datadog chart as a dependency of the umbrella chart beside the file (its Chart.yaml), whose block of
    values is then read whatever its shape, with the version Chart.yaml asks for. `reading`: the text as
    `helm_documents` already read it (the repository audit reads each file once)."""
    from tui.core.yamlio.reader import helm_documents, helm_values

    where = f"file {name}"
    try:
        reading = reading or helm_documents(text, where)
    except InputFileError as error:
        better = unsupported_form(text, where)  # a program that writes YAML: say so, not "not valid YAML"
        if better is None:
            raise
        raise better from error
    documents = reading.documents
    candidates = documents if only is None else [d if n == only else None for n, d in enumerate(documents)]
    source = at_dependency(candidates, dependency) if dependency is not None else None
    source = source or locate(candidates, where)
    if source is None:
        _refuse_another_charts_release(candidates, where)
    # helm merges the documents of a values file: several mappings and no manifest are values
    several = len(documents) > 1 and all(isinstance(d, Mapping) and not is_manifest(d) for d in documents)
    try:
        kind = "values" if source is not None or several else detect(documents, where)
    except InputFileError as error:
        better = unsupported_form(text, where)  # Terraform can parse as one YAML string: say what it is
        if better is None:
            raise
        raise better from error
    if source is None:
        if kind != "values":
            return AuditInput(text, name, documents, kind)
        source = ValuesSource("values", 0, ())
        if len(split_documents(text, where)) > 1:  # helm merges the documents of a values file
            reading = helm_values(text, where)
            documents = reading.documents if documents else []
    values = source.values(documents, where) if documents else {}
    if not isinstance(values, Mapping) or any(not isinstance(k, str) for k in values):
        raise InputFileError(f"{where}: {source.description} is not a mapping of chart values")
    lines, duplicates = _values_lines(text, reading, source, where)
    chart = chart_of(documents[source.document], source) if source.wrapped else None
    if source.form == UMBRELLA_FORM.name and dependency is not None and dependency.version:
        where_version = f"dependencies[{dependency.position}].version"
        chart = {"name": "datadog/datadog", "version": dependency.version, "source": f"Chart.yaml {where_version}"}
    return AuditInput(text, name, documents, "values", source, values, duplicates, lines, chart)


DUPLICATE_KEY = "duplicate-key"


def without_ignored_blocks(given: AuditInput, chosen: Sequence[str]) -> AuditInput:
    """The input `--fix` may edit: a file with a key written twice is edited only when `--apply duplicate-key`
    asks for the blocks helm ignores to be removed (they are removed line by line, and the file must then
    read exactly as before); otherwise the fix is refused with the lines and what they held."""
    if not given.duplicates:
        return given
    first = given.duplicates[0]
    where = f"file {given.name}"
    span = f"lines {first.ignored[0]}-{first.ignored[1]}"
    if DUPLICATE_KEY not in chosen and not any(c.startswith(DUPLICATE_KEY + ":") for c in chosen):
        raise InputFileError(
            f"{where}: {'.'.join(first.path)} is written twice and helm ignores {span}; --fix edits such a file only "
            f"with --apply {DUPLICATE_KEY}, which removes the blocks helm ignores (see the duplicate-key findings)"
        )
    flow = [d for d in given.duplicates if d.flow]
    if flow:
        raise InputFileError(
            f"{where}: {'.'.join(flow[0].path)} is written twice inside a {{...}} mapping or a YAML string; "
            "remove the copy helm ignores by hand; nothing written"
        )
    dropped = {n for d in given.duplicates for n in range(d.ignored[0], d.ignored[1] + 1)}
    kept = [line for n, line in enumerate(given.text.splitlines(keepends=True), 1) if n not in dropped]
    pruned = read_input("".join(kept), given.name, round_trip=True)
    if pruned.values != given.values or pruned.duplicates:
        raise InputFileError(f"{where}: removing the blocks helm ignores would change what helm reads; nothing written")
    return pruned


def _values_lines(
    text: str, reading: Any, source: ValuesSource, where: str
) -> tuple[dict[str, int], tuple[Duplicate, ...]]:
    """Each values key's line in the file, and the keys written twice, with paths relative to the values.

    Values held in a YAML string (k3s valuesContent, Argo CD helm.values) are read again; a literal block
    (`|`) keeps its lines, so they are counted in the wrapper file; other styles point at the wrapper key."""
    prefix = tuple(str(step) for step in source.path)
    lines: dict[str, int] = {}
    duplicates: list[Duplicate] = []
    for (document, path), line in reading.lines.items():
        if document == source.document and path[: len(prefix)] == prefix and len(path) > len(prefix):
            lines[".".join(path[len(prefix) :])] = line
    for document, duplicate in reading.duplicates:
        if document == source.document and duplicate.path[: len(prefix)] == prefix:
            duplicates.append(replace(duplicate, path=duplicate.path[len(prefix) :]))
    if source.embedded:
        from tui.core.yamlio.reader import helm_values

        node = reading.documents[source.document] if reading.documents else None
        for step in source.path:
            node = node[step] if node is not None else None
        key_line = reading.lines.get((source.document, prefix), 1)
        literal = text.splitlines()[key_line - 1].rstrip().endswith(("|", "|-", "|+")) if key_line else False
        inner = helm_values(node, where) if isinstance(node, str) else None
        if inner is not None:
            shift = (lambda line: line + key_line) if literal else (lambda line: key_line)
            lines = {".".join(path): shift(line) for (_, path), line in inner.lines.items()}
            duplicates = [
                replace(
                    d,
                    ignored=(shift(d.ignored[0]), shift(d.ignored[1])),
                    kept=shift(d.kept),
                    flow=d.flow or not literal,
                )
                for _, d in inner.duplicates
            ]
    return lines, tuple(duplicates)


def chart_of(document: Any, source: ValuesSource) -> dict[str, str] | None:
    """The chart a wrapper installs, when it names a version: {"name", "version", "source"}."""
    form = FORMS[source.form]
    steps = form.version_path(source.path, document)
    version = at(document, steps) if steps is not None else None
    if steps is None or version is None or str(version).strip() in ("", "*"):
        return None
    where = ".".join(map(str, steps))
    return {"name": "datadog/datadog", "version": str(version).strip(), "source": f"{form.title} {where}"}


def audit_text(
    text: str, name: str, *, render: bool = False, chart: Path | str | None = None, version: str | None = None
) -> AuditReport:
    return audit_input(read_input(text, name), render=render, chart=chart, version=version)


def audit_input(
    given: AuditInput, *, render: bool = False, chart: Path | str | None = None, version: str | None = None
) -> AuditReport:
    where, name, documents = f"file {given.name}", given.name, given.documents
    try:
        if given.kind == "values" and given.values is not None:
            from tui.core.audit.values_audit import audit_deployment
            from tui.core.deployment import Deployment

            socket = FORMS[given.source.form].runtime_socket if given.source is not None else ""
            deployment = Deployment.of_values(given.values, runtime_socket=socket)
            report = audit_deployment(deployment, name, given.duplicates)
            if given.source is not None and given.source.form == UMBRELLA_FORM.name:
                # the umbrella's condition key is no mistake of the chart's values: its note says what it is
                report.findings = [f for f in report.findings if (f.id, f.key) != ("unknown-key", CONDITION)]
            if given.source is not None and given.source.unseen:
                _unseen(report, given.source)
            if given.source is not None and given.source.wrapped:
                report.answer_notes[:0] = [
                    f"values read from {given.source.description}; --fix edits them there and keeps the rest",
                    *given.source.notes,
                ]
            if given.chart is not None:
                _target_chart(report, given.chart)
            if render:
                _render(report, given, deployment, chart, version)
            return report
        if given.kind == "operator":
            from tui.core.audit.manifest_audit import operator_report

            return operator_report(documents, name)
        from tui.core.audit.manifest_audit import audit_manifests

        return audit_manifests(documents, name)
    except DdsecureError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as error:
        # The chart model reads typed values; a value of the wrong shape ends here, not in a traceback.
        raise InputFileError(f"{where}: a value has an unexpected type ({type(error).__name__}: {error})") from None


def _refuse_another_charts_release(documents: Sequence[Any], where: str) -> None:
    """Release objects only (Argo CD Application, Flux HelmRelease, Kustomization helmCharts, k3s HelmChart...),
    each installing another chart, datadog-operator say: say so, rather than "no DaemonSet"."""
    objects = [d for d in documents if isinstance(d, Mapping)]
    forms = [next((f for f in WRAPPERS if f.installs_chart and f.is_one(d, where)), None) for d in objects]
    first = forms[0] if forms else None
    if first is not None and None not in forms:
        raise InputFileError(
            f"{where}: the {first.label} installs another chart than datadog/datadog (the Datadog Operator, "
            "say); ddsecure audits the datadog chart's releases and values, their rendered manifests and DatadogAgents"
        )


def _unseen(report: AuditReport, source: ValuesSource) -> None:
    """Values the wrapper's controller merges in that are not read here: the ledger cannot see them."""
    report.unmodelled[:0] = [{"key": key, "why": why} for key, why in source.unseen]
    report.ledger = {**(report.ledger or {}), "partial": True}


def _target_chart(report: AuditReport, chart: Mapping[str, str]) -> None:
    """The chart the wrapper installs; another version than the model's makes the ledger partial."""
    from tui.core.chart.defaults import CHART_VERSION

    report.chart = dict(chart)
    version = chart["version"]
    if version.removeprefix("v") != CHART_VERSION:
        report.unmodelled.insert(
            0,
            {
                "key": chart["source"].rsplit(" ", 1)[-1],
                "why": f"the file installs chart {chart['name']} {version}, the model is of {CHART_VERSION}; for that "
                f"chart's truth run: {_command(report.path, chart['name'], version)}",
            },
        )
        report.ledger = {**(report.ledger or {}), "partial": True}


def _command(path: str, chart: str, version: str) -> str:
    """The render command to paste into a shell: a range such as `>=3.58.0` must not become a redirection."""
    import shlex

    words = ["ddsecure", "audit", path, "--render", "--chart", chart, "--version", version]
    return " ".join(shlex.quote(word) for word in words)


def _render(
    report: AuditReport,
    given: AuditInput,
    deployment: ValuesDeployment,
    chart: Path | str | None,
    version: str | None,
) -> None:
    """`helm template` of the values; a wrapper's values are handed to helm as a values file of their own."""
    from tui.core.audit.helm_render import render_into

    assert given.values is not None and given.source is not None
    values = deployment.modelled
    # the model predicts no Windows DaemonSet: helm's is reported as rendered, compared with nothing
    predicted = deployment.values_pod if deployment.chart.target_system() == "linux" else None
    datadog = section(values, "datadog")
    # a placeholder Secret name for a file without a key; not over a datadog: that is no map (helm's --set fails)
    written = given.values.get("datadog", {})
    needs_key = isinstance(written, Mapping) and not (datadog.get("apiKey") or datadog.get("apiKeyExistingSecret"))
    if not given.source.wrapped:
        render_into(report, Path(given.name), predicted, chart, version, needs_key=needs_key)
        return
    import json
    import os
    import tempfile

    handle, path = tempfile.mkstemp(suffix=".json", prefix="ddsecure-values-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(given.values, out, default=str)  # JSON is YAML: helm reads it as a values file
        render_into(report, Path(path), predicted, chart, version, needs_key=needs_key)
    finally:
        os.unlink(path)


def audit_file(
    path: Path, *, render: bool = False, chart: Path | str | None = None, version: str | None = None
) -> tuple[AuditReport, str]:
    text = read_text(Path(path))
    return audit_text(text, str(path), render=render, chart=chart, version=version), text


def key_lines(text: str, given: AuditInput | None = None) -> dict[str, int]:
    """Dotted key -> 1-based line of the key helm reads (the last of two equal keys).

    With a values input: its values keys (a wrapper's prefix left out), counted in the file given, the
    wrapper's own lines included. Otherwise every key of the file's first document."""
    if given is not None and given.lines:
        return dict(given.lines)
    from tui.core.yamlio.reader import helm_documents

    try:
        reading = helm_documents(text, "file")
    except DdsecureError:
        return _regex_key_lines(text)
    return {".".join(path): line for (document, path), line in reading.lines.items() if document == 0}


def _regex_key_lines(text: str) -> dict[str, int]:
    """Dotted key -> 1-based line, read off the text (block mappings; list items end a path), for text that
    is not YAML."""
    lines: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        match = _KEY_LINE.match(line)
        if not match or stripped.startswith("- "):
            continue
        key = match[2].strip("\"'")
        dotted = ".".join([*(k for _, k in stack), key])
        lines.setdefault(dotted, number)
        stack.append((indent, key))
    return lines
