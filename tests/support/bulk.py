"""Many tasks at once, for the scale tests and the benchmarks."""
from __future__ import annotations

from datetime import date

from engine.process import instances
from tests.support.office import KSTTHC, Office

DUE = "2024-03-29"


def tasks_at_their_report_step(office: Office, clock, count: int) -> int:
    """`count` tasks due 2024-03-29, each assigned and waiting at its report step with its
    three rungs armed; built fast: one plan through intake, then every assign step
    completed in one transaction. Returns the plan's id."""
    plan_id = office.plan([{"ref": str(n), "lead": [KSTTHC], "due": DUE, "director": "chanhvp"}
                           for n in range(1, count + 1)], issued=date(2024, 1, 15))
    clock.on(date(2024, 1, 16))
    with office.uow() as uow:
        rt = instances.runtime(uow, clock)
        for task in uow.tasks.for_plan(plan_id):
            instance = uow.instances.for_task(task.id)
            [item] = uow.work_items.ready_for_instance(instance.id)
            wf = instances.load(uow, rt, instance)
            rt.complete(wf, item.task_uuid, {"assignee": office.users["cv.kstthc"]})
            item.state = "completed"
            instances.save(uow, rt, instance, task, wf, clock.now())
        uow.commit()
    return plan_id
