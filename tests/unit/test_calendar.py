from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from engine.deadlines.working_days import OfficeDay, WorkingCalendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- Tết 2024 (Thu 8 – Wed 14 Feb off) ---------------------------------------


def test_tet_2024_days_are_off(cal: WorkingCalendar) -> None:
    for day in range(8, 15):
        assert not cal.is_working_day(date(2024, 2, day)), day
    assert cal.is_working_day(date(2024, 2, 7))
    assert cal.is_working_day(date(2024, 2, 15))


def test_tet_names_are_vietnamese(cal: WorkingCalendar) -> None:
    assert cal.holiday_name(date(2024, 2, 10)) == "Tết Nguyên Đán"
    assert cal.holiday_name(date(2024, 2, 9)) == "Giao thừa Tết Nguyên Đán"
    assert cal.holiday_name(date(2024, 2, 7)) is None
    assert cal.holiday_name(date(2024, 2, 3)) is None  # a plain Saturday has no name


def test_adding_working_days_across_tet(cal: WorkingCalendar) -> None:
    # Wed 7 Feb + 1 skips the whole of Tết and lands on Thu 15 Feb.
    assert cal.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)
    # Mon 5 Feb + 5: 6, 7, 15, 16, 19 (17–18 is a weekend).
    assert cal.add_working_days(date(2024, 2, 5), 5) == date(2024, 2, 19)


def test_negative_offsets_across_tet(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 15), -1) == date(2024, 2, 7)
    assert cal.add_working_days(date(2024, 2, 19), -5) == date(2024, 2, 5)
    # From inside Tết, one working day back is the last day before it.
    assert cal.add_working_days(date(2024, 2, 12), -1) == date(2024, 2, 7)


def test_zero_offset(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 7), 0) == date(2024, 2, 7)
    assert cal.add_working_days(date(2024, 2, 10), 0) == date(2024, 2, 15)


def test_one_is_the_next_working_day_even_from_a_day_off(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 10), 1) == date(2024, 2, 15)
    assert cal.add_working_days(date(2024, 2, 3), 1) == date(2024, 2, 5)


# --- 30/4 – 1/5 2024, with Saturday 4/5 worked in exchange for Monday 29/4 ---


def test_reunification_and_labour_day_2024(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2024, 4, 29))  # substituted
    assert not cal.is_working_day(date(2024, 4, 30))
    assert not cal.is_working_day(date(2024, 5, 1))
    assert cal.is_working_day(date(2024, 5, 2))
    assert cal.holiday_name(date(2024, 4, 30)) == "Ngày Chiến thắng"
    assert cal.holiday_name(date(2024, 5, 1)) == "Ngày Quốc tế Lao động"
    assert "04/05/2024" in (cal.holiday_name(date(2024, 4, 29)) or "")


def test_make_up_saturday_2024_05_04_is_worked(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2024, 5, 4))
    assert cal.holiday_name(date(2024, 5, 4)) is None
    # Thu 2, Fri 3, Sat 4 (make-up), Mon 6.
    assert cal.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)
    assert cal.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    assert cal.add_working_days(date(2024, 5, 6), -1) == date(2024, 5, 4)


def test_make_up_saturday_declared_in_the_next_years_data(cal: WorkingCalendar) -> None:
    # holidays lists 2014-12-27 under 2015: querying 2014 alone must still see it.
    assert WorkingCalendar().is_working_day(date(2014, 12, 27))


# --- working_days_between -------------------------------------------------------


def test_working_days_between_days_late_after_a_weekend(cal: WorkingCalendar) -> None:
    friday, monday = date(2024, 3, 1), date(2024, 3, 4)
    assert cal.working_days_between(friday, monday) == 1  # due Friday, Monday: 1 late
    assert cal.working_days_between(monday, friday) == -1  # antisymmetric
    assert cal.working_days_between(friday, friday) == 0


def test_working_days_between_across_a_holiday(cal: WorkingCalendar) -> None:
    # Due Fri 26/4; on Thu 2/5 it is 1 working day late (29/4–1/5 are off).
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 2)) == 1
    # Due Mon 6/5; on Fri 26/4 there are 4 working days left: 2, 3, 4 (Sat), 6.
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 6)) == 4
    # Across Tết.
    assert cal.working_days_between(date(2024, 2, 7), date(2024, 2, 15)) == 1


def test_due_on_a_day_off(cal: WorkingCalendar) -> None:
    # Quarter end Sun 31/3/2024: Monday 1/4 is 1 late; Saturday 30/3 has 0 left.
    due = date(2024, 3, 31)
    assert cal.working_days_between(due, date(2024, 4, 1)) == 1
    assert cal.working_days_between(date(2024, 3, 30), due) == 0


def test_between_inverts_add_on_working_days(cal: WorkingCalendar) -> None:
    start = date(2023, 12, 1)
    for offset in range(0, 200, 3):
        a = start + timedelta(days=offset)
        if not cal.is_working_day(a):
            continue
        for n in (-25, -7, -1, 0, 1, 7, 25):
            assert cal.working_days_between(a, cal.add_working_days(a, n)) == n, (a, n)


# --- office days ----------------------------------------------------------------


def test_office_day_off() -> None:
    cal = WorkingCalendar([OfficeDay(date(2024, 3, 8), "off", "Nghỉ 8/3 của cơ quan")])
    assert not cal.is_working_day(date(2024, 3, 8))
    assert cal.holiday_name(date(2024, 3, 8)) == "Nghỉ 8/3 của cơ quan"
    assert cal.add_working_days(date(2024, 3, 7), 1) == date(2024, 3, 11)
    assert cal.working_days_between(date(2024, 3, 7), date(2024, 3, 11)) == 1


def test_office_day_off_on_a_holiday_keeps_both_names() -> None:
    cal = WorkingCalendar([OfficeDay(date(2024, 4, 30), "off", "Nghỉ cơ quan")])
    assert cal.holiday_name(date(2024, 4, 30)) == "Ngày Chiến thắng; Nghỉ cơ quan"


def test_office_working_saturday() -> None:
    saturday = date(2024, 3, 16)
    cal = WorkingCalendar([OfficeDay(saturday, "workday", "Làm bù")])
    assert cal.is_working_day(saturday)
    assert cal.holiday_name(saturday) is None
    assert cal.add_working_days(date(2024, 3, 15), 1) == saturday
    assert cal.add_working_days(date(2024, 3, 18), -1) == saturday
    assert cal.working_days_between(date(2024, 3, 15), date(2024, 3, 18)) == 2
    # Other calendars are not affected.
    assert not WorkingCalendar().is_working_day(saturday)


def test_office_days_override_national_rules() -> None:
    cal = WorkingCalendar(
        [
            OfficeDay(date(2024, 5, 4), "off", "Cơ quan không làm bù"),
            OfficeDay(date(2024, 9, 3), "workday", "Trực"),
        ]
    )
    assert not cal.is_working_day(date(2024, 5, 4))
    assert cal.is_working_day(date(2024, 9, 3))
    assert cal.holiday_name(date(2024, 9, 3)) is None


def test_office_day_validation() -> None:
    with pytest.raises(ValueError):
        OfficeDay(date(2024, 1, 1), "holiday", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WorkingCalendar(
            [OfficeDay(date(2024, 3, 8), "off"), OfficeDay(date(2024, 3, 8), "workday")]
        )


# --- years on demand, inputs ------------------------------------------------------


def test_any_year_on_demand() -> None:
    cal = WorkingCalendar()
    # Tết 2031 falls on Thu 23 Jan; New Year 2031 is a Wednesday.
    assert cal.holiday_name(date(2031, 1, 23)) == "Tết Nguyên Đán"
    assert not cal.is_working_day(date(2031, 1, 1))
    # Crossing a year boundary: Tue 31/12/2030 + 1 skips 1/1/2031.
    assert cal.add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert cal.working_days_between(date(2023, 1, 1), date(2025, 1, 1)) > 480


def test_datetime_inputs_are_treated_as_dates(cal: WorkingCalendar) -> None:
    result = cal.add_working_days(datetime(2024, 2, 7, 16, 30), 1)
    assert result == date(2024, 2, 15) and type(result) is date


def test_concurrent_first_use_of_a_year() -> None:
    cal = WorkingCalendar()
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def probe() -> None:
        barrier.wait()
        results.append(cal.is_working_day(date(2040, 5, 1)))

    threads = [threading.Thread(target=probe) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 8


# --- years built on demand: only those asked for, the same answers in any order -----


def _walked(cal: WorkingCalendar, a: date, b: date) -> int:
    """working_days_between by walking each day: the definition, not the tables."""
    if b < a:
        return -_walked(cal, b, a)
    return sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


_PAIRS = [
    (date(2023, 12, 29), date(2024, 1, 2)),  # New Year 2024 off: Tue 2 Jan only
    (date(2024, 12, 31), date(2025, 1, 2)),
    (date(2024, 2, 7), date(2024, 2, 15)),  # across Tết
    (date(2024, 4, 26), date(2024, 5, 6)),  # 30/4, 1/5 and the make-up Saturday
    (date(2019, 1, 4), date(2018, 12, 28)),  # backwards, over a make-up Saturday of the next year's data
    (date(1998, 6, 30), date(2003, 3, 3)),  # before and across 2000
    (date(2024, 1, 16), date(2061, 9, 1)),  # far ahead
    (date(2024, 3, 1), date(2024, 3, 1)),
]


def test_between_equals_the_walk_across_year_ends_holidays_and_far_dates() -> None:
    for a, b in _PAIRS:
        cal = WorkingCalendar()
        assert cal.working_days_between(a, b) == _walked(WorkingCalendar(), a, b), (a, b)
    assert WorkingCalendar().working_days_between(date(2023, 12, 29), date(2024, 1, 2)) == 1


def test_a_fresh_calendar_gives_the_same_answers_in_any_order() -> None:
    first, restarted = WorkingCalendar(), WorkingCalendar()
    asked = [first.working_days_between(a, b) for a, b in _PAIRS]
    assert [restarted.working_days_between(a, b) for a, b in reversed(_PAIRS)] == asked[::-1]
    assert [first.add_working_days(a, 10) for a, _ in _PAIRS] == [
        WorkingCalendar().add_working_days(a, 10) for a, _ in _PAIRS]


def test_first_use_builds_only_the_years_asked_for() -> None:
    cal = WorkingCalendar()
    cal.working_days_between(date(2024, 1, 16), date(2024, 3, 1))
    assert set(cal._tables) == {2024}
    cal.working_days_between(date(2024, 11, 1), date(2026, 2, 2))
    assert set(cal._tables) == {2024, 2025, 2026}
