"""A ValidatingAdmissionPolicy evaluated with cel-python, the way the API server evaluates it.

Variables are computed in order and read as `variables.NAME` (one that fails to evaluate is left out,
so reading it fails, as in Kubernetes where it fails when read); a validation that is false denies with
its messageExpression; one that fails to evaluate denies too (failurePolicy: Fail).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import celpy
from celpy import celtypes, json_to_cel


@lru_cache(maxsize=512)
def _program(expression: str) -> Any:
    env = celpy.Environment()
    return env.program(env.compile(expression))


def evaluate(expression: str, activation: Mapping[str, Any]) -> Any:
    """The value, or the exception (a CEL evaluation error) as a value."""
    try:
        result = _program(expression).evaluate(dict(activation))
    except Exception as error:  # cel-python raises its evaluation errors
        return error
    return result


def _failed(value: Any) -> bool:
    return isinstance(value, Exception | celpy.CELEvalError)


def request_for(obj: Mapping[str, Any], operation: str = "CREATE") -> dict[str, Any]:
    group, _, version = str(obj.get("apiVersion", "v1")).rpartition("/")
    meta = obj.get("metadata") or {}
    return {
        "kind": {"group": group, "version": version, "kind": obj.get("kind")},
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "operation": operation,
    }


def denials(policy: Mapping[str, Any], obj: Mapping[str, Any], operation: str = "CREATE") -> list[str]:
    """The messages the policy denies `obj` with; empty when it is admitted."""
    activation: dict[str, Any] = {
        "object": json_to_cel(copy.deepcopy(dict(obj))),
        "oldObject": None,
        "request": json_to_cel(request_for(obj, operation)),
    }
    known: dict[str, Any] = {}
    spec = policy["spec"]
    for variable in spec.get("variables") or []:
        value = evaluate(variable["expression"], {**activation, "variables": celtypes.MapType(known)})
        if not _failed(value):
            known[celtypes.StringType(variable["name"])] = value
    activation["variables"] = celtypes.MapType(known)
    out = []
    for validation in spec["validations"]:
        verdict = evaluate(validation["expression"], activation)
        if _failed(verdict):
            out.append(f"error: {verdict}")
        elif verdict is not True and verdict != celtypes.BoolType(True):
            message = evaluate(validation.get("messageExpression", "''"), activation)
            out.append(str(validation.get("message")) if _failed(message) else str(message))
    return out
