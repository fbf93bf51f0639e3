"""Helpers for tests that read a written bundle back the way a user's tools would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tui.core.answers.contract import Answers
from tui.core.chart.model import render_pod
from tui.core.output.bundle import KUSTOMIZATION, RENDERED, build_bundle
from tui.core.platforms.api_server import ANY_CLUSTER, Cluster
from tui.core.pod.strategic_merge import apply_patch


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


def pod_from_files(files: dict[str, str], cluster: Cluster = ANY_CLUSTER) -> dict[str, Any]:
    """The pod that the written values.yaml and daemonset-overrides.yaml produce, read from their text,
    on a cluster whose API server reports `cluster`; a values-only platform (GKE Autopilot) has no patch."""
    pod = render_pod(load_yaml(files["values.yaml"]), cluster)
    if "daemonset-overrides.yaml" not in files:
        return pod
    return apply_patch(pod, load_yaml(files["daemonset-overrides.yaml"])["spec"]["template"]["spec"])


def read_bundle(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(directory.iterdir()) if p.is_file()}


def privileges(files: dict[str, str]) -> dict[str, Any]:
    return json.loads(files["privileges.json"])


def helm_template(tools, release: str, namespace: str, values_file: Path, flags: tuple[str, ...] = ()) -> str:
    chart, helm, _ = tools
    result = subprocess.run(
        [helm, "template", release, str(chart), "-n", namespace, "-f", str(values_file), *flags],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def helm_refusal(tools, values_text: str, directory: Path) -> str:
    """helm's error for these values ("" when `helm template` renders them)."""
    chart, helm, _ = tools
    path = directory / "values.yaml"
    path.write_text(values_text)
    done = subprocess.run([helm, "template", "datadog", str(chart), "-f", str(path)], capture_output=True, text=True)
    if done.returncode == 0:
        return ""
    return done.stderr[-300:] or f"exit {done.returncode}"


def deploy_as_documented(tools, answers: Answers, directory: Path) -> tuple[dict[str, str], list[Any]]:
    """Write the bundle, run helm template and kubectl kustomize the way its file headers say.

    Returns the bundle's files and the documents that would be applied."""
    files = build_bundle(answers)
    for name, text in files.items():
        (directory / name).write_text(text)
    flags = answers.api_server.helm_flags()  # what the bundle's helm template carries
    rendered = helm_template(tools, answers.release_name, answers.namespace, directory / "values.yaml", flags)
    if KUSTOMIZATION in files:  # else a values-only platform (GKE Autopilot): helm's output is what runs
        (directory / RENDERED).write_text(rendered)
        result = subprocess.run([tools[2], "kustomize", str(directory)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        rendered = result.stdout
    return files, [d for d in YAML(typ="safe", pure=True).load_all(rendered) if d]
