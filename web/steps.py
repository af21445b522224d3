"""The step page: the form the step needs, completed through the engine.

GET renders the form named by the step (`assign`, `contribute`, `report`, `review`);
POST hands the fields to `complete_step`, which owns every rule: its `InvalidInput`
errors go back next to the fields (400), `AlreadyDone` is a clear message (409) and
changes nothing, `StepFailed` (the process itself failed; an incident keeps the
input) is a clear message (422), `NotAllowed` is the 403 page (raised through to
`web/errors.py`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import AlreadyDone, InvalidInput, StepFailed
from engine.process.step_forms import Upload
from engine.tasks.steps import complete_step, get_step, reassign as reassign_step
from web.errors import engine_error_message
from web.extensions import uow
from web.forms import ReportForm, user_id_value, form_for

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage
    from werkzeug.wrappers import Response

bp = Blueprint("steps", __name__, url_prefix="/steps")


def upload_from(file: FileStorage | None) -> Upload | None:
    """The uploaded file as the engine's `Upload`; the request limit (20 MB) bounds the read."""
    if file is None or not getattr(file, "filename", None):
        return None
    return Upload(filename=file.filename, content_type=file.mimetype or "application/octet-stream", data=file.read())


@bp.route("/<int:work_item_id>", methods=["GET", "POST"])
@login_required
def show(work_item_id: int) -> str | tuple[str, int] | Response:
    step = get_step(uow(), work_item_id, current_user.id)
    form = form_for(step.form, step.choices)
    if not form.is_submitted():
        return render_template("steps/step.html", step=step, form=form)
    upload = upload_from(form.product.data) if isinstance(form, ReportForm) else None
    try:
        complete_step(uow(), work_item_id, current_user.id, form.fields_for_engine(), upload)
    except InvalidInput as error:
        stray = form.add_errors(error.errors, _)
        return render_template("steps/step.html", step=step, form=form, stray_errors=stray), 400
    except AlreadyDone as error:
        step = get_step(uow(), work_item_id, current_user.id)  # show where it stands now
        return render_template("steps/step.html", step=step, form=form, done_message=engine_error_message(error)), 409
    except StepFailed as error:  # the process failed, not the person: an incident holds the input
        return render_template("steps/step.html", step=step, form=form, failed_message=engine_error_message(error),
                               incident_id=error.incident_id), 422
    flash(_("Done: “%(step)s” of task %(ref)s.", step=step.item.step_name, ref=step.task.ref), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<int:work_item_id>/reassign")
@login_required
def reassign(work_item_id: int) -> str | tuple[str, int] | Response:
    """The unit head gives the step to another of the unit's people, or withdraws it."""
    withdraw = request.form.get("action") == "withdraw"
    target = None if withdraw else user_id_value(request.form.get("assignee"))
    try:
        reassign_step(uow(), work_item_id, current_user.id, target, request.form.get("reason", ""))
    except InvalidInput as error:
        for message in error.errors.values():
            flash(_(message), "error")
        return redirect(url_for("steps.show", work_item_id=work_item_id))
    flash(_("The step was withdrawn to you.") if withdraw else _("The step was reassigned."), "success")
    return redirect(url_for("steps.show", work_item_id=work_item_id))
