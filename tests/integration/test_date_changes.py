"""The monitor corrects a task's date after import: with a reason, kept in the history
with the old date; a date in the past or far from the plan's years asks to be
confirmed; the ladder re-arms on the new date (rungs already past fire at once)."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines import task_dates
from engine.errors import InvalidInput, NotAllowed
from tests.support.deadlines import assign, audit_rows, notice_rows, office_clock, ready, sweep_at
from tests.support.office import KSTTHC

ISSUED = date(2024, 1, 15)
MONITOR = "theodoi"


def task_at_report(office, clock):
    clock.on(ISSUED)
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-29", "director": "chanhvp"}], issued=ISSUED)
    clock.on(date(2024, 1, 16))
    assign(office, plan_id, clock)
    [report] = ready(office, plan_id, "report")
    return plan_id, report


def test_a_changed_date_is_in_the_history_and_the_ladder_rearms_on_it(office):
    with office_clock(ISSUED) as clock:
        plan_id, report = task_at_report(office, clock)
        clock.on(date(2024, 3, 20))
        task_dates.change_task_due(office.uow(), report.plan_task_id, office.users[MONITOR], "2024-04-26",
                                   "Sở Nội vụ lùi thời hạn tổng hợp", clock=clock)
        [item] = ready(office, plan_id, "report")
        assert item.due_on == date(2024, 4, 26)
        with office.uow() as uow:
            assert uow.tasks.get(report.plan_task_id).due_on == date(2024, 4, 26)
        # The old date's reminder (3 working days before 29/03) no longer fires ...
        assert sweep_at(office, clock, date(2024, 3, 27)).notices == 0
        # ... the new date's does, naming the new date.
        sweep_at(office, clock, date(2024, 4, 24))
        [reminder] = notice_rows(office, rung="holder")
        assert reminder["due"] == date(2024, 4, 26)
    [changed] = audit_rows(office, report.plan_task_id, "due_changed")
    assert changed["detail"] == {"old_due": "2024-03-29", "due": "2024-04-26",
                                 "reason": "Sở Nội vụ lùi thời hạn tổng hợp", "confirmed": False}
    assert changed["actor_user_id"] == office.users[MONITOR]


def test_a_date_change_needs_a_reason_a_new_date_and_the_monitor(office):
    with office_clock(ISSUED) as clock:
        _, report = task_at_report(office, clock)
        task_id = report.plan_task_id
        with pytest.raises(InvalidInput) as missing:
            task_dates.change_task_due(office.uow(), task_id, office.users[MONITOR], "2024-03-29", " ", clock=clock)
        assert set(missing.value.errors) == {"due", "reason"}
        with pytest.raises(NotAllowed):
            task_dates.change_task_due(office.uow(), task_id, office.users["truong.kstthc"], "2024-04-30", "Lý do",
                                       clock=clock)
    assert audit_rows(office, task_id, "due_changed") == []


@pytest.mark.parametrize("day", ["2024-01-10", "2027-03-31"], ids=["in the past", "far from the plan's year"])
def test_an_unusual_date_is_taken_only_once_confirmed(office, day):
    with office_clock(ISSUED) as clock:
        plan_id, report = task_at_report(office, clock)
        with pytest.raises(InvalidInput) as asked:
            task_dates.change_task_due(office.uow(), report.plan_task_id, office.users[MONITOR], day, "Theo chỉ đạo",
                                       clock=clock)
        assert set(asked.value.errors) == {"confirm"}
        task_dates.change_task_due(office.uow(), report.plan_task_id, office.users[MONITOR], day, "Theo chỉ đạo",
                                   confirmed=True, clock=clock)
        [item] = ready(office, plan_id, "report")
        assert item.due_on == date.fromisoformat(day)
    [changed] = audit_rows(office, report.plan_task_id, "due_changed")
    assert changed["detail"]["confirmed"] is True


def test_a_date_moved_into_the_past_fires_the_rungs_already_due_at_once(office):
    with office_clock(ISSUED) as clock:
        _, report = task_at_report(office, clock)
        clock.on(date(2024, 3, 20))
        task_dates.change_task_due(office.uow(), report.plan_task_id, office.users[MONITOR], "2024-03-01",
                                   "Hạn đúng theo văn bản gốc", confirmed=True, clock=clock)
        rungs = {r["rung"] for r in notice_rows(office) if r["due"] == date(2024, 3, 1)}
        assert rungs >= {"holder", "unit_head"}
        assert sweep_at(office, clock, date(2024, 3, 20), hour=15).notices == 0  # told once


def test_a_date_change_s_reason_is_cleaned_and_held_to_the_text_limit(office):
    """The reason is text coming in (`engine/incoming_text.py`) and stored: a pasted Word
    line break is a line break, an escape goes; past 10,000 characters it is refused."""
    with office_clock(ISSUED) as clock:
        _, report = task_at_report(office, clock)
        task_id = report.plan_task_id
        with pytest.raises(InvalidInput) as too_long:
            task_dates.change_task_due(office.uow(), task_id, office.users[MONITOR], "2024-04-26", "x" * 10_001,
                                       clock=clock)
        assert set(too_long.value.errors) == {"reason"}
        task_dates.change_task_due(office.uow(), task_id, office.users[MONITOR], "2024-04-26",
                                   " Công văn số 12\x0bcủa Sở Nội vụ\x1b ", clock=clock)
    [changed] = audit_rows(office, task_id, "due_changed")
    assert changed["detail"]["reason"] == "Công văn số 12\ncủa Sở Nội vụ"
