"""The process designer: versions list, bpmn-js modeler, read-only view, save/deploy/migrate.

Only the `designer` role gets in (403 for everyone else, pages and API alike). Pages
under `/designer/`, JSON under `/designer/api/` (errors as `{"error": {...}}`). Every
rule lives in `engine.process.versions`; these views parse input, call it, and render.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from engine.errors import PlanflowError
from engine.process import versions
from engine.process.actors import ACTORS
from engine.process.step_forms import FORMS
from engine.workflow import InvalidProcess, Problem
from engine.ids import whole_number
from web.errors import engine_error_message, error_page, http_message, json_error
from web.extensions import login_manager, uow

if TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

bp = Blueprint("designer", __name__, url_prefix="/designer")

ACTOR_LABELS = {
    "lead_head": _l("Head of the lead unit"),
    "coordinator_head": _l("Head of the coordinating unit"),
    "assignee": _l("The assigned staff member"),
    "co_handler": _l("Each co-handler named at assign"),
    "monitor": _l("The monitoring unit"),
    "director": _l("The directing leader"),
}
FORM_LABELS = {
    "assign": _l("Assign someone"),
    "contribute": _l("Contribute"),
    "report": _l("Report the result"),
    "review": _l("Review the result"),
    "done": _l("Mark as done"),
}


def _is_api() -> bool:
    return request.path.startswith("/designer/api/")


@bp.before_request
def designers_only() -> BaseResponse | None:
    if not current_user.is_authenticated:
        if _is_api():
            return json_error(401, *http_message(401))
        return login_manager.unauthorized()
    if current_user.role != "designer":
        abort(403)
    return None


@bp.errorhandler(PlanflowError)
def engine_error(error: PlanflowError) -> BaseResponse | tuple[str, int]:
    status = {"not_found": 404, "not_allowed": 403, "already_done": 409}.get(error.code, 400)
    if _is_api():
        fields = {name: _(msg) for name, msg in getattr(error, "errors", {}).items()}
        return json_error(status, error.code, engine_error_message(error), fields)
    return error_page(status, engine_error_message(error))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> BaseResponse | tuple[str, int]:
    status = error.code or 500
    code, message = http_message(status)
    return json_error(status, code, message) if _is_api() else error_page(status, message)


# -- pages ------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    return _index()


def _index(**context: Any) -> str:
    listed = versions.list_versions(uow())
    return render_template("designer/index.html", versions=listed, history=versions.history(uow()),
                           version_numbers={v.id: f"{v.process_key} · {v.number}" for v in listed}, **context)


@bp.get("/modeler")
def modeler() -> str:
    version = versions.get_version(uow(), request.args.get("version", type=whole_number))
    return render_template("designer/modeler.html", version=version, actors=_choices(ACTORS, ACTOR_LABELS),
                           forms=_choices(FORMS, FORM_LABELS))


@bp.get("/versions/<int:version_id>")
def view(version_id: int) -> str:
    return render_template("designer/view.html", version=versions.get_version(uow(), version_id))


@bp.get("/versions/<int:version_id>.bpmn")
def download(version_id: int) -> Response:
    version = versions.get_version(uow(), version_id)
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{version.process_key}-v{version.number}.bpmn"'})


@bp.post("/upload")
def upload() -> BaseResponse | tuple[str, int]:
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a .bpmn file to upload."), "error")
        return redirect(url_for("designer.index"))
    try:
        version_id = versions.save_version(uow(), versions.adopted(file.read()), current_user.id,
                                           request.form.get("comment", ""))
    except InvalidProcess as invalid:
        return _index(problems=_problems(invalid.problems)), 400
    flash(_("Saved as a new version; deploy it to use it for new tasks."), "success")
    return redirect(url_for("designer.view", version_id=version_id))


@bp.post("/versions/<int:version_id>/deploy")
def deploy_page(version_id: int) -> BaseResponse:
    versions.deploy(uow(), version_id, current_user.id)
    flash(_("Deployed: new tasks now start on this version."), "success")
    return redirect(url_for("designer.index"))


@bp.get("/migrate")
def preview_page() -> str:
    """What moving would do to each running task; the designer then moves the movable ones."""
    from_id = request.args.get("from_version", type=whole_number) or 0
    to_id = request.args.get("to_version", type=whole_number) or 0
    planned = versions.preview(uow(), from_id, to_id)
    return _index(preview={"from_version": from_id, "to_version": to_id, "instances": _previews(planned)})


@bp.post("/migrate")
def migrate_page() -> str:
    # From the preview, only the tasks the designer ticked move ("chosen" marks that form).
    chosen = [n for n in map(whole_number, request.form.getlist("instance_id")) if n is not None]
    report = versions.migrate(uow(), request.form.get("from_version", type=whole_number) or 0,
                              request.form.get("to_version", type=whole_number) or 0, current_user.id,
                              instance_ids=chosen if "chosen" in request.form else None)
    return _index(report=_report(report))


# -- JSON API ----------------------------------------------------------------------


@bp.get("/api/versions")
def api_versions() -> BaseResponse:
    return jsonify({"versions": [vars(v) for v in versions.list_versions(uow())]})


@bp.get("/api/versions/<int:version_id>")
def api_version(version_id: int) -> BaseResponse:
    v = versions.get_version(uow(), version_id)
    return jsonify({"id": v.id, "number": v.number, "is_live": v.is_live, "comment": v.comment, "xml": v.bpmn_xml})


@bp.post("/api/validate")
def api_validate() -> BaseResponse:
    return jsonify({"problems": _problems(versions.validate(_xml_from_request(), uow()))})


@bp.post("/api/open")
def api_open() -> BaseResponse:
    """The modeler's Open: the file's bytes, checked like any save, back as text with its problems."""
    try:
        text, problems = versions.open_diagram(request.get_data(), uow())
    except InvalidProcess as invalid:
        return _invalid(invalid, _("This file could not be opened as BPMN."))
    return jsonify({"xml": text, "problems": _problems(problems)})


@bp.post("/api/versions")
def api_save() -> BaseResponse:
    body = _json_object()
    try:
        version_id, warnings = versions.save_checked(uow(), _xml_from_request(), current_user.id,
                                                     str(body.get("comment") or ""))
    except InvalidProcess as invalid:
        return _invalid(invalid, _("The process has problems; nothing was saved."))
    number = versions.get_version(uow(), version_id).number
    return jsonify({"id": version_id, "number": number, "view_url": url_for("designer.view", version_id=version_id),
                    "problems": _problems(warnings)}), 201


def _invalid(invalid: InvalidProcess, message: str) -> tuple[BaseResponse, int]:
    # The usual error body, plus every problem with its element id for the canvas markers.
    return jsonify({"error": {"code": "invalid_process", "message": message, "fields": {},
                              "problems": _problems(invalid.problems)}}), 400


@bp.post("/api/versions/<int:version_id>/deploy")
def api_deploy(version_id: int) -> BaseResponse:
    versions.deploy(uow(), version_id, current_user.id)
    return jsonify({"id": version_id, "is_live": True})


@bp.post("/api/migrations/preview")
def api_preview() -> BaseResponse:
    body = _json_object()
    planned = versions.preview(uow(), _id(body.get("from_version_id")), _id(body.get("to_version_id")))
    return jsonify({"instances": _previews(planned)})


@bp.post("/api/migrations")
def api_migrate() -> BaseResponse:
    body = _json_object()
    chosen = body.get("instance_ids")
    report = versions.migrate(uow(), _id(body.get("from_version_id")), _id(body.get("to_version_id")),
                              current_user.id,
                              instance_ids=[_id(i) for i in chosen] if isinstance(chosen, list) else None)
    return jsonify(_report(report))


# -- helpers ------------------------------------------------------------------------


def _choices(values: tuple[str, ...], labels: dict[str, Any]) -> list[dict[str, str]]:
    return [{"value": value, "label": str(labels.get(value, value))} for value in values]


def _problems(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"element_id": p.element_id, "message": problem_text(p), "msgid": p.message, "severity": p.severity,
             "line": p.line, "column": p.column} for p in problems]


def problem_text(problem: Problem) -> str:
    """The problem in the reader's language, with its values and where in the file it is."""
    text = _(problem.message, **dict(problem.params))
    if problem.line is not None and problem.column is not None:
        return _("%(problem)s (line %(line)s, column %(column)s)", problem=text, line=problem.line,
                 column=problem.column)
    if problem.line is not None:
        return _("%(problem)s (line %(line)s)", problem=text, line=problem.line)
    return text


def _report(report: versions.MigrationReport) -> dict[str, Any]:
    return {"moved": report.moved, "stayed": [
        {"instance_id": s.instance_id, "task_ref": s.task_ref, "element_id": s.element_id, "reason": _(s.reason)}
        for s in report.stayed]}


def _previews(planned: list[versions.InstancePreview]) -> list[dict[str, Any]]:
    return [{"instance_id": p.instance_id, "task_ref": p.task_ref, "steps": list(p.steps), "moves": p.moves,
             "reason": _(p.stayed.reason) if p.stayed else None,
             "element_id": p.stayed.element_id if p.stayed else None} for p in planned]


def _json_object() -> dict[str, Any]:
    """The JSON body as an object (empty when the body is not JSON, e.g. raw XML);
    a JSON list, string or broken JSON is a 400, not a 500 further on."""
    if not request.is_json:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(json_error(400, "bad_request", _("The body must be a JSON object.")))
    return body


def _id(value: Any) -> int:
    """A version id from JSON (a number or its digits); anything else is 0, which no version has."""
    return whole_number(value) or 0


def _xml_from_request() -> str | bytes:
    """The diagram as sent: JSON's `xml` text, or the raw bytes of any other body, which the
    engine decodes itself (strict UTF-8), the one check every entry point goes through."""
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return str(body.get("xml") or "")
    return request.get_data()
