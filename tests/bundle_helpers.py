"""Helpers for tests that read a written bundle back the way a user's tools would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tui.core.chart_model import render_pod
from tui.core.strategic_merge import apply_patch


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def dotted_keys(tree: Any, prefix: str = "") -> list[str]:
    """Every dotted key path down to leaves (lists and scalars are leaves)."""
    if not isinstance(tree, dict) or not tree:
        return [prefix] if prefix else []
    keys: list[str] = []
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        keys += dotted_keys(value, path) if isinstance(value, dict) and value else [path]
    return keys


def pod_from_files(files: dict[str, str]) -> dict[str, Any]:
    """The pod that the written values.yaml and daemonset-overrides.yaml produce, read from their text."""
    values = load_yaml(files["values.yaml"])
    patch = load_yaml(files["daemonset-overrides.yaml"])
    return apply_patch(render_pod(values), patch["spec"]["template"]["spec"])


def read_bundle(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(directory.iterdir()) if p.is_file()}


def privileges(files: dict[str, str]) -> dict[str, Any]:
    return json.loads(files["privileges.json"])
