"""Shared fixtures: where the reference data and (optionally) the real chart live."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("DDSECURE_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
CHART_REFERENCE = REFERENCE / "chart-3.240.0"
REFERENCE_VALUES = CHART_REFERENCE / "values.yaml"  # the chart's own values.yaml
_NO_REFERENCE = f"reference chart values not found at {REFERENCE_VALUES} (set DDSECURE_REFERENCE_DIR)"
needs_reference = pytest.mark.skipif(not REFERENCE_VALUES.is_file(), reason=_NO_REFERENCE)

# The real chart and tools, as CI has them: the chart beside the checkout (../shared/charts) unless
# DDSECURE_CHART_DIR names another, and the pinned helm/kubectl that .ci/install-k8s-tools puts in .tools/bin.
_SHARED_CHART = REPO.parent / "shared" / "charts" / "datadog-3.240.0"
if not os.environ.get("DDSECURE_CHART_DIR") and (_SHARED_CHART / "Chart.yaml").is_file():
    os.environ["DDSECURE_CHART_DIR"] = str(_SHARED_CHART)
if (REPO / ".tools" / "bin" / "helm").is_file():
    os.environ["PATH"] = f"{REPO / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def reference_values() -> dict:
    if not REFERENCE_VALUES.is_file():
        pytest.skip(_NO_REFERENCE)
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(REFERENCE_VALUES.read_text())


@pytest.fixture(scope="session")
def reference_schema() -> dict:
    import json

    path = CHART_REFERENCE / "values.schema.json"
    if not path.is_file():
        pytest.skip(f"reference chart schema not found at {path}")
    return json.loads(path.read_text())


def real_chart() -> tuple[Path, str, str] | None:
    """(chart dir, helm, kubectl) when DDSECURE_CHART_DIR points at a renderable chart."""
    chart = os.environ.get("DDSECURE_CHART_DIR")
    helm = shutil.which("helm")
    kubectl = shutil.which("kubectl")
    if not chart or not Path(chart, "Chart.yaml").is_file() or not helm or not kubectl:
        return None
    return Path(chart), helm, kubectl


_NO_CHART = (
    "real chart not available: set DDSECURE_CHART_DIR to a renderable datadog chart and put helm and kubectl on PATH"
)
_REAL_CHART = real_chart()
# Skip markers are defined in this file only: test modules import them (and CHART_DIR) from here.
# The chart directory the real-helm tests render (None without one; those tests are marked `needs_chart`).
CHART_DIR = _REAL_CHART[0] if _REAL_CHART else None

needs_chart = pytest.mark.skipif(_REAL_CHART is None, reason=_NO_CHART)


@pytest.fixture(scope="session")
def chart_tools() -> tuple[Path, str, str]:
    if _REAL_CHART is None:
        pytest.skip(_NO_CHART)
    return _REAL_CHART
