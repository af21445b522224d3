"""The JSON API on a real SQLite file: authentication (session or Basic), the CSRF
rule, completing steps, and a JSON error body for every error."""
from __future__ import annotations

import base64
import io

import pytest
from flask.testing import FlaskClient

from adapters.demo.loader import DEMO_PASSWORD
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, build_world, csrf_token, login


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def basic(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)
    return error


def complete(client: FlaskClient, step_id: int, username: str, **kwargs):
    return client.post(f"/api/steps/{step_id}/complete", headers=basic(username), **kwargs)


def test_without_credentials_the_api_answers_401_in_json_and_never_asks_the_browser(world: WebWorld) -> None:
    response = world.client().get("/api/inbox")
    assert_error(response, 401, "unauthorized")
    # No "Basic" challenge: a browser must never prompt for, and cache, a password.
    assert not response.headers.get("WWW-Authenticate", "").startswith("Basic")
    assert_error(world.client().get("/api/inbox", headers=basic(HEAD, "wrong")), 401, "unauthorized")


def test_the_inbox_lists_my_steps_with_counts(world: WebWorld) -> None:
    body = world.client().get("/api/inbox", headers=basic(HEAD)).get_json()
    assert body["counts"] == {"total": 1, "overdue": 0, "soon": 1}
    (item,) = body["items"]
    assert item["form"] == "assign" and item["due"] == "2024-03-29" and item["urgency"] == "soon"
    assert item["mine"] is False  # waits for the unit's head, not for me by name


def test_a_step_shows_its_form_and_choices(world: WebWorld) -> None:
    body = world.client().get(f"/api/steps/{world.step('assign')}", headers=basic(HEAD)).get_json()
    assert body["form"] == "assign" and body["can_act"] is True and body["state"] == "ready"
    assert {"id": world.office.users[STAFF], "name": "Phạm Thu Dung"} in body["choices"]
    assert body["task"]["ref"] == "1" and body["plan"]["number"] == "1/KH-TEST"


def test_completing_twice_is_409_and_nothing_is_doubled(world: WebWorld) -> None:
    step_id, client = world.step("assign"), world.client()
    first = complete(client, step_id, HEAD, json={"assignee": world.office.users[STAFF]})
    assert first.status_code == 200 and first.get_json()["state"] == "completed"

    assert_error(complete(client, step_id, HEAD, json={"assignee": world.office.users[STAFF]}), 409, "already_done")
    assert len(world.ready()) == 1 and world.ready()[0].form == "report"


def test_completing_a_step_that_is_not_mine_is_403_and_changes_nothing(world: WebWorld) -> None:
    step_id = world.step("assign")
    error = assert_error(complete(world.client(), step_id, STAFF, json={"assignee": 1}), 403, "not_allowed")
    assert error["message"] == "Đồng chí không có quyền xử lý bước này."
    assert world.step("assign") == step_id


def test_invalid_input_is_400_with_a_message_per_field(world: WebWorld) -> None:
    error = assert_error(complete(world.client(), world.step("assign"), HEAD, json={"assignee": 999}),
                         400, "invalid_input")
    assert set(error["fields"]) == {"assignee"}
    assert_error(complete(world.client(), world.step("assign"), HEAD, json=[1, 2]), 400, "bad_request")


def test_a_report_goes_as_multipart_and_an_empty_file_is_refused(world: WebWorld) -> None:
    client = world.client()
    complete(client, world.step("assign"), HEAD, json={"assignee": world.office.users[STAFF]})
    step_id = world.step("report")

    empty = complete(client, step_id, STAFF, data={"result": "Xong", "product": (io.BytesIO(b""), "rong.pdf")})
    assert assert_error(empty, 400, "invalid_input")["fields"] == {"product": "Tệp trống, không có nội dung."}

    done = complete(client, step_id, STAFF, data={"result": "Xong", "product": (io.BytesIO(b"%PDF"), "bc.pdf")})
    assert done.status_code == 200, done.get_data(as_text=True)
    task = client.get(f"/api/tasks/{done.get_json()['task']['id']}", headers=basic(MONITOR)).get_json()
    (attachment,) = task["attachments"]
    assert attachment["filename"] == "bc.pdf" and attachment["size"] == 4
    assert client.get(attachment["url"], headers=basic(MONITOR)).data == b"%PDF"


def test_a_too_large_upload_is_413_in_json(sqlite_url: str) -> None:
    world = build_world(sqlite_url, MAX_CONTENT_LENGTH=1024)
    client = world.client()
    complete(client, world.step("assign"), HEAD, json={"assignee": world.office.users[STAFF]})
    big = complete(client, world.step("report"), STAFF,
                   data={"result": "Xong", "product": (io.BytesIO(b"x" * 2048), "big.pdf")})
    error = assert_error(big, 413, "too_large")
    assert "1 MB" in error["message"]


def test_session_posts_need_the_csrf_header_and_basic_auth_posts_do_not(sqlite_url: str) -> None:
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    browser = world.client()
    login(browser, HEAD)
    step_id, payload = world.step("assign"), {"assignee": world.office.users[STAFF]}

    assert_error(browser.post(f"/api/steps/{step_id}/complete", json=payload), 400, "csrf")
    assert world.step("assign") == step_id

    token = csrf_token(browser, "/")
    ok = browser.post(f"/api/steps/{step_id}/complete", json=payload, headers={"X-CSRFToken": token})
    assert ok.status_code == 200, ok.get_data(as_text=True)

    script = world.client()  # Basic auth, no cookie, no token
    review_free = complete(script, world.step("report"), STAFF,
                           data={"result": "Xong", "product": (io.BytesIO(b"%PDF"), "bc.pdf")})
    assert review_free.status_code == 200, review_free.get_data(as_text=True)


def test_unknown_things_are_404_in_json(world: WebWorld) -> None:
    client = world.client()
    assert_error(client.get("/api/steps/99999", headers=basic(HEAD)), 404, "not_found")
    assert_error(client.get("/api/plans/99999", headers=basic(HEAD)), 404, "not_found")
    assert_error(client.get("/api/no-such-thing", headers=basic(HEAD)), 404, "not_found")
    assert_error(client.delete("/api/inbox", headers=basic(HEAD)), 405, "method_not_allowed")


def test_errors_follow_the_users_language(world: WebWorld) -> None:
    client = world.client()
    login(client, STAFF)
    client.get("/?lang=en")
    error = assert_error(client.get("/api/steps/99999"), 404, "not_found")
    assert error["message"] == "This step does not exist."


def test_plans_and_tasks_read_as_json(world: WebWorld) -> None:
    client = world.client()
    (plan,) = client.get("/api/plans", headers=basic(MONITOR)).get_json()["plans"]
    assert plan["number"] == "1/KH-TEST" and plan["tasks"] == 1 and plan["closed"] == 0

    body = client.get(f"/api/plans/{plan['id']}", headers=basic(MONITOR)).get_json()
    (task,) = body["tasks"]
    assert task["lead"] == ["Phòng Kiểm soát thủ tục hành chính"]
    assert [s["step_id"] for s in task["steps"]] == ["assign"]

    detail = client.get(f"/api/tasks/{task['id']}", headers=basic(MONITOR)).get_json()
    assert detail["status"] == "open" and detail["history"][0]["action"] == "task_started"
