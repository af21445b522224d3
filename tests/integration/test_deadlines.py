"""Deadlines end to end through the service layer: the ladder, notices, mail, periods,
process versions, extensions and tasks waiting for a date.

Due 2024-03-29 is a Friday; the shipped ladder fires at 08:00 in Vietnam on
Tue 2024-03-26 (3 working days before), Mon 2024-04-01 (1 after), Fri 2024-04-05 (5 after).
"""
from __future__ import annotations

from datetime import date

import pytest

from adapters.demo.directory import MONITOR_UNIT
from adapters.mail import MemoryMailer, SmtpMailer
from engine import model
from engine.clock import to_storage
from engine.deadlines import extension_requests, notices, outbox, task_dates
from engine.errors import InvalidInput, NotAllowed
from engine.process import instances
from engine.process.step_forms import Upload
from engine.reading.my_notices import my_notices
from engine.tasks import inbox, intake, steps
from tests.support.deadlines import (
    assign,
    audit_rows,
    name_extension_approver,
    notice_rows,
    office_clock,
    ready,
    sweep_at,
)
from tests.support.office import KSTTHC, make_office
from tests.support.statements import sent_statements

OFFICE_URL = "https://planflow.example.gov.vn"  # the address mails link to (web/config.py)

ISSUED = date(2024, 1, 15)
DUE = "2024-03-29"


@pytest.fixture
def pg_office(postgres_fresh_url):
    office = make_office(postgres_fresh_url)
    yield office
    office.storage.engine.dispose()


def one_task(office, clock, due=DUE, director="chanhvp"):
    clock.on(ISSUED)
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": due, "director": director}], issued=ISSUED)
    clock.on(date(2024, 1, 16))
    assign(office, plan_id, clock)
    [report] = ready(office, plan_id, "report")
    return plan_id, report


@pytest.mark.parametrize("which", ["office", "pg_office"])
def test_the_ladder_tells_holder_then_unit_head_then_director_once_each_in_app_and_by_mail(
        request, which, smtp_server):
    office = request.getfixturevalue(which)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, "planflow@demo.planflow.vn")
    with office_clock(ISSUED) as clock:
        plan_id, report = one_task(office, clock)
        task_id = report.plan_task_id

        assert sweep_at(office, clock, date(2024, 3, 25)).instances == 0  # nothing due yet
        walk = [(date(2024, 3, 26), "holder", "cv.kstthc"), (date(2024, 4, 1), "unit_head", "truong.kstthc"),
                (date(2024, 4, 5), "director", "chanhvp")]
        for day, rung, username in walk:
            first = sweep_at(office, clock, day)
            again = sweep_at(office, clock, day, hour=15)  # a second sweep, a restart: nothing new
            assert (first.notices, again.notices, again.instances) == (1, 0, 0), rung
            rows = notice_rows(office, rung=rung)
            assert [r["recipient_user_id"] for r in rows] == [office.users[username]]
            outbox.send_pending(office.uow, mailer, clock, base_url=OFFICE_URL)
            outbox.send_pending(office.uow, mailer, clock, base_url=OFFICE_URL)  # sent already: not again

    rows = notice_rows(office)
    assert [(r["rung"], r["due"], r["email_state"]) for r in rows] == [
        ("holder", date(2024, 3, 29), "sent"), ("unit_head", date(2024, 3, 29), "sent"),
        ("director", date(2024, 3, 29), "sent")]
    assert [r["days_late"] for r in rows] == [-3, 1, 5]  # working days, counted on the day told

    mails = smtp_server.wait_for(3)
    assert len(mails) == 3
    assert [m["To"] for m in mails] == [f"{u}@demo.planflow.vn" for u in ("cv.kstthc", "truong.kstthc", "chanhvp")]
    body = mails[2].get_body().get_content()
    assert "Nhiệm vụ 1" in body and "Kế hoạch số 1/KH-TEST ngày 15/01/2024" in body and "29/03/2024" in body
    assert "quá hạn 5 ngày làm việc" in body and f"{OFFICE_URL}/tasks/{task_id}" in body
    assert "Quá hạn 1 ngày làm việc" in mails[1]["Subject"]
    assert "Sắp đến hạn" in mails[0]["Subject"] and "sắp đến hạn" not in mails[1]["Subject"].lower()

    audit = audit_rows(office, task_id, "notice_")
    assert [(a["action"], a["detail"]["recipients"]) for a in audit] == [
        ("notice_holder", ["Phạm Thu Dung"]), ("notice_unit_head", ["Lê Minh Châu"]),
        ("notice_director", ["Nguyễn Văn An"])]
    # in-app: each recipient sees their one notice, unread until opened
    for username in ("cv.kstthc", "truong.kstthc", "chanhvp"):
        uid = office.users[username]
        assert notices.unread_count(office.uow(), uid) == 1
        assert len(my_notices(office.uow(), uid).notices) == 1
        notices.mark_read(office.uow(), uid)
        assert notices.unread_count(office.uow(), uid) == 0


def test_a_task_without_a_director_escalates_to_every_leader(office):
    with office_clock(ISSUED) as clock:
        one_task(office, clock, director="")
        sweep_at(office, clock, date(2024, 4, 30))  # long past: every rung at once
    director = notice_rows(office, rung="director")
    assert sorted(r["recipient_user_id"] for r in director) == sorted(
        office.users[u] for u in ("chanhvp", "phochanhvp"))


def test_a_failed_mail_is_retried_with_backoff_and_a_permanent_failure_stops(office):
    mailer = MemoryMailer()
    with office_clock(ISSUED) as clock:
        one_task(office, clock)
        sweep_at(office, clock, date(2024, 4, 5))
        assert len(notice_rows(office, email_state="pending")) == 3
        mailer.fail_next(1)
        mailer.fail_next(1, permanent=True)
        result = outbox.send_pending(office.uow, mailer, clock)
        assert (result.sent, result.retrying, result.failed) == (1, 1, 1)
        problems = outbox.mail_problems(office.uow())
        assert sorted(p["email_state"] for p in problems) == ["failed", "pending"]
        assert all(p["last_error"] for p in problems)
        assert outbox.send_pending(office.uow, mailer, clock).sent == 0  # the retry waits its turn
        clock.on(date(2024, 4, 5), hour=10)
        assert outbox.send_pending(office.uow, mailer, clock).sent == 1
    assert len(mailer.sent) == 2
    assert [r["email_state"] for r in notice_rows(office)].count("failed") == 1


def test_a_return_past_the_deadline_notifies_the_holder_at_once_and_only_once(office):
    with office_clock(ISSUED) as clock:
        plan_id, report = one_task(office, clock)
        clock.on(date(2024, 3, 20))
        steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": "xong"},
                            Upload("a.txt", "text/plain", b"x"), clock=clock)
        [review] = ready(office, plan_id, "review")
        clock.on(date(2024, 4, 2))
        steps.complete_step(office.uow(), review.id, office.users["theodoi"],
                            {"decision": "return", "comment": "thiếu"}, clock=clock)
        sweep_at(office, clock, date(2024, 4, 2), hour=10)
    [revise] = ready(office, plan_id, "report")
    # the re-armed ladder of the new step fired what was past: holder and unit head
    rows = notice_rows(office, step_task_id=revise.task_uuid)
    assert sorted(r["rung"] for r in rows) == ["holder", "unit_head"]


def test_editing_the_timer_in_a_new_process_version_changes_when_the_reminder_comes(office):
    with office_clock(ISSUED) as clock:
        with office.uow() as uow:
            live = instances.ensure_live_version(uow, clock.now())
            xml = live.bpmn_xml.replace("working_days_before(period_due, 3)", "working_days_before(period_due, 5)")
            assert xml != live.bpmn_xml
            live.is_live = False
            uow.process_versions.add(model.ProcessVersion(
                process_key=instances.PROCESS_KEY, number=live.number + 1, bpmn_xml=xml,
                comment="nhắc sớm hơn", created_at=to_storage(clock.now()), is_live=True))
            uow.commit()
        plan_id, report = one_task(office, clock)
        assert sweep_at(office, clock, date(2024, 3, 21)).notices == 0
        assert sweep_at(office, clock, date(2024, 3, 22)).notices == 1  # Friday, 5 working days before
    [row] = notice_rows(office)
    assert (row["rung"], row["created_at"].date()) == ("holder", date(2024, 3, 22))


def test_a_quarterly_ongoing_task_has_one_report_per_quarter_each_with_its_deadline(office):
    schedule = {"kind": "ongoing", "due": [], "every": None, "until": "2024-12-31"}
    with office_clock(ISSUED) as clock:
        plan = model.Plan(title="KH", year=2024, number="2/KH-TEST", issued_on=ISSUED,
                          monitor_unit_id=office.units[MONITOR_UNIT])
        task = model.PlanTask.with_units(ref="1", title="Thường xuyên", lead=[office.units[KSTTHC]],
                                         deadline_text="Thường xuyên trong năm 2024", schedule=schedule)
        plan_id = intake.create_plan(office.uow(), plan, [task], clock=clock)
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        seen = []
        for quarter_end in ("2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"):
            [report] = ready(office, plan_id, "report")
            seen.append(report.due_on.isoformat())
            steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": f"kỳ {quarter_end}"},
                                Upload("k.txt", "text/plain", b"k"), clock=clock.on(date.fromisoformat(quarter_end)))
        assert seen == ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
        assert [i.form for i in ready(office, plan_id)] == ["review"]  # then the final review
    with office.uow() as uow:
        assert uow.tasks.for_plan(plan_id)[0].due_on == date(2024, 12, 31)


@pytest.mark.parametrize("which", ["office", "pg_office"])
def test_an_accepted_extension_moves_the_timers_and_history_keeps_both_dates(request, which):
    office = request.getfixturevalue(which)
    with office_clock(ISSUED) as clock:
        plan_id, report = one_task(office, clock)
        holder, director = office.users["cv.kstthc"], office.users["chanhvp"]
        with pytest.raises(NotAllowed):
            extension_requests.request_extension(office.uow(), report.id, office.users["cv.kstthc2"], "2024-04-12", "x")
        with pytest.raises(InvalidInput):
            extension_requests.request_extension(office.uow(), report.id, holder, "2024-03-20", "sớm hơn?")
        request_id = extension_requests.request_extension(office.uow(), report.id, holder, "2024-04-12",
                                                  "Chờ số liệu của Sở", clock=clock.on(date(2024, 3, 20)))
        [pending] = extension_requests.pending_for(office.uow(), director)
        assert (pending["id"], pending["new_due"], pending["old_due"]) == (request_id, date(2024, 4, 12), date(2024, 3, 29))
        with pytest.raises(NotAllowed):
            extension_requests.decide_extension(office.uow(), request_id, office.users["truong.kstthc"], True)
        extension_requests.decide_extension(office.uow(), request_id, director, True, "Đồng ý", clock=clock)
        assert extension_requests.pending_for(office.uow(), director) == []

        assert sweep_at(office, clock, date(2024, 3, 26)).notices == 0  # no reminder at the old date
        assert sweep_at(office, clock, date(2024, 4, 1)).notices == 0  # nor late
        assert sweep_at(office, clock, date(2024, 4, 9)).notices == 1  # 3 working days before 12/04
        [row] = notice_rows(office)
        assert (row["rung"], row["due"]) == ("holder", date(2024, 4, 12))
        box = inbox.list_inbox(office.uow(), holder, date(2024, 4, 15))
        assert [(i.due, i.days_left) for i in box.items] == [(date(2024, 4, 12), -1)]  # late vs the new date

    history = audit_rows(office, report.plan_task_id, "extension_")
    assert [(h["action"], h["detail"]["old_due"], h["detail"]["new_due"]) for h in history] == [
        ("extension_requested", "2024-03-29", "2024-04-12"), ("extension_accepted", "2024-03-29", "2024-04-12")]
    with office.uow() as uow:
        assert uow.tasks.get(report.plan_task_id).due_on == date(2024, 4, 12)


def test_a_refused_extension_changes_nothing(office):
    with office_clock(ISSUED) as clock:
        plan_id, report = one_task(office, clock)
        request_id = extension_requests.request_extension(office.uow(), report.id, office.users["cv.kstthc"], "2024-04-30",
                                                  "Bận", clock=clock.on(date(2024, 3, 20)))
        extension_requests.decide_extension(office.uow(), request_id, office.users["chanhvp"], False, "Không", clock=clock)
        assert sweep_at(office, clock, date(2024, 3, 26)).notices == 1  # the old ladder stands
    [item] = ready(office, plan_id, "report")
    assert item.due_on == date(2024, 3, 29)
    assert [h["action"] for h in audit_rows(office, report.plan_task_id, "extension_")] == [
        "extension_requested", "extension_refused"]


def test_an_unresolved_task_waits_until_the_monitor_sets_its_date(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC]}], issued=ISSUED)
        [waiting] = task_dates.waiting_tasks(office.uow())
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        assert sweep_at(office, clock, date(2025, 1, 1)).instances == 0  # no timer armed
        with pytest.raises(NotAllowed):
            task_dates.set_task_due(office.uow(), waiting["id"], office.users["truong.kstthc"], "2025-03-28")
        task_dates.set_task_due(office.uow(), waiting["id"], office.users["theodoi"], "28/03/2025", clock=clock)
        assert task_dates.waiting_tasks(office.uow()) == []
        [report] = ready(office, plan_id, "report")
        assert report.due_on == date(2025, 3, 28)
        assert sweep_at(office, clock, date(2025, 3, 25)).notices == 1


def test_the_sweep_reads_only_the_due_instances(office, monkeypatch):
    with office_clock(ISSUED) as clock:
        clock.on(ISSUED)
        plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": "2024-03-29" if n < 3 else "2024-06-28"}
                               for n in range(10)], issued=ISSUED)
        for item in ready(office, plan_id, "assign"):
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock.on(date(2024, 1, 16)))
        loads = []
        real_load = instances.load
        monkeypatch.setattr(instances, "load", lambda *a: loads.append(a[2].id) or real_load(*a))
        with sent_statements(office.storage.engine) as sent:
            result = sweep_at(office, clock, date(2024, 3, 26))
        statements = [" ".join(s.split()) for s in sent]
    assert (result.instances, result.notices) == (3, 3)
    assert len(loads) == 3, "only the 3 instances due were loaded, not the 10 open"
    scans = [s for s in statements if s.startswith("SELECT") and "FROM process_instances" in s]
    assert scans and all("process_instances.next_timer_at <=" in s for s in scans), scans


def test_the_due_query_uses_the_next_timer_index_on_postgresql(pg_office):
    from sqlalchemy import text

    with pg_office.storage.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # a tiny table: make the planner show its choice
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT * FROM process_instances WHERE next_timer_at <= now() AND status = 'running' "
            "ORDER BY next_timer_at LIMIT 20 FOR UPDATE SKIP LOCKED")))
    assert "ix_process_instances_next_timer_at" in plan, plan


def test_the_bpmn_names_another_extension_approver(office):
    with office_clock(ISSUED) as clock:
        name_extension_approver(office, clock, "lead_head")
        plan_id, report = one_task(office, clock)
        extension_requests.request_extension(office.uow(), report.id, office.users["cv.kstthc"], "2024-04-12", "Lý do",
                                     clock=clock)
    assert extension_requests.pending_for(office.uow(), office.users["chanhvp"]) == []
    [pending] = extension_requests.pending_for(office.uow(), office.users["truong.kstthc"])
    assert pending["approver_role"] == "unit_head"
