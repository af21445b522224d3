from __future__ import annotations

import pytest

from engine.workflow import StepNotReady
from tests.support.workflow import only_step, task_data


def test_full_path_with_two_coordinators_a_return_and_an_accept(runtime, spec, clock):
    wf = runtime.start(spec, task_data())

    assign = only_step(runtime, wf, "assign")
    assert (assign.actor, assign.form, assign.name) == ("lead_head", "assign", "Phân công người thực hiện")
    assert assign.data["lead_unit"] == 1 and assign.due == "2024-03-29"
    assert runtime.complete(wf, assign.task_id, {"assignee": 7}) == []

    coordinate = runtime.ready_steps(wf)
    assert [(s.step_id, s.actor, s.form) for s in coordinate] == [("coordinate", "coordinator_head", "contribute")] * 2
    assert sorted(s.data["coordinator"] for s in coordinate) == [2, 3]  # both ready at once
    assert all(s.data["assignee"] == 7 and s.data["due"] == "2024-03-29" for s in coordinate)
    for step in reversed(coordinate):
        runtime.complete(wf, step.task_id, {"contribution": f"góp ý của {step.data['coordinator']}"})

    report = only_step(runtime, wf, "report")
    assert (report.actor, report.form, report.due) == ("assignee", "report", "2024-03-29")
    assert report.data["contributions"] == ["góp ý của 3", "góp ý của 2"]  # in completion order
    assert "coordinator" not in report.data and "contribution" not in report.data
    runtime.complete(wf, report.task_id, {"result": "lần 1", "product": 501})

    review = only_step(runtime, wf, "review")
    assert (review.actor, review.form) == ("monitor", "review")
    assert review.data["period_results"] == ["lần 1"]
    runtime.complete(wf, review.task_id, {"decision": "return", "comment": "Bổ sung số liệu"})

    revise = only_step(runtime, wf, "revise")
    assert (revise.actor, revise.form, revise.due) == ("assignee", "report", "2024-03-29")
    assert revise.data["comment"] == "Bổ sung số liệu"
    runtime.complete(wf, revise.task_id, {"result": "lần 2", "product": 502})

    review = only_step(runtime, wf, "review")
    assert (review.data["result"], review.data["product"]) == ("lần 2", 502)
    runtime.complete(wf, review.task_id, {"decision": "return", "comment": "Chưa đạt"})
    revise = only_step(runtime, wf, "revise")  # returned twice: the loop holds
    runtime.complete(wf, revise.task_id, {"result": "lần 3", "product": 503})

    review = only_step(runtime, wf, "review")
    assert not runtime.is_completed(wf)
    runtime.complete(wf, review.task_id, {"decision": "accept", "comment": ""})

    assert runtime.ready_steps(wf) == []
    assert runtime.is_completed(wf)
    assert wf.data["decision"] == "accept" and wf.data["product"] == 503


def test_no_coordinators_skips_coordinate(runtime, spec, clock):
    wf = runtime.start(spec, task_data(coordinators=[]))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})
    report = only_step(runtime, wf, "report")
    assert report.data["contributions"] == []


def test_periodic_task_has_one_report_step_per_period_then_the_review(runtime, spec, clock):
    periods = ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    wf = runtime.start(spec, task_data(coordinators=[], periods=periods, due="2024-12-31"))
    runtime.complete(wf, only_step(runtime, wf, "assign").task_id, {"assignee": 7})

    for number, period in enumerate(periods, start=1):
        step = only_step(runtime, wf, "report")
        assert (step.actor, step.form, step.due, step.data["due"]) == ("assignee", "report", period, period)
        assert "result" not in step.data  # a period's result does not pre-fill the next
        runtime.complete(wf, step.task_id, {"result": f"quý {number}", "product": number})

    review = only_step(runtime, wf, "review")
    assert review.data["period_results"] == ["quý 1", "quý 2", "quý 3", "quý 4"]


def test_completing_twice_or_an_unknown_task_raises_step_not_ready(runtime, spec, clock):
    wf = runtime.start(spec, task_data())
    assign = only_step(runtime, wf, "assign")
    runtime.complete(wf, assign.task_id, {"assignee": 7})
    with pytest.raises(StepNotReady):
        runtime.complete(wf, assign.task_id, {"assignee": 8})
    with pytest.raises(StepNotReady):
        runtime.complete(wf, "00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(StepNotReady):
        runtime.complete(wf, "not-a-uuid", {})


def test_start_refuses_a_missing_coordinator_list(runtime, spec, clock):
    data = task_data()
    del data["coordinators"]
    with pytest.raises(ValueError, match="coordinators"):
        runtime.start(spec, data)
