"""A workflow the sweep has stored is released: its tasks are freed as soon as it is
dropped, by reference counting, not left to the cyclic collector (which would first carry
a batch's task trees into its oldest generation, whose collections walk the whole heap)."""
from __future__ import annotations

import gc
import weakref
from datetime import datetime, timedelta, timezone

from tests.support.workflow import walk_to_report

DIRECTOR_AT = datetime(2024, 4, 5, 1, 0, tzinfo=timezone.utc)


def _alive_after_drop(runtime, spec, clock, release: bool) -> tuple[int, int]:
    wf, _ = walk_to_report(runtime, spec)
    clock.at = DIRECTOR_AT + timedelta(days=1)
    runtime.fire_due_timers_with_steps(wf)
    runtime.dumps(wf)
    tasks = [weakref.ref(task) for task in wf.tasks.values()]
    gc.collect()
    gc.disable()
    try:
        if release:
            runtime.release(wf)
        del wf
        return sum(task() is not None for task in tasks), len(tasks)
    finally:
        gc.enable()


def test_a_released_workflow_s_tasks_are_freed_without_the_collector(runtime, spec, clock):
    kept, total = _alive_after_drop(runtime, spec, clock, release=False)
    assert kept == total > 10  # without release: every task waits for the collector
    alive, total = _alive_after_drop(runtime, spec, clock, release=True)
    # Only those the workflow objects hold themselves survive: the root, the last task
    # run, a call activity's task (its subprocess's parent).
    assert alive <= 3


def test_what_fired_timers_gave_and_stored_stands_after_the_release(runtime, spec, clock):
    wf, report = walk_to_report(runtime, spec)
    clock.at = DIRECTOR_AT + timedelta(days=1)
    notices, steps = runtime.fire_due_timers_with_steps(wf)
    state = runtime.dumps(wf)
    runtime.release(wf)
    # What was stored and returned does not depend on the released tree.
    again = runtime.loads(spec, state)
    assert runtime.dumps(again) == state
    assert [s.task_id for s in steps] == [s.task_id for s in runtime.ready_steps(again)]
    assert sorted(n.rung for n in notices) == ["director", "holder", "unit_head"]
