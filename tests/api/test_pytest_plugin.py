"""The pytest plugin as a user meets it: a cors fixture, and failures that read as corscheck's report."""

import pytest

from tests.api.apps import BROKEN, CORRECT, build

FRAMEWORKS = sorted(CORRECT)


@pytest.fixture(autouse=True, scope="module")
def _apps_built_here():
    """Build the apps (and import the frameworks) in this process: pytester's inline runs drop the
    modules they import, and an app whose Django was dropped would meet an unconfigured one."""
    for framework in FRAMEWORKS:
        build(framework, "correct")
        build(framework, "broken")


USER_TESTS = """
import pytest

PAGE = "https://app.example"
FETCH = dict(method="PUT", headers={"Content-Type": "application/json"}, credentials="include",
             expose=["X-Total-Count"])


@pytest.fixture(params=%r)
def cors_app(request):
    from tests.api.apps import build
    return build(request.param, %r)


def test_page_reads_items(cors):
    cors.assert_allowed("/items", origin=PAGE, **FETCH)


def test_other_sites_may_not(cors):
    cors.assert_blocked("/items", origin="https://evil.example", **FETCH)
"""


def test_correct_policies_pass(pytester):
    pytester.makepyfile(test_api=USER_TESTS % (FRAMEWORKS, "correct"))
    pytester.runpytest().assert_outcomes(passed=2 * len(FRAMEWORKS))


def test_a_broken_policy_fails_with_the_report(pytester):
    pytester.makepyfile(test_api=USER_TESTS % (["fastapi"], "broken"))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: corscheck: PUT /items from https://app.example:",
            "*  - expected allowed, got blocked",
            "*BLOCKED PUT https://testserver/items from https://app.example (credentials: include)",
            "*Chromium console",
            "*Access to fetch at 'https://testserver/items' from origin 'https://app.example' has been*",
            "*error  CORS-CREDENTIALS-NOT-TRUE",
            "*fix: *",
        ]
    )
    # The user's line is shown, not the plugin's internals.
    result.stdout.fnmatch_lines(["*cors.assert_allowed(*"])
    result.stdout.no_fnmatch_line("*def _expect*")


def test_every_broken_policy_fails_assert_allowed(pytester):
    pytester.makepyfile(test_api=USER_TESTS % (FRAMEWORKS, "broken"))
    result = pytester.runpytest("-k", "page_reads_items")
    result.assert_outcomes(failed=len(FRAMEWORKS))
    for report in result.reprec.getfailures():
        framework = report.nodeid.split("[")[1].rstrip("]")
        assert "  - expected allowed, got blocked" in report.longreprtext
        assert f"error  {BROKEN[framework][1]}" in report.longreprtext


def test_unreadable_expose_header_fails_assert_allowed(pytester):
    pytester.makeconftest(
        "import pytest\n@pytest.fixture\ndef cors_app():\n"
        "    from tests.api.apps import build\n    return build('starlette', 'correct')\n"
    )
    pytester.makepyfile(
        "def test_it(cors):\n"
        "    cors.assert_allowed('/items', origin='https://app.example', expose=['X-Request-Id'])\n"
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*  - JavaScript cannot read X-Request-Id*", "*CORS-EXPOSE-MISSING*"])


def test_assert_blocked_fails_when_the_page_can_read(pytester):
    pytester.makeini("[pytest]\ncors_app = tests.api.apps:django_correct\n")
    pytester.makepyfile(
        "def test_it(cors):\n    cors.assert_blocked('/items', origin='https://app.example')\n"
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected blocked, got allowed*", "*ALLOWED GET https://testserver/items*"])


def test_the_ini_option_names_the_app(pytester):
    pytester.makeini("[pytest]\ncors_app = tests.api.apps:flask_correct\n")
    pytester.makepyfile(
        "def test_it(cors):\n"
        "    result = cors.assert_allowed('/items', origin='https://app.example', credentials='include')\n"
        "    assert result.verdict == 'allowed'\n"
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_without_an_app_the_fixture_says_how_to_give_one(pytester):
    pytester.makepyfile("def test_it(cors):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*define a 'cors_app' fixture returning it, or set 'cors_app = *"])


def test_a_bad_import_string_is_one_line(pytester):
    pytester.makeini("[pytest]\ncors_app = tests.api.apps:nothing_here\n")
    pytester.makepyfile("def test_it(cors):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cors_app: app 'tests.api.apps:nothing_here': *has no attribute*"])
    result.stdout.no_fnmatch_line("*Traceback*")


CONFIG = """[defaults]
app = "tests.api.apps:%s"
origin = "https://app.example"
credentials = "include"

[[check]]
name = "the page reads items"
url = "/items"
expose = ["X-Total-Count"]

[[check]]
name = "other sites may not"
url = "/items"
origin = "https://evil.example"
expect = "blocked"
"""


def test_a_named_corscheck_toml_runs_one_test_per_check(pytester):
    pytester.makefile(".toml", corscheck=CONFIG % "starlette_correct")
    result = pytester.runpytest("corscheck.toml", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["corscheck.toml::the page reads items PASSED*"])


def test_a_failing_config_check_shows_the_report_without_a_traceback(pytester):
    pytester.makefile(".toml", corscheck=CONFIG % "flask_broken")
    result = pytester.runpytest("corscheck.toml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*corscheck: the page reads items:",
            "*  - expected allowed, got blocked",
            "*error  CORS-CREDENTIALS-NOT-TRUE*",
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")


def test_corscheck_toml_is_not_collected_unless_named(pytester):
    pytester.makefile(".toml", corscheck=CONFIG % "flask_broken")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_invalid_config_is_a_collection_error_naming_the_key(pytester):
    pytester.makefile(
        ".toml", corscheck=CONFIG.replace('credentials = "include"', 'credentials = "all"') % "flask_correct"
    )
    result = pytester.runpytest("corscheck.toml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*key 'credentials': must be omit, same-origin or include*"])
