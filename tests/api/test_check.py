"""corscheck.check(): the public API against each framework's real CORS middleware, in-process."""

import asyncio
import json
from contextlib import asynccontextmanager

import pytest

import corscheck
from corscheck import Verdict
from tests.api.apps import BROKEN, CORRECT, EVIL, PAGE, build

FRAMEWORKS = sorted(CORRECT)
#: The page's request: a JSON PUT with cookies that reads X-Total-Count.
FETCH = {
    "method": "PUT",
    "headers": {"Content-Type": "application/json"},
    "credentials": "include",
    "expose": ["X-Total-Count"],
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_correct_policy_lets_the_page_read_the_response(framework):
    result = corscheck.check("/items", origin=PAGE, app=build(framework, "correct"), **FETCH)
    assert result.allowed, result.report()
    assert result.verdict is Verdict.ALLOWED
    assert "x-total-count" in result.exposed_headers
    assert result.browser_message is None


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_correct_policy_refuses_another_origin(framework):
    result = corscheck.check("/items", origin=EVIL, app=build(framework, "correct"), **FETCH)
    assert result.verdict is Verdict.BLOCKED
    assert result.browser_message.startswith("Access to fetch at 'https://testserver/items' from origin")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_broken_policy_is_blocked_with_its_finding(framework):
    result = corscheck.check("/items", origin=PAGE, app=build(framework, "broken"), **FETCH)
    assert not result.allowed
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == BROKEN[framework][1]
    assert result.exposed_headers == ()


def test_an_import_string_names_the_app():
    result = corscheck.check("/items", origin=PAGE, app="tests.api.apps:flask_correct", **FETCH)
    assert result.allowed


@pytest.mark.parametrize(
    ("app", "words"),
    [
        ("tests.api.apps", "not of the form"),
        ("tests.api.no_such_module:app", "cannot import tests.api.no_such_module"),
        ("tests.api.apps:nothing_here", "has no attribute 'nothing_here'"),
        ("tests.api.apps:PAGE", "not an ASGI or WSGI callable"),
    ],
)
def test_a_bad_import_string_is_an_input_error(app, words):
    with pytest.raises(corscheck.InputError, match=words):
        corscheck.check("/items", origin=PAGE, app=app)


def test_an_unknown_browser_is_an_input_error():
    with pytest.raises(corscheck.InputError, match="not simulated"):
        corscheck.check("/items", origin=PAGE, app=build("flask", "correct"), browser="netscape")  # type: ignore[arg-type]


def test_a_path_without_an_app_is_an_input_error():
    with pytest.raises(corscheck.InputError):
        corscheck.check("/items", origin=PAGE)


def test_an_absolute_url_keeps_its_host_for_the_app():
    result = corscheck.check("https://api.example/items", origin=PAGE, app=build("starlette", "correct"))
    assert result.verdict is Verdict.ALLOWED
    assert json.loads(result.to_json())["url"] == "https://api.example/items"


def test_to_json_is_the_schema_1_document():
    document = json.loads(corscheck.check("/items", origin=EVIL, app=build("django", "correct")).to_json())
    assert document["schema"] == 1
    assert document["verdict"] == "blocked"
    assert document["findings"][0]["code"] == "CORS-ORIGIN-MISSING"


def test_cookies_are_masked_in_json_unless_asked():
    app = build("flask", "correct")
    result = corscheck.check("/items", origin=PAGE, app=app, credentials="include", cookie="sid=s3cret")
    assert "s3cret" not in result.to_json()
    assert "s3cret" in result.to_json(show_secrets=True)


def test_the_report_names_the_finding_and_its_fix():
    report = corscheck.check("/items", origin=PAGE, app=build("fastapi", "broken"), **FETCH).report()
    assert report.startswith("BLOCKED PUT https://testserver/items")
    assert "CORS-CREDENTIALS-NOT-TRUE" in report
    assert "fix:" in report


def lifespan_app(events):
    """A Starlette app that adds its CORS middleware's allowed origin in its startup hook."""
    from starlette.applications import Starlette
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    allowed = []

    @asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        allowed.append(PAGE)
        yield {"greeting": "hello"}
        events.append("shutdown")

    def items(request):
        return PlainTextResponse(request.state.greeting)

    app = Starlette(routes=[Route("/items", items)], lifespan=lifespan)
    app.add_middleware(CORSMiddleware, allow_origins=allowed)
    return app


def test_asgi_lifespan_runs_around_the_check_and_shares_its_state():
    events = []
    result = corscheck.check("/items", origin=PAGE, app=lifespan_app(events), probe_reflection=False)
    assert events == ["startup", "shutdown"]
    # request.state.greeting came from the lifespan state: without it the endpoint raises (500).
    assert result.verdict is Verdict.ALLOWED, result.report()
    assert json.loads(result.to_json())["actual"]["status"] == 200


def test_a_failing_startup_is_a_server_that_never_came_up():
    from starlette.applications import Starlette

    @asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("no database")
        yield

    result = corscheck.check("/items", origin=PAGE, app=Starlette(lifespan=lifespan))
    assert result.verdict is Verdict.ERROR
    assert "the app's startup failed" in json.dumps(json.loads(result.to_json()))
    assert "RuntimeError: no database" in result.to_json()
    assert "Traceback" not in result.to_json()  # Starlette sends one: only its last line is kept


def test_a_startup_that_hangs_is_bounded_by_the_timeout():
    from starlette.applications import Starlette

    @asynccontextmanager
    async def lifespan(app):
        await asyncio.sleep(60)
        yield

    result = corscheck.check("/items", origin=PAGE, app=Starlette(lifespan=lifespan), timeout=0.2)
    assert result.verdict is Verdict.ERROR
    assert "the app did not finish its startup within 0.2 s" in result.to_json()


def test_an_app_without_lifespan_support_is_checked_as_is():
    async def app(scope, receive, send):
        assert scope["type"] == "http", "no lifespan here"
        headers = [(b"access-control-allow-origin", b"*")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    assert corscheck.check("/items", origin=PAGE, app=app, probe_reflection=False).allowed


def test_a_crashing_asgi_app_answers_500():
    async def app(scope, receive, send):
        if scope["type"] == "http":
            raise RuntimeError("boom")

    result = corscheck.check("/items", origin=PAGE, app=app, probe_reflection=False)
    assert result.verdict is Verdict.BLOCKED
    assert json.loads(result.to_json())["actual"]["status"] == 500


def test_check_async_runs_an_asgi_app_on_the_callers_loop():
    import anyio
    from starlette.applications import Starlette
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    loops = []

    async def items(request):
        loops.append(asyncio.get_running_loop())
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/items", items)])
    app.add_middleware(CORSMiddleware, allow_origins=[PAGE])

    async def main():
        result = await corscheck.check_async("/items", origin=PAGE, app=app, probe_reflection=False)
        return result, asyncio.get_running_loop()

    result, loop = anyio.run(main)
    assert result.allowed, result.report()
    assert loops == [loop]


def test_check_async_with_a_wsgi_app():
    result = asyncio.run(corscheck.check_async("/items", origin=PAGE, app=build("flask", "correct"), **FETCH))
    assert result.allowed
