"""The audit entry point: read a file, decide what it is, and audit it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.core.audit.detect import detect
from tui.core.audit.findings import AuditReport
from tui.core.dotted import section
from tui.core.errors import DdsecureError, InputFileError
from tui.core.yaml_input import parse_documents, read_text

_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_.\-/]+|\"[^\"]*\"|'[^']*'):(\s|$)")


def audit_text(text: str, name: str, *, render: bool = False, chart: Path | None = None) -> AuditReport:
    where = f"file {name}"
    documents = parse_documents(text, where)
    kind = detect(documents, where)
    try:
        if kind == "values":
            from tui.core.audit.values_audit import audit_values

            report = audit_values(documents[0], name)
            if render:
                from tui.core.audit.helm_render import render_and_compare
                from tui.core.chart_model import render_pod

                values = _modelled(documents[0])
                datadog = section(values, "datadog")
                needs_key = not (datadog.get("apiKey") or datadog.get("apiKeyExistingSecret"))
                report.render, extra = render_and_compare(Path(name), render_pod(values), chart, needs_key=needs_key)
                report.findings += extra
            return report
        if kind == "operator":
            from tui.core.audit.manifest_audit import operator_report

            return operator_report(documents, name)
        from tui.core.audit.manifest_audit import audit_manifests

        return audit_manifests(documents, name)
    except DdsecureError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as error:
        # The chart model reads typed values; a value of the wrong shape ends here, not in a traceback.
        raise InputFileError(f"{where}: a value has an unexpected type ({type(error).__name__}: {error})") from None


def _modelled(values: Mapping[str, Any]) -> Mapping[str, Any]:
    from tui.core.audit.values_audit import modelled_values

    return modelled_values(values)[0]


def audit_file(path: Path, *, render: bool = False, chart: Path | None = None) -> tuple[AuditReport, str]:
    text = read_text(Path(path))
    return audit_text(text, str(path), render=render, chart=chart), text


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
