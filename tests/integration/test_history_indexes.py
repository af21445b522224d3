"""The indexes of the steps a person holds by name or completed (migration 0034): an
office built before them upgrades to exactly the indexes `orm.py` defines, each person's
page lists the tasks they took part in, and it goes back down and up again with the same
pages. (The pages are read at the newest schema only: they read `task_people`, 0035.)"""
from __future__ import annotations

from datetime import date

import pytest
from alembic import command

from engine.reading.unit_work import person_work
from engine.tasks import steps
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import KSTTHC
from tests.support.schema import defined, office_at, stored

TODAY = date(2024, 3, 11)
BEFORE = "0033_inbox_partial_indexes"
NEW = {"ix_work_items_assignee_tasks", "ix_work_items_completed_by_tasks"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def pages(office) -> list[list[int]]:
    """The ids of the tasks on the head's page (steps they completed) and on the staff
    member's (a step held by name), and on one who took part in none."""
    return [[task.id for task in person_work(office.uow(), office.users[name], TODAY).tasks]
            for name in ("truong.kstthc", "cv.kstthc", "theodoi")]


def test_an_office_built_before_0034_upgrades_to_the_defined_indexes_with_the_same_person_pages(url):
    with office_at(url, BEFORE) as (storage, office):
        with office_clock(ISSUED) as clock:
            plan = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "123"], issued=ISSUED)
            clock.on(TODAY)
            for item in ready(office, plan, "assign")[:2]:
                steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                    {"assignee": office.users["cv.kstthc"]}, clock=clock)
            old = stored(storage)
            assert not NEW & set(old)
            storage.upgrade()
            assert stored(storage) == defined(storage) and NEW <= set(stored(storage))
            seen = pages(office)
            assert [len(tasks) for tasks in seen] == [2, 2, 0], seen
            command.downgrade(storage.alembic_config(), BEFORE)
            assert stored(storage) == old
            storage.upgrade()
            assert stored(storage) == defined(storage) and pages(office) == seen
