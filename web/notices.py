"""Notices: the bell in the header, my notices, and the mail that did not leave."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from engine.deadlines import notices, outbox
from web.extensions import uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("notices", __name__, url_prefix="/notices")

MAIL_VIEW_ROLES = ("leader", "monitor", "designer")  # who may see the office's failed mail


@bp.app_context_processor
def bell() -> dict[str, Any]:
    # A function, so the count is queried only by the header that shows it.
    def unread_notices() -> int:
        return notices.unread_count(uow(), current_user.id) if current_user.is_authenticated else 0

    return {"unread_notices": unread_notices}


@bp.get("")
@login_required
def index() -> str:
    return render_template("notices/index.html", rows=notices.for_user(uow(), current_user.id),
                           can_see_mail=current_user.role in MAIL_VIEW_ROLES)


@bp.post("/read")
@login_required
def read_all() -> Response:
    notices.mark_read(uow(), current_user.id)
    return redirect(url_for("notices.index"))


@bp.post("/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int) -> Response:
    """Mark it read and go to its task."""
    rows = [r for r in notices.for_user(uow(), current_user.id) if r["id"] == notice_id]
    if not rows:
        abort(404)
    notices.mark_read(uow(), current_user.id, notice_id)
    return redirect(url_for("plans.task", task_id=rows[0]["plan_task_id"]))


@bp.get("/mail")
@login_required
def mail() -> str:
    if current_user.role not in MAIL_VIEW_ROLES:
        abort(403)
    # "Every mail was delivered" would mislead where no server is set: then mail waits.
    mail_on = bool(current_app.config["PLANFLOW_SETTINGS"].smtp_host)
    return render_template("notices/mail.html", rows=outbox.mail_problems(uow()), mail_on=mail_on)
