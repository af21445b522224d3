"""The reminder / escalation ladder on `report` and `revise`, `assign` and `coordinate`, driven by a frozen clock.

due 2024-03-29 is a Friday; with a weekday calendar the rungs fall at
3 working days before: Tue 2024-03-26, 1 after: Mon 2024-04-01, 5 after: Fri 2024-04-05,
each at 08:00 in Vietnam (01:00 UTC).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.clock import FixedClock
from engine.workflow import WorkflowRuntime, parse_process
from tests.support.workflow import only_step, task_data, walk_to_report, weekday_add_working_days

HOLDER_AT = datetime(2024, 3, 26, 1, 0, tzinfo=timezone.utc)
UNIT_HEAD_AT = datetime(2024, 4, 1, 1, 0, tzinfo=timezone.utc)
DIRECTOR_AT = datetime(2024, 4, 5, 1, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)


def fire_at(runtime, wf, clock, at):
    clock.at = at
    return runtime.fire_due_timers(wf)


def test_the_ladder_fires_each_rung_once_at_its_time(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec)
    assert runtime.next_timer_at(wf) == HOLDER_AT

    assert fire_at(runtime, wf, clock, HOLDER_AT - MINUTE) == []
    [holder] = fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)
    assert (holder.rung, holder.step_id, holder.step_task_id, holder.timer_id, holder.due) == (
        "holder", "report", report.task_id, "report_remind", "2024-03-29")
    assert fire_at(runtime, wf, clock, HOLDER_AT + 2 * MINUTE) == []
    assert runtime.next_timer_at(wf) == UNIT_HEAD_AT

    assert [n.rung for n in fire_at(runtime, wf, clock, UNIT_HEAD_AT + MINUTE)] == ["unit_head"]
    assert runtime.next_timer_at(wf) == DIRECTOR_AT
    assert [n.rung for n in fire_at(runtime, wf, clock, DIRECTOR_AT + MINUTE)] == ["director"]
    assert fire_at(runtime, wf, clock, DIRECTOR_AT + timedelta(days=30)) == []
    assert runtime.next_timer_at(wf) is None

    # the step is still the holder's to do: non-interrupting timers leave it ready
    assert only_step(runtime, wf, "report").task_id == report.task_id


def test_a_late_sweep_fires_every_past_rung_at_once(runtime, spec, clock):
    wf, _ = walk_to_report(runtime, spec)
    notices = fire_at(runtime, wf, clock, DIRECTOR_AT + timedelta(days=1))
    assert sorted(n.rung for n in notices) == ["director", "holder", "unit_head"]
    assert runtime.next_timer_at(wf) is None


def test_a_timer_fires_at_its_very_time_on_the_runtime_clock_in_any_runtime(spec, clock):
    # Two runtimes, two clocks, one process: each workflow reads only its own clock.
    fired = []
    for at in (HOLDER_AT - MINUTE, HOLDER_AT):
        own = FixedClock(clock.at)
        runtime = WorkflowRuntime(weekday_add_working_days, own)
        wf, _ = walk_to_report(runtime, spec)
        own.at = at
        fired.append([n.rung for n in runtime.fire_due_timers(wf)])
    assert fired == [[], ["holder"]]


def test_notices_survive_a_save_and_load_between_rungs(runtime, spec, clock):
    wf, _ = walk_to_report(runtime, spec)
    fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)
    wf = runtime.loads(spec, runtime.dumps(wf))
    assert runtime.next_timer_at(wf) == UNIT_HEAD_AT
    assert [n.rung for n in fire_at(runtime, wf, clock, UNIT_HEAD_AT + MINUTE)] == ["unit_head"]


def test_editing_the_timer_expression_in_the_bpmn_changes_when_it_fires(runtime, bpmn_text, clock):
    edited = bpmn_text.replace("working_days_before(period_due, 3)", "working_days_before(period_due, 5)")
    assert edited != bpmn_text
    wf, _ = walk_to_report(runtime, parse_process(edited))
    five_before = datetime(2024, 3, 22, 1, 0, tzinfo=timezone.utc)  # Friday before
    assert runtime.next_timer_at(wf) == five_before
    assert [n.rung for n in fire_at(runtime, wf, clock, five_before + MINUTE)] == ["holder"]


def test_reset_timers_after_the_deadline_moved(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec)
    assert runtime.set_due(wf, report.task_id, "2024-04-12") == []  # an extension to a Friday
    assert runtime.next_timer_at(wf) == datetime(2024, 4, 9, 1, 0, tzinfo=timezone.utc)
    assert fire_at(runtime, wf, clock, HOLDER_AT + MINUTE) == []  # nothing at the old date
    [holder] = fire_at(runtime, wf, clock, datetime(2024, 4, 9, 1, 1, tzinfo=timezone.utc))
    assert holder.due == "2024-04-12"
    assert only_step(runtime, wf, "report").due == "2024-04-12"


def test_a_step_without_a_deadline_never_fires_until_one_is_set(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec, due=None)
    assert report.due is None
    assert runtime.next_timer_at(wf) is None
    assert fire_at(runtime, wf, clock, datetime(2030, 1, 1, tzinfo=timezone.utc)) == []

    clock.at = datetime(2024, 3, 1, tzinfo=timezone.utc)
    runtime.reset_timers(wf, report.task_id, {"period_due": "2024-03-29", "due": "2024-03-29"})
    assert runtime.next_timer_at(wf) == HOLDER_AT


def test_a_return_arms_the_ladder_of_the_revise_step(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec)
    fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)
    runtime.complete(wf, report.task_id, {"result": "r", "product": 1})
    assert runtime.next_timer_at(wf) is None  # review carries no ladder
    review = only_step(runtime, wf, "review")
    notices = runtime.complete(wf, review.task_id, {"decision": "return", "comment": "thiếu"})
    again = only_step(runtime, wf, "revise")
    # already past the reminder: the re-armed holder rung fires at once, for the new step
    assert [(n.rung, n.step_task_id) for n in notices] == [("holder", again.task_id)]
    assert runtime.next_timer_at(wf) == UNIT_HEAD_AT


def test_each_period_report_has_its_own_ladder(runtime, spec, clock):
    wf, first = walk_to_report(runtime, spec, periods=["2024-03-29", "2024-06-28"], due="2024-06-28")
    assert runtime.next_timer_at(wf) == HOLDER_AT
    [holder] = fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)
    assert (holder.step_task_id, holder.due) == (first.task_id, "2024-03-29")
    runtime.complete(wf, first.task_id, {"result": "q1"})
    second = only_step(runtime, wf, "report")
    assert second.due == "2024-06-28"
    assert runtime.next_timer_at(wf) == datetime(2024, 6, 25, 1, 0, tzinfo=timezone.utc)


def test_a_bare_add_working_days_callable_or_a_functions_dict_both_configure_the_runtime(spec, clock):
    from engine.workflow import deadline_functions

    for runtime in (WorkflowRuntime(weekday_add_working_days, clock),
                    WorkflowRuntime(deadline_functions(weekday_add_working_days), clock)):
        wf, _ = walk_to_report(runtime, spec)
        assert runtime.next_timer_at(wf) == HOLDER_AT


def test_update_data_sets_the_deadline_of_an_unresolved_task_while_coordinating(runtime, spec, clock):
    from tests.support.workflow import task_data

    wf = runtime.start(spec, task_data(due=None))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    runtime.update_data(wf, {"due": "2024-03-29", "periods": ["2024-03-29"], "first_due": "2024-03-29"})
    for step in runtime.ready_steps(wf):
        assert step.due == "2024-03-29"
        runtime.complete(wf, step.task_id, {"contribution": "ok"})
    assert only_step(runtime, wf, "report").due == "2024-03-29"
    assert runtime.next_timer_at(wf) == HOLDER_AT


def test_a_timer_on_the_multi_instance_coordinate_fires_once_and_speaks_for_each_open_instance(runtime, spec, clock):
    # Spiff arms one timer per rung for the whole activity, not one per instance.
    wf = runtime.start(spec, task_data(coordinators=[2, 3, 5]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    by_unit = {s.data["coordinator"]: s for s in runtime.ready_steps(wf)}
    runtime.complete(wf, by_unit[2].task_id, {"contribution": "xong"})
    runtime.set_due(wf, by_unit[5].task_id, "2024-04-12")  # an extension for unit 5 alone

    assert runtime.next_timer_at(wf) == HOLDER_AT
    notices = fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)
    assert [(n.rung, n.step_id, n.step_task_id, n.due) for n in notices] == [
        ("holder", "coordinate", by_unit[3].task_id, "2024-03-29")]  # not unit 2 (done), not unit 5 (extended)
    assert fire_at(runtime, wf, clock, HOLDER_AT + 2 * MINUTE) == []
    assert [(n.rung, n.step_task_id) for n in fire_at(runtime, wf, clock, UNIT_HEAD_AT + MINUTE)] == [
        ("unit_head", by_unit[3].task_id)]

    runtime.complete(wf, by_unit[3].task_id, {"contribution": "muộn"})
    runtime.complete(wf, by_unit[5].task_id, {"contribution": "gia hạn"})
    assert only_step(runtime, wf, "report").data["contributions"] == ["xong", "muộn", "gia hạn"]


def test_an_unassigned_task_reminds_its_holder_then_escalates_to_the_director(runtime, spec, clock):
    wf = runtime.start(spec, task_data())
    assign = only_step(runtime, wf, "assign")
    assert [(n.rung, n.step_task_id) for n in fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)] == [
        ("holder", assign.task_id)]
    assert runtime.next_timer_at(wf) == UNIT_HEAD_AT  # 1 working day after: straight to the director
    assert [n.rung for n in fire_at(runtime, wf, clock, UNIT_HEAD_AT + MINUTE)] == ["director"]
    assert runtime.next_timer_at(wf) is None


def test_a_coordinate_rung_of_a_task_with_several_reports_speaks_for_each_open_unit(runtime, spec, clock):
    # coordinate is due by the first report (first_due), not the task's last date (due).
    wf = runtime.start(spec, task_data(coordinators=[2, 3], periods=["2024-03-29", "2024-06-28"], due="2024-06-28"))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    by_unit = {s.data["coordinator"]: s.task_id for s in runtime.ready_steps(wf)}

    notices = fire_at(runtime, wf, clock, HOLDER_AT + MINUTE)

    assert sorted((n.rung, n.step_task_id, n.due) for n in notices) == sorted(
        ("holder", by_unit[unit], "2024-03-29") for unit in (2, 3))
