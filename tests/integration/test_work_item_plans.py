"""A work item's copy of its task's plan (`work_items.plan_id`, migration 0028), which the
inbox filtered by a plan reads through its indexes: the database keeps it right whoever
writes the row (the code never does), and the upgrade fills the rows stored before it."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import insert, select, update

from adapters.storage import Storage, orm
from engine.tasks import inbox, steps
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import CBTH, KSTTHC, staffed

TODAY = date(2024, 3, 11)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def wrong_plans(storage: Storage) -> list[tuple[int, int | None, int]]:
    """The work items whose plan is not their task's: (id, theirs, the task's)."""
    w, t = orm.work_items, orm.plan_tasks
    with storage.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(w.c.id, w.c.plan_id, t.c.plan_id)
                                               .join(t, t.c.id == w.c.plan_task_id)
                                               .where(w.c.plan_id.is_distinct_from(t.c.plan_id)))]


def plan_ids_of_items(storage: Storage) -> set[int | None]:
    with storage.engine.connect() as conn:
        return set(conn.execute(select(orm.work_items.c.plan_id)).scalars())


def plan_of(office, refs: list[str], lead: str = KSTTHC) -> int:
    return office.plan([{"ref": ref, "lead": [lead], "due": "2024-03-29"} for ref in refs], issued=ISSUED)


def test_every_way_a_work_item_is_written_gives_it_its_tasks_plan(url):
    """Plans started (the code's inserts), a step completed (new items), a row copied by
    hand from another plan's item (a bulk copy keeps the stale plan), a task moved to the
    other plan: each item holds its task's plan, and the inbox filtered by a plan, read
    from a fresh Storage, lists exactly that plan's steps."""
    storage = Storage(url)
    storage.upgrade()
    office = staffed(storage)
    try:
        with office_clock(ISSUED) as clock:
            first, second = plan_of(office, ["1", "2", "3"]), plan_of(office, ["4", "5"])
            clock.on(TODAY)
            item = ready(office, first, "assign")[0]
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
        assert not wrong_plans(storage) and plan_ids_of_items(storage) == {first, second}
        with storage.engine.begin() as conn:
            copied = {k: v for k, v in conn.execute(select(orm.work_items).where(orm.work_items.c.plan_id == first)
                                                   .limit(1)).one()._mapping.items() if k != "id"}
            task_of_second = conn.execute(select(orm.plan_tasks.c.id).where(orm.plan_tasks.c.plan_id == second)
                                          .limit(1)).scalar_one()
            conn.execute(insert(orm.work_items), [{**copied, "plan_task_id": task_of_second,
                                                   "task_uuid": str(uuid.uuid4())}])
            conn.execute(insert(orm.work_items), [{**copied, "plan_id": None, "task_uuid": str(uuid.uuid4())}])
        assert not wrong_plans(storage)
        with storage.engine.begin() as conn:
            moved = conn.execute(select(orm.plan_tasks.c.id).where(orm.plan_tasks.c.plan_id == first)
                                 .order_by(orm.plan_tasks.c.id).limit(1)).scalar_one()
            conn.execute(update(orm.plan_tasks).where(orm.plan_tasks.c.id == moved).values(plan_id=second))
        assert not wrong_plans(storage)
        storage.engine.dispose()
        fresh = staffed(Storage(url), load=False)
        with fresh.storage.engine.connect() as conn:
            w, t = orm.work_items, orm.plan_tasks
            expected = {plan: set(conn.execute(select(w.c.id).join(t, t.c.id == w.c.plan_task_id)
                                               .where(t.c.plan_id == plan, w.c.state == "ready",
                                                      w.c.candidate_role == "unit_head",
                                                      w.c.assignee_user_id.is_(None))).scalars())
                        for plan in (first, second)}
        for plan in (first, second):
            found = inbox.list_inbox(fresh.uow(), fresh.users["truong.kstthc"], TODAY, inbox.InboxQuery(plan_id=plan))
            assert expected[plan] and {i.work_item_id for i in found.items} == expected[plan]
            assert found.counts["total"] == len(expected[plan])
        fresh.storage.engine.dispose()
    finally:
        storage.engine.dispose()


def test_an_office_upgraded_from_before_the_copy_has_its_plans_and_keeps_them(url):
    """Plans and steps stored at 0027: the upgrade fills every item's plan, and items
    written after it hold theirs."""
    storage = Storage(url)
    command.upgrade(storage.alembic_config(), "0027_task_units_pair_index")
    office = staffed(storage)
    try:
        with office_clock(ISSUED) as clock:
            first, second = plan_of(office, ["1", "2"]), plan_of(office, ["3", "4", "5"], lead=CBTH)
            storage.upgrade()
            assert not wrong_plans(storage) and plan_ids_of_items(storage) == {first, second}
            clock.on(TODAY)
            third = plan_of(office, ["6"])
            assert not wrong_plans(storage) and plan_ids_of_items(storage) == {first, second, third}
    finally:
        storage.engine.dispose()
