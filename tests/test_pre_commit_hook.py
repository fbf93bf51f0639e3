"""The `ddsecure-audit` pre-commit hook, run by the real pre-commit framework (`pre-commit try-repo`).

pre-commit installs a `language: python` hook by `pip install .` of the hook repository into a fresh
virtualenv: from PyPI in CI, from pip's configured index here; nothing else is fetched. The hook
repository is a snapshot of this checkout (its files as they are now, committed in a temporary
repository), so both runs below share one installed environment.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from test_audit_repository import DATADOG, FIXTURE, UNRELATED, WITHOUT_HIGH

from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _git(cwd: Path, *argv: str) -> str:
    identity = ["-c", "user.name=ddsecure tests", "-c", "user.email=tests@example.invalid"]
    identity += ["-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *argv], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _committed_copy(files: list[Path], base: Path, target: Path) -> Path:
    for path in files:
        destination = target / path.relative_to(base)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit", reason="the pre-commit framework (a test dependency) is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the hook repository is made from its files")
    listed = _git(ROOT, "ls-files", "-co", "--exclude-standard").splitlines()
    files = [ROOT / name for name in listed if not name.startswith("tests/") and (ROOT / name).is_file()]
    return _committed_copy(files, ROOT, tmp_path_factory.mktemp("hook-repo"))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook runs its installed copy
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    selection = ["--files", *files] if files else ["--all-files"]
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "ddsecure-audit", *selection]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=1200)


def _failing(output: str) -> set[str]:
    """The files each run of the hook lists under its summary line (pre-commit may run it in batches)."""
    names: set[str] = set()
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\d+ Datadog file\(s\) audited; \d+ with a finding at --fail-on high", line):
            for listed in lines[number + 1 :]:
                if not listed.startswith("  ") or listed.startswith("   "):
                    break
                names.add(listed.strip())
    return names


def test_hook_definition_is_a_python_hook_over_yaml_failing_on_high():
    hooks = YAML(typ="safe").load(HOOKS.read_text())
    (hook,) = [h for h in hooks if h["id"] == "ddsecure-audit"]
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]
    assert hook["entry"].split()[:2] == ["ddsecure", "audit"]
    assert "--discover" in hook["entry"] and "--fail-on high" in hook["entry"]
    assert hook.get("pass_filenames", True)


def test_try_repo_fails_on_exactly_the_files_with_high_findings(hook_repo, pre_commit_home, tmp_path):
    repo = _committed_copy([p for p in FIXTURE.rglob("*") if p.is_file()], FIXTURE, tmp_path / "repo")
    # which files have a high finding, asked of each file alone (exit 1 at high)
    high = {name for name in DATADOG if main(["audit", "--discover", str(FIXTURE / name)], out=io.StringIO()) == 1}
    assert high == set(DATADOG) - WITHOUT_HIGH

    result = _try_repo(hook_repo, repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ddsecure audit (Datadog Agent privileges)" in output and "Failed" in output
    assert _failing(output) == high
    for name in UNRELATED:
        assert name not in output

    clean = _try_repo(hook_repo, repo, pre_commit_home, *sorted(WITHOUT_HIGH), *sorted(UNRELATED))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
