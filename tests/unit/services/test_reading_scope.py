"""Who may read a task (engine/access/task_access.py): the leadership and the plan's
monitors read every task; others read it when their unit leads it, coordinates it or
monitors its plan, or when they direct it or held one of its steps. For anyone else
the task does not exist."""
from __future__ import annotations

from datetime import date

import pytest

from engine.access import task_access
from engine.errors import NotFound
from tests.support.deadlines import DUE, assign
from tests.support.office import KSTTHC, TTPV

READERS = ["chanhvp", "phochanhvp", "theodoi",  # the leadership and the monitor read everything
           "truong.kstthc", "cv.kstthc2",  # the lead unit
           "giamdoc.ttpv", "cv.ttpv",  # the coordinating unit
           "truong.hcqt", "cv.hcqt",  # the unit monitoring the plan
           "giamdoc.stttt"]  # the task's director, of another unit
OUTSIDERS = ["truong.th", "cv.th", "giamdoc.cbth", "thietke"]


@pytest.fixture
def task_id(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV], "due": DUE,
                            "director": "giamdoc.stttt"}])
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
    return task.id


def reads(office, username, task_id):
    with office.uow() as uow:
        try:
            task_access.require_readable(uow, office.users[username], uow.tasks.get(task_id))
        except NotFound:
            return False
        return True


@pytest.mark.parametrize("username", READERS)
def test_the_people_on_a_task_and_the_leadership_read_it(office, task_id, username):
    assert reads(office, username, task_id)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_for_anyone_else_the_task_does_not_exist(office, task_id, username):
    assert not reads(office, username, task_id)


def test_a_person_who_holds_a_step_still_reads_the_task_after_moving_to_another_unit(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE}])
    assign(office, plan_id, clock.on(date(2024, 1, 16)))  # cv.kstthc holds the report step
    with office.uow() as uow:
        [task] = uow.tasks.for_plan(plan_id)
        task_id = task.id
    with office.uow() as uow:
        uow.users.get(office.users["cv.kstthc"]).unit_id = office.units["Phòng Tổng hợp"]
        uow.commit()
    assert reads(office, "cv.kstthc", task_id)
    assert not reads(office, "cv.th", task_id)  # their new colleagues do not


def test_someone_who_left_reads_nothing(office, task_id):
    with office.uow() as uow:
        uow.users.get(office.users["chanhvp"]).active = False
        uow.commit()
    assert not reads(office, "chanhvp", task_id)


def test_a_missing_task_does_not_exist_for_anyone(office):
    with office.uow() as uow, pytest.raises(NotFound):
        task_access.require_readable(uow, office.users["chanhvp"], None)


def test_a_plan_s_list_keeps_the_rows_of_the_tasks_the_reader_may_read(office, clock):
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE},
                           {"ref": "2", "lead": ["Phòng Tổng hợp"], "coordinators": [TTPV], "due": DUE},
                           {"ref": "3", "lead": ["Phòng Tổng hợp"], "due": DUE}])
    with office.uow() as uow:
        plan, tasks = uow.plans.get(plan_id), uow.tasks.for_plan(plan_id)
        rows = [(t.ref, t) for t in tasks]
        assert task_access.readable(uow, office.users["cv.ttpv"], plan, rows) == ["2"]
        assert task_access.readable(uow, office.users["cv.kstthc"], plan, rows) == ["1"]
        assert task_access.readable(uow, office.users["theodoi"], plan, rows) == ["1", "2", "3"]
