"""Deadline pages through the Flask test client: the bell, the notices page, asking for
more time and deciding it from the inbox, the date of an unresolved task, days left."""
from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, assigned_world
from tests.support.deadlines import notice_rows, sweep_at
from tests.support.office import KSTTHC

DIRECTOR = "chanhvp"


@pytest.fixture
def world(sqlite_url):
    with assigned_world(sqlite_url) as world:
        yield world


def test_the_bell_counts_unread_notices_and_the_notices_page_lists_them(world):
    client = world.client(STAFF)
    assert 'data-unread="1"' in client.get("/").get_data(as_text=True)  # the task assigned to her
    sweep_at(world.office, world.clock, date(2024, 3, 26))
    assert len(notice_rows(world.office)) == 1
    page = client.get("/").get_data(as_text=True)
    assert 'data-unread="2"' in page  # and the reminder
    notices_page = client.get("/notices").get_data(as_text=True)
    assert 'data-rung="holder"' in notices_page and "unread" in notices_page
    client.post("/notices/read")
    assert 'data-unread="0"' in client.get("/").get_data(as_text=True)
    assert world.client(DIRECTOR).get("/notices/mail").status_code == 200
    assert client.get("/notices/mail").status_code == 403


def test_inbox_and_plan_pages_show_working_days_left(world):
    client = world.client(STAFF)
    inbox = client.get("/").get_data(as_text=True)  # TODAY is 2024-03-27, due Friday 29th
    assert "2" in inbox and "29/03/2024" in inbox
    plan = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "29/03/2024" in plan and "badge-soon" in plan


def test_ask_for_more_time_then_the_director_accepts_from_the_inbox(world):
    report = world.step("report")
    client = world.client(STAFF)
    assert "/extension" in client.get(f"/steps/{report}").get_data(as_text=True)
    refused = client.post(f"/steps/{report}/extension", data={"new_due": "2024-03-01", "reason": ""})
    assert refused.status_code == 400
    asked = client.post(f"/steps/{report}/extension", data={"new_due": "2024-04-12", "reason": "Chờ số liệu"})
    assert asked.status_code == 302

    director = world.client(DIRECTOR)
    inbox = director.get("/").get_data(as_text=True)
    assert "data-extension=" in inbox and "Chờ số liệu" in inbox
    request_id = int(inbox.split('data-extension="')[1].split('"')[0])
    assert director.post(f"/extensions/{request_id}/decide", data={"decision": "accept"}).status_code == 302
    assert "data-extension=" not in director.get("/").get_data(as_text=True)
    [item] = [i for i in world.ready() if i.form == "report"]
    assert item.due_on == date(2024, 4, 12)
    task_page = director.get(f"/tasks/{item.plan_task_id}").get_data(as_text=True)
    assert "29/03/2024" in task_page and "12/04/2024" in task_page  # both dates in the history


def test_the_monitor_sets_the_date_of_a_task_waiting_for_one(world):
    plan_id = world.office.plan([{"ref": "9", "lead": [KSTTHC]}])
    task_id = world.office.ready(plan_id)[0].plan_task_id
    assert f"/tasks/{task_id}" in world.client(STAFF).get("/tasks/waiting-date").get_data(as_text=True)
    assert 'name="due"' not in world.client(STAFF).get(f"/tasks/{task_id}").get_data(as_text=True)
    monitor = world.client(MONITOR)
    assert 'name="due"' in monitor.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert monitor.post(f"/tasks/{task_id}/due", data={"due": "2024-06-28"}).status_code == 302
    assert f"/tasks/{task_id}" not in monitor.get("/tasks/waiting-date").get_data(as_text=True)


def test_a_reminder_opens_on_its_task_for_its_recipient_only(world):
    sweep_at(world.office, world.clock, date(2024, 3, 26))
    [reminder] = notice_rows(world.office)
    client = world.client(STAFF)
    assert world.client(HEAD).post(f"/notices/{reminder['id']}/open").status_code == 404  # not his
    opened = client.post(f"/notices/{reminder['id']}/open")
    assert opened.status_code == 302 and opened.location.endswith(f"/tasks/{reminder['plan_task_id']}")
    assert notice_rows(world.office, id=reminder["id"])[0]["read_at"] is not None
