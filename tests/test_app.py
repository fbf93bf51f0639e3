"""The Textual wizard, driven with the keyboard through Pilot; assertions are on files written and text shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import Input, OptionList, RadioSet, SelectionList, Static

from tui.app.checklist_step import ChecklistStep
from tui.app.confirm_dialog import ConfirmDialog
from tui.app.export_screen import ExportScreen
from tui.app.form_step import FormStep
from tui.app.review_screen import ReviewScreen
from tui.app.text_step import TextStep
from tui.app.wizard_app import WizardApp
from tui.cli import build_parser
from tui.cli import main as cli_main
from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS_BY_ID, format_value
from tui.core.answers.files import resolve_answers
from tui.core.operator.names import OPERATOR_FILE
from tui.core.output.bundle import VALUES, build_bundle
from tui.core.output.what_if import option_delta

SIZE = (80, 24)  # the smallest supported terminal: also the cheapest to render for each key


def text_of(widget: Static) -> str:
    return str(widget.render())


async def type_into(pilot, field: Input, value: str) -> None:
    """Replace the field's text with keys: Home, Ctrl+K (delete to the end), then the characters."""
    if field.value == value:
        return
    await pilot.press("home", "ctrl+k", *value)


async def answer_step(pilot, app: WizardApp, target: Answers) -> None:
    """Answer the current step with the keyboard, the way a user would."""
    screen = app.screen
    if isinstance(screen, ChecklistStep):  # the cluster features: Space ticks, Enter accepts
        features = screen.query_one(SelectionList)
        for index, item in enumerate(screen.decisions):
            if getattr(target, item.id) != (item.id in features.selected):
                steps = index - (features.highlighted or 0)
                await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "space")
        await pilot.press("enter")
        return
    if isinstance(screen, FormStep):  # the release details: type each field, Tab to the next, Enter
        for index, item in enumerate(screen.decisions):
            if index:
                await pilot.press("tab")
            assert app.focused is screen.field(item)
            shown = getattr(target, item.id)
            await type_into(pilot, screen.field(item), "" if shown is None else format_value(shown))
        await pilot.press("enter")
        return
    decision = DECISIONS_BY_ID[app.current]
    wanted = getattr(target, decision.id)
    if isinstance(screen, TextStep):
        shown = decision.shown_value(target)  # an unset runtime socket is the platform's, pre-filled
        await type_into(pilot, screen.query_one(Input), "" if shown is None else str(shown))
        await pilot.press("enter")
    elif decision.kind == "multi":
        features = screen.query_one(SelectionList)
        for index, option in enumerate(decision.options):
            if (option.value in wanted) != (option.value in features.selected):
                steps = index - (features.highlighted or 0)
                await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "space")
        await pilot.press("enter")
    else:
        values = [option.value for option in decision.options]
        options = screen.query_one(OptionList)
        steps = values.index(wanted) - (options.highlighted or 0)
        await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    # Pilot.press has already waited for the new step's screen to process its messages (mount).


async def walk_and_export(pilot, app: WizardApp, target: Answers, directory: Path) -> list[str]:
    """Answer every step, review, then confirm the export directory (given to the app like `-o`)."""
    visited = []
    while not isinstance(app.screen, ReviewScreen):
        visited.append(app.current)
        await answer_step(pilot, app, target)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ExportScreen)
    assert app.screen.query_one(Input).value == str(directory)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return visited


def generate(tmp: Path, args: list[str], target: str | None = None) -> dict[str, str]:
    """What `ddsecure generate` writes for these arguments (its own default target when none is given)."""
    out = tmp / f"generated-{target}"
    assert cli_main(["generate", *args, *(["--target", target] if target else []), "-o", str(out)]) == 0
    return files_in(out)


def files_in(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in directory.iterdir()}


def sets_for(answers: Answers) -> list[str]:
    args = []
    for key, value in answers.changed_from_defaults().items():
        shown = ",".join(value) if isinstance(value, list) else format_value(value)
        args += ["--set", f"{key}={shown}"]
    return args


# Every default from Answers() is walked by the real-terminal test at the end of this file; a preset
# with some answers changed, by test_starting_from_a_preset_and_changing_some_answers.
ANSWER_SETS = {
    "apm-hostport-system-probe": Answers(
        agent_version="7.59.0",
        apm="tcp-hostport",
        system_probe=("npm", "cws"),
        process_collection=True,
        admission_controller=True,  # ticked in the cluster features checklist
        kubernetes_events=True,
        cluster_name="eu-1",  # typed in the release details form
        namespace="dd",
    ),
}


@pytest.mark.parametrize("name", list(ANSWER_SETS))
async def test_keyboard_walk_exports_the_generate_bundle(name: str, tmp_path: Path) -> None:
    target = ANSWER_SETS[name]
    app = WizardApp(Answers(), output=tmp_path / "bundle")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        visited = await walk_and_export(pilot, app, target, tmp_path / "bundle")
        shown = text_of(app.screen.query_one("#export-result", Static))
    assert app.answers == target
    assert visited[:4] == ["platform", "agent_version", "runtime", "runtime_socket"]
    assert visited[-3:] == ["kubernetes_version", "cluster_features", "release_details"]
    assert len(visited) == 14  # 21 decisions in 14 steps
    written = files_in(tmp_path / "bundle")
    assert written == generate(tmp_path, sets_for(target))  # the default target on both sides: both
    assert OPERATOR_FILE in written and VALUES in written
    assert f"Wrote {len(written)} files" in shown
    assert "kubectl apply -f datadog-agent.yaml" in shown and "kubectl kustomize" in shown


async def test_starting_from_a_preset_and_changing_some_answers(tmp_path: Path) -> None:
    """The preset's answers are the current options (Enter keeps them); two are changed with the keys."""
    preset = "dogstatsd-uds-origin-logs"
    start = resolve_answers(preset=preset)
    target = start.replace(logs="annotated", run_as="nonroot")
    app = WizardApp(start, output=tmp_path / "bundle")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        visited = await walk_and_export(pilot, app, target, tmp_path / "bundle")
    assert "origin_detection" in visited  # DogStatsD over UDS from the preset: the step applies
    assert app.answers == target != start
    changed = ["--set", "logs=annotated", "--set", "run_as=nonroot"]
    assert files_in(tmp_path / "bundle") == generate(tmp_path, ["--preset", preset, *changed])


async def test_choosing_the_operator_target_in_the_export_step(tmp_path: Path) -> None:
    answers = Answers(dogstatsd="uds", origin_detection=True, logs="all")
    app = WizardApp(answers, output=tmp_path / "bundle", start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#tab-operator")  # target both: the DatadogAgent is previewed too
        await pilot.press("enter")
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one(RadioSet).pressed_button.id == "target-both"
        await pilot.press("shift+tab", "up", "enter")  # to the target choice, one up to the Operator, choose
        assert app.target == "operator"
        assert isinstance(app.focused, Input)  # after choosing, Enter writes
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = text_of(app.screen.query_one("#export-result", Static))
    written = files_in(tmp_path / "bundle")
    assert written == generate(tmp_path, sets_for(answers), target="operator")
    assert VALUES not in written and OPERATOR_FILE in written
    assert "kubectl apply -f datadog-agent.yaml" in shown and "kustomize" not in shown
    assert app.written_target == "operator"


async def test_target_from_the_command_line_is_the_export_default(tmp_path: Path) -> None:
    args = build_parser().parse_args(["wizard", "--target", "helm", "-o", str(tmp_path / "bundle")])
    app = WizardApp(output=args.output, start="export", target=args.target)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(RadioSet).pressed_button.id == "target-helm"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
    assert files_in(tmp_path / "bundle") == generate(tmp_path, [], target="helm")
    assert build_parser().parse_args(["wizard"]).target == "both"


async def test_highlight_shows_the_privilege_delta_before_choosing() -> None:
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        values = [o.value for o in DECISIONS_BY_ID["dogstatsd"].options]
        await pilot.press("home", *(["down"] * values.index("uds")))
        ledger = text_of(app.screen.query_one("#ledger", Static))
        explanation = text_of(app.screen.query_one("#explanation", Static))
        delta = option_delta(Answers(), "dogstatsd", "uds")
        assert delta
        for line in delta:
            assert line in ledger
            assert line in explanation
        assert DECISIONS_BY_ID["dogstatsd"].option("uds").costs in explanation
        assert app.answers.dogstatsd == "udp"  # highlighted, not chosen
        assert "/var/run/datadog" not in ledger.split("Privileges of the Agent pod")[1]


async def test_back_navigation_keeps_answers() -> None:
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_step(pilot, app, Answers(dogstatsd="uds"))
        assert app.current == "origin_detection"
        await answer_step(pilot, app, Answers(origin_detection=True))
        assert app.current == "apm"
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "dogstatsd"
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(options.highlighted).id == "opt-uds"
        assert str(options.get_option_at_index(options.highlighted).prompt).startswith("✓")
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == "origin_detection"
        assert app.answers == Answers(dogstatsd="uds", origin_detection=True)
        assert app.answers.host_pid


async def test_the_mouse_chooses_an_option_too() -> None:
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        uds_row = [option.id for option in options.options].index("opt-uds")
        # The list has a one-cell border; rows follow in option order.
        assert await pilot.click(OptionList, offset=(4, 1 + uds_row))
        await pilot.pause()
        assert app.answers.dogstatsd == "uds"
        assert app.current == "origin_detection"


async def test_origin_detection_is_skipped_when_dogstatsd_is_off() -> None:
    app = WizardApp(start="dogstatsd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_step(pilot, app, Answers(dogstatsd="off"))
        assert app.current == "apm"
        assert "Step 6 of 15" in text_of(app.screen.query_one("#progress", Static))  # 16 with origin detection
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "dogstatsd"


async def test_invalid_text_is_refused_inline() -> None:
    app = WizardApp(start="agent_version")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_into(pilot, app.screen.query_one(Input), "6.0")
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#input-error", Static)
        assert error.display
        assert "agent_version" in text_of(error)
        assert app.current == "agent_version"
        assert app.answers.agent_version == Answers().agent_version


async def test_invalid_field_of_the_release_details_is_refused_under_it() -> None:
    app = WizardApp(start="namespace")  # a decision id starts at the step that asks it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.current == "release_details"
        await pilot.press("tab", "tab", "tab", "tab")  # site, cluster name, API key Secret, release, namespace
        assert app.focused is app.screen.query_one("#field-namespace", Input)
        await type_into(pilot, app.focused, "Not_Valid")
        await pilot.press("shift+tab")  # elsewhere: the error stays under its field
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#error-namespace", Static)
        assert error.display
        assert "namespace: 'Not_Valid' is not valid" in text_of(error)
        assert not app.screen.query_one("#error-release_name", Static).display
        assert app.focused is app.screen.query_one("#field-namespace", Input)  # Enter went to the refused field
        assert app.current == "release_details"
        assert app.answers.namespace == "datadog"


async def test_overwrite_is_confirmed_and_no_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    app = WizardApp(output=target, start="export")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "notes.txt" in text_of(app.screen.query_one("#dialog-question", Static))
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
        assert "Nothing was written" in text_of(app.screen.query_one("#input-error", Static))
        assert app.written == []
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (target / "notes.txt").read_text() == "mine\n"
    assert {p.name: p.read_text() for p in app.written} == build_bundle(Answers(), target="both")
    assert {p.name for p in target.iterdir()} == {"notes.txt", *build_bundle(Answers(), target="both")}


async def test_quit_with_unsaved_answers_asks_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = WizardApp(start="runtime")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_step(pilot, app, Answers(runtime="docker"))
        await answer_step(pilot, app, Answers(runtime="docker"))  # runtime_socket: docker's, pre-filled
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.is_running and app.current == "dogstatsd"
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == 0
    assert list(tmp_path.iterdir()) == []


async def test_quit_without_changes_needs_no_confirmation(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = WizardApp(start="runtime")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert list(tmp_path.iterdir()) == []


async def test_too_small_terminal_shows_a_message() -> None:
    app = WizardApp()
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#too-small").display
        assert not app.screen.query_one("#body").display
        assert "at least 80 columns × 24 rows" in text_of(app.screen.query_one("#too-small", Static))
    app = WizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#too-small").display
        assert app.screen.query_one("#body").display


async def test_help_lists_the_keys_and_the_step_help() -> None:
    app = WizardApp(start="logs")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        shown = text_of(app.screen.query_one("#help Static", Static))
        assert "Esc" in shown and DECISIONS_BY_ID["logs"].help in shown.replace("\n", " ")
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "logs" and not app.screen.is_modal


async def test_command_palette_loads_a_preset() -> None:
    from tui.core.answers.contract import layer
    from tui.core.answers.files import load_preset

    app = WizardApp(start="runtime")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.press(*"origin-logs")  # matches only "Load preset: dogstatsd-uds-origin-logs"
        hits = app.screen.query_one(OptionList)
        for _ in range(100):  # the palette searches in the background: wait for its hit, at most 5 s
            if hits.option_count and "dogstatsd-uds-origin-logs" in str(hits.get_option_at_index(0).prompt):
                break
            await pilot.pause(0.05)
        assert hits.option_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == layer([load_preset("dogstatsd-uds-origin-logs").answers])
        assert app.current == "runtime"


def test_no_color_is_respected(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert WizardApp().no_color


def test_real_terminal_run_accepting_every_default_writes_the_generate_bundle(tmp_path: Path) -> None:
    """`python -m tui wizard -o DIR` in a pseudo-terminal: Enter on every step, then q; files equal generate's."""
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    from tui.app.step_ids import steps

    repo = Path(__file__).resolve().parents[1]
    bundle = tmp_path / "bundle"
    env = {"TERM": "xterm-256color", "PYTHONPATH": str(repo), "PATH": os.environ.get("PATH", "")}
    try:
        child = pexpect.spawn(
            sys.executable, ["-m", "tui", "wizard", "-o", str(bundle)], cwd=str(tmp_path), env=env, dimensions=(30, 100)
        )
    except (pexpect.ExceptionPexpect, OSError) as problem:
        pytest.skip(f"pexpect cannot spawn a pseudo-terminal here: {problem}")
    try:
        total = len(steps(Answers()))
        child.expect(f"Step 1 of {total}", timeout=60)
        for number in range(2, total + 1):  # each Enter accepts the default and opens the next step
            child.send("\r")
            child.expect(f"Step {number} of {total}", timeout=30)
        child.send("\r")  # the export step: the directory from -o, the default target (both)
        child.expect("Wrote", timeout=30)
        child.send("q")  # exported: quits without asking
        child.expect(pexpect.EOF, timeout=30)
        after = child.before.decode("utf-8", "replace")
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert f"wrote {len(files_in(bundle))} files to {bundle}" in after
    assert files_in(bundle) == generate(tmp_path, [])


async def test_exporting_both_offers_one_of_two_installs_never_both(tmp_path: Path) -> None:
    """Issue 13 item 3: "Both" (the default) writes both ways; the next steps make the user pick one."""
    from tui.core.output.next_steps import TARGET_SUMMARIES, next_steps

    app = WizardApp(output=tmp_path / "bundle", start="export")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = text_of(app.screen.query_one("#export-result", Static))
        assert TARGET_SUMMARIES["both"] in before and "install with one of them only" in before.replace("\n", " ")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = text_of(app.screen.query_one("#export-result", Static))
    assert app.written_target == "both"
    for line in next_steps(Answers(), "both").lines(tmp_path / "bundle"):
        assert line in shown
    assert "A or B, not both" in shown


# --- issue 13 item 10: keys that work where the user is --------------------------------------------


async def footer_keys(pilot, app: WizardApp, wanted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The keys the footer shows, once `wanted` are among them or after 5 s (it recomposes in the background)."""
    from textual.widgets._footer import FooterKey

    keys: list[tuple[str, str]] = []
    for _ in range(100):
        keys = [(key.key_display, key.description) for key in app.screen.query(FooterKey)]
        if set(wanted) <= set(keys):
            break
        await pilot.pause(0.05)
    return keys


async def test_text_step_footer_offers_keys_that_work_in_a_text_field(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = WizardApp(start="agent_version")  # a text step
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextStep)
        wanted = [("⏎", "Next"), ("f1", "Help"), ("^q", "Quit"), ("esc", "Back")]
        shown = await footer_keys(pilot, app, wanted)
        assert set(wanted) <= set(shown) and ("q", "Quit") not in shown, shown
        field = app.screen.query_one(Input)
        await pilot.press("end", "q")
        assert field.value.endswith("q") and app.is_running  # q is text here, as the footer implies
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, TextStep)  # the help
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query_one(Input) is field
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.pause()
    assert app.return_value == 0 and not app.is_running
    assert list(tmp_path.iterdir()) == []


async def test_export_footer_says_enter_writes() -> None:
    app = WizardApp(start="export")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        wanted = [("⏎", "Write"), ("^q", "Quit"), ("f1", "Help")]
        shown = await footer_keys(pilot, app, wanted)
    assert set(wanted) <= set(shown), shown


@pytest.mark.parametrize("step", ["dogstatsd", "agent_version", "cluster_features", "release_details"])
async def test_keys_work_again_after_the_terminal_was_too_small(step: str) -> None:
    app = WizardApp(start=step)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        assert app.screen.query_one("#too-small").display
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        if step == "dogstatsd":
            await pilot.press("down", "enter")  # no Tab first
            await pilot.pause()
            assert app.answers.dogstatsd == "uds" and app.current == "origin_detection"
        elif step == "cluster_features":
            await pilot.press("down", "space", "enter")
            await pilot.pause()
            assert app.answers.orchestrator_explorer and app.current == "release_details"
        elif step == "release_details":
            await pilot.press("tab")
            await type_into(pilot, app.screen.query_one("#field-cluster_name", Input), "eu-1")
            await pilot.press("enter")
            await pilot.pause()
            assert app.answers.cluster_name == "eu-1" and app.current == "review"
        else:
            await type_into(pilot, app.screen.query_one(Input), "7.60.0")
            await pilot.press("enter")
            await pilot.pause()
            assert app.answers.agent_version == "7.60.0" and app.current == "runtime"


@pytest.mark.parametrize("tab", [None, "right"])
async def test_review_scrolls_with_page_down_without_tab(tab: str | None) -> None:
    from textual.containers import VerticalScroll
    from textual.widgets import TabbedContent

    app = WizardApp(Answers(dogstatsd="uds", origin_detection=True, logs="all"), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if tab:
            await pilot.press(tab)  # values.yaml
            await pilot.pause()
        pane = app.screen.query_one(TabbedContent).active_pane
        assert pane is not None
        scroll = pane.query_one(VerticalScroll)
        assert scroll.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert scroll.scroll_y == 0
        assert ("PgDn", "Scroll") in await footer_keys(pilot, app, [("PgDn", "Scroll")])


async def test_bare_ddsecure_takes_the_wizard_options(tmp_path: Path) -> None:
    """`ddsecure -o DIR --target helm` is the wizard, exactly as `ddsecure wizard -o DIR --target helm`."""
    from tui.app.run import wizard_app
    from tui.cli import parse_arguments

    args = parse_arguments(build_parser(), ["-o", str(tmp_path / "bundle"), "--target", "helm"])
    assert args.command is None
    app = wizard_app(args)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        while not isinstance(app.screen, ExportScreen):
            await pilot.press("enter")
            await pilot.pause()
        assert app.screen.query_one(Input).value == str(tmp_path / "bundle")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert files_in(tmp_path / "bundle") == generate(tmp_path, [], target="helm")


async def test_the_export_step_starts_from_your_own_values_file(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("# ours\nagents:\n  priorityClassName: system-node-critical\n")
    app = WizardApp(Answers(), output=tmp_path / "bundle", start="export", target="helm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("tab")  # from the directory to the base file
        assert app.focused is app.screen.query_one("#base", Input)
        await pilot.press(*"nope.yaml", "enter")
        assert "nope.yaml is not a file" in text_of(app.screen.query_one("#input-error", Static))
        app.screen.query_one("#base", Input).value = str(mine)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    written = (tmp_path / "bundle" / VALUES).read_text()
    assert written.startswith("# ours\nagents:\n  priorityClassName: system-node-critical\n")
    assert "useHostPID: false" in written


async def test_review_and_ledger_show_the_cluster_privileges_dangerous_first() -> None:
    from tui.app.ledger_panel import cluster_line

    answers = Answers(admission_controller=True, kubernetes_version="1.32")
    app = WizardApp(answers, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        block = text_of(app.screen.query_one("#cluster-privileges", Static))
        lines = block.splitlines()
        assert lines[0].startswith("119 RBAC permissions") and "dangerous: Secrets" in lines[0]
        # each line with its count (issue 18: the counts add up to the total)
        assert re.match(r"  admission controller \(\d+\): Secrets, admission webhooks", lines[1])
        assert re.match(r"  node Agent: kubelet API \(\d+\): kubelet proxy \(nodes/proxy\)", lines[2])
    assert cluster_line(Answers()).endswith("; none dangerous")


# --- short wizard: the cluster features as one checklist, the release details as one form -------------


async def test_the_step_counter_counts_steps_not_decisions() -> None:
    from tui.app.step_ids import steps

    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Step 1 of 16" in text_of(app.screen.query_one("#progress", Static))  # was "Step 1 of 23"
    assert len(steps(Answers())) == 16  # 14 steps for 21 decisions, then review and export
    app = WizardApp(start="cluster_features")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Step 13 of 16  " in text_of(app.screen.query_one("#progress", Static))
        await pilot.press("enter")
        assert "Step 14 of 16  " in text_of(app.screen.query_one("#progress", Static))
        assert "Release details" in text_of(app.screen.query_one("#progress", Static))


async def test_ticking_a_cluster_feature_sets_its_answer_and_shows_its_delta() -> None:
    app = WizardApp(start="cluster_features")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ledger = app.screen.query_one("#ledger", Static)
        explanation = app.screen.query_one("#explanation", Static)
        before = text_of(ledger)
        delta = option_delta(Answers(), "admission_controller", True)
        assert delta == ["+ 30 cluster permissions (dangerous: Secrets, admission webhooks)"]
        assert "If you add “Admission controller”" in before and delta[0] in before  # highlighted, not ticked
        assert DECISIONS_BY_ID["admission_controller"].option(True).costs[:40] in text_of(explanation)
        await pilot.press("space")
        await pilot.pause()
        assert app.answers == Answers(admission_controller=True)
        after = text_of(ledger)
        assert "If you remove “Admission controller”" in after
        assert "− 30 cluster permissions" in after
        assert after.split("cluster: ")[1] != before.split("cluster: ")[1]  # the cluster line counts them
        await pilot.press("down", "down")  # Secret and ConfigMap metrics: its own explanation and delta
        await pilot.pause()
        assert "Secret and ConfigMap metrics" in text_of(explanation)
        for line in option_delta(app.answers, "secret_metrics", True):
            assert line in text_of(ledger)
        await pilot.press("space", "enter")
        await pilot.pause()
        assert app.current == "release_details"
        assert app.answers == Answers(admission_controller=True, secret_metrics=True)
        await pilot.press("escape")  # back: the ticks are kept
        await pilot.pause()
        assert app.current == "cluster_features"
        assert set(app.screen.query_one(SelectionList).selected) == {"admission_controller", "secret_metrics"}


async def test_the_release_details_form_writes_its_answers() -> None:
    app = WizardApp(start="release_details")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        target = Answers(
            site="datadoghq.eu", cluster_name="prod-eu", api_key_secret="dd-key", release_name="dd", namespace="mon"
        )
        await answer_step(pilot, app, target)  # types each field, Tab between them, then Enter
        await pilot.pause()
        assert app.current == "review"
        assert app.answers == target


async def test_the_site_field_completes_and_refuses_unknown_sites() -> None:
    app = WizardApp(start="release_details")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        site = app.screen.query_one("#field-site", Input)
        assert app.focused is site
        await type_into(pilot, site, "us5")
        await pilot.press("enter")
        await pilot.pause()
        assert "site: unknown value 'us5'" in text_of(app.screen.query_one("#error-site", Static))
        assert app.current == "release_details"
        await pilot.press("right", "enter")  # → takes the completion: us5.datadoghq.com
        await pilot.pause()
        assert app.answers.site == "us5.datadoghq.com" and app.current == "review"


async def test_escape_goes_back_from_the_grouped_steps() -> None:
    app = WizardApp(start="release_details")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "cluster_features"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "kubernetes_version"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.current == "release_details"


async def test_help_on_a_grouped_step_explains_each_of_its_decisions() -> None:
    from tui.core.answers.steps import CLUSTER_FEATURES

    app = WizardApp(start="cluster_features")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        shown = text_of(app.screen.query_one("#help Static", Static)).replace("\n", " ")
        for decision in CLUSTER_FEATURES.decisions:
            assert f"{decision.title}: {decision.help}"[:60] in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.current == "cluster_features" and not app.screen.is_modal


async def test_a_preset_loaded_on_the_checklist_ticks_its_features() -> None:
    from tui.core.answers.steps import CLUSTER_FEATURES

    app = WizardApp(start="cluster_features")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.load_preset("everything-hardened")  # what the palette's entry calls (see test_command_palette…)
        await pilot.pause()
        assert app.current == "cluster_features"
        preset = resolve_answers(preset="everything-hardened")
        ticked = {i for i in CLUSTER_FEATURES.decision_ids if getattr(preset, i)}
        assert ticked and set(app.screen.query_one(SelectionList).selected) == ticked


async def test_a_refused_combination_is_one_notice_not_a_crash() -> None:
    """Going back to the eBPF step after answering Kubernetes 1.29: the tick is refused with the reason."""
    app = WizardApp(Answers(kubernetes_version="1.29"), start="system_probe")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("space")  # tick the first feature
        await pilot.pause()
        assert app.answers.system_probe == ()
        assert app.screen.query_one(SelectionList).selected == []
        # Textual keeps the shown notifications here (it has no public reader; its own tests read it too)
        assert any("AppArmor" in n.message for n in app._notifications)
        await pilot.press("enter")  # the step still accepts what stands
        await pilot.pause()
        assert app.current != "system_probe"


async def test_ticked_features_show_a_mark_not_only_a_colour() -> None:
    app = WizardApp(Answers(system_probe=("npm",)), start="system_probe")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        features = app.screen.query_one(SelectionList)

        def marks() -> list[str]:
            return [features.render_line(y).text[:3] for y in range(2)]

        assert marks() == ["▐✓▌", "▐ ▌"]
        await pilot.press("down", "space")  # tick the second feature
        await pilot.pause()
        assert marks() == ["▐✓▌", "▐✓▌"]
