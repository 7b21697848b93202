"""corscheck against real browser engines: same server, same request, same answer?

Each engine is the oracle for its own profile: no expected result is written down anywhere. Each
case runs in a clean browser state, then through corscheck in-process with that engine's profile,
and every difference is reported.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.cases import load_cases
from tests.browser.compare import differences, run_corscheck
from tests.browser.engines import ENGINES

CASES = load_cases()
PARAMS = [
    pytest.param(engine, case, id=f"{engine.name}-{case.id}") for engine in ENGINES.values() for case in CASES
]


@pytest.mark.browser
@pytest.mark.parametrize(("engine", "case"), PARAMS)
def test_corscheck_agrees_with_the_browser(engine, case, request, case_server):
    missing = engine.missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{engine.title} conformance cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    observed = engine.run(request.getfixturevalue(engine.fixture), case_server, case)
    corscheck = run_corscheck(case, case_server, engine.name)
    problems = differences(observed, corscheck, engine.title)
    assert not problems, f"{engine.title}, {case.id} ({case.description}):\n" + "\n".join(problems)
