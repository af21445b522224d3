"""A process that fails at run time makes an incident, not a 500: the person acting is
told in Vietnamese and their input is kept; designers and leaders see it on its page
and finish it after a fix (a retry, or a move to a fixed version). The sweep records a
failing timer once, retries it after a pause a bounded number of times; an unreadable
stored state is an incident too.

Through the web app (Flask client) on a real SQLite file, and the service layer.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from adapters.storage import orm
from engine import model
from engine.deadlines import sweep
from engine.errors import StepFailed
from engine.process import incidents, instances, recovery
from engine.process.step_forms import Upload
from engine.tasks import steps
from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, basic, login
from tests.support.deadlines import office_clock
from tests.support.office import KSTTHC, clock_on, make_office
from web import create_app

GOOD = instances.DEFAULT_BPMN.read_text(encoding="utf-8")
# The review's gateway names a variable no step sets: it raises when a review is decided.
BROKEN_GATEWAY = GOOD.replace('decision == "accept"', "decision == accepted_decision")
# The report's reminder calls the calendar with a text for a number of days.
BROKEN_TIMER = GOOD.replace("working_days_before(period_due, 3)", "working_days_before(period_due, 'ba')")
DAY = date(2024, 3, 27)


def _version(office, xml: str, number: int, live: bool = True) -> int:
    with office.uow() as uow:
        if live:
            for other in uow.process_versions.for_key(instances.PROCESS_KEY):
                other.is_live = False
        version = model.ProcessVersion(process_key=instances.PROCESS_KEY, number=number, bpmn_xml=xml,
                                       comment="test", created_at=datetime(2024, 1, 1), is_live=live)
        uow.process_versions.add(version)
        uow.commit()
        return version.id


def _incidents(office) -> list[dict]:
    i = orm.incidents
    with office.storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(i).order_by(i.c.id))]


def _ready(office, plan_id: int, form: str):
    [item] = [i for i in office.ready(plan_id) if i.form == form]
    return item


def test_a_failing_expression_makes_one_incident_shown_on_its_page_and_a_fix_completes_the_task(sqlite_url):
    office = make_office(sqlite_url)
    _version(office, BROKEN_GATEWAY, 1)
    plan_id = office.plan([{"ref": "1", "title": "Rà soát thủ tục", "lead": [KSTTHC], "due": "2024-03-29"}])
    app = create_app({"DATABASE_URL": sqlite_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test", "TODAY": DAY})
    clock = clock_on(DAY)
    steps.complete_step(office.uow(), _ready(office, plan_id, "assign").id, office.users[HEAD],
                        {"assignee": office.users[STAFF]}, clock=clock)
    steps.complete_step(office.uow(), _ready(office, plan_id, "report").id, office.users[STAFF],
                        {"result": "Đã rà soát"}, Upload("bao-cao.txt", "text/plain", b"ket qua"), clock=clock)
    review = _ready(office, plan_id, "review")

    monitor = app.test_client()
    login(monitor, MONITOR)
    for _ in range(2):  # the monitor tries twice, then through the API: one incident, three attempts
        page = monitor.post(f"/steps/{review.id}", data={"decision": "accept", "comment": ""})
        assert page.status_code == 422
        text = page.get_data(as_text=True)
        assert "Bước này chưa hoàn thành được" in text and "đã được giữ lại" in text
    api = app.test_client().post(f"/api/steps/{review.id}/complete", headers=basic(MONITOR),
                                 json={"decision": "accept", "comment": ""})
    assert api.status_code == 422 and api.get_json()["error"]["code"] == "incident"
    assert "quy trình gặp lỗi" in api.get_json()["error"]["message"]
    [incident] = _incidents(office)
    assert (incident["state"], incident["source"], incident["attempts"]) == ("open", "step", 3)
    assert incident["element"] == "decision_gateway" and "accepted_decision" in incident["error"]
    assert incident["data"]["decision"] == "accept" and incident["user_id"] == office.users[MONITOR]
    assert _ready(office, plan_id, "review").id == review.id  # nothing of the failed try was saved

    designer = app.test_client()
    login(designer, "thietke")
    listing = designer.get("/incidents").get_data(as_text=True)
    assert f'data-incident="{incident["id"]}"' in listing and "decision_gateway" in listing
    assert "accepted_decision" in listing
    leader = app.test_client()
    login(leader, "chanhvp")
    assert 'data-incidents="1"' in leader.get("/overview").get_data(as_text=True)
    assert monitor.get("/incidents").status_code == 403

    assert designer.post(f"/incidents/{incident['id']}/retry").status_code == 302  # not fixed yet
    assert _incidents(office)[0]["attempts"] == 4

    fixed = _version(office, GOOD, 2)
    moved = designer.post(f"/incidents/{incident['id']}/move", data={"version_id": fixed})
    assert moved.status_code == 302
    [resolved] = _incidents(office)
    assert resolved["state"] == "resolved" and resolved["resolved_by"] == office.users["thietke"]
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        assert task.status == "closed"
        completed = [e for e in uow.audit.for_task(task.id) if e["action"] == "step_completed"]
    assert completed[-1]["actor_user_id"] == office.users[MONITOR]
    assert completed[-1]["detail"]["retried_by"] == office.users["thietke"]
    assert "data-incidents" not in leader.get("/overview").get_data(as_text=True)
    office.storage.engine.dispose()


def test_a_timer_expression_failing_as_its_step_begins_is_an_incident_and_a_move_to_a_fixed_version_ends_it(
        sqlite_url):
    office = make_office(sqlite_url)
    _version(office, BROKEN_TIMER, 1)
    with office_clock(date(2024, 1, 15)) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
        assign = _ready(office, plan_id, "assign")
        # Entering the report step arms its reminder, whose expression raises.
        with pytest.raises(StepFailed):
            steps.complete_step(office.uow(), assign.id, office.users[HEAD], {"assignee": office.users[STAFF]},
                                clock=clock)
        [incident] = _incidents(office)
        assert (incident["source"], incident["element"]) == ("step", "report_remind")
        assert "'ba'" in incident["error"] and incident["data"] == {"assignee": office.users[STAFF]}

        fixed = _version(office, GOOD, 2)
        assert recovery.move_and_retry(office.uow(), incident["id"], fixed, office.users["thietke"], clock) is True
        report = _ready(office, plan_id, "report")
        assert report.assignee_user_id == office.users[STAFF]
        assert _incidents(office)[0]["state"] == "resolved"
    office.storage.engine.dispose()


def test_the_sweep_makes_an_incident_of_a_failing_instance_with_bounded_retries(sqlite_url):
    office = make_office(sqlite_url)
    with office_clock(date(2024, 1, 15)) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29"}])
        instance_id = _ready(office, plan_id, "assign").instance_id
        with office.storage.engine.begin() as conn:  # a state no reader understands
            good_state = conn.execute(select(orm.process_instances.c.state)
                                      .where(orm.process_instances.c.id == instance_id)).scalar_one()
            conn.execute(update(orm.process_instances).where(orm.process_instances.c.id == instance_id)
                         .values(state="{not json"))
        at = clock.on(date(2024, 3, 28)).now()
        seen = []
        for _ in range(len(incidents.TIMER_BACKOFF) + 2):
            result = sweep.sweep(office.uow, clock=clock)
            with office.uow() as uow:
                seen.append((result.errors, uow.instances.get(instance_id).next_timer_at))
            clock.at = at = at + timedelta(days=1)
        [incident] = _incidents(office)
        assert (incident["source"], incident["attempts"], incident["state"]) == ("load", 5, "open")
        assert [errors for errors, _ in seen] == [1, 1, 1, 1, 1, 0]  # then it waits for a person
        assert seen[-2][1] is None

        # A person's try at a step of it: the same incident, a clear message, no 500.
        with pytest.raises(StepFailed):
            steps.complete_step(office.uow(), _ready(office, plan_id, "assign").id, office.users[HEAD],
                                {"assignee": office.users[STAFF]}, clock=clock)
        assert [(i["source"], i["attempts"]) for i in _incidents(office)] == [("load", 6)]

        # The fix (the state restored), then a retry: the person's input goes through.
        with office.storage.engine.begin() as conn:
            conn.execute(update(orm.process_instances).where(orm.process_instances.c.id == instance_id)
                         .values(state=good_state))
        [incident] = _incidents(office)
        assert recovery.retry(office.uow(), incident["id"], office.users["chanhvp"], clock) is True
        assert _ready(office, plan_id, "report").assignee_user_id == office.users[STAFF]
        assert _incidents(office)[0]["state"] == "resolved"
    office.storage.engine.dispose()
