"""Shared fixtures: where the reference data and (optionally) the real chart live."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("DDSECURE_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
CHART_REFERENCE = REFERENCE / "chart-3.240.0"

# The real chart and tools, as CI has them: the chart beside the checkout (../shared/charts) unless
# DDSECURE_CHART_DIR names another, and the pinned helm/kubectl that .ci/install-k8s-tools puts in .tools/bin.
_SHARED_CHART = REPO.parent / "shared" / "charts" / "datadog-3.240.0"
if not os.environ.get("DDSECURE_CHART_DIR") and (_SHARED_CHART / "Chart.yaml").is_file():
    os.environ["DDSECURE_CHART_DIR"] = str(_SHARED_CHART)
if (REPO / ".tools" / "bin" / "helm").is_file():
    os.environ["PATH"] = f"{REPO / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def reference_values() -> dict:
    if not (CHART_REFERENCE / "values.yaml").is_file():
        pytest.skip(f"reference chart values not found at {CHART_REFERENCE} (set DDSECURE_REFERENCE_DIR)")
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load((CHART_REFERENCE / "values.yaml").read_text())


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


@pytest.fixture(scope="session")
def chart_tools() -> tuple[Path, str, str]:
    found = real_chart()
    if found is None:
        pytest.skip(
            "real chart not available: set DDSECURE_CHART_DIR to a renderable datadog chart "
            "and put helm and kubectl on PATH"
        )
    return found
