"""`--render`: run the real `helm template` on a values file and compare with the chart model."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.core.audit.findings import Finding
from tui.core.audit.manifest_audit import node_agent_pod, pod_security_findings, pod_security_results
from tui.core.errors import InputFileError
from tui.core.privileges import Ledger, ledger_of_pod
from tui.core.yaml_input import parse_documents

FALLBACK_HELM = Path("/work/tools/bin/helm")
TIMEOUT_SECONDS = 60


def find_helm() -> str | None:
    found = shutil.which("helm")
    if found:
        return found
    return str(FALLBACK_HELM) if FALLBACK_HELM.is_file() and os.access(FALLBACK_HELM, os.X_OK) else None


def chart_dir(given: Path | None) -> Path | None:
    if given:
        return Path(given)
    env = os.environ.get("DDSECURE_CHART_DIR")
    return Path(env) if env else None


def helm_template(values_file: Path, chart: Path, helm: str, *, needs_key: bool = False) -> str:
    """`helm template dd CHART -f FILE`. The chart renders no DaemonSet without an API key, so a file
    without one gets a placeholder Secret name (it changes no privilege)."""
    command = [helm, "template", "dd", str(chart), "-f", str(values_file)]
    if needs_key:
        command += ["--set", "datadog.apiKeyExistingSecret=ddsecure-audit-placeholder"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputFileError(f"helm template failed: {error}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip() and "level=WARN" not in line]
        raise InputFileError(f"helm template failed: {' '.join(lines[:3])[:400] or 'exit ' + str(done.returncode)}")
    return done.stdout


def compare(predicted: Ledger, rendered: Ledger) -> list[str]:
    """Where the chart model and the real render disagree, one line each (empty: they agree)."""
    out: list[str] = []
    for name in ("host_pid", "host_network", "host_ports", "run_as_user", "run_as_non_root", "containers"):
        a, b = getattr(predicted, name), getattr(rendered, name)
        if (sorted(a) if name == "containers" else a) != (sorted(b) if name == "containers" else b):
            out.append(f"{name}: inferred {a!r}, rendered {b!r}")
    paths_a = {(g.path, g.mode) for g in predicted.host_paths}
    paths_b = {(g.path, g.mode) for g in rendered.host_paths}
    out += [f"hostPath {p} {m}: inferred only" for p, m in sorted(paths_a - paths_b)]
    out += [f"hostPath {p} {m}: rendered only" for p, m in sorted(paths_b - paths_a)]
    caps_a = {k: sorted(v) for k, v in predicted.capabilities.items()}
    caps_b = {k: sorted(v) for k, v in rendered.capabilities.items()}
    if caps_a != caps_b:
        out.append(f"capabilities: inferred {caps_a}, rendered {caps_b}")
    return out


def render_and_compare(
    values_file: Path, predicted_pod: Mapping[str, Any], chart: Path | None, *, needs_key: bool = False
) -> tuple[dict[str, Any], list[Finding]]:
    helm = find_helm()
    directory = chart_dir(chart)
    if helm is None:
        raise InputFileError("--render needs helm on PATH")
    if directory is None or not (directory / "Chart.yaml").is_file():
        raise InputFileError("--render needs the datadog chart: pass --chart DIR or set DDSECURE_CHART_DIR")
    text = helm_template(values_file, directory, helm, needs_key=needs_key)
    documents = parse_documents(text, "helm template output")
    pod, annotations, name = node_agent_pod(documents, "helm template output")
    rendered = ledger_of_pod(pod)
    differences = compare(ledger_of_pod(predicted_pod), rendered)
    results = pod_security_results(pod, annotations)
    # The values findings already name each privilege with its fix; these only repeat them as PSS checks.
    findings = pod_security_findings(results, f"rendered DaemonSet {name}", severity="info")
    findings += [
        Finding("render-disagrees", "info", "render", f"inference and helm disagree: {line}") for line in differences
    ]
    summary = {
        "chart": str(directory),
        "daemonset": name,
        "agrees": not differences,
        "differences": differences,
        "ledger": rendered.as_json(),
        "podSecurity": results,
    }
    return summary, findings
