"""A designer opens a Camunda diagram in headless Chromium: who acts is read from its
candidate groups where they name an office role; the task whose groups name none is marked;
the designer sets who acts, the marker goes, she deploys, previews the move of the running
task from the version before, and moves it. CSRF is on, as in production."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine import model
from engine.process import versions
from engine.tasks import intake
from tests.e2e.web_helpers import build_world
from tests.support.browser import log_in
from tests.support.office import KSTTHC, MONITOR_UNIT, clock_on

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "diagrams" / "camunda7_review.bpmn"
PROCESS = "Process_duyet_bao_cao"
SLOW = 30_000  # ms: saving proves the diagram along every path first


@pytest.fixture
def world(sqlite_url: str):
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    office = world.office
    text, _ = versions.open_diagram(FIXTURE.read_bytes(), office.uow())
    v1 = versions.save_version(office.uow(), text, office.users["thietke"], "Camunda", clock=clock_on(date(2024, 3, 4)))
    versions.deploy(office.uow(), v1, office.users["thietke"])
    task = model.PlanTask.with_units(ref="7", title="Duyệt báo cáo quý", lead=[office.units[KSTTHC]],
                                     schedule={"kind": "once", "due": ["2030-03-29"], "every": None, "until": None})
    plan = model.Plan(title="Kế hoạch", year=2024, monitor_unit_id=office.units[MONITOR_UNIT], process_key=PROCESS)
    intake.create_plan(office.uow(), plan, [task], clock=clock_on(date(2024, 3, 4)))
    world.v1 = v1
    yield world
    office.storage.engine.dispose()


def running_on(world) -> set[int]:
    with world.office.uow() as uow:
        return {uow.instances.get(i).process_version_id for i in uow.instances.running_ids()
                if uow.process_versions.get(uow.instances.get(i).process_version_id).process_key == PROCESS}


def test_a_designer_opens_a_camunda_diagram_sets_who_acts_deploys_and_moves_the_running_task(
        world, page: Page, live_server: Callable[..., str], tmp_path: Path) -> None:
    # The file as it came from Camunda Modeler: the second task's only group is not an office role.
    drawn = tmp_path / "duyet-bao-cao.bpmn"
    drawn.write_bytes(FIXTURE.read_bytes().replace(b'candidateGroups="sales,monitor"', b'candidateGroups="sales"'))
    base = live_server(world.app)
    log_in(page, base, "thietke")
    page.goto(f"{base}/designer/modeler")
    expect(page.locator("body[data-designer-ready=true]")).to_have_count(1)

    page.set_input_files("#upload", str(drawn))
    marked = '.djs-element.pf-problem[data-element-id="Activity_xac_nhan"]'
    expect(page.locator(marked)).to_have_count(1, timeout=SLOW)
    expect(page.locator('#problems li.problem-error[data-element-id="Activity_xac_nhan"]')).to_have_count(1)
    expect(page.locator("#proc-id")).to_have_value(PROCESS)  # nothing selected: the process itself

    page.locator('.djs-element[data-element-id="Activity_phe_duyet"]').first.click()
    expect(page.locator("#prop-actor")).to_have_value("lead_head")  # from candidateGroups="unit_head"
    page.locator('.djs-element[data-element-id="Activity_xac_nhan"]').first.click()
    expect(page.locator("#prop-id")).to_have_text("Activity_xac_nhan")
    page.select_option("#prop-actor", "monitor")
    page.locator('.djs-element[data-element-id="Event_nhac_viec"]').first.click()
    expect(page.locator("#prop-time")).to_have_value('"PT48H"')  # the duration, not a new timeDate

    page.click("#save")
    expect(page.locator("#designer-status.flash-success")).to_be_visible(timeout=SLOW)
    expect(page.locator(marked)).to_have_count(0)
    page.click("#deploy")
    expect(page.locator("#deploy")).to_be_disabled()
    v2 = next(v.id for v in versions.list_versions(world.office.uow(), PROCESS) if v.is_live)
    assert v2 != world.v1 and running_on(world) == {world.v1}

    page.goto(f"{base}/designer/")
    page.select_option('select[name="from_version"]', str(world.v1))
    page.select_option('select[name="to_version"]', str(v2))
    page.click("#preview-migration")
    row = page.locator("#migration-preview tr.moves")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Trưởng phòng phê duyệt")
    assert running_on(world) == {world.v1}  # the preview changed nothing
    page.click("#migrate")
    expect(page.locator("#migration-report")).to_contain_text("1")
    assert running_on(world) == {v2}
    expect(page.locator('#process-history tr[data-action="migrated"]')).to_have_count(1)
