"""A sweep's fired timers give the human steps the workflow then waits at from the
engine's last pass (as a start does), not from another walk of the task tree: what
they give is what a walk after them finds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.workflow import walk_to_report

DIRECTOR_AT = datetime(2024, 4, 5, 1, 0, tzinfo=timezone.utc)


def _as_found(steps) -> list[tuple]:
    return [(s.task_id, s.step_id, s.actor, s.form, s.due, s.data) for s in steps]


def test_fired_timers_give_the_steps_a_walk_after_them_finds(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec)
    clock.at = DIRECTOR_AT + timedelta(days=1)
    notices, steps = runtime.fire_due_timers_with_steps(wf)
    assert sorted(n.rung for n in notices) == ["director", "holder", "unit_head"]
    assert _as_found(steps) == _as_found(runtime.ready_steps(wf)) and steps[0].task_id == report.task_id



def test_a_completed_step_gives_the_steps_a_walk_after_it_finds(runtime, spec):
    wf, report = walk_to_report(runtime, spec, periods=["2024-02-29", "2024-03-29"])
    notices, steps = runtime.complete_with_steps(wf, report.task_id, {"result": "Đã xong kỳ một"})
    assert notices == []
    assert _as_found(steps) == _as_found(runtime.ready_steps(wf)) and steps
    assert report.task_id not in {s.task_id for s in steps}
