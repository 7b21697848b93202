"""action.yml: its shell steps, run as GitHub would run them, against a real loopback server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ACTION = yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text())
PAGE = "https://app.example"


def steps() -> dict[str, dict]:
    return {step["id"]: step for step in ACTION["runs"]["steps"] if "id" in step}


def expand(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """GitHub's ${{ inputs.x }} and ${{ steps.run.outputs.x }}, the only expressions the shell steps use."""

    def replace(match: re.Match[str]) -> str:
        kind, name = match[1], match[2]
        return inputs[name] if kind == "inputs" else outputs[name]

    return re.sub(r"\$\{\{\s*(inputs|steps\.run\.outputs)\.([\w-]+)\s*\}\}", replace, value)


def run_step(step_id: str, tmp_path: Path, inputs: dict[str, str], outputs: dict[str, str]) -> int:
    step = steps()[step_id]
    assert step["shell"] == "bash"
    output_file = tmp_path / f"{step_id}.out"
    output_file.write_text("")
    env = {name: expand(str(value), inputs, outputs) for name, value in step.get("env", {}).items()}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    environment = {**os.environ, **env, "PATH": path, "GITHUB_OUTPUT": str(output_file)}
    environment["GITHUB_ACTION_PATH"] = str(Path(__file__).parents[2])
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=environment, timeout=60)
    for line in output_file.read_text().splitlines():
        name, _, value = line.partition("=")
        outputs[name] = value
    return done.returncode


def test_install_step_installs_this_repository():
    assert '"$GITHUB_ACTION_PATH"' in steps()["install"]["run"]


@pytest.mark.parametrize(("allowed", "code"), [(True, 0), (False, 1)])
def test_run_then_verdict_write_sarif_and_fail_the_job_like_corscheck(tmp_path, server, allowed, code):
    server.route("/items", ("Access-Control-Allow-Origin", PAGE if allowed else "https://elsewhere.example"))
    (tmp_path / "corscheck.toml").write_text(
        f'[[check]]\nurl = "{server.url("/items")}"\norigin = "{PAGE}"\n'
    )
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    outputs: dict[str, str] = {}
    assert run_step("run", tmp_path, inputs, outputs) == 0  # the run step never fails: the upload must happen
    assert outputs["exit-code"] == str(code)
    sarif = json.loads((tmp_path / inputs["sarif-file"]).read_text())
    assert bool(sarif["runs"][0]["results"]) is not allowed
    assert run_step("verdict", tmp_path, inputs, outputs) == code


def test_args_reach_corscheck(tmp_path, server):
    (tmp_path / "corscheck.toml").write_text(f'[[check]]\nurl = "{server.url("/")}"\norigin = "{PAGE}"\n')
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    outputs: dict[str, str] = {}
    run_step("run", tmp_path, {**inputs, "args": "--select NOPE-CODE"}, outputs)
    assert outputs["exit-code"] == "2"
