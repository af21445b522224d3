"""The step pages through the Flask test client, on a real SQLite file: the whole
path, and every bad input the issue names (403, 409, form errors, uploads, CSRF)."""
from __future__ import annotations

import io

import pytest

from tests.e2e.web_helpers import HEAD, MONITOR, OTHER_STAFF, STAFF, WebWorld, build_world, csrf_token, login


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def assign(world: WebWorld, to: str = STAFF) -> None:
    client = world.client(HEAD)
    response = client.post(f"/steps/{world.step('assign')}", data={"assignee": world.office.users[to]})
    assert response.status_code == 302, response.get_data(as_text=True)


def report(world: WebWorld, data: bytes = b"%PDF-1.4 report", result: str = "Đã rà soát 120 thủ tục"):
    client = world.client(STAFF)
    return client.post(f"/steps/{world.step('report')}", content_type="multipart/form-data",
                       data={"result": result, "product": (io.BytesIO(data), "bao-cao.pdf")})


def test_a_unit_head_assigns_and_the_step_moves_to_the_staff_members_inbox(world: WebWorld) -> None:
    head = world.client(HEAD)
    page = head.get(f"/steps/{world.step('assign')}").get_data(as_text=True)
    assert "Phạm Thu Dung" in page and 'name="assignee"' in page

    response = head.post(f"/steps/{world.step('assign')}", data={"assignee": world.office.users[STAFF]},
                         follow_redirects=True)

    assert response.request.path == "/"
    assert "Đã hoàn thành bước “Phân công người thực hiện” của nhiệm vụ 1." in response.get_data(as_text=True)
    staff_inbox = world.client(STAFF).get("/").get_data(as_text=True)
    assert f'href="/steps/{world.step("report")}"' in staff_inbox


def test_the_whole_path_closes_the_task_and_the_task_page_shows_its_history(world: WebWorld) -> None:
    assign(world)
    assert report(world).status_code == 302
    monitor = world.client(MONITOR)
    response = monitor.post(f"/steps/{world.step('review')}", data={"decision": "return", "comment": "Bổ sung số liệu"})
    assert response.status_code == 302
    assert report(world, result="Đã bổ sung số liệu").status_code == 302
    response = monitor.post(f"/steps/{world.step('review')}", data={"decision": "accept", "comment": ""})
    assert response.status_code == 302

    page = monitor.get(f"/tasks/{_task_id(world)}").get_data(as_text=True)
    assert "Đã hoàn thành (trễ hạn)" in page  # closed today, long after its 2024 deadline
    assert page.count('data-action="step_completed"') == 5
    assert "Đã phân công cho Phạm Thu Dung" in page and "Bổ sung số liệu" in page and "Đã trả lại" in page
    assert "Đã chấp nhận" in page
    assert world.ready() == []
    download = monitor.get(_first_attachment_link(page))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 report"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_completing_a_step_that_is_not_mine_is_forbidden_and_changes_nothing(world: WebWorld) -> None:
    step_id = world.step("assign")
    response = world.client(STAFF).post(f"/steps/{step_id}", data={"assignee": world.office.users[STAFF]})

    assert response.status_code == 403
    assert "Đồng chí không có quyền xử lý bước này." in response.get_data(as_text=True)
    assert world.step("assign") == step_id  # still waiting, nobody assigned


def test_completing_a_step_twice_says_it_was_already_done_and_changes_nothing(world: WebWorld) -> None:
    step_id = world.step("assign")
    first, second = world.client(HEAD), world.client(HEAD)  # two tabs, two sessions
    assert first.post(f"/steps/{step_id}", data={"assignee": world.office.users[STAFF]}).status_code == 302

    response = second.post(f"/steps/{step_id}", data={"assignee": world.office.users[OTHER_STAFF]})

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Bước này đã được xử lý hoặc quy trình đã chuyển sang bước khác." in page
    assert "Không có gì bị thay đổi." in page
    assert [i.assignee_user_id for i in world.ready()] == [world.office.users[STAFF]]


def test_missing_fields_show_the_form_again_with_errors_next_to_them(world: WebWorld) -> None:
    response = world.client(HEAD).post(f"/steps/{world.step('assign')}", data={"assignee": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="assignee-error"' in page and "Hãy chọn một người trong đơn vị" in page

    assign(world)
    response = world.client(STAFF).post(f"/steps/{world.step('report')}", data={"result": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Hãy mô tả kết quả thực hiện." in page and "Hãy đính kèm tệp sản phẩm." in page


def test_returning_a_report_without_a_comment_is_refused(world: WebWorld) -> None:
    assign(world)
    report(world)
    response = world.client(MONITOR).post(f"/steps/{world.step('review')}", data={"decision": "return"})
    assert response.status_code == 400
    assert "Hãy nêu lý do trả lại báo cáo." in response.get_data(as_text=True)
    assert world.step("review")  # still waiting for the monitor


def test_an_empty_upload_is_refused_with_a_clear_error(world: WebWorld) -> None:
    assign(world)
    response = report(world, data=b"")
    assert response.status_code == 400
    assert "Tệp trống, không có nội dung." in response.get_data(as_text=True)
    assert world.step("report")


def test_a_too_large_upload_is_refused_with_a_vietnamese_page(sqlite_url: str) -> None:
    world = build_world(sqlite_url, MAX_CONTENT_LENGTH=1024 * 1024)
    assign(world)
    response = report(world, data=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "Tệp quá lớn. Vui lòng gửi tệp không quá 1 MB." in response.get_data(as_text=True)
    assert world.step("report")


def test_a_form_post_without_its_csrf_token_is_rejected(sqlite_url: str) -> None:
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    client = world.client()
    login(client, HEAD)
    step_id = world.step("assign")

    response = client.post(f"/steps/{step_id}", data={"assignee": world.office.users[STAFF]})

    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert world.step("assign") == step_id
    token = csrf_token(client, f"/steps/{step_id}")
    response = client.post(f"/steps/{step_id}", data={"assignee": world.office.users[STAFF], "csrf_token": token})
    assert response.status_code == 302


def test_a_step_that_does_not_exist_is_a_404_page(world: WebWorld) -> None:
    response = world.client(HEAD).get("/steps/999999")
    assert response.status_code == 404
    assert "Bước này không tồn tại." in response.get_data(as_text=True)


def _task_id(world: WebWorld) -> int:
    with world.office.uow() as uow:
        return uow.tasks.for_plan(world.plan_id)[0].id


def _first_attachment_link(page: str) -> str:
    start = page.index('href="/attachments/') + len('href="')
    return page[start:page.index('"', start)]
