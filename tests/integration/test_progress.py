"""The plan dashboard's read model and its JSON: a plan with a task in every state on
a controlled clock, each count checked in both."""
from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date, datetime

import pytest

from adapters.demo.loader import DEMO_PASSWORD
from engine import model
from engine.reading.period_reports import read_report
from engine.reading.progress import Filters, leader_overview, plan_dashboard, task_state
from tests.e2e.web_helpers import login
from tests.support.office import KSTTHC, TTPV, make_office
from tests.support.progress_plan import (
    COUNTS,
    DAYS_LATE,
    STATE_OF,
    TODAY,
    progress_world,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")
    with progress_world(url) as world:
        yield world


def basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()}


def refs(tasks) -> list[str]:
    return [t.ref if hasattr(t, "ref") else t["ref"] for t in tasks]


def test_a_task_is_in_one_of_five_states_on_a_given_day():
    due = date(2024, 3, 29)
    assert task_state("closed", due, date(2024, 3, 4), TODAY) == "done_on_time"
    assert task_state("closed", date(2024, 3, 1), date(2024, 3, 4), TODAY) == "done_late"
    assert task_state("closed", date(2024, 3, 1), date(2024, 3, 20), TODAY) == "overdue", "not yet closed then"
    assert task_state("open", due, None, TODAY) == "in_progress"
    assert task_state("open", TODAY, None, TODAY) == "in_progress", "due today is not late yet"
    assert task_state("open", date(2024, 3, 8), None, TODAY) == "overdue"
    assert task_state("waiting_date", None, None, TODAY) == "waiting_date"


def test_the_dashboard_counts_every_state_overall_and_per_lead_unit(world):
    office, ids, _ = world
    view = plan_dashboard(office.uow(), ids["plan"], TODAY)

    assert view.counts == COUNTS
    assert {t.ref: t.state for t in view.tasks} == STATE_OF
    assert {t.ref: t.days_late for t in view.tasks if t.days_late is not None} == DAYS_LATE
    by_unit = {u.name: u.counts for u in view.units}
    assert by_unit[TTPV] == {"done_on_time": 0, "done_late": 0, "in_progress": 1, "overdue": 2,
                             "waiting_date": 0, "total": 3}
    assert by_unit[KSTTHC] == {"done_on_time": 1, "done_late": 1, "in_progress": 0, "overdue": 1,
                               "waiting_date": 1, "total": 4}
    assert [u.name for u in view.units] == [TTPV, KSTTHC], "sorted by overdue"


def test_the_overdue_list_gives_working_days_late_the_holder_and_the_notices_sent(world):
    office, ids, _ = world
    view = plan_dashboard(office.uow(), ids["plan"], TODAY)

    assert refs(view.overdue) == ["3", "6"], "most late first"
    three, six = view.overdue
    assert three.days_late == 7 and six.days_late == 6
    assert [(s.step_name, s.user_name) for s in three.steps] == [("Báo cáo kết quả", "Đặng Quốc Huy")]
    assert [(s.unit_name, s.role) for s in six.steps] == [(KSTTHC, "unit_head")]
    # The escalation service may add its own; ours, recorded on known days, must be there.
    sent = [(n.at.date(), n.rung, n.to) for n in three.notices]
    assert (date(2024, 3, 1), "holder", "Đặng Quốc Huy") in sent
    assert (date(2024, 3, 6), "unit_head", "Võ Thị Giang") in sent
    assert sent == sorted(sent, key=lambda n: n[0]), "oldest first"


def test_a_notice_shows_everyone_it_told_in_order_on_the_dashboard_and_the_report(world):
    """The names a notice's audit line lists are joined by the database, in their order
    (a list of one, most notices', as its one name); one name stored alone, or none,
    read as the line holds them."""
    office, ids, _ = world
    told = {datetime(2024, 3, 7, 2): ("director", ["Võ Thị Giang", "Đặng Quốc Huy", "Lê Minh Châu"],
                                      "Võ Thị Giang, Đặng Quốc Huy, Lê Minh Châu"),
            datetime(2024, 3, 8, 2): ("holder", "Đặng Quốc Huy", "Đặng Quốc Huy"),
            datetime(2024, 3, 9, 2): ("holder", ["Phạm Thu Dung"], "Phạm Thu Dung"),
            datetime(2024, 3, 10, 2): ("unit_head", [7], "7"), datetime(2024, 3, 11, 2): ("unit_head", [], "")}
    with office.uow() as uow:
        for at, (rung, names, _) in told.items():
            uow.audit.add(model.AuditEvent(plan_task_id=ids["3"], action=f"notice_{rung}", at=at,
                                           detail={"rung": rung, "recipients": names}))
        uow.commit()
    wanted = [(at, rung, shown) for at, (rung, _, shown) in told.items()]

    [three] = [t for t in plan_dashboard(office.uow(), ids["plan"], TODAY).overdue if t.ref == "3"]
    with office.uow() as uow:
        report = read_report(uow, ids["plan"], TODAY, None, None)
    [reported] = [r.task for r in report.rows if r.task.ref == "3"]
    for notices in (three.notices, reported.notices):
        assert [(n.at, n.rung, n.to) for n in notices if n.at in told] == wanted


def test_completion_over_time_is_cumulative_by_month(world):
    office, ids, _ = world
    view = plan_dashboard(office.uow(), ids["plan"], TODAY)
    assert [(p.month, p.due, p.on_time, p.late) for p in view.completion] == [
        ("2024-01", 0, 0, 0), ("2024-02", 2, 0, 0), ("2024-03", 5, 1, 1)]


def test_filters_narrow_the_counts_by_unit_and_deadline_and_the_list_by_state(world):
    office, ids, _ = world
    ttpv = office.units[TTPV]
    view = plan_dashboard(office.uow(), ids["plan"], TODAY, Filters(unit_id=ttpv))
    assert view.counts == {"done_on_time": 0, "done_late": 0, "in_progress": 1, "overdue": 2,
                           "waiting_date": 0, "total": 3}
    assert refs(view.tasks) == ["3", "4", "6"]

    view = plan_dashboard(office.uow(), ids["plan"], TODAY, Filters(state="overdue"))
    assert view.counts == COUNTS, "the state narrows the list, not the counts"
    assert refs(view.tasks) == ["3", "6"]

    march = Filters(due_from=date(2024, 3, 1), due_to=date(2024, 3, 31))
    view = plan_dashboard(office.uow(), ids["plan"], TODAY, march)
    assert refs(view.tasks) == ["1", "4", "6"]
    assert view.counts["total"] == 3 and view.counts["waiting_date"] == 0


def test_the_leader_overview_shows_open_plans_and_units_most_overdue(world):
    office, ids, _ = world
    view = leader_overview(office.uow(), TODAY)
    (plan,) = view.plans
    assert (plan.plan_id, plan.total, plan.closed, plan.overdue, plan.waiting) == (ids["plan"], 6, 2, 2, 1)
    assert plan.percent_done == 33
    assert [(u.name, u.overdue) for u in view.units] == [(TTPV, 2), (KSTTHC, 1)]


def test_the_json_api_gives_the_same_counts_with_basic_auth_or_a_session(world):
    _, ids, app = world
    url = f"/api/plans/{ids['plan']}/progress"
    body = app.test_client().get(url, headers=basic("theodoi")).get_json()
    assert body["counts"] == COUNTS
    assert {u["name"]: u["counts"]["overdue"] for u in body["units"]} == {TTPV: 2, KSTTHC: 1}
    assert [(t["ref"], t["days_late"]) for t in body["overdue"]] == [("3", 7), ("6", 6)]
    assert {"Đặng Quốc Huy", "Võ Thị Giang"} <= {n["to"] for n in body["overdue"][0]["notices"]}
    assert {t["ref"]: t["state"] for t in body["tasks"]} == STATE_OF
    assert body["completion"][-1] == {"month": "2024-03", "due": 5, "on_time": 1, "late": 1}

    client = app.test_client()
    login(client, "chanhvp")
    filtered = client.get(f"{url}?unit={world[0].units[TTPV]}&status=overdue").get_json()
    assert filtered["counts"]["total"] == 3 and refs(filtered["tasks"]) == ["3", "6"]


def test_only_the_leadership_and_the_monitor_see_progress(world):
    _, ids, app = world
    response = app.test_client().get(f"/api/plans/{ids['plan']}/progress", headers=basic("cv.kstthc"))
    assert response.status_code == 403 and response.get_json()["error"]["code"]
    assert app.test_client().get(f"/api/plans/{ids['plan']}/progress").status_code == 401
    client = app.test_client()
    login(client, "cv.kstthc")
    assert client.get(f"/plans/{ids['plan']}/dashboard").status_code == 403


def test_the_dashboard_page_shows_every_count_as_a_link_to_its_tasks(world):
    office, ids, app = world
    client = app.test_client()
    login(client, "theodoi")
    html = client.get(f"/plans/{ids['plan']}/dashboard?lang=en").get_data(as_text=True)
    for state, n in COUNTS.items():
        if state != "total":
            assert f'href="/plans/{ids["plan"]}/dashboard?status={state}#tasks" data-count="{state}"><span class="n">{n}</span>' in html
    ttpv = office.units[TTPV]
    assert f'href="/plans/{ids["plan"]}/dashboard?unit={ttpv}&amp;status=overdue#tasks" data-count="overdue">2</a>' in html
    assert 'id="dashboard-data"' in html and "chart.umd.min.js" in html
    listed = client.get(f"/plans/{ids['plan']}/dashboard?unit={ttpv}&status=overdue").get_data(as_text=True)
    assert listed.count('data-state="overdue"') == 2
    assert client.get("/overview").status_code == 200


@pytest.fixture(params=["sqlite", "postgresql"])
def two_plans(request):
    """A plan whose tasks KSTTHC leads alone, with TTPV, while coordinating it too, or only
    coordinates, or leads undated; and another plan KSTTHC leads a task of."""
    office = make_office(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url"))
    plan = office.plan([
        {"ref": "1", "lead": [KSTTHC], "due": "2024-02-01"},
        {"ref": "2", "lead": [KSTTHC, TTPV], "due": "2024-03-29"},
        {"ref": "3", "lead": [KSTTHC], "coordinators": [KSTTHC, TTPV], "due": "2024-03-01"},
        {"ref": "4", "lead": [TTPV], "coordinators": [KSTTHC], "due": "2024-02-15"},
        {"ref": "5", "lead": [KSTTHC]},
    ])
    office.plan([{"ref": "9", "lead": [KSTTHC], "due": "2024-02-01"}])
    yield office, plan
    office.storage.engine.dispose()


def test_a_dashboard_narrowed_to_a_lead_unit_counts_the_plans_tasks_it_leads_once_each(two_plans):
    """The unit's own tables answer for it (`unit_tasks`, `unit_task_counts`): a task it
    leads with another unit, or leads and coordinates, counts once; one it only
    coordinates, or of another plan, not at all; the lead units' counts are those of the
    tasks it leads, each of their lead units counted."""
    office, plan = two_plans
    kstthc = Filters(unit_id=office.units[KSTTHC])
    view = plan_dashboard(office.uow(), plan, TODAY, kstthc)
    assert refs(view.tasks) == ["1", "2", "3", "5"]
    assert view.counts == {"done_on_time": 0, "done_late": 0, "in_progress": 1, "overdue": 2,
                           "waiting_date": 1, "total": 4}
    assert {u.name: u.counts["total"] for u in view.units} == {KSTTHC: 4, TTPV: 1}
    assert [(p.month, p.due) for p in view.completion] == [("2024-01", 0), ("2024-02", 1), ("2024-03", 3)]
    assert refs(view.overdue) == ["1", "3"]
    later = replace(kstthc, due_from=date(2024, 2, 15), state="overdue")
    narrowed = plan_dashboard(office.uow(), plan, TODAY, later)
    assert refs(narrowed.tasks) == ["3"] and narrowed.counts["total"] == 2
