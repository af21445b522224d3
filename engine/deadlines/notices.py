"""Deadline notices: a fired BPMN rung becomes one notice per recipient.

The runtime reports a `NoticeEvent` (step, rung, deadline) when a timer's branch
reaches an element with `planflow:notice`. Here it becomes rows of `notices`, one
per recipient (`recipients.py`), keyed on (instance, step task, rung, deadline,
recipient) and inserted only when absent: a re-armed timer (a loop back, a second
scheduler worker, a restart) never notifies twice. Each new notice is in the task's
audit trail (`notice_<rung>`) and carries its mail (`mail_text.py`), which the
outbox (`outbox.py`) sends.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Iterable

from engine import model
from engine.clock import Clock, SystemClock, office_date, to_storage
from engine.deadlines.mail_text import compose
from engine.deadlines.recipients import recipients as recipients_of
from engine.deadlines.working_days import WorkingCalendar
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import NoticeEvent

log = logging.getLogger(__name__)


def record(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask,
           events: Iterable[NoticeEvent], now: datetime, cal: WorkingCalendar | None = None) -> int:
    """Turn notice events into notices (new ones only); return how many were new.

    Call after `instances.save`, so that a step the call just created has its work item.
    """
    events = list(events)
    if not events:
        return 0
    cal = cal or instances.calendar(uow)
    plan = uow.plans.get(task.plan_id)
    return sum(_record_one(uow, instance, task, plan, event, now, cal) for event in events)


def _record_one(uow: AbstractUnitOfWork, instance: model.ProcessInstance, task: model.PlanTask,
                plan: model.Plan, event: NoticeEvent, now: datetime, cal: WorkingCalendar) -> int:
    holder = uow.notices.step_holder(instance.id, event.step_task_id) if event.step_task_id else None
    recipients = recipients_of(uow, event.rung, task, holder)
    due = _as_date(event.due)
    late = cal.working_days_between(due, office_date(now)) if due else None
    step_name = (holder or {}).get("step_name") or event.step_id or ""
    told: list[model.User] = []
    for user in recipients:
        subject, body = compose(event.rung, user, task, plan, step_name, due, late)
        values = {
            "key": _key(instance.id, event, user.id), "plan_task_id": task.id, "instance_id": instance.id,
            "step_task_id": event.step_task_id, "step_id": event.step_id, "step_name": step_name,
            "rung": event.rung, "due": due, "days_late": late, "recipient_user_id": user.id,
            "created_at": to_storage(now), "subject": subject, "body": body, "email_to": user.email or None,
            "email_state": "pending" if user.email else "none", "attempts": 0,
            "next_attempt_at": to_storage(now) if user.email else None,
        }
        if uow.notices.add_if_absent(values) is not None:
            told.append(user)
    if told:  # audited once, with everyone told, by whoever inserted the notices
        uow.audit.add(model.AuditEvent(
            plan_task_id=task.id, instance_id=instance.id, work_item_id=(holder or {}).get("id"),
            at=to_storage(now), action=f"notice_{event.rung}", step_id=event.step_id, step_name=step_name,
            detail={"rung": event.rung, "due": due.isoformat() if due else None, "days_late": late,
                    "recipients": [u.full_name for u in told], "recipient_ids": [u.id for u in told]},
        ))
    elif not recipients:
        log.warning("notice %s of task %s has nobody to tell", event.rung, task.id)
    return len(told)


def _key(instance_id: int, event: NoticeEvent, user_id: int) -> str:
    return f"{instance_id}:{event.step_task_id}:{event.rung}:{event.due or '-'}:{user_id}"


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
