"""Issue 18 item 12: `ddsecure completion bash|zsh|fish` is valid and completes commands, flags, presets and ids.

Each script is checked by its own shell (`-n`), then really asked for completions: bash through the
completion function with COMP_WORDS set as readline would, fish with `complete -C`, zsh with compadd
and _files stubbed (the real ones need an interactive completion widget).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

from tui.cli import main
from tui.core.answers.contract import ANSWER_SPECS
from tui.core.answers.files import preset_names


def script(shell: str) -> str:
    out = io.StringIO()
    assert main(["completion", shell], out, io.StringIO()) == 0
    return out.getvalue()


def shell_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_is_valid_for_its_shell(shell, tmp_path):
    path = tmp_path / f"ddsecure.{shell}"
    path.write_text(script(shell))
    result = subprocess.run([shell_or_skip(shell), "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def bash_complete(tmp_path, *words: str) -> list[str]:
    """Complete the last of `words` (as readline splits them: '=' is a word of its own)."""
    path = tmp_path / "ddsecure.bash"
    path.write_text(script("bash"))
    quoted = " ".join(f"'{w}'" for w in ("ddsecure", *words))
    code = f"source {path}; COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; _ddsecure; "
    code += 'printf "%s\\n" "${COMPREPLY[@]}"'
    result = subprocess.run([shell_or_skip("bash"), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completes_commands_flags_presets_and_answer_ids(tmp_path):
    assert bash_complete(tmp_path, "gen") == ["generate"]
    assert "completion" in bash_complete(tmp_path, "")
    assert bash_complete(tmp_path, "generate", "--pre") == ["--preset"]
    assert bash_complete(tmp_path, "generate", "--preset", "") == preset_names()
    assert bash_complete(tmp_path, "--preset", "k3") == ["k3s-uds"]  # bare ddsecure takes the wizard's options
    assert bash_complete(tmp_path, "explain", "dogs") == ["dogstatsd"]
    assert "cluster" in bash_complete(tmp_path, "explain", "")
    assert bash_complete(tmp_path, "generate", "--set", "api_key") == ["api_key_secret="]
    assert bash_complete(tmp_path, "generate", "--set", "dogstatsd", "=", "ud") == ["uds", "udp", "udp-hostport"]
    assert bash_complete(tmp_path, "generate", "--set", "logs", "=") == ["off", "annotated", "all"]
    assert bash_complete(tmp_path, "audit", "--fail-on", "") == ["none", "info", "low", "medium", "high"]
    assert "--expect" in bash_complete(tmp_path, "audit", "x.yaml", "--")
    assert bash_complete(tmp_path, "completion", "") == ["bash", "zsh", "fish"]
    (tmp_path / "values.yaml").write_text("{}\n")
    assert bash_complete(tmp_path, "audit", "val") == ["values.yaml"]


def fish_complete(tmp_path, line: str) -> list[str]:
    path = tmp_path / "ddsecure.fish"
    path.write_text(script("fish"))
    result = subprocess.run(
        [shell_or_skip("fish"), "-c", f"source {path}; complete -C '{line}'"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return [entry.split("\t")[0] for entry in result.stdout.splitlines()]


def test_fish_completes_commands_flags_presets_and_answer_ids(tmp_path):
    assert fish_complete(tmp_path, "ddsecure gen") == ["generate"]
    assert sorted(fish_complete(tmp_path, "ddsecure generate --preset ")) == preset_names()
    assert fish_complete(tmp_path, "ddsecure generate --set run_as=") == ["run_as=nonroot", "run_as=root"]
    assert "--fail-on" in fish_complete(tmp_path, "ddsecure audit --f")
    assert "dogstatsd" in fish_complete(tmp_path, "ddsecure explain ")


def zsh_complete(tmp_path, *words: str) -> list[str]:
    path = tmp_path / "ddsecure.zsh"
    path.write_text(script("zsh"))
    stubs = 'compadd() { print -l -- "$@" }; _files() { print -- "<files $*>" }; _describe() { print -l -- "${(@P)2}" }'
    quoted = " ".join(f"'{w}'" for w in ("ddsecure", *words))
    code = f"source {path}; {stubs}; words=({quoted}); CURRENT={len(words) + 1}; _ddsecure"
    result = subprocess.run([shell_or_skip("zsh"), "-f", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line and line != "--"]


def test_zsh_completes_commands_flags_presets_and_answer_ids(tmp_path):
    assert "generate:write the bundle for a preset or answers file, non-interactively" in zsh_complete(tmp_path, "")
    assert zsh_complete(tmp_path, "generate", "--preset", "") == preset_names()
    assert "--expect" in zsh_complete(tmp_path, "audit", "--")
    assert zsh_complete(tmp_path, "-o", "") == ["<files -/>"]
    ids = zsh_complete(tmp_path, "generate", "--set", "")
    assert ids[:2] == ["-S", "''"] or ids[0] == "-S"
    assert {f"{i}=" for i in ANSWER_SPECS} <= set(ids)
    assert zsh_complete(tmp_path, "generate", "--set", "run_as=")[-2:] == ["nonroot", "root"]


def test_completion_does_not_load_the_model_or_a_ui_library_at_start_up():
    code = "import sys, tui.cli; print(sorted(m for m in sys.modules if m.startswith(('tui.completion', 'textual'))))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
