"""Issue 18 item 1: without a terminal, both wizards and bare `ddsecure` refuse in one line and write nothing.

Each case runs twice: fully detached (pipes), and with stdout on a pseudo-terminal but stdin from
/dev/null, the case that used to hang while Textual wrote escape codes into the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMMANDS = [["wizard", "-o", "x"], ["-o", "x"], ["ask", "-o", "x"], []]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "bare")
def test_without_a_terminal_one_line_exit_2_nothing_written(tmp_path, argv):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, env=env, cwd=tmp_path,
        stdin=subprocess.DEVNULL, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "needs an interactive terminal" in result.stderr
    assert "ddsecure generate --preset NAME|--answers FILE" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "bare")
def test_stdin_from_dev_null_in_a_pseudo_terminal_exits_instead_of_hanging(tmp_path, argv):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
    command = " ".join([sys.executable, "-m", "tui", *argv]) + " </dev/null"
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=30)
    try:
        child.expect(pexpect.EOF)
        shown = child.before
    finally:
        child.close()
    assert child.exitstatus == 2
    assert "\x1b[" not in shown  # no full-screen app was started
    assert shown.strip().count("\n") == 0 and "ddsecure generate" in shown
    assert list(tmp_path.iterdir()) == []
