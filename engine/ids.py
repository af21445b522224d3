"""What counts as an id (or a count) that a person or a program sends: the one rule,
for the pages' query strings and forms (`web/`) and the step forms' people
(`engine/process/step_forms.py`).

A JSON int, or a string of ASCII digits, from 0 up to a limit (by default the largest
id the database's INTEGER column holds); nothing else. Not `str.isdigit`/`isdecimal`:
"²" passed the first and made `int()` raise (a 500), and "٣" (Arabic-Indic three)
passed the second and became user 3, a digit nobody in the office types. Not a bool
(True is an int in Python), a float, a negative number, text with spaces or a sign:
no page sends one, so a request holding one is not naming anything. A list that
separates ids with commas strips the spaces around each entry itself (its format).
"""
from __future__ import annotations

MAX_ID = 2**31 - 1  # the ids' column type (INTEGER) on PostgreSQL: a larger id names nothing


def whole_number(value: object, limit: int = MAX_ID) -> int | None:
    """`value` as a number from 0 to `limit` when it is a JSON int or ASCII digits, else None.
    The length check comes before `int()` so that a megabyte of digits costs nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(limit)):
        number = int(value)
    else:
        return None
    return number if 0 <= number <= limit else None
