"""README.md stays true: the --help copies, the opening commands, the config example."""

import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from corscheck.config import parse_config

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
