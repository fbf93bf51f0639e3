"""The line of each finding's key in the audited file, for SARIF regions and code-scanning annotations.

`audit.key_lines` reads dotted keys off plain YAML text. Here that text is narrowed first to the one
document audited (a file may hold many) and, for a wrapper, to the block holding the chart values (a
mapping under `spec.values`, a list item of a helmfile release, a YAML string under `valuesContent`),
so a key's line is the line in the user's file, whatever the wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tui.core.audit.audit import AuditInput, key_lines
from tui.core.audit.detect import agent_daemonsets, is_datadog_agent

_DOCUMENT_START = re.compile(r"^---(\s|$)")
_CONTENT = re.compile(r"^\s*(#.*)?$|^\.\.\.\s*$|^%")  # lines that are not part of a document's data


def document_spans(text: str) -> list[tuple[int, str]]:
    """(lines before it, its text) of each non-empty YAML document, split at `---` lines."""
    spans: list[tuple[int, str]] = []
    chunk: list[str] = []
    start = 0
    for number, line in enumerate([*text.splitlines(), "---"]):
        if not _DOCUMENT_START.match(line):
            chunk.append(line)
            continue
        if any(not _CONTENT.match(part) for part in chunk):
            spans.append((start, "\n".join(chunk) + "\n"))
        chunk, start = [], number + 1
    return spans


def line_finder(given: AuditInput) -> Callable[[str], int]:
    """key -> 1-based line: the key's own line, else its closest parent's, else where the audited
    document (or the wrapper's values) begins."""
    spans = document_spans(given.text)
    index = _audited_document(given)
    if len(spans) == len(given.documents) and index < len(spans):
        offset, text = spans[index]
    else:  # a document the splitter cannot see (`--- |` and the like): read the whole file
        offset, text = 0, given.text
    first = offset + next((n for n, line in enumerate(text.splitlines(), 1) if not _CONTENT.match(line)), 1)
    source = given.source
    region = _values_region(text, source.path, source.embedded) if source is not None and source.wrapped else None
    if region is not None:
        first = offset + region[0]
    if given.kind == "values" and given.lines:
        lines = dict(given.lines)  # the helm reader's, by values key, in the file's numbering: as one file's audit
    elif region is not None:
        start, block = region
        lines = {key: offset + start + line - 1 for key, line in key_lines(block).items()}
    else:
        lines = {key: offset + line for key, line in key_lines(text).items()}

    def line_of(key: str) -> int:
        if given.kind == "manifests":
            return _manifest_line(text, key, offset) or first
        parts = key.split(".")
        while parts:
            found = lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return first

    return line_of


# A manifest finding's key is "DaemonSet NAME: CHECK"; the pod-spec field each check reads.
_CHECK_FIELDS = {
    "hostNamespaces": ("hostPID", "hostNetwork", "hostIPC"),
    "hostPathVolumes": ("hostPath",),
    "restrictedVolumes": ("hostPath",),
    "capabilities_baseline": ("add",),
    "capabilities_restricted": ("capabilities",),
    "privileged": ("privileged",),
    "hostPorts": ("hostPort",),
    "seccompProfile_baseline": ("seccompProfile",),
    "seccompProfile_restricted": ("seccompProfile",),
    "system-probe": ("- name: system-probe",),
}


def _manifest_line(text: str, key: str, offset: int) -> int | None:
    """The first line of the DaemonSet that sets the field a check or privilege names."""
    check = key.rpartition(": ")[2]
    fields = _CHECK_FIELDS.get(check, (check,))
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if any(stripped.startswith(f if f.startswith("- ") else f"{f}:") for f in fields):
            return offset + number
        if any(stripped.startswith(f"- {f}:") for f in fields if not f.startswith("- ")):
            return offset + number
    return None


def _audited_document(given: AuditInput) -> int:
    if given.source is not None:
        return given.source.document
    for index, document in enumerate(given.documents):
        if given.kind == "manifests" and agent_daemonsets([document]):
            return index
        if given.kind == "operator" and is_datadog_agent(document):
            return index
    return 0


def _values_region(text: str, path: Sequence[Any], embedded: bool) -> tuple[int, str] | None:
    """(1-based line in `text` where the values block starts, the block dedented) for a wrapper."""
    from ruamel.yaml import YAML

    try:
        document = YAML(typ="rt", pure=True).load(text)
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        node = parent[path[-1]]
    except Exception:  # positions are a nicety: never let them fail an audit
        return None
    lines = text.splitlines()
    if embedded:
        position = getattr(parent, "lc", None)
        if not isinstance(parent, Mapping) or position is None:
            return None
        key_column = position.key(path[-1])[1]
        start = position.value(path[-1])[0] + 1  # a block scalar starts on the line after `|`
        block = []
        for line in lines[start:]:
            if line.strip() and len(line) - len(line.lstrip()) <= key_column:
                break
            block.append(line)
        return start + 1, _dedent(block)
    if not hasattr(node, "lc") or not node:
        return None
    start, column = node.lc.line, node.lc.col
    block = [" " * column + lines[start][column:]]
    for line in lines[start + 1 :]:
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) < column:
            break
        block.append(line)
    return start + 1, _dedent(block)


def _dedent(block: list[str]) -> str:
    indents = [len(line) - len(line.lstrip()) for line in block if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in block) + "\n"
