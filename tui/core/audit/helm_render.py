"""`--render`: run the user's own `helm template` on a values file; its ledger becomes the report's.

helm comes from PATH only. The chart is a directory (`--chart DIR`, or DDSECURE_CHART_DIR) or a
chart reference as a user's helm would resolve it (`--chart REPO/NAME --version V`). Every
difference between the real render and the chart model is itself a finding.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.core.audit.catalogue import CATALOGUE
from tui.core.audit.findings import AuditReport, Finding
from tui.core.audit.manifest_audit import node_agent_pod, pod_security_findings, pod_security_results
from tui.core.errors import InputFileError
from tui.core.pod.ledger import Ledger, ledger_of_pod
from tui.core.pod.spec import find_node_agent_daemonset
from tui.core.yamlio.reader import helm_documents

TIMEOUT_SECONDS = 60
INSTALL_HINT = (
    "--render needs helm on PATH: install helm 3 or 4 (https://helm.sh/docs/intro/install/), or drop --render"
)


def find_helm() -> str | None:
    return shutil.which("helm")


def chart_args(given: str | Path | None, version: str | None) -> tuple[list[str], str]:
    """The chart arguments for `helm template`, and how to name the chart in the report."""
    if given is None:
        env = os.environ.get("DDSECURE_CHART_DIR")
        if not env:
            raise InputFileError(
                "--render needs the datadog chart: --chart DIR, --chart datadog/datadog --version 3.240.0, "
                "or DDSECURE_CHART_DIR"
            )
        given = env
    text = str(given)
    path = Path(text)
    if path.is_dir():
        if not (path / "Chart.yaml").is_file():
            raise InputFileError(f"--chart {text}: no Chart.yaml in that directory")
        return [text], text
    if path.exists() or text.count("/") != 1 or text.startswith((".", "/")):
        raise InputFileError(f"--chart {text}: not a chart directory nor a REPO/NAME chart reference")
    args = [text] + (["--version", version] if version else [])
    return args, f"{text} {version}" if version else text


def chart_dir(given: Path | None) -> Path | None:
    """A chart directory: the one given, else DDSECURE_CHART_DIR."""
    if given:
        return Path(given)
    env = os.environ.get("DDSECURE_CHART_DIR")
    return Path(env) if env else None


def helm_template(values_file: Path, chart: Path | list[str], helm: str, *, needs_key: bool = False) -> str:
    """The manifests `helm template` renders; any failure is an error."""
    args = chart if isinstance(chart, list) else [str(chart)]
    text, error = template_or_refusal(values_file, args, helm, needs_key=needs_key)
    if error:
        raise InputFileError(f"helm template failed: {error}")
    return text


# What helm says when the chart itself refuses the values (a `fail`, a template error, its schema), as
# opposed to helm failing to run at all (no chart, no repository, a file it cannot read).
_CHART_ANSWERS = ("execution error", "error calling", 'executing "', "nil pointer", "specifications of the schema")


def template_or_refusal(values_file: Path, chart: list[str], helm: str, *, needs_key: bool = False) -> tuple[str, str]:
    """(manifests, "") from `helm template dd CHART -f FILE`, or ("", helm's error) when a template fails.

    The chart renders no DaemonSet without an API key, so a file without one gets a placeholder
    Secret name (it changes no privilege)."""
    command = [helm, "template", "dd", *chart, "-f", str(values_file)]
    if needs_key:
        command += ["--set", "datadog.apiKeyExistingSecret=ddsecure-audit-placeholder"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as failure:
        raise InputFileError(f"helm template failed to run: {failure}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip() and "level=WARN" not in line]
        error = " ".join(lines[:3])[:400] or f"exit {done.returncode}"
        if not any(sign in error for sign in _CHART_ANSWERS):
            raise InputFileError(
                f"helm template failed: {error}"
            )  # no chart, no repo, bad YAML: not the chart's answer
        return "", error
    return done.stdout, ""


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


def render_into(
    report: AuditReport,
    values_file: Path,
    predicted_pod: Mapping[str, Any] | None,
    chart: str | Path | None,
    version: str | None = None,
    *,
    needs_key: bool = False,
) -> None:
    """Render with helm and make the real ledger the report's; each disagreement with the model's pod
    (`predicted_pod`; None where the model predicts none) becomes a finding."""
    helm = find_helm()
    if helm is None:
        raise InputFileError(INSTALL_HINT)
    args, label = chart_args(chart, version)
    text, error = template_or_refusal(values_file, args, helm, needs_key=needs_key)
    gaps = (
        f" (the model does not follow: {', '.join(u['key'] for u in report.unmodelled)})" if report.unmodelled else ""
    )
    if error:
        report.render = {"chart": label, "refused": error, "agrees": bool(report.refused), "differences": []}
        if not report.refused:
            report.render["differences"] = [f"helm fails, the model renders: {error}"]
            report.findings.append(_disagrees(f"helm fails on this file, the model renders it: {error}{gaps}"))
        report.refused = error
        return
    # read as the API server's clients read it (YAML 1.1): a printed `hostNetwork: off` is false
    documents = helm_documents(text, "helm template output").documents
    if find_node_agent_daemonset(documents) is None:  # agents.enabled: false, say
        expected = any(u["key"] == "agents.enabled" for u in report.unmodelled)
        differences = [] if expected else ["helm renders no node-Agent DaemonSet; the model renders one"]
        report.render = {"chart": label, "daemonset": None, "agrees": expected, "differences": differences}
        report.findings += [_disagrees(f"the model and helm disagree: {line}{gaps}") for line in differences]
        return
    pod, annotations, name = node_agent_pod(documents, "helm template output")
    rendered = ledger_of_pod(pod)
    predicted = ledger_of_pod(predicted_pod) if predicted_pod is not None else None
    differences = compare(predicted, rendered) if predicted is not None else []
    if report.refused:
        differences.insert(0, f"the model expected helm to fail ({report.refused}); it rendered")
        report.refused = ""
    results = pod_security_results(pod, annotations)
    # The values findings already name each privilege with its fix; these only repeat them as PSS checks.
    report.findings += pod_security_findings(results, f"rendered DaemonSet {name}", severity="info")
    report.findings += [_disagrees(f"the model and helm disagree: {line}{gaps}") for line in differences]
    report.ledger = rendered.as_json()
    report.ledger_source = "helm"
    report.render = {
        "chart": label,
        "daemonset": name,
        "agrees": not differences,
        "differences": differences,
        "ledger": report.ledger,
        "modelLedger": predicted.as_json() if predicted is not None else None,
        "podSecurity": results,
    }


def _disagrees(message: str) -> Finding:
    return CATALOGUE["render-disagrees"].finding("render", {"detail": message})
