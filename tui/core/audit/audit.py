"""The audit entry point: read a file, decide what it is, and audit it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.audit.detect import detect
from tui.core.audit.findings import AuditReport
from tui.core.audit.values_input import ValuesSource, locate, unsupported_form
from tui.core.errors import DdsecureError, InputFileError
from tui.core.yamlio.dotted import section
from tui.core.yamlio.reader import parse_documents, read_text

_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_.\-/]+|\"[^\"]*\"|'[^']*'):(\s|$)")


@dataclass(frozen=True)
class AuditInput:
    """A parsed input: what it is and, for values, where they sit in the file (plain or in a wrapper)."""

    text: str
    name: str
    documents: list[Any]
    kind: str  # "values", "manifests" or "operator"
    source: ValuesSource | None = None  # for values: where they are in the file
    values: Mapping[str, Any] | None = None  # for values: the values themselves
    loader: Any = None  # the round-trip loader that read `documents`, when asked for one


def read_input(text: str, name: str, *, round_trip: bool = False) -> AuditInput:
    """`round_trip`: read with ruamel's round-trip loader (comments kept), for `--fix` to edit the same tree."""
    where = f"file {name}"
    loader = None
    if round_trip and "{{" not in text:  # the round-trip loader takes `{{ x }}` as a key; the safe one refuses it
        from tui.core.audit.fix import round_trip_yaml

        loader = round_trip_yaml(text)
    try:
        documents = parse_documents(text, where, loader)
    except InputFileError as error:
        better = unsupported_form(text, where)  # a program that writes YAML: say so, not "not valid YAML"
        if better is None:
            raise
        raise better from error
    source = locate(documents, where)
    if source is None:
        kind = detect(documents, where)
        if kind != "values":
            return AuditInput(text, name, documents, kind, loader=loader)
        source = ValuesSource("values", 0, ())
    values = source.values(documents, where)
    if not isinstance(values, Mapping) or any(not isinstance(k, str) for k in values):
        raise InputFileError(f"{where}: {source.description} is not a mapping of chart values")
    return AuditInput(text, name, documents, "values", source, values, loader)


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
            from tui.core.audit.values_audit import audit_values

            report = audit_values(given.values, name)
            if given.source is not None and given.source.wrapped:
                report.answer_notes[:0] = [
                    f"values read from {given.source.description}; --fix edits them there and keeps the rest",
                    *given.source.notes,
                ]
            if render:
                _render(report, given, chart, version)
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


def _render(report: AuditReport, given: AuditInput, chart: Path | str | None, version: str | None) -> None:
    """`helm template` of the values; a wrapper's values are handed to helm as a values file of their own."""
    from tui.core.audit.helm_render import render_into
    from tui.core.chart.model import render_pod

    assert given.values is not None and given.source is not None
    values = _modelled(given.values)
    datadog = section(values, "datadog")
    needs_key = not (datadog.get("apiKey") or datadog.get("apiKeyExistingSecret"))
    if not given.source.wrapped:
        render_into(report, Path(given.name), render_pod(values), chart, version, needs_key=needs_key)
        return
    import json
    import os
    import tempfile

    handle, path = tempfile.mkstemp(suffix=".json", prefix="ddsecure-values-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(given.values, out, default=str)  # JSON is YAML: helm reads it as a values file
        render_into(report, Path(path), render_pod(values), chart, version, needs_key=needs_key)
    finally:
        os.unlink(path)


def _modelled(values: Mapping[str, Any]) -> Mapping[str, Any]:
    from tui.core.audit.values_audit import modelled_values

    return modelled_values(values)[0]


def audit_file(
    path: Path, *, render: bool = False, chart: Path | str | None = None, version: str | None = None
) -> tuple[AuditReport, str]:
    text = read_text(Path(path))
    return audit_text(text, str(path), render=render, chart=chart, version=version), text


def key_lines(text: str) -> dict[str, int]:
    """Dotted key -> 1-based line, read off the text (block mappings; list items end a path)."""
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
