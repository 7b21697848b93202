"""The fuzz targets' shared settings, and the count of inputs each one tried (in the terminal summary)."""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

#: Inputs per target. The default keeps the whole fuzz set to seconds in CI; raise it for a long run:
#: CORSCHECK_FUZZ_EXAMPLES=100000 pytest tests/fuzz
EXAMPLES = int(os.environ.get("CORSCHECK_FUZZ_EXAMPLES", "400"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the first call of a target pays for imports
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

#: Target name → inputs tried (shrinking included), filled in by each test body.
TRIED: Counter[str] = Counter()


def pytest_configure(config) -> None:
    # With filterwarnings = error, this deprecation inside hypothesis's own failure report turns a
    # falsifying example into an INTERNALERROR that hides it.
    config.addinivalue_line(
        "filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz inputs tried")
    for name, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{name:<48} {count:>8}")
    terminalreporter.write_line(f"{'total':<48} {sum(TRIED.values()):>8}")
