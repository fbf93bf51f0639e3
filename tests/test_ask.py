"""`ddsecure ask`: real questionary prompts driven through prompt_toolkit pipe input; files compared with `generate`."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from tui.ask import EXIT_INTERRUPTED, ask
from tui.cli import main as cli_main
from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID
from tui.core.answers.steps import CLUSTER_FEATURES, RELEASE_DETAILS, STEPS
from tui.core.output.bundle import BUNDLE_FILES
from tui.core.output.explain import explain, explain_step

REPO = Path(__file__).resolve().parents[1]
ENTER, DOWN, SPACE, CTRL_C, CTRL_D, CLEAR = "\r", "j", " ", "\x03", "\x04", "\x15"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Questions asked with the default answers, in order (origin detection applies: DogStatsD is on).
DEFAULT_QUESTIONS = 14  # platform and runtime_socket included; cluster features and release details one each
TARGET = ENTER  # "What should the bundle install the Agent with?": Enter keeps --target


class Run:
    def __init__(self, rc: int, out: str, err: str, screen: str) -> None:
        self.rc, self.out, self.err, self.raw_screen = rc, out, err, screen
        self.screen = ANSI.sub("", screen)


def walk(
    keys: str | list[str],
    output: Path | None,
    *,
    preset: str | None = None,
    columns: int = 200,
    answers: Path | None = None,
) -> Run:
    """Run the wizard against `keys`; input that runs out ends it with EOF (exit 130) instead of hanging.

    A list of key chunks is typed one chunk at a time, each once the screen has changed since the last
    one and is quiet again, so each prompt is drawn before it is answered (typed all at once,
    prompt_toolkit may answer a prompt before drawing its options).
    """
    args = argparse.Namespace(preset=preset, answers=answers, output=output, target="helm")
    out, err, screen = io.StringIO(), io.StringIO(), io.StringIO()
    terminal = Vt100_Output(screen, lambda: Size(rows=60, columns=columns), term="xterm-256color")
    with create_pipe_input() as pipe:

        def typist() -> None:
            drawn = 0
            for chunk in keys:
                drawn = _redrawn(screen, drawn)
                pipe.send_text(chunk)
            pipe.close()

        if isinstance(keys, str):
            pipe.send_text(keys)
            pipe.close()
            rc = ask(args, input=pipe, output=terminal, out=out, err=err, require_tty=False)
        else:
            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            rc = ask(args, input=pipe, output=terminal, out=out, err=err, require_tty=False)
            thread.join(5)
    return Run(rc, out.getvalue(), err.getvalue(), screen.getvalue())


def _redrawn(screen: io.StringIO, before: int, *, quiet: float = 0.1, limit: float = 10.0) -> int:
    """Wait until the screen has grown past `before` and then stopped changing; its length then."""
    deadline = time.monotonic() + limit
    size = len(screen.getvalue())
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = len(screen.getvalue())
        if now > before and now == size:
            break
        size = now
    return size


def generated(tmp_path: Path, *options: str, target: str | None = "helm") -> Path:
    """`ddsecure generate` with `options`; `walk` writes the Helm target, so that is the default here."""
    directory = tmp_path / "generated"
    argv = ["generate", *options, "-o", str(directory)] + (["--target", target] if target else [])
    assert cli_main(argv, io.StringIO(), io.StringIO()) == 0
    return directory


def assert_same_bundle(asked: Path, expected: Path) -> None:
    names = sorted(p.name for p in expected.iterdir())
    assert set(BUNDLE_FILES) <= set(names)
    assert sorted(p.name for p in asked.iterdir()) == names
    for name in names:
        assert (asked / name).read_bytes() == (expected / name).read_bytes(), name


def test_enter_alone_accepts_every_default_and_writes_what_generate_writes(tmp_path):
    run = walk(ENTER * DEFAULT_QUESTIONS + TARGET + ENTER, tmp_path / "asked")
    assert run.rc == 0, run.err
    expected = generated(tmp_path)
    assert_same_bundle(tmp_path / "asked", expected)
    assert f"Wrote {len(list(expected.iterdir()))} files to" in run.out  # the fence and Kyverno's exception too
    assert "helm template datadog datadog/datadog --version 3.240.0" in run.out
    assert "Pod Security: agent privileged, apps restricted" in run.out
    assert "hostPath /var/run/containerd ro" in run.out
    assert "Cluster-level privileges (RBAC of the Agent and the Cluster Agent):" in run.out
    assert "92 RBAC permissions (the chart's defaults: 230); none dangerous" in run.out


def test_a_non_default_walk_equals_generate_with_the_same_sets(tmp_path):
    keys = (
        ENTER  # platform
        + ENTER  # agent_version
        + ENTER  # runtime
        + ENTER  # runtime_socket: the prefilled default
        + DOWN + ENTER  # dogstatsd: udp -> uds
        + DOWN + ENTER  # origin_detection: off -> on
        + ENTER  # apm
        + DOWN * 2 + ENTER  # logs: off -> annotated -> all
        + ENTER  # process_collection
        + DOWN + ENTER  # run_as: nonroot -> root
        + SPACE + ENTER  # system_probe: tick npm
        + ENTER  # kubernetes_version
        + ENTER  # cluster features: admission_controller, orchestrator_explorer, secret_metrics, events
        + "n"  # keep the release details? no: each is asked
        + ENTER  # site
        + "prod-eu" + ENTER  # cluster_name
        + ENTER  # api_key_secret
        + CLEAR + "Bad_Release" + ENTER + CLEAR + "dd" + ENTER  # release_name: refused, then fixed
        + ENTER  # namespace
        + TARGET
        + ENTER  # write?
    )  # fmt: skip
    run = walk(keys, tmp_path / "asked")
    assert run.rc == 0, run.err
    sets = ["dogstatsd=uds", "origin_detection=true", "logs=all", "run_as=root", "system_probe=npm"]
    sets += ["cluster_name=prod-eu", "release_name=dd"]
    expected = generated(tmp_path, *[arg for s in sets for arg in ("--set", s)])
    assert_same_bundle(tmp_path / "asked", expected)
    # "Bad_Release" was refused by the validator: had it been taken, "dd" would have become the namespace.
    assert "hostPID: shares the node's process namespace" in run.out


def test_each_option_shows_its_trade_off_cost_and_delta(tmp_path):
    run = walk([ENTER, ENTER, ENTER, ENTER, DOWN, CTRL_C], tmp_path / "asked")
    assert run.rc == EXIT_INTERRUPTED
    uds = DECISIONS_BY_ID["dogstatsd"].option("uds")
    assert f"{uds.label} — {uds.summary}" in run.screen
    # The highlighted option's description: its cost, then the delta (redrawn in place, so only its tail is whole).
    assert "Description: costs: none; current choice" in run.screen
    assert f"{uds.costs[-20:]}; changes: + /var/run/datadog rw" in run.screen
    assert "UDP via the node-local Service — " in run.screen and "(default)" in run.screen


def test_origin_detection_is_not_asked_when_dogstatsd_is_off(tmp_path):
    question = DECISIONS_BY_ID["origin_detection"].question
    on = walk(ENTER * 4 + ENTER + CTRL_C, None)
    assert question in on.screen
    off = walk(ENTER * 4 + DOWN * 3 + ENTER + CTRL_C, None)
    assert question not in off.screen
    assert DECISIONS_BY_ID["apm"].question in off.screen


def test_dogstatsd_off_walk_has_one_question_fewer(tmp_path):
    run = walk(ENTER * 4 + DOWN * 3 + ENTER + ENTER * (DEFAULT_QUESTIONS - 6) + TARGET + ENTER, tmp_path / "asked")
    assert run.rc == 0, run.err
    assert_same_bundle(tmp_path / "asked", generated(tmp_path, "--set", "dogstatsd=off"))


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_interrupt_mid_walk_writes_nothing_and_exits_130(tmp_path, key):
    run = walk(ENTER * 3 + key, tmp_path / "asked")
    assert run.rc == EXIT_INTERRUPTED
    assert run.err.strip() == "ddsecure: interrupted; nothing was written"
    assert not (tmp_path / "asked").exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupt_at_the_write_confirmation_writes_nothing(tmp_path):
    run = walk(ENTER * DEFAULT_QUESTIONS + TARGET + CTRL_C, tmp_path / "asked")
    assert run.rc == EXIT_INTERRUPTED
    assert "Privileges the Agent pod keeps:" in run.out
    assert list(tmp_path.iterdir()) == []


def test_preset_answers_are_the_defaults_and_are_marked(tmp_path):
    # everything-hardened: every system-probe feature, so origin detection and all questions apply.
    run = walk([ENTER] * DEFAULT_QUESTIONS + [TARGET, ENTER], tmp_path / "asked", preset="everything-hardened")
    assert run.rc == 0, run.err
    assert_same_bundle(tmp_path / "asked", generated(tmp_path, "--preset", "everything-hardened"))
    uds = DECISIONS_BY_ID["dogstatsd"].option("uds")
    assert f"{uds.label} — {uds.summary} (default)" in run.screen
    assert (
        "UDP via the node-local Service — no host access; apps send to the node-local Agent Service (least privilege)"
        in (run.screen)
    )
    assert "default: npm, usm, cws, oom-kill, tcp-queue-length" in run.screen


def test_question_mark_and_more_print_the_full_explanation(tmp_path):
    run = walk(ENTER * 2 + "?" + "k" + ENTER + CTRL_C, None)  # runtime: ?, then "more…" (up from the top wraps)
    explanation = explain(DECISIONS_BY_ID["runtime"], Answers())
    assert run.out.count(explanation) == 2
    assert run.screen.count(DECISIONS_BY_ID["runtime"].question) >= 3  # asked again after each explanation


def test_question_mark_explains_the_checkbox_question_then_ticks_a_feature(tmp_path):
    keys = ENTER * 10 + "?" + SPACE + ENTER + ENTER * 10 + TARGET + ENTER  # system_probe is the 11th question
    run = walk(keys, tmp_path / "asked")
    assert run.rc == 0, run.err
    assert explain(DECISIONS_BY_ID["system_probe"], Answers()) in run.out
    assert_same_bundle(tmp_path / "asked", generated(tmp_path, "--set", "system_probe=npm"))


def test_question_mark_explains_a_text_question(tmp_path):
    run = walk(ENTER + CLEAR + "?" + ENTER + CTRL_C, None)  # agent_version follows platform
    assert explain(DECISIONS_BY_ID["agent_version"], Answers()) in run.out


def test_an_invalid_version_is_refused_and_asked_again(tmp_path):
    keys = ENTER + CLEAR + "6.0" + ENTER + CLEAR + "7.60.0" + ENTER + ENTER * (DEFAULT_QUESTIONS - 2) + TARGET + ENTER
    run = walk(keys, tmp_path / "asked")
    assert run.rc == 0, run.err
    assert_same_bundle(tmp_path / "asked", generated(tmp_path, "--set", "agent_version=7.60.0"))


def test_asks_for_a_directory_when_no_output_was_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("")
    keys = ENTER * DEFAULT_QUESTIONS + TARGET + CLEAR + "a-file" + ENTER + CLEAR + "./ddsecure-bundle" + ENTER
    keys += ENTER + ENTER  # no base file; write
    run = walk(keys, None)  # a file is refused as the directory; then the default is typed back
    assert run.rc == 0, run.err
    assert_same_bundle(tmp_path / "ddsecure-bundle", generated(tmp_path))


def test_a_directory_with_other_files_is_only_overwritten_when_confirmed(tmp_path):
    target = tmp_path / "asked"
    target.mkdir()
    (target / "values.yaml").write_text("mine\n")
    declined = walk(ENTER * DEFAULT_QUESTIONS + TARGET + ENTER * 2, target)  # Enter on "replace?" means no
    assert declined.rc == 0 and "Nothing written." in declined.out
    assert (target / "values.yaml").read_text() == "mine\n"
    accepted = walk(ENTER * DEFAULT_QUESTIONS + TARGET + ENTER + "y", target)
    assert accepted.rc == 0, accepted.err
    assert_same_bundle(target, generated(tmp_path))


def test_declining_the_write_writes_nothing(tmp_path):
    run = walk(ENTER * DEFAULT_QUESTIONS + TARGET + "n", tmp_path / "asked")
    assert run.rc == 0 and "Nothing written." in run.out
    assert list(tmp_path.iterdir()) == []


def test_no_color_removes_colours(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = walk(ENTER * 2 + CTRL_C, None)
    assert re.search(r"\x1b\[[0-9;]*38;", coloured.raw_screen)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = walk(ENTER * 2 + CTRL_C, None)
    assert DECISIONS_BY_ID["runtime"].question in plain.screen
    assert not re.search(r"\x1b\[[0-9;]*(38|48);", plain.raw_screen)


def _python(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=REPO, **kwargs)


def test_not_a_terminal_is_a_one_line_error_pointing_to_generate(tmp_path):
    result = _python("-m", "tui", "ask", "-o", str(tmp_path / "x"), stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "ddsecure generate" in result.stderr
    assert not (tmp_path / "x").exists()


def test_questionary_is_not_imported_with_the_cli():
    code = (
        "import sys, tui.cli, tui.ask; print(sorted(m for m in ('questionary', 'prompt_toolkit') if m in sys.modules))"
    )
    assert _python("-c", code).stdout.strip() == "[]"


def test_end_to_end_in_a_pseudo_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    target = tmp_path / "bundle"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "NO_COLOR": "1"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # nothing in the pty answers cursor-position requests
    child = pexpect.spawn(
        sys.executable, ["-m", "tui", "ask", "-o", str(target)], env=env, cwd=str(tmp_path), encoding="utf-8",
        timeout=30, dimensions=(50, 160),
    )  # fmt: skip
    try:
        for decision_id in ("platform", "agent_version", "runtime", "runtime_socket", "dogstatsd"):
            child.expect_exact(DECISIONS_BY_ID[decision_id].question)
            child.send(DOWN + ENTER if decision_id == "dogstatsd" else ENTER)  # dogstatsd: udp -> uds
        for decision_id in ("origin_detection", "apm", "logs", "process_collection", "run_as", "system_probe"):
            child.expect_exact(DECISIONS_BY_ID[decision_id].question)
            child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["kubernetes_version"].question)
        child.send(ENTER)
        child.expect_exact(CLUSTER_FEATURES.question)  # the four cluster features: one checkbox
        child.send(ENTER)
        child.expect_exact("Keep these release details?")  # site, names and namespace: one confirmation
        child.send(ENTER)
        child.expect_exact("Privileges the Agent pod keeps:")
        child.expect_exact("install the Agent with?")
        child.send(TARGET)
        child.expect(r"Write \d+ files to")
        child.send(ENTER)
        child.expect_exact("Next:")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    # Both sides use the command line's default --target.
    assert_same_bundle(target, generated(tmp_path, "--set", "dogstatsd=uds", target=None))


# --- issue 13 items 3 and 10: ? on pre-filled text, whole descriptions, the target asked ---------------


def test_question_mark_explains_a_pre_filled_text_question():
    run = walk([ENTER, "?", CTRL_C], None)  # the Agent version is pre-filled: ? must not be typed after it
    assert explain(DECISIONS_BY_ID["agent_version"], Answers()) in run.out


def test_option_descriptions_wrap_instead_of_being_cut_at_the_terminal_width():
    # From this preset DogStatsD is on the socket, whose description (cost, then "current choice") is long.
    run = walk([ENTER, ENTER, ENTER, ENTER, CTRL_C], None, preset="dogstatsd-uds-origin", columns=80)
    uds = DECISIONS_BY_ID["dogstatsd"].option("uds")
    description = f"Description: costs: {uds.costs}; current choice"
    assert len(description) > 80
    assert "".join(description.split()) in "".join(run.screen.split())


@pytest.mark.parametrize(("keys", "target"), [(DOWN, "operator"), (DOWN * 2, "both")])
def test_the_target_is_asked_and_written(tmp_path, keys, target):
    run = walk(ENTER * DEFAULT_QUESTIONS + keys + ENTER + ENTER, tmp_path / "asked")
    assert run.rc == 0, run.err
    assert "install the Agent with?" in run.screen
    expected = generated(tmp_path, target=target)
    assert {p.name: p.read_bytes() for p in (tmp_path / "asked").iterdir()} == {
        p.name: p.read_bytes() for p in expected.iterdir()
    }
    from tui.core.answers.contract import Answers
    from tui.core.output.next_steps import next_steps

    assert run.out.split("Next:\n")[1] == "".join(
        f"  {line}\n" for line in next_steps(Answers(), target).lines(tmp_path / "asked")
    )
    assert ("A or B, not both" in run.out) == (target == "both")


def test_question_mark_and_whole_descriptions_in_a_pseudo_terminal(tmp_path):
    """In a real 80-column terminal: ? on the pre-filled version explains it; the socket's cost is not cut."""
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "NO_COLOR": "1"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        sys.executable, ["-m", "tui", "ask", "--preset", "dogstatsd-uds-origin", "-o", str(tmp_path / "b")],
        env=env, cwd=str(tmp_path), encoding="utf-8", timeout=30, dimensions=(40, 80),
    )  # fmt: skip
    try:
        child.expect_exact(DECISIONS_BY_ID["platform"].question)
        child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["agent_version"].question)
        child.send("?")
        child.expect_exact("Agent version (agent_version)")  # the explanation's first line
        child.expect_exact(DECISIONS_BY_ID["agent_version"].question)  # asked again
        child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["runtime"].question)
        child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["runtime_socket"].question)
        child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["dogstatsd"].question)
        child.expect_exact("current choice")  # the end of a description longer than 80 columns
        child.send(CTRL_C)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == EXIT_INTERRUPTED
    assert not (tmp_path / "b").exists()


def test_without_an_output_directory_it_offers_to_start_from_your_values_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine.yaml"
    mine.write_text("# ours\nagents:\n  tolerations:\n    - operator: Exists\n")
    keys = (
        ENTER * DEFAULT_QUESTIONS + TARGET + ENTER + CLEAR + "nope.yaml" + ENTER + CLEAR + "mine.yaml" + ENTER + ENTER
    )
    run = walk(keys, None)  # a missing file is refused, then the real one is taken
    assert run.rc == 0, run.err
    written = (tmp_path / "ddsecure-bundle" / "values.yaml").read_text()
    assert written.startswith("# ours\nagents:\n  tolerations:\n    - operator: Exists\n")
    assert "useHostPID: false" in written
    assert "values.yaml is mine.yaml, edited" in run.out


# --- short wizard: the cluster features as one checkbox, the release details as one confirmation ------


def test_the_default_walk_asks_one_question_per_step_fourteen_instead_of_twenty_one(tmp_path):
    run = walk(ENTER * DEFAULT_QUESTIONS + TARGET + ENTER, tmp_path / "asked")
    assert run.rc == 0, run.err
    asked = sorted({int(n) for n, total in re.findall(r"\[(\d+)/(\d+)\]", run.screen) if total == str(len(STEPS))})
    assert asked == list(range(1, 15))
    assert (len(STEPS), len(DECISIONS)) == (DEFAULT_QUESTIONS, 21) == (14, 21)
    assert "Keep these release details? site datadoghq.com, release datadog in namespace datadog, " in run.screen
    assert "API key Secret datadog-secret, no cluster name" in run.screen


def test_the_cluster_features_checkbox_sets_the_four_booleans(tmp_path):
    keys = [ENTER] * 12  # platform … kubernetes_version
    keys += ["?"]  # explains all four features, then asks again
    keys += [SPACE, DOWN * 2, SPACE]  # tick the admission controller and the Secret metrics
    keys += [ENTER, ENTER, TARGET, ENTER]  # release details kept; write
    run = walk(keys, tmp_path / "asked")  # one chunk at a time: each description is drawn
    assert run.rc == 0, run.err
    for decision_id in CLUSTER_FEATURES.decision_ids:
        assert explain(DECISIONS_BY_ID[decision_id], Answers()) in run.out
    assert CLUSTER_FEATURES.question in run.screen
    # The highlighted feature's description: what it costs and what ticking it would add (wrapped).
    described = "changes: + 30 cluster permissions (dangerous: Secrets, admission webhooks)"
    assert "".join(described.split()) in "".join(run.screen.split())
    shown = dict(re.findall(r"^  (\w+) +(\S+)$", run.out.split("Your answers:")[1], re.MULTILINE))
    assert [shown[i] for i in CLUSTER_FEATURES.decision_ids] == ["true", "false", "true", "false"]
    sets = ["admission_controller=true", "secret_metrics=true", "orchestrator_explorer=false"]
    expected = generated(tmp_path, *[arg for s in sets for arg in ("--set", s)])
    assert_same_bundle(tmp_path / "asked", expected)


def test_release_details_not_kept_are_asked_one_by_one(tmp_path):
    keys = ENTER * 13  # platform … cluster features
    keys += "?"  # explains the five, then asks again
    keys += "n"  # keep these release details? no
    keys += DOWN + ENTER  # site: datadoghq.eu
    keys += CLEAR + "prod-eu" + ENTER  # cluster_name
    keys += CLEAR + "dd-api-key" + ENTER  # api_key_secret
    keys += CLEAR + "dd" + ENTER  # release_name
    keys += CLEAR + "monitoring" + ENTER  # namespace
    run = walk(keys + TARGET + ENTER, tmp_path / "asked")
    assert run.rc == 0, run.err
    assert explain_step(RELEASE_DETAILS, Answers()) in run.out
    for decision_id in ("site", "cluster_name", "api_key_secret", "release_name", "namespace"):
        assert DECISIONS_BY_ID[decision_id].question in run.screen
    sets = ["site=datadoghq.eu", "cluster_name=prod-eu", "api_key_secret=dd-api-key", "release_name=dd"]
    sets += ["namespace=monitoring"]
    expected = generated(tmp_path, *[arg for s in sets for arg in ("--set", s)])
    assert_same_bundle(tmp_path / "asked", expected)


def test_a_refused_combination_is_explained_and_asked_again(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text('kubernetes_version: "1.29"\n')
    keys = ENTER * 10 + SPACE + ENTER + ENTER + CTRL_C  # system_probe (11th): tick NPM, refused, then none
    run = walk(keys, None, answers=answers)
    assert "Not possible with your other answers" in run.out and "AppArmor" in run.out
    assert run.screen.count(DECISIONS_BY_ID["system_probe"].question) >= 2
    assert "Traceback" not in run.err


def test_question_mark_explains_for_the_answers_given_so_far(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text('agent_version: "7.45.0"\n')
    run = walk(ENTER * 9 + "?" + CTRL_C, None, answers=answers)  # run_as is the 10th question
    assert explain(DECISIONS_BY_ID["run_as"], Answers(agent_version="7.45.0")) in run.out
    assert "UID 101" in run.out and "UID 100 " not in run.out


# --- issue 18 item 9: wrapped validation messages, going back, question numbers -------------------------

ESC = "\x1b"
NUMBER = re.compile(r"\[(\d+)/(\d+)\]")


def test_a_validation_message_wraps_instead_of_being_cut(tmp_path):
    run = walk([ENTER, CLEAR + "7.x" + ENTER, CTRL_C], None, columns=60)
    message = "agent_version: '7.x' is not an Agent 7 version; expected 7.MINOR.PATCH, optionally with -jmx or -full"
    assert len(message) > 60
    assert "".join(message.split()) in "".join(run.screen.split())


def test_a_validation_message_wraps_in_a_pseudo_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "NO_COLOR": "1"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        sys.executable, ["-m", "tui", "ask", "-o", str(tmp_path / "b")], env=env, cwd=str(tmp_path),
        encoding="utf-8", timeout=30, dimensions=(30, 80),
    )  # fmt: skip
    try:
        child.expect_exact(DECISIONS_BY_ID["platform"].question)
        child.send(ENTER)
        child.expect_exact(DECISIONS_BY_ID["agent_version"].question)
        child.send(CLEAR + "7.x" + ENTER)
        child.expect_exact("(e.g. 7.81.1)")  # the end of a 115-character message, past column 80
        child.send(CTRL_C)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == EXIT_INTERRUPTED


def test_escape_returns_to_the_previous_question_keeping_its_answer(tmp_path):
    # platform: Enter; agent version: Esc -> platform again (its answer, generic, is the default); then on
    keys = [ENTER, ESC, ENTER, *([ENTER] * (DEFAULT_QUESTIONS - 1)), TARGET, ENTER]
    run = walk(keys, tmp_path / "asked")
    assert run.rc == 0, run.err
    asked = [match.group(0) for match in NUMBER.finditer(run.out + run.screen)]
    assert run.screen.count(f"[1/{DEFAULT_QUESTIONS}] {DECISIONS_BY_ID['platform'].question}") >= 2
    assert f"[{DEFAULT_QUESTIONS}/{DEFAULT_QUESTIONS}]" in asked
    assert_same_bundle(tmp_path / "asked", generated(tmp_path))


def test_the_back_choice_returns_to_the_previous_question(tmp_path):
    # platform: Enter; version: Enter; runtime (a choice): the "← back" entry, second to last (up twice)
    run = walk([ENTER, ENTER, "k" + "k" + ENTER, CTRL_C], None)
    assert "← back (the previous question; or Esc)" in run.screen
    assert run.screen.count(DECISIONS_BY_ID["agent_version"].question) >= 2
    assert run.rc == EXIT_INTERRUPTED


def test_escape_at_the_first_question_stays_there(tmp_path):
    run = walk([ESC, CTRL_C], None)
    assert "This is the first question." in run.out


def test_question_numbers_count_the_questions_asked_when_the_platform_settles_the_runtime(tmp_path):
    # k3s settles the runtime: its question is not asked, and no number is skipped
    run = walk(ENTER * 20 + TARGET + ENTER, tmp_path / "asked", preset="k3s-uds")
    assert run.rc == 0, run.err
    numbers = sorted({(int(n), int(total)) for n, total in NUMBER.findall(run.screen)})
    totals = {total for _, total in numbers}
    assert len(totals) == 1
    assert [n for n, _ in numbers] == list(range(1, totals.pop() + 1))
    assert DECISIONS_BY_ID["runtime"].question not in run.screen


def test_an_api_key_typed_as_the_secret_name_is_refused_and_asked_again(tmp_path):
    """Issue 18 item 3 in `ask`: the contract's refusal shows under the question; nothing is written."""
    key = "0123456789abcdef" * 2
    keys = ENTER * 13 + "n" + ENTER + ENTER  # platform … cluster features; release details: no; site, cluster
    keys += CLEAR + key + ENTER  # api_key_secret: refused, the prompt stays
    run = walk([keys, CTRL_C], tmp_path / "asked", columns=200)
    assert "looks like an API key" in run.screen
    assert run.rc == EXIT_INTERRUPTED and not (tmp_path / "asked").exists()
