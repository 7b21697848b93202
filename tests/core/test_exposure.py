from corscheck.core.exposure import cors_exposure, same_origin_exposure

BASE = (
    ("Content-Type", "application/json"),
    ("X-Total-Count", "4"),
    ("Date", "today"),
    ("Set-Cookie", "a=b"),
    ("Cache-Control", "no-store"),
)


def readable(extra=(), include=False):
    return cors_exposure(BASE + tuple(extra), include).readable


def test_only_safelisted_headers_without_expose_headers():
    assert readable() == ("cache-control", "content-type")


def test_listed_names_become_readable_case_insensitively():
    names = readable([("Access-Control-Expose-Headers", "x-TOTAL-count")])
    assert names == ("cache-control", "content-type", "x-total-count")


def test_wildcard_exposes_everything_but_set_cookie_without_credentials():
    names = readable([("Access-Control-Expose-Headers", "*")])
    assert "x-total-count" in names and "date" in names
    assert "access-control-expose-headers" in names
    assert "set-cookie" not in names


def test_wildcard_is_literal_with_credentials():
    exposure = cors_exposure(BASE + (("Access-Control-Expose-Headers", "*"),), True)
    assert exposure.readable == ("cache-control", "content-type")
    assert exposure.wildcard_ignored


def test_set_cookie_never_readable_even_when_listed():
    assert "set-cookie" not in readable([("Access-Control-Expose-Headers", "Set-Cookie")])


def test_one_invalid_element_voids_the_whole_list():
    exposure = cors_exposure(BASE + (("Access-Control-Expose-Headers", "X-Total-Count, a b"),), False)
    assert exposure.invalid
    assert exposure.readable == ("cache-control", "content-type")


def test_lines_merge():
    names = readable(
        [("Access-Control-Expose-Headers", "x-total-count"), ("Access-Control-Expose-Headers", "date")]
    )
    assert {"x-total-count", "date"} <= set(names)


def test_same_origin_reads_everything_but_set_cookie():
    assert same_origin_exposure(BASE).readable == ("cache-control", "content-type", "date", "x-total-count")
