"""The wheel users install carries the presets, the wizard's styles and the chart key data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tui.core.answers.files import preset_names

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"could not build a wheel here: {result.stderr.strip().splitlines()[-1:]}")
    (wheel,) = out.glob("ddsecure-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_presets_ship_inside_the_package(wheel_names):
    assert {f"tui/presets/{name}.yaml" for name in preset_names()} <= wheel_names


def test_data_and_styles_ship(wheel_names):
    assert "tui/core/data/chart_keys.json" in wheel_names
    assert "tui/core/data/pod_schemas.gz" in wheel_names
    assert "tui/core/data/values_schema.json" in wheel_names
    assert any(name.startswith("tui/app/") and name.endswith(".tcss") for name in wheel_names)
    assert not any(name.startswith(("tests/", ".venv/")) for name in wheel_names)
