"""YAML read exactly as helm reads a values file (and kubectl a manifest).

Helm v4 splits a values file on `---` lines, reads each document with sigs.k8s.io/yaml over go-yaml v2
and deep-merges the documents. go-yaml v2 is YAML 1.1: `y`, `yes`, `on` (in three casings) are true,
`n`, `no`, `off` false, `~`/`null`/empty null; integers are read by Go's `strconv.ParseInt` after
every `_` is dropped (`0x1F`, `0o17`, `017` octal, `0b101`); base-60 numbers stay strings; a
timestamp stays its text. Merge keys (`<<`) are applied where they stand, so a key written before
them is overwritten by the merged map; a key written twice keeps its last value, whole. Keys that are
not strings become strings (`yes:` is the key "true"). Every number then goes through JSON's float64:
integers past 2**53 lose precision, and `.inf`/`.nan` make helm fail.

The events come from ruamel's parser (the same tokens go-yaml sees); this module only resolves them.
Each mapping key's line is recorded, and each key helm reads twice is a `Duplicate`: the block it
ignores, with its lines, so the audit can say what the file meant and helm dropped.
"""

from __future__ import annotations

import base64
import decimal
import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tui.core.errors import InputFileError

Path = tuple[str, ...]

_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))
_BINARY, _TIMESTAMP, _MERGE = "tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge"
_RESOLVABLE = {"", _STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP}

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_MAP_HINT = set("yYnNtTfFoO~.+-")  # first characters go-yaml looks up in its table of words
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")  # what Go's ParseFloat takes after a leading dot
_SEPARATOR = re.compile(r"^---(?P<rest>.*)$")
_TIMESTAMP_HEAD = re.compile(r"^[0-9]{4}-")


def _go_uint(text: str) -> int | None:
    """strconv.ParseUint(text, 0, 64): base from the prefix (0x, 0o, 0b, a leading 0 is octal)."""
    if not text:
        return None
    base = 10
    if text[0] == "0":
        prefix = text[1:2].lower()
        if len(text) >= 3 and prefix in ("b", "o", "x"):
            base, text = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
        else:
            base, text = 8, text[1:]
    allowed = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    if any(c.lower() not in allowed or not c.isascii() for c in text):
        return None
    value = int(text, base) if text else 0
    return value if value < 2**64 else None


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64): an optional sign, then as ParseUint, within int64."""
    sign, body = 1, text
    if body[:1] in ("+", "-"):
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    value = _go_uint(body)
    if value is None:
        return None
    value *= sign
    return value if -(2**63) <= value < 2**63 else None


def _go_float(text: str) -> float | None:
    value = float(text)
    return None if math.isinf(value) else value  # Go's ParseFloat fails with ErrRange on overflow


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar as go-yaml v2 resolves it."""
    first = text[:1]
    if (first == "" or first in _MAP_HINT) and text in _WORDS:
        return _WORDS[text]
    if first == ".":
        return _go_float(text) if _DOT_FLOAT.match(text) else text
    if (first.isdigit() and first.isascii()) or first in ("+", "-"):
        if _TIMESTAMP_HEAD.match(text):
            return text  # a timestamp (or not one) stays its text in an untyped value
        plain = text.replace("_", "")
        number = _go_int(plain)
        if number is None and not plain.startswith(("+", "-")):
            number = _go_uint(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.match(plain):
            value = _go_float(plain)
            if value is not None:
                return value
    return text


def _resolve(tag: str, text: str, where: str, line: int) -> Any:
    """A scalar with an explicit tag (`!!int "5"`): resolved, then checked against the tag."""
    if tag == _BINARY:
        try:
            return base64.b64decode(text.replace("\n", "").replace(" ", ""), validate=True).decode("utf-8", "replace")
        except ValueError:
            raise InputFileError(f"{where}: line {line}: !!binary value contains invalid base64 data") from None
    if tag not in _RESOLVABLE:
        return text  # a tag helm does not know: the value is its text
    if tag == _STR:
        return text
    value = resolve_plain(text)
    kind = _kind(value)
    if tag == _FLOAT and kind == "int":
        return float(value)
    expected = {_BOOL: "bool", _INT: "int", _FLOAT: "float", _NULL: "null", _TIMESTAMP: "str"}[tag]
    if kind != expected:
        raise InputFileError(f"{where}: line {line}: helm cannot decode {text!r} as {tag.rsplit(':', 1)[-1]}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _float32_text(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 32), as sigs.k8s.io/yaml turns a float key into a string."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    single = struct.unpack("f", struct.pack("f", value))[0]
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for digits in range(1, 10):
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent = text.split("e")
    exp = int(exponent)
    sign = "-" if mantissa.startswith("-") else ""
    figures = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if exp < -4 or exp >= 6:  # Go's shortest 'g' switches to an exponent from 1e+06
        head = figures[0] + ("." + figures[1:] if len(figures) > 1 else "")
        return f"{sign}{head}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp >= len(figures) - 1:
        return sign + figures + "0" * (exp - len(figures) + 1)
    if exp >= 0:
        return f"{sign}{figures[: exp + 1]}.{figures[exp + 1 :]}"
    return f"{sign}0.{'0' * (-exp - 1)}{figures}"


def key_text(key: Any, where: str, line: int) -> str:
    """A decoded key as the JSON object key sigs.k8s.io/yaml makes of it."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        if key >= 2**63:
            raise InputFileError(f"{where}: line {line}: helm cannot use {key} as a key (unsupported map key)")
        return str(key)
    if isinstance(key, float):
        return _float32_text(key)
    raise InputFileError(f"{where}: line {line}: helm cannot use a null key (unsupported map key)")


def json_number(value: Any, where: str, line: int) -> Any:
    """A number after helm's trip through JSON and float64; an integral float reads as an int, as Go prints it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InputFileError(f"{where}: line {line}: helm fails on {value} (JSON has no infinity or NaN)")
        return _printed(value) if value.is_integer() and abs(value) < 1e21 else value
    return value if abs(value) <= 2**53 else _printed(float(value))


def _printed(value: float) -> int:
    """An integral float64 as Go prints it: its shortest digits, then zeros (not its exact binary value)."""
    return int(decimal.Decimal(repr(value)))


# --- building the tree from the parser's events ---------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """A key written twice in one mapping: helm keeps the last value and ignores this block."""

    path: Path  # the key, from the document's root
    ignored: tuple[int, int]  # first and last line (1-based) of the block helm ignores
    kept: int  # the line of the occurrence helm keeps
    held: Any  # what the ignored block held
    flow: bool  # written inside a flow mapping ({...}): not removable line by line


@dataclass
class Reading:
    """Documents as helm reads them, the line of every key, and the blocks helm ignores."""

    documents: list[Any] = field(default_factory=list)
    lines: dict[tuple[int, Path], int] = field(default_factory=dict)  # (document, key path) -> line
    duplicates: list[tuple[int, Duplicate]] = field(default_factory=list)  # (document, duplicate)


class _Map:
    """A mapping being built: keys as go-yaml compares them (type and value), in order."""

    def __init__(self, start: int, flow: bool) -> None:
        self.items: dict[tuple[str, Any], tuple[Any, Any]] = {}  # go key -> (key, value)
        self.origin: dict[tuple[str, Any], tuple[int, int, int]] = {}  # go key -> (key line, end line, depth)
        self.start, self.flow = start, flow
        self.pending: Any = _NONE  # the key read, waiting for its value
        self.pending_line = 0


_NONE = object()


def _go_key(key: Any) -> tuple[str, Any]:
    kind = _kind(key)
    return (kind, id(key) if kind == "float" and math.isnan(key) else key)


class _Builder:
    def __init__(self, where: str, text_lines: list[str]) -> None:
        self.where = where
        self.text_lines = text_lines
        self.anchors: dict[str, Any] = {}
        self.last_end: Any = None  # where the last scalar, alias or flow collection ended
        self.building: set[str] = set()
        self.reading = Reading()

    def document(self, events: Iterator[Any], index: int) -> Any:
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentEndEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
        )

        stack: list[tuple[Any, str | None, list[str], bool]] = []  # (container, anchor, path, flow style)
        root: Any = _NONE
        self.anchors = {}
        self.building = set()

        def path_of() -> list[str]:
            return stack[-1][2] if stack else []

        def child_path() -> list[str]:
            if not stack:
                return []
            container = stack[-1][0]
            if isinstance(container, _Map) and container.pending is not _NONE:
                return [*stack[-1][2], _key_name(container.pending)]
            if isinstance(container, list):
                return [*stack[-1][2], str(len(container))]  # a list item: its index, as a wrapper's path names it
            return [*stack[-1][2], "?"]  # a collection used as a key: refused once it is complete

        def add(value: Any, start: int, end_mark: Any) -> None:
            nonlocal root
            if not stack:
                root = value
                return
            container = stack[-1][0]
            if isinstance(container, list):
                container.append(value)
                return
            if container.pending is _NONE:
                if isinstance(value, (_Map, list, dict)):
                    raise InputFileError(f"{self.where}: line {start}: helm cannot use a mapping or list as a key")
                container.pending, container.pending_line = value, start
                return
            key, container.pending = container.pending, _NONE
            if key == "<<" and container.pending_line < 0:
                self.merge(container, value, start)
                return
            self.set(container, key, value, container.pending_line, self.end_line(self.last_end), path_of())

        for event in events:
            if isinstance(event, DocumentEndEvent):
                break
            line = event.start_mark.line + 1
            if isinstance(event, ScalarEvent):
                tag = str(event.tag or "")
                plain = event.implicit[0] if event.implicit else False
                if plain and not tag:
                    value = resolve_plain(event.value)
                elif tag:
                    value = _resolve(tag, event.value, self.where, line)
                else:
                    value = event.value
                top = stack[-1][0] if stack else None
                if not (isinstance(top, _Map) and top.pending is _NONE):  # keys keep their type until named
                    value = self.finish_scalar(value, line)
                self.last_end = event.end_mark
                is_merge = (plain and not tag and event.value == "<<") or tag == _MERGE
                if isinstance(stack[-1][0] if stack else None, _Map) and stack[-1][0].pending is _NONE and is_merge:
                    stack[-1][0].pending, stack[-1][0].pending_line = "<<", -line
                    continue
                if event.anchor:
                    self.anchors[event.anchor] = value
                add(value, line, event.end_mark)
            elif isinstance(event, AliasEvent):
                if event.anchor in self.building:
                    raise InputFileError(f"{self.where}: line {line}: anchor {event.anchor!r} contains itself")
                if event.anchor not in self.anchors:
                    raise InputFileError(f"{self.where}: line {line}: unknown anchor {event.anchor!r}")
                self.last_end = event.end_mark
                add(self.anchors[event.anchor], line, event.end_mark)
            elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                if event.anchor:
                    self.building.add(event.anchor)
                flow = bool(getattr(event, "flow_style", False))
                container: _Map | list[Any] = _Map(line, flow) if isinstance(event, MappingStartEvent) else []
                stack.append((container, event.anchor, child_path(), flow))
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                container, anchor, path, flow = stack.pop()
                if flow:  # a block collection ends where its last item does
                    self.last_end = event.end_mark
                start = container.start if isinstance(container, _Map) else line
                value = self.finish_map(container, index, path) if isinstance(container, _Map) else container
                if anchor:
                    self.building.discard(anchor)
                    self.anchors[anchor] = value
                add(value, start, event.end_mark)
        return None if root is _NONE else root

    def finish_scalar(self, value: Any, line: int) -> Any:
        return value

    def end_line(self, mark: Any) -> int:
        """The last line (1-based) of a node that ends at `mark`, trailing blank and comment lines left out."""
        last = mark.line + 1 if mark.column > 0 else mark.line
        while last > 1 and last <= len(self.text_lines):
            stripped = self.text_lines[last - 1].strip()
            if stripped and not stripped.startswith("#"):
                break
            last -= 1
        return last

    def set(self, container: _Map, key: Any, value: Any, line: int, end: int, path: list[str]) -> None:
        go_key = _go_key(key)
        if go_key in container.items and go_key in container.origin:
            first, last, _ = container.origin[go_key]
            held = container.items[go_key][1]
            dup_path = (*path, _key_name(key))
            self.reading.duplicates.append(
                (-1, Duplicate(dup_path, (first, max(first, min(last, line - 1))), line, held, container.flow))
            )
        container.items.pop(go_key, None)  # the last occurrence also decides the key's place
        container.items[go_key] = (key, value)
        container.origin[go_key] = (line, end, 0)

    def merge(self, container: _Map, value: Any, line: int) -> None:
        """`<<`: a mapping, or a list of them applied last first, so that the first one wins."""
        sources = list(reversed(value)) if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise InputFileError(f"{self.where}: line {line}: map merge requires map or sequence of maps")
            for key, item in source.items():
                go_key = ("str", key)
                container.items.pop(go_key, None)
                container.items[go_key] = (key, item)
                container.origin.pop(go_key, None)

    def finish_map(self, container: _Map, index: int, path: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _, (key, value) in container.items.items():
            text = key if isinstance(key, str) else key_text(key, self.where, container.start)
            out.pop(text, None)
            out[text] = value
        for go_key, (line, _, _) in container.origin.items():
            self.reading.lines[(index, (*path, _key_name(container.items[go_key][0])))] = line
        return out


def _key_name(key: Any) -> str:
    if isinstance(key, str):
        return key
    try:
        return key_text(key, "", 0)
    except InputFileError:
        return str(key)


class _NumberBuilder(_Builder):
    def finish_scalar(self, value: Any, line: int) -> Any:
        return json_number(value, self.where, line)


def _events(text: str, pure: bool) -> Iterator[Any]:
    from ruamel.yaml import YAML

    return iter(YAML(typ="safe", pure=pure).parse(text))


def read_stream(text: str, where: str, *, pure: bool = False) -> Reading:
    """Every document of a YAML stream as kubectl/helm read each one (no merging).

    The events come from libyaml's parser when ruamel.yaml.clib is installed (go-yaml v2 is a port of
    libyaml; it reads a long file several times faster); what it refuses is read again with the pure
    parser, whose reading and message are the rule, as in `reader.parse_documents`."""
    if not pure and _has_libyaml():
        try:
            return _read_events(text, where, False)
        except InputFileError:
            raise
        except Exception:  # libyaml refused or failed: the pure parser decides, and says why
            pass
    return _read_events(text, where, True)


def _has_libyaml() -> bool:
    try:
        import _ruamel_yaml  # noqa: F401
    except ImportError:
        return False
    return True


def _read_events(text: str, where: str, pure: bool) -> Reading:
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import DocumentStartEvent, StreamEndEvent

    builder = _NumberBuilder(where, text.splitlines())
    index = 0
    try:
        events = _events(text, pure)
        for event in events:
            if isinstance(event, StreamEndEvent):
                break
            if isinstance(event, DocumentStartEvent):
                start = len(builder.reading.duplicates)
                builder.reading.documents.append(builder.document(events, index))
                builder.reading.duplicates[start:] = [(index, d) for _, d in builder.reading.duplicates[start:]]
                index += 1
    except YAMLError as error:
        if not pure:
            raise
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise InputFileError(f"{where}: not valid YAML{at}: {problem}") from None
    except RecursionError:
        raise InputFileError(f"{where}: nested more than Python can read; not a values file") from None
    except AssertionError as error:  # ruamel asserts on a %YAML version it does not read (1.0, 1.3)
        if not pure:
            raise
        problem = " ".join(str(error).split())
        raise InputFileError(f"{where}: not valid YAML: {problem}") from None
    return builder.reading


def split_documents(text: str, where: str) -> list[tuple[int, str]]:
    """Helm's document split (k8s.io/apimachinery's YAMLReader): on lines starting `---`, each chunk with
    its first line number. Anything but a comment after `---` on that line is an error, as in helm."""
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    first = 1
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        match = _SEPARATOR.match(line.rstrip("\r\n"))
        if match:
            rest = match["rest"].strip()
            if rest and not rest.startswith("#"):
                raise InputFileError(f"{where}: line {number}: helm reads only a comment after '---' on its line")
            if current:
                chunks.append((first, "".join(current)))
            current, first = [], number + 1
            continue
        current.append(line)
    if current:
        chunks.append((first, "".join(current)))
    return chunks


def merge_maps(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Helm's MergeMaps across documents: maps merge key by key, anything else (null too) replaces."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def read_values(text: str, where: str) -> Reading:
    """A values file as helm reads it: every `---` document read alone, then merged in order.

    The result has one document (the merged values); its lines are counted in `text`."""
    merged: dict[str, Any] = {}
    lines: dict[tuple[int, Path], int] = {}
    duplicates: list[tuple[int, Duplicate]] = []
    for first, chunk in split_documents(text, where):
        reading = read_stream(chunk, where)
        document = reading.documents[0] if reading.documents else None
        offset = first - 1
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InputFileError(
                f"{where}: line {first}: helm reads a values document only as a mapping, not {_kind_name(document)}"
            )
        merged = merge_maps(merged, document)
        lines.update({(0, path): line + offset for (n, path), line in reading.lines.items() if n == 0})
        for n, dup in reading.duplicates:
            if n == 0:
                shifted = (dup.ignored[0] + offset, dup.ignored[1] + offset)
                duplicates.append((0, Duplicate(dup.path, shifted, dup.kept + offset, dup.held, dup.flow)))
    return Reading([merged], lines, duplicates)


def _kind_name(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"the scalar {value!r}"
