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
        f"Xem và xử lý: {BASE_URL}/tasks/{task.id}",
        "",
        "Thư này do planflow gửi tự động; xin đừng trả lời thư này.",
    ])
    return subject, body
