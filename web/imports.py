"""Plan import pages: upload a plan, review what was read, confirm.

The upload posts here as a plain form (works without JavaScript); with JavaScript,
`static/js/imports.js` sends it to `POST /api/imports` instead, to show the upload's
progress and a "reading" spinner, then opens the same review page. Every rule is in
`engine.importing.plan_import`; a view reads the request, calls it, renders.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from adapters.readers import MAX_BYTES, SUFFIXES, pages_to_read, read_source
from engine.errors import N_, InvalidInput
from engine.importing import plan_import, scan_reading
from engine.importing.draft import reread_deadlines
from engine.importing.errors import PlanFileError
from engine.process import versions
from web.date_changes import isoday
from web.extensions import uow
from web.import_form import edits_from_form

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage
    from werkzeug.wrappers import Response

bp = Blueprint("imports", __name__, url_prefix="/imports")
ACCEPT = ",".join(SUFFIXES)


class NoFileChosen(PlanFileError):
    def __init__(self) -> None:
        super().__init__(N_("Choose a plan file (.docx, .md, .txt, .pdf or a scanned page) to upload."))


def start_import(upload: FileStorage | None) -> plan_import.ImportDraft | int:
    """Read an uploaded plan into a stored draft (pages and API alike); a PDF or a
    scan is read in the background, page by page: then the job's id."""
    if upload is None or not upload.filename:
        raise NoFileChosen()
    data = upload.read()
    pages = pages_to_read(data, upload.filename)
    if pages is not None:
        return scan_reading.start(current_app.extensions["planflow"].uow, data, upload.filename, pages,
                                  current_user.id, read_source)
    draft = plan_import.preview(uow(), data, upload.filename, current_user.id, read_source)
    plan_import.save_draft(uow(), draft, current_user.id)
    return draft


def file_error_message(error: PlanFileError) -> str:
    return _(error.msgid, **error.params)


@bp.get("/new")
@login_required
def new() -> str:
    plan_import.known_units(uow(), current_user.id)  # monitors only: 403 otherwise
    return _upload_page()


@bp.post("/new")
@login_required
def upload() -> Response | tuple[str, int]:
    try:
        started = start_import(request.files.get("plan"))
    except PlanFileError as error:
        return _upload_page(file_error_message(error)), 400
    if isinstance(started, int):  # a PDF or a scan: its reading's progress page
        return redirect(url_for("jobs.show", job_id=started))
    return redirect(url_for("imports.review", draft_id=started.id))


@bp.get("/<int:draft_id>")
@login_required
def review(draft_id: int) -> str:
    return _review_page(plan_import.load_draft(uow(), draft_id, current_user.id), {})


@bp.post("/<int:draft_id>")
@login_required
def confirm(draft_id: int) -> Response | tuple[str, int]:
    draft = plan_import.load_draft(uow(), draft_id, current_user.id)
    edits = edits_from_form(request.form, draft)
    try:
        if len(draft.tasks) > plan_import.LARGE_PLAN:  # minutes of work: a background job
            job = plan_import.confirm_in_background(uow(), edits, current_user.id, draft_id=draft_id)
            return redirect(url_for("jobs.show", job_id=job.id))
        plan_id = plan_import.confirm(uow(), edits, current_user.id, draft_id=draft_id)
    except InvalidInput as error:
        plan_import.save_edits(uow(), draft_id, edits, current_user.id)  # a reload keeps them
        errors = {name: _(message) for name, message in error.errors.items()}
        edited = reread_deadlines(plan_import.ImportDraft.from_dict(edits, draft_id))
        return _review_page(edited, errors), 400
    flash(_("The plan is stored and its tasks have started."), "success")
    return redirect(url_for("plans.show", plan_id=plan_id))


@bp.app_template_global()
def schedule_summary(schedule: dict[str, Any]) -> str:
    """A read schedule in words, as the review shows it (and the live re-read returns it)."""
    kind = schedule.get("kind")
    if kind == "once":
        return ", ".join(isoday(day) for day in schedule.get("due") or [])
    if kind == "ongoing":
        return _("Ongoing, reported each period until %(day)s", day=isoday(schedule.get("until")))
    if kind == "periodic":
        every = {"P1W": _("every week"), "P1M": _("every month"), "P3M": _("every quarter"),
                 "P6M": _("every six months")}.get(schedule.get("every") or "", _("every year"))
        first = [isoday(day) for day in schedule.get("due") or []]
        if schedule.get("until"):
            text = _("Reported %(every)s until %(day)s", every=every, day=isoday(schedule["until"]))
        else:  # no end of its own: it runs as long as the plan
            text = _("Reported %(every)s while the plan runs", every=every)
        return "; ".join([*first, text])
    return _("No date yet")


@bp.app_template_global()
def unread_reason(schedule: dict[str, Any]) -> str:
    """Why a deadline text was not read, for the person who will settle it."""
    reasons = {
        "reference": _("Not readable: another document sets this date"),
        "condition": _("Not readable: it names an event, not a date"),
        "duration": _("Not readable: a length of time with no start"),
        "empty": _("Not readable: no deadline is written"),
    }
    return reasons.get(schedule.get("reason") or "", _("Not readable: no date, period or recurrence in these words"))


def _flag_labels() -> dict[str, str]:
    return {"guessed": _("Guessed from the layout: check it is a task"),
            "fuzzy_unit": _("A unit matched a look-alike name: check it"),
            "new_unit": _("A unit not in the directory"),
            "unread_deadline": _("Deadline not read"),
            "deadline_from_text": _("Deadline read from the task's own sentence: check it"),
            "deadline_from_group": _("Deadline taken from the heading above: check it"),
            "deadline_from_plan": _("Deadline taken from the plan's time: check it")}


def _upload_page(error: str | None = None) -> str:
    return render_template("imports/upload.html", error=error, accept=ACCEPT,
                           limit_mb=MAX_BYTES // (1024 * 1024))


def _review_page(draft: plan_import.ImportDraft, errors: dict[str, str]) -> str:
    units = plan_import.known_units(uow(), current_user.id)
    # The processes a plan or one of its tasks may follow (chosen only when there is more than one).
    return render_template("imports/review.html", draft=draft, units=units, errors=errors,
                           processes=versions.live_processes(uow()), flag_labels=_flag_labels())
