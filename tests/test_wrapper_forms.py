"""Each form a file of chart values can take is one module of tui.core.wrappers, in one registry:
it alone recognises its documents, it says where the values are, whether and where it carries the
bundle's patches, and how its controller installs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.core.answers.contract import Answers
from tui.core.audit.audit import read_input
from tui.core.output.next_steps import Wrapper, next_steps, wrapper_header
from tui.core.wrappers import FORMS, PLAIN, WRAPPERS

CORPUS = Path(__file__).parent / "fix_corpus"
# fixture -> (its form, the tool its controller command runs, carries the bundle's patches)
FIXTURES = {
    "flux-helmrelease.yaml": ("flux", "flux reconcile helmrelease", True),
    "argocd-valuesobject.yaml": ("argocd", "argocd app sync", False),
    "argocd-values-string.yaml": ("argocd", "argocd app sync", False),
    "kustomize-helmcharts.yaml": ("kustomize", "kubectl kustomize --enable-helm", True),
    "k3s-helmchart.yaml": ("k3s", "kubectl apply -f", False),
    "helmfile.yaml": ("helmfile", "helmfile -f", True),
}


def test_the_registry_has_every_form_once():
    assert set(FORMS) == {"values", "flux", "argocd", "kustomize", "k3s", "helmfile"}
    assert FORMS["values"] is PLAIN and PLAIN not in WRAPPERS
    assert [form.name for form in WRAPPERS] == [name for name in FORMS if name != "values"]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_exactly_one_form_recognises_each_wrapper_and_locates_its_values(fixture):
    name, _, _ = FIXTURES[fixture]
    given = read_input((CORPUS / fixture).read_text(), fixture)
    assert given.source is not None and given.source.form == name
    document = given.documents[given.source.document]
    assert [form.name for form in WRAPPERS if form.is_one(document, fixture)] == [name]
    assert FORMS[name].locate(given.source.document, document, fixture) == given.source


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_form_installs_its_own_way(fixture):
    name, tool, carries = FIXTURES[fixture]
    form = FORMS[name]
    assert (form.patches is not None) == carries
    # a form that cannot carry the patches says what to do instead, with the bundle's own file names
    assert bool(form.missing) != carries and bool(form.carried) == carries
    wrapper = Wrapper(
        name, fixture, origin=f"/repo/{fixture}", patched=carries, object_name="dd", object_namespace="ns"
    )
    assert form.controller_command(wrapper).startswith(tool)
    steps = next_steps(Answers(), "helm", wrapper).text()
    assert form.controller_command(wrapper) in steps and form.label in steps
    assert not re.search(r"\{[a-z_]+\}", steps)  # every file name of the form's text filled in
    header = wrapper_header(wrapper)
    assert header.startswith(f"{fixture} ({form.label})") and ("does NOT apply" in header) != carries


def test_plain_values_are_no_wrapper():
    given = read_input("datadog:\n  logs:\n    enabled: true\n", "values.yaml")
    assert given.source == PLAIN.source() and not given.source.wrapped
    assert PLAIN.patches is None and not PLAIN.controller_command(Wrapper("values", "values.yaml"))
