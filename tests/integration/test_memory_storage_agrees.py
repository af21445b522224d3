"""The in-memory storage (adapters/memory.py) answers as the real databases do.

Unit tests of service rules run on it; this is what lets them stand for the real
thing. One walk (a claimed step, an assigned task, an undated task, an extension
request, a sweep of the ladder, mail sent and failed, a notice read) on the fakes
and on SQLite and PostgreSQL; every read the services make, in people's and tasks'
names rather than ids, must be the same.
"""
from __future__ import annotations

from datetime import date

from adapters.mail import MemoryMailer
from engine import model
from engine.access import task_access
from engine.deadlines import extension_requests, notices, outbox, task_dates
from engine.process import instances
from engine.reading.my_notices import my_notices
from engine.tasks import inbox, steps
from tests.support.deadlines import DUE, ISSUED, office_clock, ready, sweep_at
from tests.support.office import CBTH, KSTTHC, TTPV, memory_office

LATER = date(2024, 4, 5)
PEOPLE = ("chanhvp", "truong.kstthc", "cv.kstthc", "giamdoc.ttpv", "giamdoc.cbth", "pho.cbth", "theodoi", "cv.th")
QUERIES = [inbox.InboxQuery(), inbox.InboxQuery(whose="unit"), inbox.InboxQuery(whose="mine"),
           inbox.InboxQuery(due="late"), inbox.InboxQuery(due="later"), inbox.InboxQuery(sort="plan"),
           inbox.InboxQuery(sort="received"), inbox.InboxQuery(sort="step"), inbox.InboxQuery(text="hai"), inbox.InboxQuery(text="nhiem vu")]


def walk(office) -> None:
    """Task 1 left at assign until its ladder fires; task 2 taken, assigned and asked more
    time for; task 3 undated, its assign step taken; 4 and 5 (undated) waiting beside 1;
    mail sent, one failing; a notice read."""
    with office.uow() as uow:  # a second head for CBTH: a step the first takes leaves her inbox
        deputy = model.User(username="pho.cbth", full_name="Phó giám đốc", unit_id=office.units[CBTH],
                            role="unit_head", password_hash="-")
        uow.users.add(deputy)
        uow.commit()
    office.users["pho.cbth"] = deputy.id
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([
            {"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE, "director": "chanhvp"},
            {"ref": "2", "title": "Nhiệm vụ hai", "lead": [KSTTHC, CBTH], "due": "2024-06-28"},
            {"ref": "3", "lead": [CBTH]},
            {"ref": "4", "lead": [KSTTHC], "due": "2024-04-30"},
            {"ref": "5", "lead": [KSTTHC]},
        ], issued=ISSUED)
        clock.on(date(2024, 1, 16))
        tasks = task_ids(office, plan_id)
        assigns = {i.plan_task_id: i for i in ready(office, plan_id, "assign")}
        head = office.users["truong.kstthc"]
        steps.claim(office.uow(), assigns[tasks["2"]].id, head, clock=clock)
        steps.complete_step(office.uow(), assigns[tasks["2"]].id, head, {"assignee": office.users["cv.kstthc"]},
                            clock=clock)
        [report] = ready(office, plan_id, "report")
        extension_requests.request_extension(office.uow(), report.id, office.users["cv.kstthc"], "2024-07-12",
                                             "Chờ số liệu", clock=clock)
        steps.claim(office.uow(), assigns[tasks["3"]].id, office.users["giamdoc.cbth"], clock=clock)
        sweep_at(office, clock, LATER)
        mailer = MemoryMailer()
        mailer.fail_next()
        outbox.send_pending(office.uow, mailer, clock)
        notices.mark_read(office.uow(), office.users["chanhvp"], clock=clock)


def task_ids(office, plan_id) -> dict[str, int]:
    with office.uow() as uow:
        return {t.ref: t.id for t in uow.tasks.for_plan(plan_id)}


def answers(office) -> dict:
    """Every read of the services and repositories, in names rather than ids."""
    names = {user_id: username for username, user_id in office.users.items()}
    with office.uow() as uow:
        plans = uow.plans.list_with_counts()
        [plan] = [uow.plans.get(p["id"]) for p in plans]
        tasks = uow.tasks.for_plan(plan.id)
        refs = {t.id: t.ref for t in tasks}
        people = uow.work_items.people_on_tasks(refs)
        seen = {
            "plans": [(p["title"], p["tasks"], p["closed"]) for p in plans],
            "people": {refs[t]: sorted(names[u] for u in users) for t, users in people.items()},
            "audit": {t.ref: [(a["action"], a["actor_name"], a["actor_unit"], a["step_id"])
                              for a in uow.audit.for_task(t.id)] for t in tasks},
            "extensions": {t.ref: [(x["step_id"], x["old_due"], x["new_due"], x["state"])
                                   for x in uow.extensions.for_task(t.id)] for t in tasks},
            "running": sorted(uow.process_versions.instance_counts(instances.PROCESS_KEY).values()),
            "readable": {who: task_access.readable(uow, office.users[who], plan, [(t.ref, t) for t in tasks])
                         for who in PEOPLE},
        }
    seen["waiting"] = [(t["ref"], t["plan_number"], t["deadline_text"]) for t in task_dates.waiting_tasks(office.uow())]
    seen["mail_problems"] = [(n["recipient_name"], n["task_ref"], n["email_state"], n["attempts"])
                             for n in outbox.mail_problems(office.uow())]
    for who in PEOPLE:
        user_id = office.users[who]
        seen[who] = {
            "inbox": [_inbox(inbox.list_inbox(office.uow(), user_id, LATER, query)) for query in QUERIES],
            "notices": [(n["rung"], n["task_ref"], n["plan_number"], n["step_name"], n["due"], n["days_late"],
                         n["read_at"] is not None, n["email_state"], n["attempts"])
                        for n in my_notices(office.uow(), user_id).notices],
            "unread": notices.unread_count(office.uow(), user_id),
            "to_decide": [(x["task_ref"], x["plan_number"], x["old_due"], x["new_due"], x["requested_by_name"],
                           x["approver_role"]) for x in extension_requests.pending_for(office.uow(), user_id)],
        }
    return seen


def _inbox(box: inbox.Inbox) -> tuple:
    return ([(i.task_ref, i.task_title, i.step_id, i.plan_number, i.due, i.days_left, i.urgency, i.mine, i.claimed)
             for i in box.items], box.counts, box.pages, [name for _, name in box.plans], box.steps)


def test_the_fakes_answer_every_read_as_the_real_database_does(office_on_each_database):
    real_office = office_on_each_database
    fake = memory_office()
    walk(fake)
    walk(real_office)
    expected, found = answers(real_office), answers(fake)
    assert found.keys() == expected.keys()
    for key in expected:
        assert found[key] == expected[key], key
    assert expected["chanhvp"]["notices"] and expected["mail_problems"] and expected["waiting"]  # the walk did its work
