"""A list's filters from the query string: a day typed as the office writes it, and a
value that does not read ignored (a report's period refuses one instead)."""
from __future__ import annotations

from datetime import date

from web.dashboard import filters_from


def test_a_filter_s_days_are_read_as_every_typed_day_is() -> None:
    filters = filters_from({"from": "01/03/2024", "to": "2024-03-31"})
    assert (filters.due_from, filters.due_to) == (date(2024, 3, 1), date(2024, 3, 31))


def test_a_filter_day_that_does_not_read_is_ignored() -> None:
    filters = filters_from({"from": "2024-13-45", "to": "1/1/99999999999999999999"})
    assert (filters.due_from, filters.due_to) == (None, None)
