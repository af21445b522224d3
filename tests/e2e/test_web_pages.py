"""Logging in and out, the inbox, plan pages, the language switch and the factory."""
from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.web_helpers import HEAD, MONITOR, WebWorld, build_world, csrf_token
from web import create_app


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def test_pages_need_a_login_and_send_back_to_the_page_asked_for(world: WebWorld) -> None:
    client = world.client()
    response = client.get("/plans")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next=")

    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login?next=/plans", data={"username": HEAD, "password": "planflow", "csrf_token": token})
    assert response.headers["Location"] == "/plans"


def test_a_wrong_password_says_so_in_vietnamese(world: WebWorld) -> None:
    response = world.client().post("/auth/login", data={"username": HEAD, "password": "nope"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)


def test_login_never_redirects_off_site(world: WebWorld) -> None:
    client = world.client()
    response = client.post("/auth/login?next=//evil.example/x", data={"username": HEAD, "password": "planflow"})
    assert response.headers["Location"] == "/"


def test_the_header_shows_who_i_am_and_logout_ends_the_session(world: WebWorld) -> None:
    client = world.client(HEAD)
    page = client.get("/").get_data(as_text=True)
    assert "Lê Minh Châu" in page and "Phòng Kiểm soát thủ tục hành chính" in page and "Lãnh đạo đơn vị" in page

    response = client.post("/auth/logout", follow_redirects=True)
    assert "Đồng chí đã đăng xuất." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_inbox_counts_and_colours_a_step_due_soon(world: WebWorld) -> None:
    page = world.client(HEAD).get("/").get_data(as_text=True)
    assert '<span class="n" data-count="total">1</span>' in page
    assert '<span class="n" data-count="soon">1</span>' in page
    assert 'class="urgency-soon"' in page and "Còn 2 ngày làm việc" in page and "29/03/2024" in page


def test_the_inbox_colours_an_overdue_step_red(sqlite_url: str) -> None:
    world = build_world(sqlite_url, TODAY=date(2024, 4, 3))
    page = world.client(HEAD).get("/").get_data(as_text=True)
    assert '<span class="n" data-count="overdue">1</span>' in page
    assert 'class="urgency-overdue"' in page and "Quá hạn 3 ngày làm việc" in page


def test_an_inbox_with_nothing_waiting_says_so(world: WebWorld) -> None:
    page = world.client(MONITOR).get("/").get_data(as_text=True)
    assert "Không có việc nào đang chờ đồng chí xử lý." in page


def test_the_plan_page_shows_each_task_its_step_and_who_holds_it(world: WebWorld) -> None:
    client = world.client(MONITOR)
    plans = client.get("/plans").get_data(as_text=True)
    assert "1/KH-TEST" in plans and "0 / 1" in plans

    page = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Rà soát thủ tục hành chính" in page
    assert "Phân công người thực hiện" in page
    assert "Lãnh đạo đơn vị · Phòng Kiểm soát thủ tục hành chính" in page
    assert client.get("/plans/9999").status_code == 404


def test_the_language_switch_is_kept_in_the_session(world: WebWorld) -> None:
    client = world.client(HEAD)
    assert "Hộp công việc" in client.get("/").get_data(as_text=True)

    page = client.get("/?lang=en").get_data(as_text=True)
    assert "My inbox" in page and '<html lang="en">' in page and "Tiếng Việt" in page
    assert "My inbox" in client.get("/").get_data(as_text=True)  # remembered

    assert "Hộp công việc" in client.get("/?lang=vi").get_data(as_text=True)
    assert "Hộp công việc" in client.get("/?lang=fr").get_data(as_text=True)  # unknown: unchanged


def test_the_factory_reads_the_environment_and_the_dict_wins(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("PLANFLOW_SECRET_KEY", "from-env")
    app = create_app()
    assert app.extensions["planflow"].url.endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'dict.sqlite3'}", "TESTING": True})
    assert app.extensions["planflow"].url.endswith("dict.sqlite3")


def test_the_language_link_keeps_the_page_and_its_query_and_never_leaves_the_site(world: WebWorld) -> None:
    client = world.client(HEAD)
    page = client.get(f"/plans/{world.plan_id}?sort=due").get_data(as_text=True)
    assert f'href="/plans/{world.plan_id}?sort=due&amp;lang=en"' in page

    not_found = client.get("//evil.example/x").get_data(as_text=True)
    assert 'href="/?lang=en"' in not_found and "evil.example" not in not_found.split("<main>")[0]
