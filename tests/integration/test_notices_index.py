"""The notices a dashboard's page shows (`page_details.told`) are read through
`ix_audit_events_notices` (migration 0039), which holds the audit lines of notices alone,
on SQLite and PostgreSQL (in the plan PostgreSQL keeps for the prepared statement too):
not every audit line of the page's tasks, each tested. The page shows the same notices
as before, among the lines of steps; an
office built before 0039 upgrades to the index `orm.py` defines, and back."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from sqlalchemy import insert, text

from adapters.storage import orm
from engine import model
from engine.reading.progress import (
    OVERDUE,
    OVERDUE_SHOWN,
    TaskScope,
    TaskSlice,
    plan_dashboard,
    task_pages,
)
from tests.integration.test_query_plans import plans_of
from tests.support.office import KSTTHC, make_office
from tests.support.schema import defined, office_at, stored

DAY = date(2024, 4, 2)
BEFORE = "0038_plan_tasks_open_due"
# Audit lines of each task: notices among the lines of steps.
ACTIONS = ["notice_holder", "step_completed", "notice_unit_head", "task_started", "notice_director", "assigned",
           "unnoticed"]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def told(office) -> int:
    """A plan of six overdue tasks, each with the audit lines of `ACTIONS` (a list of one
    name told, or of two, or one name alone) and 500 lines of steps: its id."""
    plan_id = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2024-03-01"} for i in range(1, 7)])
    with office.uow() as uow:
        task_ids = [task.id for task in uow.tasks.for_plan(plan_id)]
        for n, task_id in enumerate(task_ids):
            for hour, action in enumerate(ACTIONS):
                names = [["Đặng Quốc Huy"], ["Võ Thị Giang", "Lê Minh Châu"], "Phạm Thu Dung"][(n + hour) % 3]
                uow.audit.add(model.AuditEvent(plan_task_id=task_id, action=action, at=datetime(2024, 3, 2 + n, hour),
                                               detail={"recipients": names}))
        uow.commit()
    lines = [{"plan_task_id": task_id, "action": "step_completed", "at": datetime(2024, 2, 1), "detail": {}}
             for task_id in task_ids for _ in range(500)]
    with office.storage.engine.begin() as conn:
        conn.execute(insert(orm.audit_events), lines)
    if office.storage.engine.dialect.name == "postgresql":  # its statistics taken, as autovacuum would
        with office.storage.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE audit_events"))
    return plan_id


def shown(office, plan_id: int) -> list[tuple]:
    """The notices of the dashboard's page of the most overdue tasks, read as the dashboard
    reads the page (not its counts, which read a table of a later migration than the
    office may be at, 0048)."""
    uow = office.uow()
    with uow.reading():
        [overdue] = task_pages(uow, TaskScope(DAY, plan_id=plan_id),
                               [TaskSlice(OVERDUE, "urgency", 0, OVERDUE_SHOWN)], DAY)
    return [(task.ref, n.at, n.action, n.rung, n.to) for task in overdue for n in task.notices]


def test_a_pages_notices_are_read_through_the_index_of_notices(url):
    office = make_office(url)
    try:
        plan_id = told(office)
        notices = shown(office, plan_id)
        assert {action for _, _, action, _, _ in notices} == {"notice_holder", "notice_unit_head", "notice_director"}
        assert len(notices) == 6 * 3 and ("1", datetime(2024, 3, 2, 4), "notice_director", "director",
                                          "Võ Thị Giang, Lê Minh Châu") in notices
        generic = [False] if office.storage.engine.dialect.name == "sqlite" else [False, True]
        for kept in generic:
            [read] = [p for p in plans_of(office, lambda: plan_dashboard(office.uow(), plan_id, DAY), kept)
                      if "audit_events" in p]
            assert "ix_audit_events_notices" in read and "ix_audit_events_plan_task_id" not in read, read
    finally:
        office.storage.engine.dispose()


def test_an_office_before_0039_upgrades_to_the_index_and_back(url):
    with office_at(url, BEFORE) as (storage, office):
        plan_id = told(office)
        want = shown(office, plan_id)
        assert len(want) == 6 * 3 and "ix_audit_events_notices" not in stored(storage, "audit_events")
        storage.upgrade()
        index = defined(storage, "audit_events")["ix_audit_events_notices"]
        assert stored(storage, "audit_events")["ix_audit_events_notices"] == index
        assert shown(office, plan_id) == want
        command.downgrade(storage.alembic_config(), BEFORE)
        assert "ix_audit_events_notices" not in stored(storage, "audit_events")
        assert shown(office, plan_id) == want
        storage.upgrade()
        assert stored(storage, "audit_events")["ix_audit_events_notices"] == index
        assert shown(office, plan_id) == want
