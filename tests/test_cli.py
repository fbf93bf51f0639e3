"""The command line as users meet it: files written, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.answers.contract import Answers
from tui.core.output.bundle import build_bundle

from bundle_helpers import read_bundle


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_generate_writes_the_bundle_and_next_commands(tmp_path):
    code, out, err = run("generate", "--preset", "minimal-metrics", "-o", str(tmp_path / "b"))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(build_bundle(Answers(), target="both"))
    assert "kubectl create secret generic datadog-secret" in out


def test_layers_defaults_preset_answers_file_then_set(tmp_path):
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text("logs: all\napm: uds\n")
    code, _, _ = run("generate", "--answers", str(answers_file), "--set", "apm=off", "-o", str(tmp_path / "b"))
    assert code == 0
    assert read_bundle(tmp_path / "b") == build_bundle(Answers(logs="all", apm="off"), target="both")


def test_check_reports_drift_and_writes_nothing(tmp_path):
    target = tmp_path / "b"
    assert run("generate", "-o", str(target))[0] == 0
    before = read_bundle(target)
    assert run("generate", "-o", str(target), "--check")[0] == 0
    code, out, _ = run("generate", "-o", str(target), "--check", "--set", "logs=all")
    assert code == 1
    assert "+  logs:" in out or "containerCollectAll" in out
    assert read_bundle(target) == before


def test_refuses_a_directory_with_other_content_unless_forced(tmp_path):
    target = tmp_path / "b"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, _, err = run("generate", "-o", str(target))
    assert code == 2 and "--force" in err and err.count("\n") == 1
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert run("generate", "-o", str(target), "--force")[0] == 0
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "values.yaml").is_file()


def test_regenerating_the_same_bundle_needs_no_force(tmp_path):
    target = tmp_path / "b"
    assert run("generate", "-o", str(target))[0] == 0
    assert run("generate", "-o", str(target))[0] == 0
    code, _, err = run("generate", "-o", str(target), "--set", "logs=all")
    assert code == 2 and "already holds" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--preset", "nope", "-o", "X"], "unknown preset 'nope'; valid presets: apm-logs-processes"),
        (["generate", "--set", "dogstatsd", "-o", "X"], "expected ID=VALUE"),
        (["generate", "--set", "logs=some", "-o", "X"], "logs: unknown value 'some'; valid: off, annotated, all"),
        (["generate", "--set", "agent_version=7.x", "-o", "X"], "agent_version: '7.x' is not an Agent 7 version"),
        (["generate", "--set", "apiKey=abc", "-o", "X"], "never takes an API key"),
        (["generate", "--answers", "missing.yaml", "-o", "X"], "answers file missing.yaml:"),
        (["generate"], "the following arguments are required: -o/--output"),
        (["explain", "nope"], "unknown answer id 'nope'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(*argv)
    assert code == 2
    assert message in err
    assert err.startswith("ddsecure: error: ") and err.count("\n") == 1
    assert not (tmp_path / "X").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("dogstatsd: [unclosed\n", "not valid YAML"),
        ("- a\n- b\n", "expected a mapping"),
        ("logs: all\nlogs: off\n", "not valid YAML"),
        ("\tlogs: all\n", "not valid YAML"),
        ("colour: red\n", "unknown answer id 'colour'"),
        ("api_key: 0123456789abcdef\n", "never takes an API key"),
        ("logs: all\n---\napm: uds\n", "holds 2 YAML documents"),
        ("logs: [unclosed\x00\n", "binary data"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "system_probe: *i\n",
            "alias bomb",
        ),
    ],
)
def test_malformed_answers_files(content, message, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(content)
    code, _, err = run("generate", "--answers", str(path), "-o", str(tmp_path / "b"))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "b").exists()


def test_non_utf8_answers_file(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_bytes(b"logs: \xff\xfe\n")
    code, _, err = run("generate", "--answers", str(path), "-o", str(tmp_path / "b"))
    assert code == 2 and "not UTF-8" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run("generate", "-o", str(locked / "b"))
    assert code == 2 and "cannot write" in err


def test_unwritable_target_is_one_line_even_as_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run("generate", "-o", str(blocker / "b"))
    assert code == 2 and err.count("\n") == 1 and "cannot write" in err


def test_a_non_file_in_the_way_stops_before_anything_changes(tmp_path):
    target = tmp_path / "b"
    assert run("generate", "-o", str(target))[0] == 0
    (target / "REPORT.md").unlink()
    (target / "REPORT.md").mkdir()
    (target / "REPORT.md" / "keep").write_text("x")
    before = read_bundle(target)
    code, _, err = run("generate", "-o", str(target), "--force", "--set", "logs=all")
    assert code == 2 and "not a regular file" in err
    assert read_bundle(target) == before and (target / "REPORT.md" / "keep").is_file()


def test_a_failing_move_puts_every_old_file_back(tmp_path, monkeypatch):
    target = tmp_path / "b"
    assert run("generate", "-o", str(target))[0] == 0
    before = read_bundle(target)
    real_replace = os.replace

    failures = []

    def failing_replace(src, dst):  # the disk fills up once, when namespace.yaml moves in
        if str(dst).endswith("namespace.yaml") and str(src).endswith("namespace.yaml") and not failures:
            failures.append(dst)
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _, err = run("generate", "-o", str(target), "--force", "--set", "logs=all")
    assert code == 2 and "No space left on device" in err
    assert read_bundle(target) == before
    assert failures
    assert not [p for p in target.iterdir() if p.name.startswith(".ddsecure-staging")]


def test_interrupts_wait_while_the_files_move_in(tmp_path, monkeypatch):
    """SIGINT and SIGTERM are held during every move (delivered after), and only then."""
    real_replace = os.replace
    masks = []

    def recording_replace(src, dst):
        masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    assert run("generate", "-o", str(tmp_path / "b"))[0] == 0
    assert masks and all({signal.SIGINT, signal.SIGTERM} <= mask for mask in masks)
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_ctrl_c_never_leaves_half_a_bundle(tmp_path):
    """Interrupt real processes at many points: each leaves a whole bundle or no directory at all."""
    for attempt in range(8):
        target = tmp_path / f"b{attempt}"
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "generate", "--preset", "everything-hardened", "-o", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.15 + 0.04 * attempt)  # after interpreter start-up, while ddsecure itself runs
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        if target.exists():
            assert sorted(p.name for p in target.iterdir()) == sorted(build_bundle(Answers(), target="both"))
        else:
            assert process.returncode in (130, -signal.SIGINT), err
            assert "Traceback" not in err


def test_presets_and_explain(capsys):
    code, out, _ = run("presets")
    assert code == 0 and "minimal-metrics" in out and len(out.splitlines()) >= 5
    code, out, _ = run("explain", "dogstatsd")
    assert code == 0
    for option in ("uds", "udp", "udp-hostport", "off"):
        assert f"* {option}" in out
    assert "(default)" in out and "hostPort 8125/UDP" in out
    code, out, _ = run("explain")
    assert code == 0 and "origin_detection" in out and "system_probe" in out


def test_module_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tui", "generate", "-o", str(tmp_path / "b")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert Path(tmp_path / "b" / "privileges.json").is_file()


def test_no_arguments_without_a_terminal_is_one_error_line_pointing_to_generate():
    result = subprocess.run([sys.executable, "-m", "tui"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "ddsecure generate --preset" in result.stderr


def test_forcing_another_target_takes_away_the_old_targets_files(tmp_path):
    target = tmp_path / "b"
    (target).mkdir()
    (target / "notes.txt").write_text("mine")
    assert run("generate", "-o", str(target), "--force")[0] == 0
    assert (target / "datadog-agent.yaml").is_file()
    assert run("generate", "-o", str(target), "--force", "--target", "helm")[0] == 0
    assert sorted(p.name for p in target.iterdir()) == sorted([*build_bundle(Answers(), target="helm"), "notes.txt"])
    code, out, _ = run("generate", "-o", str(target), "--check", "--target", "helm")
    assert (code, out) == (0, f"{target} holds exactly this bundle\n")


def test_check_compares_only_the_bundles_own_files(tmp_path):
    """A GitOps directory: README, .git/ and the user's rendered.yaml beside the bundle are not drift."""
    target = tmp_path / "gitops"
    assert run("generate", "-o", str(target))[0] == 0
    (target / "README.md").write_text("# our Datadog deployment\n")
    (target / ".git" / "objects").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (target / "rendered.yaml").write_text("kind: List\n")
    code, out, _ = run("generate", "-o", str(target), "--check")
    assert (code, out) == (0, f"{target} holds exactly this bundle\n")
    assert run("generate", "-o", str(target))[0] == 0  # and regenerating needs no --force
    # a file ddsecure wrote for another target is drift: writing this bundle would take it away
    code, out, _ = run("generate", "-o", str(target), "--check", "--target", "helm")
    assert code == 1 and "Only in" in out and "datadog-agent.yaml" in out
    assert "README.md" not in out and ".git" not in out


def test_answers_yaml_reproduces_the_bundle_byte_for_byte(tmp_path, monkeypatch):
    first = tmp_path / "first"
    argv = ("--preset", "apm-logs-processes", "--set", "system_probe=npm", "--set", "cluster_name=prod-1")
    for target in ("helm", "operator", "both"):
        assert run("generate", *argv, "--target", target, "-o", str(first), "--force")[0] == 0
        values = (first / "values.yaml").read_text() if target != "operator" else ""
        command = (first / "answers.yaml").read_text().splitlines()[1].removeprefix("#").strip()
        assert command == f"ddsecure generate --answers answers.yaml --target {target} -o ."
        if values:
            assert f"#   {command}\n" in values
        # the named command, run where the header says, writes the same files
        monkeypatch.chdir(first)
        code, out, _ = run(*command.split()[1:], "--check")
        assert (code, out) == (0, ". holds exactly this bundle\n")
        second = tmp_path / f"second-{target}"
        assert run("generate", "--answers", "answers.yaml", "--target", target, "-o", str(second))[0] == 0
        assert read_bundle(second) == read_bundle(first)
        monkeypatch.chdir(tmp_path)


def test_wizard_options_without_a_command_are_the_wizards_and_refused_before_another_command(tmp_path):
    from tui.cli import build_parser, parse_arguments

    args = parse_arguments(build_parser(), ["-o", "out", "--preset", "minimal-metrics", "--target", "operator"])
    assert (args.command, str(args.output), args.preset, args.target) == (None, "out", "minimal-metrics", "operator")
    code, out, err = run("-o", str(tmp_path / "x"), "generate", "-o", str(tmp_path / "y"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "must follow the command" in err
    assert list(tmp_path.iterdir()) == []


def test_an_api_key_given_as_the_secret_name_is_refused_by_set_and_answers_files(tmp_path):
    key = "0123456789abcdef" * 2
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"api_key_secret: {key}\n")
    for argv in (["--set", f"api_key_secret={key}"], ["--answers", str(answers)]):
        out, err = io.StringIO(), io.StringIO()
        assert main(["generate", *argv, "-o", str(tmp_path / "b")], out, err) == 2
        assert err.getvalue().count("\n") == 1 and "looks like an API key" in err.getvalue()
        assert key not in err.getvalue()
        assert not (tmp_path / "b").exists()


def test_an_empty_output_path_is_refused_not_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run("generate", "--preset", "minimal-metrics", "-o", "")
    assert code == 2 and "an empty path names no directory" in err and list(tmp_path.iterdir()) == []


def test_check_sees_a_changed_line_ending_and_refuses_a_file_it_cannot_read(tmp_path):
    out = tmp_path / "bundle"
    assert run("generate", "--preset", "minimal-metrics", "-o", str(out))[0] == 0
    privileges = out / "privileges.json"
    privileges.write_bytes(privileges.read_bytes().replace(b"\n", b"\r\n"))
    code, text, _ = run("generate", "--preset", "minimal-metrics", "-o", str(out), "--check")
    assert code == 1 and "privileges.json" in text
    if os.geteuid() == 0:
        return  # root reads any file: the unreadable case needs another user
    privileges.chmod(0)
    code, _, err = run("generate", "--preset", "minimal-metrics", "-o", str(out), "--check")
    assert code == 2 and "cannot be read to compare" in err and err.count("\n") == 1
