"""Issue 18 item 11: audit severities are coloured in a terminal; NO_COLOR and pipes give plain text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.colour import RESET, SEVERITY_COLOURS, colour_severities

REPO = Path(__file__).resolve().parents[1]
VALUES = "datadog:\n  apiKeyExistingSecret: datadog-secret\n"  # the chart's defaults: every severity


def audit_in_a_terminal(tmp_path: Path, **env_extra: str) -> str:
    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "values.yaml").write_text(VALUES)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(REPO), TERM="xterm-256color", **env_extra)
    child = pexpect.spawn(
        sys.executable, ["-m", "tui", "audit", "values.yaml"], env=env, cwd=str(tmp_path), encoding="utf-8",
        timeout=60, dimensions=(50, 200),
    )  # fmt: skip
    try:
        child.expect(pexpect.EOF)
        return child.before
    finally:
        child.close()


def test_severities_are_coloured_in_a_terminal(tmp_path):
    shown = audit_in_a_terminal(tmp_path)
    assert f"{SEVERITY_COLOURS['high']}HIGH{RESET}" in shown
    assert f"{SEVERITY_COLOURS['medium']}MEDIUM{RESET}" in shown
    assert f"{SEVERITY_COLOURS['high']}[hostpid-unneeded]{RESET}" in shown


def test_no_color_gives_plain_text_in_a_terminal(tmp_path):
    shown = audit_in_a_terminal(tmp_path, NO_COLOR="1")
    assert "HIGH" in shown and "\x1b[" not in shown


def test_a_pipe_gives_plain_text(tmp_path):
    (tmp_path / "values.yaml").write_text(VALUES)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "tui", "audit", "values.yaml"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert "HIGH" in result.stdout and "\x1b[" not in result.stdout


def test_colouring_changes_nothing_but_the_escape_codes():
    text = "Findings: 2\n  HIGH\n    [a] x\n      message [not an id]\n  LOW\n    [b] y\n\n"
    text += "Privileges granted:\n    [c]\n"
    coloured = colour_severities(text)
    plain = coloured
    for code in (RESET, SEVERITY_COLOURS["high"], SEVERITY_COLOURS["low"]):
        plain = plain.replace(code, "")
    assert plain == text
    assert "[c]" in coloured and f"[c]{RESET}" not in coloured  # past the findings: left alone
