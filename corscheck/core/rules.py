"""The registry of finding codes; docs/rules.md is generated from it. Codes never change meaning."""

from __future__ import annotations

from dataclasses import dataclass

from corscheck.core.audit_probes import audit_rule_texts
from corscheck.core.messages import CorsErrorKind
from corscheck.core.model import Finding, Severity


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    #: What the browser does, in plain words.
    summary: str
    #: Why it matters to the person debugging.
    why: str
    #: What to change on the server (or in the request).
    fix: str
    #: A response (or request) that triggers it.
    example: str
    #: The corscheck version that introduced the code.
    since: str = "0.1.0"
    #: The Chromium CorsError behind the console message, where there is one.
    chromium: CorsErrorKind | None = None
    #: Readable spellings accepted wherever a code is (the code itself never changes).
    aliases: tuple[str, ...] = ()


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_RULES = [
    # --- Blocking errors: the browser refuses the response -------------------------------------
    Rule(
        "CORS-ORIGIN-MISSING",
        ERROR,
        "No Access-Control-Allow-Origin header",
        "The response (or preflight response, or redirect hop) has no Access-Control-Allow-Origin,"
        " so the browser hides it from JavaScript.",
        "The most common CORS failure. Error responses (401, 404, 500) often skip the CORS"
        " middleware, so JavaScript sees 'Failed to fetch' instead of the error.",
        "Send Access-Control-Allow-Origin with the page's origin (or `*` without credentials) on"
        " every response of this route, including errors, redirects and the OPTIONS preflight.",
        "HTTP/1.1 200 OK\n(no Access-Control-Allow-Origin)",
        chromium=CorsErrorKind.MISSING_ALLOW_ORIGIN,
    ),
    Rule(
        "CORS-ORIGIN-MULTIPLE",
        ERROR,
        "Access-Control-Allow-Origin has several values",
        "The combined Access-Control-Allow-Origin value contains a comma or a space: two header"
        " lines, or a list of origins in one line. Browsers accept exactly one origin.",
        "Two layers (app and proxy) both adding the header, or a config that lists every allowed"
        " origin, produce this. Even two identical lines fail.",
        "Send exactly one Access-Control-Allow-Origin line. To allow several origins, compare the"
        " request's Origin with an allow-list and echo back the one that matched (with"
        " `Vary: Origin`). Remove the duplicate from the proxy or the app.",
        "Access-Control-Allow-Origin: https://app.example\nAccess-Control-Allow-Origin: https://app.example",
        chromium=CorsErrorKind.MULTIPLE_ALLOW_ORIGIN,
    ),
    Rule(
        "CORS-ORIGIN-INVALID",
        ERROR,
        "Access-Control-Allow-Origin is not a valid origin",
        "The value is not `*`, not `null` and does not parse as a URL: a host without a scheme,"
        " an empty value, a glob such as `*.example.com`.",
        "Browsers compare the value with the page origin byte for byte; anything that is not a"
        " serialised origin can never match.",
        "Send the full serialised origin, scheme included: `https://app.example`.",
        "Access-Control-Allow-Origin: app.example",
        chromium=CorsErrorKind.INVALID_ALLOW_ORIGIN,
    ),
    Rule(
        "CORS-ORIGIN-MISMATCH",
        ERROR,
        "Access-Control-Allow-Origin is not the page's origin",
        "The value parses but differs from the origin the request carried: a trailing slash, a"
        " path, upper case, an explicit default port, another scheme, host or port, `null` for a"
        " real origin, or the page origin after a redirect tainted the request's Origin to `null`.",
        "The comparison is byte for byte; `https://app.example/` is not `https://app.example`.",
        "Echo the request's Origin header exactly (after checking it against an allow-list), or"
        " configure the allowed origin as `scheme://host[:port]` with no trailing slash.",
        "Origin: https://app.example\nAccess-Control-Allow-Origin: https://app.example/",
        chromium=CorsErrorKind.ALLOW_ORIGIN_MISMATCH,
    ),
    Rule(
        "CORS-WILDCARD-CREDENTIALS",
        ERROR,
        "Wildcard Access-Control-Allow-Origin with credentials",
        "A request with credentials mode 'include' is refused when Access-Control-Allow-Origin is"
        " `*`, whatever Access-Control-Allow-Credentials says.",
        "Cookies and HTTP authentication may only be shared with origins the server names.",
        "Echo the request's Origin (from an allow-list) instead of `*`, add"
        " `Access-Control-Allow-Credentials: true` and `Vary: Origin`.",
        "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Credentials: true",
        chromium=CorsErrorKind.WILDCARD_ORIGIN,
    ),
    Rule(
        "CORS-CREDENTIALS-NOT-TRUE",
        ERROR,
        "Access-Control-Allow-Credentials is not exactly `true`",
        "With credentials mode 'include' the browser requires Access-Control-Allow-Credentials to"
        " be the exact, lower-case string `true` (one line).",
        '`True`, `TRUE`, `"true"`, `1` or two `true` lines are all refused; a missing header too.',
        "Send `Access-Control-Allow-Credentials: true`, lower case, once.",
        "Access-Control-Allow-Credentials: True",
        chromium=CorsErrorKind.INVALID_ALLOW_CREDENTIALS,
    ),
    Rule(
        "CORS-PREFLIGHT-STATUS",
        ERROR,
        "Preflight response is not a 2xx",
        "The OPTIONS preflight passed the origin check but its status is outside 200-299, so the"
        " actual request is never sent.",
        "Typically an auth layer, a router without an OPTIONS route (404/405), a server error, or the"
        " CORS middleware itself refusing the method or headers (Starlette answers 400 `Disallowed"
        " CORS method`, aiohttp-cors and Spring 403).",
        "Answer OPTIONS for this URL with 204 (or 200) and the CORS headers, before any"
        " authentication; preflights never carry cookies or Authorization. When the CORS middleware"
        " refused it, allow the method and headers in its settings (LINT-SERVER-SETTING names them).",
        "HTTP/1.1 405 Method Not Allowed\nAccess-Control-Allow-Origin: https://app.example",
        chromium=CorsErrorKind.PREFLIGHT_INVALID_STATUS,
    ),
    Rule(
        "CORS-PREFLIGHT-REDIRECT",
        ERROR,
        "Preflight was redirected",
        "A preflight answered with a redirect (301/302/303/307/308 with Location) fails;"
        " browsers never follow redirects for preflights.",
        "Usual causes: a trailing-slash redirect, http→https, a canonical-host redirect or a login redirect.",
        "Call the final URL directly from the page (right scheme, host and trailing slash), or"
        " answer OPTIONS before the redirecting middleware.",
        "HTTP/1.1 301 Moved Permanently\nLocation: https://api.example/tasks/",
        chromium=CorsErrorKind.PREFLIGHT_REDIRECT,
    ),
    Rule(
        "CORS-ACAM-INVALID",
        ERROR,
        "Access-Control-Allow-Methods cannot be parsed",
        "An element of Access-Control-Allow-Methods is not an HTTP token (a space-separated list,"
        " a quoted value, `PUT;`), so Chromium rejects the whole preflight.",
        "One bad element poisons the whole (combined) header.",
        "Send a comma-separated list of method names: `GET, POST, PUT, DELETE`.",
        "Access-Control-Allow-Methods: GET POST",
        chromium=CorsErrorKind.INVALID_ALLOW_METHODS,
        aliases=("CORS-ALLOW-METHODS-INVALID",),
    ),
    Rule(
        "CORS-ACAH-INVALID",
        ERROR,
        "Access-Control-Allow-Headers cannot be parsed",
        "An element of Access-Control-Allow-Headers is not an HTTP token, so Chromium rejects the"
        " whole preflight.",
        "One bad element poisons the whole (combined) header.",
        "Send a comma-separated list of header names: `Content-Type, Authorization`.",
        "Access-Control-Allow-Headers: x-a x-b",
        chromium=CorsErrorKind.INVALID_ALLOW_HEADERS,
        aliases=("CORS-ALLOW-HEADERS-INVALID",),
    ),
    Rule(
        "CORS-METHOD-NOT-ALLOWED",
        ERROR,
        "Method not allowed by the preflight",
        "The method is not GET, HEAD or POST, is not listed in Access-Control-Allow-Methods (a"
        " case-sensitive comparison) and no usable `*` is present (with credentials `*` is just"
        " a method name).",
        "fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; `patch` stays `patch`"
        " and does not match `PATCH`.",
        "Add the method, exactly as the page sends it, to the methods Access-Control-Allow-Methods"
        " already lists (`GET, POST, PUT`); a page sending lower-case `patch` should send `PATCH`.",
        "Access-Control-Request-Method: PATCH\nAccess-Control-Allow-Methods: GET, POST",
        chromium=CorsErrorKind.METHOD_DISALLOWED,
    ),
    Rule(
        "CORS-HEADER-NOT-ALLOWED",
        ERROR,
        "Request header not allowed by the preflight",
        "A CORS-unsafe request header is missing from Access-Control-Allow-Headers (compared"
        " case-insensitively) and no usable `*` is present (with credentials `*` is just a name).",
        "Content-Type: application/json, Authorization and any X- header need to be allowed.",
        "Add every header the page sets to Access-Control-Allow-Headers.",
        "Access-Control-Request-Headers: content-type,x-api-key\nAccess-Control-Allow-Headers: content-type",
        chromium=CorsErrorKind.HEADER_DISALLOWED,
    ),
    Rule(
        "CORS-REDIRECT-CREDENTIALS",
        ERROR,
        "Redirect Location contains a user name or password",
        "A CORS request redirected to a URL with `user:pass@` fails.",
        "Browsers refuse to carry credentials embedded in a cross-origin URL.",
        "Redirect to a URL without userinfo; use a header or cookie for authentication.",
        "Location: https://user:secret@api.example/data",
        chromium=CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS,
    ),
    Rule(
        "CORS-REDIRECT-LIMIT",
        ERROR,
        "Too many redirects",
        "The browser gives up after 20 redirects with a network error.",
        "Usually a redirect loop.",
        "Break the loop; link to the final URL.",
        "Location: /a → Location: /b → Location: /a ...",
    ),
    Rule(
        "CORS-REDIRECT-SCHEME",
        ERROR,
        "Redirect to a non-HTTP(S) URL",
        "A fetch() redirected to a URL whose scheme is not http or https fails: with a CORS"
        " message for ftp:, javascript: or a custom scheme, with a bare network error for data:,"
        " file:, about:, blob: or ws:.",
        "Browsers only follow redirects within HTTP(S).",
        "Redirect to an http(s) URL.",
        "Location: ftp://files.example/report.csv",
        chromium=CorsErrorKind.CORS_DISABLED_SCHEME,
    ),
    Rule(
        "CORS-NETWORK-FAILURE",
        ERROR,
        "No response (network error)",
        "The server could not be reached or answered with something that is not HTTP: DNS"
        " failure, refused connection, TLS failure, timeout or a broken response.",
        "The browser reports a network error (net::ERR_...) and fetch() rejects; no CORS rule is involved.",
        "Check the URL, the server and its certificate.",
        "connect to api.example:443: connection refused",
    ),
    Rule(
        "CORS-EXPOSE-MISSING",
        ERROR,
        "A header JavaScript needs is not readable",
        "A response header named with --expose is not CORS-safelisted and not listed in"
        " Access-Control-Expose-Headers (or the server did not send it), so"
        " `response.headers.get()` returns null.",
        "The request succeeds, so nothing is printed in the console; the page just gets null.",
        "Add the header to Access-Control-Expose-Headers, e.g."
        " `Access-Control-Expose-Headers: X-Total-Count`.",
        "X-Total-Count: 42\n(no Access-Control-Expose-Headers)",
    ),
    # --- The rest of the browser's decision: request mode, page policies, the network ---------
    Rule(
        "CORS-NO-CORS-METHOD",
        ERROR,
        "A no-cors fetch() only allows GET, HEAD and POST",
        "fetch() throws a TypeError before anything is sent: in `mode: 'no-cors'` the method must"
        " be GET, HEAD or POST.",
        "The page's code fails synchronously with 'is unsupported in no-cors mode'; no server"
        " change can help.",
        "Drop `mode: 'no-cors'` and let the server answer the CORS preflight for this method.",
        "fetch(url, {mode: 'no-cors', method: 'PUT'})",
    ),
    Rule(
        "CORS-SAME-ORIGIN-MODE",
        ERROR,
        "A same-origin fetch() went to another origin",
        "In `mode: 'same-origin'` the browser refuses a URL of another origin before sending it"
        " (verdict blocked); a redirect to another origin is a plain network error (verdict error).",
        "The request never leaves the browser; the console says the request mode is 'same-origin'"
        " (for a redirect it says nothing at all).",
        "Use `mode: 'cors'` (the default) for a cross-origin URL, or call a same-origin URL.",
        "fetch('https://api.example/x', {mode: 'same-origin'}) from https://app.example",
    ),
    Rule(
        "CORS-NO-CORS-OPAQUE",
        ERROR,
        "no-cors gives an opaque response: status 0, no headers, empty body",
        "The request was sent and answered, but a cross-origin no-cors response is opaque:"
        " JavaScript sees `response.type === 'opaque'`, status 0, no headers and an empty body.",
        "`mode: 'no-cors'` silences the CORS error without making the response readable; it is"
        " almost never the fix (it only suits fire-and-forget requests and caching opaque assets).",
        "Remove `mode: 'no-cors'` and make the server send Access-Control-Allow-Origin (and answer"
        " the preflight) for this origin.",
        "fetch(url, {mode: 'no-cors'}).then(r => r.status)  // 0",
    ),
    Rule(
        "CORS-NO-CORS-HEADER-DROPPED",
        WARNING,
        "no-cors silently drops a request header",
        "In `mode: 'no-cors'` only CORS-safelisted headers (Accept, Accept-Language,"
        " Content-Language, Content-Type with a simple value) are kept; any other is dropped"
        " without an error. A string body is then sent as `text/plain;charset=UTF-8`.",
        "The server receives neither the Authorization/X-* header nor the JSON content type the code set.",
        "Remove `mode: 'no-cors'`; allow the header in Access-Control-Allow-Headers instead.",
        "fetch(url, {mode: 'no-cors', method: 'POST', headers: {'Content-Type': 'application/json'}})",
    ),
    Rule(
        "CORS-CSP-CONNECT-SRC",
        ERROR,
        "The page's Content-Security-Policy connect-src does not allow the URL",
        "Before any network activity the browser matches the URL against the page's connect-src"
        " (or default-src); no source matches, so fetch() fails. A host source without a port"
        " matches only the scheme's default port; a path ending in `/` is a prefix, any other"
        " path must match exactly.",
        "Nothing reaches the server, so no server-side CORS change helps; the fix is in the page's policy.",
        "Add the API's origin (with its port) to the page's connect-src, e.g."
        " `connect-src 'self' https://api.example:8443`.",
        "Content-Security-Policy: connect-src 'self'",
    ),
    Rule(
        "CORS-CSP-REPORT-ONLY",
        WARNING,
        "A report-only Content-Security-Policy would block the URL",
        "A Content-Security-Policy-Report-Only connect-src does not allow the URL: the browser"
        " logs the violation and sends the request anyway.",
        "The day the policy is enforced, this fetch() fails.",
        "Add the URL's origin to connect-src before enforcing the policy.",
        "Content-Security-Policy-Report-Only: connect-src 'self'",
    ),
    Rule(
        "CORS-MIXED-CONTENT",
        ERROR,
        "An https page fetches an http URL (mixed content)",
        "From an https page the browser blocks an http: URL before it is sent, unless the host is"
        " 127.*, [::1], localhost or *.localhost by name; a name that resolves to 127.0.0.1 is"
        " still blocked.",
        "The console blames mixed content, not CORS; no header the server sends can change it.",
        "Serve the API over https; for a device on the local network, call fetch() with"
        " `targetAddressSpace: 'local'` (or 'loopback') and accept Chromium's permission prompt.",
        "page https://app.example, fetch('http://api.example/x')",
    ),
    Rule(
        "CORS-MIXED-CONTENT-TARGET",
        WARNING,
        "Mixed content let through by targetAddressSpace",
        "fetch()'s `targetAddressSpace` turns the mixed-content block into a console warning;"
        " Local Network Access then requires the address really connected to be in that space,"
        " and the user's permission.",
        "Only works for local and loopback addresses, and only after the user allows it.",
        "Serve the API over https where you can.",
        "fetch('http://printer.lan/x', {targetAddressSpace: 'local'}) from an https page",
    ),
    Rule(
        "CORS-LNA-INSECURE-CONTEXT",
        ERROR,
        "A non-secure page reaches a more private address space",
        "Local Network Access: a page that is not a secure context (http: and not localhost) may"
        " not reach an address more private than its own (public -> local -> loopback).",
        "The fetch fails whatever the server answers; Chromium does not even ask the user.",
        "Serve the page over https (then the user is asked), or serve the API from the same"
        " address space as the page.",
        "page http://app.example (public) -> http://192.168.1.10/x",
        chromium=CorsErrorKind.LNA_INSECURE_CONTEXT,
    ),
    Rule(
        "CORS-LNA-PERMISSION-DENIED",
        ERROR,
        "The user did not allow access to the local network",
        "Local Network Access: a page reaching a more private address space needs the user's"
        " permission; without it (denied, or headless Chromium) the request is refused before it"
        " is sent.",
        "Works on one machine, fails on another, depending on the user's answer to the prompt.",
        "Ask users to allow local network access for the site, or serve the API from a public"
        " address. corscheck assumes the answer given with --lna-permission.",
        "page https://app.example (public) -> http://127.0.0.1:8000/x, permission denied",
        chromium=CorsErrorKind.LNA_PERMISSION_DENIED,
    ),
    Rule(
        "CORS-LNA-TARGET-MISMATCH",
        ERROR,
        "targetAddressSpace does not match the address reached",
        "fetch() named a `targetAddressSpace`, but the IP address connected to is in another"
        " space, so Chromium refuses the connection.",
        "A DNS name that resolves elsewhere than expected (a loopback name called 'local', say).",
        "Pass the space the host really resolves to: loopback for 127.0.0.1 and ::1, local for"
        " private ranges.",
        "fetch('http://api.test/x', {targetAddressSpace: 'local'}) where api.test is 127.0.0.1",
        chromium=CorsErrorKind.LNA_TARGET_MISMATCH,
    ),
    Rule(
        "CORS-LNA-PERMISSION-PROMPT",
        WARNING,
        "Chromium asks the user before this request reaches the local network",
        "The page is in a more public address space than the IP connected to, so Chromium shows a"
        " Local Network Access prompt; the request goes ahead only if the user allows it."
        " corscheck assumed it was allowed (--lna-permission prompt).",
        "Users who decline, and headless browsers, see 'Failed to fetch'.",
        "Serve the API from the page's address space, or check with --lna-permission denied to see"
        " what a user who declines gets.",
        "page https://app.example (public) -> http://127.0.0.1:8000/x",
    ),
    Rule(
        "CORS-CORP-BLOCKED",
        ERROR,
        "Cross-Origin-Resource-Policy (or the page's COEP) blocks the no-cors response",
        "A no-cors response with `Cross-Origin-Resource-Policy: same-origin` (or same-site, from"
        " another site) is refused; with `Cross-Origin-Embedder-Policy: require-corp` on the page a"
        " cross-origin no-cors response without CORP is treated as same-origin and refused too.",
        "Chromium prints only 'Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.…'.",
        "Send `Cross-Origin-Resource-Policy: cross-origin` on the resource, or fetch it in cors"
        " mode with Access-Control-Allow-Origin.",
        "Cross-Origin-Resource-Policy: same-origin",
    ),
    # --- Warnings and notes: allowed today, but wrong, fragile or surprising ----------------------
    Rule(
        "CORS-AUTHORIZATION-WILDCARD",
        WARNING,
        "Authorization allowed only by `Access-Control-Allow-Headers: *`",
        "The Fetch Standard says `*` never covers Authorization; Chromium still allows it (with a"
        " deprecation warning in DevTools), as do Firefox and Safari.",
        "It will break when Chromium enforces the spec, and Chromium already re-sends the"
        " preflight for every such request because its cache applies the strict rule.",
        "List `Authorization` explicitly in Access-Control-Allow-Headers.",
        "Authorization: Bearer …\nAccess-Control-Allow-Headers: *",
    ),
    Rule(
        "CORS-EXPOSE-WILDCARD-CREDENTIALS",
        WARNING,
        "`Access-Control-Expose-Headers: *` with credentials",
        "With credentials mode 'include', `*` in Access-Control-Expose-Headers matches only a"
        " header literally named `*`; only the safelisted headers are readable.",
        "The server thinks it exposed everything; credentialed pages read nothing extra.",
        "List the header names explicitly.",
        "Access-Control-Expose-Headers: *  (with credentials: include)",
    ),
    Rule(
        "CORS-EXPOSE-INVALID",
        WARNING,
        "Access-Control-Expose-Headers cannot be parsed",
        "An element is not an HTTP token (`a b`, a quoted name), so Chromium ignores the whole"
        " header and exposes only the safelisted ones.",
        "One bad element hides every other listed header.",
        "Send a comma-separated list of header names.",
        "Access-Control-Expose-Headers: X-Total-Count X-Page",
    ),
    Rule(
        "CORS-EXPOSE-SET-COOKIE",
        INFO,
        "Set-Cookie listed in Access-Control-Expose-Headers",
        "Set-Cookie and Set-Cookie2 are never readable from JavaScript, whatever the server lists.",
        "Listing it has no effect.",
        "Remove it from the list; read cookie state another way (a JSON field).",
        "Access-Control-Expose-Headers: Set-Cookie",
    ),
    Rule(
        "CORS-REQUEST-FORBIDDEN-HEADER",
        WARNING,
        "A request header fetch() will not send",
        "The header is a forbidden request-header name (Cookie, Host, Origin, Referer, User-Agent,"
        " Sec-*, Proxy-*, ...); fetch() drops it silently, so it cannot cause a preflight either.",
        "corscheck checks the request as the browser would really send it, without this header.",
        "Remove it from the page's code: the browser sets these itself. To send the browser's cookies,"
        " use `credentials: 'include'` instead of a Cookie header.",
        "fetch(url, {headers: {Cookie: 'a=b'}})",
    ),
    Rule(
        "CORS-SAME-ORIGIN",
        INFO,
        "Same-origin request: CORS does not apply",
        "The URL has the page's origin, so the browser performs no CORS check and every header"
        " but Set-Cookie is readable.",
        "Nothing to fix; check the origin you passed if you expected a cross-origin request.",
        "No change needed.",
        "--origin https://app.example  https://app.example/api",
    ),
    Rule(
        "LINT-ORIGIN-REFLECTED",
        WARNING,
        "Any origin is echoed back",
        "A request with a made-up origin (https://corscheck-probe.invalid) got that origin back in"
        " Access-Control-Allow-Origin: the server reflects whatever Origin it receives.",
        "Any site can read these responses, and with `Access-Control-Allow-Credentials: true` it"
        " reads them with the user's cookies: a cross-site data leak.",
        "Echo the Origin only when it is on an explicit allow-list.",
        "Origin: https://evil.example\nAccess-Control-Allow-Origin: https://evil.example",
    ),
    Rule(
        "LINT-NO-VARY-ORIGIN",
        WARNING,
        "Origin-specific response without `Vary: Origin`",
        "Access-Control-Allow-Origin names a specific origin that depends on the request's Origin,"
        " but Vary does not list Origin.",
        "A browser or shared cache may serve one origin's copy (or a copy without CORS headers) to"
        " another origin, causing random CORS failures.",
        "Add `Vary: Origin` to every response whose CORS headers depend on the Origin.",
        "Access-Control-Allow-Origin: https://app.example\n(no Vary: Origin)",
    ),
    Rule(
        "LINT-NULL-ALLOWED",
        WARNING,
        "`Access-Control-Allow-Origin: null`",
        "The server allows the opaque origin `null`.",
        "Sandboxed iframes and data: or file: documents of any site send `Origin: null`; allowing"
        " it is close to allowing `*`, and dangerous with credentials.",
        "Do not allow `null`; give the calling page a real origin.",
        "Access-Control-Allow-Origin: null",
    ),
    Rule(
        "LINT-WILDCARD-PLUS-CREDENTIALS",
        WARNING,
        "`*` together with `Access-Control-Allow-Credentials: true`",
        "The combination never works for credentialed requests (they are refused) and means"
        " nothing for the others.",
        "It signals a misunderstanding that usually surfaces as CORS-WILDCARD-CREDENTIALS later.",
        "For credentialed requests echo an allowed origin; otherwise drop the credentials header.",
        "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Credentials: true",
    ),
    Rule(
        "LINT-ACAC-NOT-TRUE",
        INFO,
        "Access-Control-Allow-Credentials with a value other than `true`",
        "The only meaningful value is `true`; anything else (`false`, `True`) is the same as not"
        " sending the header.",
        "`false` does not forbid anything; `True` looks right but fails credentialed requests.",
        "Send `true` when credentials are wanted, otherwise omit the header.",
        "Access-Control-Allow-Credentials: false",
        aliases=("LINT-ALLOW-CREDENTIALS-NOT-TRUE",),
    ),
    Rule(
        "LINT-MAXAGE-CAPPED",
        INFO,
        "Access-Control-Max-Age above Chromium's cap",
        "Chromium caches a preflight result for at most 7200 seconds (Firefox 86400, Safari 600).",
        "A longer value is silently cut; expect a preflight at least every two hours.",
        "Use a value of at most 7200.",
        "Access-Control-Max-Age: 86400",
    ),
    Rule(
        "LINT-MAXAGE-INVALID",
        WARNING,
        "Access-Control-Max-Age is not a number",
        "The value is not a non-negative integer (or the header is repeated), so Chromium falls"
        " back to 5 seconds and Firefox does not cache at all.",
        "Every request pays for a preflight again.",
        "Send one integer number of seconds, e.g. `Access-Control-Max-Age: 600`.",
        "Access-Control-Max-Age: 10m",
    ),
    Rule(
        "LINT-MAXAGE-MISSING",
        INFO,
        "Preflight without Access-Control-Max-Age",
        "Without the header Chromium caches the preflight for only 5 seconds.",
        "Each request after that pays for another OPTIONS round trip.",
        "Add e.g. `Access-Control-Max-Age: 600` (at most 7200 for Chromium).",
        "(no Access-Control-Max-Age on the preflight response)",
    ),
    Rule(
        "LINT-PREFLIGHT-AUTH-LAYER",
        WARNING,
        "Preflight rejected by an authentication layer",
        "The OPTIONS preflight was answered 401, 403 or 407, or redirected to a login page.",
        "Preflights never carry cookies or Authorization, so an auth layer in front of the CORS"
        " handler rejects them all.",
        "Let unauthenticated OPTIONS requests through to the CORS handler (or answer them before"
        " the auth middleware).",
        "OPTIONS /api → 401 Unauthorized",
    ),
    Rule(
        "LINT-PREFLIGHT-UNHANDLED",
        WARNING,
        "No OPTIONS handler for this route",
        "The preflight was answered 404, 405 or 501: the server has no route for OPTIONS here.",
        "The actual request is never sent.",
        "Enable the CORS middleware for this route (it answers OPTIONS), or add an OPTIONS route"
        " returning 204 with the CORS headers.",
        "OPTIONS /api → 405 Method Not Allowed",
    ),
    Rule(
        "LINT-ERRORS-WITHOUT-CORS",
        WARNING,
        "Error response without CORS headers",
        "The actual response is an error (4xx/5xx) and carries no Access-Control-Allow-Origin.",
        "JavaScript sees 'Failed to fetch' instead of the error status and body, which hides the"
        " real problem.",
        "Add the CORS headers on error paths too (exception handlers, auth failures, 404s).",
        "HTTP/1.1 500 Internal Server Error\n(no Access-Control-Allow-Origin)",
    ),
    Rule(
        "LINT-METHOD-CASE",
        WARNING,
        "Allowed method differs only in letter case",
        "Access-Control-Allow-Methods lists the method in another case (`PATCH` for `patch`, or"
        " lower-case methods); the comparison is case-sensitive.",
        "fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT.",
        "Send `PATCH` (upper case) from the page and list methods in upper case.",
        "fetch(url, {method: 'patch'})\nAccess-Control-Allow-Methods: PATCH",
    ),
    Rule(
        "LINT-HEADER-NOT-EXPOSED",
        INFO,
        "A response header JavaScript cannot read",
        "The response carries an application header (X-*, ETag, Link, Content-Disposition, ...)"
        " that is not safelisted and not in Access-Control-Expose-Headers, and no --expose asked"
        " about it: `response.headers.get()` returns null for it.",
        "Reported only when no --expose is given: a page that reads it silently gets null.",
        "If the page reads it, list it in Access-Control-Expose-Headers; check with --expose NAME.",
        "X-Total-Count: 42\n(no Access-Control-Expose-Headers)",
    ),
    Rule(
        "LINT-EXPOSE-USELESS",
        INFO,
        "Access-Control-Expose-Headers lists safelisted headers",
        "Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and"
        " Pragma are always readable; listing them does nothing.",
        "Noise that hides the names that matter.",
        "Drop them from the list.",
        "Access-Control-Expose-Headers: Content-Type",
    ),
    Rule(
        "LINT-ALLOW-ORIGIN-LIST",
        WARNING,
        "Access-Control-Allow-Origin holds a list or a pattern",
        "Access-Control-Allow-Origin accepts exactly one origin; lists and patterns such as"
        " `https://*.example.com` are never expanded.",
        "A configuration intended as an allow-list leaks into the header verbatim.",
        "Match the request's Origin against the list or pattern on the server and echo the"
        " matching origin, with `Vary: Origin`.",
        "Access-Control-Allow-Origin: https://a.example, https://b.example",
    ),
    Rule(
        "LINT-REDIRECT-TAINTED",
        INFO,
        "A redirect made the request's Origin `null`",
        "After a redirect from one cross-origin URL to another origin, the browser sends"
        " `Origin: null`, and Access-Control-Allow-Origin must then be `*` or `null`.",
        "Echoing the page origin after such a redirect fails, which surprises everyone.",
        "Link to the final URL directly instead of through a cross-origin redirect.",
        "page → api.example (302) → cdn.example: Origin: null",
    ),
    Rule(
        "LINT-AUTHORIZATION-DROPPED",
        INFO,
        "A cross-origin redirect removed the Authorization header",
        "When a redirect leads to another origin, the Fetch Standard and Chromium remove the"
        " Authorization request header before following it.",
        "The redirect target answers as if the user were not signed in (often 401).",
        "Call the final URL directly, or keep the redirect within one origin.",
        "api.example (307, Authorization: Bearer …) → auth.example: no Authorization",
    ),
    Rule(
        "LINT-COOKIE-NOT-SENT",
        INFO,
        "A redirect leads where the cookie is not sent",
        "The browser's cookie jar sends a cookie only to the host that set it (and a Secure cookie"
        " never over plain http). The --cookie value belongs to the checked URL's host, so a redirect"
        " to another host, or from https to http, sends that request without it.",
        "The redirect target answers as if the user were not signed in (often 401, or a login"
        " redirect), though the first host received the cookie.",
        "Call the final URL directly, or keep the redirect on the host (and scheme) the cookie"
        " belongs to; a cookie for the target must be set by the target itself.",
        "api.example (302, Cookie: sid=…) → auth.example: no Cookie",
    ),
    Rule(
        "LINT-COOKIE-WITHHELD",
        WARNING,
        "The browser keeps a cookie off the request",
        "A cookie from --cookie-jar or --set-cookie belongs to the request's host but the browser does"
        " not attach it: its Path does not cover the URL; fetch()'s credentials mode sends no cookies"
        " there; it is Secure and the URL is plain http (not localhost or 127.0.0.1); it is"
        " SameSite=Strict, Lax or has no SameSite (Chromium's Lax by default) and the page is another"
        " site (schemeful: an http page and an https API are two sites); or it is SameSite=None and"
        " third-party cookies are blocked. Chromium prints no console line for any of these.",
        "The server answers as if the user were not signed in (a 401, a login redirect), which looks"
        " like a CORS failure but is not one. details.reason says which rule kept the cookie back.",
        "For a cross-site API: set the cookie with `SameSite=None; Secure` and serve the API over"
        " https, and use fetch(url, {credentials: 'include'}); better, put the page and the API on one"
        " site (app.example.com and api.example.com). Third-party cookies blocked: send a token"
        " (Authorization header) instead of a cookie.",
        "page http://app.example, cookie sid (SameSite unset) for https://api.example: not sent",
    ),
    Rule(
        "LINT-ACTUAL-NOT-SENT",
        WARNING,
        "The actual request was not sent (--preflight-only)",
        "With --preflight-only (or a write replayed from a HAR without --send-unsafe) corscheck sends"
        " the preflight but not a request whose method is not GET or HEAD, so nothing is changed on"
        " the server. The verdict then covers only what was sent: the actual response, which must"
        " carry Access-Control-Allow-Origin too, was never seen.",
        "A passing preflight does not prove the page can read the response: many servers answer"
        " OPTIONS in one layer and the request itself in another.",
        "Check the actual request against a server where the write is harmless (staging, a test"
        " record), without --preflight-only.",
        "corscheck check -X DELETE URL --preflight-only: OPTIONS sent, DELETE not sent",
    ),
    Rule(
        "LINT-PNA-LEGACY",
        INFO,
        "Access-Control-Allow-Private-Network is ignored",
        "Chromium replaced Private Network Access preflights with a Local Network Access"
        " permission prompt; the header has no effect in current Chrome.",
        "Harmless, but it does not grant anything.",
        "Remove it, or keep it only for older browsers.",
        "Access-Control-Allow-Private-Network: true",
        aliases=("LINT-PRIVATE-NETWORK-LEGACY",),
    ),
    Rule(
        "LINT-SAFELIST-OVERFLOW",
        INFO,
        "A safelisted header was made CORS-unsafe by its size",
        "A header such as Accept or Content-Language is normally safelisted, but its value is"
        " longer than 128 bytes (or the safelisted values add up to more than 1024), so it causes"
        " a preflight.",
        "A preflight appears for a request that looks simple.",
        "Shorten the value, or allow the header in Access-Control-Allow-Headers.",
        "Accept: (a 200-byte value)",
    ),
    Rule(
        "LINT-SERVER-RECOGNISED",
        INFO,
        "The server or its CORS middleware was recognised",
        "corscheck matched the responses against fingerprints of common servers and CORS"
        " middleware (Starlette/FastAPI, Flask-CORS, django-cors-headers, Express cors,"
        " aiohttp-cors, Spring, nginx): a default body, a header only one of them writes, a status"
        " choice. The finding says how sure the match is (certain, likely, possible) and which"
        " framework versions the fingerprints come from.",
        "A CORS failure is fixed in the framework's settings, not in raw headers; knowing the"
        " middleware tells which setting to change. A guess never changes the verdict.",
        "Nothing to fix: see the LINT-SERVER-SETTING findings beside it, and `--fix-for auto`.",
        "HTTP/1.1 400 Bad Request\nserver: uvicorn\n\nDisallowed CORS origin",
    ),
    Rule(
        "LINT-SERVER-SETTING",
        INFO,
        "The setting of the recognised framework to change",
        "For a recognised framework, the setting behind the failure and the value to put there"
        " (`allow_origins`, `allow_methods`, `allow_headers`, `allow_credentials`, `expose_headers`,"
        " the middleware order, nginx's `always` or `proxy_hide_header`), in the same form as"
        " `--fix-for`. Middleware such as Starlette's, Flask-CORS, django-cors-headers and"
        " aiohttp-cors leave Access-Control-Allow-Origin out for an origin not on their list (a"
        " trailing slash in the list is enough), so the header looks missing rather than wrong.",
        "The blocking finding describes the headers; this one names the line of configuration to edit.",
        "Set the named setting to the value shown; `corscheck check … --fix-for auto` prints the whole"
        " configuration for the recognised framework.",
        'allow_origins=["https://app.example/"] → no Access-Control-Allow-Origin:'
        ' set allow_origins=["https://app.example"]',
    ),
    Rule(
        "LINT-STATUS-NOT-OK",
        INFO,
        "JavaScript can read the response, but it is an error status",
        "CORS allowed the response, so the page's JavaScript can read it, but its status is not"
        " 200-299: `response.ok` is false.",
        "A mistyped path (404) or a crashing handler (500) still passes a CORS check; the page"
        " sees an error it must handle.",
        "Check the URL and the server's logs; in a config, `status = 200` makes the check fail on"
        " any other status.",
        "HTTP/1.1 404 Not Found\nAccess-Control-Allow-Origin: *",
    ),
    # --- corscheck run: a check whose outcome is not what its config expects -----------------
    Rule(
        "CORSCHECK-EXPECTATION",
        ERROR,
        "A check's outcome differs from its expectation",
        "The check expected allowed (or blocked, or a status) and got something else, and no other"
        ' finding states it (for example: allowed, but `expect = "blocked"`).',
        "A config states what the policy must be; this check shows the server disagrees.",
        "Change the server's CORS policy, or the check's `expect` / `status`.",
        '[[check]]\nurl = "/me"\norigin = "https://evil.example"\nexpect = "blocked"'
        "   # but the server allows it",
    ),
]

# The audit codes live with their probe table (corscheck/core/audit_probes.py).
_RULES += [Rule(*texts) for texts in audit_rule_texts()]

#: Every rule by code, in documentation order.
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


#: Every alias → its code.
ALIASES: dict[str, str] = {alias: rule.code for rule in _RULES for alias in rule.aliases}


def find_rule(code: str) -> Rule | None:
    """The rule a code or one of its aliases names, in any letter case."""
    code = code.upper()
    return RULES.get(ALIASES.get(code, code))


def names_of(code: str) -> tuple[str, ...]:
    """A code and its aliases."""
    return (code, *RULES[code].aliases)


def rule_for(kind: CorsErrorKind) -> Rule:
    """The rule whose Chromium error is ``kind``."""
    return next(rule for rule in _RULES if rule.chromium is kind)


def render_rules_markdown() -> str:
    """docs/rules.md, generated from the registry (a test keeps the file in step)."""
    lines = [
        "# corscheck rules",
        "",
        "Generated from `corscheck/core/rules.py` by `corscheck rules --markdown`; do not edit.",
        "Codes never change meaning once released.",
        "",
        "| code | severity | title |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [{r.code}](#{r.code.lower()}) | {r.severity} | {r.title} |" for r in _RULES]
    for r in _RULES:
        lines += ["", f"## {r.code}", "", f"**{r.title}** ({r.severity}, since {r.since})", ""]
        if r.aliases:
            lines += [f"Also written {', '.join(f'`{a}`' for a in r.aliases)}.", ""]
        lines += [r.summary, "", f"*Why it matters:* {r.why}", "", f"*Fix:* {r.fix}", ""]
        lines += ["Example:", "", "```", r.example, "```"]
        if r.chromium:
            lines += ["", f"Chromium error: `{r.chromium.value}`."]
    return "\n".join(lines) + "\n"


def fix_of(finding: Finding) -> str:
    """The finding's fix in its request's own words, else its rule's generic one."""
    return finding.fix or RULES[finding.code].fix
