"""Tests find the reference data through conftest, so DDSECURE_REFERENCE_DIR moves all of them at once."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
# A path built to ../shared by hand: the "shared" directory name as a string literal or path segment.
_OWN_PATH = re.compile(r"""["']shared["']|\.\./shared|shared/reference""")


def test_only_conftest_knows_where_the_reference_lives():
    offenders = [
        path.name
        for path in sorted(TESTS.glob("*.py"))
        if path.name not in {"conftest.py", Path(__file__).name} and _OWN_PATH.search(path.read_text())
    ]
    assert offenders == []
