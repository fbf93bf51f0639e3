"""No import cycle in `tui`, counting every import: at module level, inside functions and for type checking.

A deferred import only hides a cycle; the design keeps each dependency one way (see tui.core's floors).
"""

from __future__ import annotations

from import_graph import find_cycle, import_graph, imported_names


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "tui.core.deployment" in graph and "tui.app.wizard_app" in graph
    cycle = find_cycle(graph)
    assert cycle == [], "import cycle: " + " -> ".join(cycle)


def test_imports_inside_functions_and_for_type_checking_count():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n"
        "    from tui.core.answers.contract import Answers\n"
        "def later():\n"
        "    from ..output import bundle\n"
        "    import tui.cli\n"
    )
    names = imported_names(source, "tui.core.chart.values")
    assert {"tui.core.chart.sibling", "tui.core.answers.contract", "tui.core.output.bundle", "tui.cli"} <= names


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
