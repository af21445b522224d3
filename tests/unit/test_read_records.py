"""The dashboard's and plan page's rows are built without their frozen dataclasses'
__init__ (`engine.records.built`, `built_from`): each is the object __init__ would build from the same
fields (every field set, equal, same repr and hash where it has one) and is still frozen."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from engine.deadlines.working_days import WorkingCalendar
from engine.model import Plan
from engine.reading import plan_pages, progress
from engine.reading.progress import Holder, TaskProgress, UnitRef
from engine.records import built
from engine.tasks.inbox import reckoner

TODAY = date(2024, 3, 11)
ROW = (7, 2, "3", "Nhiệm vụ", "", "Báo cáo", "", 3, "", date(2024, 3, 1), "open", None, "1/KH", "Kế hoạch",
       None)  # (`TASK_ROW`)
STEP = (7, 11, "report", "Báo cáo", date(2024, 3, 20), None, "staff", None, "Phòng KSTTHC")  # (`STEP_ROW`)


def as_init_builds(obj):
    fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    assert set(vars(obj)) == set(fields), "every field set, nothing else"
    again = type(obj)(**fields)
    assert obj == again and repr(obj) == repr(again)
    if not any(isinstance(value, list) for value in fields.values()):  # (a list field makes it unhashable)
        assert hash(obj) == hash(again)
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.id = 0  # type: ignore[misc]
    return obj


def test_rows_are_the_objects_their_init_builds():
    cal = WorkingCalendar()
    holders = progress._holders([STEP])[7]
    [task] = progress._tasks([ROW], {7: {"lead": [UnitRef(3, "Phòng KSTTHC")], "coordinator": []}}, TODAY, cal,
                             {7: holders})
    as_init_builds(task)
    assert task.state == progress.OVERDUE and task.days_late == 6
    assert as_init_builds(holders[0]) == Holder("Báo cáo", None, "Phòng KSTTHC", "staff", date(2024, 3, 20))
    assert isinstance(task, TaskProgress)
    step = as_init_builds(plan_pages._open_step(STEP, reckoner(cal, TODAY)))
    assert step.holder == "staff · Phòng KSTTHC" and step.days_left == 7
    line = as_init_builds(plan_pages.TaskLine.of(ROW))
    as_init_builds(built(plan_pages.TaskRow, task=line, lead=["Phòng KSTTHC"], coordinators=[], steps=[step]))


def test_a_unit_named_on_many_tasks_is_one_unit_ref_per_read():
    kstthc, ttpv = UnitRef(3, "Phòng KSTTHC"), UnitRef(4, "Phòng TTPV")
    rows = [(task_id, unit.id, role, unit.name, 0)  # (`UNIT_ROW`)
            for task_id, unit, role in ((7, kstthc, "lead"), (8, kstthc, "lead"), (8, ttpv, "coordinator"),
                                        (9, ttpv, "lead"), (9, kstthc, "coordinator"))]
    units = progress._units_by_task(rows)
    assert units == {7: {"lead": [kstthc], "coordinator": []}, 8: {"lead": [kstthc], "coordinator": [ttpv]},
                     9: {"lead": [ttpv], "coordinator": [kstthc]}}
    assert units[7]["lead"][0] is units[8]["lead"][0] is units[9]["coordinator"][0]  # built once, shared
    assert units[8]["coordinator"][0] is units[9]["lead"][0]


def test_the_completion_chart_counts_the_months_before_its_first_and_none_after_its_last():
    plan = Plan(title="Kế hoạch", year=2024)
    rows = [{"state": progress.DONE_LATE, "due_month": "2023-11", "closed_month": "2023-12", "n": 2},
            {"state": progress.DONE_ON_TIME, "due_month": "2024-02", "closed_month": "2024-01", "n": 3},
            {"state": progress.OVERDUE, "due_month": "2024-02", "closed_month": None, "n": 4},
            {"state": progress.WAITING, "due_month": None, "closed_month": None, "n": 5},
            {"state": progress.IN_PROGRESS, "due_month": "2024-05", "closed_month": None, "n": 6}]
    chart = progress.completion(rows, plan, date(2024, 3, 11))
    assert [(p.month, p.due, p.on_time, p.late) for p in chart] == [
        ("2024-01", 2, 3, 2), ("2024-02", 9, 3, 2), ("2024-03", 9, 3, 2)]
