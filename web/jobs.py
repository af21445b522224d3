"""A background job's page: its progress, refreshed every few seconds while it runs
(a meta refresh: no script needed), then a link to what it made. The JSON form is
for scripts and for the import page's script."""
from __future__ import annotations

from typing import TYPE_CHECKING

from io import BytesIO

from flask import Blueprint, abort, jsonify, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import jobs
from engine.importing import scan_reading
from engine.reading.period_reports import REPORT
from web.dashboard import MIMETYPES
from web.extensions import uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
REFRESH_SECONDS = 2


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int) -> str:
    job = jobs.get_job(uow(), job_id, current_user.id)
    return render_template("jobs/show.html", job=job, refresh=REFRESH_SECONDS, result_url=_result_url(job),
                           reading=job.kind == scan_reading.READ_SCAN, report=job.kind == REPORT, error=_error(job))


@bp.get("/<int:job_id>/file")
@login_required
def file(job_id: int) -> Response:
    """The file a job made (a report), for the person who asked for it."""
    jobs.get_job(uow(), job_id, current_user.id)  # NotFound for anyone else
    made = jobs.get_file(uow(), job_id)
    if made is None:
        abort(404)
    name, data = made
    return send_file(BytesIO(data), as_attachment=True, download_name=name, max_age=0,
                     mimetype=MIMETYPES[name.rsplit(".", 1)[-1]])


@bp.get("/<int:job_id>.json")
@login_required
def progress(job_id: int) -> Response:
    job = jobs.get_job(uow(), job_id, current_user.id)
    return jsonify({"id": job.id, "kind": job.kind, "state": job.state, "done": job.done, "total": job.total,
                    "percent": job.percent, "url": _result_url(job), "error": _error(job)})


def _result_url(job: jobs.JobView) -> str | None:
    if job.state != "done":
        return None
    if job.kind == scan_reading.READ_SCAN:
        return url_for("imports.review", draft_id=job.params["draft_id"])
    if job.kind == REPORT:
        return url_for("jobs.file", job_id=job.id)
    plan_id = job.params.get("plan_id")
    return url_for("plans.show", plan_id=plan_id) if plan_id else None


def _error(job: jobs.JobView) -> str | None:
    """A failed reading's reason, in the reader's language."""
    reason = scan_reading.failure(job) if job.kind == scan_reading.READ_SCAN else None
    return _(reason[0], **reason[1]) if reason else None
