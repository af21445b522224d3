"""A task from assign to close in headless Chromium, as the people at the office do it:
the unit head assigns, the staff member reports with a file, the monitor returns it,
the staff member reports again, the monitor accepts; the task page shows it closed
with its history. CSRF is on, as in production."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import log_in, log_out

from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, build_world

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def base_url_for_flow(sqlite_url: str, live_server: Callable[..., str]) -> tuple[str, object]:
    world = build_world(sqlite_url, WTF_CSRF_ENABLED=True)
    return live_server(world.app), world


def open_only_step(page: Page) -> None:
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a[href^='/steps/']").click()


def report(page: Page, base: str, result: str, filename: str) -> None:
    log_in(page, base, STAFF)
    open_only_step(page)
    page.fill("#result", result)
    page.set_input_files("#product", files=[{"name": filename, "mimeType": "application/pdf",
                                               "buffer": f"%PDF-1.4 {result}".encode()}])
    page.locator("main button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    log_out(page)


def review(page: Page, base: str, decision: str, comment: str) -> None:
    log_in(page, base, MONITOR)
    open_only_step(page)
    page.check(f"input[name=decision][value={decision}]")
    page.fill("#comment", comment)
    page.locator("main button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành bước")
    log_out(page)


def test_a_task_is_assigned_reported_returned_reported_again_and_accepted(page: Page, base_url_for_flow) -> None:
    base, _world = base_url_for_flow

    log_in(page, base, HEAD)
    expect(page.locator("tr.urgency-soon")).to_have_count(1)  # due in 2 working days: amber
    open_only_step(page)
    page.select_option("#assignee", label="Phạm Thu Dung")
    page.locator("main button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Phân công người thực hiện")
    log_out(page)

    report(page, base, "Đã rà soát 120 thủ tục", "bao-cao-lan-1.pdf")
    review(page, base, "return", "Bổ sung số liệu quý I")
    report(page, base, "Đã bổ sung số liệu quý I", "bao-cao-lan-2.pdf")
    review(page, base, "accept", "")

    log_in(page, base, MONITOR)
    page.goto(f"{base}/plans")
    page.locator("table.grid a").first.click()
    page.locator("table.plan-tasks a").first.click()
    expect(page.locator(".task-status")).to_contain_text("Đã hoàn thành (trễ hạn)")
    history = page.locator("table.history tbody tr[data-action=step_completed]")
    expect(history).to_have_count(5)
    expect(history.nth(0)).to_contain_text("Đã phân công cho Phạm Thu Dung")
    expect(history.nth(2)).to_contain_text("Bổ sung số liệu quý I")
    expect(history.nth(2)).to_contain_text("Đã trả lại")
    expect(history.nth(4)).to_contain_text("Đã chấp nhận")
    expect(page.locator("ul.files li")).to_have_count(2)
    expect(page.get_by_text("Không có bước nào đang chờ xử lý.")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="bao-cao-lan-2.pdf").first.click()
    assert Path(download.value.path()).read_bytes() == "%PDF-1.4 Đã bổ sung số liệu quý I".encode()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "task-closed.png"), full_page=True)
    assert re.search(r"/tasks/\d+$", page.url)
