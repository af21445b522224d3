"""Deadline notices: a fired BPMN rung becomes one notice per recipient, and a mail.

The runtime reports a `NoticeEvent` (step, rung, deadline) when a timer's branch
reaches an element with `planflow:notice`. Here it becomes rows of `notices`, one
per recipient, keyed on (instance, step task, rung, deadline, recipient) and
inserted only when absent: a re-armed timer (a loop back, a second scheduler
worker, a restart) never notifies twice. Each new notice is in the task's audit
trail (`notice_<rung>`). Mail is an outbox: the row carries its e-mail state and
`send_pending` delivers it, retrying with backoff, stopping on permanent errors.

Who is told, by rung (the BPMN names the rung, this module names the people):
holder → the step's holder (its assignee, or the users of its unit+role);
unit_head → the heads of the task's lead unit(s); director → the task's
directing leader, else every leader.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from engine import model
from engine.clock import Clock, SystemClock, office_date, to_storage
from engine.deadlines.mailer import Mailer, MailError, OutgoingMail
from engine.deadlines.working_days import WorkingCalendar
from engine.process import instances
from engine.unit_of_work import AbstractUnitOfWork
from engine.workflow import NoticeEvent

log = logging.getLogger(__name__)

RUNGS = ("holder", "unit_head", "director")
MAX_ATTEMPTS = 8
MAIL_LEASE = timedelta(minutes=5)  # far longer than one SMTP exchange (10 s time-out)
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """Where links in mails point: `PLANFLOW_BASE_URL`, the address people open."""
    return os.environ.get("PLANFLOW_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


# -- recording -------------------------------------------------------------------


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
    recipients = _recipients(uow, event.rung, task, holder)
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


def _recipients(uow: AbstractUnitOfWork, rung: str, task: model.PlanTask,
                holder: dict[str, Any] | None) -> list[model.User]:
    if rung == "holder":
        return _holders(uow, holder)
    if rung == "unit_head":
        return _unique(u for unit_id in task.unit_ids("lead") for u in uow.users.in_unit(unit_id, "unit_head"))
    if rung == "director":
        director = uow.users.get(task.director_user_id) if task.director_user_id else None
        return [director] if director is not None and director.active else uow.users.with_role("leader")
    log.warning("unknown notice rung %r (planflow:notice in the BPMN)", rung)
    return []


def _holders(uow: AbstractUnitOfWork, holder: dict[str, Any] | None) -> list[model.User]:
    if holder is None:
        return []
    if holder["assignee_user_id"]:
        user = uow.users.get(holder["assignee_user_id"])
        return [user] if user is not None else []
    if holder["candidate_unit_id"]:
        return uow.users.in_unit(holder["candidate_unit_id"], holder["candidate_role"])
    return uow.users.with_role(holder["candidate_role"]) if holder["candidate_role"] else []


def _unique(users: Iterable[model.User]) -> list[model.User]:
    seen: dict[int, model.User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# -- the mail's text (Vietnamese: the readers are Vietnamese officials) --------------

_LEADS = {
    "holder": "Nhắc việc: bước “{step}” của nhiệm vụ dưới đây sắp đến hạn.",
    "unit_head": "Nhiệm vụ do đơn vị đồng chí chủ trì đã quá hạn ở bước “{step}”.",
    "director": "Báo cáo lãnh đạo: nhiệm vụ đồng chí chỉ đạo đã quá hạn ở bước “{step}”.",
}
_SUBJECTS = {
    "holder": "[planflow] Nhắc việc: nhiệm vụ {ref} đến hạn ngày {due}",
    "unit_head": "[planflow] Trễ hạn: nhiệm vụ {ref} ({late})",
    "director": "[planflow] Báo cáo lãnh đạo: nhiệm vụ {ref} trễ hạn ({late})",
}


def lateness_text(late: int | None) -> str:
    if late is None:
        return "chưa có hạn"
    if late > 0:
        return f"đã trễ hạn {late} ngày làm việc"
    if late == 0:
        return "đến hạn hôm nay"
    return f"còn {-late} ngày làm việc"


def compose(rung: str, user: model.User, task: model.PlanTask, plan: model.Plan, step_name: str,
            due: date | None, late: int | None) -> tuple[str, str]:
    due_text = due.strftime("%d/%m/%Y") if due else "chưa có"
    plan_name = " – ".join(x for x in (plan.number and f"Kế hoạch số {plan.number}", plan.title) if x)
    subject = _SUBJECTS.get(rung, _SUBJECTS["holder"]).format(ref=task.ref, due=due_text, late=lateness_text(late))
    body = "\n".join([
        f"Kính gửi đồng chí {user.full_name},",
        "",
        _LEADS.get(rung, _LEADS["holder"]).format(step=step_name),
        "",
        f"Nhiệm vụ: {task.ref}. {task.title}",
        f"Thuộc: {plan_name}",
        f"Hạn: {due_text} ({lateness_text(late)})",
        f"Xem và xử lý: {base_url()}/tasks/{task.id}",
        "",
        "Thư này do planflow gửi tự động; xin đừng trả lời thư này.",
    ])
    return subject, body


# -- the outbox ------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def send_pending(uow_factory: Callable[[], AbstractUnitOfWork], mailer: Mailer,
                 clock: Clock | None = None, limit: int = 500, lease: timedelta = MAIL_LEASE) -> SendResult:
    """Send the mails whose time has come: claim, send, record, one mail at a time.

    A mail is claimed (a lease: this worker, until now + `lease`) and the claim is
    committed before it is sent; its outcome is recorded after. Another worker never
    takes a mail whose lease runs, so two workers never send it twice; a worker that
    dies between sending and recording leaves the lease to run out, and only then is
    the mail sent again, with the same Message-ID (the reader's mail program can tell).
    """
    clock = clock or SystemClock()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    result = SendResult()
    for _ in range(limit):
        now = to_storage(clock.now())
        with uow_factory() as uow:
            row = uow.notices.claim_mail(now, owner, now + lease)
            if row is None:
                break
            uow.commit()
        outcome = _send_one(mailer, row, now, result)
        with uow_factory() as uow:
            if not uow.notices.finish_mail(row["id"], owner, **outcome):
                log.warning("mail of notice %s outlived its lease; another worker has it now", row["id"])
            uow.commit()
    return result


def message_id(row: dict[str, Any]) -> str:
    """The mail's Message-ID (left of the @): the same for every send of one notice."""
    return f"notice-{row['id']}.{hashlib.sha256(row['key'].encode()).hexdigest()[:16]}"


def _send_one(mailer: Mailer, row: dict[str, Any], now: datetime, result: SendResult) -> dict[str, Any]:
    """Send one claimed mail; the state to record."""
    attempts = row["attempts"] + 1
    try:
        mailer.send(OutgoingMail(to=row["email_to"], subject=row["subject"], body_text=row["body"],
                                 message_id=message_id(row)))
    except MailError as error:
        give_up = error.permanent or attempts >= MAX_ATTEMPTS
        result.failed += give_up
        result.retrying += not give_up
        log.warning("mail of notice %s failed (attempt %s): %s", row["id"], attempts, error)
        return {"attempts": attempts, "last_error": str(error)[:1000],
                "email_state": "failed" if give_up else "pending",
                "next_attempt_at": None if give_up else now + backoff(attempts)}
    result.sent += 1
    return {"attempts": attempts, "email_state": "sent", "sent_at": now, "next_attempt_at": None,
            "last_error": None}


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


def mail_problems(uow: AbstractUnitOfWork) -> list[dict[str, Any]]:
    with uow:
        return uow.notices.mail_problems()
