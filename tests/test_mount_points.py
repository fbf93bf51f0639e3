"""Writing into a mount point (a container volume, a CI workspace): real mounts, real OS errors.

Each test mounts a real filesystem where the machine allows it (root with CAP_SYS_ADMIN) and skips,
saying why, where it does not.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
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


def _mount(args: list[str], point: Path) -> None:
    point.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command on this machine")
    result = subprocess.run([mount, *args, str(point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or result.returncode})")


def _unmount(point: Path) -> None:
    subprocess.run(["umount", str(point)], capture_output=True, check=True)


@pytest.fixture(params=["tmpfs", "bind"])
def empty_mount_point(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An empty directory that is the root of its own mount: a tmpfs, or a bind mount of another directory."""
    point = tmp_path / "out"
    if request.param == "tmpfs":
        _mount(["-t", "tmpfs", "-o", "size=4m", "tmpfs"], point)
    else:
        source = tmp_path / "volume"
        source.mkdir()
        _mount(["--bind", str(source)], point)
    yield point
    _unmount(point)


@pytest.fixture
def read_only_mount_point(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "ro"
    _mount(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"], point)
    yield point
    _unmount(point)


def test_writes_into_an_empty_mount_point(empty_mount_point: Path) -> None:
    code, _, err = run("generate", "--preset", "minimal-metrics", "-o", str(empty_mount_point))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in empty_mount_point.iterdir()) == sorted(build_bundle(Answers(), target="both"))
    # and again with changed answers: files replaced in place, no staging left behind
    code, _, err = run("generate", "-o", str(empty_mount_point), "--force", "--set", "logs=all")
    assert (code, err) == (0, "")
    assert read_bundle(empty_mount_point) == build_bundle(Answers(logs="all"), target="both")


def test_a_new_directory_inside_a_mount_point(empty_mount_point: Path) -> None:
    code, _, err = run("generate", "-o", str(empty_mount_point / "bundle"))
    assert (code, err) == (0, "")
    assert read_bundle(empty_mount_point / "bundle") == build_bundle(Answers(), target="both")


def test_a_read_only_mount_reports_the_real_error(read_only_mount_point: Path) -> None:
    for target in (read_only_mount_point, read_only_mount_point / "bundle"):
        code, out, err = run("generate", "-o", str(target))
        assert code == 2 and out == ""
        assert err == f"ddsecure: error: cannot write to {target}: Read-only file system\n"
    assert list(read_only_mount_point.iterdir()) == []
