"""Assigning as offices do: a main handler, co-handlers (each gives their part before the
report), people told for information, an instruction and an internal deadline; the head
later reassigns or withdraws, with a reason; the workflow's own data follows, so a
revision goes to the new holder."""
from __future__ import annotations

import io

import pytest

from werkzeug.security import generate_password_hash

from adapters.demo.loader import DEMO_PASSWORD
from engine import model
from tests.e2e.web_helpers import HEAD, MONITOR, OTHER_STAFF, STAFF, WebWorld, basic, build_world
from tests.support.office import KSTTHC

UNRELATED_HEAD = "truong.th"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def assign(world: WebWorld, **extra) -> None:
    """Assign with a co-handler, who then gives their part: the report is ready."""
    users = world.office.users
    data = {"assignee": users[STAFF], "co_handlers": [users[OTHER_STAFF]], "instruction": "Ưu tiên hồ sơ đất đai",
            "internal_due": "2024-03-28", **extra}
    response = world.client(HEAD).post(f"/steps/{world.step('assign')}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    part = world.client(OTHER_STAFF).post(f"/steps/{world.step('contribute')}",
                                          data={"contribution": "Phần hồ sơ đất đai do tôi rà soát"})
    assert part.status_code == 302, part.get_data(as_text=True)


def test_the_assignment_names_co_handlers_an_instruction_and_an_internal_deadline(world: WebWorld) -> None:
    assign(world)
    page = world.client(STAFF).get(f"/steps/{world.step('report')}").get_data(as_text=True)
    facts = page[page.index('id="assignment"'):]
    assert "Phạm Thu Dung" in facts and "Hoàng Văn Em" in facts
    assert "Ưu tiên hồ sơ đất đai" in facts and "28/03/2024" in facts
    task = world.client().get(f"/api/tasks/{world.ready()[0].plan_task_id}", headers=basic(MONITOR)).get_json()
    (done,) = [h for h in task["history"] if h["action"] == "step_completed" and h["step_id"] == "assign"]
    assert done["detail"]["co_handlers"] == [world.office.users[OTHER_STAFF]]
    assert done["detail"]["internal_due"] == "2024-03-28" and done["detail"]["instruction"] == "Ưu tiên hồ sơ đất đai"


def test_an_internal_deadline_after_the_tasks_own_is_refused(world: WebWorld) -> None:
    response = world.client(HEAD).post(f"/steps/{world.step('assign')}", data={
        "assignee": world.office.users[STAFF], "internal_due": "2024-04-30"})
    assert response.status_code == 400 and "không được sau thời hạn của nhiệm vụ" in response.get_data(as_text=True)
    assert world.step("assign")


def test_a_co_handler_of_another_unit_reads_nothing_but_one_named_reads_the_task(world: WebWorld) -> None:
    assign(world)
    task_id = world.ready()[0].plan_task_id
    assert world.client(UNRELATED_HEAD).get(f"/tasks/{task_id}").status_code == 404
    assert world.client(OTHER_STAFF).get(f"/tasks/{task_id}").status_code == 200


def test_the_head_reassigns_with_a_reason_and_the_revision_follows_the_new_holder(world: WebWorld) -> None:
    assign(world)
    report = world.step("report")
    head = world.client(HEAD)
    assert 'id="reassign"' in head.get(f"/steps/{report}").get_data(as_text=True)
    assert 'id="reassign"' not in world.client(STAFF).get(f"/steps/{report}").get_data(as_text=True)

    refused = head.post(f"/steps/{report}/reassign", data={"assignee": world.office.users[OTHER_STAFF], "reason": ""},
                        follow_redirects=True)
    assert "Cần nêu lý do." in refused.get_data(as_text=True)
    assert world.ready()[0].assignee_user_id == world.office.users[STAFF]

    head.post(f"/steps/{report}/reassign", data={"assignee": world.office.users[OTHER_STAFF],
                                                 "reason": "Đồng chí Dung đi công tác"})
    # The process's "Giao lại" event starts the report again, for the new holder.
    old, report = report, world.step("report")
    assert report != old and world.ready()[0].assignee_user_id == world.office.users[OTHER_STAFF]
    assert world.client(STAFF).post(f"/steps/{old}", content_type="multipart/form-data", data={
        "result": "x", "product": (io.BytesIO(b"%PDF"), "a.pdf")}).status_code == 409  # moved on
    assert world.client(STAFF).post(f"/steps/{report}", content_type="multipart/form-data", data={
        "result": "x", "product": (io.BytesIO(b"%PDF"), "a.pdf")}).status_code == 403
    sent = world.client(OTHER_STAFF).post(f"/steps/{report}", content_type="multipart/form-data", data={
        "result": "Đã xong", "product": (io.BytesIO(b"%PDF"), "a.pdf")})
    assert sent.status_code == 302
    world.client(MONITOR).post(f"/steps/{world.step('review')}", data={"decision": "return", "comment": "Bổ sung"})
    revise = world.step("report")
    assert [i.assignee_user_id for i in world.ready()] == [world.office.users[OTHER_STAFF]], "the workflow's data moved"
    history = world.client(MONITOR).get(f"/tasks/{world.ready()[0].plan_task_id}").get_data(as_text=True)
    assert 'data-action="step_reassigned"' in history and "Đồng chí Dung đi công tác" in history
    assert revise


def test_the_head_withdraws_a_step_back_to_assigning_and_no_one_else_may(world: WebWorld) -> None:
    assign(world)
    report = world.step("report")
    assert world.client(UNRELATED_HEAD).post(f"/steps/{report}/reassign", data={
        "action": "withdraw", "reason": "x"}).status_code == 404
    assert world.client(OTHER_STAFF).post(f"/steps/{report}/reassign", data={
        "action": "withdraw", "reason": "x"}).status_code == 403
    world.client(HEAD).post(f"/steps/{report}/reassign", data={"action": "withdraw", "reason": "Chưa đúng người"})
    # The process's "Thu hồi" event takes the work back to an assign step of the head's.
    [again] = world.ready()
    assert (again.step_id, again.candidate_role, again.assignee_user_id) == ("assign_again", "unit_head", None)
    history = world.client(MONITOR).get(f"/tasks/{again.plan_task_id}").get_data(as_text=True)
    assert 'data-action="step_withdrawn"' in history and "Chưa đúng người" in history
    world.client(HEAD).post(f"/steps/{again.id}", data={"assignee": world.office.users[OTHER_STAFF]})
    assert [(i.step_id, i.assignee_user_id) for i in world.ready()] == [("report", world.office.users[OTHER_STAFF])]


def test_a_co_handler_gives_their_part_and_the_people_named_see_the_task_in_their_work(world: WebWorld) -> None:
    with world.office.uow() as uow:
        uow.users.add(model.User(username="cv.kstthc3", full_name="Trịnh Văn Giáp", role="staff",
                                 unit_id=world.office.units[KSTTHC], password_hash=generate_password_hash(DEMO_PASSWORD)))
        uow.commit()
        informed = uow.users.by_username("cv.kstthc3").id
    users = world.office.users
    world.client(HEAD).post(f"/steps/{world.step('assign')}", data={
        "assignee": users[STAFF], "co_handlers": [users[OTHER_STAFF]], "informed": [informed]})
    [part] = world.ready()
    assert (part.step_id, part.assignee_user_id) == ("co_handle", users[OTHER_STAFF])
    for username in (OTHER_STAFF, "cv.kstthc3"):
        mine = world.client(username).get("/mine").get_data(as_text=True)
        assert "Rà soát thủ tục hành chính" in mine, username
    assert "Rà soát thủ tục hành chính" not in world.client("cv.th").get("/mine").get_data(as_text=True)
    notices = world.client("cv.kstthc3").get("/notices").get_data(as_text=True)
    assert "Nhiệm vụ được gửi đồng chí để biết" in notices

    world.client(OTHER_STAFF).post(f"/steps/{part.id}", data={"contribution": "Phần hồ sơ đất đai do tôi rà soát"})
    page = world.client(STAFF).get(f"/steps/{world.step('report')}").get_data(as_text=True)
    assert "Phần hồ sơ đất đai do tôi rà soát" in page[page.index('id="opinions"'):]
