"""Process versions: save without touching instances, deploy for new tasks, migrate running ones."""
from __future__ import annotations

import re
from datetime import date

import pytest

from engine.clock import SystemClock
from engine.errors import InvalidInput
from engine.process import instances, versions
from engine.process.instance_migration import MSG_STEP_REMOVED, migrate
from engine.text_limits import TEXT
from engine.tasks import steps
from engine.workflow import InvalidProcess
from tests.support.designer_bpmn import PROCESS, version
from tests.support.office import KSTTHC, clock_on

DAY = date(2024, 3, 4)
DESIGNER = "thietke"


def new_version(office, xml, comment="") -> int:
    return versions.save_version(office.uow(), xml, office.users[DESIGNER], comment, clock=clock_on(DAY))


def deployed(office, xml, comment="") -> int:
    version_id = new_version(office, xml, comment)
    versions.deploy(office.uow(), version_id, office.users[DESIGNER])
    return version_id


def start_tasks(office, n: int, due: str = "2024-03-29") -> int:
    return office.plan([{"ref": str(i), "lead": [KSTTHC], "due": due} for i in range(1, n + 1)])


def next_timer(office, instance_id: int):
    with office.uow() as uow:
        rt = instances.runtime(uow, SystemClock())
        return rt.next_timer_at(instances.load(uow, rt, uow.instances.get(instance_id)))


def assign(office, item) -> None:
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                        {"assignee": office.users["cv.kstthc"]}, clock=clock_on(DAY))


def version_of(office, item) -> int:
    with office.uow() as uow:
        return uow.instances.get(item.instance_id).process_version_id


def live_id(office) -> int:
    return next(v.id for v in versions.list_versions(office.uow()) if v.is_live)


def test_saving_stores_a_new_version_that_is_not_live(office):
    live = live_id(office)
    version_id = new_version(office, PROCESS, "thử")
    listed = versions.list_versions(office.uow())
    saved = next(v for v in listed if v.id == version_id)
    assert (saved.is_live, saved.comment, saved.created_by, saved.number) == (False, "thử", "Vũ Đức Tâm", 2)
    assert live_id(office) == live


def test_a_comment_past_the_limit_is_refused_and_nothing_is_saved(office):
    before = len(versions.list_versions(office.uow()))
    with pytest.raises(InvalidInput) as refused:
        new_version(office, PROCESS, "x" * (TEXT.length + 1))  # it was cut to 500 characters without a word
    assert refused.value.errors == {"comment": "This text is too long: write at most 10,000 characters."}
    assert len(versions.list_versions(office.uow())) == before
    assert versions.get_version(office.uow(), new_version(office, PROCESS, "x" * TEXT.length)).comment == "x" * TEXT.length


def test_deploying_starts_new_tasks_on_the_new_version_while_old_ones_keep_theirs(office):
    old_plan = start_tasks(office, 2)
    old_version = version_of(office, office.ready(old_plan)[0])
    renamed = version(("Phân công người thực hiện", "Giao việc"))
    new_id = deployed(office, renamed)

    new_plan = start_tasks(office, 1)
    assert [(version_of(office, i), i.step_name) for i in office.ready(new_plan)] == [(new_id, "Giao việc")]
    assert {version_of(office, i) for i in office.ready(old_plan)} == {old_version}
    assert {i.step_name for i in office.ready(old_plan)} != {"Giao việc"}
    counts = {v.id: v.instances for v in versions.list_versions(office.uow())}
    assert counts[old_version] == 2 and counts[new_id] == 1


def test_an_invalid_version_is_neither_saved_nor_deployed(office):
    live = live_id(office)
    before = len(versions.list_versions(office.uow()))
    with pytest.raises(InvalidProcess) as invalid:
        new_version(office, version(('planflow:actor="monitor"', 'planflow:actor="boss"')))
    assert [p.element_id for p in invalid.value.problems] == ["review"]
    assert len(versions.list_versions(office.uow())) == before
    assert live_id(office) == live


def test_migration_moves_instances_on_kept_steps_and_reports_those_whose_step_was_removed(office):
    v1 = deployed(office, PROCESS)
    plan_id = start_tasks(office, 3)
    first, *others = sorted(office.ready(plan_id), key=lambda i: i.plan_task_id)
    for item in others:
        assign(office, item)  # these two wait at `report` (with an armed reminder)
    at_report = {i.instance_id for i in office.ready(plan_id) if i.step_id == "report"}
    assert len(at_report) == 2

    # v2 renames `assign` and replaces `report` by a step of another id.
    v2 = new_version(office, re.sub(r'(id|Ref|bpmnElement)="report"', r'\1="report_v2"',
                                     version(("Phân công người thực hiện", "Giao việc"))))
    report = migrate(office.uow(), v1, v2, office.users[DESIGNER], clock=clock_on(DAY))

    assert report.moved == [first.instance_id]
    assert {s.instance_id for s in report.stayed} == at_report
    assert {(s.element_id, s.reason, s.task_ref) for s in report.stayed} == {
        ("report", MSG_STEP_REMOVED, "2"), ("report", MSG_STEP_REMOVED, "3")}
    moved = next(i for i in office.ready(plan_id) if i.instance_id == first.instance_id)
    assert (version_of(office, moved), moved.step_name, moved.id) == (v2, "Giao việc", first.id)
    assert {version_of(office, i) for i in office.ready(plan_id) if i.instance_id in at_report} == {v1}

    # The moved task runs on the new version: after assign comes report_v2.
    assign(office, moved)
    assert [i.step_id for i in office.ready(plan_id) if i.instance_id == first.instance_id] == ["report_v2"]
    with office.uow() as uow:
        history = uow.audit.for_task(first.plan_task_id)
    migrated = [h for h in history if h["action"] == "process_migrated"]
    assert len(migrated) == 1 and migrated[0]["detail"] == {"from_version_id": v1, "to_version_id": v2}


def test_migration_keeps_armed_timers_and_the_task_finishes_on_the_new_version(office):
    v1 = deployed(office, PROCESS)
    plan_id = start_tasks(office, 1, due="2030-03-29")  # the reminder is still armed
    assign(office, office.ready(plan_id)[0])
    instance_id = office.ready(plan_id)[0].instance_id
    armed = next_timer(office, instance_id)
    assert armed is not None
    v2 = new_version(office, version(("Xem xét kết quả", "Thẩm định kết quả"), ("(due, 3)", "(due, 5)")))
    report = migrate(office.uow(), v1, v2, clock=clock_on(DAY))
    assert report.moved == [instance_id] and report.stayed == []
    assert next_timer(office, instance_id) == armed
    item = office.ready(plan_id)[0]
    steps.complete_step(office.uow(), item.id, office.users["cv.kstthc"], {"result": "Xong"},
                        _upload(), clock=clock_on(DAY))
    review = office.ready(plan_id)[0]
    assert review.step_name == "Thẩm định kết quả"
    steps.complete_step(office.uow(), review.id, office.users["theodoi"], {"decision": "accept"}, clock=clock_on(DAY))
    assert office.ready(plan_id) == []


def _upload():
    from engine.process.step_forms import Upload
    return Upload("bao-cao.txt", "text/plain", b"x")
