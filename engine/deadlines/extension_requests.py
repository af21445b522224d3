"""Extensions (xin gia hạn): a step's holder asks for a later date, its approver decides.

The approver is named in the BPMN: `planflow:extension_approver` on the user task,
one of the actor values of `engine/actors.py` (`director`, `lead_head`, `monitor`);
`director` when absent. It is read from the parsed process version, never from a
running workflow, and resolved against the task (its director, lead unit, monitor
unit) to a person or a unit+role, stored on the request: the approver's inbox
reads `extension_requests` only.

On acceptance the step's deadline moves (`WorkflowRuntime.set_due` drops the
timers' cached times and computes them again), the work item's and the task's
`due_on` follow, and the history keeps both dates; a refusal changes nothing else.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from engine import model
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices
from engine.deadlines.task_dates import parse_day
from engine.errors import N_, AlreadyDone, InvalidInput, NotAllowed, NotFound
from engine.process import actors, instances
from engine.text_limits import limited_text
from engine.tasks import arrivals
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import StepNotReady, WorkflowRuntime

DEFAULT_APPROVER = "director"
APPROVER_ATTRIBUTE = "extension_approver"  # planflow:extension_approver on a bpmn:userTask


def request_extension(uow: AbstractUnitOfWork, work_item_id: int, user_id: int, new_due: date | str | None,
                      reason: str, clock: Clock | None = None) -> int:
    """The holder of a ready step asks for `new_due`; return the request's id."""
    now = (clock or SystemClock()).now()
    reason = limited_text(reason, "reason")
    with uow:
        item, user = _holder_item(uow, work_item_id, user_id)
        wanted = _check_request(uow, item, new_due, reason)
        task = uow.tasks.get(item.plan_task_id)
        plan = uow.plans.get(task.plan_id)
        approver = actors.resolve(_approver_actor(uow, item), _approver_data(task, plan))
        request_id = uow.extensions.add({
            "plan_task_id": task.id, "instance_id": item.instance_id, "work_item_id": item.id,
            "step_task_id": item.task_uuid, "step_id": item.step_id, "step_name": item.step_name,
            "requested_by": user.id, "requested_at": to_storage(now), "old_due": item.due_on,
            "new_due": wanted, "reason": reason, "approver_user_id": approver.user_id,
            "approver_unit_id": approver.unit_id, "approver_role": approver.role, "state": "pending",
            "comment": "",
        })
        _audit(uow, item, user.id, now, "extension_requested",
               {"old_due": _iso(item.due_on), "new_due": wanted.isoformat(), "reason": reason})
        arrivals.extension_asked(uow, uow.extensions.get(request_id), now)
        uow.commit()
        return request_id


def require_holder(uow: AbstractUnitOfWork, work_item_id: int, user_id: int) -> None:
    """NotAllowed unless `user_id` holds this ready step: the request form checks it
    before anyone fills in a form that would be refused."""
    with uow:
        _holder_item(uow, work_item_id, user_id)


def decide_extension(uow: AbstractUnitOfWork, request_id: int, user_id: int, accept: bool,
                     comment: str = "", clock: Clock | None = None) -> None:
    """The approver accepts (the deadline moves) or refuses, saying why (nothing else
    changes); the requester is told either way."""
    clock = clock or SystemClock()
    now = clock.now()
    comment = limited_text(comment, "comment")
    with uow:
        row = uow.extensions.get(request_id)
        if row is None:
            raise NotFound(N_("This extension request does not exist."))
        # The step's instance first (a deadline move writes it), then the request, fresh.
        uow.instances.lock(uow.work_items.get(row["work_item_id"]).instance_id)
        row = uow.extensions.get(request_id, lock=True)
        user = uow.users.get(user_id)
        if user is None or not may_decide(user, row):
            raise NotAllowed(N_("This extension request is not yours to decide."))
        if row["state"] != "pending":
            raise AlreadyDone(N_("This extension request was already decided."))
        if not accept and not comment:  # the requester is owed a reason
            raise InvalidInput({"comment": N_("Say why the request is refused.")})
        item = uow.work_items.get(row["work_item_id"])
        if item.state != "ready":
            uow.extensions.decide(request_id, state="lapsed", decided_at=to_storage(now))
            uow.commit()
            raise AlreadyDone(N_("The step was completed before the request was decided."))
        if accept:
            _move_deadline(uow, instances.runtime(uow, clock), item, row["new_due"], now)
        uow.extensions.decide(request_id, state="accepted" if accept else "refused", decided_by=user.id,
                              decided_at=to_storage(now), comment=comment)
        _audit(uow, item, user.id, now, "extension_accepted" if accept else "extension_refused",
               {"old_due": _iso(row["old_due"]), "new_due": _iso(row["new_due"]), "comment": comment})
        arrivals.extension_decided(uow, row, accept, comment, now)
        uow.commit()


def pending_for(uow: AbstractUnitOfWork, user_id: int) -> list[dict[str, Any]]:
    """The requests waiting for this user's decision (the inbox's extra section)."""
    with uow:
        user = uow.users.acting(user_id)
        if user is None:
            return []
        return uow.extensions.pending_for_approver(user.id, user.unit_id, user.role)


def for_task(uow: AbstractUnitOfWork, task_id: int) -> list[dict[str, Any]]:
    with uow:
        return uow.extensions.for_task(task_id)


def may_decide(user: model.User, row: dict[str, Any]) -> bool:
    approver = actors.Holder(user_id=row["approver_user_id"], unit_id=row["approver_unit_id"],
                             role=row["approver_role"])
    return actors.holds(user, approver)


# -- helpers ---------------------------------------------------------------------


def _holder_item(uow: AbstractUnitOfWork, work_item_id: int, user_id: int):
    item = uow.work_items.get(work_item_id)
    if item is None:
        raise NotFound(N_("This step does not exist."))
    user = uow.users.get(user_id)
    if user is None or not actors.may_act(user, item):
        raise NotAllowed(N_("Only the holder of a step may ask for more time."))
    if item.state != "ready":
        raise AlreadyDone(N_("This step was already completed or has moved on."))
    return item, user


def _check_request(uow: AbstractUnitOfWork, item: model.WorkItem, new_due: date | str | None, reason: str) -> date:
    """The requested date as a day, or every field's error at once; `reason` is already
    the text to store (`limited_text`: cleaned and stripped)."""
    errors: dict[str, str] = {}
    wanted = parse_day(new_due)
    if wanted is None:
        errors["new_due"] = N_("Give the new date.")
    elif item.due_on is not None and wanted <= item.due_on:
        errors["new_due"] = N_("The new date must be later than the current deadline.")
    if not reason:
        errors["reason"] = N_("Say why more time is needed.")
    if uow.extensions.pending_for_item(item.id):
        errors["new_due"] = N_("A request for this step is already waiting for a decision.")
    if errors:
        raise InvalidInput(errors)
    return wanted


def _approver_actor(uow: AbstractUnitOfWork, item: model.WorkItem) -> str:
    instance = uow.instances.get(item.instance_id)
    spec = instances.spec(uow, instance.process_version_id)
    for process in (spec.top, *spec.subprocesses.values()):
        for task_spec in process.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == item.step_id:
                extensions = getattr(task_spec, "extensions", None) or {}
                return extensions.get(APPROVER_ATTRIBUTE) or DEFAULT_APPROVER
    return DEFAULT_APPROVER


def _approver_data(task: model.PlanTask, plan: model.Plan) -> dict[str, Any]:
    """What the actor vocabulary needs, from the task itself (no workflow loaded)."""
    leads = task.unit_ids("lead")
    return {"director": task.director_user_id, "lead_unit": leads[0] if leads else None,
            "monitor_unit": plan.monitor_unit_id}


def _move_deadline(uow: AbstractUnitOfWork, rt: WorkflowRuntime, item: model.WorkItem, new_due: date,
                   now) -> None:
    instance = uow.instances.get(item.instance_id)  # locked by decide_extension
    task = uow.tasks.get(item.plan_task_id)
    wf = instances.load(uow, rt, instance)
    try:
        events = rt.set_due(wf, item.task_uuid, new_due.isoformat())
    except StepNotReady as error:
        raise AlreadyDone(N_("This step was already completed or has moved on.")) from error
    old = item.due_on
    item.due_on = new_due  # late is measured against the approved date from now on
    if task.due_on is None or task.due_on == old or task.due_on < new_due:
        task.due_on = new_due
    held = instances.save(uow, rt, instance, task, wf, now)
    notices.record(uow, instance, task, events, now, items=held)


def _audit(uow: AbstractUnitOfWork, item: model.WorkItem, user_id: int, now, action: str,
           detail: dict[str, Any]) -> None:
    uow.audit.add(model.AuditEvent(
        plan_task_id=item.plan_task_id, instance_id=item.instance_id, work_item_id=item.id,
        at=to_storage(now), actor_user_id=user_id, action=action, step_id=item.step_id,
        step_name=item.step_name, detail=detail,
    ))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
