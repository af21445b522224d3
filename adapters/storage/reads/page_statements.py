"""Pages of tasks: the statement of `ProgressQueries.task_slices` and the unit page.

A task's columns (`task_columns`), the pages of a scope each in its order (plan order,
most urgent first, best match first) in one statement (`slices_statement`, its values
`slice_values`), and a page of one unit's tasks from its own table (`unit_page`).
"""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import Date, Integer, and_, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.sql.elements import Label

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from adapters.storage.reads.scope_conditions import of_one_person, scope_conditions, task_conditions, unit_conditions
from adapters.storage.reads.search_states import in_state_ids, state_read
from adapters.storage.reads.statement_shapes import Order, asc, ordered_outermost, symbolic, unit_scope
from adapters.storage.reads.task_states import (
    AFTER,
    FIRST,
    by_state,
    in_state_conditions,
    overdue_on,
    task_state,
    urgency,
)
from adapters.storage.reads.text_search import best_first, readable_rowid, reader_range, words_looked_up
from engine.reading.progress import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, OVERDUE, WAITING, TaskScope, TaskSlice

_t, _p = orm.plan_tasks, orm.plans


@functools.cache
def task_columns() -> Any:
    # Built once: statements are immutable, and each read adds its conditions to a copy.
    return (select(_t.c.id, _t.c.plan_id, _t.c.ref, _t.c.title, _t.c.content, _t.c.product, _t.c.director,
                   _t.c.position, _t.c.deadline_text, _t.c.due_on, _t.c.status, _t.c.closed_on,
                   _p.c.number.label("plan_number"), _p.c.title.label("plan_title"))
            .join(_p, _p.c.id == _t.c.plan_id))


# The keys of a page's order that are not among a task's columns, each NULL in the pages
# of another order (`slices_statement`): most urgent first, `urgency`, or best match first.
_SLICE_KEYS = {"urgent": Integer, "open": Integer, "urgent_due": Date, "rest": Integer, "rank": Integer}
# Pages one after the other, each in its order: "position" has every key above NULL, then
# plan order; "urgency" its three, then plan order; "words" its rank (one row each).
SLICES_ORDER: Order = (("part", False), *((key, key == "urgent_due") for key in _SLICE_KEYS),
                       *asc("plan_id", "position", "id"))


@functools.lru_cache(maxsize=256)
def slices_statement(shape: tuple[Any, ...], slices: tuple[tuple[str | None, str], ...], sqlite: bool,
                     following: tuple[int, ...] = (), by_rowid: bool = False, state_first: bool = False,
                     mine: Any = None) -> Any:
    """`ProgressQueries.task_slices`' statement for a scope of this shape and pages of these
    states (or of any), in these orders; the pages' states, offsets and limits bound
    (`state_<n>`, `offset_<n>`, `limit_<n>`, and `reach_<n>` their sum). Each page is
    read in its order under its LIMIT (through an index where one serves), then the
    pages' rows are ordered by `SLICES_ORDER` in the outermost clause; one page is the
    statement itself, in its order. `by_rowid`: a search's reader's rule tested on the word
    index (`_search_reads`); `state_first`, its page's state among the state's ids read
    first (`in_state_ids`); `mine`, a person page's tasks read already (`_person_tasks`)."""
    scope = symbolic(shape)
    # The day again, for the due dates of a state's page: written in on PostgreSQL, as the
    # page's bounds are (`planned_with`), else its generic plan guesses a third of the
    # plan's tasks due before it and PostgreSQL plans the page again at every read.
    day = planned_with("state_day", sqlite, Date)
    parts = []
    for number, (state_name, order) in enumerate(slices):
        state = (in_state_ids(sqlite) if state_first else
                 in_state_conditions(scope.as_of, state_name, bindparam(f"state_{number}"), day,
                                     state_read(scope, sqlite).c if order == "words" else _t.c))
        columns = task_columns().add_columns(literal_column(str(number), Integer).label("part"))
        keys: dict[str, Any] = {}
        in_order = [_t.c.plan_id, _t.c.position, _t.c.id]
        offset, limit = planned_with(f"offset_{number}", sqlite), planned_with(f"limit_{number}", sqlite)
        if order == "words" and scope.words:
            after = (tuple(planned_with(f"after_{key}_{number}", sqlite) for key in ("ranked", "rank", "id"))
                     if number in following else None)
            words_from, conditions = _search_reads(scope, by_rowid)
            ranked = best_first(scope, [*conditions, *state, *reader_range(scope, sqlite)],
                                planned_with(f"reach_{number}", sqlite), sqlite, after, number, words_from)
            # The page's ids are picked from the ordered matches first, and only they are
            # joined to their tasks: joined before the OFFSET, a page past the ranked
            # matches had PostgreSQL hash every task of the office.
            found = (select(ranked).order_by(ranked.c.rest, ranked.c.rank).offset(None if after else offset)
                     .limit(limit).subquery())
            columns, keys = columns.join(found, found.c.id == _t.c.id), {"rest": found.c.rest, "rank": found.c.rank}
            in_order, offset, limit = [found.c.rest, found.c.rank], None, None
        elif order == "urgency" and of_one_person(scope):
            found = _most_urgent(scope, state_name, day, number, sqlite, mine)
            columns = columns.join(found, found.c.id == _t.c.id)
            keys = {"urgent": found.c.urgent, "open": found.c.open, "urgent_due": _t.c.due_on}
            in_order = [found.c.urgent, found.c.open, _t.c.due_on.asc().nulls_last(), *in_order]
            offset, limit = None, None
        elif order == "urgency" and state_name == OVERDUE:
            found = _most_overdue(scope_conditions(scope, sqlite), day, number, sqlite)
            columns = columns.join(found, found.c.id == _t.c.id)
            keys = {"urgent": FIRST, "open": found.c.open, "urgent_due": _t.c.due_on}
            in_order, offset, limit = [found.c.open, _t.c.due_on, *in_order], None, None
        else:
            columns = columns.where(*scope_conditions(scope, sqlite), *state)
            if order == "urgency":  # (else plan order: "words" without words ranks no task before another)
                urgent, still_open, by_due = urgency(task_state(scope.as_of), _t.c)
                # Ordered by the columns' names: the expressions again took 0.8 kB of its SQL (`AmongIds`).
                keys = {"urgent": urgent.label("urgent"), "open": still_open.label("open"), "urgent_due": _t.c.due_on}
                in_order = [keys["urgent"], keys["open"], by_due, *in_order]
        page = (columns.add_columns(*(keys[key] if isinstance(keys.get(key), Label) else
                                      keys.get(key, cast(null(), type_)).label(key) for key, type_ in _SLICE_KEYS.items()))
                .order_by(*in_order).offset(offset).limit(limit))
        if len(slices) == 1:
            # The page's own ORDER BY is the statement's: sorted again outside, a person page's
            # rows took SQLite a quarter more (its 50 rows and their columns copied and sorted).
            return page
        parts.append(select(page.subquery()))  # LIMIT inside a UNION needs its own SELECT on SQLite
    return ordered_outermost(union_all(*parts), SLICES_ORDER)


def _most_urgent(scope: TaskScope, state: str | None, day: Any, number: int, sqlite: bool, mine: Any = None) -> Any:
    """The ids of page `number` of one person's tasks (`of_one_person`) in `state` (any
    when None), most urgent first (`urgency`), with their keys of that order (`urgent`,
    `open`): worked out on their entries in `ix_plan_tasks_state` (`by_state`), or on
    those entries read already (`mine`, `_person_tasks`), and only the page's tasks joined
    to their rows. Sorted with their rows, a unit head's 13,980 tasks (they assigned them)
    were each read whole and sorted with their texts for a page of 50 (100,000 open,
    SQLite: 70 ms CPU, 24 so)."""
    t = by_state.c if mine is None else mine.c
    state_of, conditions = (task_state(scope.as_of, t), task_conditions(scope, t=t)) if mine is None else (t.state, [])
    urgent, still_open, by_due = urgency(state_of, t)
    return (select(t.id, urgent.label("urgent"), still_open.label("open"))
            .where(*conditions, *in_state_conditions(scope.as_of, state, bindparam(f"state_{number}"), day, t, state_of))
            .order_by(urgent, still_open, by_due, t.plan_id, t.position, t.id)
            .offset(planned_with(f"offset_{number}", sqlite)).limit(planned_with(f"limit_{number}", sqlite))
            .subquery())


def slice_values(slices: list[TaskSlice]) -> dict[str, Any]:
    """The values `slices_statement` binds of each of its pages: state, offset, limit and
    their sum (`reach`)."""
    values: dict[str, Any] = {}
    for number, part in enumerate(slices):
        values.update({f"state_{number}": part.state, f"offset_{number}": part.offset,
                       f"limit_{number}": part.limit, f"reach_{number}": part.offset + part.limit})
    return values


def _most_overdue(conditions: list[Any], day: Any, number: int, sqlite: bool) -> Any:
    """The ids of page `number` of the tasks that `conditions` keep and are overdue on
    `day`, most urgent first (`urgency`: being overdue, the open ones, with no closing
    date, first (`open`); then by due date, in plan order). Two parts, each read in that
    order up to the page's end, those few then sorted: the open tasks, of a plan through
    `ix_plan_tasks_open_due` (migration 0038), which holds them in that order; and the
    rare ones with a closing date (closed after the day), of a plan among its range of
    `ix_plan_tasks_plan_due`, which tells them apart without reading a task (their
    closing date tested first). Sorted whole, a plan's 1,000 tasks all overdue on one
    due date had each its state worked out and were all sorted for a page of 20: the
    dashboard's pages took PostgreSQL's server 2.6 ms, now 0.4; SQLite's overdue page
    0.8 ms, now 0.2."""
    reach, offset, limit = (planned_with(f"{name}_{number}", sqlite) for name in ("reach", "offset", "limit"))
    halves = []
    for closed in (False, True):
        rows = (select(_t.c.id, (AFTER if closed else FIRST).label("open"), _t.c.due_on, _t.c.plan_id, _t.c.position)
                .where(*overdue_on(day, closed), *conditions)
                .order_by(_t.c.due_on, _t.c.plan_id, _t.c.position, _t.c.id).limit(reach))
        halves.append(select(rows.subquery()))  # LIMIT inside a UNION needs its own SELECT on SQLite
    both = union_all(*halves).subquery()
    return (select(both.c.id, both.c.open)
            .order_by(both.c.open, both.c.due_on, both.c.plan_id, both.c.position, both.c.id)
            .offset(offset).limit(limit).subquery())


@functools.cache
def unit_page(state: str | None, led: bool, plan: bool, due_from: bool, due_to: bool, sqlite: bool) -> Any:
    """A page of a unit's tasks most urgent first (`task_slices`' "urgency"), from
    `unit_tasks`: its rows split into parts by `sort_group` and due date, each read in the
    order of its index (`ix_unit_tasks_order`, or `ix_unit_tasks_plan_order` for one plan)
    up to the page's end, then those few sorted, the page cut from them, and its rows
    joined to their tasks and plans. Two parts hold what is rare and are sorted: closed
    tasks whose closing date is after the day, and group 3. A part whose rows cannot be in
    `state` is left out. Built once per shape (building it cost SQLAlchemy more than the
    database takes to run it)."""
    # The day and each part's group are written into the statement on PostgreSQL: bound,
    # the generic plan read group 3 by a scan of the unit's rows and costed the overdue
    # part at a third of them, so PostgreSQL planned the page again (1 ms) at every read.
    c, as_of = orm.unit_tasks.c, planned_with("as_of", sqlite, Date)
    reach, offset, limit = (planned_with(name, sqlite) for name in ("reach", "offset", "limit"))
    groups = unit_conditions(c, unit_scope(as_of, led, plan, due_from, due_to))
    late, closed_later = c.due_on < as_of, c.closed_on > as_of
    dated, undated = c.due_on.is_not(None), c.due_on.is_(None)
    in_order = [c.due_on, c.plan_id, c.position, c.task_id]
    everything = [*urgency(task_state(as_of, c), c), c.plan_id, c.position, c.task_id]
    layout = [  # (sort_group, conditions, the states its rows can be in, read in index order)
        (0, [dated, late], {OVERDUE}, True),
        (2, [closed_later, late], {OVERDUE}, False),
        (3, [], None, False),
        (0, [c.due_on >= as_of], {IN_PROGRESS}, True),
        (1, [dated], {WAITING}, True),
        (0, [undated], {WAITING}, True),
        (1, [undated], {WAITING}, True),
        (2, [dated, ~and_(closed_later, late)], {DONE_ON_TIME, DONE_LATE, IN_PROGRESS}, True),
        (2, [undated], {DONE_ON_TIME, WAITING}, True),
    ]
    parts = []
    for group, conditions, states, ordered in layout:
        if state is not None and states is not None and state not in states:
            continue
        if state is not None and states != {state}:
            conditions = [*conditions, task_state(as_of, c) == state]
        rows = (select(c.task_id, c.plan_id, c.position, c.status, c.due_on, c.closed_on)
                .where(*groups, c.sort_group == literal_column(str(group), Integer), *conditions)
                .order_by(*(in_order if ordered else everything)).limit(reach))
        parts.append(select(rows.subquery()))  # LIMIT inside a UNION needs its own SELECT on SQLite
    m = union_all(*parts).subquery()

    def urgent_first(t: Any) -> list[Any]:
        return [*urgency(task_state(as_of, t), t), t.plan_id, t.position, t.task_id]

    # Joined first, each of the parts' `reach` rows read its task's row (long: title and
    # contents): 200 for a first page of 50, up to 9 x reach further on (20k, the unit
    # head's page at offset 2,000: SQLite 11.4 -> 4.7 ms CPU, PostgreSQL 52 -> 5.7 ms). On
    # SQLite's first page the cut's extra sort costs what its 150 look-ups fewer save (20k,
    # the head's page, paired: -0.10 ms CPU, IQR -0.26 to +0.06; overdue -0.02, IQR +-0.2).
    page = select(m).order_by(*urgent_first(m.c)).offset(offset).limit(limit).subquery()
    return task_columns().join(page, page.c.task_id == _t.c.id).order_by(*urgent_first(page.c))


def _search_reads(scope: TaskScope, by_rowid: bool) -> tuple[Any, list[Any]]:
    """What a search's ranked reads join to the word index (`best_first`'s `words_from`;
    None, nothing) and their `task_conditions` (but the reader's matches, which they read by
    id); `by_rowid` (SQLite, a staff member of a unit of many tasks: `task_slices`), the
    reader's rule on the word index's rowid (`readable_rowid`), the unit's tasks joined
    to it. Not for a reader whose unit holds few: their ways in are other sets (a unit
    monitoring 5 plans reads their 5,000 tasks into one for each ranked read: its page
    took 0.8 ms more)."""
    if not by_rowid:
        return None, task_conditions(scope, ids=False)
    return (words_looked_up(scope.reader_id, scope.reader_unit_id, of_many=True),
            [*task_conditions(replace(scope, reader_id=None, reader_unit_id=None), ids=False),
             readable_rowid(scope.reader_id, scope.reader_unit_id, of_many=True)])
