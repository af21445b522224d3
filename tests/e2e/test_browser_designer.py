"""A designer edits the process in headless Chromium: a problem shows on its element; then
the reminder moves from 3 to 5 working days and a step is renamed, saved and deployed.
Tasks started afterwards follow the new version (new name in the inbox, new reminder
time); a task started before stays on its version. CSRF is on, as in production."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from engine.clock import SystemClock
from engine.process import instances, versions
from engine.tasks import steps
from engine.workflow import deadline_functions
from tests.e2e.web_helpers import HEAD, build_world
from tests.support.browser import log_in
from tests.support.designer_bpmn import PROCESS
from tests.support.office import KSTTHC, clock_on

DUE = "2030-03-29"  # far enough ahead that the reminders are still armed
NEW_NAME = "Giao việc cho chuyên viên"


@pytest.fixture
def world(sqlite_url: str):
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    office = world.office
    version_id = versions.save_version(office.uow(), PROCESS, office.users["thietke"], "test process")
    versions.deploy(office.uow(), version_id, office.users["thietke"])
    yield world
    world.office.storage.engine.dispose()


def start_task(world, ref: str) -> int:
    return world.office.plan([{"ref": ref, "lead": [KSTTHC], "due": DUE}])


def select(page: Page, element_id: str) -> None:
    page.locator(f'.djs-element[data-element-id="{element_id}"]').first.click()
    expect(page.locator("#prop-id")).to_have_text(element_id)


def change(page: Page, field: str, value: str) -> None:
    page.fill(field, value)
    page.locator(field).dispatch_event("change")


def armed_reminder(world, plan_id: int) -> datetime:
    """Complete `assign` of the plan's task, then read its armed reminder through the runtime."""
    office = world.office
    item = office.ready(plan_id)[0]
    steps.complete_step(office.uow(), item.id, office.users[HEAD], {"assignee": office.users["cv.kstthc"]},
                        clock=clock_on(datetime(2030, 1, 7).date()))
    with office.uow() as uow:
        rt = instances.runtime(uow, SystemClock())
        instance = uow.instances.get(item.instance_id)
        return rt.next_timer_at(instances.load(uow, rt, instance))


def expected_reminder(world, days: int) -> datetime:
    with world.office.uow() as uow:
        functions = deadline_functions(instances.calendar(uow).add_working_days)
    return datetime.fromisoformat(functions["working_days_before"](DUE, days))


def version_of(world, plan_id: int) -> int:
    with world.office.uow() as uow:
        return uow.instances.get(world.office.ready(plan_id)[0].instance_id).process_version_id


def test_a_designer_changes_the_reminder_and_a_step_name_and_new_tasks_follow(
        world, page: Page, live_server: Callable[..., str]) -> None:
    base = live_server(world.app)
    old_plan = start_task(world, "1")
    old_version = version_of(world, old_plan)

    log_in(page, base, "thietke")
    page.goto(f"{base}/designer/modeler")
    expect(page.locator("body[data-designer-ready=true]")).to_have_count(1)

    # A step no one can act on: the server refuses it, the problem sits on the element.
    select(page, "review")
    page.select_option("#prop-actor", "")
    page.click("#save")
    expect(page.locator('#problems li[data-element-id="review"]')).to_contain_text("Bước này chưa chọn người xử lý")
    expect(page.locator('.djs-element.pf-problem[data-element-id="review"]')).to_have_count(1)
    expect(page.locator(".pf-problem-note")).to_be_visible()
    page.select_option("#prop-actor", "monitor")

    select(page, "report_remind")
    expect(page.locator("#prop-time")).to_have_value("working_days_before(due, 3)")
    change(page, "#prop-time", "working_days_before(due, 5)")
    select(page, "assign")
    expect(page.locator("#prop-actor")).to_have_value("lead_head")
    change(page, "#prop-name", NEW_NAME)

    xml = page.evaluate("async () => (await window.planflowDesigner.modeler.saveXML()).xml")
    assert 'planflow:actor="lead_head"' in xml and 'planflow:actor="monitor"' in xml
    assert "working_days_before(due, 5)" in xml and NEW_NAME in xml

    page.fill("#save-comment", "Nhắc trước 5 ngày")
    page.click("#save")
    expect(page.locator("#designer-status.flash-success")).to_be_visible()
    expect(page.locator("#problems li")).to_have_count(0)
    page.click("#deploy")
    expect(page.locator("#deploy")).to_be_disabled()
    live = next(v for v in versions.list_versions(world.office.uow()) if v.is_live)
    assert live.id != old_version and live.comment == "Nhắc trước 5 ngày"

    # The versions page shows the new live version and who runs on which.
    page.goto(f"{base}/designer/")
    expect(page.locator(f'tr[data-version-id="{live.id}"] .badge')).to_be_visible()
    expect(page.locator(f'tr[data-version-id="{old_version}"] td.num')).to_have_text("1")

    new_plan = start_task(world, "2")
    assert version_of(world, new_plan) == live.id
    assert version_of(world, old_plan) == old_version

    # The unit head's inbox: the new task's step has the new name, the old one keeps its own.
    page.locator("header button[type=submit]").click()
    log_in(page, base, HEAD)
    expect(page.locator("table.inbox")).to_contain_text(NEW_NAME)
    expect(page.locator("table.inbox")).to_contain_text("Phân công người thực hiện")

    assert armed_reminder(world, new_plan) == expected_reminder(world, 5)
    assert armed_reminder(world, old_plan) == expected_reminder(world, 3)
