"""The web app as an attacker and a careless user see it: bad ids and bodies are a
clear 4xx (JSON on the APIs, a Vietnamese page elsewhere), never a 500."""
from __future__ import annotations

import pytest

from tests.e2e.web_helpers import MONITOR, WebWorld, build_world, csrf_token, login

DESIGNER = "thietke"
HUGE = "99999999999999999999"  # past any database integer: the driver would overflow


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and response.get_json()["error"]["code"] == code


# --- ids, bodies and query strings that do not parse ------------------------------------

@pytest.mark.parametrize("path", [f"/tasks/{HUGE}", f"/plans/{HUGE}", f"/steps/{HUGE}", f"/attachments/{HUGE}"])
def test_an_id_past_the_database_range_is_a_vietnamese_404_page(world: WebWorld, path: str) -> None:
    response = world.client(MONITOR).get(path)
    assert response.status_code == 404
    assert "không tồn tại" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [f"/api/tasks/{HUGE}", f"/api/plans/{HUGE}", f"/api/steps/{HUGE}"])
def test_an_id_past_the_database_range_is_a_404_in_json(world: WebWorld, path: str) -> None:
    assert_json_error(world.client(MONITOR).get(path), 404, "not_found")


def test_a_post_to_a_huge_id_is_a_404_too(world: WebWorld) -> None:
    assert world.client(MONITOR).post(f"/extensions/{HUGE}/decide").status_code == 404
    assert world.client(MONITOR).post(f"/calendar/days/{HUGE}/delete").status_code == 404


def test_a_dashboard_filtered_on_a_unit_the_plan_does_not_have_shows_no_tasks(world: WebWorld) -> None:
    response = world.client(MONITOR).get(f"/plans/{world.plan_id}/dashboard?unit=987654")
    assert response.status_code == 200


@pytest.mark.parametrize("body", [[1], "text", None])
def test_the_designer_api_refuses_a_body_that_is_not_a_json_object(world: WebWorld, body) -> None:
    client = world.client(DESIGNER)
    raw = "{broken" if body is None else None
    for path in ("/designer/api/versions", "/designer/api/migrations"):
        response = client.post(path, json=body) if raw is None else \
            client.post(path, data=raw, content_type="application/json")
        assert_json_error(response, 400, "bad_request")


@pytest.mark.parametrize("version", ["abc", [1], 10**30, True])
def test_a_migration_between_versions_that_are_not_ids_is_a_404_in_json(world: WebWorld, version) -> None:
    response = world.client(DESIGNER).post("/designer/api/migrations",
                                           json={"from_version_id": version, "to_version_id": version})
    assert_json_error(response, 404, "not_found")


def test_a_bpmn_file_that_is_not_utf8_is_refused_with_its_reason(world: WebWorld) -> None:
    xml = '<?xml version="1.0" encoding="latin-1"?><bpmn:definitions ' \
          'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><!-- é --></bpmn:definitions>'
    response = world.client(DESIGNER).post("/designer/api/versions", data=xml.encode("latin-1"),
                                           content_type="application/xml")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_process"


def test_the_designer_api_answers_a_missing_csrf_token_in_json(sqlite_url: str) -> None:
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    client = world.client()
    login(client, DESIGNER)
    assert_json_error(client.post("/designer/api/validate", json={"xml": "<x/>"}), 400, "csrf")
    token = csrf_token(client, "/designer/")
    ok = client.post("/designer/api/validate", json={"xml": "<x/>"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200
