"""A stand-in for a query planner free to give a UNION ALL's rows in any order: SQL
promises no order of the parts (a PostgreSQL parallel Append interleaves them) nor of a
subquery's rows, whatever its ORDER BY. Patched in place of a module's `union_all`, it
builds each UNION ALL with its parts in reverse and each part's rows (after its own
ORDER BY and LIMIT) shuffled; a statement that orders its rows in its outermost clause
gives the same rows in the same order."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union_all


def shuffled_union_all(*parts: Any) -> Any:
    return union_all(*(select(select(part.subquery()).order_by(func.random()).subquery()) for part in reversed(parts)))
