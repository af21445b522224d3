"""A background job's page: its progress, refreshed every few seconds while it runs
(a meta refresh: no script needed), then a link to what it made. The JSON form is
for scripts and for the import page's script."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, jsonify, render_template, url_for
from flask_login import current_user, login_required

from engine import jobs
from web.extensions import uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
REFRESH_SECONDS = 2


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int) -> str:
    job = jobs.get_job(uow(), job_id, current_user.id)
    return render_template("jobs/show.html", job=job, refresh=REFRESH_SECONDS, result_url=_result_url(job))


@bp.get("/<int:job_id>.json")
@login_required
def progress(job_id: int) -> Response:
    job = jobs.get_job(uow(), job_id, current_user.id)
    return jsonify({"id": job.id, "kind": job.kind, "state": job.state, "done": job.done, "total": job.total,
                    "percent": job.percent, "url": _result_url(job)})


def _result_url(job: jobs.JobView) -> str | None:
    plan_id = job.params.get("plan_id")
    return url_for("plans.show", plan_id=plan_id) if plan_id and job.state == "done" else None
