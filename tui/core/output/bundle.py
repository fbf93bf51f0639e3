"""The bundle: every file ddsecure writes for one set of answers, and how it is written.

`build_bundle` is pure (answers in, file name → text out). `write_bundle` writes all files or none:
they are first written to a staging directory inside the target, then moved into place with
interrupts held back, so Ctrl-C or a full disk never leaves half a bundle or a clobbered file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.admission.fence import FENCE_FILE
from tui.core.admission.kyverno import KYVERNO_FILE
from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS_BY_ID
from tui.core.chart.defaults import CHART_VERSION
from tui.core.deployment import Deployment, ValuesDeployment
from tui.core.errors import BundleError
from tui.core.operator.names import OPERATOR_FILE
from tui.core.operator.resource import API_VERSION
from tui.core.output import operator
from tui.core.output.next_steps import (
    NAMESPACE,
    PRIVILEGES,
    RENDERED,
    TARGETS,
    VALUES,
    NextSteps,
    Wrapper,
    helm_way,
    next_steps,
    wrapper_header,
)
from tui.core.output.report import render_report
from tui.core.pod.ledger import Ledger
from tui.core.yamlio.commented import dump, header

OVERRIDES = "daemonset-overrides.yaml"
KUSTOMIZATION = "kustomization.yaml"
REPORT = "REPORT.md"
ANSWERS = "answers.yaml"
BUNDLE_FILES = (VALUES, OVERRIDES, KUSTOMIZATION, NAMESPACE, PRIVILEGES, REPORT, ANSWERS)
# Every file some target writes: what `--force` may replace or take away.
# Written when they apply: the fence from Kubernetes 1.30, the Kyverno exception when a control is broken.
ADMISSION_FILES = (FENCE_FILE, KYVERNO_FILE)
WRITTEN_BY_DDSECURE = (*BUNDLE_FILES, OPERATOR_FILE, *ADMISSION_FILES)

# Top-level values groups, in the order a reader meets them.
_GROUP_TITLES = {
    "datadog": "Agent features and the node-agent pod",
    "clusterAgent": "Cluster Agent",
    "agents": "Node-agent image and container security contexts",
    "providers": "Platform switches of the chart",
}


def build_bundle(
    answers: Answers, target: str = "helm", deployment: Deployment | None = None, wrapper: Wrapper | None = None
) -> dict[str, str]:
    """File name to content for `target`: "helm" (values + patch), "operator" (a DatadogAgent) or "both".

    The Operator target leaves out the Helm-only files (values, DaemonSet patch, kustomization) and
    writes datadog-agent.yaml; privileges.json and REPORT.md then describe the Operator's footprint
    and where it differs from the Helm chart's. `deployment`: another deployment of these answers
    (the user's own values file, edited by `audit --fix`), whose text is the bundle's values.yaml.
    `wrapper`: the GitOps file those values came in, whose controller installs the chart.
    """
    if target not in TARGETS:
        raise BundleError(f"unknown target {target!r}; valid: {', '.join(TARGETS)}")
    deployment = deployment or Deployment.of(answers)
    _check_admitted(deployment)
    # A platform that admits only the chart's own pod (GKE Autopilot) gets no DaemonSet patch.
    patched = deployment.platform.post_render_patch
    if target == "helm":
        helm_files = {VALUES: render_values(deployment, target)}
        if patched:
            helm_files[OVERRIDES] = render_overrides(deployment, wrapper)
            helm_files[KUSTOMIZATION] = render_kustomization(deployment, wrapper)
        helm_files[NAMESPACE] = render_namespace(deployment)
        helm_files.update(_admission_files(deployment, target))
        helm_files[PRIVILEGES] = render_privileges(deployment)
        report = render_report(deployment) + "\n" + admission_report(deployment, target)
        helm_files[REPORT] = _with_next_steps(report, next_steps(answers, target, wrapper))
        helm_files[ANSWERS] = render_answers(answers, target)
        return helm_files
    files: dict[str, str] = {}
    if target == "both":
        files[VALUES] = render_values(deployment, target)
        if patched:
            files[OVERRIDES] = render_overrides(deployment, wrapper)
            files[KUSTOMIZATION] = render_kustomization(deployment, wrapper)
    files[OPERATOR_FILE] = render_datadog_agent(deployment)
    files[NAMESPACE] = render_namespace(deployment, ledgers=_namespace_ledgers(deployment, target))
    files.update(_admission_files(deployment, target))
    files[PRIVILEGES] = _render_privileges_with_operator(deployment, target)
    report = _report_with_operator(deployment, target) + "\n" + admission_report(deployment, target)
    files[REPORT] = _with_next_steps(report, next_steps(answers, target, wrapper))
    files[ANSWERS] = render_answers(answers, target)
    return files


def _admission_files(deployment: Deployment, target: str) -> dict[str, str]:
    """admission-policy.yaml and kyverno-exception.yaml, each when it applies (tui.core.admission)."""
    from tui.core.admission.files import render_fence, render_kyverno_exception

    files = {FENCE_FILE: render_fence(deployment, target), KYVERNO_FILE: render_kyverno_exception(deployment, target)}
    return {name: text for name, text in files.items() if text is not None}


def admission_report(deployment: Deployment, target: str) -> str:
    from tui.core.admission.files import report_section

    return report_section(deployment, target)


def _admission_section(deployment: Deployment, target: str) -> dict:
    """privileges.json's "admission": the namespace labels namespace.yaml sets, and the fence."""
    from tui.core.admission.files import privileges_section

    labels = namespace_document(deployment, _namespace_ledgers(deployment, target))["metadata"]["labels"]
    return privileges_section(deployment, target, labels)


def _namespace_ledgers(deployment: Deployment, target: str) -> list[Ledger]:
    if target == "helm":
        return [deployment.ledger]
    footprint = deployment.operator
    return [footprint.ledger] if target == "operator" else [deployment.ledger, footprint.ledger]


def _check_admitted(deployment: Deployment) -> None:
    """Every bundle's pods pass the API server's pod rules for the answered Kubernetes version."""
    from tui.core.pod.api_rules import violations
    from tui.core.pod.schema import schema_problems
    from tui.core.pod.spec import pod_spec_of

    minor = deployment.answers.kubernetes_minor
    pods: list[tuple[str, Mapping[str, Any]]] = [("node-Agent", deployment.pod)]
    objects = deployment.rendered_cluster.objects
    pods += [("Cluster Agent", pod_spec_of(o)) for o in objects if o["kind"] == "Deployment"]
    for what, pod in pods:
        found = [str(v) for v in violations(pod, minor)] or schema_problems(pod, minor, limit=1)
        if found:
            raise BundleError(f"the {what} pod would be refused by Kubernetes 1.{minor}: {found[0]}; nothing written")


def _with_next_steps(report: str, steps: NextSteps) -> str:
    return report.rstrip("\n") + "\n\n" + steps.markdown()


def reproduce_command(target: str) -> str:
    """The command that writes this bundle again from its answers.yaml, run in the bundle's directory."""
    return f"ddsecure generate --answers {ANSWERS} --target {target} -o ."


def render_answers(answers: Answers, target: str) -> str:
    """answers.yaml: the resolved answers (defaults, preset, file and --set combined); never a secret."""
    top = header(
        f"The answers this bundle was written from, by ddsecure {__version__}. From this directory,\n"
        f"  {reproduce_command(target)}\n"
        "writes the same files byte for byte; add --check to compare instead (exit 1 and a diff on drift).\n"
        "Edit an answer here and run it again to change the bundle; `ddsecure explain ID` describes each one."
    )
    data = answers.as_dict()
    titles = {key: DECISIONS_BY_ID[key].title for key in data if key in DECISIONS_BY_ID}
    return top + dump(data, titles, blank_between_top_level=False)


_PSS_ORDER = ("restricted", "baseline", "privileged")


def _loosest(levels: list[str]) -> str:
    return max(levels, key=lambda level: _PSS_ORDER.index(level) if level in _PSS_ORDER else len(_PSS_ORDER))


def render_datadog_agent(deployment: Deployment) -> str:
    """datadog-agent.yaml: a header with the install steps, then the commented resource."""
    answers, footprint = deployment.answers, deployment.operator
    plan, differences = footprint.plan, footprint.differences
    steps = "\n".join(f"  {line}" for line in next_steps(answers, "operator").lines())
    top = header(
        f"DatadogAgent ({API_VERSION}) for the Datadog Operator, written by ddsecure {__version__}.\n"
        "The same least-privilege answers as the Helm values; each part says which answer put it here.\n"
        "The API key is never in this file. To install with the Operator, from the bundle directory:\n"
        f"{steps}\n"
        "Where the Operator's DaemonSet differs from the Helm bundle's (predicted; see REPORT.md):\n"
        + ("\n".join(f"  {line}" for line in differences) or "  no difference in privileges")
    )
    return top + dump(plan.data, plan.comments, blank_between_top_level=False)


def _render_privileges_with_operator(deployment: Deployment, target: str) -> str:
    section = operator.privileges_section(deployment.operator)
    if target == "operator":
        document = {"ddsecure": __version__, "target": "operator", **section}
        document["admission"] = _admission_section(deployment, target)
    else:
        document = _helm_privileges(deployment, target, operator_section=section)
    return json.dumps(document, indent=2) + "\n"


def _report_with_operator(deployment: Deployment, target: str) -> str:
    report = render_report(deployment)
    section = operator.report_section(deployment.operator)
    if target == "operator":
        title, _, rest = report.partition("\n")
        note = (
            "\n> Target: the Datadog Operator (`datadog-agent.yaml`). The sections below explain each privilege "
            "with the Helm chart's pod for the same answers; the last section says where the Operator's pod "
            "differs, and privileges.json holds the Operator's footprint.\n"
        )
        report = title + "\n" + note + rest
    return report.rstrip("\n") + "\n\n" + section


def _answers_header(answers: Answers) -> str:
    lines = [f"  {key}: {json.dumps(value)}" for key, value in answers.as_dict().items()]
    return "\n".join(lines)


def render_values(deployment: Deployment, target: str = "helm") -> str:
    if isinstance(deployment, ValuesDeployment):
        return deployment.values_text
    answers = deployment.answers
    steps = "\n".join(f"  {line}" for line in next_steps(answers, "helm").lines())
    top = header(
        f"values.yaml for the datadog/datadog Helm chart {CHART_VERSION}, written by ddsecure {__version__}.\n"
        f"Least privilege for these answers, kept in {ANSWERS}; from this directory\n"
        f"  {reproduce_command(target)}\n"
        "writes this bundle again:\n"
        f"{_answers_header(answers)}\n"
        "\n"
        "Each setting says which answer put it here and why. The API key is never in this file.\n"
        "To install with the Helm chart, from the bundle directory:\n"
        f"{steps}"
    )
    body = []
    values = deployment.values
    for group in _GROUP_TITLES:
        if group in values:
            body.append(
                f"# --- {_GROUP_TITLES[group]} ---\n" + dump({group: values[group]}, deployment.values_plan.comments)
            )
    return top + "\n" + "\n".join(body)


def render_overrides(deployment: Deployment, wrapper: Wrapper | None = None) -> str:
    install = "\n".join(f"  {command}" for command in helm_way(deployment.answers).commands)
    steps = "\n".join(f"  {step.title}: {step.why}" for step in deployment.patch.steps) or "  (none needed)"
    top = header(
        wrapper_header(wrapper)
        + "Strategic-merge patch for the node-agent DaemonSet: what the chart's values cannot express.\n"
        "Apply it to the rendered chart with kustomization.yaml (the full steps are in values.yaml):\n"
        f"{install}\n"
        "Changes:\n"
        f"{steps}"
    )
    return top + dump(deployment.patch.document(), blank_between_top_level=False)


def render_kustomization(deployment: Deployment, wrapper: Wrapper | None = None) -> str:
    render, apply = helm_way(deployment.answers).commands
    rbac = "".join(f"\n  {patch.why}" for patch in deployment.rbac_patches)
    top = header(
        wrapper_header(wrapper)
        + f"First render the chart into {RENDERED}:\n  {render}\nthen build and apply:\n  {apply}"
        + (f"\nRBAC patches (each first tests that the rule is the pinned chart's):{rbac}" if rbac else "")
    )
    document = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [NAMESPACE, RENDERED],
        "patches": [
            {
                "path": OVERRIDES,
                "target": {"kind": "DaemonSet", "name": deployment.patch.name},
            },
            *(patch.kustomize_entry() for patch in deployment.rbac_patches),
        ],
    }
    return top + dump(document, blank_between_top_level=False)


def _namespace_ledger(deployment: Deployment, ledgers: list[Ledger] | None) -> Ledger:
    ledgers = ledgers or [deployment.ledger]
    return next(lg for lg in ledgers if lg.agent_level == _loosest([lg.agent_level for lg in ledgers]))


def render_namespace(deployment: Deployment, ledgers: list[Ledger] | None = None) -> str:
    """`ledgers`: the node-agent pods the namespace must admit (the Helm pod by default)."""
    ledger = _namespace_ledger(deployment, ledgers)
    failed = "; ".join(ledger.agent_violation_reasons) or "none"
    reason = (
        f"enforce={ledger.agent_level}: the strictest level the node-agent pod passes "
        f"(it fails: {failed}).\n"
        "warn=baseline and audit=restricted report anything else in this namespace that asks for more,\n"
        "so privilege drift shows up in kubectl output and the audit log instead of silently."
    )
    platform = deployment.platform
    if platform.pod_security:
        reason += f"\n{platform.title}: {platform.pod_security}"
    return header(reason) + dump(namespace_document(deployment, ledgers), blank_between_top_level=False)


def namespace_document(deployment: Deployment, ledgers: list[Ledger] | None = None) -> dict:
    """namespace.yaml's Namespace: Pod Security enforces the loosest level the node-agent pods need."""
    ledger = _namespace_ledger(deployment, ledgers)
    labels = {
        **deployment.platform.namespace_labels,
        "pod-security.kubernetes.io/enforce": ledger.agent_level,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "baseline",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
    }
    name = deployment.answers.namespace
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def render_privileges(deployment: Deployment) -> str:
    return json.dumps(_helm_privileges(deployment, "helm"), indent=2) + "\n"


def _helm_privileges(deployment: Deployment, target: str, operator_section: dict | None = None) -> dict[str, Any]:
    """privileges.json of a bundle with the Helm chart; with the Operator's section too for "both"."""
    document: dict[str, Any] = {
        "ddsecure": __version__,
        "chart": f"datadog/datadog {CHART_VERSION}",
        "daemonset": deployment.patch.name,
        **deployment.ledger.as_json(),
        "cluster": deployment.cluster.as_json(),
        "platform": platform_section(deployment),
    }
    if operator_section is not None:
        document["operator"] = operator_section
    document["admission"] = _admission_section(deployment, target)
    return document


def platform_section(deployment: Deployment) -> dict:
    """privileges.json's platform: its name, what helm must be told offline, and the SCC it grants."""
    platform = deployment.platform
    section: dict = {"name": platform.name, "helmTemplateFlags": list(deployment.answers.api_server.helm_flags())}
    section["postRenderPatch"] = platform.post_render_patch
    if deployment.scc is not None:
        section["securityContextConstraints"] = deployment.scc
    return section


# --- writing ---------------------------------------------------------------------------------------


def existing_files(directory: Path) -> list[str]:
    if not directory.exists():
        return []
    if not directory.is_dir():
        raise BundleError(f"{directory} exists and is not a directory")
    return sorted(p.name for p in directory.iterdir())


def write_bundle(
    files: Mapping[str, str], directory: Path, *, force: bool = False, compare_flag: str | None = None
) -> list[Path]:
    """Write every file or none. Refuses a directory that already holds other content unless forced.

    `compare_flag`: the caller's option that compares instead of writing (`generate --check`); the refusal
    names it only when the command has one."""

    directory = Path(directory)
    present = existing_files(directory)
    if present and not force and bundle_diff(files, directory):
        shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
        compare = f", or {compare_flag} to compare" if compare_flag else ""
        raise BundleError(
            f"{directory} already holds files ({shown}); use --force to replace the bundle's files{compare}"
        )
    for name in files:
        target = directory / name
        if target.is_dir() or (target.exists() and not target.is_file()):
            raise BundleError(f"cannot write {target}: it exists and is not a regular file")
    created = not directory.exists()
    staging: Path | None = None
    placed = False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = _make_staging_dir(directory)
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        with _interrupts_held():
            _swap_in(staging, directory, list(files))
            placed = True
    except OSError as error:
        raise BundleError(f"cannot write to {directory}: {os_reason(error)}") from None
    finally:  # also on Ctrl-C: no staging directory, and no new directory without its bundle
        if staging is not None:
            _remove_staging_dir(staging)
        if created and not placed:
            _remove_empty_dir(directory)
    return [directory / name for name in files]


def os_reason(error: OSError) -> str:
    """The operating system's own words ("Read-only file system", "Permission denied", "No space left on device")."""
    return error.strerror or str(error)


def _make_staging_dir(directory: Path) -> Path:
    """A private directory inside the target itself.

    Inside, not beside: the target may be a mount point (a container volume, a CI workspace), and
    a rename only works within one filesystem. Made by hand rather than with tempfile: preset mode
    pays for every import, and tempfile brings shutil and random with it.
    """
    for _ in range(100):
        staging = directory / f".ddsecure-staging.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            staging.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return staging
    raise FileExistsError(f"no free staging directory name in {directory}")


def _remove_empty_dir(directory: Path) -> None:
    """Take away a directory this run created, so a failed write leaves nothing behind."""
    with suppress(OSError):
        directory.rmdir()


def _remove_staging_dir(staging: Path) -> None:
    """The staging directory holds only the files written into it: no tree walk needed."""
    with suppress(OSError):
        for leftover in staging.iterdir():
            leftover.unlink(missing_ok=True)
        staging.rmdir()


def _swap_in(staging: Path, directory: Path, names: list[str]) -> None:
    """Move staged files over the old ones; if any move fails, put every old file back.

    Files an earlier ddsecure run wrote for another target (say datadog-agent.yaml after switching
    to --target helm) are taken away too, so the directory never mixes two bundles; files that are
    not ddsecure's stay.
    """
    stale = [name for name in WRITTEN_BY_DDSECURE if name not in names and (directory / name).is_file()]
    kept: list[str] = []
    placed: list[str] = []
    try:
        for name in stale:
            os.replace(directory / name, staging / f"{name}.previous")
            kept.append(name)
        for name in names:
            if (directory / name).exists():
                os.replace(directory / name, staging / f"{name}.previous")
                kept.append(name)
            os.replace(staging / name, directory / name)
            placed.append(name)
    except OSError:
        for name in placed:
            if name not in kept:
                (directory / name).unlink(missing_ok=True)
        for name in kept:
            os.replace(staging / f"{name}.previous", directory / name)
        raise


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Delay SIGINT/SIGTERM while files move into place; they are delivered right after."""
    # The C module Python starts with: `signal` only wraps it in enums, whose set-up costs preset mode 1%.
    import _signal

    signals = {_signal.SIGINT, _signal.SIGTERM}
    try:
        previous = _signal.pthread_sigmask(_signal.SIG_BLOCK, signals)
    except (AttributeError, ValueError, OSError):  # not on the main thread, or no such call
        yield
        return
    try:
        yield
    finally:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, previous)


def bundle_diff(files: Mapping[str, str], directory: Path) -> str:
    """A unified diff from what `directory` holds to `files`; empty when they are identical."""
    import difflib

    chunks: list[str] = []
    present = set(existing_files(directory))
    for name, text in files.items():
        path = Path(directory) / name
        try:
            # bytes, so a line ending changed to CRLF is a difference too (the bundle is written byte for byte)
            old = path.read_bytes().decode("utf-8") if name in present else ""
        except OSError as error:
            raise BundleError(f"{path}: cannot be read to compare: {os_reason(error)}") from None
        except UnicodeDecodeError:
            old = "(not UTF-8 text)\n"
        if old != text:
            chunks += difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{directory}/{name}" if name in present else "/dev/null",
                tofile=f"{directory}/{name} (generated)",
            )
    # Only ddsecure's own files count: a README, .git/ or the user's rendered.yaml beside them are not drift.
    # A file another target wrote is, since writing this bundle takes it away.
    for extra in sorted(present & set(WRITTEN_BY_DDSECURE) - set(files)):
        chunks.append(f"Only in {directory}: {extra} (written by ddsecure for another target; removed on write)\n")
    return "".join(chunks)
