"""The strict OpenAPI schema of a PodSpec, per Kubernetes version: an unknown or mistyped field is an error.

The data (`data/pod_schemas.gz`, ~13 kB) is extracted by `scripts/extract_pod_schemas.py` from the
`kubernetes-validate` package, which the tests use in full on every rendered object. Only the keywords
those schemas use are read: `$ref`, `type`, `properties`, `additionalProperties`, `items`, `required`,
`oneOf` (int-or-string) and `enum`. A version older than the oldest shipped is checked against it.
Each part (a version's table, a definition) is parsed when a check first reaches it: a pod reaches
one table and a dozen of the 179 definitions, and parsing them all was 3% of a preset run.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list,),
}


class _Parts:
    """The shipped file's parts (`KEY<TAB>JSON` lines), each parsed the first time it is asked for."""

    def __init__(self, text: str):
        self._raw = dict(line.split("\t", 1) for line in text.splitlines())
        self._parsed: dict[str, Any] = {}
        self.root: str = self["header"]["root"]
        self.minors = sorted(int(key.split(":")[1]) for key in self._raw if key.startswith("version:"))

    def __getitem__(self, key: str) -> Any:
        if key not in self._parsed:
            self._parsed[key] = json.loads(self._raw[key])
        return self._parsed[key]


@lru_cache(maxsize=1)
def _data() -> _Parts:
    # A path beside this module rather than importlib.resources, and zlib rather than the gzip module:
    # every generate pays for each import.
    raw = (Path(__file__).parent.parent / "data" / "pod_schemas.gz").read_bytes()
    return _Parts(zlib.decompress(raw, wbits=16 + zlib.MAX_WBITS).decode())


def schema_problems(pod: Any, kubernetes_minor: int, limit: int = 5) -> list[str]:
    """Up to `limit` reasons the API server of 1.MINOR would reject this pod spec's fields."""
    data = _data()
    minors = data.minors
    minor = max([m for m in minors if m <= kubernetes_minor] or minors[:1])
    checker = _Checker(data[f"version:{minor}"], data, limit)
    checker.check(pod, {"$ref": "#/$defs/" + data.root}, "spec")
    return checker.problems


class _Checker:
    def __init__(self, table: Mapping[str, str], parts: _Parts, limit: int):
        self.table, self.parts, self.limit = table, parts, limit
        self.problems: list[str] = []

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self.parts["definition:" + self.table[schema["$ref"].rsplit("/", 1)[1]]]
        return schema

    def fits(self, node: Any, schema: Mapping[str, Any]) -> bool:
        trial = _Checker(self.table, self.parts, 1)
        trial.check(node, schema, "")
        return not trial.problems

    def check(self, node: Any, schema: Mapping[str, Any], path: str) -> None:
        if len(self.problems) >= self.limit:
            return
        schema = self.resolve(schema)
        if "oneOf" in schema and not any(self.fits(node, option) for option in schema["oneOf"]):
            self.problems.append(f"{path}: {node!r} has none of the accepted forms")
            return
        types = schema.get("type")
        if types is not None:
            allowed = [types] if isinstance(types, str) else list(types)
            if node is None:
                if "null" not in allowed:
                    self.problems.append(f"{path}: null is not allowed")
                return
            if not any(_is(node, t) for t in allowed if t != "null"):
                shown = " or ".join(t for t in allowed if t != "null")
                self.problems.append(f"{path}: {node!r} is not of type {shown}")
                return
        if "enum" in schema and node not in schema["enum"]:
            self.problems.append(f"{path}: {node!r} is not one of {', '.join(map(str, schema['enum']))}")
        if isinstance(node, Mapping):
            self._object(node, schema, path)
        elif isinstance(node, list) and "items" in schema:
            for n, item in enumerate(node):
                self.check(item, schema["items"], f"{path}[{n}]")

    def _object(self, node: Mapping[str, Any], schema: Mapping[str, Any], path: str) -> None:
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, value in node.items():
            if key in properties:
                self.check(value, properties[key], f"{path}.{key}")
            elif isinstance(extra, Mapping):
                self.check(value, extra, f"{path}.{key}")
            elif extra is False:
                self.problems.append(f"{path}.{key}: unknown field")
        for key in schema.get("required") or ():
            if key not in node:
                self.problems.append(f"{path}.{key}: required")


def _is(node: Any, type_name: str) -> bool:
    if isinstance(node, bool):
        return type_name == "boolean"
    return isinstance(node, _TYPES.get(type_name, (object,)))
