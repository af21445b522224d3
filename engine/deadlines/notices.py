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
from engine.deadlines.recipients import RUNGS
from engine.deadlines.recipients import recipients as recipients_of
from engine.deadlines.working_days import WorkingCalendar
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import NoticeEvent

log = logging.getLogger(__name__)


@dataclass
class _Told:
    """What one recipient is told about one step: every rung that came due at once."""

    user: model.User
    event: NoticeEvent  # of the highest rung: its step names the notice
    step: model.WorkItem | None  # the step's work item, for its name
    rungs: list[str]


def record(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask,
           events: Iterable[NoticeEvent], now: datetime, cal: WorkingCalendar | None = None) -> int:
    """Turn the notice events of one call into notices (new ones only); return how many.

    Rungs that came due together (a late start, a return past the date, a sweep after
    days down) are merged: each recipient gets ONE notice per step, named for the
    highest rung and saying how late the step is; a rung the timer raised for every
    open instance of a multi-instance step tells a unit head once, not once per
    instance. Call after `instances.save`, so that a step the call just created has its
    work item.
    """
    events = list(events)
    if not events:
        return 0
    cal = cal or instances.calendar(uow)
    plan = uow.plans.get(task.plan_id)
    told: dict[tuple[str | None, str | None, int], _Told] = {}
    for event in events:
        step = uow.work_items.for_step(instance.id, event.step_task_id) if event.step_task_id else None
        people = recipients_of(uow, event.rung, task, step)
        if not people:
            log.warning("notice %s of task %s has nobody to tell", event.rung, task.id)
        for user in people:
            key = (_step_of(event), event.due, user.id)
            group = told.get(key)
            if group is None:
                told[key] = _Told(user, event, step, [event.rung])
            elif event.rung not in group.rungs:
                group.rungs.append(event.rung)
                if _rank(event.rung) > _rank(group.event.rung):
                    group.event, group.step = event, step
    new = [one for one in told.values() if _insert(uow, instance, task, plan, one, now, cal)]
    _audit(uow, instance, task, new, now, cal)
    return len(new)


def _step_of(event: NoticeEvent) -> str | None:
    """The step a notice is about: a multi-instance step as a whole, else the step."""
    return event.activity_task_id or event.step_task_id


def _rank(rung: str) -> int:
    return RUNGS.index(rung) if rung in RUNGS else -1


def _insert(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask, plan: model.Plan,
            told: _Told, now: datetime, cal: WorkingCalendar) -> bool:
    event, user = told.event, told.user
    due, today = _as_date(event.due), office_date(now)
    late = cal.working_days_between(due, today) if due else None
    step_name = _step_name(told.step, event)
    subject, body = compose(event.rung, user, task, plan, step_name, due, late, today)
    values = {
        "key": _key(instance.id, event, user.id), "plan_task_id": task.id, "instance_id": instance.id,
        "step_task_id": event.step_task_id, "step_id": event.step_id, "step_name": step_name,
        "rung": event.rung, "due": due, "days_late": late, "recipient_user_id": user.id,
        "created_at": to_storage(now), "subject": subject, "body": body, "email_to": user.email or None,
        "email_state": "pending" if user.email else "none", "attempts": 0,
        "next_attempt_at": to_storage(now) if user.email else None,
    }
    return uow.notices.add_if_absent(values) is not None


def _audit(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask, new: list[_Told],
           now: datetime, cal: WorkingCalendar) -> None:
    """One history line per step and rung told, with everyone told, by whoever inserted them."""
    lines: dict[tuple[str | None, str], list[_Told]] = {}
    for told in new:
        lines.setdefault((_step_of(told.event), told.event.rung), []).append(told)
    for (_, rung), group in lines.items():
        event, due = group[0].event, _as_date(group[0].event.due)
        uow.audit.add(model.AuditEvent(
            plan_task_id=task.id, instance_id=instance.id, work_item_id=group[0].step.id if group[0].step else None,
            at=to_storage(now), action=f"notice_{rung}", step_id=event.step_id,
            step_name=_step_name(group[0].step, event),
            detail={"rung": rung, "rungs": sorted({r for t in group for r in t.rungs}, key=_rank),
                    "due": due.isoformat() if due else None,
                    "days_late": cal.working_days_between(due, office_date(now)) if due else None,
                    "recipients": [t.user.full_name for t in group], "recipient_ids": [t.user.id for t in group]},
        ))


def _step_name(step: model.WorkItem | None, event: NoticeEvent) -> str:
    return (step.step_name if step else None) or event.step_id or ""


def _key(instance_id: int, event: NoticeEvent, user_id: int) -> str:
    return f"{instance_id}:{_step_of(event)}:{event.rung}:{event.due or '-'}:{user_id}"


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])



# -- reading ---------------------------------------------------------------------


def for_user(uow: AbstractUnitOfWork, user_id: int) -> list[dict[str, Any]]:
    with uow:
        return uow.notices.for_user(user_id)


def unread_count(uow: AbstractUnitOfWork, user_id: int) -> int:
    with uow:
        return uow.notices.unread_count(user_id)


def mark_read(uow: AbstractUnitOfWork, user_id: int, notice_id: int | None = None,
              clock: Clock | None = None) -> None:
    with uow:
        uow.notices.mark_read(user_id, to_storage((clock or SystemClock()).now()), notice_id)
        uow.commit()
