"""The details shown with a page's tasks: their units, their ready steps, the notices sent.

Each a statement over the tasks of a plan or of a list of ids (`task_units_statement`,
`ready_steps`, `told`, and the plan's audit lines, `audit_statement`), and the three of
a page in one (`page_details_statement`).
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Integer, String, bindparam, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from adapters.storage import orm
from adapters.storage.reads.statement_shapes import AmongIds, Order, asc, together

_t, _tu, _u = orm.plan_tasks, orm.task_units, orm.units


def _of_tasks(query: Any, task_id: Any, by_plan: bool, by_ids: bool, ids: str = "task_ids") -> Any:
    """`query` narrowed to the plan `plan_id` (`plan_tasks` joined) and to the ids bound as
    `ids`, when given."""
    if by_plan:
        query = query.where(_t.c.plan_id == bindparam("plan_id", type_=Integer))
    if by_ids:
        query = query.where(AmongIds(task_id, ids))
    return query


@functools.lru_cache(maxsize=8)
def task_units_statement(by_plan: bool, by_ids: bool) -> Any:
    query = (
        select(_tu.c.task_id, _tu.c.unit_id, _tu.c.role, _u.c.name, _tu.c.position)
        .join(_u, _u.c.id == _tu.c.unit_id)
        .order_by(_tu.c.task_id, _tu.c.role, _tu.c.position)
    )
    if by_plan:
        query = query.join(_t, _t.c.id == _tu.c.task_id)
    return _of_tasks(query, _tu.c.task_id, by_plan, by_ids)


@functools.lru_cache(maxsize=8)
def ready_steps(by_plan: bool, by_ids: bool) -> Any:
    """The ready steps of a plan's tasks (`plan_id`) or of some (`task_ids`), by id, with
    who holds them: `task_id`, `work_item_id`, `step_id`, `step_name`, `due_on`,
    `assignee_user_id` and their `user_name`, `candidate_role` and the waiting unit's
    `unit_name`. One statement for the plan page, the dashboard, a task's page and reports."""
    w, us = orm.work_items, orm.users
    query = (
        select(w.c.plan_task_id.label("task_id"), w.c.id.label("work_item_id"), w.c.step_id, w.c.step_name,
               w.c.due_on, w.c.assignee_user_id, w.c.candidate_role, us.c.full_name.label("user_name"),
               _u.c.name.label("unit_name"))
        .select_from(w.join(_t, _t.c.id == w.c.plan_task_id) if by_plan else w)
        .outerjoin(us, us.c.id == w.c.assignee_user_id)
        .outerjoin(_u, _u.c.id == w.c.candidate_unit_id)
        .where(orm.ready(w))
        .order_by(w.c.id)
    )
    return _of_tasks(query, w.c.plan_task_id, by_plan, by_ids)


@functools.lru_cache(maxsize=16)
def audit_statement(action_prefix: str) -> Any:
    a, us = orm.audit_events, orm.users
    query = (
        select(a.c.plan_task_id.label("task_id"), a.c.action, a.c.at, a.c.step_name, a.c.detail,
               us.c.full_name.label("actor_name"), a.c.id)
        .select_from(a.join(_t, _t.c.id == a.c.plan_task_id))
        .outerjoin(us, us.c.id == a.c.actor_user_id)
        .where(a.c.action.startswith(action_prefix, autoescape=True))
        .order_by(a.c.at, a.c.id)
    )
    return _of_tasks(query, a.c.plan_task_id, True, False)


@functools.lru_cache(maxsize=8)
def page_detail_parts(notices: str | None) -> tuple[tuple[str, Any, Order], ...]:
    """`ProgressQueries.page_details`' parts (units, steps, notices with `notices`), each a
    statement in its order and that order by column names (`together`), the task ids bound
    (`task_ids`; the notices', which may be fewer, `told_ids`)."""
    parts = [("units", task_units_statement(False, True), asc("task_id", "role", "position")),
             ("steps", ready_steps(False, True), asc("work_item_id"))]
    if notices is not None:
        parts.append(("notices", told(notices, False, True, "told_ids"), asc("at", "id")))
    return tuple(parts)


@functools.lru_cache(maxsize=8)
def told(action_prefix: str, by_plan: bool, by_ids: bool, ids: str = "task_ids") -> Any:
    """The notices sent about a plan's tasks (`plan_id`) or some (bound as `ids`), oldest first:
    `task_id`, `action`, `at`, `step_name`, `to` (the people told, `_Recipients`), `id`
    (`engine.reading.progress.NOTICE_ROW`).
    What a notice shows (`engine.reading.progress._notices`), not who acted, and the table
    by a short name: a page's details' SQL then stays under the 4 kB whose conversion
    psycopg keeps (`AmongIds`). The prefix is written in, as `_starting_with` writes it:
    for "notice", the condition of `ix_audit_events_notices`, which holds those lines alone."""
    a = orm.audit_events.alias("a")
    query = (select(a.c.plan_task_id.label("task_id"), a.c.action, a.c.at, a.c.step_name,
                    _Recipients(a.c.detail).label("to"), a.c.id)
             .select_from(a if not by_plan else a.join(_t, _t.c.id == a.c.plan_task_id))
             .where(_starting_with(a.c.action, action_prefix))
             .order_by(a.c.at, a.c.id))
    return _of_tasks(query, a.c.plan_task_id, by_plan, by_ids, ids)


def _starting_with(column: Any, prefix: str) -> Any:
    """`column LIKE '<prefix>%' ESCAPE '/'`, the prefix written into the SQL with its
    wildcards escaped: a partial index's condition is met only by a query stating it
    alike (a bound prefix is a value SQLite and a generic plan cannot compare with it)."""
    escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_").replace("'", "''")
    return column.like(literal_column(f"'{escaped}%'", String), escape="/")


class _Recipients(ColumnElement[str]):
    """The names of the people a notice told (its audit line's `detail`, `recipients`: a
    list, as `engine.deadlines.notices` writes it, or one value), joined by ", ", as text;
    '' when none. Joined by the database: the whole `detail` read and parsed as JSON for
    each notice was half of the rows' handling on SQLite (80 notices: 1.10 ms, against
    0.59 ms with the names joined by SQLite)."""

    inherit_cache = False  # (compiled on the cursor path, once per statement)
    type = String()

    def __init__(self, detail: Any) -> None:
        self.detail = detail


@compiles(_Recipients)
def _recipients(element: _Recipients, compiler: Any, **kw: Any) -> str:
    # (SQLite before 3.44 has no ORDER BY in group_concat: it joins the rows as the ordered
    # subquery gives them.) A list of one name, most notices' (a reminder tells the holder),
    # is its element, as text as group_concat makes it: the subquery through json_each was
    # 5 us a notice, 0.41 ms of the 0.83 of a page's 80 notices, with it 0.56.
    detail = compiler.process(element.detail, **kw)
    return (f"coalesce(CASE json_array_length({detail}, '$.recipients') "
            f"WHEN 1 THEN CAST(json_extract({detail}, '$.recipients[0]') AS TEXT) "
            f"ELSE (SELECT group_concat(value, ', ') FROM (SELECT value FROM "
            f"json_each({detail}, '$.recipients') ORDER BY key)) END, '')")


@compiles(_Recipients, "postgresql")
def _recipients_joined(element: _Recipients, compiler: Any, **kw: Any) -> str:
    # (short: a page's details' SQL, `told` among them, stays under psycopg's 4 kB.) A
    # list of one name is its element, as on SQLite (`_recipients`): the subquery over
    # json_array_elements_text was 3 us a notice on the server.
    detail = compiler.process(element.detail, **kw)
    names = f"{detail}->'recipients'"
    return (f"coalesce(CASE json_typeof({names}) WHEN 'array' THEN CASE json_array_length({names}) WHEN 1 "
            f"THEN {names}->>0 ELSE (SELECT string_agg(e,', ' ORDER BY n) FROM json_array_elements_text({names}) "
            f"WITH ORDINALITY r(e,n)) END ELSE {detail}->>'recipients' END,'')")


@functools.lru_cache(maxsize=8)
def page_details_statement(notices: str | None) -> Any:
    """`ProgressQueries.page_details`' parts in one UNION ALL (`together`)."""
    return together(list(page_detail_parts(notices)))
