"""The pytest plugin (entry point ``pytest11``, loaded wherever corscheck is installed).

A ``cors`` fixture checks the app under test in-process, and its assertions fail with corscheck's
report. The app comes from a ``cors_app`` fixture the user defines, or the ``cors_app`` ini option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from typing import Unpack

    from corscheck.api import CheckOptions, CheckResult
    from corscheck.core.model import Verdict

INI_APP = "cors_app"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_APP,
        "The app the cors fixture checks, as 'package.module:app' (a cors_app fixture overrides it).",
    )


class Cors:
    """Checks one app in-process, as Chromium would; what the ``cors`` fixture gives a test."""

    def __init__(self, app: object) -> None:
        from corscheck.core.errors import InputError
        from corscheck.probe.apps import load_app

        try:
            #: The ASGI or WSGI app every check goes to.
            self.app = load_app(app) if isinstance(app, str) else app
        except InputError as exc:
            pytest.fail(f"cors_app: {exc}", pytrace=False)

    def check(self, url: str, *, origin: str, **options: Unpack[CheckOptions]) -> CheckResult:
        """The result of one fetch() from a page at ``origin``; ``url`` may be a path."""
        from corscheck.api import check

        return check(url, origin=origin, app=self.app, **options)

    def assert_allowed(self, url: str, *, origin: str, **options: Unpack[CheckOptions]) -> CheckResult:
        """Fail unless the page's JavaScript can read the response and every ``expose`` header, with
        no error-severity finding (the same pass rule as ``corscheck run``)."""
        __tracebackhide__ = True
        from corscheck.core.model import Verdict

        return self._expect(Verdict.ALLOWED, url, origin, options)

    def assert_blocked(self, url: str, *, origin: str, **options: Unpack[CheckOptions]) -> CheckResult:
        """Fail unless the browser blocks the page from reading the response."""
        __tracebackhide__ = True
        from corscheck.core.model import Verdict

        return self._expect(Verdict.BLOCKED, url, origin, options)

    def _expect(self, expect: Verdict, url: str, origin: str, options: CheckOptions) -> CheckResult:
        __tracebackhide__ = True
        from corscheck.config import CheckCase
        from corscheck.suite import Selection, evaluate

        result = self.check(url, origin=origin, **options)
        engine_result = result._engine_result
        case = CheckCase(f"{engine_result.method} {url}", engine_result.spec, expect, "pytest", 0)
        outcome = evaluate(case, engine_result, Selection())
        if not outcome.passed:
            reasons = "".join(f"\n  - {reason}" for reason in outcome.reasons)
            raise AssertionError(f"corscheck: {case.name} from {origin}:{reasons}\n\n{result.report()}")
        return result


@pytest.fixture
def cors_app(request: pytest.FixtureRequest) -> object:
    """The app under test: define a fixture of this name, or set ``cors_app`` in the pytest ini."""
    target = request.config.getini(INI_APP)
    if not target:
        pytest.fail(
            "the cors fixture needs the app under test: define a 'cors_app' fixture returning it,"
            " or set 'cors_app = package.module:app' in the pytest configuration",
            pytrace=False,
        )
    return target


@pytest.fixture
def cors(cors_app: object) -> Cors:
    """Check the app of ``cors_app`` in-process: ``cors.assert_allowed("/items", origin=...)``."""
    return Cors(cors_app)
