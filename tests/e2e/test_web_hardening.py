"""The web app as an attacker and a careless user see it: bad ids and bodies are a
clear 4xx (JSON on the APIs, a Vietnamese page elsewhere), never a 500."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.demo.loader import DEMO_PASSWORD
from engine.clock import FixedClock
from engine.file_names import safe_filename
from tests.e2e.web_helpers import (
    HEAD,
    MONITOR,
    OUTSIDER,
    STAFF,
    WebWorld,
    basic,
    build_world,
    csrf_token,
    login,
)
from web import create_app
from web.cli import main

DESIGNER = "thietke"
HUGE = "99999999999999999999"  # past any database integer: the driver would overflow


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def upload_report(world: WebWorld, filename: str, data: bytes, content_type: str) -> dict:
    """Assign, then report with this file through the API; the stored attachment."""
    client = world.client()
    client.post(f"/api/steps/{world.step('assign')}/complete", headers=basic(HEAD),
                json={"assignee": world.office.users[STAFF]})
    done = client.post(f"/api/steps/{world.step('report')}/complete", headers=basic(STAFF),
                       data={"result": "Xong", "product": (io.BytesIO(data), filename, content_type)})
    assert done.status_code == 200, done.get_data(as_text=True)
    task = client.get(f"/api/tasks/{done.get_json()['task']['id']}", headers=basic(MONITOR)).get_json()
    (attachment,) = task["attachments"]
    return attachment


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


# --- redirects, and pages for what is not yours ---------------------------------------

@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/",
                                    "/\\/evil.example"])
def test_login_never_follows_next_to_another_site(world: WebWorld, target: str) -> None:
    response = world.client().post("/auth/login", query_string={"next": target},
                                   data={"username": HEAD, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_follows_next_to_a_page_of_this_site_with_its_query(world: WebWorld) -> None:
    response = world.client().post("/auth/login", query_string={"next": "/plans?lang=en"},
                                   data={"username": HEAD, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/plans?lang=en"


def test_only_the_holder_of_a_step_gets_the_extension_form(world: WebWorld) -> None:
    step = world.step("assign")
    assert world.client(OUTSIDER).get(f"/steps/{step}/extension").status_code == 403
    assert world.client(HEAD).get(f"/steps/{step}/extension").status_code == 200


# --- uploads: kept under a plain name, never shown as a page of this site ---------------

@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..", "file"),
])
def test_an_uploaded_file_keeps_only_its_own_name(world: WebWorld, sent: str, kept: str) -> None:
    assert upload_report(world, sent, b"%PDF", "application/pdf")["filename"] == kept


def test_a_windows_path_or_a_control_character_never_reaches_the_stored_name() -> None:
    assert safe_filename("C:\\Users\\dung\\Báo cáo quý 1.docx") == "Báo cáo quý 1.docx"
    assert safe_filename("bao\r\ncao.pdf") == "baocao.pdf"
    assert len(safe_filename("x" * 500 + ".pdf")) == 200 and safe_filename("x" * 500 + ".pdf").endswith(".pdf")


@pytest.mark.parametrize(("name", "content_type", "data"), [
    ("trang.html", "text/html", b"<script>alert(document.cookie)</script>"),
    ("hinh.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
])
def test_an_html_or_svg_upload_downloads_and_never_runs_as_a_page(world: WebWorld, name: str, content_type: str,
                                                                  data: bytes) -> None:
    attachment = upload_report(world, name, data, content_type)
    page = world.client(MONITOR).get(f"/attachments/{attachment['id']}")
    script = world.client().get(attachment["url"], headers=basic(MONITOR))
    for response in (page, script):
        assert response.status_code == 200 and response.data == data
        assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


# --- logging in: guessing is slowed down; the cookie stays in its lane -----------------

def post_login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/auth/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_five_wrong_passwords_make_that_username_wait_from_any_machine_for_a_while(world: WebWorld) -> None:
    clock = FixedClock(datetime(2024, 3, 27, 2, tzinfo=timezone.utc))
    world.app.extensions["planflow_clock"] = clock
    client = world.client()
    for _ in range(5):
        assert post_login(client, HEAD, "doan-mo").status_code == 200

    waiting = post_login(client, HEAD, DEMO_PASSWORD)
    assert waiting.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in waiting.get_data(as_text=True)
    # Counted per account: another machine waits too (guessing from many addresses
    # gains nothing); other people do not.
    assert post_login(world.client(), HEAD, DEMO_PASSWORD, address="10.0.0.2").status_code == 429
    assert post_login(world.client(), STAFF, DEMO_PASSWORD).status_code == 302

    clock.at += timedelta(seconds=5)
    assert post_login(client, HEAD, DEMO_PASSWORD).status_code == 302


def test_basic_auth_guessing_is_locked_out_too_in_json(world: WebWorld) -> None:
    client = world.client()
    for _ in range(5):
        assert_json_error(client.get("/api/inbox", headers=basic(HEAD, "doan-mo")), 401, "unauthorized")
    assert_json_error(client.get("/api/inbox", headers=basic(HEAD)), 429, "too_many_attempts")


def test_a_right_password_forgives_the_failures_before_it(world: WebWorld) -> None:
    client = world.client()
    for _ in range(4):
        post_login(client, HEAD, "doan-mo")
    assert post_login(client, HEAD, DEMO_PASSWORD).status_code == 302
    client.post("/auth/logout")
    for _ in range(4):
        post_login(client, HEAD, "doan-mo")
    assert post_login(client, HEAD, DEMO_PASSWORD).status_code == 302


def test_the_session_cookie_is_httponly_samesite_and_secure_behind_https(sqlite_url: str, monkeypatch) -> None:
    world = build_world(sqlite_url)
    assert world.app.config["SESSION_COOKIE_SECURE"] is False  # plain http on a desk machine still works
    client = world.client()
    cookie = post_login(client, HEAD, DEMO_PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    monkeypatch.setenv("PLANFLOW_BASE_URL", "https://planflow.example.gov.vn")
    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    cookie = post_login(app.test_client(), HEAD, DEMO_PASSWORD).headers["Set-Cookie"]
    assert "Secure" in cookie


# --- a database nobody migrated -----------------------------------------------------------

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "numbered_list.md"


@pytest.mark.parametrize("command", [["plan", "import", str(PLAN)], ["demo", "load"], ["serve"], ["scheduler", "--once"]])
def test_commands_on_a_database_not_yet_migrated_say_to_run_db_upgrade(sqlite_url: str, monkeypatch,
                                                                      command: list[str]) -> None:
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1, result.output
    assert "Lỗi: Cơ sở dữ liệu chưa được khởi tạo" in result.stderr and "planflow db upgrade" in result.stderr


def test_after_db_upgrade_the_same_command_runs(sqlite_url: str, monkeypatch) -> None:
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", sqlite_url)
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(main, ["demo", "load"])
    assert result.exit_code == 0, result.output
