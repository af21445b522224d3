"""The office's own calendar (engine/deadlines/office_days.py): who changes it, what it
refuses, and that the working-day arithmetic follows it."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines import office_days
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.process import instances


def working_day_after(office, day: date) -> date:
    with office.uow() as uow:
        return instances.calendar(uow).add_working_days(day, 1)


@pytest.mark.parametrize("username", ["truong.kstthc", "cv.kstthc", "thietke"])
def test_only_the_leadership_and_the_monitor_change_the_calendar(office, clock, username):
    with pytest.raises(NotAllowed):
        office_days.add_day(office.uow(), office.users[username], "2024-03-08", "off", "Ngày 8/3", clock=clock)
    day_id = office_days.add_day(office.uow(), office.users["theodoi"], "2024-03-08", "off", "Ngày 8/3", clock=clock)
    with pytest.raises(NotAllowed):
        office_days.remove_day(office.uow(), office.users[username], day_id, clock=clock)
    office_days.remove_day(office.uow(), office.users["chanhvp"], day_id, clock=clock)
    with pytest.raises(NotFound):
        office_days.remove_day(office.uow(), office.users["chanhvp"], day_id, clock=clock)


def test_a_declared_day_off_is_skipped_and_a_make_up_saturday_counted_until_removed(office, clock):
    leader = office.users["chanhvp"]
    assert working_day_after(office, date(2024, 3, 7)) == date(2024, 3, 8)
    day_off = office_days.add_day(office.uow(), leader, "08/03/2024", "off", "Ngày 8/3", clock=clock)
    office_days.add_day(office.uow(), leader, "2024-03-09", "workday", "Làm bù", clock=clock)
    assert working_day_after(office, date(2024, 3, 7)) == date(2024, 3, 9)
    [listed] = [d for d in office_days.list_days(office.uow(), 2024) if d.source == "office" and d.kind == "off"]
    assert (listed.id, listed.day, listed.name, listed.created_by) == (day_off, date(2024, 3, 8), "Ngày 8/3",
                                                                       "Nguyễn Văn An")
    office_days.remove_day(office.uow(), leader, day_off, clock=clock)
    assert working_day_after(office, date(2024, 3, 7)) == date(2024, 3, 8)
    assert working_day_after(office, date(2024, 3, 8)) == date(2024, 3, 9)  # the Saturday still works


@pytest.mark.parametrize("day, kind, name, field", [
    ("2024-03-08", "off", "", "name"),
    ("31/02/2024", "off", "Lý do", "day"),
    ("2024-03-08", "holiday", "Lý do", "kind"),
    ("2024-03-09", "off", "Lý do", "day"),  # a Saturday is off already
    ("2024-03-08", "workday", "Lý do", "day"),  # a Friday works already
])
def test_a_day_that_would_change_nothing_or_is_malformed_is_refused(office, clock, day, kind, name, field):
    with pytest.raises(InvalidInput) as refused:
        office_days.add_day(office.uow(), office.users["chanhvp"], day, kind, name, clock=clock)
    assert set(refused.value.errors) == {field}


def test_a_name_past_its_column_and_a_bad_date_are_refused_together_each_with_its_message(office, clock):
    with pytest.raises(InvalidInput) as refused:
        office_days.add_day(office.uow(), office.users["chanhvp"], "31/02/2024", "off", "Ngày " + "x" * 251, clock=clock)
    assert refused.value.errors == {"day": "Give the date as dd/mm/yyyy or yyyy-mm-dd.",
                                    "name": "Keep the name under 255 characters."}
    # The name is measured as stored: cleaned and stripped, so 255 characters with spaces around pass.
    office_days.add_day(office.uow(), office.users["chanhvp"], "2024-03-08", "off", f" {'x' * 255}\x00 ", clock=clock)


def test_a_date_is_declared_once(office, clock):
    office_days.add_day(office.uow(), office.users["chanhvp"], "2024-03-08", "off", "Ngày 8/3", clock=clock)
    with pytest.raises(InvalidInput) as refused:
        office_days.add_day(office.uow(), office.users["theodoi"], "2024-03-08", "off", "Lần hai", clock=clock)
    assert set(refused.value.errors) == {"day"}
