"""Which kind of input a parsed YAML stream is: chart values, rendered manifests, or Operator input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.errors import InputFileError
from tui.core.output.operator import KIND


def is_manifest(document: Any) -> bool:
    return isinstance(document, Mapping) and "kind" in document and "apiVersion" in document


def detect(documents: Sequence[Any], where: str) -> str:
    """ "values", "manifests" or "operator"; anything else is refused with one line."""
    if not documents:
        raise InputFileError(f"{where}: empty; expected a values file or Kubernetes manifests")
    if any(is_manifest(d) for d in documents):
        if any(isinstance(d, Mapping) and d.get("kind") == KIND for d in documents) and not any(
            isinstance(d, Mapping) and d.get("kind") == "DaemonSet" for d in documents
        ):
            return "operator"
        return "manifests"
    if len(documents) > 1:
        raise InputFileError(
            f"{where}: {len(documents)} YAML documents but no Kubernetes manifest; a values file has one"
        )
    document = documents[0]
    if not isinstance(document, Mapping):
        raise InputFileError(f"{where}: expected a mapping of chart values, got {_name(document)}")
    bad = [k for k in document if not isinstance(k, str)]
    if bad:
        raise InputFileError(f"{where}: top-level key {bad[0]!r} is not a string; not a values file")
    return "values"


def _name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
