"""Deadline notices: fired BPMN rungs become one notice per recipient and step.

The runtime reports a `NoticeEvent` (step, rung, deadline) when a timer's branch
reaches an element with `planflow:notice`. Here the events of one call become rows
of `notices`: the rungs that came due together are merged, one notice per recipient
(`recipients.py`) and step, named for its highest rung and saying how late the step
is; keyed on (instance, step, rung, deadline, recipient) and inserted only when
absent: a re-armed timer (a loop back, a second scheduler worker, a restart) never
notifies twice. Each new notice is in the task's audit trail (`notice_<rung>`, with
the rungs it covers) and carries its mail (`mail_text.py`), which the outbox
(`outbox.py`) sends.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from engine import model
from engine.clock import Clock, SystemClock, office_date, to_storage
from engine.deadlines.mail_text import compose
from engine.deadlines.recipients import RUNGS, Directory, want
from engine.deadlines.recipients import recipients as recipients_of
from engine.deadlines.working_days import WorkingCalendar
from engine.process import instances, people
from engine.unit_of_work import AbstractUnitOfWork, id_of
from engine.workflow import NoticeEvent

log = logging.getLogger(__name__)


@dataclass
class _Told:
    """What one recipient is told about one step: every rung that came due at once."""

    user: model.User
    event: NoticeEvent  # of the highest rung: its step names the notice
    step: model.WorkItem | None  # the step's work item, for its name
    rungs: list[str]


@dataclass
class _Call:
    """The notice events of one instance's call, with the work items of their steps."""

    instance: model.ProcessInstance
    task: model.PlanTask
    events: list[NoticeEvent]
    steps: dict[str, model.WorkItem | None]


def record(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask,
           events: Iterable[NoticeEvent], now: datetime, cal: WorkingCalendar | None = None,
           items: Iterable[model.WorkItem] = (), known: people.People | None = None) -> int:
    """Turn the notice events of one call into notices (new ones only); return how many.

    Rungs that came due together (a late start, a return past the date, a sweep after
    days down) are merged: each recipient gets ONE notice per step, named for the
    highest rung and saying how late the step is; a rung the timer raised for every
    open instance of a multi-instance step tells a unit head once, not once per
    instance. Call after `instances.save`, so that a step the call just created has its
    work item; `items`: the work items `save` returned, so that the steps' items are
    not read again (a step's item not among them is looked up); `known`: people the
    caller read already (a step's, `recipients.read_with_step`), not read again when
    they answer for every recipient.
    """
    batch = Batch(uow, now, cal, known)
    batch.add(instance, task, events, items)
    return batch.write()


class Batch:
    """The notices of several calls (a sweep batch's instances), written together: their
    recipients read in one query, their rows inserted in one statement, then the
    audit lines of the rows that were new."""

    def __init__(self, uow: AbstractUnitOfWork, now: datetime, cal: WorkingCalendar | None = None,
                 known: people.People | None = None) -> None:
        self.uow, self.now, self.cal, self.known = uow, now, cal, known
        self.calls: list[_Call] = []

    def add(self, instance: model.ProcessInstance, task: model.PlanTask, events: Iterable[NoticeEvent],
            items: Iterable[model.WorkItem] = ()) -> None:
        """The events of one call on `instance`; `items`: its work items already at hand
        (a step's item not among them is looked up)."""
        events = list(events)
        if not events:
            return
        known = {item.task_uuid: item for item in items}
        steps = {}
        for event in events:
            uuid = event.step_task_id
            if uuid and uuid not in steps:
                steps[uuid] = known[uuid] if uuid in known else self.uow.work_items.for_step(instance.id, uuid)
        self.calls.append(_Call(instance, task, events, steps))

    def write(self) -> int:
        """Insert the notices not yet recorded, audit them; how many were new."""
        if not self.calls:
            return 0
        cal = self.cal or instances.calendar(self.uow)
        wanted = people.Wanted()
        for call in self.calls:
            for event in call.events:
                want(wanted, event.rung, call.task, call.steps.get(event.step_task_id))
        directory = people.load(self.uow, wanted, self.known)
        rows, told = [], []
        for call in self.calls:
            plan = self.uow.plans.get(call.task.plan_id)
            for one in _group(directory, call).values():
                rows.append(_row(call, plan, one, self.now, cal))
                told.append((call, one))
        inserted = self.uow.notices.add_many_if_absent(rows)
        new: dict[int, list[_Told]] = {}
        for row, (call, one) in zip(rows, told):
            if row["key"] in inserted:
                new.setdefault(id(call), []).append(one)
        lines = [line for call in self.calls for line in _audit(call, new.get(id(call), []), self.now, cal)]
        self.uow.audit.add_many(lines)
        return sum(len(group) for group in new.values())


def _group(directory: Directory, call: _Call) -> dict[tuple[str | None, str | None, int], _Told]:
    """One `_Told` per step, deadline and recipient: the rungs of one call merged."""
    told: dict[tuple[str | None, str | None, int], _Told] = {}
    for event in call.events:
        step = call.steps.get(event.step_task_id) if event.step_task_id else None
        found = recipients_of(directory, event.rung, call.task, step)
        if not found:
            log.warning("notice %s of task %s has nobody to tell", event.rung, call.task.id)
        for user in found:
            key = (_step_of(event), event.due, user.id)
            group = told.get(key)
            if group is None:
                told[key] = _Told(user, event, step, [event.rung])
            elif event.rung not in group.rungs:
                group.rungs.append(event.rung)
                if _rank(event.rung) > _rank(group.event.rung):
                    group.event, group.step = event, step
    return told


def _step_of(event: NoticeEvent) -> str | None:
    """The step a notice is about: a multi-instance step as a whole, else the step."""
    return event.activity_task_id or event.step_task_id


def _rank(rung: str) -> int:
    return RUNGS.index(rung) if rung in RUNGS else -1


def _row(call: _Call, plan: model.Plan, told: _Told, now: datetime, cal: WorkingCalendar) -> dict[str, Any]:
    """The notice's row, with its mail."""
    event, user, instance, task = told.event, told.user, call.instance, call.task
    due, today = _as_date(event.due), office_date(now)
    late = cal.working_days_between(due, today) if due else None
    step_name = _step_name(told.step, event)
    subject, body = compose(event.rung, user, task, plan, step_name, due, late, today)
    return {
        "key": _key(instance.id, event, user.id), "plan_task_id": task.id, "instance_id": instance.id,
        "step_task_id": event.step_task_id, "step_id": event.step_id, "step_name": step_name,
        "rung": event.rung, "due": due, "days_late": late, "recipient_user_id": user.id,
        "created_at": to_storage(now), "subject": subject, "body": body, "email_to": user.email or None,
        "email_state": "pending" if user.email else "none", "attempts": 0,
        "next_attempt_at": to_storage(now) if user.email else None,
    }


def _audit(call: _Call, new: list[_Told], now: datetime, cal: WorkingCalendar) -> list[model.AuditEvent]:
    """One history line per step and rung told, with everyone told, by whoever inserted them."""
    instance, task = call.instance, call.task
    found = []
    lines: dict[tuple[str | None, str], list[_Told]] = {}
    for told in new:
        lines.setdefault((_step_of(told.event), told.event.rung), []).append(told)
    for (_, rung), group in lines.items():
        event, due = group[0].event, _as_date(group[0].event.due)
        found.append(model.AuditEvent(
            plan_task_id=task.id, instance_id=instance.id, work_item_id=id_of(group[0].step) if group[0].step else None,
            at=to_storage(now), action=f"notice_{rung}", step_id=event.step_id,
            step_name=_step_name(group[0].step, event),
            detail={"rung": rung, "rungs": sorted({r for t in group for r in t.rungs}, key=_rank),
                    "due": due.isoformat() if due else None,
                    "days_late": cal.working_days_between(due, office_date(now)) if due else None,
                    "recipients": [t.user.full_name for t in group], "recipient_ids": [t.user.id for t in group]},
        ))
    return found


def _step_name(step: model.WorkItem | None, event: NoticeEvent) -> str:
    return (step.step_name if step else None) or event.step_id or ""


def _key(instance_id: int, event: NoticeEvent, user_id: int) -> str:
    return f"{instance_id}:{_step_of(event)}:{event.rung}:{event.due or '-'}:{user_id}"


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])



# -- reading ---------------------------------------------------------------------


def unread_count(uow: AbstractUnitOfWork, user_id: int) -> int:
    with uow:
        return uow.notices.unread_count(user_id)


def mark_read(uow: AbstractUnitOfWork, user_id: int, notice_id: int | None = None,
              clock: Clock | None = None) -> None:
    with uow:
        uow.notices.mark_read(user_id, to_storage((clock or SystemClock()).now()), notice_id)
        uow.commit()
