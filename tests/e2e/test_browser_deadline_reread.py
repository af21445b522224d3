"""The import review reads a deadline text again as the monitor types it, in headless
Chromium: the schedule beside the text changes without a reload, an unreadable text
says why, and what the page showed is what confirm stores. CSRF is on."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web_helpers import MONITOR, build_world
from tests.support.browser import log_in

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"


@pytest.fixture
def base(sqlite_url: str, live_server: Callable[..., str]) -> str:
    return live_server(build_world(sqlite_url, WTF_CSRF_ENABLED=True).app)


def test_a_deadline_is_read_again_as_it_is_typed(page: Page, base: str) -> None:
    log_in(page, base, MONITOR)
    page.goto(f"{base}/imports/new")
    page.set_input_files("#plan", files=[{"name": "ke-hoach.txt", "buffer": PLAN.read_bytes(),
                                          "mimeType": "text/plain"}])
    page.locator("main button.primary").click()
    expect(page.locator("h1")).to_have_text("Kiểm tra kế hoạch vừa nhập")
    row = page.locator("table.import-tasks tbody tr").nth(1)
    schedule = page.locator("#task-1-schedule")
    expect(row).to_have_class(re.compile(r"\bunresolved\b"))
    expect(schedule).to_contain_text("thời hạn do văn bản khác quy định")  # "Theo kế hoạch của UBND tỉnh"
    expect(page.locator("#task-1-due")).to_be_visible()
    expect(page.locator("#task-0-due")).to_be_hidden()  # read: no date to set
    page.evaluate("window.notReloaded = true")

    page.fill("#task-1-deadline_text", "Quý III năm 2024")
    expect(schedule).to_have_text("30/09/2024")
    expect(row).not_to_have_class(re.compile(r"\bunresolved\b"))
    expect(page.locator("#task-1-due")).to_be_hidden()

    page.locator("#task-1-deadline_text").press_sequentially("; định kỳ hằng tháng", delay=20)
    expect(schedule).to_have_text("30/09/2024; Báo cáo hằng tháng trong suốt thời gian kế hoạch")

    page.fill("#task-1-deadline_text", "Khi có yêu cầu")
    expect(schedule).to_contain_text("Chưa có thời hạn")
    expect(schedule).to_contain_text("đây là một sự việc, không phải một ngày")
    expect(row).to_have_class(re.compile(r"\bunresolved\b"))
    page.fill("#task-1-due", "2024-11-20")  # settled by hand, then the text is made readable: the text wins

    page.fill("#task-1-deadline_text", "Trước ngày 15/10/2024")
    expect(schedule).to_have_text("15/10/2024")
    expect(page.locator("#task-1-due")).to_be_hidden()
    expect(page.locator("#task-1-due")).to_have_value("")
    assert page.evaluate("window.notReloaded") is True  # read in place, no form was sent

    page.check("#new-0-create")
    page.locator("form.import-review button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu kế hoạch")
    expect(page.locator("table.plan-tasks tbody tr", has_text="So hoa ho so")).to_contain_text("15/10/2024")
