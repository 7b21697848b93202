"""tower-http and Spring cannot run here: their snippets are pinned to the documented builder APIs."""

import re

from corscheck.fixes import CorsPolicy, spring, tower_http

POLICY = CorsPolicy(
    origin="https://app.example",
    methods=("PUT",),
    headers=("authorization", "x-api-key"),
    credentials=True,
    expose=("x-total-count",),
)

#: tower_http::cors::CorsLayer's builder methods (docs.rs, tower-http 0.5/0.6).
CORS_LAYER_METHODS = {
    "allow_origin",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "expose_headers",
    "max_age",
}
#: Spring's CorsRegistration methods (spring-webmvc CorsRegistry reference example).
CORS_REGISTRATION_METHODS = {
    "allowedOrigins",
    "allowedMethods",
    "allowedHeaders",
    "exposedHeaders",
    "allowCredentials",
    "maxAge",
}


def test_tower_http_uses_only_the_documented_builder():
    snippet = tower_http(POLICY)
    assert "CorsLayer::new()" in snippet
    assert set(re.findall(r"^\s+\.(\w+)\(", snippet, re.M)) == CORS_LAYER_METHODS
    assert ".allow_methods([Method::PUT])" in snippet
    assert (
        '.allow_headers([HeaderName::from_static("authorization"), HeaderName::from_static("x-api-key")])'
        in snippet
    )
    assert ".max_age(Duration::from_secs(600));" in snippet


def test_tower_http_leaves_out_what_is_not_needed():
    snippet = tower_http(
        CorsPolicy(
            origin="https://app.example",
            methods=("GET", "HEAD", "POST"),
            headers=(),
            credentials=False,
            expose=(),
        )
    )
    assert (
        "allow_credentials" not in snippet
        and "allow_headers" not in snippet
        and "expose_headers" not in snippet
    )
    assert ".allow_methods([Method::GET, Method::HEAD, Method::POST])" in snippet


def test_spring_uses_only_the_documented_registration():
    snippet = spring(POLICY)
    assert 'registry.addMapping("/**")' in snippet and "implements WebMvcConfigurer" in snippet
    assert set(re.findall(r"^\s+\.(\w+)\(", snippet, re.M)) == CORS_REGISTRATION_METHODS
    assert '.allowedHeaders("authorization", "x-api-key")' in snippet
    assert ".allowCredentials(true)" in snippet and ".maxAge(600);" in snippet
