"""audit --browser: an Origin only other engines send is no risk to the audited engines' users."""

from tests.audit.test_judgement import TRUSTED, echo, run


def stops_at_specials(origin: str, method: str) -> list[tuple[str, str]]:
    host = origin.removeprefix("https://")
    for char in "_`!~$&'()*+,;={}^|-":
        host = host.split(char)[0]
    return echo(origin) if f"https://{host}" == TRUSTED else []


def lines_about(result, host: str) -> list[str]:
    return [line for f in result.findings for line in f.message.splitlines() if host in line]


def test_a_safari_only_origin_counts_for_safari_users_only():
    everyone, _ = run(stops_at_specials)
    chromium, _ = run(stops_at_specials, browsers=("chromium",))
    safari, _ = run(stops_at_specials, browsers=("safari",))
    assert any("(high" in line and "Safari only" in line for line in lines_about(everyone, "com!.tok"))
    assert any("no browser sends" in line for line in lines_about(chromium, "com!.tok"))
    assert any("(high" in line for line in lines_about(safari, "com!.tok"))
    assert any("(critical" in line for line in lines_about(chromium, "com_.tok"))
