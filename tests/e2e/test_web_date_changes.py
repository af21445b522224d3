"""The monitor changes a task's date from the task page: a reason is asked, an unusual
date is confirmed, the history shows the old and the new date."""
from __future__ import annotations

from datetime import date

import pytest

from engine.tasks import steps
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, build_world
from tests.support.deadlines import office_clock


@pytest.fixture
def world(sqlite_url):
    world = build_world(sqlite_url)
    with office_clock(date(2024, 1, 16)) as clock:
        steps.complete_step(world.office.uow(), world.step("assign"), world.office.users[HEAD],
                            {"assignee": world.office.users[STAFF]}, clock=clock)
        yield world
    world.office.storage.engine.dispose()


def test_the_monitor_changes_a_date_with_a_reason_and_the_history_keeps_both(world):
    task_id = world.ready()[0].plan_task_id
    monitor = world.client(MONITOR)
    page = monitor.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Đổi hạn" in page
    assert "Đổi hạn" not in world.client(STAFF).get(f"/tasks/{task_id}").get_data(as_text=True)

    no_reason = monitor.post(f"/tasks/{task_id}/due/change", data={"due": "2030-04-30", "reason": ""},
                             follow_redirects=True).get_data(as_text=True)
    assert "Đề nghị nêu lý do đổi hạn." in no_reason
    far = monitor.post(f"/tasks/{task_id}/due/change", data={"due": "2030-04-30", "reason": "Theo chỉ đạo"},
                       follow_redirects=True).get_data(as_text=True)
    assert "đề nghị đồng chí xác nhận" in far
    done = monitor.post(f"/tasks/{task_id}/due/change",
                        data={"due": "2030-04-30", "reason": "Theo chỉ đạo", "confirm": "yes"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Đã đổi hạn từ 29/03/2024 sang 30/04/2030" in done and "Theo chỉ đạo" in done
    assert world.client(STAFF).post(f"/tasks/{task_id}/due/change",
                                    data={"due": "2030-05-30", "reason": "x", "confirm": "yes"}).status_code == 403
