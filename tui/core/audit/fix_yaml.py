"""The YAML round trip of `audit --fix`: edit a user's file with ruamel.yaml and keep the rest of its text.

The edits are made to a ruamel round-trip tree of the file, dumped, and carried back onto the
original text line by line, so every key, value, comment and style the edits do not touch stays byte
for byte. A value inside a wrapper (Flux, Argo CD, a k3s `valuesContent` string...) is edited where
it sits. What may be edited is decided elsewhere (fix_policy); whether the result says exactly what
was planned is checked elsewhere (fix_plan).
"""

from __future__ import annotations

import bisect
import copy
import difflib
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.core.audit.findings import DELETE
from tui.core.wrappers.source import PathStep, ValuesSource, at
from tui.core.yamlio.dotted import MISSING, is_map, lookup

# --- edits on plain data and round-trip trees alike ----------------------------------------------


def plain(node: Any) -> Any:
    """A deep copy as builtin dicts and lists (ruamel's commented types compare and render the same)."""
    if is_map(node):
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
        child = node.get(part) if is_map(node) else None
        if not is_map(child):
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
            if not is_map(child):
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


def _yaml(text: str, indentation: dict[str, int] | None = None) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**(indentation or _indentation(text)))
    if text.lstrip().startswith("---"):
        yaml.explicit_start = True
    return yaml


def _indentation(text: str) -> dict[str, int]:
    """The file's own style, from the first block under a key of each kind: how far a nested key is
    indented (2, 4...), and a list's dashes (flush with the parent key, or indented under it) and the
    items after them; ruamel writes its edits in that style, so they carry onto the user's lines."""
    found: dict[str, int] = {}
    parent = None  # the indent of a key that opens a block on the next line
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if parent is not None and (indent > parent or (indent == parent and stripped.startswith("- "))):
            if stripped.startswith("- ") and "offset" not in found:
                found["offset"] = indent - parent
                found["sequence"] = indent + 1 + len(stripped[1:]) - len(stripped[1:].lstrip()) - parent
            elif not stripped.startswith("-") and "mapping" not in found:
                found["mapping"] = indent - parent
        if len(found) == 3:
            break
        parent = indent if stripped.rstrip().endswith(":") and not stripped.startswith("- ") else None
    offset = found.get("offset", 0)
    return {"mapping": found.get("mapping", 2), "sequence": max(found.get("sequence", 2), offset + 2), "offset": offset}


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
    if original and not original.endswith("\n"):
        # a file without a final newline: lines added after its last line must not run on from it
        carried = carried_over(original + "\n", normalised, edited)
        return carried[:-1] if carried.endswith(original.rsplit("\n", 1)[-1] + "\n") else carried
    src, norm, new = original.splitlines(keepends=True), normalised.splitlines(keepends=True), edited.splitlines(True)
    mapping: dict[int, int] = {}  # normalised line -> original line, where identical
    for block in difflib.SequenceMatcher(None, norm, src).get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    mapped = sorted(mapping)

    def line_of(i: int) -> int | None:
        """The original line a normalised line stands for: its identical line, or, for a line ruamel rewrote
        (`True` as `true`), the line as many lines from identical ones on both sides (None: no such line)."""
        if i in mapping:
            return mapping[i]
        at = bisect.bisect_left(mapped, i)
        below = mapping[mapped[at - 1]] + (i - mapped[at - 1]) if at else i
        above = mapping[mapped[at]] - (mapped[at] - i) if at < len(mapped) else len(src) - (len(norm) - i)
        return below if below == above else None

    out: list[str] = []
    position = 0  # next original line to copy
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, norm, new).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            first, last = line_of(i1), line_of(i2 - 1)
            if first is None or last is None or last + 1 - first != i2 - i1:
                return ""
            start, end = first, last + 1
            # ruamel hangs the comments that lead in to the next key on the key before; deleting that key
            # must not take them with it
            column = len(src[end]) - len(src[end].lstrip()) if end < len(src) else 0
            end = _lead_in(src, end, column, start)
        else:
            at = line_of(i1)
            if at is None:
                before = line_of(i1 - 1)
                if before is None:
                    return ""
                at = before + 1
            # New lines go above the comments and blank lines that lead in to the line after them: ruamel
            # hangs those on the key before, and would put the keys it adds below them.
            column = len(src[at]) - len(src[at].lstrip()) if at < len(src) else 0
            start = end = _lead_in(src, at, column, position - 1)
        if start < position:
            return ""
        out += src[position:start]
        if j1 < j2 and i1 < i2:
            # a key replaced along with the one before it: the user's comments between them stay, above it
            written = {line.strip() for line in new[j1:j2]}
            out += [line for line in src[start:end] if line.lstrip().startswith("#") and line.strip() not in written]
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


def edit_text(text: str, source: ValuesSource, changes: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Candidates for (the whole file edited, the values alone edited), best first: the edits carried
    onto the original text, then ruamel's own dump of the edited tree. The caller keeps the first
    that reads back as planned."""
    if not changes:
        return [(text, text if not source.wrapped else values_alone(text, source))]
    yaml = _yaml(text)
    documents = list(yaml.load_all(_tabs_as_spaces(text)))
    if not source.path and all(document is None for document in documents):
        # an empty file, only comments or a null: the edits make the whole document, after the user's
        # comments (a null the document held is what the edits replace)
        tree = _new_map(None)  # a round-trip map, as ruamel dumps it
        apply_changes(tree, changes)
        kept = [line for line in text.splitlines() if not line.strip() or line.lstrip().startswith(("#", "---"))]
        edited = "".join(f"{line}\n" for line in kept) + dump_documents(yaml, [tree])
        return [(edited, edited)]
    normalised = dump_documents(yaml, documents)
    if not source.path:
        for dotted, value in changes:
            for index in _documents_for(documents, dotted, value):
                apply_changes(documents[index], [(dotted, value)])
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


def _tabs_as_spaces(text: str) -> str:
    """The text with the tabs that only separate (`enabled:<TAB>true`, trailing) made spaces: helm reads
    them, ruamel's round trip does not. The edits are carried back onto the lines as written, so an
    untouched line keeps its tabs; a line with quotes is left alone (a tab there may be the value's)."""
    if "\t" not in text:
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        if "\t" in body and not body.startswith("\t") and "'" not in body and '"' not in body:
            line = line[: len(line) - len(body)] + body.replace("\t", " ")
        lines.append(line)
    return "".join(lines)


def _documents_for(documents: Sequence[Any], dotted: str, value: Any) -> list[int]:
    """Which documents of a values file an edit goes in. helm merges them, a later one winning key by key:
    a key goes where the last document to set it has it (else into the last document), and a removal
    comes out of every document that sets the key."""
    maps = [n for n, document in enumerate(documents) if is_map(document)]
    holders = [n for n in maps if lookup(documents[n], dotted, MISSING) is not MISSING]
    if value is DELETE:
        return holders
    return [holders[-1] if holders else maps[-1]] if maps else []


def edit_in_blocks(text: str, changes: Sequence[tuple[str, Any]]) -> str:
    """The edits carried onto the text of a plain values file, reading and dumping only the blocks they
    fall in (a top-level key, or a key below one) with the round trip, not the whole file: the same
    lines as `edit_text`'s first candidate, at a fraction of the cost on a long file. "" when a block
    cannot be carried over this way (a new top-level key, an alias to outside the block ...)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode

    try:
        # Only where each key starts: libyaml's parser, when installed, finds that in a few milliseconds.
        root = YAML(typ="safe").compose(text)
    except Exception:  # not one document of YAML: the whole-file way says what is wrong
        return ""
    if not isinstance(root, MappingNode) or root.flow_style:
        return ""
    lines = text.splitlines(keepends=True)
    try:
        spans = {block: _span(root, block, lines) for block in _blocks(root, changes)}
    except KeyError:  # a new top-level key: no block holds it
        return ""
    indentation = _indentation(text)  # the whole file's list style, for every block
    out: list[str] = []
    position = 0
    for block, (head, start, end) in sorted(spans.items(), key=lambda item: item[1][1]):
        inside = [(dotted, value) for dotted, value in changes if tuple(dotted.split(".")[: len(block)]) == block]
        carried = _edit_block(indentation, lines[head] if head >= 0 else "", "".join(lines[start:end]), inside)
        if not carried or start < position:
            return ""
        out += [*lines[position:start], carried]
        position = end
    return "".join(out + lines[position:])


def _keys(node: Any) -> dict[str, Any]:
    """A block mapping node's keys (scalar, as text) -> (key node, value node)."""
    return {str(key.value): (key, value) for key, value in node.value if hasattr(key, "value")}


def _blocks(root: Any, changes: Sequence[tuple[str, Any]]) -> set[tuple[str, ...]]:
    """The smallest blocks holding every edit: (top key, key below it) where both exist and the edit
    stays inside, else (top key,). A new top-level key has no block: KeyError."""
    from ruamel.yaml.nodes import MappingNode

    top = _keys(root)
    wanted: set[tuple[str, ...]] = set()
    for dotted, value in changes:
        parts = dotted.split(".")
        child = top[parts[0]][1]  # KeyError: a new top-level key
        inside = len(parts) >= 3 or (len(parts) == 2 and value is not DELETE)  # deleting the key itself is not
        nested = isinstance(child, MappingNode) and not child.flow_style and parts[1] in _keys(child)
        wanted.add((parts[0], parts[1]) if inside and nested else (parts[0],))
    return {block for block in wanted if len(block) == 1 or (block[0],) not in wanted}


def _span(root: Any, block: tuple[str, ...], lines: list[str]) -> tuple[int, int, int]:
    """(the line of the parent key, or -1; the block's first line; the line after it): from its key to
    the next key at its level, or to its parent's next. The blank and comment lines just above that next
    key are its own (`# the admission controller` over `admissionController:`), so they stay outside the
    block and above that key when keys are added at the block's end."""

    def after(keys: dict[str, Any], key: str, end: int) -> int:
        names = list(keys)
        index = names.index(key)
        if index + 1 == len(names):
            return end
        following = keys[names[index + 1]][0].start_mark
        return _lead_in(lines, int(following.line), int(following.column), int(keys[key][0].start_mark.line))

    top = _keys(root)
    top_end = after(top, block[0], len(lines))
    top_line = int(top[block[0]][0].start_mark.line)
    if len(block) == 1:
        return -1, top_line, top_end
    children = _keys(top[block[0]][1])
    return top_line, int(children[block[1]][0].start_mark.line), after(children, block[1], top_end)


def _lead_in(lines: list[str], line: int, column: int, floor: int) -> int:
    """The first of the blank lines and comments at `column` or left of it right above `line` (a comment
    indented deeper belongs to the block above), not above `floor` + 1."""
    start = line
    while start - 1 > floor:
        text = lines[start - 1]
        stripped = text.lstrip()
        if stripped and not (stripped.startswith("#") and len(text) - len(stripped) <= column):
            break
        start -= 1
    return start


def _edit_block(indentation: dict[str, int], head: str, body: str, changes: Sequence[tuple[str, Any]]) -> str:
    """One block read with the round trip (below its parent's line `head`, when it has one), edited,
    and carried onto its own text; "" when it cannot be."""
    yaml = _yaml("", indentation)
    try:
        tree = yaml.load(head + body)
        normalised = dump_documents(yaml, [tree])
        apply_changes(tree, changes)
        edited = dump_documents(yaml, [tree])
    except Exception:  # an alias to an anchor outside the block, say
        return ""
    if head:
        first, _, normalised = normalised.partition("\n")
        again, _, edited = edited.partition("\n")
        if first != again or not edited:
            return ""
    return carried_over(body, normalised, edited)


def _dump_alone(tree: Any) -> str:
    yaml = _yaml("", {"mapping": 2, "sequence": 4, "offset": 2})
    return _comments_at_the_margin(dump_documents(yaml, [tree]))


def _comments_at_the_margin(text: str) -> str:
    """Comments ahead of the first key at column 0: the wrapper's comment on the line that held the values
    (`datadog:  # the subchart's values`) comes out first, still indented to where it stood in the wrapper."""
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines[n] = line.lstrip(" ")
    return "".join(lines)


def values_alone(text: str, source: ValuesSource) -> str:
    yaml = _yaml(text)
    documents = list(yaml.load_all(text))
    node = at(documents[source.document], source.path)
    if source.embedded:
        return str(node or "")
    return _dump_alone(node) if node else "{}\n"
