"""Sessions and logins as ASVS level 2 asks: a logout ends every copy of a session,
sessions end when idle and after a working day, guessing is slowed per account, and
an unknown username answers like a known one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from adapters.demo.loader import DEMO_PASSWORD
from engine.access import accounts
from engine.clock import FixedClock
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, build_world, login


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    world = build_world(sqlite_url)
    world.app.extensions["planflow_clock"] = FixedClock(datetime(2024, 3, 27, 1, tzinfo=timezone.utc))
    return world


def move(world: WebWorld, **delta: float) -> None:
    world.app.extensions["planflow_clock"].at += timedelta(**delta)


def copy_of(world: WebWorld, client):
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = world.app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200 and "/auth/login" not in response.headers.get("Location", "")


def test_logout_ends_a_copied_cookie_on_pages_and_in_the_api(world: WebWorld) -> None:
    client = world.client(HEAD)
    thief = copy_of(world, client)
    assert logged_in(thief) and thief.get("/api/inbox").status_code == 200

    client.post("/auth/logout")

    assert thief.get("/").status_code == 302 and "/auth/login" in thief.get("/").headers["Location"]
    assert thief.get("/api/inbox").status_code == 401
    assert thief.post(f"/api/steps/{world.step('assign')}/complete",
                      json={"assignee": world.office.users[STAFF]}).status_code == 401


def test_logout_ends_the_sessions_on_every_machine_and_a_new_login_works(world: WebWorld) -> None:
    office, home = world.client(HEAD), world.client(HEAD)
    office.post("/auth/logout")
    assert not logged_in(home)
    login(home, HEAD)
    assert logged_in(home)


def test_a_session_idle_for_30_minutes_ends(world: WebWorld) -> None:
    client = world.client(MONITOR)
    move(world, minutes=29)
    assert logged_in(client)  # used: the idle time starts again
    move(world, minutes=29)
    assert logged_in(client)
    move(world, minutes=31)
    assert not logged_in(client)


def test_a_session_ends_after_12_hours_however_busy(world: WebWorld) -> None:
    client = world.client(MONITOR)
    for _ in range(24):
        move(world, minutes=29)
        assert logged_in(client)
    move(world, minutes=29)
    assert not logged_in(client)


def post_login(client, username: str, password: str):
    return client.post("/auth/login", data={"username": username, "password": password})


def test_the_wait_after_failures_grows_and_stays_short(world: WebWorld) -> None:
    client = world.client()
    for _ in range(5):
        assert post_login(client, HEAD, "doan-mo").status_code == 200
    waits = []
    for _ in range(6):
        seconds = 0
        while post_login(client, HEAD, "doan-mo").status_code == 429:
            move(world, seconds=1)
            seconds += 1
        waits.append(seconds)
    # 5 s after the fifth failure, then doubling, never more than a minute
    assert waits == [5, 10, 20, 40, 60, 60]


def test_an_unknown_username_is_answered_like_a_wrong_password(world: WebWorld, monkeypatch) -> None:
    checked = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real_check(h, p))
    client = world.client()
    unknown, wrong = post_login(client, "khong.co.ai", "doan-mo"), post_login(client, HEAD, "doan-mo")
    assert unknown.status_code == wrong.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in unknown.get_data(as_text=True)
    assert len(checked) == 2  # a password hash was checked for the unknown name too
    for _ in range(4):
        post_login(client, "khong.co.ai", "doan-mo")
    assert post_login(client, "khong.co.ai", "doan-mo").status_code == 429  # counted alike


def test_a_username_or_password_of_a_megabyte_is_refused_without_hashing_it(world: WebWorld) -> None:
    response = post_login(world.client(), HEAD, "x" * 60_000)
    assert response.status_code == 400
    assert post_login(world.client(), "x" * 10_000, DEMO_PASSWORD).status_code == 200
