"""Every error, as a page for people and as JSON for the API.

The service layer's errors map to HTTP codes (`NotFound` 404, `NotAllowed` 403,
`AlreadyDone` 409, `InvalidInput` 400, `StepFailed` 422: the process failed, an
incident holds it); HTTP errors (413 upload too large, CSRF 400, unknown URL 404) get
the same treatment. The API's body is always
`{"error": {"code", "message", "fields"}}`, with messages in the user's language.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.access.accounts import TooManyAttempts
from engine.errors import AlreadyDone, InvalidInput, NotAllowed, NotFound, PlanflowError, StepFailed

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

STATUS = {NotFound: 404, NotAllowed: 403, AlreadyDone: 409, InvalidInput: 400, TooManyAttempts: 429,
          StepFailed: 422}

# code -> (machine code, default message) for HTTP errors without an engine message
HTTP_MESSAGES = {
    400: ("bad_request", _l("The request could not be understood. Reload the page and try again.")),
    401: ("unauthorized", _l("Log in to continue.")),
    403: ("not_allowed", _l("You are not allowed to do this.")),
    404: ("not_found", _l("The page or record you asked for does not exist.")),
    405: ("method_not_allowed", _l("This address does not accept that kind of request.")),
    409: ("already_done", _l("This step was already completed or has moved on. Nothing was changed.")),
    413: ("too_large", _l("The file is too large. Send a file of at most %(limit)s MB.")),
    500: ("server_error", _l("Something went wrong on the server. Try again; if it happens again, tell the administrator.")),
}
ENGINE_DEFAULTS = {
    NotFound: HTTP_MESSAGES[404][1],
    NotAllowed: HTTP_MESSAGES[403][1],
    AlreadyDone: HTTP_MESSAGES[409][1],
}


def wants_json() -> bool:
    """The JSON APIs: `/api` and the designer's `/designer/api/` (its CSRF errors too)."""
    return (request.blueprint == "api" or request.path.startswith(("/api/", "/designer/api/"))
            or request.path == "/api")


def upload_limit_mb() -> int:
    # This request's own limit: a JSON or XML body has a tighter one than a file (web/limits.py).
    return int((request.max_content_length or 0) // (1024 * 1024)) or 1


def http_message(status: int) -> tuple[str, str]:
    code, message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[500] if status >= 500 else HTTP_MESSAGES[400])
    return code, str(message) % {"limit": upload_limit_mb()} if status == 413 else str(message)


def json_error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, message=message), status


def engine_error_message(error: PlanflowError) -> str:
    """The engine's msgid in the user's language, or the class's default sentence."""
    if error.message:
        return _(error.message)
    return str(ENGINE_DEFAULTS.get(type(error), HTTP_MESSAGES[400][1]))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PlanflowError)
    def engine_error(error: PlanflowError) -> Response | tuple[str, int]:
        status = next((code for cls, code in STATUS.items() if isinstance(error, cls)), 400)
        message = engine_error_message(error)
        if wants_json():
            fields = {name: _(msg) for name, msg in getattr(error, "errors", {}).items()}
            return json_error(status, error.code, message, fields)
        return error_page(status, message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response | tuple[str, int]:
        message = _("This form has expired or did not come from this site. Reload the page and try again.")
        if wants_json():
            return json_error(400, "csrf",
                              _("Missing or invalid CSRF token: send the X-CSRFToken header, or use HTTP Basic auth."))
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        status = error.code or 500
        code, message = http_message(status)
        if wants_json():
            return json_error(status, code, message)
        return error_page(status, message)
