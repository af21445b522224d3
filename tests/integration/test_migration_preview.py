"""Migration is previewed per running task before anything changes, refuses the two changes
that would corrupt a task (an active step retyped under the same id; a parallel branch added
around it), moves tasks that are inside a multi-instance step, and keeps each batch and each
deploy in the process's audit."""
from __future__ import annotations

from datetime import date

from engine.process import instances, versions
from engine.process.instance_migration import MSG_RETYPED, MSG_STRUCTURE
from engine.tasks import steps
from tests.support.designer_bpmn import PROCESS, version
from tests.support.office import CBTH, KSTTHC, TTPV, clock_on

DAY = date(2024, 3, 4)
DESIGNER = "thietke"
REPORT_STEP = ('<bpmn:userTask id="report" name="Báo cáo kết quả" planflow:actor="assignee" planflow:form="report">\n'
               '      <bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f_return</bpmn:incoming>'
               '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>')
# `report` becomes a sub-process with the same id: a task on it would be left with no step.
RETYPED = version((REPORT_STEP,
                   '<bpmn:subProcess id="report" name="Báo cáo kết quả"><bpmn:incoming>f2</bpmn:incoming>'
                   '<bpmn:incoming>f_return</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>'
                   '<bpmn:startEvent id="report_start"/>'
                   '<bpmn:sequenceFlow id="rf1" sourceRef="report_start" targetRef="report_write"/>'
                   '<bpmn:userTask id="report_write" name="Viết báo cáo" planflow:actor="assignee" planflow:form="report"/>'
                   '<bpmn:sequenceFlow id="rf2" sourceRef="report_write" targetRef="report_end"/>'
                   '<bpmn:endEvent id="report_end"/></bpmn:subProcess>'))
# A check by the monitor in parallel with `report`: the join would wait for a branch never started.
PARALLEL = version(('<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="report" />',
                    '<bpmn:sequenceFlow id="f2" sourceRef="assign" targetRef="split" /><bpmn:parallelGateway id="split"/>'
                    '<bpmn:sequenceFlow id="f2a" sourceRef="split" targetRef="report" />'
                    '<bpmn:sequenceFlow id="f2b" sourceRef="split" targetRef="check" />'
                    '<bpmn:userTask id="check" name="Kiểm tra" planflow:actor="monitor" planflow:form="contribute"/>'
                    '<bpmn:sequenceFlow id="f2c" sourceRef="check" targetRef="join" /><bpmn:parallelGateway id="join"/>'
                    '<bpmn:sequenceFlow id="f2d" sourceRef="join" targetRef="review" />'),
                   ('<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="review" />',
                    '<bpmn:sequenceFlow id="f3" sourceRef="report" targetRef="join" />'))


def save(office, xml: str) -> int:
    return versions.save_version(office.uow(), xml, office.users[DESIGNER], clock=clock_on(DAY))


def deploy(office, xml: str) -> int:
    version_id = save(office, xml)
    versions.deploy(office.uow(), version_id, office.users[DESIGNER], clock=clock_on(DAY))
    return version_id


def at_report(office, n: int) -> int:
    """`n` tasks, each assigned: they wait at `report`, with its reminder armed."""
    plan_id = office.plan([{"ref": str(i), "lead": [KSTTHC], "due": "2030-03-29"} for i in range(1, n + 1)])
    for item in office.ready(plan_id):
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock_on(DAY))
    return plan_id


def states(office, plan_id: int) -> list[tuple[int, str, str]]:
    with office.uow() as uow:
        return sorted((i.process_version_id, i.state, i.serializer_version) for i in
                      (uow.instances.for_task(t.id) for t in uow.tasks.for_plan(plan_id)))


def test_an_active_step_retyped_under_the_same_id_is_refused_in_the_preview_and_by_the_migration(office):
    v1 = deploy(office, PROCESS)
    plan_id = at_report(office, 3)
    before = states(office, plan_id)
    v2 = save(office, RETYPED)

    planned = versions.preview(office.uow(), v1, v2)
    assert [(p.task_ref, p.moves, p.stayed.reason, p.stayed.element_id, p.steps) for p in planned] == [
        (ref, False, MSG_RETYPED, "report", ("Báo cáo kết quả",)) for ref in ("1", "2", "3")]
    assert states(office, plan_id) == before  # a preview changes nothing

    report = versions.migrate(office.uow(), v1, v2, office.users[DESIGNER], clock=clock_on(DAY))
    assert report.moved == [] and {s.reason for s in report.stayed} == {MSG_RETYPED}
    assert states(office, plan_id) == before
    assert all(item.step_id == "report" for item in office.ready(plan_id))


def test_a_parallel_branch_added_around_the_active_step_is_refused(office):
    v1 = deploy(office, PROCESS)
    plan_id = at_report(office, 2)
    v2 = save(office, PARALLEL)
    planned = versions.preview(office.uow(), v1, v2)
    assert [(p.moves, p.stayed.reason, p.stayed.element_id) for p in planned] == [(False, MSG_STRUCTURE, "report")] * 2
    assert versions.migrate(office.uow(), v1, v2, clock=clock_on(DAY)).moved == []
    assert {version for version, _, _ in states(office, plan_id)} == {v1}


def test_a_task_not_yet_at_the_changed_step_moves_and_runs_the_new_branch(office):
    v1 = deploy(office, PROCESS)
    plan_id = office.plan([{"ref": "1", "lead": [KSTTHC], "due": "2030-03-29"}])  # still at `assign`
    v2 = save(office, PARALLEL)
    [planned] = versions.preview(office.uow(), v1, v2)
    assert planned.moves and planned.steps == ("Phân công người thực hiện",)
    assert versions.migrate(office.uow(), v1, v2, clock=clock_on(DAY)).moved == [planned.instance_id]
    [item] = office.ready(plan_id)
    steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"], {"assignee": office.users["cv.kstthc"]},
                        clock=clock_on(DAY))
    assert sorted(i.step_id for i in office.ready(plan_id)) == ["check", "report"]


def test_a_batch_moves_tasks_inside_a_multi_instance_step_and_they_run_on(office):
    shipped = instances.DEFAULT_BPMN.read_text(encoding="utf-8")
    v1 = deploy(office, shipped)
    plan_id = office.plan([{"ref": str(i), "lead": [KSTTHC], "coordinators": [TTPV, CBTH], "due": "2030-03-29"}
                           for i in (1, 2)])
    for item in office.ready(plan_id):
        steps.complete_step(office.uow(), item.id, office.users["truong.kstthc"],
                            {"assignee": office.users["cv.kstthc"]}, clock=clock_on(DAY))
    # One unit of the first task has already contributed: its multi-instance is half done.
    first = next(i for i in office.ready(plan_id) if i.step_id == "coordinate" and i.candidate_unit_id == office.units[TTPV])
    steps.complete_step(office.uow(), first.id, office.users["giamdoc.ttpv"], {"contribution": "Ý kiến 1"},
                        clock=clock_on(DAY))
    assert sorted(i.step_id for i in office.ready(plan_id)) == ["coordinate"] * 3
    v2 = save(office, shipped.replace('name="Xem xét, đánh giá kết quả"', 'name="Thẩm định kết quả"'))

    assert all(p.moves for p in versions.preview(office.uow(), v1, v2))
    report = versions.migrate(office.uow(), v1, v2, office.users[DESIGNER], clock=clock_on(DAY))
    assert len(report.moved) == 2 and report.stayed == []
    assert {version for version, _, _ in states(office, plan_id)} == {v2}

    for item in office.ready(plan_id):  # the units still to contribute do so on the new version
        head = "giamdoc.ttpv" if item.candidate_unit_id == office.units[TTPV] else "giamdoc.cbth"
        steps.complete_step(office.uow(), item.id, office.users[head], {"contribution": "Ý kiến"}, clock=clock_on(DAY))
    assert sorted(i.step_id for i in office.ready(plan_id)) == ["report", "report"]


def test_each_deploy_and_each_batch_is_in_the_process_audit_with_who_from_to_and_results(office):
    v1 = deploy(office, PROCESS)
    at_report(office, 1)
    plan_id = office.plan([{"ref": "9", "lead": [KSTTHC], "due": "2030-03-29"}])
    v2 = deploy(office, RETYPED)
    report = versions.migrate(office.uow(), v1, v2, office.users[DESIGNER], clock=clock_on(DAY))
    [moved] = report.moved
    assert moved == office.ready(plan_id)[0].instance_id

    migrated, deployed_v2, deployed_v1 = versions.history(office.uow())[:3]
    assert (migrated["action"], migrated["from_version_id"], migrated["to_version_id"]) == ("migrated", v1, v2)
    assert migrated["actor_name"] and migrated["detail"]["moved"] == [moved]
    assert [s["reason"] for s in migrated["detail"]["stayed"]] == [MSG_RETYPED]
    assert (deployed_v2["action"], deployed_v2["from_version_id"], deployed_v2["to_version_id"]) == ("deployed", v1, v2)
    assert (deployed_v1["action"], deployed_v1["to_version_id"]) == ("deployed", v1)


def test_the_designer_previews_on_the_page_and_moves_only_the_ticked_tasks(sqlite_url):
    from tests.e2e.web_helpers import build_world

    world = build_world(sqlite_url)
    try:
        client, office = world.client(DESIGNER), world.office
        v1 = versions.get_version(office.uow()).id
        shipped = instances.DEFAULT_BPMN.read_text(encoding="utf-8")
        saved = client.post("/designer/api/versions", json={"xml": shipped.replace("Phân công", "Giao việc", 1)})
        v2 = saved.get_json()["id"]

        page = client.get(f"/designer/migrate?from_version={v1}&to_version={v2}").get_data(as_text=True)
        [instance] = client.post("/designer/api/migrations/preview",
                                 json={"from_version_id": v1, "to_version_id": v2}).get_json()["instances"]
        assert instance["moves"] and f'data-instance-id="{instance["instance_id"]}" class="moves"' in page

        form = {"from_version": v1, "to_version": v2, "chosen": "1"}
        assert "Đã chuyển sang phiên bản mới: 0" in client.post("/designer/migrate", data=form).get_data(as_text=True)
        page = client.post("/designer/migrate", data={**form, "instance_id": instance["instance_id"]})
        assert "Đã chuyển sang phiên bản mới: 1" in page.get_data(as_text=True)
        assert [i.step_name for i in office.ready(world.plan_id)] == ["Giao việc người thực hiện"]
        history = client.get("/designer/").get_data(as_text=True)
        assert history.count('data-action="migrated"') == 2
    finally:
        world.office.storage.engine.dispose()
