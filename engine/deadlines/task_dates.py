"""Tasks waiting for a date: an unresolved deadline ("Theo Kế hoạch số ...") is set by
the plan's monitor; until then the task's timers never fire (its steps are undated).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices
from engine.errors import N_, AlreadyDone, InvalidInput, NotAllowed, NotFound
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import WorkflowRuntime


def waiting_tasks(uow: AbstractUnitOfWork) -> list[dict[str, Any]]:
    """Every task still waiting for a date, with its plan (no workflow is loaded)."""
    with uow:
        return uow.extensions.waiting_date_tasks()


def may_set_due(user: Any, plan: model.Plan) -> bool:
    """The plan's monitoring unit sets the dates of its tasks."""
    return user is not None and user.role == "monitor" and user.unit_id == plan.monitor_unit_id


def set_task_due(uow: AbstractUnitOfWork, task_id: int, user_id: int, due: date | str | None,
                 clock: Clock | None = None) -> None:
    """Give an unresolved task its date: its steps get the deadline, its timers arm (and
    the rungs already past fire at once)."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        task = uow.tasks.get(task_id)
        if task is None:
            raise NotFound(N_("This task does not exist."))
        plan = uow.plans.get(task.plan_id)
        if not may_set_due(uow.users.get(user_id), plan):
            raise NotAllowed(N_("Only the plan's monitoring unit sets a task's date."))
        if task.status != "waiting_date":
            raise AlreadyDone(N_("This task already has a date."))
        day = _parse(due)
        _arm(uow, instances.runtime(uow, clock), task, day.isoformat(), now)
        task.due_on, task.status = day, "open"
        uow.audit.add(model.AuditEvent(plan_task_id=task.id, action="due_set", at=to_storage(now),
                                       actor_user_id=user_id, detail={"due": day.isoformat()}))
        uow.commit()


def _arm(uow: AbstractUnitOfWork, rt: WorkflowRuntime, task: model.PlanTask, iso: str, now) -> None:
    instance = uow.instances.lock(uow.instances.for_task(task.id).id)
    wf = instances.load(uow, rt, instance)
    # `due`, `periods`, `first_due` for the steps to come; a report already waiting gets its own.
    events = rt.update_data(wf, {"due": iso, "periods": [iso], "first_due": iso})
    for step in rt.ready_steps(wf):
        if step.due is None and step.form == "report":
            events += rt.set_due(wf, step.task_id, iso)
    for item in uow.work_items.ready_for_instance(instance.id):
        item.due_on = item.due_on or date.fromisoformat(iso)
    instances.save(uow, rt, instance, task, wf, now)
    notices.record(uow, instance, task, events, now)


def parse_day(value: date | str | None) -> date | None:
    """A date typed by a person: ISO (the date input) or dd/mm/yyyy; None if unreadable."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parse(value: date | str | None) -> date:
    day = parse_day(value)
    if day is None:
        raise InvalidInput({"due": N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")})
    return day
