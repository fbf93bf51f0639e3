"""The forms a file of datadog chart values can take, one module each, in one registry.

`locate` asks each wrapper form whether a document is one of its kind and where the values sit in
it; `FORMS[source.form]` is the form that then carries the bundle's patches (`patches`) and says how
to install it (the next steps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.errors import InputFileError
from tui.core.wrappers import argocd, configmap, flux, helmfile, k3s, kustomize, plain, umbrella
from tui.core.wrappers.base import WrapperForm
from tui.core.wrappers.source import ValuesSource

PLAIN = plain.FORM
# Tried in this order; an umbrella chart's values (no kind, a block of chart values) last.
WRAPPERS: tuple[WrapperForm, ...] = (
    flux.FORM,
    argocd.FORM,
    argocd.APPLICATION_SET,
    kustomize.FORM,
    k3s.FORM,
    helmfile.FORM,
    configmap.FORM,
    umbrella.FORM,
)
FORMS: dict[str, WrapperForm] = {form.name: form for form in (PLAIN, *WRAPPERS)}


class SeveralReleases(InputFileError):
    """A file that installs the chart more than once (staging and production, say): audited release by
    release as a repository is, but not one values file to edit."""


def locate(documents: Sequence[Any], where: str) -> ValuesSource | None:
    """The values inside a known wrapper, or None when no document is one (plain values or manifests)."""
    found: list[ValuesSource] = []
    # Beside rendered workloads, a ConfigMap of values is theirs: the manifests are what is audited.
    rendered = any(isinstance(d, Mapping) and d.get("kind") in ("DaemonSet", "Deployment") for d in documents)
    for index, document in enumerate(documents):
        if not isinstance(document, Mapping):
            continue
        for form in WRAPPERS:
            if rendered and not form.installs_chart:
                continue
            if form.is_one(document, where):
                source = form.locate(index, document, where)
                if source is not None:
                    found.append(source)
                break
    if len(found) > 1:
        raise SeveralReleases(
            f"{where}: {len(found)} documents install the datadog chart; --fix edits one: keep one per file"
        )
    return found[0] if found else None


__all__ = ["FORMS", "PLAIN", "WRAPPERS", "SeveralReleases", "WrapperForm", "locate"]
