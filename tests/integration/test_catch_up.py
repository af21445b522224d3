"""Catch-up: whenever a step becomes active or its date changes, every rung already past
fires at once, merged into one notice per recipient that says how late the step is,
and the rungs still ahead stay armed (`next_timer_at` is the earliest of them).

Due Fri 2024-03-29; the report's ladder: holder Tue 26/03, unit head Mon 01/04,
director Fri 05/04 (08:00 in Vietnam = 01:00 UTC); assign's: holder Tue 26/03,
director Mon 01/04. The lead unit's head is truong.kstthc, its staff cv.kstthc.
"""
from __future__ import annotations

from datetime import date, datetime

from engine.deadlines import extension_requests, office_days, task_dates
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.support.deadlines import assign, audit_rows, notice_rows, office_clock, ready, sweep_at
from tests.support.office import CBTH, KSTTHC, TTPV, make_office

ISSUED = date(2024, 1, 15)
DUE = "2024-03-29"


def at_8(day: date) -> datetime:
    """A rung's time as the instance row stores it: 08:00 in Vietnam, naive UTC."""
    return datetime(day.year, day.month, day.day, 1, 0)


def told(office) -> list[tuple[str, str, int | None]]:
    """(username, rung, days_late) of every notice, in order."""
    names = {uid: name for name, uid in office.users.items()}
    return [(names[r["recipient_user_id"]], r["rung"], r["days_late"]) for r in notice_rows(office)]


def subject_of(office, username: str) -> str:
    [row] = [r for r in notice_rows(office) if r["recipient_user_id"] == office.users[username]]
    return row["subject"]


def next_timer_at(office, plan_id: int) -> datetime | None:
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        return uow.instances.for_task(task.id).next_timer_at


def one_task(office, clock, due=DUE, director="chanhvp", **more) -> int:
    return office.plan([{"ref": "1", "lead": [KSTTHC], "due": due, "director": director, **more}],
                       issued=ISSUED, clock=clock)


def test_a_plan_imported_after_its_deadline_tells_each_recipient_once_how_late(office):
    with office_clock(date(2024, 4, 3)) as clock:  # Wednesday: 3 working days late
        plan_id = one_task(office, clock)
        assert told(office) == [("truong.kstthc", "holder", 3), ("chanhvp", "director", 3)]
        assert "Quá hạn 3 ngày làm việc" in subject_of(office, "truong.kstthc")
        assert "sắp đến hạn" not in subject_of(office, "truong.kstthc").lower()
        assert next_timer_at(office, plan_id) is None  # assign's ladder is spent
        assert sweep_at(office, clock, date(2024, 4, 3), hour=15).notices == 0


def test_a_plan_imported_between_two_rungs_fires_the_first_and_arms_the_next(office):
    with office_clock(date(2024, 3, 28)) as clock:  # Thursday: the reminder's day has passed
        plan_id = one_task(office, clock)
        assert told(office) == [("truong.kstthc", "holder", -1)]
        assert "Sắp đến hạn (hạn ngày 29/03/2024, còn 1 ngày làm việc)" in subject_of(office, "truong.kstthc")
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 1))
        assert sweep_at(office, clock, date(2024, 4, 1)).notices == 1
        assert told(office)[1:] == [("chanhvp", "director", 1)]


def test_on_the_due_date_the_notice_says_it_is_due_today(office):
    with office_clock(date(2024, 3, 29)) as clock:
        one_task(office, clock)
    assert told(office) == [("truong.kstthc", "holder", 0)]
    assert "Đến hạn hôm nay" in subject_of(office, "truong.kstthc")


def test_one_person_on_two_rungs_past_at_once_gets_one_notice(office):
    # The lead head also directs the task: the reminder and the escalation are one notice.
    with office_clock(date(2024, 4, 3)) as clock:
        one_task(office, clock, director="truong.kstthc")
    assert told(office) == [("truong.kstthc", "director", 3)]
    [line] = audit_rows(office, notice_rows(office)[0]["plan_task_id"], "notice_")
    assert line["detail"]["rungs"] == ["holder", "director"]


def test_a_step_completed_after_the_deadline_fires_the_next_steps_past_rungs_merged(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock)
        assign(office, plan_id, clock.on(date(2024, 3, 25)))  # before assign's own rungs
        assert told(office) == []
        report = ready(office, plan_id, "report")[0]
        review_day = date(2024, 4, 3)
        steps.complete_step(office.uow(), report.id, office.users["cv.kstthc"], {"result": "xong"},
                            Upload("a.txt", "text/plain", b"x"), clock=clock.on(review_day))
        [review] = ready(office, plan_id, "review")
        steps.complete_step(office.uow(), review.id, office.users["theodoi"],
                            {"decision": "return", "comment": "thiếu"}, clock=clock)
        # revise (due 29/03) became active 3 working days late: holder and unit head at once
        revise_rows = [r for r in notice_rows(office) if r["step_id"] == "revise"]
        assert [(r["rung"], r["days_late"]) for r in revise_rows] == [("holder", 3), ("unit_head", 3)]
        assert "Quá hạn 3 ngày làm việc" in revise_rows[0]["subject"]
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 5))  # the director's rung waits
        assert sweep_at(office, clock, date(2024, 4, 5)).notices == 1
        assert sweep_at(office, clock, date(2024, 4, 5), hour=15).notices == 0


def test_on_postgresql_a_step_completed_late_tells_the_holder_of_the_step_it_adds(postgres_fresh_url):
    """The notices of a late completion name the new step's holder on PostgreSQL too,
    whose step writes go as fewer, combined statements than SQLite's."""
    office = make_office(postgres_fresh_url)
    try:
        test_a_step_completed_after_the_deadline_fires_the_next_steps_past_rungs_merged(office)
    finally:
        office.storage.engine.dispose()


def test_an_assignment_made_late_to_the_unit_head_himself_gives_him_one_notice(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock, director="")
        sweep_at(office, clock, date(2024, 3, 26))  # assign's reminder, on its day
        assign(office, plan_id, clock.on(date(2024, 4, 2)), to="truong.kstthc")
    report_rows = [r for r in notice_rows(office) if r["step_id"] == "report"]
    assert [(r["rung"], r["recipient_user_id"], r["days_late"]) for r in report_rows] == [
        ("unit_head", office.users["truong.kstthc"], 2)]  # holder and unit head: one person, one notice


def test_a_date_set_on_an_unresolved_task_fires_what_is_past_and_arms_the_rest(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "director": "chanhvp"}], issued=ISSUED, clock=clock)
        assert next_timer_at(office, plan_id) is None
        [waiting] = task_dates.waiting_tasks(office.uow())
        task_dates.set_task_due(office.uow(), waiting["id"], office.users["theodoi"], "2024-04-02",
                               clock=clock.on(date(2024, 3, 29)))
        # assign is due 02/04: its reminder (28/03) is past, the escalation (03/04) waits
        assert told(office) == [("truong.kstthc", "holder", -2)]
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 3))
        assert sweep_at(office, clock, date(2024, 4, 3)).notices == 1


def test_an_extension_granted_late_fires_the_new_reminder_now_and_arms_the_next(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock)
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        [report] = ready(office, plan_id, "report")
        request_id = extension_requests.request_extension(office.uow(), report.id, office.users["cv.kstthc"], "2024-04-03",
                                                  "Chờ số liệu", clock=clock.on(date(2024, 3, 20)))
        extension_requests.decide_extension(office.uow(), request_id, office.users["chanhvp"], True, "",
                                    clock=clock.on(date(2024, 4, 1)))
        # the new date's reminder (29/03) is past: told now, against the new date
        assert told(office) == [("cv.kstthc", "holder", -2)]
        assert "Sắp đến hạn (hạn ngày 03/04/2024, còn 2 ngày làm việc)" in subject_of(office, "cv.kstthc")
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 4))
        assert sweep_at(office, clock, date(2024, 4, 4)).notices == 1
        assert told(office)[1:] == [("truong.kstthc", "unit_head", 1)]


def test_a_day_off_added_to_the_office_calendar_rearms_the_open_steps(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock)
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        assert next_timer_at(office, plan_id) == at_8(date(2024, 3, 26))
        leader = office.users["chanhvp"]
        # Monday 25/03, 09:00: Wednesday 27/03 becomes a day off, so the reminder (3 working
        # days before Friday) moves to Monday 08:00, already past: it fires now.
        office_days.add_day(office.uow(), leader, "2024-03-27", "off", "Kỷ niệm", clock=clock.on(date(2024, 3, 25)))
        assert told(office) == [("cv.kstthc", "holder", -3)]
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 1))
        # Monday 01/04 off too: the unit head's rung moves to Tuesday; removed, it comes back.
        day_id = office_days.add_day(office.uow(), leader, "2024-04-01", "off", "Nghỉ bù", clock=clock)
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 2))
        office_days.remove_day(office.uow(), leader, day_id, clock=clock)
        assert next_timer_at(office, plan_id) == at_8(date(2024, 4, 1))
        assert len(told(office)) == 1


def test_the_scheduler_back_after_days_down_sends_one_notice_per_recipient_saying_how_late(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock)
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        result = sweep_at(office, clock, date(2024, 4, 12))  # down since before the first rung
        assert (result.fired, result.notices) == (3, 3)
        assert told(office) == [("cv.kstthc", "holder", 10), ("truong.kstthc", "unit_head", 10),
                                ("chanhvp", "director", 10)]
        assert "Quá hạn 10 ngày làm việc" in subject_of(office, "cv.kstthc")
        assert next_timer_at(office, plan_id) is None
        assert sweep_at(office, clock, date(2024, 4, 15)).notices == 0


def test_a_late_coordination_tells_the_lead_head_once_not_once_per_unit(office):
    with office_clock(ISSUED) as clock:
        plan_id = one_task(office, clock, coordinators=[TTPV, CBTH])
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        sweep_at(office, clock, date(2024, 4, 2))  # both units silent: reminder and lateness at once
    assert sorted(told(office)) == [("giamdoc.cbth", "holder", 2), ("giamdoc.ttpv", "holder", 2),
                                    ("truong.kstthc", "unit_head", 2)]
