"""corscheck.toml / [tool.corscheck]: declarative checks, validated before any request is sent."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload
from urllib.parse import urljoin

from corscheck.core.errors import InputError
from corscheck.core.model import (
    AddressSpace,
    Cookie,
    Credentials,
    LnaPermission,
    Mode,
    Page,
    RequestSpec,
    ThirdPartyCookies,
    Verdict,
)
from corscheck.core.origin import APP_BASE_URL, parse_fetch_url, parse_origin, parse_url
from corscheck.core.profiles import PROFILES
from corscheck.core.request import check_header_value, normalise_method, prepare_headers

CONFIG_NAMES = ("corscheck.toml", "pyproject.toml")
#: Keys a [[check]] may set; [defaults] may set the same ones (except name) plus base_url.
CHECK_KEYS = frozenset(
    {
        "name",
        "url",
        "origin",
        "method",
        "headers",
        "credentials",
        "cookie",
        "expose",
        "expect",
        "preflight_only",
        "status",
        "browser",
    }
    | {"mode", "csp", "coep", "target_address_space", "lna_permission"}
    | {"cookie_jar", "set_cookie", "third_party_cookies"}
)
#: ca_cert and app are the run's (like --cacert, --app): they belong in [defaults] only.
DEFAULT_KEYS = (CHECK_KEYS - {"name"}) | {"base_url", "ca_cert", "app"}
#: Keys whose value may be a list: the check expands into one case per combination.
MATRIX_KEYS = ("url", "origin", "method")
#: The most checks a config may expand to unless `run --max-checks` raises it: 10^6 checks take
#: hours, and a few lists in a small file multiply to that.
MAX_CHECKS = 10_000


class ConfigError(InputError):
    """A configuration problem, named by file, check and key."""


@dataclass(frozen=True)
class CheckCase:
    """One expanded check: a request to make and what the user expects of it."""

    name: str
    spec: RequestSpec
    expect: Verdict
    #: Where the [[check]] table starts, for SARIF and GitHub annotations ("" for `corscheck check`).
    source: str
    line: int
    #: The response statuses the check accepts (inclusive range), when it says.
    status: tuple[int, int] | None = None
    #: The in-process app (``"package.module:app"``) the check goes to, or None for the network.
    app: str | None = None


def _status_range(value: Any) -> tuple[int, int] | None:
    """``status = 200`` or ``status = "200-299"``; None when the value is neither."""
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value, value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{3})\s*-\s*(\d{3})\s*", value)
        if match and 100 <= int(match[1]) <= int(match[2]) <= 599:
            return int(match[1]), int(match[2])
    return None


def _fail(source: str, check: str | None, key: str | None, message: str) -> ConfigError:
    where = source
    if check is not None:
        where += f": check {check!r}"
    if key is not None:
        where += f": key {key!r}"
    return ConfigError(f"{where}: {message}")


def _check_lines(text: str) -> list[int]:
    """1-based line of each [[check]] table header (tomllib keeps no positions)."""
    pattern = re.compile(r"^[ \t]*\[\[[ \t]*(tool\.corscheck\.)?check[ \t]*\]\]", re.MULTILINE)
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def _as_list(value: Any, key: str, fail: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise fail(key, "must be a string or a non-empty list of strings")
    return values


def _expand(
    table: dict[str, Any],
    defaults: dict[str, Any],
    base_url: str | None,
    source: str,
    line: int,
    index: int,
    app: str | None,
    browser: str | None,
) -> _Matrix:
    name = table.get("name", f"check #{index + 1}")
    if not isinstance(name, str) or not name:
        raise _fail(source, None, "name", f"check #{index + 1} needs a non-empty string name")

    def fail(key: str, message: str) -> ConfigError:
        return _fail(source, name, key, message)

    unknown = sorted(set(table) - CHECK_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (known: {', '.join(sorted(CHECK_KEYS))})")
    merged = {**defaults, **table}
    for required in ("url", "origin"):
        if required not in merged:
            raise fail(required, "is required (here or in [defaults])")

    urls = _as_list(merged["url"], "url", fail)
    origins = _as_list(merged["origin"], "origin", fail)
    methods = _as_list(merged.get("method", "GET"), "method", fail)

    headers = merged.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise fail("headers", "must be a table of string values")
    header_lines = tuple(headers.items())
    try:
        prepare_headers(header_lines)
    except InputError as err:
        raise fail("headers", str(err)) from None

    try:
        credentials = Credentials(merged.get("credentials", "same-origin"))
    except ValueError:
        raise fail("credentials", "must be omit, same-origin or include") from None
    try:
        expect = Verdict(merged.get("expect", "allowed"))
    except ValueError:
        raise fail("expect", "must be allowed, blocked or opaque") from None
    if expect is Verdict.ERROR:
        raise fail("expect", "must be allowed, blocked or opaque")
    engines = _engines(browser or merged.get("browser", "chromium"), fail)
    browser_facts = _browser_facts(merged, fail)
    expose = merged.get("expose", [])
    if not isinstance(expose, list) or not all(isinstance(e, str) for e in expose):
        raise fail("expose", "must be a list of header names")
    cookie = merged.get("cookie")
    if cookie is not None and not isinstance(cookie, str):
        raise fail("cookie", "must be a string")
    if cookie is not None:
        try:
            check_header_value("Cookie", cookie)
        except InputError as err:
            raise fail("cookie", str(err)) from None

    preflight_only = merged.get("preflight_only", False)
    if not isinstance(preflight_only, bool):
        raise fail("preflight_only", "must be true or false")
    status = None
    if "status" in merged:
        status = _status_range(merged["status"])
        if status is None:
            raise fail("status", 'must be a status (200) or a range ("200-299") between 100 and 599')

    full_urls = []
    for url in urls:
        if base_url:
            full_url = urljoin(base_url.rstrip("/") + "/", url.lstrip("/"))
        elif url.startswith("/"):
            raise fail("url", f"{url!r} is relative; set base_url or app in [defaults], or pass --base-url")
        else:
            full_url = url
        full_urls.append(full_url)
    # Each value is checked once, not once per combination: a matrix is validated in linear time.
    for key, check, values in (
        ("url", parse_fetch_url, full_urls),
        ("origin", parse_origin, origins),
        ("method", normalise_method, methods),
    ):
        for value in values:
            try:
                check(value)
            except InputError as err:
                raise fail(key, str(err)) from None
    cookies = _browser_cookies(merged, full_urls, source, fail)
    template = RequestSpec(
        url="",
        origin="",
        headers=header_lines,
        credentials=credentials,
        cookie=cookie,
        expose=tuple(expose),
        preflight_only=preflight_only,
        **browser_facts,
    )
    return _Matrix(
        name,
        urls,
        full_urls,
        origins,
        methods,
        template,
        expect,
        source,
        line,
        status=status,
        app=app,
        engines=engines,
        cookies=cookies,
    )


def _browser_cookies(
    merged: dict[str, Any], urls: list[str], source: str, fail: Any
) -> list[tuple[Cookie, ...]]:
    """The browser's jar for each URL: cookie_jar (a `curl -c` file, relative to the config's
    directory) and set_cookie lines as each URL's server would set them."""
    if "set_cookie" not in merged and "cookie_jar" not in merged:
        return []
    from corscheck.inputs.cookie_jar import browser_cookies, read_cookie_jar

    lines = merged.get("set_cookie", [])
    lines = [lines] if isinstance(lines, str) else lines
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise fail("set_cookie", "must be a Set-Cookie value or a list of them")
    jar_path = merged.get("cookie_jar")
    if jar_path is not None and (not isinstance(jar_path, str) or not jar_path):
        raise fail("cookie_jar", "must be the path of a cookie file (as curl -c writes it)")
    try:
        jar = read_cookie_jar(Path(source).parent / Path(jar_path).expanduser()) if jar_path else ()
    except InputError as err:
        raise fail("cookie_jar", str(err)) from None
    try:
        return [browser_cookies(jar, lines, url) for url in urls]
    except InputError as err:
        raise fail("set_cookie", str(err)) from None


@dataclass(frozen=True)
class _Matrix:
    """One [[check]] whose url, origin and method may be lists: a case per combination, built
    only when asked for, so a large matrix costs nothing until it runs."""

    name: str
    urls: list[str]
    full_urls: list[str]
    origins: list[str]
    methods: list[str]
    template: RequestSpec
    expect: Verdict
    source: str
    line: int
    status: tuple[int, int] | None = None
    #: [defaults] app: the in-process app every case goes to, or None for the network.
    app: str | None = None
    #: The browser engines each combination is checked in (browser = "all": every one).
    engines: tuple[str, ...] = ("chromium",)
    #: The browser's cookies for each of full_urls (empty when the check gives none).
    cookies: list[tuple[Cookie, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.urls) * len(self.origins) * len(self.methods) * len(self.engines)

    def case(self, index: int) -> CheckCase:
        """The ``index``-th combination, in the order of itertools.product(urls, origins, methods,
        engines)."""
        rest, e = divmod(index, len(self.engines))
        rest, m = divmod(rest, len(self.methods))
        u, o = divmod(rest, len(self.origins))
        url, origin, method, engine = self.urls[u], self.origins[o], self.methods[m], self.engines[e]
        combinations = len(self) // len(self.engines)
        label = self.name if combinations == 1 else f"{self.name} [{method} {url} from {origin}]"
        if engine != "chromium":
            label += f" in {engine}"
        spec = replace(self.template, url=self.full_urls[u], origin=origin, method=method, browser=engine)
        if self.cookies:
            spec = replace(spec, cookies=self.cookies[u])
        return CheckCase(label, spec, self.expect, self.source, self.line, status=self.status, app=self.app)


class CheckPlan(Sequence[CheckCase]):
    """Every expanded check of a config, in config order; each built when it is reached."""

    def __init__(self, matrices: list[_Matrix], app: str | None = None) -> None:
        self._matrices = matrices
        #: [defaults] app (``"package.module:app"``): every check goes to it in-process, or None.
        self.app = app
        self._starts = list(itertools.accumulate((len(m) for m in matrices), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, index: int) -> CheckCase: ...
    @overload
    def __getitem__(self, index: slice) -> list[CheckCase]: ...
    def __getitem__(self, index: int | slice) -> CheckCase | list[CheckCase]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        matrix = bisect.bisect_right(self._starts, index) - 1
        return self._matrices[matrix].case(index - self._starts[matrix])


def _engines(value: object, fail: Any) -> tuple[str, ...]:
    """The browser key: one engine, or "all" of them."""
    if value == "all":
        return tuple(PROFILES)
    if not isinstance(value, str) or value not in PROFILES:
        raise fail("browser", f"must be one of {', '.join(PROFILES)} or all")
    return (str(value),)


def _browser_facts(merged: dict[str, Any], fail: Any) -> dict[str, Any]:
    """fetch()'s mode and targetAddressSpace, the page's CSP and COEP, the LNA permission."""
    facts: dict[str, Any] = {}
    for key, kind in (
        ("mode", Mode),
        ("target_address_space", AddressSpace),
        ("lna_permission", LnaPermission),
        ("third_party_cookies", ThirdPartyCookies),
    ):
        if key in merged:
            try:
                facts[key] = kind(merged[key])
            except ValueError:
                raise fail(key, f"must be one of {', '.join(v.value for v in kind)}") from None
    csp = merged.get("csp", [])
    if isinstance(csp, str):
        csp = [csp]
    if not isinstance(csp, list) or not all(isinstance(c, str) for c in csp):
        raise fail("csp", "must be a policy string or a list of them")
    coep = merged.get("coep")
    if coep is not None and not isinstance(coep, str):
        raise fail("coep", "must be a string")
    if csp or coep:
        facts["page"] = Page(csp=tuple(csp), coep=coep)
    return facts


def parse_config(
    data: dict[str, Any],
    source: str,
    *,
    base_url: str | None = None,
    lines: list[int] | None = None,
    max_checks: int = MAX_CHECKS,
    browser: str | None = None,
) -> CheckPlan:
    """Validate a parsed TOML document and plan its checks; ``base_url`` and ``browser`` override
    the file's.

    Matrices are counted, not expanded: more than ``max_checks`` checks is a ConfigError."""
    unknown = sorted(set(data) - {"defaults", "check", "audit"})
    if unknown:
        raise _fail(
            source, None, unknown[0], "unknown top-level key (expected [defaults], [[check]] and [audit])"
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise _fail(source, None, "defaults", "must be a table")
    unknown = sorted(set(defaults) - DEFAULT_KEYS)
    if unknown:
        raise _fail(source, "[defaults]", unknown[0], "unknown key")
    checks = data.get("check", [])
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        raise _fail(source, None, "check", "must be an array of tables ([[check]])")
    base = base_url or defaults.get("base_url")
    if base is not None:
        if not isinstance(base, str):
            raise _fail(source, "[defaults]", "base_url", "must be a string")
        try:
            parse_url(base, "base_url")
        except InputError as err:
            raise _fail(source, "[defaults]", "base_url", str(err)) from None
    app = defaults.get("app")
    if app is not None:
        if not isinstance(app, str) or not re.fullmatch(r"[\w.]+:[\w.]+", app):
            raise _fail(source, "[defaults]", "app", "must be an import string 'package.module:app'")
        # Relative URLs go to the app, unless base_url names the host it expects.
        base = base or APP_BASE_URL
    shared = {k: v for k, v in defaults.items() if k not in ("base_url", "ca_cert", "app")}
    lines = lines or []
    matrices = [
        _expand(table, shared, base, source, lines[index] if index < len(lines) else 1, index, app, browser)
        for index, table in enumerate(checks)
    ]
    plan = CheckPlan(matrices, app)
    if not plan and "audit" not in data:  # a file only for `corscheck audit` has nothing for run
        raise _fail(source, None, None, "no checks: add a [[check]] table with a url and an origin")
    if len(plan) > max_checks:
        raise ConfigError(
            f"{source}: expands to {len(plan)} checks, over the limit of {max_checks}"
            " (a matrix's url, origin and method lists multiply); raise it with --max-checks"
        )
    return plan


@dataclass(frozen=True)
class ConfigFile:
    """A validated config: its checks (expanded as they are reached) and the run's settings."""

    cases: CheckPlan
    #: [defaults] ca_cert, relative to the config file's directory (--cacert overrides it).
    ca_cert: Path | None = None


def _ca_cert(data: dict[str, Any], path: Path) -> Path | None:
    value = data.get("defaults", {}).get("ca_cert")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise _fail(str(path), "[defaults]", "ca_cert", "must be the path of a PEM file")
    return path.parent / Path(value).expanduser()


def on_page(cases: Iterable[CheckCase], page: Page, page_origin: str) -> list[CheckCase]:
    """Every check run on one page (``run --page``): its policies join each check's own."""
    placed = []
    for case in cases:
        if case.spec.origin != page_origin:
            raise _fail(case.source, case.name, "origin", f"is not the origin of --page ({page_origin})")
        placed.append(replace(case, spec=replace(case.spec, page=page.with_own(case.spec.page))))
    return placed


def find_config(directory: Path) -> Path | None:
    """corscheck.toml, else a pyproject.toml with a [tool.corscheck] table."""
    candidate = directory / "corscheck.toml"
    if candidate.is_file():
        return candidate
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and re.search(r"^\s*\[\[?\s*tool\.corscheck", pyproject.read_text(), re.M):
        return pyproject
    return None


def load_config(path: Path, *, base_url: str | None = None, max_checks: int = MAX_CHECKS) -> CheckPlan:
    """Read and validate a config file's checks; every problem is a ConfigError naming the file."""
    return read_config(path, base_url=base_url, max_checks=max_checks).cases


def read_config(
    path: Path, *, base_url: str | None = None, max_checks: int = MAX_CHECKS, browser: str | None = None
) -> ConfigFile:
    """Read and validate a config file; every problem is a ConfigError naming the file."""
    data, text = read_document(path)
    cases = parse_config(
        data, str(path), base_url=base_url, lines=_check_lines(text), max_checks=max_checks, browser=browser
    )
    return ConfigFile(cases, _ca_cert(data, path))


def read_document(path: Path) -> tuple[dict[str, Any], str]:
    """The corscheck table of a config file (all of corscheck.toml, [tool.corscheck] of a
    pyproject.toml) and the file's text."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{source}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    import tomllib  # here: `corscheck check` uses CheckCase but never reads a file

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: invalid TOML: {err}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("corscheck")
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: no [tool.corscheck] table")
    return data, text
