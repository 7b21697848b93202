"""corscheck against headless Chromium: same server, same request, same answer?

Chromium is the oracle: no expected result is written down anywhere. Each case runs in a fresh
browser context, then through corscheck in-process, and every difference is reported.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from tests.browser.cases import load_cases
from tests.browser.chromium import CHROMIUM, run_in_chromium


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (set CORSCHECK_CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed"
    return None


_MISSING = _missing_requirement()
if _MISSING is not None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser conformance suite cannot run in CI: {_MISSING}", pytrace=False)
    pytest.skip(
        f"{_MISSING}; enable with: apt-get install chromium && pip install -e '.[test]'",
        allow_module_level=True,
    )

from tests.browser.compare import differences, run_corscheck  # noqa: E402

CASES = load_cases()


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_corscheck_agrees_with_chromium(case, chromium, case_server):
    observed = run_in_chromium(chromium, case_server, case)
    corscheck = run_corscheck(case, case_server)
    problems = differences(observed, corscheck)
    assert not problems, f"{case.id} ({case.description}):\n" + "\n".join(problems)
