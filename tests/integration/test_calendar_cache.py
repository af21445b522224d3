"""Each process keeps the working-day calendar it built, and knows it is still the
office's from one number read with the acting person (migration 0018's counter, raised
by a trigger on every change of the office days). On SQLite and PostgreSQL, with two
Storages on one database standing for two workers: a day one worker adds, or a program
writes straight into the table, moves the other's "days left" at its next read; a day
added and rolled back is never kept; and while nothing changes, a read sends no query
of the office days and no second read of its person. (Counted, never timed.)"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import insert

from adapters.storage import Storage, orm
from engine import model
from engine.deadlines import office_days
from engine.process import instances
from engine.tasks import inbox
from tests.support.office import KSTTHC, Office, clock_on
from tests.support.statements import sent_statements

FRI, MON, TUE = date(2024, 3, 22), date(2024, 3, 25), date(2024, 3, 26)
HEAD = "truong.kstthc"


@contextmanager
def another_worker(office: Office) -> Iterator[Office]:
    storage = Storage(office.storage.url)
    try:
        yield Office(storage, office.units, office.users)
    finally:
        storage.engine.dispose()


def next_working_day(office: Office) -> date:
    with office.uow() as uow:
        return instances.calendar(uow).add_working_days(FRI, 1)


def days_left(office: Office) -> list[int | None]:
    return [i.days_left for i in inbox.list_inbox(office.uow(), office.users[HEAD], FRI).items]


def test_a_day_off_added_by_another_worker_moves_the_days_left_at_the_next_read(office_on_each_database):
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-26"}], issued=date(2024, 3, 1))
    with another_worker(office) as other:
        assert days_left(office) == days_left(other) == [2]  # Monday, Tuesday
        office_days.add_day(other.uow(), office.users["theodoi"], MON, "off", "Kỷ niệm", clock=clock_on(FRI))
        assert days_left(office) == [1]
        with other.uow() as uow:
            [day] = uow.office_days.list()
        office_days.remove_day(office.uow(), office.users["chanhvp"], day.id)
        assert days_left(other) == [2]


def test_a_day_written_into_the_table_by_another_program_is_seen(office_on_each_database):
    office = office_on_each_database
    assert next_working_day(office) == MON
    with office.storage.engine.begin() as conn:
        conn.execute(insert(orm.office_days).values(day=MON, kind="off", name="Nghỉ"))
    assert next_working_day(office) == TUE


def test_a_day_added_then_rolled_back_is_not_kept(office_on_each_database):
    office = office_on_each_database
    assert next_working_day(office) == MON
    with office.uow() as uow:
        uow.office_days.add(model.DeclaredDay(day=MON, kind="off", name="Chưa chốt"))
        uow.flush()
        assert instances.calendar(uow).add_working_days(FRI, 1) == TUE  # its own day, not yet committed
        uow.rollback()
    assert next_working_day(office) == MON


def test_an_inbox_reads_its_person_once_and_the_office_days_only_after_they_change(office_on_each_database):
    office = office_on_each_database
    office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2024-03-26"}], issued=date(2024, 3, 1))
    days_left(office)
    with sent_statements(office.storage.engine) as statements:
        days_left(office)
    users = [s for s in statements if "FROM users" in s]
    assert len(users) == 1 and "password_hash" not in users[0], statements
    assert not [s for s in statements if "FROM office_days" in s], statements
    assert len(statements) == 3, statements  # the person (and the days' version), counts with choices, page

    office_days.add_day(office.uow(), office.users["theodoi"], MON, "off", "Kỷ niệm", clock=clock_on(FRI))
    with sent_statements(office.storage.engine) as statements:
        assert days_left(office) == [1]
    assert len([s for s in statements if "FROM office_days" in s]) == 1, statements
