"""The floors of the design, enforced on every import (module level, in functions, for type checking).

- The core sits under the shells: nothing in `tui.core` imports the command line or a wizard.
- Inside the core each sub-package stands on a floor (`tui.core.FLOORS`, explained in tui/core/__init__.py)
  and imports only from its own floor or below; so the model never imports its presentation
  (`output`: the bundle, reports, next steps, previews) or the audit.
"""

from __future__ import annotations

import pytest
from import_graph import import_graph

from tui.core import FLOORS

SHELLS = ("tui.app", "tui.ask", "tui.ask_style", "tui.cli", "tui.audit_command", "tui.__main__")
PRESENTATION = "output"


def floor_of(module: str) -> str | None:
    """The top-level name under tui.core a module belongs to (`tui.core.chart.model` -> `chart`)."""
    if not module.startswith("tui.core."):
        return None
    return module.split(".")[2]


def core_imports() -> dict[str, set[str]]:
    return {module: targets for module, targets in import_graph().items() if module.startswith("tui.core")}


def test_every_core_module_has_a_floor():
    unplaced = sorted({floor_of(m) for m in core_imports()} - {None} - set(FLOORS))
    assert unplaced == [], f"give these a floor in tui.core.FLOORS: {unplaced}"


def test_the_core_never_imports_a_shell():
    found = [
        f"{module} imports {target}"
        for module, targets in sorted(core_imports().items())
        for target in sorted(targets)
        if target.startswith(SHELLS)
    ]
    assert found == []


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        here = floor_of(module)
        if here not in FLOORS:
            continue
        for target in sorted(targets):
            there = floor_of(target)
            if there in FLOORS and FLOORS[there] > FLOORS[here]:
                found.append(
                    f"{module} (floor {FLOORS[here]}, {here}) imports {target} (floor {FLOORS[there]}, {there})"
                )
    return found


def test_every_core_import_is_from_its_floor_or_below():
    found = upward_imports(core_imports())
    assert found == []


def test_the_model_never_imports_presentation():
    below = {name for name, floor in FLOORS.items() if floor < FLOORS[PRESENTATION]}
    found = [
        f"{module} imports {target}"
        for module, targets in sorted(core_imports().items())
        if floor_of(module) in below
        for target in sorted(targets)
        if floor_of(target) == PRESENTATION
    ]
    assert found == []


@pytest.mark.parametrize(
    ("module", "target", "upward"),
    [
        ("tui.core.answers.decisions", "tui.core.output.what_if", True),
        ("tui.core.chart.values", "tui.core.chart.platform_values", False),
        ("tui.core.output.report", "tui.core.deployment", False),
    ],
)
def test_an_upward_import_would_be_reported(module, target, upward):
    assert bool(upward_imports({module: {target}})) is upward
