"""The office calendar through the service layer: days the office adds move working-day
arithmetic as the engine sees it (`instances.calendar(uow)`); bad days and people
without the right role are refused."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines import office_days
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.process import instances
from tests.support.office import clock_on

FRI, SAT, MON, TUE = date(2024, 3, 22), date(2024, 3, 23), date(2024, 3, 25), date(2024, 3, 26)
MONITOR, LEADER, STAFF = "theodoi", "chanhvp", "cv.kstthc"


def next_working_day(office, d: date) -> date:
    with office.uow() as uow:
        return instances.calendar(uow).add_working_days(d, 1)


def add(office, username: str, day, kind: str, name: str = "Ngày thành lập cơ quan") -> int:
    return office_days.add_day(office.uow(), office.users[username], day, kind, name, clock=clock_on(FRI))


def test_a_day_off_moves_the_next_working_day_and_removing_it_moves_it_back(office):
    assert next_working_day(office, FRI) == MON
    day_id = add(office, MONITOR, MON, "off")
    assert next_working_day(office, FRI) == TUE

    office_days.remove_day(office.uow(), office.users[LEADER], day_id)
    assert next_working_day(office, FRI) == MON


def test_a_make_up_saturday_counts_as_a_working_day(office):
    add(office, LEADER, "23/03/2024", "workday", "Làm bù cho ngày 29/04")
    assert next_working_day(office, FRI) == SAT
    with office.uow() as uow:
        assert instances.calendar(uow).working_days_between(FRI, MON) == 2


def test_the_year_lists_national_holidays_in_vietnamese_and_the_office_days_with_their_author(office):
    add(office, MONITOR, MON, "off")
    days = office_days.list_days(office.uow(), 2024)
    national = {d.day: d.name for d in days if d.source == "national" and d.kind == "off"}
    assert national[date(2024, 2, 10)] == "Tết Nguyên Đán" and national[date(2024, 4, 30)] == "Ngày Chiến thắng"
    assert any(d.day == date(2024, 5, 4) and d.kind == "workday" for d in days if d.source == "national")
    [mine] = [d for d in days if d.source == "office"]
    assert (mine.day, mine.kind, mine.created_by) == (MON, "off", "Đỗ Thị Lan")
    assert mine.created_at is not None and mine.id is not None
    assert all(d.day.year == 2024 for d in days)
    assert [d.day for d in days] == sorted(d.day for d in days)


@pytest.mark.parametrize(("day", "kind", "name", "field"), [
    ("2024-03-27", "workday", "Làm bù", "day"),       # a Wednesday is already a working day
    ("2024-05-04", "workday", "Làm bù", "day"),       # the national make-up Saturday already is
    ("2024-03-24", "off", "Nghỉ", "day"),             # a Sunday is already off
    ("2024-04-30", "off", "Nghỉ", "day"),             # a public holiday is already off
    ("2024-03-27", "holiday", "Nghỉ", "kind"),
    ("27-03-2024x", "off", "Nghỉ", "day"),
    ("2024-03-27", "off", "   ", "name"),
    ("1999-03-26", "off", "Nghỉ", "day"),
])
def test_invalid_days_are_refused(office, day, kind, name, field):
    with pytest.raises(InvalidInput) as refused:
        add(office, MONITOR, day, kind, name)
    assert field in refused.value.errors
    assert all(d.source == "national" for d in office_days.list_days(office.uow(), 2024))


def test_a_date_given_twice_is_refused(office):
    add(office, MONITOR, MON, "off")
    with pytest.raises(InvalidInput) as refused:
        add(office, LEADER, MON, "off", "Lần nữa")
    assert "day" in refused.value.errors


def test_staff_may_neither_add_nor_remove(office):
    with pytest.raises(NotAllowed):
        add(office, STAFF, MON, "off")
    day_id = add(office, MONITOR, MON, "off")
    with pytest.raises(NotAllowed):
        office_days.remove_day(office.uow(), office.users[STAFF], day_id)
    assert next_working_day(office, FRI) == TUE


def test_removing_a_day_that_is_gone_is_not_found(office):
    with pytest.raises(NotFound):
        office_days.remove_day(office.uow(), office.users[MONITOR], 999)


def test_a_day_s_name_is_cleaned_as_text_coming_in(office):
    add(office, MONITOR, MON, "off", "Ngày thành lập\x1b cơ quan\x0b")
    [mine] = [d for d in office_days.list_days(office.uow(), 2024) if d.source == "office"]
    assert mine.name == "Ngày thành lập cơ quan"
    with pytest.raises(InvalidInput) as refused:
        add(office, MONITOR, TUE, "off", "\x1b\x07")
    assert set(refused.value.errors) == {"name"}
