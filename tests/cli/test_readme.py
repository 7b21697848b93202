"""README.md stays true: the --help copies, the opening commands, the config example."""

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from corscheck.config import parse_config
from tests.browser.server import CaseServer

README = (Path(__file__).parents[2] / "README.md").read_text()


def console_block(command: str) -> str:
    match = re.search(rf"```console\n\$ {re.escape(command)}\n(.*?)```", README, re.S)
    assert match, f"README has no `$ {command}` block"
    return match.group(1)


@pytest.mark.parametrize("args", [[], ["check"]])
def test_help_copies_are_current(args):
    help_text = CliRunner().invoke(app, [*args, "--help"], prog_name="corscheck").stdout
    command = " ".join(["corscheck", *args, "--help"])
    assert console_block(command) == help_text, "README --help is stale: paste the current output"


def test_opens_with_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)[:2]
    assert blocks[0].endswith("pip install . && corscheck demo")
    assert blocks[1].endswith("pip install -e '.[test]' && python -m pytest")
    assert README.index(blocks[1]) < README.index("## What it does")


def test_config_example_is_valid():
    example = re.search(r"```toml\n(.*?)```", README, re.S).group(1)
    cases = parse_config(tomllib.loads(example), "corscheck.toml")
    assert [case.spec.origin for case in cases] == ["https://app.example", "https://evil.example", "null"]


README_API = "http://localhost:8000/api/items"


@pytest.mark.parametrize(
    "block", re.findall(r"```console\n\$ (corscheck check http://localhost:8000.*?)```", README, re.S)
)
def test_check_examples_are_what_a_real_run_prints(block):
    """The README's server (trailing slash, GET and PUT, content-type, X-Total-Count) answers a real run."""
    command, _, shown = block.partition("\n")
    shown = shown.split("$ echo $?")[0]
    cors = [
        "Access-Control-Allow-Origin: https://app.example/",
        "Access-Control-Allow-Methods: GET, PUT",
        "Access-Control-Allow-Headers: content-type",
    ]
    server = CaseServer()
    routes = {"OPTIONS": {"status": 204, "headers": cors}, "*": {"headers": [*cors, "X-Total-Count: 42"]}}
    server.register("readme", {"/api/items": routes})
    url = server.origins["case"] + "/c/readme/api/items"
    try:
        args = [url if word == README_API else word for word in shlex.split(command)[1:]]
        result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})
    finally:
        server.close()
    # Wrapping moves with the length of the URL; the words may not.
    assert result.stdout.replace(url, README_API).split() == shown.split()


def test_python_example_runs_against_an_in_process_app():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    cors = Middleware(
        CORSMiddleware, allow_origins=["https://app.example"], allow_credentials=True, allow_methods=["GET"]
    )
    app = Starlette(routes=[Route("/items", lambda request: PlainTextResponse("[]"))], middleware=[cors])
    example = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    exec(example, {"app": app})  # the example's own assert checks the verdict
