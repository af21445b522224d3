"""Work arrivals: every person is told, in the app and by mail, when work reaches them.

Events, and who is told:
- a step lands in an inbox (`processes.save` made its work item): its holder — the
  named assignee, else the people of its unit and role. The kind says what arrived:
  `task` (a task for the lead unit to assign), `assigned` (a report to write),
  `contribute` (a contribution asked of a coordinating unit), `co_handle` (a
  co-handler's part), `returned` (a report
  sent back), `review` (a report to review), `step` (a designer's own step);
- an extension request waits for its approver (`ext_asked`): the approver;
- an extension was decided (`ext_decided`): the requester, with the refusal's reason;
- a task was closed (`closed`): the people who held its steps and its lead units'
  heads, not the person who closed it;
- a task was assigned naming people for information (`informed`): each of them.

Each becomes one `arrivals` row per recipient, keyed on (kind, object, recipient)
and inserted only when absent, so a retried transaction tells nobody twice. Mail: a
person who chose the daily digest (`User.notice_mail == "digest"`) gets the day's
arrivals in one mail the next morning (`send_digests`); everyone else one mail per
arrival (`send_pending`: the deadline notices' outbox, its lease and retries).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable

from engine import model
from engine.clock import OFFICE_TZ, Clock, SystemClock, office_date, to_storage
from engine.deadlines import mail_text, outbox
from engine.deadlines.mailer import MailError, Mailer, OutgoingMail
from engine.deadlines.recipients import Directory
from engine.errors import N_, InvalidInput, NotFound
from engine.process import actors, people
from engine.unit_of_work import AbstractUnitOfWork, NewId, id_of

log = logging.getLogger(__name__)

EACH, DIGEST = "each", "digest"
MAIL_CHOICES = (EACH, DIGEST)

# What each kind says, to its reader ("đồng chí": the one form of address).
_LEADS = {
    "task": "Đơn vị đồng chí được giao chủ trì nhiệm vụ dưới đây; đề nghị đồng chí phân công người thực hiện.",
    "assigned": "Đồng chí được giao thực hiện và báo cáo nhiệm vụ dưới đây.",
    "contribute": "Đơn vị đồng chí được đề nghị phối hợp, gửi ý kiến cho nhiệm vụ dưới đây.",
    "co_handle": "Đồng chí được phân công phối hợp xử lý nhiệm vụ dưới đây; đề nghị đồng chí gửi phần việc, ý kiến của mình.",
    "returned": "Báo cáo nhiệm vụ dưới đây đã được trả lại; đề nghị đồng chí hoàn thiện và gửi lại.",
    "review": "Có báo cáo nhiệm vụ dưới đây chờ đồng chí xem xét, kết luận.",
    "step": "Có bước “{step}” của nhiệm vụ dưới đây chờ đồng chí xử lý.",
    "ext_asked": "Đồng chí {who} xin gia hạn bước “{step}” của nhiệm vụ dưới đây, từ {old} đến {new}. Lý do: {reason}",
    "ext_accepted": "Đề nghị gia hạn bước “{step}” của đồng chí đã được chấp thuận: hạn mới là {new}.",
    "ext_refused": "Đề nghị gia hạn bước “{step}” của đồng chí không được chấp thuận. Lý do: {reason}",
    "closed": "Nhiệm vụ dưới đây đã được kết luận hoàn thành và đóng lại.",
    "informed": "Đồng chí {who} đã phân công nhiệm vụ dưới đây và gửi đồng chí để biết, theo dõi.",
}
_SUBJECTS = {
    "task": "Việc mới: phân công nhiệm vụ {ref}",
    "assigned": "Việc mới: nhiệm vụ {ref}",
    "contribute": "Đề nghị phối hợp: nhiệm vụ {ref}",
    "co_handle": "Phối hợp xử lý: nhiệm vụ {ref}",
    "returned": "Báo cáo bị trả lại: nhiệm vụ {ref}",
    "review": "Báo cáo chờ xem xét: nhiệm vụ {ref}",
    "step": "Việc mới: nhiệm vụ {ref}",
    "ext_asked": "Đề nghị gia hạn chờ quyết định: nhiệm vụ {ref}",
    "ext_accepted": "Đã chấp thuận gia hạn: nhiệm vụ {ref}",
    "ext_refused": "Không chấp thuận gia hạn: nhiệm vụ {ref}",
    "closed": "Nhiệm vụ {ref} đã hoàn thành",
    "informed": "Để biết: nhiệm vụ {ref}",
}


# -- events ----------------------------------------------------------------------


def work_arrived(uow: AbstractUnitOfWork, task: model.PlanTask, items: Iterable[model.WorkItem],
                 now: datetime, known: people.People | None = None) -> None:
    """New ready steps (work items with ids): tell their holders."""
    steps_arrived(uow, [(task, list(items))], now, known)


def steps_arrived(uow: AbstractUnitOfWork, arrived: Iterable[tuple[model.PlanTask, list[model.WorkItem]]],
                  now: datetime, known: people.People | None = None) -> None:
    """New ready steps of several tasks (a sweep batch's): their holders read in one
    query (none when `known`, people already read, holds them all), every arrival
    inserted in one statement, with the unit of work's next write."""
    arrived = [(task, items) for task, items in arrived if items]
    if not arrived:
        return
    wanted = people.Wanted()
    for _, items in arrived:
        for item in items:
            wanted.holder(_named(item))
    directory = people.load(uow, wanted, known)
    rows = []
    plans: dict[int, model.Plan] = {}  # a plan's tasks arrive together: it is read once
    for task, items in arrived:
        if task.plan_id not in plans:
            plans[task.plan_id] = uow.plans.get(task.plan_id)
        plan = plans[task.plan_id]
        for item in items:
            kind = step_kind(item)
            for user in holders(directory, item):
                # (Its id given with the unit of work's next write, when not yet: `id_of`.)
                rows.append(_row(kind, id_of(item, (f"{kind}:item:", f":{user.id}")), user, task, plan, now,
                                 work_item_id=id_of(item), step_name=item.step_name, due=item.due_on,
                                 words={"step": item.step_name}))
    uow.arrivals.add_many_later(rows)


def extension_asked(uow: AbstractUnitOfWork, request: dict[str, Any], now: datetime) -> None:
    """An extension request waits: tell the approver (a person, or a unit's role)."""
    task = uow.tasks.get(request["plan_task_id"])
    plan = uow.plans.get(task.plan_id)
    asker = uow.users.get(request["requested_by"])
    words = {"who": asker.full_name if asker else "", "step": request["step_name"], "old": _day(request["old_due"]),
             "new": _day(request["new_due"]), "reason": request["reason"]}
    for user in _approvers(uow, request):
        _tell(uow, "ext_asked", f"ext:{request['id']}", user, task, plan, now, extension_request_id=request["id"],
              step_name=request["step_name"], due=request["new_due"], words=words)


def extension_decided(uow: AbstractUnitOfWork, request: dict[str, Any], accepted: bool, reason: str,
                      now: datetime) -> None:
    """Tell the requester the decision; a refusal says why."""
    task = uow.tasks.get(request["plan_task_id"])
    plan = uow.plans.get(task.plan_id)
    asker = uow.users.get(request["requested_by"])
    if asker is None or not asker.active:
        return
    kind = "ext_accepted" if accepted else "ext_refused"
    _tell(uow, kind, f"ext:{request['id']}", asker, task, plan, now, extension_request_id=request["id"],
          step_name=request["step_name"], due=request["new_due"] if accepted else request["old_due"],
          words={"step": request["step_name"], "new": _day(request["new_due"]), "reason": reason})


def task_closed(uow: AbstractUnitOfWork, task: model.PlanTask, closed_by: int | None, now: datetime) -> None:
    """The monitor closed the task: tell the people who worked on it and its lead units' heads."""
    plan = uow.plans.get(task.plan_id)
    people = set(uow.work_items.people_on_tasks([task.id]).get(task.id, set()))
    people |= {u.id for unit_id in task.unit_ids("lead") for u in uow.users.in_unit(unit_id, "unit_head")}
    people.discard(closed_by)
    for user_id in sorted(people):
        user = uow.users.get(user_id)
        if user is not None and user.active:
            _tell(uow, "closed", f"task:{task.id}", user, task, plan, now, words={})


def people_informed(uow: AbstractUnitOfWork, task: model.PlanTask, informed: Iterable[int], by: model.User,
                    now: datetime) -> None:
    """The head named people for information (để biết) at assign: tell each of them."""
    plan = uow.plans.get(task.plan_id)
    for user_id in informed:
        user = uow.users.get(user_id)
        if user is not None and user.active:
            _tell(uow, "informed", f"task:{task.id}", user, task, plan, now, words={"who": by.full_name},
                  due=task.due_on)


def step_kind(item: model.WorkItem) -> str:
    """What arrived, from the step's form (and the shipped process's revise step)."""
    if item.actor == "co_handler":
        return "co_handle"
    if item.form == "report":
        return "returned" if item.step_id == "revise" else "assigned"
    return {"assign": "task", "contribute": "contribute", "review": "review"}.get(item.form, "step")


def holders(directory: Directory, item: model.WorkItem) -> list[model.User]:
    """The people a step waits for: its assignee, else its unit's people in its role."""
    if item.assignee_user_id:
        user = directory.get(item.assignee_user_id)
        return [user] if user is not None and user.active else []
    if item.candidate_unit_id:
        return directory.in_unit(item.candidate_unit_id, item.candidate_role)
    return directory.with_role(item.candidate_role) if item.candidate_role else []


def _named(item: model.WorkItem) -> actors.Holder:
    """Whom the step names (a new step is nobody's taken one yet)."""
    return actors.Holder(item.assignee_user_id, item.candidate_unit_id, item.candidate_role)


def _approvers(uow: AbstractUnitOfWork, request: dict[str, Any]) -> list[model.User]:
    if request["approver_user_id"]:
        user = uow.users.get(request["approver_user_id"])
        return [user] if user is not None and user.active else []
    if request["approver_unit_id"]:
        return uow.users.in_unit(request["approver_unit_id"], request["approver_role"])
    return uow.users.with_role(request["approver_role"]) if request["approver_role"] else []


def _tell(uow: AbstractUnitOfWork, kind: str, about: str, user: model.User, task: model.PlanTask,
          plan: model.Plan, now: datetime, words: dict[str, Any], work_item_id: int | None = None,
          extension_request_id: int | None = None, step_name: str | None = None, due: date | None = None) -> None:
    uow.arrivals.add_if_absent(_row(kind, f"{kind}:{about}:{user.id}", user, task, plan, now, words, work_item_id,
                                    extension_request_id, step_name, due))


def _row(kind: str, key: str | NewId, user: model.User, task: model.PlanTask, plan: model.Plan, now: datetime,
         words: dict[str, Any], work_item_id: int | NewId | None = None, extension_request_id: int | None = None,
         step_name: str | None = None, due: date | None = None) -> dict[str, Any]:
    """An arrival's row; `key`: its kind, what it is about and its recipient, as `kind:about:user`."""
    subject, body = compose(kind, user, task, plan, due, words)
    mail_state = "none" if not user.email else DIGEST if user.notice_mail == DIGEST else "pending"
    return {
        "key": key, "kind": kind, "plan_task_id": task.id, "work_item_id": work_item_id,
        "extension_request_id": extension_request_id, "step_name": step_name, "due": due,
        "recipient_user_id": user.id, "created_at": to_storage(now), "subject": subject, "body": body,
        "email_to": user.email or None, "email_state": mail_state, "attempts": 0,
        "next_attempt_at": to_storage(now) if mail_state == "pending" else None,
    }


def compose(kind: str, user: model.User, task: model.PlanTask, plan: model.Plan, due: date | None,
            words: dict[str, Any]) -> tuple[str, str]:
    subject = "[planflow] " + _SUBJECTS[kind].format(ref=task.ref)
    lines = [f"Kính gửi đồng chí {user.full_name},", "", _LEADS[kind].format(**words), "", *_task_lines(task, plan, due)]
    lines += ["", "Thư này do planflow gửi tự động; xin đừng trả lời thư này."]
    return subject, "\n".join(lines)


def _task_lines(task: model.PlanTask, plan: model.Plan, due: date | None) -> list[str]:
    lines = [f"Nhiệm vụ: {task.ref}. {task.title}", f"Thuộc: {mail_text.plan_label(plan)}"]
    if due:
        lines.append(f"Hạn: {_day(due)}")
    return lines + [f"Xem và xử lý: {mail_text.BASE_URL}/tasks/{task.id}"]


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "chưa có"


# -- mail ------------------------------------------------------------------------


def send_pending(uow_factory: Callable[[], AbstractUnitOfWork], mailer: Mailer, clock: Clock | None = None,
                 limit: int = 500, lease: timedelta = outbox.MAIL_LEASE,
                 base_url: str = mail_text.DEFAULT_BASE_URL) -> outbox.SendResult:
    """Send the arrivals' mails whose time has come: the deadline notices' outbox rules
    (a lease, backoff, permanent failures stop)."""
    return outbox.send_pending(uow_factory, mailer, clock, limit, lease, base_url, outbox="arrivals")


def send_digests(uow_factory: Callable[[], AbstractUnitOfWork], mailer: Mailer, clock: Clock | None = None,
                 limit: int = 500, base_url: str = mail_text.DEFAULT_BASE_URL) -> int:
    """One mail per person who chose the digest, holding their arrivals of the days
    before today (office time): run at every tick, it sends each day's digest once,
    the first tick after midnight. Each person's digest is written under a lock on
    them, so two workers never send it twice (a worker that dies while sending leaves
    it to be sent again). Return how many digests left."""
    now = (clock or SystemClock()).now()
    today = to_storage(datetime.combine(office_date(now), time(0), tzinfo=OFFICE_TZ))
    with uow_factory() as uow:
        people = uow.arrivals.digest_recipients(today)
    sent = 0
    for user_id in people[:limit]:
        with uow_factory() as uow:
            if not uow.arrivals.lock_recipient(user_id):
                continue  # another worker writes this one
            rows = uow.arrivals.held_for_digest(user_id, today)
            if not rows:
                continue  # sent already
            mail = OutgoingMail(to=rows[0]["email_to"], subject=f"[planflow] Tổng hợp việc mới ({len(rows)})",
                                body_text=mail_text.with_links(_digest_body(uow.users.get(user_id), rows), base_url))
            sent += _deliver_digest(uow, mailer, [r["id"] for r in rows], mail, to_storage(now))
            uow.commit()
    return sent


def _digest_body(user: model.User, rows: list[dict[str, Any]]) -> str:
    lines = [f"Kính gửi đồng chí {user.full_name},", "", "Việc mới đến với đồng chí:", ""]
    for row in rows:
        lines.append(f"- {row['subject'].removeprefix('[planflow] ')}: {row['task_ref']}. {row['task_title']}")
        lines.append(f"  {mail_text.BASE_URL}/tasks/{row['plan_task_id']}")
    lines += ["", "Đồng chí có thể chọn nhận thư riêng cho từng việc tại trang Cài đặt thông báo.",
              "Thư này do planflow gửi tự động; xin đừng trả lời thư này."]
    return "\n".join(lines)


def _deliver_digest(uow: AbstractUnitOfWork, mailer: Mailer, ids: list[int], mail: OutgoingMail,
                    now: datetime) -> int:
    """Hand a digest to the server; 1 if it left. One that fails stays held and goes
    with the next day's."""
    try:
        mailer.send(mail)
    except MailError as error:
        uow.arrivals.set_mail_state(ids, last_error=str(error)[:1000])
        log.warning("digest of arrivals %s failed: %s", ids, error)
        return 0
    uow.arrivals.set_mail_state(ids, attempts=1, email_state="sent", sent_at=now, last_error=None)
    return 1


# -- reading and settings ------------------------------------------------------------


def unread_count(uow: AbstractUnitOfWork, user_id: int) -> int:
    with uow:
        return uow.arrivals.unread_count(user_id)


def mark_read(uow: AbstractUnitOfWork, user_id: int, arrival_id: int | None = None,
              clock: Clock | None = None) -> None:
    with uow:
        uow.arrivals.mark_read(user_id, to_storage((clock or SystemClock()).now()), arrival_id)
        uow.commit()


def mail_choice(uow: AbstractUnitOfWork, user_id: int) -> str:
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(N_("This user does not exist."))
        return user.notice_mail


def choose_mail(uow: AbstractUnitOfWork, user_id: int, choice: str) -> None:
    """A person chooses one mail per notice or a daily digest (for what arrives from now)."""
    if choice not in MAIL_CHOICES:
        raise InvalidInput({"notice_mail": N_("Choose how notices reach you by mail.")})
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(N_("This user does not exist."))
        user.notice_mail = choice
        uow.commit()


def mail_problems(uow: AbstractUnitOfWork) -> list[dict[str, Any]]:
    with uow:
        return uow.arrivals.mail_problems()


def mail_waiting(uow: AbstractUnitOfWork) -> int:
    with uow:
        return uow.arrivals.mail_waiting()


OUTBOXES = ("notices", "arrivals")


def retry_mail(uow: AbstractUnitOfWork, which: str, row_id: int, clock: Clock | None = None) -> None:
    """A failed mail (of a deadline notice or of an arrival) goes back to its outbox,
    after someone fixed the address or the server."""
    if which not in OUTBOXES:
        raise NotFound(N_("This mail is not waiting for a retry."))
    with uow:
        if not uow.arrivals.retry(which, row_id, to_storage((clock or SystemClock()).now())):
            raise NotFound(N_("This mail is not waiting for a retry."))
        uow.commit()
