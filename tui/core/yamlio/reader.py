"""Reading untrusted YAML safely: bounded in size, in alias expansion and in nesting.

Used for everything a user hands ddsecure: answers files and the files `ddsecure audit` reads.

Every failure raises `InputFileError` with one line naming the file; nothing here may hang or
print a traceback, whatever the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.core.errors import InputFileError

MAX_BYTES = 4_000_000
# Nodes reachable once aliases are expanded. A real values file or `helm template` output holds a
# few thousand; a "billion laughs" file needs billions.
MAX_EXPANDED_NODES = 500_000
MAX_DEPTH = 200


def read_text(path: Path, what: str = "file") -> str:
    path = Path(path)
    try:
        if path.is_dir():
            raise InputFileError(f"{what} {path}: is a directory")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputFileError(f"{what} {path}: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise InputFileError(f"{what} {path}: larger than {MAX_BYTES // 1_000_000} MB; refused")
    return decode(raw, f"{what} {path}")


def decode(raw: bytes, where: str) -> str:
    if b"\x00" in raw:
        raise InputFileError(f"{where}: binary data (NUL bytes), not YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(f"{where}: not UTF-8 text (bad byte at offset {error.start})") from None
    return text.removeprefix("\ufeff")


def parse_documents(text: str, where: str, yaml: Any = None) -> list[Any]:
    """Every YAML document of `text` (empty documents dropped), checked for alias bombs and depth.

    `yaml`: another configured ruamel loader (the round-trip one `audit --fix` edits with), so a file
    is read once; by default the safe loader."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    _check_flow_depth(text, where)
    if yaml is None:
        try:
            # libyaml's parser (ruamel.yaml.clib) reads a long file several times faster than the pure one
            return parse_documents(text, where, YAML(typ="safe"))
        except InputFileError:  # refused: read again with the pure parser, whose reading and message are the rule
            yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        documents = [doc for doc in yaml.load_all(text) if doc is not None]
    except YAMLError as error:
        raise InputFileError(f"{where}: not valid YAML{_at(error)}: {_problem(error)}") from None
    except RecursionError:
        raise InputFileError(f"{where}: nested more than Python can read; not a values file") from None
    except Exception as error:  # ruamel raises plain exceptions for some malformed input
        raise InputFileError(f"{where}: not valid YAML: {_first_line(error)}") from None
    for document in documents:
        _check_size(document, where)
    return documents


def helm_documents(text: str, where: str) -> Any:
    """Every document as kubectl and helm's controllers read it (YAML 1.1, last duplicate wins), empty ones
    dropped, checked like `parse_documents`; a `yamlio.helm.Reading` (documents, key lines, duplicates)."""
    from tui.core.yamlio.helm import read_stream

    _check_flow_depth(text, where)
    return _checked(_without_empty(read_stream(text, where)), where)


def helm_values(text: str, where: str) -> Any:
    """A values file as `helm -f` reads it: its `---` documents merged into one mapping (a `yamlio.helm.Reading`)."""
    from tui.core.yamlio.helm import read_values

    _check_flow_depth(text, where)
    return _checked(read_values(text, where), where)


def _without_empty(reading: Any) -> Any:
    """Drop empty documents, renumbering what refers to the others."""
    kept = [n for n, document in enumerate(reading.documents) if document is not None]
    index = {old: new for new, old in enumerate(kept)}
    reading.documents = [reading.documents[n] for n in kept]
    reading.lines = {(index[n], path): line for (n, path), line in reading.lines.items() if n in index}
    reading.duplicates = [(index[n], d) for n, d in reading.duplicates if n in index]
    return reading


def _checked(reading: Any, where: str) -> Any:
    for document in reading.documents:
        _check_size(document, where)
    return reading


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _check_flow_depth(text: str, where: str) -> None:
    """Refuse deeply nested flow collections before the parser recurses into them (it is slow to fail)."""
    depth = 0
    for char in _NOT_BRACKET.sub("", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            raise InputFileError(f"{where}: brackets nested deeper than {MAX_DEPTH} levels; not a values file")


def _check_size(document: Any, where: str) -> None:
    """Walk the document as a consumer would, counting nodes with aliases expanded; refuse cycles."""
    budget = MAX_EXPANDED_NODES
    stack: list[tuple[Any, int, tuple[int, ...]]] = [(document, 0, ())]
    while stack:
        node, depth, ancestors = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputFileError(
                f"{where}: aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?); refused"
            )
        if depth > MAX_DEPTH:
            raise InputFileError(f"{where}: nested deeper than {MAX_DEPTH} levels; not a values file")
        if isinstance(node, Mapping):
            children = list(node.keys()) + list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        if id(node) in ancestors:
            raise InputFileError(f"{where}: an alias refers to itself (a recursive structure); refused")
        inner = (*ancestors, id(node)) if len(ancestors) < MAX_DEPTH + 1 else ancestors
        for child in children:
            if isinstance(child, (Mapping, list)):
                stack.append((child, depth + 1, inner))
            else:
                budget -= 1


def _at(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _problem(error: Exception) -> str:
    problem = getattr(error, "problem", None) or getattr(error, "context", None)
    text = str(problem) if problem else _first_line(error)
    if "\\t" in text or "'\\t'" in text or "\t" in text:
        text += " (YAML does not allow tabs for indentation)"
    return " ".join(text.split())


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(error).__name__
