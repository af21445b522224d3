"""Work arrivals end to end through the service layer: whoever gets work is told once,
in the app and through a real SMTP server; a refusal says why; a digest comes once a day."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from adapters.mail import MemoryMailer, SmtpMailer
from adapters.storage import orm
from engine.deadlines import extension_requests
from engine.errors import InvalidInput
from engine.process.step_forms import Upload
from engine.reading.my_notices import my_notices
from engine.tasks import arrivals, steps
from tests.support.deadlines import office_clock, ready
from tests.support.office import KSTTHC

ISSUED = date(2024, 1, 15)
TTPV = "Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"


def arrival_rows(office) -> list[dict]:
    a = orm.arrivals
    with office.storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(a).order_by(a.c.id))]


def told(office) -> list[tuple[str, str]]:
    """(kind, username) of every arrival, in order."""
    names = {uid: name for name, uid in office.users.items()}
    return [(r["kind"], names[r["recipient_user_id"]]) for r in arrival_rows(office)]


def complete(office, clock, plan_id, form, username, fields, upload=None):
    [item] = ready(office, plan_id, form)
    steps.complete_step(office.uow(), item.id, office.users[username], fields, upload, clock=clock)
    return item


def report(office, clock, plan_id, form="report"):
    complete(office, clock, plan_id, form, "cv.kstthc", {"result": "Đã xong"},
             Upload("bao-cao.txt", "text/plain", b"bao cao"))


def test_each_arrival_goes_to_the_right_person_once_in_app_and_by_smtp(office, smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, "planflow@demo.planflow.vn")
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": "2024-03-29",
                                "director": "chanhvp"}], issued=ISSUED)
        assert told(office) == [("task", "truong.kstthc")]
        clock.on(date(2024, 1, 16))
        complete(office, clock, plan_id, "assign", "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
        assert told(office)[1:] == [("contribute", "giamdoc.ttpv")]
        complete(office, clock, plan_id, "contribute", "giamdoc.ttpv", {"contribution": "Ý kiến"})
        assert told(office)[2:] == [("assigned", "cv.kstthc")]

        [step] = ready(office, plan_id, "report")
        request_id = extension_requests.request_extension(office.uow(), step.id, office.users["cv.kstthc"], "2024-04-15",
                                                  "Chờ số liệu của các sở", clock=clock)
        assert told(office)[3:] == [("ext_asked", "chanhvp")]
        with pytest.raises(InvalidInput) as refused:  # a refusal without a reason is refused
            extension_requests.decide_extension(office.uow(), request_id, office.users["chanhvp"], False, "  ", clock=clock)
        assert "comment" in refused.value.errors
        assert told(office)[4:] == []
        extension_requests.decide_extension(office.uow(), request_id, office.users["chanhvp"], False,
                                    "Số liệu đã đủ từ tháng trước", clock=clock)
        assert told(office)[4:] == [("ext_refused", "cv.kstthc")]

        report(office, clock, plan_id)
        assert told(office)[5:] == [("review", "theodoi")]
        complete(office, clock, plan_id, "review", "theodoi", {"decision": "return", "comment": "Thiếu phụ lục"})
        assert told(office)[6:] == [("returned", "cv.kstthc")]
        report(office, clock, plan_id)
        complete(office, clock, plan_id, "review", "theodoi", {"decision": "accept", "comment": ""})
        # The second review arrival, then the close: to the people on the task, not the monitor who closed it.
        assert told(office)[7] == ("review", "theodoi")
        assert sorted(told(office)[8:]) == [("closed", "cv.kstthc"), ("closed", "giamdoc.ttpv"),
                                            ("closed", "truong.kstthc")]

        assert arrivals.send_pending(office.uow, mailer, clock).sent == 11
        assert arrivals.send_pending(office.uow, mailer, clock).sent == 0  # sent: never again

    mails = smtp_server.wait_for(11)
    assert len(mails) == 11
    assert Counter(m["To"] for m in mails) == Counter(f"{u}@demo.planflow.vn" for _, u in told(office))
    by_subject = {m["Subject"]: m.get_body().get_content() for m in mails}
    refusal = next(body for subject, body in by_subject.items() if "Không chấp thuận gia hạn" in subject)
    assert "Số liệu đã đủ từ tháng trước" in refusal and refusal.startswith("Kính gửi đồng chí Phạm Thu Dung")
    assigned = next(body for subject, body in by_subject.items() if subject == "[planflow] Việc mới: nhiệm vụ 1")
    assert "Kế hoạch số 1/KH-TEST ngày 15/01/2024 – Kế hoạch thử nghiệm" in assigned
    asked = next(body for subject, body in by_subject.items() if "chờ quyết định" in subject)
    assert "Phạm Thu Dung" in asked and "15/04/2024" in asked and "Chờ số liệu của các sở" in asked
    assert all("bạn" not in body.split() for body in by_subject.values())

    # In the app: each person sees what reached them, unread until opened.
    staff = office.users["cv.kstthc"]
    assert arrivals.unread_count(office.uow(), staff) == 4
    assert {r["kind"] for r in my_notices(office.uow(), staff).arrivals} == {"assigned", "ext_refused", "returned",
                                                                           "closed"}
    arrivals.mark_read(office.uow(), staff)
    assert arrivals.unread_count(office.uow(), staff) == 0


def test_an_accepted_extension_tells_the_requester_the_new_date(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}])
        complete(office, clock, plan_id, "assign", "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
        [step] = ready(office, plan_id, "report")
        request_id = extension_requests.request_extension(office.uow(), step.id, office.users["cv.kstthc"], "2024-04-15",
                                                  "Chờ số liệu", clock=clock)
        extension_requests.decide_extension(office.uow(), request_id, office.users["chanhvp"], True, "", clock=clock)
    [decided] = [r for r in arrival_rows(office) if r["kind"] == "ext_accepted"]
    assert decided["recipient_user_id"] == office.users["cv.kstthc"] and decided["due"] == date(2024, 4, 15)
    assert "hạn mới là 15/04/2024" in decided["body"]


def test_a_person_who_chose_the_digest_gets_one_mail_a_day(office):
    mailer = MemoryMailer()
    head = office.users["truong.kstthc"]
    arrivals.choose_mail(office.uow(), head, "digest")
    assert arrivals.mail_choice(office.uow(), head) == "digest"
    with pytest.raises(InvalidInput):
        arrivals.choose_mail(office.uow(), head, "hourly")
    with office_clock(ISSUED) as clock:
        office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"},
                     {"ref": "2", "lead": [KSTTHC], "due": "2024-04-30"}], issued=ISSUED)
        assert arrivals.send_pending(office.uow, mailer, clock).sent == 0  # held for the digest
        assert arrivals.send_digests(office.uow, mailer, clock) == 0  # today's wait for tomorrow
        clock.on(date(2024, 1, 16), hour=6)
        assert arrivals.send_digests(office.uow, mailer, clock) == 1
        assert arrivals.send_digests(office.uow, mailer, clock.on(date(2024, 1, 16), hour=15)) == 0
    [mail] = mailer.sent
    assert mail.to == "truong.kstthc@demo.planflow.vn" and "(2)" in mail.subject
    assert "1. Nhiệm vụ 1" in mail.body_text and "2. Nhiệm vụ 2" in mail.body_text
    assert {r["email_state"] for r in arrival_rows(office)} == {"sent"}
    assert arrivals.unread_count(office.uow(), head) == 2  # the bell still shows each


def test_a_failed_mail_waits_on_the_mail_page_and_a_retry_sends_it(office):
    mailer = MemoryMailer()
    with office_clock(ISSUED) as clock:
        office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}], issued=ISSUED)
        assert arrivals.mail_waiting(office.uow()) == 1
        mailer.fail_next(1, permanent=True)
        assert arrivals.send_pending(office.uow, mailer, clock).failed == 1
        [problem] = arrivals.mail_problems(office.uow())
        assert problem["email_state"] == "failed" and problem["last_error"]
        assert arrivals.mail_waiting(office.uow()) == 0
        arrivals.retry_mail(office.uow(), "arrivals", problem["id"], clock=clock)
        assert arrivals.mail_waiting(office.uow()) == 1
        assert arrivals.send_pending(office.uow, mailer, clock).sent == 1
    assert arrivals.mail_problems(office.uow()) == []


def test_a_step_given_to_another_person_tells_the_new_holder(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}], issued=ISSUED)
        complete(office, clock, plan_id, "assign", "truong.kstthc", {"assignee": office.users["cv.kstthc"]})
        [step] = ready(office, plan_id, "report")
        steps.reassign(office.uow(), step.id, office.users["truong.kstthc"], office.users["cv.kstthc2"],
                       "Đồng chí Dung nghỉ phép", clock=clock)
    assert told(office) == [("task", "truong.kstthc"), ("assigned", "cv.kstthc"), ("assigned", "cv.kstthc2")]
