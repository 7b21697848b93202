"""The pytest plugin (entry point ``pytest11``, loaded wherever corscheck is installed).

A ``cors`` fixture checks the app under test in-process, and its assertions fail with corscheck's
report. The app comes from a ``cors_app`` fixture the user defines, or the ``cors_app`` ini option.
A corscheck.toml named on the command line (or in ``testpaths``) runs as one test per check.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from typing import Unpack

    from corscheck import CheckOptions, CheckResult
    from corscheck.config import CheckCase
    from corscheck.core.model import Verdict
    from corscheck.suite import CaseOutcome

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
            raise AssertionError(_failure(f"{case.name} from {origin}", outcome))
        return result


def _failure(title: str, outcome: CaseOutcome) -> str:
    """Why a check failed, then the report ``corscheck check`` prints for it."""
    from corscheck.report import RenderOptions, reporter

    reasons = "".join(f"\n  - {reason}" for reason in outcome.reasons)
    return f"corscheck: {title}:{reasons}\n\n{reporter('text')(outcome.result, RenderOptions())}"


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


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """corscheck.toml, only when named as a path to test: never picked up by surprise."""
    if file_path.name == "corscheck.toml" and parent.session.isinitpath(file_path):
        return ConfigFile.from_parent(parent, path=file_path)
    return None


class ConfigFile(pytest.File):
    """A corscheck.toml: one test item per expanded check, as ``corscheck run`` runs them."""

    def collect(self) -> Iterator[pytest.Item]:
        from corscheck.config import ConfigError, load_config

        try:
            cases = load_config(self.path)
        except ConfigError as exc:
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield ConfigCheck.from_parent(self, name=case.name, case=case)


class ConfigCheck(pytest.Item):
    """One check of a corscheck.toml."""

    def __init__(self, *, case: CheckCase, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.case = case

    def runtest(self) -> None:
        from corscheck.core.errors import InputError
        from corscheck.probe import app_transport, run_check
        from corscheck.probe.apps import load_app
        from corscheck.suite import Selection, evaluate

        try:
            transport = None if self.case.app is None else app_transport(load_app(self.case.app))
        except InputError as exc:
            raise CheckFailed(f"corscheck: {self.path.name}: {exc}") from None
        outcome = evaluate(self.case, run_check(self.case.spec, transport=transport), Selection())
        if not outcome.passed:
            raise CheckFailed(_failure(self.case.name, outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"corscheck: {self.case.name}"


class CheckFailed(Exception):
    """A corscheck.toml check that did not meet its expectation (reported without a traceback)."""
