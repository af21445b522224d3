"""Flask-WTF forms: the CSRF token, the widgets, and the fields' names.

The step forms validate nothing themselves: every rule (a choice among the unit's
people, a result written, a product that is not empty, a comment to return) lives in
`engine.process.step_forms`, which the API goes through too, so a page and a script can never
disagree. The engine's `InvalidInput` errors are put back on these fields by name,
so the field names here are the engine's.

WTForms ships no Vietnamese catalogue, so its own messages go through ours
(`PlanflowForm.Meta`); the ones a user can meet here are marked below for extraction.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from engine.errors import N_
from engine.process.step_forms import UNIT_STAFF
from engine.ids import whole_number

REQUIRED = _l("This field is required.")
WTFORMS_MESSAGES = (  # WTForms' own English messages, extracted into our catalogue
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("This field is required."),
)


class _CatalogueTranslations:
    """WTForms' translations object, answered by our Flask-Babel catalogue."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class PlanflowForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _CatalogueTranslations:
            return _CatalogueTranslations()


class LoginForm(PlanflowForm):
    username = StringField(_l("Username"), validators=[InputRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED)])


class StepForm(PlanflowForm):
    """Base of the step forms; `fields_for_engine` is what `complete_step` receives."""

    def fields_for_engine(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def add_errors(self, errors: dict[str, str], translate: Any) -> list[str]:
        """Put the engine's errors next to their fields; return those with no field."""
        stray = []
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None or name == "csrf_token":
                stray.append(translate(message))
            else:
                field.errors = [*field.errors, translate(message)]
        return stray


def user_id_value(value: Any) -> int | None:
    return whole_number(str(value))


def assignee_value(value: Any) -> int | str | None:
    """A person's id, or UNIT_STAFF: the task goes to the unit's staff, one takes it."""
    return UNIT_STAFF if value == UNIT_STAFF else user_id_value(value)


class AssignForm(StepForm):
    assignee = SelectField(_l("Main handler"), coerce=assignee_value, validate_choice=False)
    co_handlers = SelectMultipleField(_l("Co-handlers"), coerce=user_id_value, validate_choice=False)
    informed = SelectMultipleField(_l("For information"), coerce=user_id_value, validate_choice=False)
    instruction = TextAreaField(_l("Instruction (ý kiến chỉ đạo)"))
    internal_due = StringField(_l("Internal deadline"))

    def __init__(self, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        people = [SelectChoice(int(uid), name) for uid, name in choices]
        # The empty first option makes the head choose, instead of sending the first name.
        self.assignee.choices = [SelectChoice("", _l("— choose —")), *people,
                                 SelectChoice(UNIT_STAFF, _l("The unit's staff: one of them takes it"))]
        self.co_handlers.choices = self.informed.choices = people


class ContributeForm(StepForm):
    contribution = TextAreaField(_l("Your unit's contribution"))


class ReportForm(StepForm):
    result = TextAreaField(_l("Result"))
    product = FileField(_l("Product (file, at most 20 MB)"))

    def fields_for_engine(self) -> dict[str, Any]:
        return {"result": self.result.data}


class ReviewForm(StepForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept the report")),
                 SelectChoice("return", _l("Return for more work"))],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Comment"))


FORMS: dict[str, type[StepForm]] = {
    "assign": AssignForm,
    "contribute": ContributeForm,
    "report": ReportForm,
    "review": ReviewForm,
    "done": StepForm,  # a manualTask: the button alone says the step is done
}


def form_for(kind: str, choices: list[tuple[int, str]] | None = None) -> StepForm:
    if kind == "assign":
        return AssignForm(choices or [])
    return FORMS[kind]()
