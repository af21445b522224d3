"""Steps: show a waiting step, and complete it (the service behind every step form)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine import model
from engine.access import task_access
from engine.clock import Clock, SystemClock, to_storage
from engine.deadlines import notices, recipients
from engine.errors import N_, AlreadyDone, InvalidInput, NotAllowed, NotFound, PlanflowError, StepFailed
from engine.file_names import safe_filename
from engine.process import actors, incidents, instances, people, step_forms
from engine.process.step_forms import Upload
from engine.text_limits import limited_text
from engine.tasks import arrivals
from engine.unit_of_work import AbstractUnitOfWork, LockedStep
from engine.workflow import StepNotReady, WorkflowRuntime


@dataclass(frozen=True)
class Evidence:
    """What a person judges a step by, read from the task's audit trail and files: the
    latest report with its product, the coordinating units' opinions, and the return
    that no report has answered yet (its reason is what a revision must address)."""

    history: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    report: dict[str, Any] | None = None
    opinions: list[dict[str, Any]] = field(default_factory=list)
    returned: dict[str, Any] | None = None
    assignment: dict[str, Any] | None = None  # the latest assign: handler, co-handlers, instruction, internal deadline


def evidence(history: list[dict[str, Any]], attachments: list[dict[str, Any]]) -> Evidence:
    details = [(event, event.get("detail") or {}) for event in history]
    reports = [event for event, d in details if d.get("result")]
    returns = [event for event, d in details if d.get("decision") == "return"]
    assignments = [event for event, d in details if event["action"] == "step_completed" and "assignee" in d]
    return Evidence(
        assignment=assignments[-1] if assignments else None,
        history=history, attachments=attachments, report=reports[-1] if reports else None,
        opinions=[event for event, d in details if d.get("contribution")],
        returned=returns[-1] if returns and (not reports or _after(returns[-1], reports[-1])) else None,
    )


def _after(event: dict[str, Any], other: dict[str, Any]) -> bool:
    return (event["at"], event["id"]) > (other["at"], other["id"])


@dataclass(frozen=True)
class StepView:
    item: model.WorkItem
    task: model.PlanTask
    plan: model.Plan
    form: str
    choices: list[tuple[int, str]]
    can_act: bool
    state: str
    evidence: Evidence
    reassign_to: list[tuple[int, str]] = field(default_factory=list)  # for the head who may reassign it


def get_step(uow: AbstractUnitOfWork, work_item_id: int, user_id: int) -> StepView:
    """A step of a task `user_id` may read (NotFound otherwise), with what to judge it by."""
    with uow:
        item = uow.work_items.get(work_item_id)
        if item is None:
            raise NotFound(N_("This step does not exist."))
        task = uow.tasks.get(item.plan_task_id)
        plan = uow.plans.get(task.plan_id)
        try:
            task_access.require_readable(uow, user_id, task, plan)
        except NotFound as error:
            raise NotFound(N_("This step does not exist.")) from error
        user = uow.users.get(user_id)
        return StepView(
            item=item, task=task, plan=plan, form=item.form,
            choices=_choices(uow, item), can_act=item.state == "ready" and actors.may_act(user, item),
            state=item.state,
            evidence=evidence(uow.audit.for_task(task.id), uow.attachments.for_task(task.id)),
            reassign_to=_reassign_choices(uow, item, user),
        )


def _reassign_choices(uow: AbstractUnitOfWork, item: model.WorkItem, user: model.User) -> list[tuple[int, str]]:
    """The unit's other people, when `user` heads the unit of the person holding the step."""
    if item.state != "ready" or user.role != "unit_head" or item.assignee_user_id is None:
        return []
    holder = uow.users.get(item.assignee_user_id)
    if holder is None or holder.unit_id != user.unit_id:
        return []
    return [(u.id, u.full_name) for u in uow.users.in_unit(user.unit_id) if u.id != holder.id]


def complete_step(uow: AbstractUnitOfWork, work_item_id: int, user_id: int, fields: dict[str, Any],
                  upload: Upload | None = None, clock: Clock | None = None) -> None:
    """Complete a ready step as `user_id`: validate, run the workflow on, save, audit.

    If the process itself fails (an expression, its stored state), nothing of it is
    saved: the instance gets an incident holding this input, and `StepFailed` says so.
    """
    clock = clock or SystemClock()
    now = clock.now()
    try:
        with uow:
            # Waits for another writer of this instance (a parallel contribution, the
            # sweep), then reads it fresh: its work is kept, and ours goes on top of it.
            locked = uow.instances.lock_step(work_item_id, user_id)
            if locked is None:
                raise NotFound(N_("This step does not exist."))
            item, user = locked.item, locked.user
            if user is None:
                raise NotAllowed(N_("This step is not yours to complete."))
            if item.state != "ready":
                raise AlreadyDone(N_("This step was already completed or has moved on."))
            if not actors.may_act(user, item):
                raise NotAllowed(N_("This step is not yours to complete."))
            unit = _unit_people(uow, item, locked.people)
            choices = _choosable(unit)
            data = step_forms.validate(item.form, fields, upload, choices)
            attachment = _store_upload(uow, item, user, upload, now)
            _finish(uow, locked, user, data, attachment, clock, names=dict(choices))
    except _WorkflowFailed as failure:
        raise StepFailed(_record_failure(uow, failure, upload, now)) from failure.error


def retry_step(uow: AbstractUnitOfWork, incident: dict[str, Any], retried_by: int,
               clock: Clock | None = None) -> None:
    """Complete a step that failed, with the input kept on its incident, as the person
    who gave it (the audit names who retried). `StepFailed` if it fails again."""
    clock = clock or SystemClock()
    now = clock.now()
    try:
        with uow:
            locked = uow.instances.lock_step(incident["work_item_id"], incident["user_id"])
            if locked.item.state != "ready":
                incidents.resolve(uow, locked.instance.id, now, retried_by)
                uow.commit()
                raise AlreadyDone(N_("This step has moved on since it failed; the incident is closed."))
            data = dict(incident["data"] or {})
            attachment = uow.attachments.get(data["product"]) if data.get("product") else None
            _finish(uow, locked, locked.user, data, attachment, clock, retried_by)
    except _WorkflowFailed as failure:
        raise StepFailed(_record_failure(uow, failure, None, now)) from failure.error


class _WorkflowFailed(Exception):
    """The workflow raised while a step was completed: what the incident needs."""

    def __init__(self, error: BaseException, source: str, element: str | None) -> None:
        super().__init__(str(error))
        self.error, self.source, self.element = error, source, element
        self.step: dict[str, Any] = {}


def _finish(uow: AbstractUnitOfWork, locked: LockedStep, user: model.User, data: dict[str, Any],
            attachment: model.Attachment | None, clock: Clock, retried_by: int | None = None,
            names: dict[int, str] | None = None) -> None:
    """Run the step on with `data`, save, audit, commit (the rest of a completion).
    `names`: people's names already at hand (an assign step's choices)."""
    now = clock.now()
    instance, item, task = locked.instance, locked.item, locked.task
    # The people read with the step (the unit's, who may hold the next step; those the
    # rungs may tell): the next step's holders and a late step's notices read no one again.
    known = recipients.read_with_step(task, locked.told, locked.people or (),
                                      item.candidate_unit_id if locked.people is not None else None)
    rt = instances.runtime(uow, clock)  # read before anything changes: no flush of half a step
    if item.form == "assign":
        _name_people(task, data)
    if attachment is not None:
        data["product"] = attachment.id
    # Marked before the index is rewritten, so the sync does not cancel it.
    item.state, item.completed_by, item.completed_at = "completed", user.id, to_storage(now)
    try:
        _run_step(uow, rt, instance, item, task, data, now, locked.items, known)
    except _WorkflowFailed as failure:
        failure.step = {"instance_id": instance.id, "plan_task_id": task.id, "work_item_id": item.id,
                        "user_id": user.id, "data": data}
        raise
    if task.status == "closed":
        arrivals.task_closed(uow, task, user.id, now)
    if data.get("informed"):
        arrivals.people_informed(uow, task, data["informed"], user, now)
    detail = _audit_detail(uow, data, attachment, names or {})
    if retried_by is not None:
        detail["retried_by"] = retried_by
    uow.audit.add_many([model.AuditEvent(
        plan_task_id=task.id, instance_id=item.instance_id, work_item_id=item.id,
        at=to_storage(now), actor_user_id=user.id, action="step_completed",
        step_id=item.step_id, step_name=item.step_name, detail=detail,
    )])
    incidents.resolve_step(uow, locked.incident, item.id, now, retried_by)
    uow.commit()


def _name_people(task: model.PlanTask, data: dict[str, Any]) -> None:
    """The co-handlers and those told for information read the task from now on; an
    internal deadline must come before the task's own."""
    internal = data.get("internal_due")
    if internal and task.due_on and date.fromisoformat(internal) > task.due_on:
        raise InvalidInput({"internal_due": N_("The internal deadline must not be after the task's deadline.")})
    people = {"co_handlers": data.get("co_handlers", []), "informed": data.get("informed", [])}
    # One that names no one leaves a task no assignment named anyone on (JSON null) as
    # it is: both read the same (`task_access.named`), and the write rewrote the task's
    # whole row (on PostgreSQL with its words and their index entries).
    if task.people is not None or people["co_handlers"] or people["informed"]:
        task.people = people


def reassign(uow: AbstractUnitOfWork, work_item_id: int, user_id: int, new_assignee: int | None, reason: str,
             clock: Clock | None = None) -> None:
    """The unit head gives a step held by one of the unit's people to another (or, with
    `new_assignee` None, withdraws it: "thu hồi"), with a reason. The workflow's
    `assignee` changes too, so a later revision goes to the new holder.

    What the step does then is the process's: one that catches the message "reassign"
    starts the step again for the new holder, one that catches "withdraw" takes the work
    back to an assign step of the head's (processes/plan_task.bpmn). A version that
    catches neither (tasks started before) has the step handed over as it stands, a
    withdrawn one to the head."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        item, user = _item_and_user(uow, work_item_id, user_id)
        task = task_access.require_readable(uow, user_id, uow.tasks.get(item.plan_task_id))
        instance = uow.instances.lock(item.instance_id)
        if item.state != "ready":
            raise AlreadyDone(N_("This step was already completed or has moved on."))
        holder = uow.users.get(item.assignee_user_id) if item.assignee_user_id else None
        if user.role != "unit_head" or holder is None or holder.unit_id != user.unit_id:
            raise NotAllowed(N_("Only the head of the unit of the person who holds this step can reassign it."))
        target = uow.users.get(new_assignee) if new_assignee else user
        errors = {}
        if target is None or target.unit_id != user.unit_id or target.id == holder.id or not target.active:
            errors["assignee"] = N_("Choose another member of the unit.")
        reason = limited_text(reason, "reason")
        if not reason:
            errors["reason"] = N_("Say why.")
        if errors:
            raise InvalidInput(errors)
        message = "reassign" if new_assignee else "withdraw"
        rt = instances.runtime(uow, clock)
        wf = instances.load(uow, rt, instance)
        modelled = rt.waits_for(wf, message)
        events = rt.update_data(wf, {"assignee": target.id}) if new_assignee or not modelled else []
        if modelled:
            # The message carries the new holder into the step it starts again; its new
            # work item then tells its holders.
            events += rt.send_message(wf, message, {"assignee": target.id} if new_assignee else {})
        else:
            item.assignee_user_id, item.claimed_by, item.claimed_at = target.id, None, None
        held = instances.save(uow, rt, instance, task, wf, now)
        notices.record(uow, instance, task, events, now, items=held)
        if not modelled:
            arrivals.work_arrived(uow, task, [item], now)  # the step reached the new holder: tell them
        uow.audit.add(model.AuditEvent(
            plan_task_id=task.id, instance_id=item.instance_id, work_item_id=item.id, at=to_storage(now),
            actor_user_id=user.id, action="step_withdrawn" if new_assignee is None else "step_reassigned",
            step_id=item.step_id, step_name=item.step_name,
            detail={"from_name": holder.full_name, "assignee_name": target.full_name, "reason": reason},
        ))
        uow.commit()


def _set_assignee(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask,
                  assignee: int | None, clock: Clock) -> None:
    """Write the workflow's main handler (`assignee`) into every unfinished step, so the
    later steps of the `assignee` actor (a revision) go to them; save, tell the rungs."""
    now = clock.now()
    rt = instances.runtime(uow, clock)
    wf = instances.load(uow, rt, instance)
    events = rt.update_data(wf, {"assignee": assignee})
    held = instances.save(uow, rt, instance, task, wf, now)
    notices.record(uow, instance, task, events, now, items=held)


def claim(uow: AbstractUnitOfWork, work_item_id: int, user_id: int, clock: Clock | None = None) -> None:
    """Take a step that waits for the user's unit role ("nhận xử lý"): from now on it is
    theirs alone, and leaves their colleagues' inboxes until given back. A staff member
    who takes the task the head gave to the unit's staff becomes its main handler."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        item, user = _item_and_user(uow, work_item_id, user_id)
        instance = uow.instances.lock(item.instance_id)  # two people taking it at once: the second is told
        if item.state != "ready" or item.claimed_by is not None:
            raise AlreadyDone(N_("This step was already taken by someone or has moved on."))
        if not actors.may_claim(user, item):
            raise NotAllowed(N_("This step is not yours to take."))
        item.claimed_by, item.claimed_at = user.id, to_storage(now)
        if item.actor == "assignee":
            _set_assignee(uow, instance, uow.tasks.get(item.plan_task_id), user.id, clock)
        _audit_claim(uow, item, user, "step_claimed", now)
        uow.commit()


def unclaim(uow: AbstractUnitOfWork, work_item_id: int, user_id: int, clock: Clock | None = None) -> None:
    """Give a taken step back to the unit ("trả lại"): it waits for the role again (a
    unit item of the main handler has none again until someone takes it)."""
    clock = clock or SystemClock()
    now = clock.now()
    with uow:
        item, user = _item_and_user(uow, work_item_id, user_id)
        instance = uow.instances.lock(item.instance_id)
        if item.state != "ready":
            raise AlreadyDone(N_("This step was already completed or has moved on."))
        if item.claimed_by != user.id:
            raise NotAllowed(N_("Only the person who took this step can give it back."))
        item.claimed_by, item.claimed_at = None, None
        if item.actor == "assignee":
            _set_assignee(uow, instance, uow.tasks.get(item.plan_task_id), None, clock)
        _audit_claim(uow, item, user, "step_unclaimed", now)
        uow.commit()


def _audit_claim(uow: AbstractUnitOfWork, item: model.WorkItem, user: model.User, action: str, now) -> None:
    uow.audit.add(model.AuditEvent(
        plan_task_id=item.plan_task_id, instance_id=item.instance_id, work_item_id=item.id, at=to_storage(now),
        actor_user_id=user.id, action=action, step_id=item.step_id, step_name=item.step_name,
    ))


def _run_step(uow: AbstractUnitOfWork, rt: WorkflowRuntime, instance: model.ProcessInstance,
              item: model.WorkItem, task: model.PlanTask, data: dict[str, Any], now,
              items: list[model.WorkItem], known: people.People) -> None:
    try:
        wf = instances.load(uow, rt, instance)
    except PlanflowError:
        raise
    except Exception as error:  # noqa: BLE001 - an unreadable state: an incident, not a 500
        raise _WorkflowFailed(error, "load", None) from error
    try:
        events, waiting = rt.complete_with_steps(wf, item.task_uuid, data)
    except StepNotReady as error:
        raise AlreadyDone(N_("This step was already completed or has moved on.")) from error
    except PlanflowError:
        raise
    except Exception as error:  # noqa: BLE001 - e.g. an expression of the process that raises
        raise _WorkflowFailed(error, "step", incidents.element_of(error, item.step_id)) from error
    # The new items written with the step's arrivals and audit line, at its commit: on
    # PostgreSQL one statement, their ids read there.
    held = instances.save(uow, rt, instance, task, wf, now, items, known, waiting, later=True)
    # Stored: its tree freed now, not left to the collector's oldest generation, whose
    # collections walk the whole heap (a step's collections took 1.4 ms a step, 0.6 freed).
    rt.release(wf)
    # The next step's rungs already past (a late completion, a return past the date)
    # fired at once: tell people, merged.
    notices.record(uow, instance, task, events, now, items=held, known=known)


def _record_failure(uow: AbstractUnitOfWork, failure: _WorkflowFailed, upload: Upload | None, now) -> int:
    """The incident, in a transaction of its own (the step's was rolled back); the
    upload is stored again so that a retry has the product. Its id."""
    step = failure.step
    with uow:
        instance = uow.instances.lock(step["instance_id"])
        data = dict(step["data"])
        if upload is not None and upload.filename:
            item, user = uow.work_items.get(step["work_item_id"]), uow.users.get(step["user_id"])
            data["product"] = _store_upload(uow, item, user, upload, now).id
        row = incidents.record(uow, instance.id, step["plan_task_id"], failure.source, failure.element,
                               failure.error, now, work_item_id=step["work_item_id"], user_id=step["user_id"],
                               data=data)
        uow.commit()
    return row["id"]


def _item_and_user(uow: AbstractUnitOfWork, work_item_id: int, user_id: int):
    item = uow.work_items.get(work_item_id)
    if item is None:
        raise NotFound(N_("This step does not exist."))
    user = uow.users.get(user_id)
    if user is None:
        raise NotAllowed(N_("This step is not yours to complete."))
    return item, user


def _choices(uow: AbstractUnitOfWork, item: model.WorkItem) -> list[tuple[int, str]]:
    """For an assign step, whom it may name."""
    return _choosable(_unit_people(uow, item))


def _unit_people(uow: AbstractUnitOfWork, item: model.WorkItem,
                 read: list[model.User] | None = None) -> people.People | None:
    """For an assign step, the active people of the unit it waits for: whom it may name,
    and who may hold the step it makes (kept, so they are not read again); `read`: those
    read with the step (`LockedStep.people`)."""
    if item.form != "assign" or item.candidate_unit_id is None:
        return None
    found = read if read is not None else uow.users.in_unit(item.candidate_unit_id)
    return people.People(found, units=[item.candidate_unit_id])


def _choosable(unit: people.People | None) -> list[tuple[int, str]]:
    """The unit's staff and head, in the order they were read."""
    return [(u.id, u.full_name) for u in unit or () if u.role in ("staff", "unit_head")]


def _store_upload(uow: AbstractUnitOfWork, item: model.WorkItem, user: model.User,
                  upload: Upload | None, now) -> model.Attachment | None:
    if upload is None or not upload.filename:
        return None
    attachment = model.Attachment(
        plan_task_id=item.plan_task_id, work_item_id=item.id, filename=safe_filename(upload.filename),
        content_type=upload.content_type or "application/octet-stream", data=upload.data,
        size=len(upload.data), uploaded_at=to_storage(now), uploaded_by=user.id,
    )
    uow.attachments.add(attachment)
    uow.flush()
    return attachment


def _audit_detail(uow: AbstractUnitOfWork, data: dict[str, Any], attachment: model.Attachment | None,
                  known: dict[int, str]) -> dict[str, Any]:
    detail = dict(data)
    if "assignee" in data:
        named = [u for u in (data["assignee"], *data.get("co_handlers", []), *data.get("informed", []))
                 if u is not None]  # None: given to the unit's staff
        names = known if set(named) <= known.keys() else uow.users.names(named)
        detail["assignee_name"] = names.get(data["assignee"])
        detail["co_handler_names"] = [names.get(u) for u in data.get("co_handlers", [])]
        detail["informed_names"] = [names.get(u) for u in data.get("informed", [])]
    if attachment is not None:
        detail["product_name"] = attachment.filename
    return detail
