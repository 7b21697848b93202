"""The README's "In your test suite" examples, copied verbatim, pass against real apps."""

import re
from pathlib import Path

SECTION = (
    (Path(__file__).parents[2] / "README.md").read_text().split("## In your test suite")[1].split("\n## ")[0]
)

FASTAPI_APP = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example"],
    allow_credentials=True,
    expose_headers=["X-Total-Count"],
)


@app.get("/items")
def items():
    return PlainTextResponse("[]", headers={"X-Total-Count": "0"})
"""

FLASK_APP = """
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://partner.example"])


@app.post("/orders")
def orders():
    return {"id": 1}
"""


def blocks():
    """The section's code blocks as (file its first line names, code)."""
    return re.findall(r"```(?:python|toml)\n# (\S+)\n(.*?)```", SECTION, re.S)


def test_the_section_has_the_fastapi_and_flask_examples():
    assert [name for name, _ in blocks()] == [
        "conftest.py",
        "test_cors.py",
        "pyproject.toml",
        "tests/test_cors.py",
    ]


def test_the_fastapi_example_passes(pytester):
    (fixture, tests) = blocks()[:2]
    pytester.makepyfile(**{"myproject/__init__": "", "myproject/main": FASTAPI_APP})
    pytester.makeconftest(fixture[1])
    pytester.makepyfile(test_cors=tests[1])
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_flask_example_passes(pytester):
    (config, tests) = blocks()[2:]
    pytester.makepyfile(**{"myproject/__init__": "", "myproject/web": FLASK_APP})
    pytester.makefile(".toml", pyproject=config[1])
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests/test_cors.py").write_text(tests[1])
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_broken_fastapi_policy_fails_the_example(pytester):
    (fixture, tests) = blocks()[:2]
    broken = FASTAPI_APP.replace("    allow_credentials=True,\n", "")
    pytester.makepyfile(**{"myproject/__init__": "", "myproject/main": broken})
    pytester.makeconftest(fixture[1])
    pytester.makepyfile(test_cors=tests[1])
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*CORS-CREDENTIALS-NOT-TRUE*"])
