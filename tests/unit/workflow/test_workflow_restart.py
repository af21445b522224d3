"""A workflow loaded in a fresh process moves on: every load is wired as Spiff's own
deserializer wires it (multi-instance instance done → the loop merges it).

Each test parses the BPMN again before loading, as a new worker, a scheduler or a
server after a restart does: nothing this process did earlier may be relied on.
"""
from __future__ import annotations

from engine.workflow import parse_process
from tests.support.workflow import cut_loop_merges, only_step, task_data


def reloaded(runtime, bpmn_text, wf):
    """The workflow as a fresh process sees it: saved, then loaded on a new parse."""
    return runtime.loads(parse_process(bpmn_text), runtime.dumps(wf))


def test_the_last_contribution_completed_after_a_restart_moves_on_to_the_report(runtime, spec, bpmn_text, clock):
    wf = runtime.start(spec, task_data(coordinators=[2, 3]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})

    wf = reloaded(runtime, bpmn_text, wf)
    first, second = runtime.ready_steps(wf)
    runtime.complete(wf, first.task_id, {"contribution": "một"})
    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, second.task_id, {"contribution": "hai"})

    assert only_step(runtime, wf, "report").data["contributions"] == ["một", "hai"]


def test_each_report_completed_after_a_restart_moves_on_to_the_next_then_review(runtime, spec, bpmn_text, clock):
    wf = runtime.start(spec, task_data(coordinators=[], periods=["2024-03-31", "2024-06-30"]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})

    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q1"})
    assert only_step(runtime, wf, "report").due == "2024-06-30"
    wf = reloaded(runtime, bpmn_text, wf)
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q2"})

    assert only_step(runtime, wf, "review").data["period_results"] == ["q1", "q2"]


# -- instances stalled before the fix are merged by the repair ------------------------


def stalled_at(runtime, bpmn_text, step_id, fields, **data):
    """A workflow whose `step_id` was completed by a process without the merge link."""
    spec = parse_process(bpmn_text)
    wf = runtime.start(spec, task_data(**data))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    cut_loop_merges(spec)
    for step in [s for s in runtime.ready_steps(wf) if s.step_id == step_id]:
        runtime.complete(wf, step.task_id, fields)
    assert runtime.ready_steps(wf) == [] and not wf.is_completed()  # stalled, as main left it
    return reloaded(runtime, bpmn_text, wf)


def test_a_stalled_coordination_is_merged_and_moves_on_to_the_report(runtime, bpmn_text, clock):
    wf = stalled_at(runtime, bpmn_text, "coordinate", {"contribution": "góp ý"}, coordinators=[2, 3])

    stalled, _ = runtime.merge_stalled(wf)

    assert [(s.loop_id, s.merged) for s in stalled] == [("coordinate", True), ("coordinate", True)]
    assert only_step(runtime, wf, "report").data["contributions"] == ["góp ý", "góp ý"]


def test_a_stalled_report_is_merged_and_the_next_period_opens(runtime, bpmn_text, clock):
    wf = stalled_at(runtime, bpmn_text, "report", {"result": "q1"}, coordinators=[],
                    periods=["2024-03-31", "2024-06-30"])

    stalled, _ = runtime.merge_stalled(wf)

    assert [(s.loop_id, s.merged) for s in stalled] == [("periodic", True)]
    assert only_step(runtime, wf, "report").due == "2024-06-30"
    runtime.complete(wf, only_step(runtime, wf, "report").task_id, {"result": "q2"})
    assert only_step(runtime, wf, "review").data["period_results"] == ["q1", "q2"]


def test_a_workflow_that_is_not_stalled_is_left_alone(runtime, spec, clock):
    wf = runtime.start(spec, task_data(coordinators=[2, 3]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    runtime.complete(wf, runtime.ready_steps(wf)[0].task_id, {"contribution": "một"})
    before = runtime.dumps(wf)

    assert runtime.merge_stalled(wf) == ([], [])
    assert runtime.dumps(wf) == before
