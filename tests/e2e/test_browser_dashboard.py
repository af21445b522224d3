"""The monitor's dashboard in headless Chromium: open it, filter to one unit, follow a
number to its tasks, ask for the Word and Excel reports (each made by the background
worker while its page shows it running) and download them; the dashboard with its
charts is saved to test-artifacts/dashboard.png."""
from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from engine import jobs
from tests.support.browser import log_in

from tests.support.office import TTPV, make_office
from tests.support.progress_plan import TODAY, build_progress_plan
from web import create_app
from web.scheduling import JOB_CHUNKS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def served(sqlite_url: str, live_server: Callable[..., str]):
    office = make_office(sqlite_url)
    ids = build_progress_plan(office)
    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "SECRET_KEY": "test", "TODAY": TODAY})
    yield live_server(app), office, ids
    office.storage.engine.dispose()


def made_in_background(page: Page, office, button: str):
    """Ask for a report of the first quarter: its job's page shows it waiting, the
    worker makes it, and the page (refreshing itself) offers the file."""
    page.fill(".report-form input[name=from]", "2024-01-01")
    page.fill(".report-form input[name=to]", "2024-03-31")
    page.locator(button).click()
    expect(page.locator("h1")).to_have_text("Đang lập báo cáo")
    expect(page.locator(".job")).to_have_attribute("data-state", "queued")
    assert jobs.run_pending(office.storage.uow, JOB_CHUNKS, pause=0).finished == 1
    with page.expect_download() as download:
        page.locator("#download-report").click()  # appears at the page's next refresh
    return download


def test_the_monitor_follows_the_plan_from_the_dashboard_to_tasks_and_reports(page: Page, served) -> None:
    base, office, ids = served
    page.set_viewport_size({"width": 1280, "height": 1400})
    log_in(page, base, "theodoi")
    page.locator("nav.site-nav a", has_text="Tiến độ").click()
    expect(page.locator("h1")).to_have_text("Tiến độ thực hiện các kế hoạch")
    page.locator("table.plan-progress a").first.click()

    expect(page.locator(".state-counts [data-count=total] .n")).to_have_text("6")
    expect(page.locator(".state-counts [data-count=overdue] .n")).to_have_text("2")
    expect(page.locator("html")).to_have_attribute("data-charts-ready", "yes")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.select_option("#filter-unit", label=TTPV)
    page.locator("form.filters button.primary").first.click()
    expect(page.locator(".state-counts [data-count=total] .n")).to_have_text("3")
    expect(page.locator(".state-counts [data-count=in_progress] .n")).to_have_text("1")
    expect(page.locator("table.unit-progress tbody tr")).to_have_count(2)  # TTPV, and KSTTHC co-leading task 6

    page.locator(".state-counts [data-count=overdue]").click()
    expect(page).to_have_url(re.compile(rf"unit={office.units[TTPV]}&status=overdue#tasks$"))
    rows = page.locator("table.task-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Số hóa hồ sơ tại Trung tâm Phục vụ")
    expect(rows.nth(1)).to_contain_text("Kiểm tra công tác cải cách hành chính")
    overdue = page.locator("table.overdue-list tbody tr").first
    expect(overdue).to_contain_text("Đặng Quốc Huy")
    expect(overdue.locator("td.num")).to_have_text("7")

    dashboard = page.url
    docx_download = made_in_background(page, office, "#download-docx")
    document = Document(BytesIO(Path(docx_download.value.path()).read_bytes()))
    assert docx_download.value.suggested_filename.endswith(".docx")
    assert "Kỳ báo cáo: từ ngày 01/01/2024 đến ngày 31/03/2024; số liệu tính đến ngày 11/03/2024." in [
        p.text for p in document.paragraphs]
    assert [r.cells[0].text for r in document.tables[1].rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    page.goto(dashboard)
    xlsx_download = made_in_background(page, office, "#download-xlsx")
    sheet = load_workbook(BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["1", "2", "3", "4", "5", "6"]

    page.goto(dashboard)
    rows.nth(0).locator("a").click()
    expect(page.locator("h1")).to_contain_text("Số hóa hồ sơ tại Trung tâm Phục vụ")
