"""Work arrivals through the Flask test client: the notices page names the plan, a person
chooses the daily digest, a refusal without a reason is refused, and the mail page tells
the truth about the mail server, the mails waiting and the mails that failed."""
from __future__ import annotations

import pytest

from adapters.mail import MemoryMailer
from engine.deadlines import extension_requests
from engine.reading.my_notices import my_notices
from engine.tasks import arrivals
from tests.e2e.web_helpers import HEAD, STAFF, assigned_world
from web.config import Settings

DIRECTOR = "chanhvp"


@pytest.fixture
def world(sqlite_url):
    # No mail server, whatever the environment says.
    with assigned_world(sqlite_url, PLANFLOW_SETTINGS=Settings()) as world:
        yield world


def test_the_notices_page_shows_the_work_that_arrived_naming_the_plan(world):
    client = world.client(STAFF)
    page = client.get("/notices").get_data(as_text=True)
    assert 'data-kind="assigned"' in page and "Việc mới: nhiệm vụ cần thực hiện và báo cáo" in page
    assert "Kế hoạch số 1/KH-TEST" in page and "ngày 15/01/2024" in page
    [row] = my_notices(world.office.uow(), world.office.users[STAFF]).arrivals
    opened = client.post(f"/notices/arrivals/{row['id']}/open")
    assert opened.status_code == 302 and opened.location.endswith(f"/tasks/{row['plan_task_id']}")
    assert 'data-unread="0"' in client.get("/").get_data(as_text=True)
    assert world.client(HEAD).post(f"/notices/arrivals/{row['id']}/open").status_code == 404  # not hers


def test_a_person_chooses_the_daily_digest(world):
    client = world.client(STAFF)
    page = client.get("/notices/settings").get_data(as_text=True)
    assert 'value="each" checked' in page and "đồng chí" in page
    assert client.post("/notices/settings", data={"notice_mail": "hourly"}).status_code == 400
    assert client.post("/notices/settings", data={"notice_mail": "digest"}).status_code == 302
    assert 'value="digest" checked' in client.get("/notices/settings").get_data(as_text=True)
    assert arrivals.mail_choice(world.office.uow(), world.office.users[STAFF]) == "digest"


def test_refusing_more_time_without_a_reason_is_refused(world):
    request_id = extension_requests.request_extension(world.office.uow(), world.step("report"), world.office.users[STAFF],
                                              "2024-04-12", "Chờ số liệu", clock=world.clock)
    director = world.client(DIRECTOR)
    done = director.post(f"/extensions/{request_id}/decide", data={"decision": "refuse", "comment": ""},
                         follow_redirects=True)
    assert "Đề nghị nêu lý do không chấp thuận." in done.get_data(as_text=True)
    assert extension_requests.pending_for(world.office.uow(), world.office.users[DIRECTOR])  # still waiting
    director.post(f"/extensions/{request_id}/decide", data={"decision": "refuse", "comment": "Đủ thời gian"})
    assert not extension_requests.pending_for(world.office.uow(), world.office.users[DIRECTOR])


def test_the_mail_page_says_no_server_is_set_and_how_many_mails_wait(world):
    page = world.client(DIRECTOR).get("/notices/mail").get_data(as_text=True)
    assert 'data-configured="no"' in page and "Chưa cấu hình máy chủ thư" in page
    waiting = arrivals.mail_waiting(world.office.uow())
    assert waiting >= 2 and f'data-waiting="{waiting}"' in page and f"Số thư đang chờ gửi: {waiting}" in page


def test_a_failed_mail_shows_its_error_and_a_retry_sends_it_again(world):
    mailer = MemoryMailer()
    mailer.fail_next(2, permanent=True)  # both arrivals so far
    assert arrivals.send_pending(world.office.uow, mailer, world.clock).failed == 2
    director = world.client(DIRECTOR)
    page = director.get("/notices/mail").get_data(as_text=True)
    [failed, *_] = arrivals.mail_problems(world.office.uow())
    assert f'data-arrival="{failed["id"]}" data-state="failed"' in page and failed["last_error"] in page
    assert director.post(f"/notices/mail/arrivals/{failed['id']}/retry").status_code == 302
    assert world.client(STAFF).post(f"/notices/mail/arrivals/{failed['id']}/retry").status_code == 403
    assert director.post(f"/notices/mail/arrivals/{failed['id']}/retry").status_code == 404  # not failed now
    assert arrivals.send_pending(world.office.uow, mailer).sent == 1  # due now: the page works in real time
