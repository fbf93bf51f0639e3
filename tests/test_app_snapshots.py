"""Screenshots of the wizard's main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Regenerate after an intended change with `pytest tests/test_app_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from tui.app.wizard_app import WizardApp
from tui.core.answers.contract import Answers

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(params=list(SIZES))
def size(request) -> tuple[int, int]:
    return SIZES[request.param]


class TestDecisionSteps:
    def test_first_step_platform(self, snap_compare, size) -> None:
        # The platform comes first; k3s highlighted shows the socket it moves the mount to.
        assert snap_compare(WizardApp(), press=["down"], terminal_size=size)

    def test_text_input(self, snap_compare, size) -> None:
        assert snap_compare(WizardApp(start="agent_version"), terminal_size=size)

    def test_choice_with_highlighted_delta(self, snap_compare, size) -> None:
        # UDP is current; one key down highlights the Unix socket and shows what it would add.
        assert snap_compare(WizardApp(start="dogstatsd"), press=["down"], terminal_size=size)

    def test_multi_select_system_probe(self, snap_compare, size) -> None:
        app = WizardApp(Answers(system_probe=("npm",)), start="system_probe")
        assert snap_compare(app, press=["down"], terminal_size=size)


class TestGroupedSteps:
    def test_cluster_features_checklist(self, snap_compare, size) -> None:
        # The admission controller ticked; the Secret metrics highlighted show what they would add.
        app = WizardApp(Answers(admission_controller=True), start="cluster_features")
        assert snap_compare(app, press=["down", "down"], terminal_size=size)

    def test_cluster_features_ticked_item_says_remove_in_both_panes(self, snap_compare, size) -> None:
        # Issue 18 item 6: the ticked admission controller, highlighted: both panes say "if you remove".
        app = WizardApp(Answers(admission_controller=True), start="cluster_features")
        assert snap_compare(app, terminal_size=size)

    def test_release_details_form(self, snap_compare, size) -> None:
        # Tab to the cluster name; an invalid namespace is refused under its own field.
        app = WizardApp(Answers(cluster_name="eu-1"), start="release_details")
        keys = ["tab", "tab", "tab", "tab", "end", "_", "shift+tab", "shift+tab", "shift+tab"]
        assert snap_compare(app, press=keys, terminal_size=size)


class TestReviewAndExport:
    def test_review_summary(self, snap_compare, size) -> None:
        app = WizardApp(Answers(dogstatsd="uds", origin_detection=True, logs="annotated"), start="review")
        assert snap_compare(app, terminal_size=size)

    def test_review_values_preview(self, snap_compare, size) -> None:
        # The tabs have the focus when the review opens; one key right shows values.yaml.
        app = WizardApp(Answers(dogstatsd="uds"), start="review")
        assert snap_compare(app, press=["right"], terminal_size=size)

    def test_export_directory(self, snap_compare, size) -> None:
        assert snap_compare(WizardApp(start="export"), terminal_size=size)


class TestDialogs:
    def test_help(self, snap_compare, size) -> None:
        assert snap_compare(WizardApp(start="runtime"), press=["question_mark"], terminal_size=size)

    def test_quit_confirmation(self, snap_compare, size) -> None:
        assert snap_compare(WizardApp(start="dogstatsd"), press=["down", "enter", "q"], terminal_size=size)


def test_too_small_terminal(snap_compare) -> None:
    assert snap_compare(WizardApp(), terminal_size=(60, 20))
