"""The YAML round trip of `audit --fix`: edit a user's file with ruamel.yaml and keep the rest of its text.

The edits are made to a ruamel round-trip tree of the file, dumped, and carried back onto the
original text line by line, so every key, value, comment and style the edits do not touch stays byte
for byte. A value inside a wrapper (Flux, Argo CD, a k3s `valuesContent` string...) is edited where
it sits. What may be edited is decided elsewhere (fix_policy); whether the result says exactly what
was planned is checked elsewhere (fix_plan).
"""

from __future__ import annotations

import copy
import difflib
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.core.audit.findings import DELETE
from tui.core.audit.values_input import PathStep, ValuesSource, at

# --- edits on plain data and round-trip trees alike ----------------------------------------------


def plain(node: Any) -> Any:
    """A deep copy as builtin dicts and lists (ruamel's commented types compare and render the same)."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def apply_changes(tree: Any, changes: Iterable[tuple[str, Any]]) -> None:
    """Make the edits in place (a plain tree or a ruamel round-trip tree alike)."""
    for dotted, value in changes:
        if dotted:
            _apply(tree, dotted, value)


def _apply(tree: Any, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(child, Mapping):
            if value is DELETE:
                return
            child = _new_map(node)
            node[part] = child
        node = child
    if value is DELETE:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = copy.deepcopy(value)


def with_changes(tree: Mapping[str, Any], changes: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A new tree with the edits made; only the mappings along the edited paths are copied."""
    out = dict(tree)
    for dotted, value in changes:
        if not dotted:
            continue
        parts, node = dotted.split("."), out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, Mapping):
                if value is DELETE:
                    break
                child = {}
            node[part] = child = dict(child)
            node = child
        else:
            if value is DELETE:
                node.pop(parts[-1], None)
            else:
                node[parts[-1]] = copy.deepcopy(value)
    return out


def _new_map(parent: Any) -> Any:
    if type(parent) is dict:
        return {}
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap()


# --- the round-trip edit ---------------------------------------------------------------------------


def round_trip_yaml(text: str) -> Any:
    """The ruamel round-trip loader and dumper configured for this file's own style."""
    return _yaml(text)


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**_indentation(text))
    if text.lstrip().startswith("---"):
        yaml.explicit_start = True
    return yaml


def _indentation(text: str) -> dict[str, int]:
    """The file's own list style: dashes flush with the parent key, or indented under it."""
    previous_indent = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("- ") and previous_indent is not None:
            offset = max(indent - previous_indent, 0)
            return {"mapping": 2, "sequence": offset + 2, "offset": offset}
        previous_indent = indent if stripped.rstrip().endswith(":") else None
    return {"mapping": 2, "sequence": 2, "offset": 0}


def dump_documents(yaml: Any, documents: list[Any]) -> str:
    """`documents` written back by their round-trip loader `yaml` (one document, or a stream)."""
    out = io.StringIO()
    if len(documents) == 1:
        yaml.dump(documents[0], out)
    else:
        yaml.dump_all(documents, out)
    return out.getvalue()


def carried_over(original: str, normalised: str, edited: str) -> str:
    """The edits between two ruamel dumps (`normalised` -> `edited`), made on the original text.

    ruamel re-indents lists and re-flows some lines even where nothing changed; carrying only the
    changed lines over keeps the rest of the user's text exactly. Returns "" when a change falls on
    a line ruamel rewrote, so the caller can use the plain dump instead.
    """
    if original == normalised:
        return edited
    src, norm, new = original.splitlines(keepends=True), normalised.splitlines(keepends=True), edited.splitlines(True)
    mapping: dict[int, int] = {}  # normalised line -> original line, where identical
    for block in difflib.SequenceMatcher(None, norm, src).get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    out: list[str] = []
    position = 0  # next original line to copy
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, norm, new).get_opcodes():
        if tag == "equal":
            continue
        if any(i not in mapping for i in range(i1, i2)):
            return ""
        if i1 < i2:
            start, end = mapping[i1], mapping[i2 - 1] + 1
            if end - start != i2 - i1:
                return ""
        elif i1 in mapping:
            start = end = mapping[i1]
        elif i1 - 1 in mapping:
            start = end = mapping[i1 - 1] + 1
        else:
            return ""
        if start < position:
            return ""
        out += src[position:start]
        out += new[j1:j2]
        position = end
    out += src[position:]
    return "".join(out)


def _ensure(document: Any, path: Sequence[PathStep], embedded: bool) -> tuple[Any, PathStep]:
    """The container of the values and the key holding them, creating missing mappings on the way."""
    node = document
    for step in path[:-1]:
        child = node[step] if (isinstance(step, int) or step in node) else None
        if child is None:
            child = _new_map(node)
            node[step] = child
        node = child
    last = path[-1]
    if isinstance(last, str) and (last not in node or node[last] is None):
        node[last] = "" if embedded else _new_map(node)
    return node, last


def edit_text(
    text: str, source: ValuesSource, changes: Sequence[tuple[str, Any]], loaded: tuple[Any, list[Any]] | None = None
) -> list[tuple[str, str]]:
    """Candidates for (the whole file edited, the values alone edited), best first: the edits carried
    onto the original text, then ruamel's own dump of the edited tree. The caller keeps the first
    that reads back as planned. `loaded`: (round-trip loader, its documents) already read, which
    are edited in place."""
    if not changes:
        return [(text, text if not source.wrapped else values_alone(text, source))]
    if loaded is not None:
        yaml, documents = loaded
    else:
        yaml = _yaml(text)
        documents = list(yaml.load_all(text))
    normalised = dump_documents(yaml, documents)
    if not source.path:
        apply_changes(documents[source.document], changes)
        edited = dump_documents(yaml, documents)
        carried = carried_over(text, normalised, edited)
        return [(c, c) for c in dict.fromkeys((carried, edited)) if c]
    container, key = _ensure(documents[source.document], source.path, source.embedded)
    if not source.embedded:
        apply_changes(container[key], changes)
        edited = dump_documents(yaml, documents)
        inner = _dump_alone(container[key])
        return [(c, inner) for c in dict.fromkeys((carried_over(text, normalised, edited), edited)) if c]
    from ruamel.yaml.scalarstring import LiteralScalarString

    inner_text = str(container[key] or "")
    inner_yaml = _yaml(inner_text)
    tree = inner_yaml.load(inner_text) or _new_map(container)
    inner_normalised = dump_documents(inner_yaml, [tree])
    apply_changes(tree, changes)
    inner_edited = dump_documents(inner_yaml, [tree])
    out = []
    for inner in dict.fromkeys((carried_over(inner_text, inner_normalised, inner_edited), inner_edited)):
        if inner:
            # keep the block's chomping: `|-` (no final newline) stays `|-`
            container[key] = LiteralScalarString(inner if inner_text.endswith("\n") else inner.rstrip("\n"))
            edited = dump_documents(yaml, documents)
            out += [(c, inner) for c in dict.fromkeys((carried_over(text, normalised, edited), edited)) if c]
    return out


def _dump_alone(tree: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def values_alone(text: str, source: ValuesSource) -> str:
    yaml = _yaml(text)
    documents = list(yaml.load_all(text))
    node = at(documents[source.document], source.path)
    if source.embedded:
        return str(node or "")
    return _dump_alone(node) if node else "{}\n"
