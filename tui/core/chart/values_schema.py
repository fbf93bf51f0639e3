"""The chart's values.schema.json, checked as helm checks it before rendering anything.

helm validates the values (the chart's defaults with the user's merged in) against the schema and fails
on the first value of the wrong type: `datadog.appsec.injector.rbac.create: "false"` is refused, where the
template alone would read the string as on. The defaults of the keys the schema describes ship beside it,
and the check runs on the user's values merged over them, as helm's does.

The checker covers the draft-07 keywords the schema uses (scripts/gen_values_schema.py ships it without
its words); a keyword it does not know fails loudly in the tests, not silently here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "values_schema.json"
SECTION_FAILURES = DATA.with_name("section_failures.json")

# In the order to test them: a bool is an int to Python, not to JSON.
_JSON_TYPES = ((bool, "boolean"), (type(None), "null"), (str, "string"), (Mapping, "object"), (list, "array"))
# The keywords the checker follows (a test holds the shipped schema to them).
KEYWORDS = frozenset(
    (
        "type", "enum", "const", "properties", "additionalProperties", "items", "required", "minItems",
        "maxItems", "minProperties", "maxProperties", "anyOf", "oneOf", "allOf", "if", "then", "else", "$ref",
        "$defs",
    )
)  # fmt: skip


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = _data()["schema"]
    return schema


def json_type(value: Any) -> str:
    """The JSON type a value read from YAML has (any mapping is an object, any list an array)."""
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return "number"


def _is(value: Any, wanted: str) -> bool:
    found = json_type(value)
    return found == wanted or (wanted == "number" and found == "integer")


def problems(value: Any, schema: Mapping[str, Any], path: str = "") -> Iterator[str]:
    """Each way `value` breaks `schema`, as "path: what is wrong" (an empty path is the whole document)."""
    if "$ref" in schema:
        yield from problems(value, _resolve(schema["$ref"]), path)
    where = path or "the values"
    types = schema.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        if not any(_is(value, t) for t in wanted):
            yield f"{where} is {json_type(value)}, the chart's schema wants {' or '.join(wanted)}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where} is {value!r}, the chart's schema wants one of {', '.join(map(repr, schema['enum']))}"
    if "const" in schema and value != schema["const"]:
        yield f"{where} is {value!r}, the chart's schema wants {schema['const']!r}"
    if isinstance(value, dict):
        yield from _object(value, schema, path)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield f"{where} has {len(value)} items, the chart's schema wants at least {schema['minItems']}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield f"{where} has {len(value)} items, the chart's schema wants at most {schema['maxItems']}"
        if isinstance(schema.get("items"), Mapping):
            for index, item in enumerate(value):
                yield from problems(item, schema["items"], f"{path}[{index}]")
    yield from _combined(value, schema, path)


def _object(value: dict[str, Any], schema: Mapping[str, Any], path: str) -> Iterator[str]:
    where = path or "the values"
    properties = schema.get("properties") or {}
    for key in schema.get("required") or []:
        if key not in value:
            yield f"{where} has no {key}, which the chart's schema requires"
    if len(value) < schema.get("minProperties", 0):
        yield f"{where} has {len(value)} keys, the chart's schema wants at least {schema['minProperties']}"
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        yield f"{where} has {len(value)} keys, the chart's schema wants at most {schema['maxProperties']}"
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        inner = f"{path}.{key}" if path else key
        if key in properties:
            yield from problems(item, properties[key], inner)
        elif extra is False:
            yield f"{inner} is not a key the chart's schema allows there"
        elif isinstance(extra, Mapping):
            yield from problems(item, extra, inner)


def _combined(value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    where = path or "the values"
    for part in schema.get("allOf") or []:
        yield from problems(value, part, path)
    if "anyOf" in schema and not any(_valid(value, part) for part in schema["anyOf"]):
        yield f"{where} matches none of the forms the chart's schema allows"
    if "oneOf" in schema and sum(_valid(value, part) for part in schema["oneOf"]) != 1:
        yield f"{where} does not match exactly one of the forms the chart's schema allows"
    if "if" in schema:
        branch = "then" if _valid(value, schema["if"]) else "else"
        if branch in schema:
            yield from problems(value, schema[branch], path)


def _valid(value: Any, schema: Mapping[str, Any]) -> bool:
    return next(problems(value, schema), None) is None


def _resolve(reference: str) -> Mapping[str, Any]:
    node: Any = _schema()
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _without_nulls(value: Any) -> Any:
    """A null in a mapping deletes the key (and the default under it), as helm's merge does."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


@cache
def _section_failures() -> dict[str, frozenset[str]]:
    data = json.loads(SECTION_FAILURES.read_text(encoding="utf-8"))
    return {form: frozenset(data[form]) for form in ("null", "empty", "scalar")}


def section_refusal(values: Mapping[str, Any]) -> str:
    """A section of the chart set to null (which deletes the defaults below it) or to a scalar, where a
    template then reads a key below it: helm fails. Which sections do was measured with real helm and the
    chart's other defaults (scripts/gen_section_failures.py), so the message says so."""
    failures = _section_failures()
    stack: list[tuple[str, Any]] = [(str(key), value) for key, value in values.items()]
    while stack:
        dotted, value = stack.pop(0)
        if isinstance(value, dict):
            stack[:0] = [(f"{dotted}.{key}", item) for key, item in value.items()]
            continue
        if isinstance(value, list):
            continue  # not measured
        # a falsy scalar ("", 0, false) passes where the templates test the section with `if` first
        form = "null" if value is None else "scalar" if value else "empty"
        if dotted in failures[form]:
            shown = "null" if value is None else f"the {json_type(value)} {value!r}"
            return (
                f"{dotted} is {shown} where the chart's templates read keys below it: helm fails (measured "
                "with the chart's other defaults); remove the line or give the section the chart's structure"
            )
    return ""


def schema_refusal(values: Mapping[str, Any]) -> str:
    """Why helm refuses these values before rendering ("" when the chart's schema accepts them). helm checks
    the values merged over the chart's defaults: an `if` on a default (`enabledNamespaces: []`) decides
    what else the schema asks."""
    from tui.core.chart.model import coalesce

    merged = coalesce(_data()["defaults"], values)
    found = next(problems(_without_nulls(merged), _schema()), None)
    return f"{found}; helm refuses the values before rendering" if found else ""
