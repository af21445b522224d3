"""The inbox as a task list: filters (plan, step, due, whose, words), sort, pages, counts
that follow the filters; and a step shared by a unit's role taken by one person
("nhận xử lý") and given back ("trả lại")."""
from __future__ import annotations

import io
import re

import pytest
from werkzeug.security import generate_password_hash

from adapters.demo.directory import MONITOR_UNIT
from adapters.demo.loader import DEMO_PASSWORD
from engine import model
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, basic, build_world
from tests.support.office import KSTTHC

SECOND_MONITOR = "theodoi2"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    # The app's today is Wednesday 2024-03-27.
    world = build_world(sqlite_url, tasks=[
        {"ref": "1", "title": "Rà soát quy trình nội bộ", "lead": [KSTTHC], "due": "2024-03-20"},
        {"ref": "2", "title": "Số hóa hồ sơ thủ tục hành chính", "lead": [KSTTHC], "due": "2024-03-29"},
        {"ref": "3", "title": "Đào tạo kỹ năng số cho cán bộ", "lead": [KSTTHC], "due": "2024-05-31"},
    ])
    with world.office.uow() as uow:
        uow.users.add(model.User(username=SECOND_MONITOR, full_name="Cao Thị Mơ", unit_id=world.office.units[MONITOR_UNIT],
                                 role="monitor", password_hash=generate_password_hash(DEMO_PASSWORD)))
        uow.commit()
    return world


def refs(page: str) -> list[str]:
    return re.findall(r'href="/tasks/\d+">([^<]+)</a>', page)


def count(page: str, key: str) -> int:
    return int(re.search(rf'<span class="n" data-count="{key}">(\d+)</span>', page).group(1))


def test_the_due_filter_narrows_the_list_and_the_counts_follow(world: WebWorld) -> None:
    head = world.client(HEAD)
    everything = head.get("/").get_data(as_text=True)
    assert refs(everything) == ["1", "2", "3"] and count(everything, "total") == 3
    assert count(everything, "overdue") == 1 and count(everything, "soon") == 1

    for due, expected in (("late", ["1"]), ("week", ["2"]), ("later", ["3"])):
        page = head.get(f"/?due={due}").get_data(as_text=True)
        assert refs(page) == expected, due
        assert count(page, "total") == 1 and count(page, "overdue") == (1 if due == "late" else 0)


def test_words_find_whole_words_and_sort_and_pages_work(world: WebWorld, monkeypatch) -> None:
    head = world.client(HEAD)
    assert refs(head.get("/?q=số+hóa").get_data(as_text=True)) == ["2"]
    assert refs(head.get("/?q=so+hoa").get_data(as_text=True)) == ["2"]
    assert refs(head.get("/?q=hóa").get_data(as_text=True)) == ["2"], "not every plan ('kế hoạch') matches"
    assert refs(head.get("/?q=ky+nang+so").get_data(as_text=True)) == ["3"]
    assert refs(head.get("/?sort=received").get_data(as_text=True)) == ["3", "2", "1"]

    monkeypatch.setattr("engine.tasks.inbox.PAGE_SIZE", 2)
    first, second = head.get("/").get_data(as_text=True), head.get("/?page=2").get_data(as_text=True)
    assert refs(first) == ["1", "2"] and refs(second) == ["3"] and count(second, "total") == 3


def test_the_api_takes_the_same_filters(world: WebWorld) -> None:
    found = world.client().get("/api/inbox?due=late", headers=basic(HEAD)).get_json()
    assert [i["task_ref"] for i in found["items"]] == ["1"] and found["counts"]["total"] == 1


def reviewing(world: WebWorld) -> int:
    """Task 1 taken to its review, which waits for the monitoring unit's monitors."""
    head = world.client(HEAD)
    (assign,) = [i.id for i in world.ready() if i.form == "assign" and i.plan_task_id == 1]
    assert head.post(f"/steps/{assign}", data={"assignee": world.office.users[STAFF]}).status_code == 302
    (report,) = [i.id for i in world.ready() if i.form == "report"]
    sent = world.client(STAFF).post(f"/steps/{report}", content_type="multipart/form-data",
                                    data={"result": "Xong", "product": (io.BytesIO(b"%PDF"), "bc.pdf")})
    assert sent.status_code == 302
    return world.step("review")


def test_a_monitor_takes_a_shared_step_and_gives_it_back(world: WebWorld) -> None:
    review = reviewing(world)
    me, colleague = world.client(MONITOR), world.client(SECOND_MONITOR)
    assert f'data-work-item="{review}"' in colleague.get("/?whose=unit").get_data(as_text=True)

    taken = me.post(f"/steps/{review}/claim", data={"next": "/?whose=unit"})
    assert taken.status_code == 302 and taken.headers["Location"] == "/?whose=unit"
    mine = me.get("/?whose=mine").get_data(as_text=True)
    assert f'data-work-item="{review}"' in mine and 'data-action="unclaim"' in mine
    assert f'data-work-item="{review}"' not in colleague.get("/").get_data(as_text=True)
    refused = colleague.post(f"/steps/{review}", data={"decision": "accept", "comment": ""})
    assert refused.status_code == 403
    assert colleague.post(f"/steps/{review}/claim").status_code == 409

    assert me.post(f"/steps/{review}/unclaim").status_code == 302
    assert f'data-work-item="{review}"' in colleague.get("/?whose=unit").get_data(as_text=True)
    history = me.get("/tasks/1").get_data(as_text=True)
    assert 'data-action="step_claimed"' in history and 'data-action="step_unclaimed"' in history


def test_a_step_named_for_one_person_cannot_be_taken_and_only_the_taker_gives_back(world: WebWorld) -> None:
    review = reviewing(world)
    (assign_of_2,) = [i.id for i in world.ready() if i.form == "assign" and i.plan_task_id == 2]
    assert world.client(STAFF).post(f"/steps/{assign_of_2}/claim").status_code == 403
    assert world.client().post(f"/api/steps/{review}/claim", headers=basic(MONITOR)).get_json()["claimed_by"] == \
        world.office.users[MONITOR]
    assert world.client().post(f"/api/steps/{review}/unclaim", headers=basic(SECOND_MONITOR)).status_code == 403
