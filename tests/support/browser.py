"""Browser-test helpers shared by the headless Chromium tests."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from adapters.demo.loader import DEMO_PASSWORD


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the form, as a person would, and wait for the inbox."""
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Hộp công việc")


def log_out(page: Page) -> None:
    page.locator("header button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("Đồng chí đã đăng xuất.")
