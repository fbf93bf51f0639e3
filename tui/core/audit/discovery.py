"""Which files of a repository concern the Datadog chart or Agent, for `ddsecure audit PATH...`.

A GitOps repository holds hundreds of YAML files; the audit must read exactly the Datadog ones: plain
values (or a full copy of the chart's), a wrapper installing `datadog/datadog` (Flux, Argo CD,
Kustomize `helmCharts`, k3s, helmfile), rendered manifests with the Agent DaemonSet, or a
DatadogAgent. Everything else is skipped with a reason (shown with `--verbose`), never reported.
A file holding several wrappers of the chart (one per cluster, say) gives one audit per wrapper.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.audit.audit import AuditInput, read_input
from tui.core.audit.detect import agent_daemonsets, is_datadog_agent, values_mismatch
from tui.core.errors import InputFileError
from tui.core.wrappers import FORMS, locate
from tui.core.wrappers.base import is_datadog_chart
from tui.core.wrappers.source import ValuesElsewhere, ValuesSource, unsupported_form
from tui.core.wrappers.umbrella import FORM as UMBRELLA
from tui.core.wrappers.umbrella import Dependency, at_dependency, dependency_beside
from tui.core.yamlio.reader import helm_documents, read_text

YAML_SUFFIXES = (".yaml", ".yml")
# Directories no one keeps deployment files in: version control, dependencies, virtual environments.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", "__pycache__", ".terraform", ".cache"}
)
# A Datadog file names one of these; a file without any is skipped unparsed (most of a repository).
_MENTIONS = re.compile(r"datadog|clusterAgent|agents|clusterChecksRunner|\bDD_[A-Z]", re.IGNORECASE)


@dataclass(frozen=True)
class Skipped:
    path: Path
    name: str
    reason: str


@dataclass(frozen=True)
class Unreadable:
    """A Datadog file the audit cannot read (two datadog sources in one Application, a broken
    embedded values string...): reported with its one-line error, never silently dropped."""

    path: Path
    name: str
    error: str


@dataclass(frozen=True)
class Target:
    """One audit: a file, and for a wrapper which of its documents holds the values."""

    path: Path
    given: AuditInput
    what: str  # the header's description: "values", "Flux HelmRelease 'datadog'", "manifests"...


@dataclass
class Discovery:
    targets: list[Target]
    unreadable: list[Unreadable]
    skipped: list[Skipped]
    # Datadog releases whose values are not in the file (value files, per-cluster templates): listed, no error
    elsewhere: list[Skipped] = field(default_factory=list)


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """Every file named, and every YAML file below each directory named, once, in a stable order."""
    found: dict[str, Path] = {}
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputFileError(f"{path}: no such file or directory")
        if path.is_dir():
            for root, directories, files in os.walk(path):
                directories[:] = sorted(d for d in directories if d not in SKIPPED_DIRECTORIES)
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES):
                        child = Path(root) / name
                        found.setdefault(os.path.realpath(child), child)
        else:
            found.setdefault(os.path.realpath(path), path)
    return list(found.values())


def display_name(path: Path, base: Path | None = None) -> str:
    """The path as a user and a code-scanning dashboard want it: relative to `base` (the current
    directory) when it lies below it, in forward slashes."""
    base = Path.cwd() if base is None else base
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def discover(paths: Sequence[Path], base: Path | None = None) -> Discovery:
    result = Discovery([], [], [])
    charts: dict[Path, Dependency | None] = {}  # each directory's Chart.yaml, read once for all its files
    for path in yaml_files(paths):
        name = display_name(path, base)
        try:
            text = read_text(path)
        except InputFileError as error:  # too large, binary, not UTF-8: not a file anyone deploys
            result.skipped.append(Skipped(path, name, str(error)))
            continue
        outcome = classify(text, name, dependency_beside(path, charts))
        if isinstance(outcome, str):
            result.skipped.append(Skipped(path, name, outcome))
        elif isinstance(outcome, ValuesElsewhere):
            result.elsewhere.append(Skipped(path, name, str(outcome).removeprefix(f"file {name}: ")))
        elif isinstance(outcome, InputFileError):
            result.unreadable.append(Unreadable(path, name, str(outcome)))
        else:
            result.targets += [Target(path, given, what) for given, what in outcome]
    return result


def classify(
    text: str, name: str, dependency: Dependency | None = None
) -> list[tuple[AuditInput, str]] | InputFileError | str:
    """The audits this file asks for; an error for a Datadog file that cannot be read (`ValuesElsewhere`
    for a release whose values are not in it); or why it is not a Datadog file. Every file is read as
    helm reads it (YAML 1.1, the last of two equal keys), as the audit of one file reads it.
    `dependency`: the datadog chart in the Chart.yaml beside the file."""
    if not _MENTIONS.search(text):
        return "mentions neither datadog, a section of its chart nor a DD_ setting"
    where = f"file {name}"
    try:
        reading = helm_documents(text, where)
    except InputFileError as error:
        better = unsupported_form(text, where)
        return f"not YAML data ({better or error})"
    documents = reading.documents
    try:
        wrapped = _wrapped_values(text, name, reading, dependency)
    except InputFileError as error:
        return error
    if wrapped:
        return wrapped
    if any(isinstance(d, Mapping) and "kind" in d for d in documents):
        if agent_daemonsets(documents):
            return [(AuditInput(text, name, documents, "manifests"), "rendered manifests")]
        if any(is_datadog_agent(d) for d in documents):
            return [(AuditInput(text, name, documents, "operator"), "DatadogAgent")]
        return "Kubernetes objects without the Agent DaemonSet, a DatadogAgent or a release of datadog/datadog"
    try:
        given = read_input(text, name, reading=reading)  # plain values; helm merges a values file's documents
    except InputFileError as error:
        return f"not the datadog chart's values: {error}"
    reason = values_mismatch(given.values)  # no document has a kind here: a values file or an error above
    if reason:
        return f"not the datadog chart's values: {reason}"
    return [(given, FORMS["values"].title)]


def _wrapped_values(
    text: str, name: str, reading: Any, dependency: Dependency | None
) -> list[tuple[AuditInput, str]] | str:
    """One audit per document installing the datadog chart, each read as if alone in the file; an umbrella
    chart's block only when its values are the datadog chart's (or the Chart.yaml beside it says so)."""
    where = f"file {name}"
    documents = reading.documents
    found = []
    for index, document in enumerate(documents):
        if not isinstance(document, Mapping):
            continue
        if "kind" not in document and "releases" in document and "{{" in str(document):
            releases = document.get("releases")
            if isinstance(releases, list) and any(
                isinstance(r, Mapping) and is_datadog_chart(r.get("chart")) for r in releases
            ):
                raise ValuesElsewhere(f"{where}: a helmfile with go templates: render it first (helmfile write-values)")
            return "a helmfile with go templates (render it first: helmfile write-values)"
        alone = [document if n == index else None for n in range(len(documents))]
        source = (at_dependency(alone, dependency) if dependency is not None else None) or locate(alone, where)
        if source is None:
            continue
        given = read_input(text, name, only=index, dependency=dependency, reading=reading)
        if given.source is None or given.values is None:
            continue
        if given.source.form == UMBRELLA.name and dependency is None and values_mismatch(given.values):
            continue  # a block shaped like the chart's values, of some other chart
        found.append((given, FORMS[given.source.form].title + _object_name(given.source)))
    return found


def _object_name(source: ValuesSource) -> str:
    name = source.object_name or (source.release if source.form in ("helmfile", "kustomize") else "")
    return f" {name!r}" if name else ""
