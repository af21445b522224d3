"""Many processes: any process id, each with its own versions; a plan (or one of its tasks)
chooses the process it follows, `plan_task` by default; tasks move only within a process."""
from __future__ import annotations

from datetime import date

import pytest

from engine import model
from engine.errors import InvalidInput
from engine.process import instances, versions
from engine.tasks import intake
from tests.support.designer_bpmn import PROCESS
from tests.support.office import KSTTHC, MONITOR_UNIT, clock_on

DAY = date(2024, 3, 4)
# The same steps under another process id and name: "incoming documents".
INCOMING = PROCESS.replace('id="plan_task" name="Thực hiện nhiệm vụ"', 'id="van_ban_den" name="Xử lý văn bản đến"') \
    .replace('bpmnElement="plan_task"', 'bpmnElement="van_ban_den"')


def plan(office, process_key: str | None = None, task_keys: tuple[str | None, ...] = (None,)) -> int:
    tasks = [model.PlanTask.with_units(ref=str(i), title=f"Nhiệm vụ {i}", lead=[office.units[KSTTHC]],
                                       schedule={"kind": "once", "due": ["2030-03-29"], "every": None, "until": None},
                                       process_key=key) for i, key in enumerate(task_keys, 1)]
    the_plan = model.Plan(title="Kế hoạch", year=2024, monitor_unit_id=office.units[MONITOR_UNIT],
                          **({"process_key": process_key} if process_key else {}))
    return intake.create_plan(office.uow(), the_plan, tasks, clock=clock_on(DAY))


def processes_of(office, plan_id: int) -> list[str]:
    with office.uow() as uow:
        return [uow.process_versions.get(uow.instances.for_task(t.id).process_version_id).process_key
                for t in uow.tasks.for_plan(plan_id)]


def test_any_process_id_is_saved_as_version_1_of_its_own_process(office):
    designer = office.users["thietke"]
    first = versions.save_version(office.uow(), INCOMING, designer, clock=clock_on(DAY))
    second = versions.save_version(office.uow(), INCOMING, designer, clock=clock_on(DAY))
    listed = {v.id: (v.process_key, v.number) for v in versions.list_versions(office.uow())}
    assert listed[first] == ("van_ban_den", 1) and listed[second] == ("van_ban_den", 2)
    assert ("plan_task", 1) in listed.values()  # the shipped process keeps its own numbering
    assert versions.live_processes(office.uow()) == ["plan_task"]  # saved is not deployed


def test_a_plan_and_a_task_choose_their_process_and_plan_task_is_the_default(office):
    version_id = versions.save_version(office.uow(), INCOMING, office.users["thietke"], clock=clock_on(DAY))
    versions.deploy(office.uow(), version_id, office.users["thietke"], clock=clock_on(DAY))
    assert processes_of(office, plan(office)) == ["plan_task"]
    assert processes_of(office, plan(office, "van_ban_den")) == ["van_ban_den"]
    # At import review one task of a plan_task plan was given the other process.
    assert processes_of(office, plan(office, task_keys=(None, "van_ban_den"))) == ["plan_task", "van_ban_den"]
    assert sorted(versions.live_processes(office.uow())) == ["plan_task", "van_ban_den"]


def test_a_process_with_no_deployed_version_cannot_be_chosen(office):
    versions.save_version(office.uow(), INCOMING, office.users["thietke"], clock=clock_on(DAY))
    with pytest.raises(InvalidInput) as refused:
        plan(office, "van_ban_den")
    assert refused.value.errors == {"process_key": instances.MSG_NOT_DEPLOYED}


def test_tasks_move_only_between_versions_of_one_process(office):
    other = versions.save_version(office.uow(), INCOMING, office.users["thietke"], clock=clock_on(DAY))
    live = versions.get_version(office.uow()).id
    with pytest.raises(InvalidInput):
        versions.preview(office.uow(), live, other)


def test_at_import_review_one_task_is_given_another_process(sqlite_url):
    from tests.e2e.test_web_import import PLAN, _review_form, _upload
    from tests.e2e.web_helpers import MONITOR, build_world

    world = build_world(sqlite_url)
    try:
        office = world.office
        version_id = versions.save_version(office.uow(), INCOMING, office.users["thietke"], clock=clock_on(DAY))
        versions.deploy(office.uow(), version_id, office.users["thietke"], clock=clock_on(DAY))
        client = world.client(MONITOR)
        review_url = _upload(client, PLAN.name, PLAN.read_bytes()).headers["Location"]
        form = _review_form(client.get(review_url).get_data(as_text=True))
        assert form["plan-process_key"] == ["plan_task"] and form["task-1-process_key"] == []
        form.update({"new-0-create": "on", "task-1-due": "2024-06-28", "task-1-process_key": "van_ban_den"})
        done = client.post(review_url, data=form)
        assert done.status_code == 302
        plan_id = int(done.headers["Location"].rsplit("/", 1)[1])
        assert processes_of(office, plan_id) == ["plan_task", "van_ban_den"]
    finally:
        world.office.storage.engine.dispose()
