"""The inbox indexes of `work_items` as partial indexes (migration 0033): an office built
before them upgrades to exactly the indexes the tables' definitions name (`orm.py`), its
inboxes the same, and goes back down and up again."""
from __future__ import annotations

from datetime import date

import pytest
from alembic import command

from engine.tasks import inbox, steps
from tests.support.deadlines import ISSUED, office_clock, ready
from tests.support.office import CBTH, KSTTHC
from tests.support.schema import defined, office_at, stored

TODAY = date(2024, 3, 11)
BEFORE = "0032_units_added_replanned"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_fresh_url")


def inboxes(office) -> list[list[int]]:
    """The ids of the steps in each demo person's inbox (those of the plans here)."""
    return [[item.work_item_id for item in inbox.list_inbox(office.uow(), office.users[name], TODAY).items]
            for name in ("truong.kstthc", "cv.kstthc", "giamdoc.cbth", "theodoi")]


def test_an_office_built_before_0033_upgrades_to_the_defined_indexes_with_the_same_inboxes(url):
    """Steps stored at 0032 (waiting for a unit's head, held by name, done): after the
    upgrade the indexes of `work_items` are those `orm.py` defines (partial, without
    `ix_work_items_instance_id`), every inbox lists the same steps, and a downgrade
    gives the old indexes back."""
    with office_at(url, BEFORE) as (storage, office):
        with office_clock(ISSUED) as clock:
            first = office.plan([{"ref": ref, "lead": [KSTTHC], "due": "2024-03-29"} for ref in "123"], issued=ISSUED)
            office.plan([{"ref": "4", "lead": [CBTH], "due": "2024-03-29"}], issued=ISSUED)
            clock.on(TODAY)
            item = ready(office, first, "assign")[0]
            steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                                {"assignee": office.users["cv.kstthc"]}, clock=clock)
            old = stored(storage)
            assert "ix_work_items_instance_id" in old and stored(storage) != defined(storage)
            seen = inboxes(office)
            assert all(seen[:3]), seen  # the head's, the staff member's (held by name), the other unit's
            storage.upgrade()
            assert stored(storage) == defined(storage) and "ix_work_items_instance_id" not in stored(storage)
            assert inboxes(office) == seen
            command.downgrade(storage.alembic_config(), BEFORE)
            assert stored(storage) == old and inboxes(office) == seen
            storage.upgrade()
            assert stored(storage) == defined(storage)
