"""Each role's day in headless Chromium, as the office does it, with CSRF on, in an
office whose process has the unit head approve a report and the directing leader
accept it (the settings `unit_approval` and `leader_acceptance`): the unit head assigns
with co-handlers and an instruction, the co-handler finds the task in "Việc của tôi"
and gives their part, the head later reassigns and filters the unit's late tasks; the staff member takes a task the head gave to the unit's staff ("nhận xử lý"),
reports, the unit head returns the report and the staff member sees the reason; the monitor searches "số hóa", opens the report's file and accepts
it; a second monitor takes a shared review and gives it back; the leader follows the
plans, opens the report's file and accepts it. Every page visited is saved at 1366 and
390 px wide in test-artifacts/roles/ (the phone width must show no sideways scroll)."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.security import generate_password_hash

from adapters.demo.directory import MONITOR_UNIT
from adapters.demo.loader import DEMO_PASSWORD
from engine import model
from engine.process.step_forms import UNIT_STAFF
from tests.e2e.web_helpers import HEAD, MONITOR, OTHER_STAFF, STAFF, WebWorld, basic, build_world
from tests.support.browser import log_in, log_out
from tests.support.office import KSTTHC, TTPV

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "roles"
LEADER, COORDINATOR_HEAD, SECOND_MONITOR = "chanhvp", "giamdoc.ttpv", "theodoi2"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
APPROVALS = {"unit_approval": True, "leader_acceptance": True}


@pytest.fixture
def world(sqlite_url: str, live_server: Callable[..., str]) -> tuple[str, WebWorld]:
    # The app's today is Wednesday 2024-03-27: task 2 is late.
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True, process_settings=APPROVALS, tasks=[
        {"ref": "1", "title": "Số hóa hồ sơ thủ tục hành chính", "lead": [KSTTHC], "coordinators": [TTPV],
         "due": "2024-03-29", "director": LEADER},
        {"ref": "2", "title": "Rà soát quy trình nội bộ", "lead": [KSTTHC], "due": "2024-03-20"},
        {"ref": "3", "title": "Hội thảo sổ tay hóa đơn điện tử", "lead": [KSTTHC], "due": "2024-05-31"},
    ])
    with world.office.uow() as uow:
        uow.users.add(model.User(username=SECOND_MONITOR, full_name="Cao Thị Mơ", role="monitor",
                                 unit_id=world.office.units[MONITOR_UNIT],
                                 password_hash=generate_password_hash(DEMO_PASSWORD)))
        uow.commit()
    return live_server(world.app), world


def shoot(page: Page, name: str) -> None:
    """The page at an office screen's width and a phone's; at the phone's nothing may
    stick out sideways (tables read as cards, the menu folds, forms fit)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 390:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at 390px"
    page.set_viewport_size({"width": 1366, "height": 900})


def open_file(page: Page, link: str) -> None:
    """Click a file's "Xem": it opens in a tab of its own, shown by the browser."""
    with page.context.expect_page() as popup:
        page.locator(link).first.click()
    viewer = popup.value
    viewer.wait_for_load_state()
    assert "view=1" in viewer.url
    shown = page.request.get(viewer.url)
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline") and shown.body() == PDF
    viewer.close()


def api(world: WebWorld, username: str, path: str, **kwargs) -> dict:
    response = world.app.test_client().post(path, headers=basic(username), **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def step_of(world: WebWorld, form: str, ref: str) -> int:
    (item,) = [i for i in world.ready() if i.form == form and i.plan_task_id == int(ref)]
    return item.id


def reported(world: WebWorld, ref: str = "1") -> None:
    """Task `ref` assigned, its opinion given, reported and approved by the unit head:
    it waits for the monitor."""
    users = world.office.users
    api(world, HEAD, f"/api/steps/{step_of(world, 'assign', ref)}/complete", json={"assignee": users[STAFF]})
    if ref == "1":
        api(world, COORDINATOR_HEAD, f"/api/steps/{step_id(world, 'coordinate', ref)}/complete",
            json={"contribution": "Trung tâm đề nghị số hóa cả hồ sơ tồn đọng"})
    api(world, STAFF, f"/api/steps/{step_of(world, 'report', ref)}/complete",
        data={"result": "Đã số hóa 1.200 hồ sơ", "product": (io.BytesIO(PDF), "bao-cao.pdf", "application/pdf")})
    api(world, HEAD, f"/api/steps/{step_id(world, 'approve', ref)}/complete", json={"decision": "accept"})


def step_id(world: WebWorld, bpmn_id: str, ref: str) -> int:
    (item,) = [i for i in world.ready() if i.step_id == bpmn_id and i.plan_task_id == int(ref)]
    return item.id


def test_a_unit_head_assigns_with_co_handlers_then_reassigns_and_filters_the_late_tasks(page: Page, world) -> None:
    base, w = world
    log_in(page, base, HEAD)
    expect(page.locator("table.inbox tbody tr")).to_have_count(3)
    shoot(page, "head-inbox")

    page.goto(f"{base}/unit")
    page.select_option("#filter-status", "overdue")
    page.locator("form.filters button.primary").click()
    expect(page.locator("table.work-list tbody tr")).to_have_count(1)
    expect(page.locator("table.work-list")).to_contain_text("Rà soát quy trình nội bộ")
    shoot(page, "head-unit-late")

    page.goto(f"{base}/steps/{step_of(w, 'assign', '1')}")
    page.select_option("#assignee", label="Phạm Thu Dung")
    page.select_option("#co_handlers", label="Hoàng Văn Em")
    page.fill("#instruction", "Ưu tiên hồ sơ đất đai; báo cáo trước ngày 28/3")
    page.fill("#internal_due", "2024-03-28")
    shoot(page, "head-assign")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    api(w, COORDINATOR_HEAD, f"/api/steps/{step_id(w, 'coordinate', '1')}/complete", json={"contribution": "Đồng ý"})
    log_out(page)

    # The co-handler finds the task in "Việc của tôi" and gives their part.
    log_in(page, base, OTHER_STAFF)
    page.goto(f"{base}/mine")
    expect(page.locator("table.work-list")).to_contain_text("Số hóa hồ sơ thủ tục hành chính")
    page.goto(f"{base}/steps/{step_id(w, 'co_handle', '1')}")
    page.fill("#contribution", "Phần hồ sơ đất đai: đã số hóa 300 hồ sơ")
    shoot(page, "cohandler-part")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    log_out(page)

    log_in(page, base, HEAD)
    page.goto(f"{base}/steps/{step_of(w, 'report', '1')}")
    expect(page.locator("#assignment")).to_contain_text("Hoàng Văn Em")
    page.locator("#reassign summary").click()
    page.select_option("#reassign-to", label="Hoàng Văn Em")
    page.fill("#reassign textarea[name=reason]", "Đồng chí Dung đi công tác")
    shoot(page, "head-reassign")
    page.locator("#reassign button[value=reassign]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã giao lại")
    assert [i.assignee_user_id for i in w.ready() if i.form == "report"] == [w.office.users[OTHER_STAFF]]


def test_a_staff_member_takes_a_unit_item_reports_and_sees_the_return_with_its_reason(page: Page, world) -> None:
    base, w = world
    # The head gives task 2 to the unit's staff rather than to one person.
    api(w, HEAD, f"/api/steps/{step_of(w, 'assign', '2')}/complete", json={"assignee": UNIT_STAFF})
    log_in(page, base, STAFF)
    page.goto(f"{base}/?whose=unit")
    row = page.locator("table.inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rà soát quy trình nội bộ")
    shoot(page, "staff-unit-items")
    row.locator("button[data-action=claim]").click()
    expect(page.locator(".flash-success")).to_contain_text("nhận xử lý")
    assert [i.claimed_by for i in w.ready() if i.plan_task_id == 2] == [w.office.users[STAFF]]
    page.goto(f"{base}/?whose=mine")
    page.locator("table.inbox tbody tr a[href^='/steps/']").first.click()
    page.fill("#result", "Đã rà soát 14 quy trình")
    page.set_input_files("#product", files=[{"name": "ra-soat.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    shoot(page, "staff-report")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    log_out(page)

    log_in(page, base, HEAD)  # the unit head judges the report before the monitor sees it
    page.goto(f"{base}/steps/{step_id(w, 'approve', '2')}")
    expect(page.locator("#report-under-review")).to_contain_text("Đã rà soát 14 quy trình")
    page.check("input[name=decision][value=return]")
    page.fill("textarea[name=comment]", "Thiếu danh mục quy trình")
    shoot(page, "head-approve")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    log_out(page)
    log_in(page, base, STAFF)
    page.locator("table.inbox tbody tr a[href^='/steps/']").first.click()
    expect(page.locator("#return-reason")).to_contain_text("Thiếu danh mục quy trình")
    assert [i.assignee_user_id for i in w.ready() if i.plan_task_id == 2] == [w.office.users[STAFF]]
    shoot(page, "staff-returned")
    page.goto(f"{base}/mine")
    expect(page.locator("table.work-list")).to_contain_text("Rà soát quy trình nội bộ")
    shoot(page, "staff-mine")


def test_a_monitor_searches_opens_the_file_and_accepts(page: Page, world) -> None:
    base, w = world
    reported(w)
    log_in(page, base, MONITOR)
    page.goto(f"{base}/search?q=số+hóa")
    first = page.locator("table.search-results tbody tr").first
    expect(first).to_contain_text("Số hóa hồ sơ thủ tục hành chính")
    expect(first.locator("mark").first).to_have_text("Số")
    shoot(page, "monitor-search")

    page.goto(f"{base}/steps/{step_of(w, 'review', '1')}")
    expect(page.locator("#report-under-review")).to_contain_text("Đã số hóa 1.200 hồ sơ")
    expect(page.locator("#opinions")).to_contain_text("Trung tâm đề nghị số hóa cả hồ sơ tồn đọng")
    shoot(page, "monitor-review")
    open_file(page, "#report-under-review a.view-file")
    page.check("input[name=decision][value=accept]")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    assert [i.step_id for i in w.ready() if i.plan_task_id == 1] == ["accept"]  # on to the directing leader


def test_a_second_monitor_takes_the_shared_review_and_gives_it_back(page: Page, world) -> None:
    base, w = world
    reported(w)
    log_in(page, base, SECOND_MONITOR)
    page.goto(f"{base}/?whose=unit")
    row = page.locator("table.inbox tbody tr")
    expect(row).to_have_count(1)
    row.locator("button[data-action=claim]").click()
    expect(page.locator(".flash-success")).to_contain_text("nhận xử lý")
    page.goto(f"{base}/?whose=mine")
    expect(page.locator("button[data-action=unclaim]")).to_have_count(1)
    shoot(page, "monitor-claimed")
    page.locator("button[data-action=unclaim]").click()
    expect(page.locator(".flash-success")).to_contain_text("trả lại")


def test_the_leader_follows_the_plans_opens_the_reports_file_and_accepts_it(page: Page, world) -> None:
    base, w = world
    reported(w)
    api(w, MONITOR, f"/api/steps/{step_id(w, 'review', '1')}/complete", json={"decision": "accept"})
    log_in(page, base, LEADER)
    shoot(page, "leader-inbox")
    page.goto(f"{base}/overview")
    shoot(page, "leader-overview")
    page.goto(f"{base}/plans/{w.plan_id}/dashboard")
    shoot(page, "leader-dashboard")
    page.goto(f"{base}/tasks/1")
    expect(page.locator("h1")).to_contain_text("Số hóa hồ sơ")
    shoot(page, "leader-task")
    open_file(page, "ul.files a.view-file")

    page.goto(f"{base}/")
    page.locator("table.inbox tbody tr a[href^='/steps/']").first.click()
    expect(page.locator("#report-under-review")).to_contain_text("Đã số hóa 1.200 hồ sơ")
    expect(page.locator("#opinions")).to_contain_text("Trung tâm đề nghị số hóa cả hồ sơ tồn đọng")
    open_file(page, "#report-under-review a.view-file")
    page.check("input[name=decision][value=accept]")
    shoot(page, "leader-accept")
    page.locator("main form.step-form button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    assert [i for i in w.ready() if i.plan_task_id == 1] == []
    with w.office.uow() as uow:
        assert uow.tasks.get(1).status == "closed"


@pytest.mark.parametrize(("username", "paths"), [
    (MONITOR, ["/plans", "/plans/1", "/notices", "/notices/mail", "/notices/settings", "/calendar", "/imports/new", "/tasks/waiting-date",
               "/unit", "/search?q=hóa"]),
    ("thietke", ["/designer/", "/incidents", "/plans"]),
])
def test_every_page_fits_a_phone(page: Page, world, username: str, paths: list[str]) -> None:
    base, w = world
    reported(w)
    log_in(page, base, username)
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        shoot(page, f"{username}-{path.strip('/').replace('/', '-').split('?')[0] or 'home'}")
