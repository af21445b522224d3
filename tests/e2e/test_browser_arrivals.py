"""Work arrives, people see it, in headless Chromium: the unit head assigns a task, the
staff member's bell count rises and her notice names the plan; she asks for more time,
and the directing leader finds the request on his home page. CSRF is on."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web_helpers import HEAD, STAFF, build_world
from tests.support.browser import log_in, log_out
from tests.support.office import KSTTHC

LEADER = "chanhvp"
# The services run on the real clock here: a deadline years ahead, so that no reminder
# joins the arrivals under the bell while the test runs.
DUE = "2030-06-28"


@pytest.fixture
def base(sqlite_url: str, live_server: Callable[..., str]) -> str:
    world = build_world(sqlite_url, [{"ref": "1", "title": "Rà soát thủ tục hành chính", "lead": [KSTTHC],
                                      "due": DUE, "director": LEADER}], WTF_CSRF_ENABLED=True)
    return live_server(world.app)


def test_the_assigned_staff_member_is_told_and_the_leader_finds_her_request(page: Page, base: str) -> None:
    log_in(page, base, STAFF)
    expect(page.locator(".bell-count")).to_have_text("0")
    log_out(page)

    log_in(page, base, HEAD)
    page.locator("table.inbox a[href^='/steps/']").first.click()
    page.select_option("#assignee", label="Phạm Thu Dung")
    page.locator("main button.primary").click()
    expect(page.locator(".flash-success")).to_be_visible()
    log_out(page)

    log_in(page, base, STAFF)
    expect(page.locator(".bell-count")).to_have_text("1")
    page.locator("a.bell").click()
    notice = page.locator("table.arrivals tr[data-kind=assigned]")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Việc mới: nhiệm vụ cần thực hiện và báo cáo")
    expect(notice).to_contain_text("Rà soát thủ tục hành chính")
    expect(notice.locator("td.plan-name")).to_contain_text("Kế hoạch số 1/KH-TEST ngày 15/01/2024")
    expect(notice.locator("td.plan-name")).to_contain_text("Kế hoạch thử nghiệm")
    notice.locator("button.link-button").click()  # opens the task, read
    expect(page.locator(".bell-count")).to_have_text("0")

    page.goto(f"{base}/")
    page.locator("table.inbox a[href^='/steps/']").first.click()
    page.get_by_role("link", name="Xin gia hạn").click()
    page.fill("#new_due", "2030-07-31")
    page.fill("#reason", "Chờ số liệu của các sở")
    page.locator("main button.primary").click()
    expect(page.locator(".flash-success")).to_be_visible()
    log_out(page)

    log_in(page, base, LEADER)  # his home page is his inbox
    expect(page.locator(".bell-count")).to_have_text("1")
    request = page.locator("table.extension-requests tbody tr")
    expect(request).to_have_count(1)
    expect(request).to_contain_text("Phạm Thu Dung")
    expect(request).to_contain_text("Chờ số liệu của các sở")
    expect(request).to_contain_text("31/07/2030")
