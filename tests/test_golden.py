"""A golden bundle per preset: any change to what ddsecure writes shows up here as a reviewed diff.

Regenerate after an intended change with DDSECURE_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.answers.files import preset_names

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DDSECURE_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("preset", preset_names())
def test_preset_bundle_matches_golden(preset, tmp_path, capsys):
    out = tmp_path / preset
    assert main(["generate", "--preset", preset, "-o", str(out)]) == 0
    written = {p.name: p.read_text() for p in sorted(out.iterdir())}
    expected_dir = GOLDEN / preset
    if UPDATE:
        expected_dir.mkdir(parents=True, exist_ok=True)
        for stale in expected_dir.iterdir():
            stale.unlink()
        for name, text in written.items():
            (expected_dir / name).write_text(text)
    expected = {p.name: p.read_text() for p in sorted(expected_dir.iterdir())}
    assert written == expected


def test_every_preset_has_a_golden():
    assert sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) == preset_names()
