"""Incidents: the steps and timers whose process failed, for designers and leaders to
retry after a fix, or to move to a fixed process version (`engine/process/recovery.py`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.process import incidents, recovery
from engine.ids import whole_number
from web.extensions import uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


@bp.app_context_processor
def open_count() -> dict[str, Any]:
    # A function, so only the pages of designers and leaders query it.
    def open_incidents() -> int:
        if not current_user.is_authenticated or current_user.role not in incidents.VIEWERS:
            return 0
        return incidents.open_count(uow())

    return {"open_incidents": open_incidents}


@bp.get("")
@login_required
def index() -> str:
    rows = recovery.open_incidents(uow(), current_user.id)
    keys = {row["process_key"] for row in rows}
    return render_template("incidents/index.html", rows=rows,
                           versions={key: recovery.versions(uow(), key) for key in keys})


@bp.post("/<int:incident_id>/retry")
@login_required
def retry(incident_id: int) -> Response:
    _flash_outcome(recovery.retry(uow(), incident_id, current_user.id))
    return redirect(url_for("incidents.index"))


@bp.post("/<int:incident_id>/move")
@login_required
def move(incident_id: int) -> Response:
    version_id = request.form.get("version_id", type=whole_number)
    outcome = recovery.move_and_retry(uow(), incident_id, version_id or 0, current_user.id)
    if isinstance(outcome, recovery.Stayed):
        flash(_("The task stayed on its version: %(reason)s", reason=_(outcome.reason)), "error")
    else:
        _flash_outcome(outcome)
    return redirect(url_for("incidents.index"))


def _flash_outcome(done: bool) -> None:
    if done:
        flash(_("Retried: the task went on."), "success")
    else:
        flash(_("The retry failed again; the error is on the incident."), "error")
