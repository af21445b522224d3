"""Deadlines people change: asking for more time, deciding on it, dating an unresolved task."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.deadlines import extension_requests, task_dates
from engine.errors import InvalidInput
from engine.tasks.steps import get_step
from web.extensions import uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("deadlines", __name__)


@bp.route("/steps/<int:work_item_id>/extension", methods=["GET", "POST"])
@login_required
def ask(work_item_id: int) -> str | tuple[str, int] | Response:
    extension_requests.require_holder(uow(), work_item_id, current_user.id)
    step = get_step(uow(), work_item_id, current_user.id)
    if request.method == "GET":
        return render_template("deadlines/extension.html", step=step, errors={}, values={})
    values = {"new_due": request.form.get("new_due", ""), "reason": request.form.get("reason", "")}
    try:
        extension_requests.request_extension(uow(), work_item_id, current_user.id, values["new_due"], values["reason"])
    except InvalidInput as error:
        errors = {name: _(message) for name, message in error.errors.items()}
        return render_template("deadlines/extension.html", step=step, errors=errors, values=values), 400
    flash(_("Your request for more time was sent for approval."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/extensions/<int:request_id>/decide")
@login_required
def decide(request_id: int) -> Response:
    accept = request.form.get("decision") == "accept"
    try:
        extension_requests.decide_extension(uow(), request_id, current_user.id, accept, request.form.get("comment", ""))
    except InvalidInput as error:
        flash(_(next(iter(error.errors.values()))), "error")
    else:
        flash(_("Extension accepted: the deadline has moved.") if accept else _("Extension refused."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/due")
@login_required
def set_due(task_id: int) -> Response:
    try:
        task_dates.set_task_due(uow(), task_id, current_user.id, request.form.get("due", ""))
    except InvalidInput as error:
        flash(_(next(iter(error.errors.values()))), "error")
    else:
        flash(_("The task's date is set; its reminders start."), "success")
    return redirect(url_for("plans.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/due/change")
@login_required
def change_due(task_id: int) -> Response:
    """The monitor corrects a task's date, saying why (and confirming an unusual one)."""
    try:
        task_dates.change_task_due(uow(), task_id, current_user.id, request.form.get("due", ""),
                                   request.form.get("reason", ""), confirmed=request.form.get("confirm") == "yes")
    except InvalidInput as error:
        for message in error.errors.values():
            flash(_(message), "error")
    else:
        flash(_("The task's date is changed; its reminders follow the new date."), "success")
    return redirect(url_for("plans.task", task_id=task_id))


@bp.get("/tasks/waiting-date")
@login_required
def waiting() -> str:
    return render_template("deadlines/waiting.html", rows=task_dates.waiting_tasks(uow()))


@bp.app_template_filter("isoday")
def isoday(value: str | None) -> str:
    """An ISO date kept in the audit trail, as dd/mm/yyyy."""
    return "/".join(reversed(value[:10].split("-"))) if value else "—"
