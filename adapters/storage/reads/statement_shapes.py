"""A read's statement as a shape and the values bound to it, and the UNION ALL of parts.

The statements of the dashboard and the plan page are built once per shape of their
scope (which of its fields are given, `bound`) and run with the values bound: building
and keying a statement cost SQLAlchemy more than SQLite takes to run it. `symbolic`
makes the scope a statement is built from, a bound parameter in place of each value
(`unit_bound` and `unit_scope` for one unit's tasks); a list of ids is bound as one
array (`AmongIds`). Statements of different columns go as one round trip, their parts'
rows ordered in the outermost clause (`together`, `ordered_outermost`).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Date, Integer, any_, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from engine.reading.progress import TaskScope


class AmongIds(ColumnElement[bool]):
    """`column` among the ids of a list bound as `name`: `IN (?, ?, ...)` on SQLite,
    `= ANY(%(name)s)`, one array, on PostgreSQL. There a page's fifty ids made the SQL of
    its details 4.6 kB and 52 parameters, past what psycopg keeps converted (4 kB, 50):
    it parsed the statement again at each run, 0.17 ms of the client's time. Not
    `driving`, on SQLite a test of each row read otherwise (`+column`), never a way in:
    driven from a few ids, the word index is looked up one id at a time, and FTS5 works
    out the whole query again for each (0.2 ms a task at 20,000 tasks)."""

    inherit_cache = False  # (its fields are not in a cache key; run on the cursor path, compiled there)
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is: not `... = 1` where booleans are integers

    def __init__(self, column: Any, name: str, driving: bool = True) -> None:
        self.column, self.name, self.driving = column, name, driving


@compiles(AmongIds)
def _among_ids(element: AmongIds, compiler: Any, **kw: Any) -> str:
    listed = compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)
    return listed if element.driving else "+" + listed


@compiles(AmongIds, "postgresql")
def _among_ids_as_array(element: AmongIds, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column == any_(bindparam(element.name, type_=ARRAY(Integer))), **kw)


# An order of a statement's rows: its columns by name, ascending, and whether NULLs come last.
Order = tuple[tuple[str, bool], ...]


def asc(*names: str) -> Order:
    return tuple((name, False) for name in names)


def ordered_outermost(statement: Any, order: Order) -> Any:
    """`statement` (a UNION ALL of parts, or a SELECT) ordered by its columns `order` in
    its outermost clause: SQL promises no order of the rows of a UNION ALL (a PostgreSQL
    parallel Append interleaves its parts) nor of a subquery's, whatever its ORDER BY."""
    return statement.order_by(*(literal_column(name).nulls_last() if last else literal_column(name)
                                for name, last in order))


def together(parts: list[tuple[str, Any, Order]], shared: Any = None, sqlite: bool = False) -> Any:
    """SELECTs of different columns as one UNION ALL, one round trip: a row has its part's
    number (`part`) and its columns as `<part>_<column>`, typed NULL in the other parts'
    columns; part by part, each in its `order` (`ordered_outermost`: the parts' own ORDER BY is
    dropped, so none may have a LIMIT of its own). `shared`, a WITH the parts read: on
    PostgreSQL written under the statement's outermost SELECT, as a unit of work entered
    for reading there sends SELECTs only (`unit_of_work.refuse_writes`); on SQLite at its
    head, where the parts' rows are then merged in order, not copied and sorted again
    with their columns (a person page's 50 tasks with their texts)."""
    columns = [(name, column) for name, part, _ in parts for column in part.selected_columns]
    selects = []
    for number, (name, part, _) in enumerate(parts):
        rows = part.order_by(None).subquery()
        selects.append(select(literal_column(str(number), Integer).label("part"), *(
            (rows.c[column.key] if owner == name else cast(null(), column.type)).label(f"{owner}_{column.key}")
            for owner, column in columns)))
    both = union_all(*selects)
    if shared is not None:
        both = both.add_cte(shared, nest_here=True) if sqlite else select(both.add_cte(shared, nest_here=True).subquery())
    return ordered_outermost(both,
                             (("part", False), *((f"{name}_{key}", last) for name, _, order in parts for key, last in order)))


_SCOPE_IDS = ("plan_id", "unit_id", "lead_unit_id", "person_id", "reader_id", "reader_unit_id")
_SCOPE_DATES = ("due_from", "due_to")
_SCOPE_LISTS = ("matches",)  # bound as a list of ids (`AmongIds`)


def bound(scope: TaskScope, prefix: str = "") -> tuple[tuple[Any, ...], dict[str, Any]]:
    """`scope`'s shape (which of its fields are given, and its words, which stay in the
    statement) and the values of its fields, to bind to the statement built from the shape
    (`symbolic`) under their names (`prefix` keeps two scopes of one statement apart)."""
    given = tuple(name for name in (*_SCOPE_IDS, *_SCOPE_DATES, *_SCOPE_LISTS) if getattr(scope, name) is not None)
    values = {prefix + name: list(value) if name in _SCOPE_LISTS else value
              for name, value in ((name, getattr(scope, name)) for name in given)}
    values[prefix + "as_of"] = scope.as_of
    return (prefix, given, scope.words, scope.typed_words), values


def symbolic(shape: tuple[Any, ...]) -> TaskScope:
    """The scope of `shape` (`bound`), a bound parameter in place of each value."""
    prefix, given, words, typed = shape
    binds = {name: bindparam(prefix + name, type_=Date if name in _SCOPE_DATES else Integer) for name in given}
    return TaskScope(as_of=bindparam(prefix + "as_of", type_=Date), words=words, typed_words=typed,  # type: ignore[arg-type]
                     **binds)


def unit_bound(scope: TaskScope, prefix: str = "") -> tuple[tuple[bool, bool, bool, bool, str], dict[str, Any]]:
    """A scope of one unit's tasks (`of_one_unit`) as the shape of its statements (led,
    by plan, by due dates: `unit_scope`; and `prefix`) and the values to bind to them,
    each named `prefix` and its name (two scopes of one statement kept apart)."""
    shape = (scope.lead_unit_id is not None, scope.plan_id is not None,
             scope.due_from is not None, scope.due_to is not None, prefix)
    return shape, {prefix + "as_of": scope.as_of, prefix + "unit_id": scope.unit_id, prefix + "plan_id": scope.plan_id,
                   prefix + "due_from": scope.due_from, prefix + "due_to": scope.due_to}


def unit_scope(as_of: Any, led: bool, plan: bool, due_from: bool, due_to: bool, prefix: str = "") -> TaskScope:
    """The scope of one unit's tasks of this shape, a bound parameter in place of each
    value (named `prefix` and the field's name)."""
    unit = bindparam(prefix + "unit_id", type_=Integer)
    return TaskScope(as_of, unit_id=unit, lead_unit_id=unit if led else None,
                     plan_id=bindparam(prefix + "plan_id", type_=Integer) if plan else None,
                     due_from=bindparam(prefix + "due_from", type_=Date) if due_from else None,
                     due_to=bindparam(prefix + "due_to", type_=Date) if due_to else None)
