"""The office calendar page through the Flask test client: a monitor adds a day and
removes it, with CSRF on; a bad day is shown back; staff are refused."""
from __future__ import annotations

import re

import pytest

from engine import model
from engine.process import instances
from tests.e2e.web_helpers import MONITOR, STAFF, WebWorld, build_world

LEADER = "chanhvp"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    yield world
    world.office.storage.engine.dispose()


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def office_days(world: WebWorld) -> list[model.DeclaredDay]:
    with world.office.uow() as uow:
        return uow.office_days.list()


def test_a_monitor_adds_a_day_off_and_deletes_it(world: WebWorld) -> None:
    client = world.client(MONITOR)
    page = client.get("/calendar?year=2024").get_data(as_text=True)
    assert "Lịch làm việc của cơ quan" in page and "Tết Nguyên Đán" in page and "Ngày Chiến thắng" in page
    assert "giữ nguyên thời điểm" in page  # armed timers keep their times: said on the page
    assert 'href="/calendar"' in page  # the nav link

    assert client.post("/calendar/days", data={"day": "2024-03-28", "kind": "off", "name": "Nghỉ"}).status_code == 400
    added = client.post("/calendar/days", data={"day": "2024-03-28", "kind": "off", "name": "Ngày thành lập",
                                                "csrf_token": form_token(page)})
    assert added.status_code == 302 and added.headers["Location"].endswith("/calendar?year=2024")
    [row] = office_days(world)
    assert (row.kind, row.name, row.created_by) == ("off", "Ngày thành lập", world.office.users[MONITOR])
    with world.office.uow() as uow:  # Wed 27 + 1 working day skips Thu 28
        assert instances.calendar(uow).add_working_days(row.day.replace(day=27), 1).day == 29

    page = client.get("/calendar?year=2024").get_data(as_text=True)
    assert 'data-source="office" data-kind="off" data-day="2024-03-28"' in page and "Đỗ Thị Lan" in page
    deleted = client.post(f"/calendar/days/{row.id}/delete", data={"year": "2024", "csrf_token": form_token(page)})
    assert deleted.status_code == 302 and office_days(world) == []


def test_a_bad_day_comes_back_with_its_message_in_vietnamese(world: WebWorld) -> None:
    client = world.client(LEADER)
    token = form_token(client.get("/calendar").get_data(as_text=True))
    response = client.post("/calendar/days", data={"day": "2024-03-24", "kind": "off", "name": "Nghỉ",
                                                   "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "cuối tuần" in page and 'value="2024-03-24"' in page
    assert office_days(world) == []


def test_staff_get_403_and_no_link(world: WebWorld) -> None:
    client = world.client(STAFF)
    assert 'href="/calendar"' not in client.get("/").get_data(as_text=True)
    assert client.get("/calendar").status_code == 403
    token = form_token(client.get("/").get_data(as_text=True))
    assert client.post("/calendar/days", data={"day": "2024-03-28", "kind": "off", "name": "x",
                                               "csrf_token": token}).status_code == 403
    assert office_days(world) == []


def test_a_stranger_is_sent_to_log_in(world: WebWorld) -> None:
    response = world.client().get("/calendar")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
