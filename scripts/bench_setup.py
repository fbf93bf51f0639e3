"""Shared by the benchmarks: time ddsecure as an installed copy runs it."""

from __future__ import annotations

import compileall
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def byte_compile() -> None:
    """pip byte-compiles what it installs; a source checkout may hold stale .pyc files, and with
    PYTHONDONTWRITEBYTECODE=1 (set on some machines) they stay stale, so every start would compile
    ddsecure from source while its baseline (questionary, textual, helm) starts compiled."""
    compileall.compile_dir(REPO / "tui", quiet=1)
