"""A notice's mail, in Vietnamese: the readers are Vietnamese officials.

A link in a mail is stored with the placeholder `BASE_URL`; the outbox puts the
office's address in when it sends (`with_links`), so the engine reads no
configuration and a changed address reaches the mails still waiting.
"""
from __future__ import annotations

from datetime import date

from engine import model

BASE_URL = "{base_url}"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def with_links(body: str, base_url: str) -> str:
    """The body as sent: its links point at `base_url`, the address people open."""
    return body.replace(BASE_URL, base_url.rstrip("/"))


_LEADS = {
    "holder": "Bước “{step}” của nhiệm vụ dưới đây, do đồng chí xử lý, {status}.",
    "unit_head": "Nhiệm vụ do đơn vị đồng chí chủ trì {status} ở bước “{step}”.",
    "director": "Báo cáo lãnh đạo: nhiệm vụ đồng chí chỉ đạo {status} ở bước “{step}”.",
}
SHORT_TITLE = 70  # characters of a plan's title in a notice: enough to recognise it


def lateness_text(late: int | None, due: date | None = None, today: date | None = None) -> str:
    """How late a step is, as a notice says it: never "sắp đến hạn" once the date has passed."""
    if late is None or due is None:
        return "chưa có hạn"
    if late > 0:
        return f"quá hạn {late} ngày làm việc"
    if today is not None and today > due:  # past the date, no working day since (a weekend)
        return f"quá hạn (hạn ngày {due:%d/%m/%Y})"
    if late == 0:
        return "đến hạn hôm nay"
    return f"sắp đến hạn (hạn ngày {due:%d/%m/%Y}, còn {-late} ngày làm việc)"


def plan_label(plan: model.Plan) -> str:
    """A plan as people name it: "Kế hoạch số 58/KH-UBND ngày 15/01/2024 – <short title>"."""
    head = "Kế hoạch" + (f" số {plan.number}" if plan.number else "")
    if plan.issued_on:
        head += f" ngày {plan.issued_on:%d/%m/%Y}"
    return f"{head} – {short_title(plan.title)}" if plan.title else head


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ") + "…"


def compose(rung: str, user: model.User, task: model.PlanTask, plan: model.Plan, step_name: str,
            due: date | None, late: int | None, today: date | None = None) -> tuple[str, str]:
    """The subject and body of a notice to `user`: who they are told as (the rung), how
    late the step is on `today`, and the plan by number, date and short title."""
    due_text = due.strftime("%d/%m/%Y") if due else "chưa có"
    status = lateness_text(late, due, today)
    subject = f"[planflow] {status[:1].upper()}{status[1:]}: nhiệm vụ {task.ref} – {plan_label(plan)}"
    body = "\n".join([
        f"Kính gửi đồng chí {user.full_name},",
        "",
        _LEADS.get(rung, _LEADS["holder"]).format(step=step_name, status=status),
        "",
        f"Nhiệm vụ: {task.ref}. {task.title}",
        f"Thuộc: {plan_label(plan)}",
        f"Hạn: {due_text} ({status})",
        f"Xem và xử lý: {BASE_URL}/tasks/{task.id}",
        "",
        "Thư này do planflow gửi tự động; xin đừng trả lời thư này.",
    ])
    return subject, body
