"""Each framework's real server, configured wrongly as people do: corscheck recognises the middleware
and names the setting to change. The guess never changes the verdict."""

import json
from dataclasses import replace

import pytest

import corscheck.core.engine as engine
from corscheck.core.engine import Exchange
from corscheck.core.model import CheckResult, Credentials, RequestSpec, Verdict
from corscheck.probe import run_check
from tests.fixes import servers

pytestmark = pytest.mark.slow

ORIGIN = "https://app.example"
SERVER_CODES = ("LINT-SERVER-RECOGNISED", "LINT-SERVER-SETTING")

STARLETTE_SLASH = (
    "from starlette.middleware.cors import CORSMiddleware\n"
    'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example/"], allow_methods=["GET"])\n'
)


def check(url: str, **request) -> CheckResult:
    return run_check(RequestSpec(url=url, origin=ORIGIN, probe_reflection=False, **request), timeout=5)


def settings(result: CheckResult) -> dict[str, dict]:
    """LINT-SERVER-SETTING details by setting name."""
    return {f.details["setting"]: f.details for f in result.findings if f.code == "LINT-SERVER-SETTING"}


def recognised(result: CheckResult) -> list[str]:
    return [guess.framework for guess in result.servers]


def replay_without_guesses(result: CheckResult, monkeypatch) -> CheckResult:
    """The same responses through the engine with no body read and no fingerprint matched."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "recognise", lambda heads: ())
        exchange = Exchange(result.spec)
        for step in result.steps:
            assert exchange.next_request() == step.request
            exchange.receive(replace(step.response, body=b""))
        return exchange.result()


def assert_guess_changes_no_verdict(result: CheckResult, monkeypatch) -> None:
    bare = replay_without_guesses(result, monkeypatch)
    assert bare.servers == ()
    assert (bare.verdict, bare.browser_message, bare.exposed_headers) == (
        result.verdict,
        result.browser_message,
        result.exposed_headers,
    )
    kept = [f for f in result.findings if f.code not in (*SERVER_CODES, "LINT-PREFLIGHT-AUTH-LAYER")]
    assert [f for f in bare.findings if f.code != "LINT-PREFLIGHT-AUTH-LAYER"] == kept


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_starlette_trailing_slash_in_allow_origins_refuses_the_preflight(framework, monkeypatch):
    with servers.SERVERS[framework](STARLETTE_SLASH) as url:
        result = check(url, method="PUT")
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"  # the browser's reason stays first
    assert result.servers[0].framework == "starlette" and result.servers[0].confidence == "certain"
    found = settings(result)
    assert found["allow_origins"]["value"] == [ORIGIN] and found["allow_origins"]["confidence"] == "certain"
    assert found["allow_methods"]["value"] == ["GET", "PUT"]
    assert "LINT-PREFLIGHT-AUTH-LAYER" not in [f.code for f in result.findings]
    assert_guess_changes_no_verdict(result, monkeypatch)


def test_starlette_names_the_disallowed_header():
    snippet = (
        "from starlette.middleware.cors import CORSMiddleware\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"], allow_methods=["*"])\n'
    )
    with servers.starlette(snippet) as url:
        result = check(url, method="PUT", headers=(("X-Api-Key", "k"),))
    assert result.findings[0].code == "CORS-PREFLIGHT-STATUS"
    allow_headers = settings(result)["allow_headers"]
    assert allow_headers["value"][-1] == "x-api-key" and allow_headers["confidence"] == "certain"


def test_starlette_simple_request_from_an_unlisted_origin():
    snippet = (
        "from starlette.middleware.cors import CORSMiddleware\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example/"], expose_headers=["x-total-count"])\n'
    )
    with servers.starlette(snippet) as url:
        result = check(url)
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"
    assert settings(result)["allow_origins"]["value"] == [ORIGIN]


CRASHING_ROUTE = (
    "from starlette.middleware.cors import CORSMiddleware\n"
    "def boom(request):\n    raise RuntimeError('bug')\n"
    'app.add_route("/items/boom", boom)\n'
)


def test_starlette_500_names_the_middleware_order_and_the_named_fix_works(monkeypatch):
    broken = CRASHING_ROUTE + 'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"])\n'
    with servers.starlette(broken) as url:
        result = check(url + "/boom")
    assert result.verdict is Verdict.BLOCKED and result.actual.response.status == 500
    order = settings(result)["middleware order"]
    assert "CORSMiddleware(app" in next(f.message for f in result.findings if f.code == "LINT-SERVER-SETTING")
    assert order["framework"] == "starlette"
    assert_guess_changes_no_verdict(result, monkeypatch)
    fixed = CRASHING_ROUTE + 'app = CORSMiddleware(app, allow_origins=["https://app.example"])\n'
    with servers.starlette(fixed) as url:
        after = check(url + "/boom")
    # The browser now lets JavaScript read the 500 and its body, instead of "Failed to fetch".
    assert after.verdict is Verdict.ALLOWED and after.actual.response.status == 500


def test_flask_cors_trailing_slash(monkeypatch):
    with servers.flask('from flask_cors import CORS\nCORS(app, origins=["https://app.example/"])\n') as url:
        result = check(url, method="PUT")
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"
    assert recognised(result)[0] == "flask"
    origins = settings(result)["origins"]
    assert origins["value"] == [ORIGIN] and origins["confidence"] == "possible"
    assert_guess_changes_no_verdict(result, monkeypatch)


def test_flask_cors_without_supports_credentials():
    snippet = 'from flask_cors import CORS\nCORS(app, origins=["https://app.example"])\n'
    with servers.flask(snippet) as url:
        result = check(url, credentials=Credentials.INCLUDE)
    assert result.findings[0].code == "CORS-CREDENTIALS-NOT-TRUE"
    assert settings(result)["supports_credentials"]["value"] is True


DJANGO_CORS_LAST = (
    'INSTALLED_APPS += ["corsheaders"]\n'
    'MIDDLEWARE.append("corsheaders.middleware.CorsMiddleware")\n'
    'CORS_ALLOWED_ORIGINS = ["https://app.example"]\n'
)


def test_django_append_slash_redirect_before_cors_middleware(monkeypatch):
    with servers.django(DJANGO_CORS_LAST) as url:
        result = check(url + "/slashed")
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-ORIGIN-MISSING" and result.steps[0].response.status == 301
    middleware = settings(result)["MIDDLEWARE"]
    assert middleware["framework"] == "django"
    assert_guess_changes_no_verdict(result, monkeypatch)
    # The named fix: CorsMiddleware first, and the redirect now carries the CORS headers.
    with servers.django(DJANGO_CORS_LAST.replace("MIDDLEWARE.append(", "MIDDLEWARE.insert(0, ")) as url:
        assert check(url + "/slashed").verdict is Verdict.ALLOWED


def test_django_unlisted_origin_is_recognised_by_its_lower_case_vary():
    snippet = DJANGO_CORS_LAST.replace("https://app.example", "https://other.example")
    with servers.django(snippet) as url:
        result = check(url, method="PUT")
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"
    assert recognised(result)[0] == "django"
    assert settings(result)["CORS_ALLOWED_ORIGINS"]["value"] == [ORIGIN]


def test_express_trailing_slash_is_the_configured_value(monkeypatch):
    with servers.express(
        'const cors = require("cors");\napp.use(cors({origin: "https://app.example/"}));\n'
    ) as url:
        result = check(url)
    assert result.findings[0].code == "CORS-ORIGIN-MISMATCH"
    assert result.servers[0].framework == "express" and result.servers[0].confidence == "certain"
    origin = settings(result)["origin"]
    assert origin["value"] == [ORIGIN]
    assert 'origin: "https://app.example"' in next(
        f.message for f in result.findings if f.code == "LINT-SERVER-SETTING"
    )
    assert_guess_changes_no_verdict(result, monkeypatch)


def test_express_missing_exposed_header():
    with servers.express(
        'const cors = require("cors");\napp.use(cors({origin: "https://app.example"}));\n'
    ) as url:
        result = check(url, expose=("X-Total-Count",))
    assert result.verdict is Verdict.ALLOWED and result.unreadable_expose == ("X-Total-Count",)
    assert settings(result)["exposedHeaders"]["value"] == ["x-total-count"]


def test_fastify_trailing_slash_is_the_configured_value(monkeypatch):
    with servers.fastify('{origin: "https://app.example/", methods: ["GET"]}') as url:
        result = check(url)
        preflighted = check(url, method="PUT")
    assert result.findings[0].code == "CORS-ORIGIN-MISMATCH"
    assert result.servers[0].framework == "fastify"
    assert settings(result)["origin"]["value"] == [ORIGIN]
    assert_guess_changes_no_verdict(result, monkeypatch)
    assert preflighted.findings[0].code == "CORS-ORIGIN-MISMATCH"  # checked before the method
    assert settings(preflighted)["origin"]["value"] == [ORIGIN]


AIOHTTP_SLASH = (
    "import aiohttp_cors\n"
    'cors = aiohttp_cors.setup(app, defaults={"https://app.example/": aiohttp_cors.ResourceOptions()})\n'
    "cors_routes(cors)\n"
)


def test_aiohttp_cors_trailing_slash_refuses_the_preflight_with_403(monkeypatch):
    with servers.aiohttp(AIOHTTP_SLASH) as url:
        result = check(url, method="PUT")
    assert result.preflight.response.status == 403
    assert result.servers[0].framework == "aiohttp" and result.servers[0].confidence == "certain"
    assert settings(result)["defaults"]["value"] == [ORIGIN]
    # A CORS refusal, not an authentication layer.
    assert "LINT-PREFLIGHT-AUTH-LAYER" not in [f.code for f in result.findings]
    assert_guess_changes_no_verdict(result, monkeypatch)


def test_aiohttp_cors_disallowed_header():
    setup = AIOHTTP_SLASH.replace("https://app.example/", "https://app.example")
    with servers.aiohttp(setup) as url:
        result = check(url, method="PUT", headers=(("X-Api-Key", "k"),))
    assert result.preflight.response.status == 403
    assert settings(result)["allow_headers"]["value"] == ["x-api-key"]


def nginx_location(body: str) -> str:
    return "location / {\n" + body + "}\n"


def test_nginx_in_front_of_express_sends_two_allow_origin_lines(monkeypatch):
    app = 'const cors = require("cors");\napp.use(cors({origin: "https://app.example"}));\n'
    with servers.express(app) as backend:
        port = backend.split(":")[2].split("/")[0]
        proxy = nginx_location(
            f'    add_header Access-Control-Allow-Origin "{ORIGIN}" always;\n'
            f"    proxy_pass http://127.0.0.1:{port};\n"
        )
        with servers.nginx(proxy) as url:
            result = check(url)
    assert result.findings[0].code == "CORS-ORIGIN-MULTIPLE"
    assert recognised(result)[:2] == ["express", "nginx"]
    hide = settings(result)["proxy_hide_header"]
    assert hide["framework"] == "nginx" and hide["confidence"] == "certain"
    assert_guess_changes_no_verdict(result, monkeypatch)
    # The named fix: nginx hides the app's copy, and one line is left.
    with servers.express(app) as backend:
        port = backend.split(":")[2].split("/")[0]
        fixed = nginx_location(
            f'    add_header Access-Control-Allow-Origin "{ORIGIN}" always;\n'
            "    proxy_hide_header Access-Control-Allow-Origin;\n"
            f"    proxy_pass http://127.0.0.1:{port};\n"
        )
        with servers.nginx(fixed) as url:
            assert check(url).verdict is Verdict.ALLOWED


def test_nginx_add_header_without_always_drops_cors_from_errors(monkeypatch):
    location = nginx_location(
        f'    add_header Access-Control-Allow-Origin "{ORIGIN}";\n    return 403 "no";\n'
    )
    with servers.nginx(location) as url:
        result = check(url)
    assert result.findings[0].code == "CORS-ORIGIN-MISSING" and result.actual.response.status == 403
    assert settings(result)["always"]["framework"] == "nginx"
    assert_guess_changes_no_verdict(result, monkeypatch)
    with servers.nginx(location.replace(f'"{ORIGIN}";', f'"{ORIGIN}" always;')) as url:
        assert check(url).verdict is Verdict.ALLOWED


def test_nginx_nested_location_discards_inherited_add_header():
    location = nginx_location(
        f'    add_header Access-Control-Allow-Origin "{ORIGIN}" always;\n'
        '    location /items {\n        add_header Cache-Control "no-store";\n        return 200 "ok";\n    }\n'
    )
    with servers.nginx(location) as url:
        result = check(url)
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"
    inheritance = settings(result)["add_header inheritance"]
    assert inheritance["framework"] == "nginx" and inheritance["confidence"] == "possible"


def test_fix_for_auto_prints_the_recognised_framework_and_json_lists_it():
    from typer.testing import CliRunner

    from corscheck.cli import app

    with servers.starlette(STARLETTE_SLASH) as url:
        args = ["check", url, "-o", ORIGIN, "-X", "PUT", "--no-probe-reflection"]
        text = CliRunner().invoke(app, [*args, "--fix-for", "auto"])
        as_json = CliRunner().invoke(app, [*args, "--json"])
    assert text.exit_code == 1  # still blocked: the snippet is advice, not a verdict
    assert "Server configuration for starlette (recognised, certain)" in text.stdout
    assert 'allow_origins=["https://app.example"]' in text.stdout
    assert "LINT-SERVER-SETTING" in text.stdout
    document = json.loads(as_json.stdout)
    assert document["verdict"] == "blocked"
    assert document["servers"][0]["framework"] == "starlette"
    assert document["servers"][0]["confidence"] == "certain"
    assert document["servers"][0]["fix_for"] == "starlette"
    assert "starlette 1.10.0" in document["servers"][0]["versions"]


def test_fix_for_auto_with_nothing_recognised_says_so_on_stderr():
    from typer.testing import CliRunner

    from corscheck.cli import app
    from tests.fixes.test_fix_for import _bare_server

    with _bare_server() as url:
        outcome = CliRunner().invoke(
            app, ["check", url, "-o", ORIGIN, "--no-probe-reflection", "--fix-for", "auto"]
        )
    assert outcome.exit_code == 1
    assert "Server configuration" not in outcome.stdout
    assert "--fix-for auto: no framework recognised" in outcome.stderr
