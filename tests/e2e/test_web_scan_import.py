"""A PDF or a scan through the import pages and API (Flask client): read in the
background page by page, its progress a job anyone's request can read, then the
same review and confirm as any plan. The scans are made by the tests."""
from __future__ import annotations

import io
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.readers import pdf
from engine import jobs
from engine.clock import FixedClock
from engine.importing import plan_import, scan_reading
from tests.e2e.web_helpers import MONITOR, WebWorld, build_world
from tests.support.pdf_plans import PAGE_BREAK, scanned_pdf, text_pdf
from web.scheduling import JOB_CHUNKS

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None,
                               reason="Tesseract is not installed (scripts/setup.sh installs tesseract-ocr-vie)")


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def _post(client, url: str, name: str, data: bytes):
    return client.post(url, data={"plan": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _wait(client, url: str) -> dict:
    for _ in range(600):
        job = client.get(url).get_json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail("the reading never ended")


def _lines() -> list[str]:
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    return [*lines[:8], PAGE_BREAK, *lines[8:]]


@needs_ocr
def test_a_scan_is_read_in_the_background_then_reviewed_and_confirmed(world: WebWorld, tmp_path: Path) -> None:
    client = world.client(MONITOR)
    started = _post(client, "/api/imports", "ke-hoach-scan.pdf", scanned_pdf(_lines(), tmp_path / "s.pdf").read_bytes())
    assert started.status_code == 202
    job = _wait(client, started.get_json()["progress_url"])
    assert (job["state"], job["done"], job["total"]) == ("done", 2, 2)
    review = client.get(job["url"])
    assert review.status_code == 200 and "Ra soat, cong bo danh muc" in review.get_data(as_text=True)
    draft_id = int(job["url"].rstrip("/").rsplit("/", 1)[-1])
    draft = plan_import.load_draft(world.office.storage.uow(), draft_id, world.office.users[MONITOR]).to_dict()
    draft["new_units"] = [{**unit, "create": True} for unit in draft["new_units"]]  # the flagged new unit
    confirmed = client.post(f"/api/imports/{draft_id}/confirm", json=draft)
    assert confirmed.status_code == 201, confirmed.get_json()


def test_the_page_without_script_shows_the_reading_and_then_the_review_link(world: WebWorld, tmp_path: Path) -> None:
    """A text PDF: no OCR, still read page by page behind the job page."""
    client = world.client(MONITOR)
    response = _post(client, "/imports/new", "ke-hoach.pdf",
                     text_pdf(PLAN.read_text(encoding="utf-8").splitlines(), tmp_path / "t.pdf").read_bytes())
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_url = response.headers["Location"]
    job = _wait(client, f"{job_url}.json")
    assert job["state"] == "done"
    page = client.get(job_url).get_data(as_text=True)
    assert "Đang đọc kế hoạch, từng trang" in page and "Kiểm tra các nhiệm vụ" in page and job["url"] in page


def test_a_file_over_the_page_limit_is_refused_at_once(world: WebWorld, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    response = _post(world.client(MONITOR), "/api/imports", "dai.pdf",
                     scanned_pdf(_lines(), tmp_path / "s.pdf").read_bytes())
    assert response.status_code == 400 and "giới hạn là 1 trang" in response.get_json()["error"]["message"]


def test_a_reading_whose_server_restarted_fails_saying_so(world: WebWorld) -> None:
    """Its thread is gone (here: the reader never returns, as in a process that died):
    once the lease passed, the scheduler fails it, never leaves it hanging."""
    def dies(source, filename, progress=None):
        raise SystemExit  # not an error the reading catches: the process is gone

    with pytest.raises(SystemExit):
        scan_reading.start(world.office.storage.uow, b"%PDF", "scan.pdf", 3, world.office.users[MONITOR], dies,
                           wait=True)
    later = FixedClock(datetime.now(timezone.utc) + 2 * jobs.LEASE)
    assert jobs.run_pending(world.office.storage.uow, JOB_CHUNKS, later, pause=0).failed == 1
    job = world.client(MONITOR).get("/jobs/1.json").get_json()  # the world's first job
    assert job["state"] == "failed" and "máy chủ khởi động lại" in job["error"]
