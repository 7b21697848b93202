"""Server CORS configuration, per framework, that lets one checked request through (pure text)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from corscheck.core.exposure import ACEH
from corscheck.core.headers import combined
from corscheck.core.mend import merged
from corscheck.core.model import CheckResult, Credentials, RequestSpec, ResponseHead
from corscheck.core.preflight import ACAH, ACAM
from corscheck.core.request import SAFELISTED_METHODS, normalise_method, prepare_headers, unsafe_header_names

#: Seconds a browser may cache the preflight: within every engine's cap (Safari's is 600).
MAX_AGE = 600


@dataclass(frozen=True)
class CorsPolicy:
    """What the server must allow: what it allows already, plus what this request needs."""

    origin: str
    #: Methods to list, exact case as fetch() sends them: the simple GET, HEAD and POST first (a
    #: framework's list often gates simple requests too), then the server's own, then this request's.
    methods: tuple[str, ...]
    #: Request header names to allow, lower-case: the server's own and the request's CORS-unsafe ones.
    headers: tuple[str, ...]
    credentials: bool
    #: Response headers JavaScript may read, lower-case: the server's own and --expose.
    expose: tuple[str, ...]
    max_age: int = MAX_AGE


def _server_list(head: ResponseHead | None, name: str) -> str | None:
    """A list the server sent, without `*` (the snippets name what they allow)."""
    value = combined(head.headers, name) if head else None
    return None if value is None else ", ".join(v for v in value.split(",") if v.strip() != "*")


def policy_for(
    spec: RequestSpec, *, preflight: ResponseHead | None = None, actual: ResponseHead | None = None
) -> CorsPolicy:
    """The policy under which the browser would allow this request, keeping what the server's
    preflight and actual responses (when there are any) allowed already."""
    method = normalise_method(spec.method)
    names = sorted(n.lower() for n in unsafe_header_names(prepare_headers(spec.headers).sent))
    methods = merged(_server_list(preflight, ACAM), [method], case_sensitive=True)
    expose = [n.lower() for n in spec.expose]
    return CorsPolicy(
        origin=spec.origin,
        methods=tuple(dict.fromkeys([*SAFELISTED_METHODS, *methods])),
        headers=tuple(n.lower() for n in merged(_server_list(preflight, ACAH), names, case_sensitive=False)),
        credentials=spec.credentials is Credentials.INCLUDE,
        expose=tuple(n.lower() for n in merged(_server_list(actual, ACEH), expose, case_sensitive=False)),
    )


def _q(value: str) -> str:
    """A double-quoted literal valid in JavaScript, Python, Rust and Java for these ASCII values."""
    return json.dumps(value)


def _list(values: tuple[str, ...]) -> str:
    return ", ".join(_q(v) for v in values)


def express(p: CorsPolicy) -> str:
    lines = [f"  origin: {_q(p.origin)},", f"  methods: [{_list(p.methods)}],"]
    lines.append(f"  allowedHeaders: [{_list(p.headers)}],")
    if p.expose:
        lines.append(f"  exposedHeaders: [{_list(p.expose)}],")
    if p.credentials:
        lines.append("  credentials: true,")
    lines.append(f"  maxAge: {p.max_age},")
    return 'const cors = require("cors");\n\napp.use(cors({\n' + "\n".join(lines) + "\n}));\n"


def _rust_method(method: str) -> str:
    standard = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE")
    return f"Method::{method}" if method in standard else f"Method::from_bytes(b{_q(method)}).unwrap()"


def _rust_names(names: tuple[str, ...]) -> str:
    return ", ".join(f"HeaderName::from_static({_q(n)})" for n in names)


def tower_http(p: CorsPolicy) -> str:
    chain = [
        f"    .allow_origin(HeaderValue::from_static({_q(p.origin)}))",
        f"    .allow_methods([{', '.join(_rust_method(m) for m in p.methods)}])",
    ]
    if p.headers:
        chain.append(f"    .allow_headers([{_rust_names(p.headers)}])")
    if p.credentials:
        chain.append("    .allow_credentials(true)")
    if p.expose:
        chain.append(f"    .expose_headers([{_rust_names(p.expose)}])")
    chain.append(f"    .max_age(Duration::from_secs({p.max_age}));")
    return (
        "use std::time::Duration;\n"
        "use http::{header::HeaderName, HeaderValue, Method};\n"
        "use tower_http::cors::CorsLayer;\n\n"
        "let cors = CorsLayer::new()\n" + "\n".join(chain) + "\n// app = app.layer(cors);\n"
    )


def _cors_middleware(p: CorsPolicy, module: str) -> str:
    args = [
        "    CORSMiddleware,",
        f"    allow_origins=[{_list((p.origin,))}],",
        f"    allow_methods=[{_list(p.methods)}],",
        f"    allow_headers=[{_list(p.headers)}],",
    ]
    if p.credentials:
        args.append("    allow_credentials=True,")
    if p.expose:
        args.append(f"    expose_headers=[{_list(p.expose)}],")
    args.append(f"    max_age={p.max_age},")
    return f"from {module} import CORSMiddleware\n\napp.add_middleware(\n" + "\n".join(args) + "\n)\n"


def starlette(p: CorsPolicy) -> str:
    return _cors_middleware(p, "starlette.middleware.cors")


def fastapi(p: CorsPolicy) -> str:
    return _cors_middleware(p, "fastapi.middleware.cors")


def flask(p: CorsPolicy) -> str:
    args = [
        f"    origins=[{_list((p.origin,))}],",
        f"    methods=[{_list(p.methods)}],",
        f"    allow_headers=[{_list(p.headers)}],",
    ]
    if p.expose:
        args.append(f"    expose_headers=[{_list(p.expose)}],")
    if p.credentials:
        args.append("    supports_credentials=True,")
    args.append(f"    max_age={p.max_age},")
    # Flask-CORS adds Vary: Origin only for several origins, yet its answer to other origins (no
    # Access-Control-Allow-Origin) differs too, so caches must key on Origin either way.
    vary = (
        "\n\n@app.after_request\n"
        "def vary_on_origin(response):\n"
        '    response.vary.add("Origin")\n'
        "    return response\n"
    )
    return "from flask_cors import CORS\n\nCORS(\n    app,\n" + "\n".join(args) + "\n)\n" + vary


def django(p: CorsPolicy) -> str:
    lines = [
        "# settings.py (django-cors-headers)",
        'INSTALLED_APPS += ["corsheaders"]',
        'MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")',
        f"CORS_ALLOWED_ORIGINS = [{_list((p.origin,))}]",
        f"CORS_ALLOW_METHODS = [{_list(p.methods)}]",
        f"CORS_ALLOW_HEADERS = [{_list(p.headers)}]",
    ]
    if p.credentials:
        lines.append("CORS_ALLOW_CREDENTIALS = True")
    if p.expose:
        lines.append(f"CORS_EXPOSE_HEADERS = [{_list(p.expose)}]")
    lines.append(f"CORS_PREFLIGHT_MAX_AGE = {p.max_age}")
    return "\n".join(lines) + "\n"


#: nginx reads `$` in any string as a variable and has no escape for it; this variable, defined in
#: the http block, stands for a literal dollar sign.
NGINX_DOLLAR = 'geo $dollar { default "$"; }  # in the http {} block: nginx has no escape for $\n\n'


def _nginx_string(value: str) -> str:
    """A double-quoted nginx string that means exactly ``value``: a header name or origin may hold
    `"` or `$` (both valid in a token), which would end the string or name a variable."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "${dollar}")
    return f'"{escaped}"'


def nginx(p: CorsPolicy) -> str:
    def add(name: str, value: str) -> str:
        return f"add_header {name} {_nginx_string(value)} always;"

    common = [add("Access-Control-Allow-Origin", p.origin), add("Vary", "Origin")]
    if p.credentials:
        common.append(add("Access-Control-Allow-Credentials", "true"))
    preflight = [*common, add("Access-Control-Allow-Methods", ", ".join(p.methods))]
    if p.headers:
        preflight.append(add("Access-Control-Allow-Headers", ", ".join(p.headers)))
    preflight.append(add("Access-Control-Max-Age", str(p.max_age)))
    actual = list(common)
    if p.expose:
        actual.append(add("Access-Control-Expose-Headers", ", ".join(p.expose)))
    # add_header in an `if` replaces the location's add_header lines, so each branch lists all it needs.
    uses_dollar = any("$" in value for value in (p.origin, *p.methods, *p.headers, *p.expose))
    return (
        (NGINX_DOLLAR if uses_dollar else "") + "location / {\n"
        "    if ($request_method = OPTIONS) {\n"
        + "".join(f"        {line}\n" for line in preflight)
        + "        return 204;\n    }\n"
        + "".join(f"    {line}\n" for line in actual)
        + "    # proxy_pass http://backend;  (your existing handler)\n}\n"
    )


def spring(p: CorsPolicy) -> str:
    chain = [
        f"            .allowedOrigins({_q(p.origin)})",
        f"            .allowedMethods({_list(p.methods)})",
    ]
    if p.headers:
        chain.append(f"            .allowedHeaders({_list(p.headers)})")
    if p.expose:
        chain.append(f"            .exposedHeaders({_list(p.expose)})")
    if p.credentials:
        chain.append("            .allowCredentials(true)")
    chain.append(f"            .maxAge({p.max_age});")
    return (
        "import org.springframework.context.annotation.Configuration;\n"
        "import org.springframework.web.servlet.config.annotation.CorsRegistry;\n"
        "import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;\n\n"
        "@Configuration\n"
        "public class CorsConfig implements WebMvcConfigurer {\n"
        "    @Override\n"
        "    public void addCorsMappings(CorsRegistry registry) {\n"
        '        registry.addMapping("/**")\n' + "\n".join(chain) + "\n    }\n}\n"
    )


#: Framework name -> (snippet generator, the lexer name for highlighting).
FRAMEWORKS: dict[str, tuple[Callable[[CorsPolicy], str], str]] = {
    "express": (express, "javascript"),
    "tower-http": (tower_http, "rust"),
    "fastapi": (fastapi, "python"),
    "starlette": (starlette, "python"),
    "flask": (flask, "python"),
    "django": (django, "python"),
    "nginx": (nginx, "nginx"),
    "spring": (spring, "java"),
}


def fix_for(framework: str, result: CheckResult) -> str:
    """The configuration snippet for ``framework`` that makes this request pass."""
    generate, _ = FRAMEWORKS[framework]
    preflight = result.preflight.response if result.preflight else None
    actual = result.actual.response if result.actual else None
    return generate(policy_for(result.spec, preflight=preflight, actual=actual))


def fix_for_request(framework: str, spec: RequestSpec) -> str:
    """The snippet from the request alone, when no server response is at hand."""
    generate, _ = FRAMEWORKS[framework]
    return generate(policy_for(spec))
