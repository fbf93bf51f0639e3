"""Where the chart values sit in the file a user hands ddsecure.

People keep Datadog values in several shapes: a plain values file (or a full copy of the chart's
values.yaml), `spec.values` of a Flux HelmRelease, `spec.source.helm.valuesObject` (or the `values`
string) of an Argo CD Application, `valuesInline` of a Kustomize `helmCharts` entry,
`spec.valuesContent` of a k3s/RKE2 HelmChart, the inline values of a helmfile release, or the block an
umbrella chart hands its datadog subchart.
Each of those forms is a module of `tui.core.wrappers`, whose `locate` finds them as a
`ValuesSource`; the audit reads them and `--fix` edits them in place, keeping the wrapper.

Shapes that need a program to produce the values (Terraform, go templates, ApplicationSets templated per
cluster) are refused with one line that says so, rather than guessed at.
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

    form: str  # its form's name in tui.core.wrappers.FORMS: "values", "flux", "argocd", ...
    document: int  # index in the YAML stream
    path: tuple[PathStep, ...]  # steps from that document to the values
    embedded: bool = False  # the values are a YAML string inside the wrapper
    description: str = "chart values"
    notes: tuple[str, ...] = ()
    # Values the wrapper's controller merges in that are not read here (value files, ConfigMaps, --set):
    # (where the wrapper names them, what they are). Any makes the ledger partial: it cannot see them.
    unseen: tuple[tuple[str, str], ...] = ()
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
            from tui.core.yamlio.reader import helm_values

            return helm_values(node, f"{where} ({self.description})").documents[0]  # helm merges its documents
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


_TERRAFORM = re.compile(r'^\s*(resource|data|module|provider|variable)\s+"[^"]+"|<<-?[A-Z]+\s*$', re.MULTILINE)


class ValuesElsewhere(InputFileError):
    """A release of the datadog chart whose values this file does not hold: they sit in other files, or
    are templated per cluster. Audited alone, it is refused; in a repository it is listed as not audited
    here, beside the files that do hold values, and is no error."""


def go_template_refusal(where: str) -> InputFileError:
    return InputFileError(
        f"{where}: go templates ({{{{ … }}}}) are not supported: render them first (helmfile write-values, "
        "helm template) and audit the result"
    )


def unsupported_form(text: str, where: str) -> InputFileError | None:
    """The one-line refusal for a file that is not YAML data but a program producing it, if it is one."""
    if _TERRAFORM.search(text):
        return InputFileError(
            f"{where}: Terraform (a helm_release or heredoc) is not supported: render it first, writing the values "
            "to a YAML file (yamlencode or a values file), and audit that"
        )
    if "{{" in text:
        return go_template_refusal(where)
    return None
