"""The one rule for an id (or a count) a person or a program sends: `engine.ids`.
The step forms' people and the web's ids read it, so both refuse the same things."""
from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from engine.ids import MAX_ID, whole_number
from engine.process import step_forms

MEMBERS = [(3, "Lan"), (5, "Minh")]


@pytest.mark.parametrize("value, number", [
    ("3", 3), (3, 3), ("0", 0), (0, 0), ("007", 7), (str(MAX_ID), MAX_ID), (MAX_ID, MAX_ID),
])
def test_ascii_digits_and_json_ints_up_to_the_limit_are_ids(value: object, number: int) -> None:
    assert whole_number(value) == number


@pytest.mark.parametrize("value", [
    "٣",  # Arabic-Indic three: int() reads it, nobody in the office types it
    "３",  # fullwidth three
    "²", True, False, 3.0, "3.0", " 3 ", "3 ", "\t3", "+3", "-3", -3, "", None, [3], {"id": 3},
    str(MAX_ID + 1), MAX_ID + 1, 2**70, "9" * 400,
])
def test_anything_else_is_none(value: object) -> None:
    assert whole_number(value) is None


def test_a_limit_bounds_a_count() -> None:
    assert whole_number("99999", limit=99_999) == 99_999
    assert whole_number("100000", limit=99_999) is None


def assigned(fields: dict) -> dict:
    return step_forms.validate("assign", fields, None, MEMBERS)


@pytest.mark.parametrize("assignee", ["٣", " 3 ", True, 3.0, "3.0", -3, "", str(2**31 + 3), 2**64 + 3])
def test_the_assign_form_refuses_as_assignee_what_is_no_id(assignee: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        assigned({"assignee": assignee})
    assert set(refused.value.errors) == {"assignee"}


@pytest.mark.parametrize("co_handlers", [["٣"], "٥", [True], [5.0], "3,-5", "5,abc"])
def test_the_assign_form_refuses_co_handlers_that_are_no_ids(co_handlers: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        assigned({"assignee": "3", "co_handlers": co_handlers})
    assert set(refused.value.errors) == {"co_handlers"}


def test_the_assign_form_takes_ids_as_digits_ints_and_a_spaced_list() -> None:
    assert assigned({"assignee": 3, "co_handlers": "5"})["co_handlers"] == [5]
    assert assigned({"assignee": "3", "co_handlers": [5]})["co_handlers"] == [5]
    assert assigned({"assignee": "3", "co_handlers": " 5 , "})["co_handlers"] == [5]  # the list's spaces, not the id's
