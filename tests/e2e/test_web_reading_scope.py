"""Reading follows the work: a task, its steps, history and files are there for the units
and people on it, the monitor and the leadership; for anyone else they do not exist (404),
by page and by API. And a step shows what it is judged by: the report, its files, the
coordinating units' opinions, the reason of a return."""
from __future__ import annotations

import io

import pytest

from tests.e2e.web_helpers import DUE, HEAD, MONITOR, STAFF, WebWorld, basic, build_world
from tests.support.office import KSTTHC, TTPV

UNRELATED_HEAD, UNRELATED_STAFF = "truong.th", "cv.th"  # Phòng Tổng hợp: nothing to do with the task
COORDINATOR_HEAD, LEADER = "giamdoc.ttpv", "chanhvp"
PDF = b"%PDF-1.4 bao cao"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url, tasks=[{"ref": "1", "title": "Số hóa hồ sơ thủ tục hành chính", "lead": [KSTTHC],
                                           "coordinators": [TTPV], "due": DUE.isoformat()}])


def reported(world: WebWorld, comment: str | None = None) -> dict[str, int]:
    """Assign, give the coordinator's opinion, report with a PDF; optionally return it."""
    client = world.client()
    api = client.post
    assert api(f"/api/steps/{world.step('assign')}/complete", headers=basic(HEAD),
               json={"assignee": world.office.users[STAFF]}).status_code == 200
    assert api(f"/api/steps/{world.step('contribute')}/complete", headers=basic(COORDINATOR_HEAD),
               json={"contribution": "Trung tâm đề nghị số hóa cả hồ sơ tồn đọng"}).status_code == 200
    done = api(f"/api/steps/{world.step('report')}/complete", headers=basic(STAFF),
               data={"result": "Đã số hóa 1.200 hồ sơ", "product": (io.BytesIO(PDF), "bao-cao.pdf", "application/pdf")})
    assert done.status_code == 200, done.get_data(as_text=True)
    task = client.get(f"/api/tasks/{done.get_json()['task']['id']}", headers=basic(MONITOR)).get_json()
    ids = {"task": task["id"], "attachment": task["attachments"][0]["id"], "review": world.step("review")}
    if comment is not None:
        assert world.client(MONITOR).post(f"/steps/{ids['review']}", data={"decision": "return", "comment": comment}
                                          ).status_code == 302
        ids["revise"] = world.step("report")
    return ids


def pages(ids: dict[str, int]) -> list[str]:
    return [f"/tasks/{ids['task']}", f"/steps/{ids['review']}", f"/attachments/{ids['attachment']}",
            f"/attachments/{ids['attachment']}?view=1"]


def apis(ids: dict[str, int]) -> list[str]:
    return [f"/api/tasks/{ids['task']}", f"/api/steps/{ids['review']}", f"/api/attachments/{ids['attachment']}"]


@pytest.mark.parametrize("outsider", [UNRELATED_HEAD, UNRELATED_STAFF])
def test_someone_of_an_unrelated_unit_gets_404_for_the_task_its_steps_history_and_files(
        world: WebWorld, outsider: str) -> None:
    ids = reported(world)
    client = world.client(outsider)
    for path in pages(ids):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Số hóa" not in response.get_data(as_text=True) and PDF not in response.data
    for path in apis(ids):
        response = world.client().get(path, headers=basic(outsider))
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    plan_page = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Số hóa hồ sơ" not in plan_page
    plan_json = world.client().get(f"/api/plans/{world.plan_id}", headers=basic(outsider)).get_json()
    assert plan_json["tasks"] == []


@pytest.mark.parametrize("reader", [HEAD, STAFF, "cv.kstthc2", COORDINATOR_HEAD, "cv.ttpv", MONITOR, "truong.hcqt",
                                    LEADER])
def test_the_units_on_the_task_its_monitor_and_the_leadership_read_it(world: WebWorld, reader: str) -> None:
    ids = reported(world)
    client = world.client(reader)
    for path in pages(ids):
        assert client.get(path).status_code == 200, path
    for path in apis(ids):
        assert world.client().get(path, headers=basic(reader)).status_code == 200, path
    assert "Số hóa hồ sơ" in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)


def test_the_review_page_shows_the_report_its_file_to_open_and_the_opinions(world: WebWorld) -> None:
    ids = reported(world)
    page = world.client(MONITOR).get(f"/steps/{ids['review']}").get_data(as_text=True)

    report = page[page.index('id="report-under-review"'):]
    assert "Đã số hóa 1.200 hồ sơ" in report and "Phạm Thu Dung" in report
    assert f'/attachments/{ids["attachment"]}?view=1' in report
    opinions = page[page.index('id="opinions"'):]
    assert "Trung tâm đề nghị số hóa cả hồ sơ tồn đọng" in opinions and TTPV in opinions
    assert 'id="step-history"' in page and page.index('id="report-under-review"') < page.index('class="step-form"')


def test_a_pdf_opens_in_the_browser_and_an_html_file_never_does(world: WebWorld) -> None:
    ids = reported(world)
    shown = world.client(MONITOR).get(f"/attachments/{ids['attachment']}?view=1")
    assert shown.status_code == 200 and shown.data == PDF
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["Content-Type"] == "application/pdf"
    assert world.client(MONITOR).get(f"/attachments/{ids['attachment']}").headers[
        "Content-Disposition"].startswith("attachment")


def test_a_returned_report_shows_the_reason_first_and_the_next_review_no_longer_does(world: WebWorld) -> None:
    ids = reported(world, comment="Thiếu số liệu quý I, đề nghị bổ sung")
    page = world.client(STAFF).get(f"/steps/{ids['revise']}").get_data(as_text=True)

    reason = page.index('id="return-reason"')
    assert reason < page.index('class="facts"') < page.index('class="step-form"')
    assert "Thiếu số liệu quý I, đề nghị bổ sung" in page[reason:page.index('class="facts"')]
    assert "Trung tâm đề nghị số hóa cả hồ sơ tồn đọng" in page  # the opinions, to answer them too

    again = world.client(STAFF).post(f"/steps/{ids['revise']}", content_type="multipart/form-data",
                                     data={"result": "Đã bổ sung", "product": (io.BytesIO(PDF), "bo-sung.pdf")})
    assert again.status_code == 302
    review = world.client(MONITOR).get(f"/steps/{world.step('review')}").get_data(as_text=True)
    assert 'id="return-reason"' not in review and "Đã bổ sung" in review
