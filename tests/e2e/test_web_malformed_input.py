"""Every route, as each kind of person, with malformed input: ids that do not exist
or overflow the database's integer, and in every parameter the web layer reads, text
where a number or a date belongs, a NUL, an empty value; for JSON routes, bodies that
are not objects or not JSON, and objects holding those values. Nothing may answer 5xx, and a 400 must say why.

The parameter names are read from the templates and the views, so a field added later
is tried too without editing this file."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.routing import Rule

from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, build_world

WEB = Path(__file__).resolve().parents[2] / "web"
DESIGNER = "thietke"
# Route values for <int:...>: one that exists in the world and one past 64 bits.
IDS = ("1", str(2**70))
VALUES = ("abc", "-1", "²", str(10**30), "2024-13-45", "a\x00b", "")
JSON_BODIES = ("[1, 2]", '"text"', "{", "null")
SKIPPED = {"/auth/logout"}  # would end the session the rest of the walk uses


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
                     lambda m: value if m.group(1) == "int" else "docx" if m.group(1) == "any" else "zzz",
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


def judged(method: str, url: str, given: str, response) -> list[str]:
    body = response.get_data().decode(errors="replace")
    if response.status_code >= 500:
        return [f"{method} {url} {given}: {response.status_code}"]
    if response.status_code == 400 and not body.strip():
        return [f"{method} {url} {given}: 400 with no message"]
    return []
