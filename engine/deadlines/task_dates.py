"""A task's date, set and corrected by the plan's monitor.

A task waiting for a date (an unresolved deadline, "Theo Kế hoạch số ...") gets one;
until then its timers never fire (its steps are undated). A task that has a date can
have it changed after import, with a reason: the open steps and the steps to come
take the new date, the ladder re-arms on it (rungs already past fire at once), and the
history keeps the old date, the new one and why. A date in the past, or far from the
plan's years, is taken only once the monitor confirms it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import model
from engine.clock import Clock, SystemClock, office_date, to_storage
from engine.deadlines import notices
from engine.errors import N_, AlreadyDone, InvalidInput, NotAllowed, NotFound
from engine.process import instances
from engine.text_limits import limited_text
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
        task, _ = _task_to_date(uow, task_id, user_id)
        if task.status != "waiting_date":
            raise AlreadyDone(N_("This task already has a date."))
        day = _parse(due)
        _arm(uow, instances.runtime(uow, clock), task, day.isoformat(), now)
        task.due_on, task.status = day, "open"
        uow.audit.add(model.AuditEvent(plan_task_id=task.id, action="due_set", at=to_storage(now),
                                       actor_user_id=user_id, detail={"due": day.isoformat()}))
        uow.commit()


FAR = 1  # years outside the plan's own that a date may be without asking for confirmation


def _task_to_date(uow: AbstractUnitOfWork, task_id: int, user_id: int) -> tuple[model.PlanTask, model.Plan]:
    """The task and its plan, if this user may set the task's dates."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(N_("This task does not exist."))
    plan = uow.plans.get(task.plan_id)
    if not may_set_due(uow.users.get(user_id), plan):
        raise NotAllowed(N_("Only the plan's monitoring unit sets a task's date."))
    return task, plan


def change_task_due(uow: AbstractUnitOfWork, task_id: int, user_id: int, due: date | str | None, reason: str,
                    confirmed: bool = False, clock: Clock | None = None) -> None:
    """Move the deadline of a task that has one. `InvalidInput` on `confirm` when the
    date is in the past or far from the plan's years and `confirmed` is not set."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        task, plan = _task_to_date(uow, task_id, user_id)
        if task.status != "open" or task.due_on is None:
            raise AlreadyDone(N_("Only an open task with a date can have it changed."))
        day = _parse(due)
        reason = limited_text(reason, "reason")
        errors = {}
        if day == task.due_on:
            errors["due"] = N_("This is already the task's date.")
        if not reason:
            errors["reason"] = N_("Say why the date changes.")
        if errors:
            raise InvalidInput(errors)
        if not confirmed and unusual(day, plan_years(uow, plan), office_date(now)):
            raise InvalidInput({"confirm": N_("This date is in the past or far from the plan's years: "
                                              "confirm it if it is right.")})
        old = task.due_on
        _move(uow, instances.runtime(uow, clock), task, old, day, now)
        task.due_on = day
        uow.audit.add(model.AuditEvent(plan_task_id=task.id, action="due_changed", at=to_storage(now),
                                       actor_user_id=user_id,
                                       detail={"old_due": old.isoformat(), "due": day.isoformat(),
                                               "reason": reason, "confirmed": confirmed}))
        uow.commit()


def unusual(day: date, years: tuple[int, int], today: date) -> bool:
    """A date to confirm: before today, or more than FAR years outside the plan's."""
    return day < today or not (years[0] - FAR <= day.year <= years[1] + FAR)


def plan_years(uow: AbstractUnitOfWork, plan: model.Plan) -> tuple[int, int]:
    """The plan's first and last year: its year, to the last date its tasks name."""
    last = plan.year
    for task in uow.tasks.for_plan(plan.id):
        schedule = task.schedule or {}
        dates = [*(schedule.get("due") or []), schedule.get("until") or ""]
        last = max([last, *(int(d[:4]) for d in dates if d)])
    return plan.year, last


def _move(uow: AbstractUnitOfWork, rt: WorkflowRuntime, task: model.PlanTask, old: date, day: date, now) -> None:
    """The task's steps take `day` where they had `old`: the open ones (their timers
    computed again on the caller's clock: rungs already past fire at once) and those to
    come (the process data)."""
    instance = uow.instances.lock(uow.instances.for_task(task.id).id)
    wf = instances.load(uow, rt, instance)
    iso, was = day.isoformat(), old.isoformat()
    ready = rt.ready_steps(wf)
    data = ready[0].data if ready else {}  # task-wide data, as every open step holds it
    moved = {"due": iso} if data.get("due") in (was, None) else {}
    periods = [iso if p == was else p for p in data.get("periods") or []]
    if periods != (data.get("periods") or []):
        moved["periods"] = periods
    if data.get("first_due") == was:
        moved["first_due"] = iso
    events = rt.update_data(wf, moved) if moved else []
    for item in uow.work_items.ready_for_instance(instance.id):
        if item.due_on == old:
            events += rt.set_due(wf, item.task_uuid, iso)
            item.due_on = day
    held = instances.save(uow, rt, instance, task, wf, now)
    notices.record(uow, instance, task, events, now, items=held)


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
    held = instances.save(uow, rt, instance, task, wf, now)
    notices.record(uow, instance, task, events, now, items=held)


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
    except (ValueError, OverflowError):  # "1/1/99999999999999999999": past a C long, not a ValueError
        return None


def _parse(value: date | str | None) -> date:
    day = parse_day(value)
    if day is None:
        raise InvalidInput({"due": N_("Give the date as dd/mm/yyyy or yyyy-mm-dd.")})
    return day
