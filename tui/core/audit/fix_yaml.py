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


def edit_in_blocks(text: str, document: Any, yaml: Any, changes: Sequence[tuple[str, Any]]) -> tuple[str, bool]:
    """The edits carried onto the text of a plain values file (one document) by dumping only the blocks
    they fall in (a top-level key, or a key below one), not the whole file twice: the same lines as
    `edit_text`'s first candidate, at a fraction of the cost on a long file. `document`, read by
    `yaml` from `text`, is edited in place. Returns (the edited text, or "" when a block cannot be
    carried over this way; whether `document` was edited)."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(document, CommentedMap) or document.fa.flow_style():
        return "", False
    try:
        spans = {block: _span(document, block, text.count("\n") + 1) for block in _blocks(document, changes)}
    except (KeyError, TypeError, ValueError, AttributeError):  # a key without a line (merged, say)
        return "", False
    block_yaml = _yaml(text)
    block_yaml.explicit_start = False
    before = {block: _dump_block(block_yaml, document, block) for block in spans}
    apply_changes(document, changes)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for block, (start, end) in sorted(spans.items(), key=lambda item: item[1]):
        normalised, edited = before[block], _dump_block(block_yaml, document, block)
        carried = carried_over("".join(lines[start:end]), normalised, edited) if normalised and edited else ""
        if not carried or start < position:
            return "", True
        out += [*lines[position:start], carried]
        position = end
    return "".join(out + lines[position:]), True


def _blocks(document: Any, changes: Sequence[tuple[str, Any]]) -> set[tuple[str, ...]]:
    """The smallest blocks holding every edit: (top key, key below it) where both exist and the edit
    stays inside, else (top key,). A new top-level key has no block: KeyError."""
    from ruamel.yaml.comments import CommentedMap

    wanted: set[tuple[str, ...]] = set()
    for dotted, value in changes:
        parts = dotted.split(".")
        if parts[0] not in document:
            raise KeyError(parts[0])
        child = document[parts[0]]
        inside = len(parts) >= 3 or (len(parts) == 2 and value is not DELETE)  # deleting the key itself is not
        nested = isinstance(child, CommentedMap) and not child.fa.flow_style()
        wanted.add((parts[0], parts[1]) if inside and nested and parts[1] in child else (parts[0],))
    return {block for block in wanted if len(block) == 1 or (block[0],) not in wanted}


def _span(document: Any, block: tuple[str, ...], total: int) -> tuple[int, int]:
    """The lines of a block in the file: from its key to the next key at its level (or its parent's next)."""

    def after(node: Any, key: str, end: int) -> int:
        keys = list(node)
        index = keys.index(key)
        return int(node.lc.key(keys[index + 1])[0]) if index + 1 < len(keys) else end

    top_end = after(document, block[0], total)
    if len(block) == 1:
        return int(document.lc.key(block[0])[0]), top_end
    child = document[block[0]]
    return int(child.lc.key(block[1])[0]), after(child, block[1], top_end)


def _dump_block(yaml: Any, document: Any, block: tuple[str, ...]) -> str:
    """One block dumped as the whole file's dump has it (its own comments kept), or "" when it cannot be."""
    from ruamel.yaml.comments import CommentedMap

    def holding(node: Any, key: str, value: Any) -> Any:
        out = CommentedMap()
        out[key] = value
        if key in node.ca.items:
            out.ca.items[key] = node.ca.items[key]
        return out

    if len(block) == 1:
        return dump_documents(yaml, [holding(document, block[0], document[block[0]])])
    parent = document[block[0]]
    if block[1] not in parent:  # the edit removed or moved it: the block is gone
        return ""
    inner = holding(parent, block[1], parent[block[1]])
    head, _, body = dump_documents(yaml, [CommentedMap([(block[0], inner)])]).partition("\n")
    return body if head == f"{block[0]}:" else ""


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
