"""A report asked for on the dashboard is made in the background: the request only
queues it, its page shows it waiting and running, the scheduler's worker writes the
file (in the asker's language), and only the asker downloads it from the page. On
SQLite and PostgreSQL."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from docx import Document

from engine import jobs
from tests.e2e.web_helpers import login
from tests.support.progress_plan import progress_world
from web.scheduling import JOB_CHUNKS

QUARTER = {"from": "2024-01-01", "to": "2024-03-31"}


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    with progress_world(url) as world:
        yield world


def client_of(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def ask(client, plan_id: int, kind: str) -> int:
    response = client.post(f"/plans/{plan_id}/reports", data={"kind": kind, **QUARTER})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"]).group(1))


def test_a_report_is_queued_made_by_the_worker_then_downloaded_from_its_page(world):
    office, ids, app = world
    monitor = client_of(app, "theodoi")
    job_id = ask(monitor, ids["plan"], "docx")

    waiting = monitor.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đang lập báo cáo" in waiting and 'data-state="queued"' in waiting and 'http-equiv="refresh"' in waiting
    assert monitor.get(f"/jobs/{job_id}/file").status_code == 404, "nothing to download yet"

    assert jobs.run_pending(office.storage.uow, JOB_CHUNKS, pause=0).finished == 1
    done = monitor.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'data-state="done"' in done and f'href="/jobs/{job_id}/file"' in done and "http-equiv" not in done
    assert monitor.get(f"/jobs/{job_id}.json").get_json()["url"] == f"/jobs/{job_id}/file"

    response = monitor.get(f"/jobs/{job_id}/file")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=bao-cao-tien-do-1-kh-test-2024-01-01-den-2024-03-31.docx")
    made = [p.text for p in Document(BytesIO(response.data)).paragraphs]
    direct = monitor.get(f"/plans/{ids['plan']}/report.docx?from=2024-01-01&to=2024-03-31")
    assert made == [p.text for p in Document(BytesIO(direct.data)).paragraphs], "the same report as at once"


def test_the_file_is_written_in_the_askers_language(world):
    office, ids, app = world
    monitor = client_of(app, "theodoi")
    monitor.get("/overview?lang=en")
    job_id = ask(monitor, ids["plan"], "xlsx")
    jobs.run_pending(office.storage.uow, JOB_CHUNKS, pause=0)
    response = monitor.get(f"/jobs/{job_id}/file")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=progress-report-1-kh-test-2024-01-01-to-2024-03-31.xlsx")


def test_only_the_asker_sees_the_job_and_its_file_and_only_viewers_may_ask(world):
    office, ids, app = world
    job_id = ask(client_of(app, "theodoi"), ids["plan"], "docx")
    jobs.run_pending(office.storage.uow, JOB_CHUNKS, pause=0)

    leader = client_of(app, "chanhvp")
    assert leader.get(f"/jobs/{job_id}").status_code == 404
    assert leader.get(f"/jobs/{job_id}/file").status_code == 404
    staff = client_of(app, "cv.kstthc")
    assert staff.post(f"/plans/{ids['plan']}/reports", data={"kind": "docx"}).status_code == 403
    assert leader.post(f"/plans/{ids['plan']}/reports", data={"kind": "pdf"}).status_code == 400
    assert leader.post("/plans/999999/reports", data={"kind": "docx"}).status_code == 404


@pytest.mark.parametrize("ask_for", ["job", "file"])
@pytest.mark.parametrize("period", [{"from": "2024-13-45"}, {"from": "1-1-1"}, {"to": "31/02/2024"}])
def test_a_period_day_that_does_not_read_is_a_400_not_the_whole_plan(world, ask_for: str, period: dict) -> None:
    office, ids, app = world
    monitor = client_of(app, "theodoi")
    response = (monitor.post(f"/plans/{ids['plan']}/reports", data={"kind": "docx", **period}) if ask_for == "job"
                else monitor.get(f"/plans/{ids['plan']}/report.docx", query_string=period))
    assert response.status_code == 400
    assert "Hãy nhập ngày theo dạng dd/mm/yyyy hoặc yyyy-mm-dd" in response.get_data(as_text=True)
    written = monitor.get(f"/plans/{ids['plan']}/report.docx", query_string={"from": "01/01/2024", "to": "31/03/2024"})
    assert written.status_code == 200 and "2024-01-01" in written.headers["Content-Disposition"]  # dd/mm/yyyy read


@pytest.mark.parametrize("ask_for", ["job", "file"])
def test_a_period_that_ends_before_it_starts_is_a_400_that_says_so(world, ask_for: str) -> None:
    office, ids, app = world
    backwards = {"from": "2024-03-31", "to": "2024-01-01"}  # dates swapped: a report of no task at all
    monitor = client_of(app, "theodoi")
    response = (monitor.post(f"/plans/{ids['plan']}/reports", data={"kind": "docx", **backwards}) if ask_for == "job"
                else monitor.get(f"/plans/{ids['plan']}/report.docx", query_string=backwards))
    assert response.status_code == 400
    assert "Khoảng thời gian kết thúc trước khi bắt đầu" in response.get_data(as_text=True)
    assert monitor.get(f"/plans/{ids['plan']}/report.docx", query_string={"from": "2024-01-01",
                                                                        "to": "2024-01-01"}).status_code == 200
