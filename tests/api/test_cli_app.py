"""`corscheck check --app` and `[defaults] app` in corscheck.toml: the CLI against in-process apps."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corscheck.cli import app as cli
from tests.api.apps import BROKEN, CORRECT, EVIL, PAGE

FRAMEWORKS = sorted(CORRECT)
FETCH = [
    "-X",
    "PUT",
    "-H",
    "Content-Type: application/json",
    "--credentials",
    "include",
    "-e",
    "X-Total-Count",
]


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_check_app_with_a_correct_policy_exits_0(framework):
    result = invoke(
        "check", "/items", "--app", f"tests.api.apps:{framework}_correct", "--origin", PAGE, *FETCH
    )
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ALLOWED PUT https://testserver/items from https://app.example")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_check_app_with_a_broken_policy_exits_1_with_its_finding(framework):
    target = f"tests.api.apps:{framework}_broken"
    result = invoke("check", "/items", "--app", target, "--origin", PAGE, *FETCH, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == BROKEN[framework][1]


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("tests.api.apps", "is not of the form 'package.module:attribute'"),
        ("tests.api.nowhere:app", "cannot import tests.api.nowhere"),
    ],
)
def test_a_bad_app_exits_2_with_one_line(target, words):
    result = invoke("check", "/items", "--app", target, "--origin", PAGE)
    assert result.exit_code == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_path_without_app_exits_2():
    result = invoke("check", "/items", "--origin", PAGE)
    assert result.exit_code == 2


def test_the_console_script_imports_the_app_from_the_current_directory(tmp_path):
    (tmp_path / "shop.py").write_text(
        "from starlette.applications import Starlette\n"
        "from starlette.middleware.cors import CORSMiddleware\n"
        "app = Starlette()\n"
        f"app.add_middleware(CORSMiddleware, allow_origins=[{PAGE!r}])\n"
    )
    corscheck = Path(sys.executable).with_name("corscheck")
    run = subprocess.run(
        [corscheck, "check", "/", "--app", "shop:app", "--origin", EVIL, "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # The app is found and answers (404 to /, with no CORS headers for another site): blocked.
    assert (run.returncode, run.stderr) == (1, "")


def test_an_app_whose_startup_fails_is_unreachable_exit_3(tmp_path, monkeypatch):
    (tmp_path / "no_db.py").write_text(
        "from contextlib import asynccontextmanager\n"
        "from starlette.applications import Starlette\n\n"
        "@asynccontextmanager\n"
        "async def lifespan(app):\n"
        "    raise RuntimeError('cannot connect to the database')\n"
        "    yield\n\n"
        "app = Starlette(lifespan=lifespan)\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    result = invoke("check", "/items", "--app", "no_db:app", "--origin", PAGE)
    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.endswith(
        "cannot reach https://testserver/items:"
        " the app's startup failed: RuntimeError: cannot connect to the database\n"
    )


def write_config(tmp_path, app_line):
    path = tmp_path / "corscheck.toml"
    path.write_text(
        f"""[defaults]
{app_line}
origin = "{PAGE}"
credentials = "include"
method = "PUT"
headers = {{ Content-Type = "application/json" }}

[[check]]
name = "the page saves items"
url = "/items"
expose = ["X-Total-Count"]

[[check]]
name = "other sites may not"
url = "/items"
origin = "{EVIL}"
expect = "blocked"
"""
    )
    return str(path)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_run_checks_the_app_of_the_config(tmp_path, framework):
    config = write_config(tmp_path, f'app = "tests.api.apps:{framework}_correct"')
    result = invoke("run", config, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert [check["passed"] for check in json.loads(result.stdout)["results"]] == [True, True]


def test_run_fails_a_broken_policy_of_the_config(tmp_path):
    config = write_config(tmp_path, 'app = "tests.api.apps:fastapi_broken"')
    result = invoke("run", config, "--format", "json")
    assert result.exit_code == 1
    assert [check["passed"] for check in json.loads(result.stdout)["results"]] == [False, True]


@pytest.mark.parametrize(
    ("app_line", "words"),
    [
        ('app = "not an import string"', "key 'app': must be an import string"),
        ('app = "tests.api.nowhere:app"', "cannot import tests.api.nowhere"),
    ],
)
def test_run_with_a_bad_app_exits_2(tmp_path, app_line, words):
    result = invoke("run", write_config(tmp_path, app_line))
    assert result.exit_code == 2
    assert words in result.stderr


def test_a_matrix_of_the_config_goes_to_its_app(tmp_path):
    """[defaults] app is the plan's (issue 10's lazy CheckPlan): every case it builds goes to the app,
    and --max-checks counts the matrix before the app is loaded."""
    from corscheck.config import load_config

    path = tmp_path / "corscheck.toml"
    path.write_text(
        f"""[defaults]
app = "tests.api.apps:starlette_correct"

[[check]]
name = "reads"
url = ["/items", "/items?page=2"]
origin = ["{PAGE}", "{EVIL}"]
method = ["GET", "PUT"]
headers = {{ Content-Type = "application/json" }}
"""
    )
    plan = load_config(path)
    assert plan.app == "tests.api.apps:starlette_correct"
    assert len(plan) == 8
    assert {case.app for case in plan} == {"tests.api.apps:starlette_correct"}
    assert plan[0].spec.url == "https://testserver/items"
    result = invoke("run", str(path), "--format", "json")
    results = json.loads(result.stdout)["results"]
    assert len(results) == 8
    # The page's origin is allowed, the other one blocked: every check reached the app, none the network.
    assert {r["verdict"] for r in results if r["origin"] == PAGE} == {"allowed"}
    assert {r["verdict"] for r in results if r["origin"] == EVIL} == {"blocked"}
    refused = invoke("run", str(path), "--max-checks", "4")
    assert refused.exit_code == 2
    assert "expands to 8 checks" in refused.stderr
