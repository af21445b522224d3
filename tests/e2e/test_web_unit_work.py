"""Every unit sees its own: a unit head's page of the unit's tasks across plans (states,
counts and filters as on the dashboard) and a staff member's page of their tasks."""
from __future__ import annotations

import re

import pytest

from tests.e2e.web_helpers import HEAD, STAFF, WebWorld, build_world
from tests.support.office import KSTTHC, TTPV

TONG_HOP = "Phòng Tổng hợp"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    # The app's today is 2024-03-27: task 1 is late, task 2 is not, task 3 is another unit's.
    return build_world(sqlite_url, tasks=[
        {"ref": "1", "title": "Rà soát quy trình nội bộ", "lead": [KSTTHC], "due": "2024-03-01"},
        {"ref": "2", "title": "Số hóa kết quả giải quyết", "lead": [TTPV], "coordinators": [KSTTHC],
         "due": "2024-06-28"},
        {"ref": "3", "title": "Tổng hợp báo cáo quý", "lead": [TONG_HOP], "due": "2024-02-01"},
    ])


def listed(page: str) -> list[str]:
    return re.findall(r'data-task="\d+" data-state="(\w+)"', page)


def count(page: str, key: str) -> int:
    return int(re.search(rf'data-count="{key}"><span class="n">(\d+)</span>', page).group(1))


def test_a_unit_head_sees_the_units_tasks_with_counts_and_filters_the_late_ones(world: WebWorld) -> None:
    head = world.client(HEAD)
    page = head.get("/unit").get_data(as_text=True)
    assert "Rà soát quy trình nội bộ" in page and "Số hóa kết quả giải quyết" in page
    assert "Tổng hợp báo cáo quý" not in page
    assert count(page, "total") == 2 and count(page, "overdue") == 1 and count(page, "in_progress") == 1

    late = head.get("/unit?status=overdue").get_data(as_text=True)
    assert listed(late) == ["overdue"] and "Rà soát quy trình nội bộ" in late
    assert count(late, "total") == 2  # the counts stay, as links to the other states

    led = head.get("/unit?lead=1").get_data(as_text=True)
    assert "Số hóa kết quả giải quyết" not in led and count(led, "total") == 1


def test_a_staff_member_sees_the_tasks_they_hold(world: WebWorld) -> None:
    assert listed(world.client(STAFF).get("/mine").get_data(as_text=True)) == []
    (assign,) = [i.id for i in world.ready() if i.form == "assign" and i.candidate_unit_id ==
                 world.office.units[KSTTHC]]
    assert world.client(HEAD).post(f"/steps/{assign}", data={"assignee": world.office.users[STAFF]}).status_code == 302

    page = world.client(STAFF).get("/mine").get_data(as_text=True)
    assert listed(page) == ["overdue"] and "Rà soát quy trình nội bộ" in page
    assert "Phạm Thu Dung" in page  # the report step is theirs now


def test_the_unit_page_pages_a_long_list(world: WebWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.reading.unit_work.PAGE_SIZE", 1)
    head = world.client(HEAD)
    first, second = head.get("/unit").get_data(as_text=True), head.get("/unit?page=2").get_data(as_text=True)
    assert listed(first) == ["overdue"] and listed(second) == ["in_progress"] and 'rel="next"' in first
