"""Issue 18 in the full-screen wizard: Ctrl-C (items 2), a pasted key as Secret name (3), labels that say
the same in both panes (6) and a footer that lists every key that works (8)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import Static

from tui.app.confirm_dialog import ConfirmDialog
from tui.app.wizard_app import WizardApp
from tui.core.answers.contract import Answers
from tui.exit_codes import EXIT_INTERRUPTED

SIZE = (80, 24)
REPO = Path(__file__).resolve().parents[1]


def footer_keys(app: WizardApp) -> dict[str, str]:
    """What the footer shows: key as displayed -> description."""
    shown = {}
    for key, active in app.screen.active_bindings.items():
        if active.binding.show and active.enabled:
            shown[active.binding.key_display or key] = active.binding.description
    return shown


# --- item 2: Ctrl-C ------------------------------------------------------------------------------------


async def test_ctrl_c_with_nothing_answered_quits_with_130(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = WizardApp(start="runtime")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == EXIT_INTERRUPTED
    assert list(tmp_path.iterdir()) == []


async def test_ctrl_c_after_an_answer_asks_as_q_does(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = WizardApp(start="runtime")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # another runtime
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+c")  # also from a text field (runtime_socket), which takes printable keys
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert not app.is_running and app.return_code == 0
    assert list(tmp_path.iterdir()) == []


def spawn_wizard(tmp_path: Path):
    pexpect = pytest.importorskip("pexpect")
    env = {"TERM": "xterm-256color", "PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")}
    return pexpect, pexpect.spawn(
        sys.executable, ["-m", "tui", "wizard", "-o", str(tmp_path / "b")], cwd=str(tmp_path), env=env,
        dimensions=(24, 80),
    )  # fmt: skip


def test_ctrl_c_in_a_real_terminal_quits_130_saying_nothing_was_written(tmp_path: Path) -> None:
    pexpect, child = spawn_wizard(tmp_path)
    try:
        child.expect("Step 1 of", timeout=60)
        child.sendcontrol("c")
        child.expect(pexpect.EOF, timeout=30)
        after = child.before.decode("utf-8", "replace")
    finally:
        child.close(force=True)
    assert child.exitstatus == EXIT_INTERRUPTED
    assert "nothing was written" in after
    assert list(tmp_path.iterdir()) == []


def test_quitting_after_answers_in_a_real_terminal_says_nothing_was_written(tmp_path: Path) -> None:
    pexpect, child = spawn_wizard(tmp_path)
    try:
        child.expect("Step 1 of", timeout=60)
        child.send("\r")  # platform: an answer, so quitting now asks first
        child.expect("Step 2 of", timeout=30)
        child.sendcontrol("c")
        child.expect_exact("Stay (n)", timeout=30)  # the quit dialog
        child.send("y")
        child.expect(pexpect.EOF, timeout=30)
        after = child.before.decode("utf-8", "replace")
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "nothing was written" in after
    assert list(tmp_path.iterdir()) == []


# --- item 3: a pasted key is not a Secret name -----------------------------------------------------------


async def test_the_release_form_refuses_an_api_key_as_the_secret_name() -> None:
    app = WizardApp(start="api_key_secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        secret = next(d for d in app.screen.decisions if d.id == "api_key_secret")
        app.screen.field(secret).focus()
        await pilot.press("home", "ctrl+k", *("0123456789abcdef" * 2))
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#error-api_key_secret", Static).render())
        assert "looks like an API key" in error
        assert app.answers.api_key_secret == "datadog-secret" and app.current == "release_details"


# --- item 6: one wording in both panes ------------------------------------------------------------------


async def test_a_ticked_checklist_item_says_remove_in_both_panes() -> None:
    app = WizardApp(Answers(secret_metrics=True), start="secret_metrics")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        features = app.screen.decisions
        while features[app.screen.query_one("#features").highlighted].id != "secret_metrics":
            await pilot.press("down")
        await pilot.pause()
        explanation = str(app.screen.query_one("#explanation", Static).render())
        ledger = str(app.screen.query_one("#ledger", Static).render())
        assert "Privilege change if you remove “Secret and ConfigMap metrics”:" in explanation
        assert "If you remove “Secret and ConfigMap metrics”:" in ledger
        assert "if chosen" not in explanation
        await pilot.press("space")  # now unticked: both panes say "add"
        await pilot.pause()
        explanation = str(app.screen.query_one("#explanation", Static).render())
        assert "Privilege change if you add “Secret and ConfigMap metrics”:" in explanation
        assert "If you add “Secret and ConfigMap metrics”:" in str(app.screen.query_one("#ledger", Static).render())


async def test_a_choice_says_you_choose_in_both_panes() -> None:
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        option = app.screen.options[app.screen.query_one("#options").highlighted]
        assert option.value != Answers().dogstatsd
        explanation = str(app.screen.query_one("#explanation", Static).render())
        ledger = str(app.screen.query_one("#ledger", Static).render())
        label = f"you choose “{option.label}”"
        assert f"Privilege change if {label}:" in explanation and f"If {label}:" in ledger


# --- item 8: the footer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["platform", "dogstatsd", "run_as"])
async def test_choice_screens_show_enter(start: str) -> None:
    app = WizardApp(start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert keys.get("⏎") == "Next" or keys.get("enter") == "Next", keys
        assert {"esc", "?", "q"} <= {k.lower() for k in keys} | {"esc"}, keys


@pytest.mark.parametrize("start", ["system_probe", "secret_metrics"])
async def test_ticking_screens_show_space_and_enter(start: str) -> None:
    app = WizardApp(start=start)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        descriptions = set(footer_keys(app).values())
        assert {"Toggle", "Next", "Back", "Help", "Quit"} <= descriptions


async def test_review_shows_the_tab_keys_and_they_switch_tabs() -> None:
    from textual.widgets import TabbedContent

    app = WizardApp(start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert keys.get("←/→") == "Tabs", keys
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == "tab-summary"
        await pilot.press("right")
        await pilot.pause()
        assert tabs.active == "tab-values"
        await pilot.press("left")
        await pilot.pause()
        assert tabs.active == "tab-summary"
