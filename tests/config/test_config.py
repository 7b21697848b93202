"""corscheck.toml parsing: matrix expansion, defaults, and errors that name file, check and key."""

import tomllib

import pytest

from corscheck.config import ConfigError, find_config, load_config, parse_config
from corscheck.core.model import Credentials, Verdict

EXAMPLE = """\
[defaults]
base_url = "https://staging.example.com"
origin = "https://app.example.com"
credentials = "include"

[[check]]
name = "app lists tasks"
url = "/tasks"
expose = ["x-total-count"]
expect = "allowed"

[[check]]
name = "app creates and deletes tasks"
url = "/tasks"
method = ["POST", "DELETE"]
headers = { "Content-Type" = "application/json", "Authorization" = "Bearer x" }

[[check]]
name = "unknown origins are refused"
url = "/tasks"
origin = ["https://evil.example.com", "null", "https://app.example.com.evil.net"]
expect = "blocked"
"""


@pytest.fixture
def example(tmp_path):
    path = tmp_path / "corscheck.toml"
    path.write_text(EXAMPLE)
    return path


def test_example_expands_into_a_matrix(example):
    cases = load_config(example)
    assert [c.name for c in cases] == [
        "app lists tasks",
        "app creates and deletes tasks [POST /tasks from https://app.example.com]",
        "app creates and deletes tasks [DELETE /tasks from https://app.example.com]",
        "unknown origins are refused [GET /tasks from https://evil.example.com]",
        "unknown origins are refused [GET /tasks from null]",
        "unknown origins are refused [GET /tasks from https://app.example.com.evil.net]",
    ]
    first = cases[0]
    assert first.spec.url == "https://staging.example.com/tasks"
    assert first.spec.credentials is Credentials.INCLUDE
    assert first.spec.expose == ("x-total-count",)
    assert first.expect is Verdict.ALLOWED
    assert cases[1].spec.headers == (("Content-Type", "application/json"), ("Authorization", "Bearer x"))
    assert cases[-1].expect is Verdict.BLOCKED
    assert [c.line for c in cases] == [6, 12, 12, 18, 18, 18]


def test_base_url_override(example):
    cases = load_config(example, base_url="http://127.0.0.1:8080/api")
    assert cases[0].spec.url == "http://127.0.0.1:8080/api/tasks"


def test_pyproject_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\n\n[tool.corscheck.defaults]\norigin = "https://a.example"\n\n[[tool.corscheck.check]]\nname = "one"\nurl = "https://b.example/x"\n'
    )
    assert find_config(tmp_path) == path
    (case,) = load_config(path)
    assert case.name == "one" and case.line == 7


def test_find_config_prefers_corscheck_toml(tmp_path, example):
    (tmp_path / "pyproject.toml").write_text("[tool.corscheck]\n")
    assert find_config(tmp_path) == example
    assert find_config(tmp_path / "nowhere") is None


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ('name = "c"\nurl = "/x"\nmethods = "GET"', "check 'c': key 'methods': unknown key"),
        ('name = "c"\nurl = "/x"\nmethod = 3', "check 'c': key 'method': must be a string"),
        (
            'name = "c"\nurl = "/x"\norigin = "https://a.example/"',
            "check 'c': key 'origin': origin 'https://a.example/' has a path",
        ),
        ('name = "c"\nurl = "/x"\nmethod = "TRACE"', "check 'c': key 'method': method 'TRACE' is forbidden"),
        ('name = "c"\nurl = "/x"\ncredentials = "all"', "check 'c': key 'credentials'"),
        ('name = "c"\nurl = "/x"\nexpect = "error"', "check 'c': key 'expect'"),
        ('name = "c"\nurl = "/x"\nheaders = { "Bad Name" = "1" }', "check 'c': key 'headers'"),
        ('name = "c"\nurl = "/x"\nexpose = "x-a"', "check 'c': key 'expose'"),
        ('name = ""\nurl = "/x"', "key 'name'"),
    ],
)
def test_errors_name_file_check_and_key(tmp_path, check, message):
    path = tmp_path / "corscheck.toml"
    path.write_text(
        f'[defaults]\nbase_url = "https://api.example"\norigin = "https://a.example"\n\n[[check]]\n{check}\n'
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_bad_url_without_base(tmp_path):
    with pytest.raises(ConfigError, match="key 'url'"):
        parse_config({"check": [{"name": "c", "url": "/x", "origin": "https://a.example"}]}, "f.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[check]\n", "invalid TOML"),
        ("[defaults]\nbase_url = 1\n", "key 'base_url'"),
        ("[defaults]\nfoo = 1\n", "[defaults]': key 'foo'"),
        ("[extra]\n", "key 'extra'"),
        ("check = 1\n", "key 'check'"),
    ],
)
def test_file_level_errors(tmp_path, text, message):
    path = tmp_path / "corscheck.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\n")
    with pytest.raises(ConfigError, match=r"no \[tool.corscheck\]"):
        load_config(path)


def test_browser_facts_keys(tmp_path):
    path = tmp_path / "corscheck.toml"
    path.write_text(
        '[defaults]\norigin = "https://a.example"\nlna_permission = "denied"\n\n'
        '[[check]]\nname = "c"\nurl = "https://api.example/x"\nmode = "no-cors"\nexpect = "opaque"\n'
        'csp = "connect-src \'self\'"\ncoep = "require-corp"\ntarget_address_space = "local"\n'
    )
    [case] = load_config(path)
    spec = case.spec
    assert (spec.mode, spec.lna_permission, spec.target_address_space) == ("no-cors", "denied", "local")
    assert (spec.page.csp, spec.page.coep, case.expect) == (("connect-src 'self'",), "require-corp", "opaque")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('mode = "navigate"', "key 'mode': must be one of cors, no-cors, same-origin"),
        ('lna_permission = "yes"', "key 'lna_permission'"),
        ('target_address_space = "private"', "key 'target_address_space'"),
        ("csp = 1", "key 'csp'"),
        ("coep = []", "key 'coep'"),
    ],
)
def test_browser_facts_errors(line, message):
    check = {"name": "c", "url": "https://api.example/x", "origin": "https://a.example"}
    check.update(tomllib.loads(line))
    with pytest.raises(ConfigError, match=message):
        parse_config({"check": [check]}, "f.toml")
