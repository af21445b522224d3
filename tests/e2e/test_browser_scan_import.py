"""A scanned plan imported in headless Chromium, as a monitor does it: upload a PDF of
page images (the project's fixture plan rendered here as a scan, no text layer),
watch the pages being read, settle the flagged fields (the deadline the plan left
open, the new unit), confirm. CSRF is on. OCR needs Tesseract with Vietnamese data."""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web_helpers import MONITOR, build_world
from tests.support.browser import log_in
from tests.support.pdf_plans import PAGE_BREAK, scanned_pdf

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="Tesseract is not installed (scripts/setup.sh installs tesseract-ocr-vie)")


@pytest.fixture
def base(sqlite_url: str, live_server: Callable[..., str]) -> str:
    return live_server(build_world(sqlite_url, WTF_CSRF_ENABLED=True).app)


def test_a_monitor_imports_a_scanned_pdf_watching_its_pages_read(page: Page, base: str, tmp_path: Path) -> None:
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    scan = scanned_pdf([*lines[:8], PAGE_BREAK, *lines[8:]], tmp_path / "scan.pdf")
    log_in(page, base, MONITOR)
    page.get_by_role("link", name="Nhập kế hoạch").click()
    page.set_input_files("#plan", files=[{"name": "ke-hoach-scan.pdf", "buffer": scan.read_bytes(),
                                          "mimeType": "application/pdf"}])
    page.locator("main button.primary").click()
    # The pages are read one by one, and the page says so.
    expect(page.locator(".import-progress-label")).to_contain_text(re.compile(r"Đang đọc trang \d/2"))
    expect(page.locator("h1")).to_have_text("Kiểm tra kế hoạch vừa nhập", timeout=180_000)
    assert re.search(r"/imports/\d+$", page.url)

    expect(page.locator("table.import-tasks tbody tr")).to_have_count(2)
    expect(page.locator("tr.unresolved")).to_have_count(1)  # flagged: the plan gives no date
    expect(page.locator("select.has-new")).to_have_count(1)  # flagged: a unit the office lacks
    page.fill("#task-1-due", "2024-06-28")
    page.check("#new-0-create")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-scan-review.png"), full_page=True)
    page.locator("form.import-review button.primary").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu kế hoạch")
    tasks = page.locator("table.plan-tasks tbody tr")
    expect(tasks).to_have_count(2)
    # What the monitor settled is what was stored: the date typed for the task the plan left open.
    expect(tasks.nth(1)).to_contain_text("28/06/2024")
