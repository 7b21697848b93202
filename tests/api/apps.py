"""Apps behind the real CORS middleware of each framework, with a correct and a broken policy.

The page at PAGE reads /items with cookies (credentials: "include"), sends a JSON PUT (preflighted),
and reads X-Total-Count. The correct policies allow exactly that; each broken one is a mistake
found in the wild: a wildcard, or credentials left out.
"""

from __future__ import annotations

import functools
import types

PAGE = "https://app.example"
EVIL = "https://evil.example"
METHODS = ["GET", "PUT"]
EXPOSED = {"X-Total-Count": "3"}


def _starlette(framework: str, **policy):
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse

    if framework == "fastapi":
        from fastapi import FastAPI

        app = FastAPI()

        @app.api_route("/items", methods=METHODS)
        def items():
            return PlainTextResponse("ok", headers=EXPOSED)
    else:
        from starlette.applications import Starlette
        from starlette.routing import Route

        app = Starlette(
            routes=[
                Route("/items", lambda request: PlainTextResponse("ok", headers=EXPOSED), methods=METHODS)
            ]
        )
    app.add_middleware(CORSMiddleware, allow_methods=METHODS, allow_headers=["Content-Type"], **policy)
    return app


def _flask(**policy):
    from flask import Flask
    from flask_cors import CORS

    app = Flask(f"corscheck_api_test_{len(policy)}")

    @app.route("/items", methods=METHODS)
    def items():
        return "ok", 200, EXPOSED

    CORS(app, **policy)
    return app


def _django_urls():
    """A URLconf as a module object: Django accepts one for ROOT_URLCONF, and it needs no
    sys.modules entry (pytester's inline runs reset sys.modules)."""
    from django.http import HttpResponse
    from django.urls import path

    def items(request):
        response = HttpResponse("ok")
        for name, value in EXPOSED.items():
            response[name] = value
        return response

    urls = types.ModuleType("corscheck_api_test_urls")
    urls.urlpatterns = [path("items", items)]
    return urls


DJANGO_CORS_DEFAULTS = {
    "CORS_ALLOW_ALL_ORIGINS": False,
    "CORS_ALLOWED_ORIGINS": [],
    "CORS_ALLOWED_ORIGIN_REGEXES": [],
    "CORS_ALLOW_CREDENTIALS": False,
    "CORS_EXPOSE_HEADERS": [],
    "CORS_PREFLIGHT_MAX_AGE": 86400,
}


def _django(**policy):
    """Django's own WSGI handler with django-cors-headers; the policy is applied around each request
    (override_settings), so that both policies (and tests/fixes) share one settings module."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(DEBUG=False, SECRET_KEY="test", INSTALLED_APPS=["django.contrib.contenttypes"])
        django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    site = override_settings(
        ROOT_URLCONF=_django_urls(),
        ALLOWED_HOSTS=["testserver"],
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
        CORS_ALLOW_METHODS=METHODS,
        CORS_ALLOW_HEADERS=["content-type"],
        # django-cors-headers' defaults, whatever another test left in the shared settings.
        **{**DJANGO_CORS_DEFAULTS, **policy},
    )

    def app(environ, start_response):
        with site:
            return WSGIHandler()(environ, start_response)

    return app


CORRECT = {
    "starlette": lambda: _starlette(
        "starlette", allow_origins=[PAGE], allow_credentials=True, expose_headers=["X-Total-Count"]
    ),
    "fastapi": lambda: _starlette(
        "fastapi", allow_origins=[PAGE], allow_credentials=True, expose_headers=["X-Total-Count"]
    ),
    "flask": lambda: _flask(origins=[PAGE], supports_credentials=True, expose_headers=["X-Total-Count"]),
    "django": lambda: _django(
        CORS_ALLOWED_ORIGINS=[PAGE], CORS_ALLOW_CREDENTIALS=True, CORS_EXPOSE_HEADERS=["X-Total-Count"]
    ),
}

#: Each broken policy and the finding that blocks the page's credentialed PUT.
BROKEN = {
    # Any origin, but no credentials: the preflight answers `*`.
    "starlette": (lambda: _starlette("starlette", allow_origins=["*"]), "CORS-WILDCARD-CREDENTIALS"),
    # The origin is listed, but allow_credentials was forgotten.
    "fastapi": (lambda: _starlette("fastapi", allow_origins=[PAGE]), "CORS-CREDENTIALS-NOT-TRUE"),
    # Flask-CORS's defaults: every origin (echoed back), no credentials.
    "flask": (lambda: _flask(), "CORS-CREDENTIALS-NOT-TRUE"),
    "django": (lambda: _django(CORS_ALLOWED_ORIGINS=[PAGE]), "CORS-CREDENTIALS-NOT-TRUE"),
}


@functools.cache
def build(framework: str, policy: str):
    """One app, built once: ``build("flask", "broken")``."""
    return CORRECT[framework]() if policy == "correct" else BROKEN[framework][0]()


def __getattr__(name: str):
    """Import strings for the CLI and the pytest plugin: ``tests.api.apps:flask_correct``."""
    framework, _, policy = name.partition("_")
    if framework not in CORRECT or policy not in ("correct", "broken"):
        raise AttributeError(name)
    return build(framework, policy)
