"""The errors the service layer raises; entrypoints map them to HTTP codes and pages.

Messages are English msgids: `web/` translates them (Vietnamese by default), so the
engine stays free of Flask-Babel. `N_` only marks them for extraction.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for the translation catalogue without translating it here."""
    return message


class PlanflowError(Exception):
    """Base of the errors a user can be shown."""

    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(PlanflowError):
    code = "not_found"


class NotAllowed(PlanflowError):
    code = "not_allowed"


class AlreadyDone(PlanflowError):
    """The step was completed, or the process moved on, before this request."""

    code = "already_done"


class InvalidInput(PlanflowError):
    """Fields that failed validation, each with a message for the form."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, str], message: str = N_("Please correct the fields marked below.")) -> None:
        super().__init__(message)
        self.errors = errors


class StepFailed(PlanflowError):
    """The process itself failed on this step (an expression, its stored state): an
    incident records it and the person's input for a retry after a fix."""

    code = "incident"

    def __init__(self, incident_id: int, message: str = N_(
            "This step could not be completed: the process met an error. Your input is kept, and the "
            "process designers and the leadership have been told: they will finish the step once the "
            "process is fixed.")) -> None:
        super().__init__(message)
        self.incident_id = incident_id
