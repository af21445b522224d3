"""bench/scale.py's hand-written inboxes (their rows' bare 2) show what planflow's first
inbox page shows: on each database, for a staff member (steps assigned by name), the
unit head (the unit's steps, one of them taken) and the monitor (none), in due order and in the order received, where
the page is shorter than the inbox (so the order and the counts are what is compared)."""
from __future__ import annotations

from datetime import date

import pytest

from bench import scale
from engine.tasks import inbox, steps
from tests.support.office import KSTTHC, TTPV, clock_on

ISSUED = date(2023, 12, 1)


@pytest.fixture
def office(office_on_each_database):
    office = office_on_each_database
    # Due dates before, near and after the bench's working day, and none: late, soon and later.
    dues = ["2024-01-10", "2024-01-17", "2024-03-01", None]
    tasks = [{"ref": str(n), "lead": [KSTTHC if n % 3 else TTPV], **({"due": due} if due else {})}
             for n, due in enumerate(dues * 3, start=1)]
    plan_id = office.plan(tasks, issued=ISSUED)
    users, clock = office.users, clock_on(ISSUED)
    heads = [i for i in office.ready(plan_id) if i.form == "assign" and i.candidate_unit_id == office.units[KSTTHC]]
    for item in heads[:3]:  # assigned to the staff member by name
        steps.complete_step(office.uow(), item.id, users[scale.HEAD], {"assignee": users[scale.STAFF]}, clock=clock)
    steps.claim(office.uow(), heads[3].id, users[scale.HEAD], clock=clock)  # taken by the head from the unit's role
    return office


@pytest.mark.parametrize("reader", [scale.STAFF, scale.HEAD, scale.MONITOR])
@pytest.mark.parametrize("sort", ["due", "received"])
def test_the_hand_written_inbox_shows_what_planflow_shows(office, monkeypatch, reader, sort):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    # `inboxing` raises if its hand-written page differs from planflow's (the test below
    # shows it does); the staff member's and the head's pages hold steps, so that
    # comparison is one of something, the monitor's is of an empty inbox.
    (label, action, _, _), _ = scale.inboxing(office, "inbox", reader, None, sort)
    shown = action()
    assert (len(shown.items), shown.pages > 1) == ((0, False) if reader == scale.MONITOR else (2, True))


def test_a_hand_written_inbox_that_orders_otherwise_is_told(office, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    monkeypatch.setattr(scale, "_HELD", scale._HELD + " AND w.due_on IS NOT NULL")
    with pytest.raises(AssertionError, match="other data than planflow's page"):
        scale.inboxing(office, "inbox", scale.HEAD, None)
