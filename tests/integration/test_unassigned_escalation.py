"""The ladder before the report: a task never assigned, coordinating units that never
contribute. Through the service layer, a frozen clock and the sweep.

Due 2024-03-29 is a Friday: 3 working days before is Tue 2024-03-26, 1 after is
Mon 2024-04-01 (08:00 in Vietnam).
"""
from __future__ import annotations

from datetime import date

from adapters.demo.directory import MONITOR_UNIT
from engine import model
from engine.tasks import intake, steps
from tests.support.deadlines import assign, notice_rows, office_clock, ready, sweep_at
from tests.support.office import CBTH, KSTTHC, TTPV

ISSUED = date(2024, 1, 15)
DUE = date(2024, 3, 29)


def recipients(office, **where) -> list[tuple[str, str]]:
    names = {uid: name for name, uid in office.users.items()}
    return [(r["rung"], names[r["recipient_user_id"]]) for r in notice_rows(office, **where)]


def test_an_unassigned_task_reminds_the_lead_head_then_tells_the_director_once_each(office):
    with office_clock(ISSUED) as clock:
        office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE.isoformat(), "director": "chanhvp"}], issued=ISSUED)
        assert sweep_at(office, clock, date(2024, 3, 25)).notices == 0
        assert sweep_at(office, clock, date(2024, 3, 26)).notices == 1
        assert sweep_at(office, clock, date(2024, 3, 26), hour=15).notices == 0
        assert recipients(office) == [("holder", "truong.kstthc")]
        assert sweep_at(office, clock, date(2024, 4, 1)).notices == 1
        for day in (date(2024, 4, 5), date(2024, 4, 30)):  # the report's rungs are not armed: nothing more
            assert sweep_at(office, clock, day).notices == 0

    # the holder of assign is the lead head: no separate unit_head rung tells them twice
    assert recipients(office, step_id="assign") == [("holder", "truong.kstthc"), ("director", "chanhvp")]
    assert [r["due"] for r in notice_rows(office)] == [DUE, DUE]


def test_assigning_the_task_stops_the_assign_ladder(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": DUE.isoformat(), "director": "chanhvp"}],
                              issued=ISSUED)
        sweep_at(office, clock, date(2024, 3, 26))
        assign(office, plan_id, clock.on(date(2024, 3, 27)))
        sweep_at(office, clock, date(2024, 4, 30))
        assert ready(office, plan_id, "report")

    assert recipients(office, step_id="assign") == [("holder", "truong.kstthc")]  # never the director
    assert {r["step_id"] for r in notice_rows(office, rung="director")} == {"report"}  # the report's own ladder


def test_coordinating_units_that_have_not_contributed_are_reminded_and_the_lead_head_told(office):
    with office_clock(ISSUED) as clock:
        plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "coordinators": [TTPV, CBTH],
                                "due": DUE.isoformat(), "director": "chanhvp"}], issued=ISSUED)
        assign(office, plan_id, clock.on(date(2024, 1, 16)))
        ttpv, cbth = ready(office, plan_id, "contribute")
        assert (ttpv.candidate_unit_id, cbth.candidate_unit_id) == (office.units[TTPV], office.units[CBTH])
        steps.complete_step(office.uow(), ttpv.id, office.users["giamdoc.ttpv"], {"contribution": "Đã góp ý"},
                            clock=clock.on(date(2024, 3, 20)))

        assert sweep_at(office, clock, date(2024, 3, 25)).notices == 0
        assert sweep_at(office, clock, date(2024, 3, 26)).notices == 1
        assert recipients(office) == [("holder", "giamdoc.cbth")]  # not giamdoc.ttpv: that unit contributed
        assert notice_rows(office)[0]["step_task_id"] == cbth.task_uuid

        assert sweep_at(office, clock, date(2024, 4, 1)).notices == 1
        assert sweep_at(office, clock, date(2024, 4, 1), hour=15).notices == 0
        assert recipients(office, rung="unit_head") == [("unit_head", "truong.kstthc")]

        steps.complete_step(office.uow(), cbth.id, office.users["giamdoc.cbth"], {"contribution": "Muộn"},
                            clock=clock.on(date(2024, 4, 2)))
        assert ready(office, plan_id, "report")
        sweep_at(office, clock, date(2024, 4, 30))

    assert recipients(office, step_id="coordinate") == [("holder", "giamdoc.cbth"), ("unit_head", "truong.kstthc")]


def test_an_ongoing_task_left_unassigned_is_flagged_by_its_first_report_not_at_year_end(office):
    """A quarterly task's assign step is due with the first quarter's report (31/03)."""
    plan = model.Plan(title="Kế hoạch thử nghiệm", year=2024, number="1/KH-TEST", issued_on=ISSUED,
                      monitor_unit_id=office.units[MONITOR_UNIT])
    task = model.PlanTask.with_units(ref="1", title="Nhiệm vụ thường xuyên", lead=[office.units[KSTTHC]],
                                     schedule={"kind": "ongoing", "due": ["2024-03-31"], "every": None,
                                               "until": "2024-12-31"})
    with office_clock(ISSUED) as clock:
        plan_id = intake.create_plan(office.uow(), plan, [task], clock=clock)
        [item] = ready(office, plan_id)
        assert item.form == "assign" and item.due_on == date(2024, 3, 31)
        with office.uow() as uow:
            assert uow.tasks.for_plan(plan_id)[0].due_on == date(2024, 12, 31)  # the task's own deadline
        assert sweep_at(office, clock, date(2024, 3, 26)).notices == 0
        assert sweep_at(office, clock, date(2024, 3, 27)).notices == 1  # 3 working days before 31/03
    [notice] = notice_rows(office)
    assert (notice["step_id"], notice["rung"]) == ("assign", "holder")
