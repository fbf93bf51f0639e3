"""Where the chart values sit in the file a user hands ddsecure.

People keep Datadog values in several shapes: a plain values file (or a full copy of the chart's
values.yaml), `spec.values` of a Flux HelmRelease, `spec.source.helm.valuesObject` (or the `values`
string) of an Argo CD Application, `valuesInline` of a Kustomize `helmCharts` entry,
`spec.valuesContent` of a k3s/RKE2 HelmChart, or the inline values of a helmfile release.
`locate` finds them; the audit reads them and `--fix` edits them in place, keeping the wrapper.

Shapes that need a program to produce the values (Terraform, go templates, ApplicationSets) are
refused with one line that says so, rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.errors import InputFileError

PathStep = str | int


@dataclass(frozen=True)
class ValuesSource:
    """The values inside one document of the file: where they are and how to read them."""

    form: str  # "values", "flux", "argocd", "kustomize", "k3s", "helmfile"
    document: int  # index in the YAML stream
    path: tuple[PathStep, ...]  # steps from that document to the values
    embedded: bool = False  # the values are a YAML string inside the wrapper
    description: str = "chart values"
    notes: tuple[str, ...] = ()
    # How the wrapper's controller installs the chart: the release name and namespace it uses (""
    # when the wrapper leaves them to a default ddsecure does not know), and the wrapper object itself.
    release: str = ""
    namespace: str = ""
    object_name: str = ""
    object_namespace: str = ""

    @property
    def wrapped(self) -> bool:
        return self.form != "values"

    def values(self, documents: Sequence[Any], where: str) -> Any:
        """The values as data (a string is parsed with the same bounded reader as any input)."""
        node = at(documents[self.document], self.path)
        if node is None:
            return {}
        if self.embedded:
            if not isinstance(node, str):
                raise InputFileError(f"{where}: {self.description} is not a string of YAML")
            from tui.core.yamlio.reader import parse_documents

            inner = parse_documents(node, f"{where} ({self.description})")
            if len(inner) > 1:
                raise InputFileError(f"{where}: {self.description} holds {len(inner)} YAML documents; expected one")
            return inner[0] if inner else {}
        return node


def at(document: Any, path: Sequence[PathStep]) -> Any:
    """The node at `path`, or None when a step is missing."""
    node = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
        elif not isinstance(node, Mapping) or step not in node:
            return None
        node = node[step]
    return node


def _mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


def _name(document: Mapping[str, Any]) -> str:
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f" {name!r}" if name else ""


def _text(node: Any) -> str:
    return node.strip() if isinstance(node, str) else ""


def _object(document: Mapping[str, Any]) -> tuple[str, str]:
    """metadata.name and metadata.namespace of a wrapper object."""
    metadata = _mapping(document.get("metadata"))
    return _text(metadata.get("name")), _text(metadata.get("namespace"))


def _is_datadog_chart(name: Any) -> bool:
    """The datadog/datadog chart (not datadog-operator, datadog-crds), by chart name or reference."""
    return isinstance(name, str) and re.fullmatch(r"(?:.*/)?datadog(?:@.*)?", name.strip()) is not None


def _flux(index: int, document: Mapping[str, Any]) -> ValuesSource | None:
    spec = _mapping(document.get("spec"))
    chart = at(spec, ("chart", "spec", "chart"))
    reference = at(spec, ("chartRef", "name"))
    if not (_is_datadog_chart(chart) or _is_datadog_chart(reference)):
        return None
    notes = []
    if spec.get("valuesFrom"):
        notes.append("spec.valuesFrom (ConfigMaps/Secrets) is not read: only spec.values is audited")
    name, namespace = _object(document)
    target = _text(spec.get("targetNamespace"))
    # helm-controller's default release name is "[<targetNamespace>-]<name>".
    release = _text(spec.get("releaseName")) or (f"{target}-{name}" if target and name else name)
    return ValuesSource(
        "flux",
        index,
        ("spec", "values"),
        description=f"spec.values of the Flux HelmRelease{_name(document)}",
        notes=tuple(notes),
        release=release,
        namespace=target or namespace,
        object_name=name,
        object_namespace=namespace,
    )


def _argo_helm(source: Mapping[str, Any]) -> bool:
    return (
        _is_datadog_chart(source.get("chart"))
        or "datadoghq" in str(source.get("repoURL") or "")
        or str(source.get("path") or "").rstrip("/").endswith("datadog")
    )


def _argo(index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
    spec = _mapping(document.get("spec"))
    candidates: list[tuple[PathStep, ...]] = []
    if isinstance(spec.get("source"), Mapping) and _argo_helm(spec["source"]):
        candidates.append(("spec", "source"))
    for n, source in enumerate(spec.get("sources") or []):
        if isinstance(source, Mapping) and _argo_helm(source):
            candidates.append(("spec", "sources", n))
    if not candidates:
        return None
    if len(candidates) > 1:
        raise InputFileError(f"{where}: the Argo CD Application has {len(candidates)} datadog sources; expected one")
    base = candidates[0]
    helm = at(document, (*base, "helm"))
    helm = helm if isinstance(helm, Mapping) else {}
    if helm.get("valuesObject") is not None and helm.get("values"):
        raise InputFileError(
            f"{where}: the Argo CD Application sets both helm.values and helm.valuesObject (Argo CD merges "
            "them); not supported: keep one of the two"
        )
    notes = []
    if helm.get("parameters"):
        notes.append("helm.parameters override values and are not read: only the values are audited")
    if helm.get("valueFiles"):
        notes.append("helm.valueFiles are not read: audit those files too")
    label = "Argo CD Application" + _name(document)
    dotted = ".".join(str(s) for s in base[1:])
    name, namespace = _object(document)
    embedded = isinstance(helm.get("values"), str)
    key = "values" if embedded else "valuesObject"
    return ValuesSource(
        "argocd",
        index,
        (*base, "helm", key),
        embedded=embedded,
        description=f"spec.{dotted}.helm.{key} of the {label}",
        notes=tuple(notes),
        release=_text(helm.get("releaseName")) or name,  # Argo CD's default: the Application's name
        namespace=_text(at(spec, ("destination", "namespace"))),
        object_name=name,
        object_namespace=namespace,
    )


def _kustomize(index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
    charts = [
        n
        for n, chart in enumerate(document.get("helmCharts") or [])
        if isinstance(chart, Mapping) and _is_datadog_chart(chart.get("name"))
    ]
    if not charts:
        return None
    if len(charts) > 1:
        raise InputFileError(f"{where}: the Kustomization inflates the datadog chart {len(charts)} times; expect once")
    notes = []
    if at(document, ("helmCharts", charts[0], "valuesFile")):
        notes.append("helmCharts valuesFile is not read: only valuesInline is audited")
    chart = document["helmCharts"][charts[0]]
    return ValuesSource(
        "kustomize",
        index,
        ("helmCharts", charts[0], "valuesInline"),
        description="helmCharts valuesInline of the Kustomization",
        notes=tuple(notes),
        release=_text(chart.get("releaseName")) or "release-name",  # kustomize's default, when unset
        namespace=_text(chart.get("namespace")) or _text(document.get("namespace")),
    )


def _k3s(index: int, document: Mapping[str, Any]) -> ValuesSource | None:
    spec = _mapping(document.get("spec"))
    if not _is_datadog_chart(spec.get("chart")):
        return None
    name, namespace = _object(document)
    return ValuesSource(
        "k3s",
        index,
        ("spec", "valuesContent"),
        embedded=True,
        description=f"spec.valuesContent of the HelmChart{_name(document)}",
        release=name,  # the k3s helm-controller names the release after the HelmChart
        namespace=_text(spec.get("targetNamespace")) or namespace,
        object_name=name,
        object_namespace=namespace,
    )


def _helmfile(index: int, document: Mapping[str, Any], where: str) -> ValuesSource | None:
    releases = [
        n
        for n, release in enumerate(document.get("releases") or [])
        if isinstance(release, Mapping) and _is_datadog_chart(release.get("chart"))
    ]
    if not releases:
        return None
    if len(releases) > 1:
        raise InputFileError(f"{where}: the helmfile has {len(releases)} datadog releases; expected one")
    release = document["releases"][releases[0]]
    entries = release.get("values") or []
    if not isinstance(entries, list):
        raise InputFileError(f"{where}: the datadog release's values is not a list")
    inline = [n for n, entry in enumerate(entries) if isinstance(entry, Mapping)]
    files = [str(entry) for entry in entries if isinstance(entry, str)]
    if not inline:
        shown = ", ".join(files) or "none"
        raise InputFileError(
            f"{where}: the helmfile's datadog release has no inline values (files: {shown}); audit those files"
        )
    if len(inline) > 1:
        raise InputFileError(
            f"{where}: the helmfile's datadog release has {len(inline)} inline values blocks (helmfile merges "
            "them); not supported: keep one"
        )
    notes = []
    if files:
        notes.append(f"values files of the helmfile release are not read ({', '.join(files)}): audit them too")
    if release.get("set") or release.get("setString"):
        notes.append("set/setString entries of the helmfile release override values and are not read")
    return ValuesSource(
        "helmfile",
        index,
        ("releases", releases[0], "values", inline[0]),
        description=f"the inline values of the helmfile release {release.get('name', 'datadog')!r}",
        notes=tuple(notes),
        release=_text(release.get("name")),
        namespace=_text(release.get("namespace")),
    )


def locate(documents: Sequence[Any], where: str) -> ValuesSource | None:
    """The values inside a known wrapper, or None when no document is one (plain values or manifests)."""
    found: list[ValuesSource] = []
    for index, document in enumerate(documents):
        if not isinstance(document, Mapping):
            continue
        kind, api = document.get("kind"), str(document.get("apiVersion") or "")
        source: ValuesSource | None = None
        if kind == "HelmRelease" and api.startswith("helm.toolkit.fluxcd.io/"):
            source = _flux(index, document)
        elif kind == "Application" and api.startswith("argoproj.io/"):
            source = _argo(index, document, where)
        elif kind == "ApplicationSet" and api.startswith("argoproj.io/"):
            raise InputFileError(
                f"{where}: an Argo CD ApplicationSet generates its values per cluster; not supported: audit the "
                "Application it generates (argocd appset generate) or its values"
            )
        elif kind == "Kustomization" and "helmCharts" in document:
            source = _kustomize(index, document, where)
        elif kind == "HelmChart" and api.startswith("helm.cattle.io/"):
            source = _k3s(index, document)
        elif "kind" not in document and "releases" in document:
            if "{{" in str(document):
                raise _go_template(where)
            source = _helmfile(index, document, where)
        if source is not None:
            found.append(source)
    if len(found) > 1:
        raise InputFileError(f"{where}: {len(found)} documents install the datadog chart; expected one")
    return found[0] if found else None


_TERRAFORM = re.compile(r'^\s*(resource|data|module|provider|variable)\s+"[^"]+"|<<-?[A-Z]+\s*$', re.MULTILINE)


def _go_template(where: str) -> InputFileError:
    return InputFileError(
        f"{where}: go templates ({{{{ … }}}}) are not supported: render them first (helmfile write-values, "
        "helm template) and audit the result"
    )


def unsupported_form(text: str, where: str) -> InputFileError | None:
    """The one-line refusal for a file that is not YAML data but a program producing it, if it is one."""
    if _TERRAFORM.search(text):
        return InputFileError(
            f"{where}: Terraform (a helm_release or heredoc) is not supported: write the values to a YAML file "
            "(yamlencode or a values file) and audit that"
        )
    if "{{" in text:
        return _go_template(where)
    return None
