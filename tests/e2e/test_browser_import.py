"""A plan imported in headless Chromium, as a monitor does it: upload a Word file
(built here with python-docx from the project's own fixture plan), watch it read,
review the table, settle the one unresolved deadline, confirm the new unit, confirm;
then each lead unit's head finds the task in their inbox. CSRF is on."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import log_in, log_out
from tests.e2e.web_helpers import HEAD, MONITOR, build_world

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TTPV_HEAD = "giamdoc.ttpv"


def plan_as_word() -> bytes:
    document = docx.Document()
    for paragraph in PLAN.read_text(encoding="utf-8").split("\n\n"):
        document.add_paragraph(" ".join(paragraph.split("\n")).strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def base(sqlite_url: str, live_server: Callable[..., str]) -> str:
    return live_server(build_world(sqlite_url, WTF_CSRF_ENABLED=True).app)


def test_a_monitor_imports_a_word_plan_and_the_unit_heads_receive_its_tasks(page: Page, base: str) -> None:
    log_in(page, base, MONITOR)
    page.get_by_role("link", name="Nhập kế hoạch").click()
    page.set_input_files("#plan", files=[{
        "name": "ke-hoach-kiem-soat-tthc.docx", "buffer": plan_as_word(),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    page.locator("main button.primary").click()
    # The script shows its progress, then opens the review.
    expect(page.locator("h1")).to_have_text("Kiểm tra kế hoạch vừa nhập")
    assert re.search(r"/imports/\d+$", page.url)

    rows = page.locator("table.import-tasks tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.unresolved")).to_have_count(1)
    expect(page.locator("tr.unresolved")).to_contain_text("Chưa có thời hạn")
    expect(page.locator("#plan-monitor_unit_id option:checked")).to_have_text("Phòng Hành chính - Quản trị")
    expect(page.locator("#task-0-lead option:checked")).to_have_text("Phòng Kiểm soát thủ tục hành chính")
    expect(page.locator("select.has-new")).to_have_count(1)

    # The review table fits an office screen: nothing scrolls sideways at 1366 px, the
    # page nor the table inside its box.
    page.set_viewport_size({"width": 1366, "height": 768})
    sideways = page.evaluate("""() => {
        const table = document.querySelector('table.import-tasks');
        const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
        return [page, table.scrollWidth - table.parentElement.clientWidth];
    }""")
    assert max(sideways) <= 1, f"the review scrolls sideways at 1366 px by {sideways} px (page, table)"

    # The unit lists are searchable, with or without diacritics, and a click picks or
    # unpicks a unit without Ctrl; the units already chosen stay in view.
    lead = page.locator("#task-0-lead")
    page.fill("#task-0-lead-filter", "tiep cong dan")
    expect(lead.locator("option:not([hidden])")).to_have_text(
        ["Ban Tiếp công dân tỉnh", "Phòng Kiểm soát thủ tục hành chính"])  # in the list's order
    lead.locator("option", has_text="Ban Tiếp công dân tỉnh").click()
    expect(lead.locator("option:checked")).to_have_text(["Ban Tiếp công dân tỉnh", "Phòng Kiểm soát thủ tục hành chính"])
    lead.locator("option", has_text="Ban Tiếp công dân tỉnh").click()
    expect(lead.locator("option:checked")).to_have_text("Phòng Kiểm soát thủ tục hành chính")
    page.fill("#task-0-lead-filter", "")
    expect(lead.locator("option[hidden]")).to_have_count(0)

    page.fill("#task-1-due", "2024-06-28")
    page.check("#new-0-create")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-review.png"), full_page=True)
    page.locator("form.import-review button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu kế hoạch")
    assert re.search(r"/plans/\d+$", page.url)
    expect(page.locator("table.plan-tasks tbody tr")).to_have_count(2)
    log_out(page)

    log_in(page, base, HEAD)
    expect(page.locator("table.inbox")).to_contain_text("Ra soat, cong bo danh muc thu tuc hanh chinh")
    log_out(page)

    log_in(page, base, TTPV_HEAD)
    row = page.locator("table.inbox tbody tr", has_text="So hoa ho so")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("28/06/2024")  # the date set in the review
