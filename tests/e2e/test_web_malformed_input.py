"""Every route, as each kind of person, with malformed input: ids that do not exist
or overflow the database's integer, and in every parameter the web layer reads, text
where a number or a date belongs, a NUL, an empty value; for JSON routes, bodies that
are not objects or not JSON, and objects holding those values. Then, as each person and
as nobody, what a careless script sends whatever the route: a method it does not take,
a body whose content type lies or that nests past any parser, a query string of repeated,
huge or badly escaped keys. Nothing may answer 5xx, a 4xx must say why, and every answer
(an error, a redirect, a static file) carries the security headers.

The parameter names are read from the templates and the views, so a field added later
is tried too without editing this file."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.routing import Rule

from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, basic, build_world

WEB = Path(__file__).resolve().parents[2] / "web"
DESIGNER = "thietke"
# Route values for <int:...>: one that exists in the world and one past 64 bits.
IDS = ("1", str(2**70))
VALUES = ("abc", "-1", "²", str(10**30), "2024-13-45", "1/1/" + "9" * 30, "a\x00b", "")
JSON_BODIES = ("[1, 2]", '"text"', "{", "null")
SKIPPED = {"/auth/logout"}  # would end the session the rest of the walk uses
METHODS = ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "GET", "POST")  # those a route takes: sent above
BODIES = (  # (content type, body) to every POST route
    ("text/plain", "assignee=1"),
    ("application/json", "assignee=1"),  # says JSON, is a form
    ("application/json", "[" * 100_000),  # past the JSON parser's recursion limit
    ("application/json", '{"a": ' * 500 + "1" + "}" * 500),  # parsed, but deeper than any command
    ("application/xml", "<a/>"),
    ("multipart/form-data", "no boundary"),
    ("application/x-www-form-urlencoded", "%zz=%G1&a=%"),
)
QUERIES = ("page=1&page=abc&page=-1", "q=" + "x" * 20_000, "page=" + "9" * 400, "%zz=1&a=%", "year=" + "9" * 30,
           "from=2024-02-30&to=9999-99-99&sort=zzz&lang=xx")
STATIC = "/static/css/planflow.css"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def parameter_names() -> list[str]:
    """Every form field a template names and every argument a view reads."""
    names = set()
    for template in (WEB / "templates").rglob("*.html"):
        names |= set(re.findall(r'name="([a-z_]+)"', template.read_text()))
    for view in WEB.glob("*.py"):
        names |= set(re.findall(r'request\.(?:args|form|values)(?:\.get(?:list)?\(|\[)"([a-z_]+)"',
                                view.read_text()))
    return sorted(names - {"csrf_token"})


def urls(rule: Rule) -> Iterator[str]:
    """The rule with each id it takes; other converters get a plausible word."""
    for value in IDS:
        yield re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
                     lambda m, value=value: value if m.group(1) == "int" else "docx" if m.group(1) == "any" else "zzz",
                     rule.rule)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest) -> WebWorld:
    """The app on each database (PostgreSQL refuses what SQLite takes: a NUL in text,
    an id past 32 bits), answering errors as it would in production: a 500 page."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    return build_world(url, PROPAGATE_EXCEPTIONS=False)


@pytest.mark.parametrize("username", [MONITOR, HEAD, STAFF, DESIGNER])
def test_no_route_answers_5xx_to_malformed_input_and_every_400_says_why(world: WebWorld, username: str) -> None:
    client = world.client(username)
    names = parameter_names()
    failures = []
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule in SKIPPED:
            continue
        for url in urls(rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for value in VALUES:
                    fields = dict.fromkeys(names, value)
                    if method == "GET":
                        response = client.get(url, query_string=fields)
                    else:
                        response = client.post(url, data=fields)
                    failures += judged(method, url, repr(value), response)
                if method == "POST" and "/api/" in url:
                    for body in [*JSON_BODIES, *(json.dumps(dict.fromkeys(names, value)) for value in VALUES)]:
                        response = client.post(url, data=body, content_type="application/json")
                        failures += judged(method, url, body[:40], response)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("username", [MONITOR, HEAD, STAFF, DESIGNER, None])
def test_no_route_answers_5xx_to_a_wrong_method_body_or_query_string(sqlite_url: str, username: str | None) -> None:
    world = build_world(sqlite_url, PROPAGATE_EXCEPTIONS=False)
    client = world.client(username)
    failures = []
    for rule in world.app.url_map.iter_rules():
        if rule.rule in SKIPPED:
            continue
        url = STATIC if rule.endpoint == "static" else next(urls(rule))
        for method in (m for m in METHODS if m not in rule.methods - {"HEAD", "OPTIONS"}):
            failures += judged(method, url, "", client.open(url, method=method))
        if "POST" in rule.methods:
            for content_type, body in BODIES:
                failures += judged("POST", url, f"{content_type} {body[:20]}",
                                   client.post(url, data=body, content_type=content_type))
        if "GET" in rule.methods:
            for query in QUERIES:
                failures += judged("GET", url, query[:40], client.get(f"{url}?{query}"))
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("username", [MONITOR, HEAD, DESIGNER])
def test_every_post_route_refuses_a_write_without_the_csrf_token(sqlite_url: str, username: str) -> None:
    """A forged cross-site write carries the session cookie but not the token: a form
    body or a JSON one, to every route that takes POST (logging out too), is a 400."""
    world = build_world(sqlite_url, PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=True)
    client = world.client(username)
    failures = [f"POST {url} {kind}: {response.status_code}"
                for rule in world.app.url_map.iter_rules() if "POST" in rule.methods
                for url in [next(urls(rule))]
                for kind, response in (("form", client.post(url, data={"assignee": "1"})),
                                       ("json", client.post(url, json={"assignee": 1})))
                if not refused_for_csrf(response)]
    assert not failures, "\n".join(failures)


def refused_for_csrf(response) -> bool:
    """A 400 for the token itself: a 400 for a bad field would hide a route left unprotected."""
    if response.status_code != 400:
        return False
    if response.is_json:
        return response.get_json()["error"]["code"] == "csrf"
    return "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này" in response.get_data(as_text=True)


def judged(method: str, url: str, given: str, response) -> list[str]:
    body = response.get_data().decode(errors="replace")
    said = f"{method} {url} {given}: {response.status_code}"
    csp = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp and "sandbox" not in csp or any(
            response.headers.get(name) != value for name, value in SECURITY_HEADERS.items()):
        return [f"{said} without the security headers"]
    if response.status_code >= 500:
        return [said]
    if response.status_code >= 400 and method != "HEAD" and not body.strip():
        return [f"{said} with no message"]
    return []


def test_an_id_in_other_digits_is_no_id_on_a_page_or_in_a_step(sqlite_url: str) -> None:
    """The one rule of `engine.ids`, through a page's filter and the step API: "٩"
    (Arabic-Indic nine) filters nothing, where "9" filters the inbox to a plan that does not
    exist; "٣" or " 3 " as the assignee is refused, not read as user 3."""
    world = build_world(sqlite_url)
    inbox = world.client(HEAD)
    title = "Rà soát thủ tục hành chính"
    assert title not in inbox.get("/?plan=9").get_data(as_text=True)
    assert title in inbox.get("/?plan=٩").get_data(as_text=True)
    staff = world.office.users[STAFF]
    for assignee in (str(staff).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")), f" {staff} ", True):
        response = world.client().post(f"/api/steps/{world.step('assign')}/complete", headers=basic(HEAD),
                                       json={"assignee": assignee})
        assert response.status_code == 400 and "assignee" in response.get_data(as_text=True), response.get_data()
    assert [item.form for item in world.ready()] == ["assign"]
