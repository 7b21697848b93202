"""One meaning per option: README's shared-options table, every command's --help and the definitions agree."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from corscheck.cli import app

README = (Path(__file__).parents[2] / "README.md").read_text()
COMMANDS = get_command(app).commands  # type: ignore[attr-defined]
#: Shared options whose words differ per command (the table says how); audit's probing needs its own.
WORDED_PER_COMMAND = {
    "-o",
    "--origin",
    "-q",
    "--quiet",
    "-f",
    "--format",
    "--fail-on",
    "-X",
    "--method",
    "--concurrency",
    "-b",
    "--cookie",
}


def table_rows() -> list[tuple[set[str], set[str]]]:
    """(flags, commands) of each row of README's "Shared options" table."""
    section = README.split("### Shared options", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) != 3 or cells[0] in ("option", "---"):
            continue
        flags = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", " ".join(re.findall(r"`([^`]*)`", cells[0]))))
        rows.append((flags, {name.strip() for name in cells[1].split(",")}))
    return rows


def help_options(command: str) -> set[str]:
    """Every flag the command's --help lists (the option lines, not flags named in prose)."""
    text = CliRunner().invoke(app, [command, "--help"], prog_name="corscheck").stdout
    options = text.split("\nOptions:\n", 1)[1]
    flags = set()
    for line in options.splitlines():
        if line.startswith("  -"):
            head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
            flags |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", head))
    return flags


def test_the_table_has_rows():
    assert len(table_rows()) >= 10


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_takes_exactly_the_shared_options_the_table_gives_it(command):
    listed = help_options(command)
    for flags, commands in table_rows():
        if command in commands:
            assert flags <= listed, f"README says `{command}` takes {sorted(flags - listed)}"
        else:
            assert not flags & listed, f"`{command}` takes {sorted(flags & listed)}; add it to README's table"


def test_an_option_of_two_commands_is_in_the_table_and_means_one_thing():
    in_table = set().union(*(flags for flags, _ in table_rows()))
    helps: dict[str, set[str]] = defaultdict(set)
    for command in COMMANDS.values():
        for param in command.params:
            for flag in [*param.opts, *getattr(param, "secondary_opts", [])]:
                if flag.startswith("-") and flag not in ("--help", "-h"):
                    helps[flag].add(param.help or "")
    users = {flag: sum(flag in help_options(name) for name in COMMANDS) for flag in helps}
    shared = {flag for flag, count in users.items() if count > 1}
    assert shared <= in_table, f"shared but not in README's table: {sorted(shared - in_table)}"
    for flag in shared - WORDED_PER_COMMAND:
        assert len(helps[flag]) == 1, f"{flag} is described differently: {helps[flag]}"


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(COMMANDS))])
def test_dash_h_is_help_and_metavars_are_words(command):
    result = CliRunner().invoke(app, [*command, "-h"], prog_name="corscheck")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: {' '.join(['corscheck', *command])} ")
    assert not re.search(r"<(str|int|float|int range|float range|path)>", result.stdout), result.stdout
