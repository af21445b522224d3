"""Notices: the bell in the header, my notices (deadlines and work that arrived), how
mail reaches me, and the office's mail: waiting, failed, sent again."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.deadlines import notices, outbox
from engine.errors import InvalidInput
from engine.reading.my_notices import my_notice, my_notices
from engine.tasks import arrivals
from web.extensions import page, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("notices", __name__, url_prefix="/notices")

MAIL_VIEW_ROLES = ("leader", "monitor", "designer")  # who may see the office's failed mail


@bp.app_context_processor
def bell() -> dict[str, Any]:
    # A function, so the count is queried only by the header that shows it.
    def unread_notices() -> int:
        if not current_user.is_authenticated:
            return 0
        return notices.unread_count(uow(), current_user.id) + arrivals.unread_count(uow(), current_user.id)

    return {"unread_notices": unread_notices}


@bp.get("")
@login_required
def index() -> str:
    view = my_notices(uow(), current_user.id, page())
    return render_template("notices/index.html", rows=view.notices, arrivals=view.arrivals, view=view,
                           link=lambda **args: url_for("notices.index", **args),
                           can_see_mail=current_user.role in MAIL_VIEW_ROLES)


@bp.post("/read")
@login_required
def read_all() -> Response:
    notices.mark_read(uow(), current_user.id)
    arrivals.mark_read(uow(), current_user.id)
    return redirect(url_for("notices.index"))


@bp.post("/arrivals/<int:arrival_id>/open")
@login_required
def open_arrival(arrival_id: int) -> Response:
    return _open("arrivals", arrival_id)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | tuple[str, int] | Response:
    """How notices reach me by mail: one mail each, or one a day."""
    if request.method == "POST":
        try:
            arrivals.choose_mail(uow(), current_user.id, request.form.get("notice_mail", ""))
        except InvalidInput as error:
            flash(_(next(iter(error.errors.values()))), "error")
            return render_template("notices/settings.html", choice=""), 400
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("notices.settings"))
    return render_template("notices/settings.html", choice=arrivals.mail_choice(uow(), current_user.id))


@bp.post("/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int) -> Response:
    return _open("notices", notice_id)


def _open(outbox: str, row_id: int) -> Response:
    """Mark one of my notices or arrivals read and go to its task; 404 for anyone else's."""
    row = my_notice(uow(), current_user.id, outbox, row_id)
    if row is None:
        abort(404)
    (notices if outbox == "notices" else arrivals).mark_read(uow(), current_user.id, row_id)
    return redirect(url_for("plans.task", task_id=row["plan_task_id"]))


@bp.get("/mail")
@login_required
def mail() -> str:
    if current_user.role not in MAIL_VIEW_ROLES:
        abort(403)
    problems = [{**row, "outbox": "notices"} for row in outbox.mail_problems(uow())]
    problems += [{**row, "outbox": "arrivals", "rung": row["kind"]} for row in arrivals.mail_problems(uow())]
    problems.sort(key=lambda row: row["created_at"], reverse=True)
    return render_template("notices/mail.html", rows=problems, waiting=arrivals.mail_waiting(uow()),
                           smtp_host=current_app.config["PLANFLOW_SETTINGS"].smtp_host)


@bp.post("/mail/<which>/<int:row_id>/retry")
@login_required
def retry(which: str, row_id: int) -> Response:
    """A failed mail goes back to its outbox, once someone fixed the address or the server."""
    if current_user.role not in MAIL_VIEW_ROLES:
        abort(403)
    arrivals.retry_mail(uow(), which, row_id)
    flash(_("The mail is back in the outbox: it leaves with the next round."), "success")
    return redirect(url_for("notices.mail"))
