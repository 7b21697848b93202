"""check --from-curl / --from-fetch: a real DevTools copy checked end to end, bad copies exit 2."""

import json

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from tests.browser.server import CaseServer
from tests.inputs.test_devtools_copies import RECORDS, repoint


@pytest.fixture(scope="module")
def server():
    server = CaseServer()
    for record in RECORDS:
        server.register(record["id"], record["routes"])
    yield server
    server.close()


def run(*args, stdin=None):
    return CliRunner().invoke(app, ["check", *args], input=stdin, prog_name="corscheck")


@pytest.mark.parametrize(
    ("case_id", "flavour", "code"),
    [
        ("get-allowed", "curl_bash", 0),
        ("delete-preflight-404", "curl_cmd", 1),
        ("put-credentials-allowed", "fetch", 0),
    ],
)
def test_copy_checked_as_the_browser_sent_it(server, case_id, flavour, code):
    record = next(r for r in RECORDS if r["id"] == case_id)
    option = "--from-fetch" if flavour.startswith("fetch") else "--from-curl"
    result = run(
        option, "-", "--json", "--no-probe-reflection", stdin=repoint(record[flavour], record, server)
    )
    assert result.exit_code == code, result.stderr
    report = json.loads(result.stdout)
    assert report["origin"] == server.origins["page"]
    assert report["verdict"] == ("allowed" if record["browser_allowed"] else "blocked")


@pytest.mark.parametrize(
    "args",
    [
        ["--from-curl", "curl 'https://a.example/' --frobnicate"],
        ["--from-curl", "curl 'https://a.example/ -H 'Origin: https://b.example'"],
        ["--from-fetch", "fetch(nope)"],
        ["https://a.example/", "--from-curl", "curl 'https://a.example/' -H 'Origin: https://b.example'"],
        ["--from-curl", "curl 'https://a.example/' -H 'Origin: https://b.example'", "-X", "PUT"],
        ["https://a.example/"],
    ],
)
def test_bad_copies_are_one_line_and_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("corscheck: error:")


def test_a_copied_put_gets_a_fix_about_put(server):
    server.register(
        "put-get-post",
        {
            "/r": {
                "OPTIONS": {
                    "status": 204,
                    "headers": [
                        "Access-Control-Allow-Origin: https://app.example",
                        "Access-Control-Allow-Methods: GET, POST",
                    ],
                }
            }
        },
    )
    url = server.origins["case"] + "/c/put-get-post/r"
    copied = f"curl '{url}' -X 'PUT' -H 'Origin: https://app.example' -H 'User-Agent: Mozilla/5.0'"
    result = run("--from-curl", copied, "--json", "--no-probe-reflection")
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "CORS-METHOD-NOT-ALLOWED"]
    assert "`Access-Control-Allow-Methods: GET, POST, PUT`" in finding["fix"]
    assert "PATCH" not in finding["fix"]
