"""The pages that run the most script, under the content security policy, in headless
Chromium: the dashboard draws its charts (Chart.js), the modeler and a version's
diagram load (bpmn-js), and the browser reports no violation of the policy."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import log_in
from tests.support.office import make_office
from tests.support.progress_plan import TODAY, build_progress_plan
from web import create_app


@pytest.fixture
def served(sqlite_url: str, live_server: Callable[..., str]):
    office = make_office(sqlite_url)
    ids = build_progress_plan(office)
    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "SECRET_KEY": "test", "TODAY": TODAY})
    yield live_server(app), ids
    office.storage.engine.dispose()


def watch_violations(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_charts_and_diagrams_work_under_the_policy(page: Page, served) -> None:
    base, ids = served
    violations = watch_violations(page)
    log_in(page, base, "theodoi")
    page.goto(f"{base}/plans/{ids['plan']}/dashboard")
    expect(page.locator("html")).to_have_attribute("data-charts-ready", "yes")
    page.locator("header button[type=submit]").click()

    log_in(page, base, "thietke")
    page.goto(f"{base}/designer/")
    page.locator("table a[href$='/designer/versions/1']").first.click()
    expect(page.locator("#canvas")).to_have_attribute("data-ready", "true")
    expect(page.locator("#canvas .djs-element").first).to_be_attached()
    page.goto(f"{base}/designer/modeler")
    expect(page.locator(".djs-palette")).to_be_visible()
    assert violations == []
