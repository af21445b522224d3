"""The inbox's statements: a person's page of ready steps, the counts of the steps its
filters leave, and the plans and steps to filter it by (`WorkItemRepository.inbox_page`),
each built once per shape of the question (`functools.cache`) and bound at each read.

A page is read from the work-item index alone (`work_items`: each holder branch's rows
from its own index, in the page's order), joined to its tasks and plans; the counts and
the filter choices are sums over the count tables (`orm.inbox_counts`, `orm.inbox_choices`,
kept by triggers and folded by `inbox_counts.py`). None touches `process_instances.state`."""
from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from engine.tasks.inbox import InboxWhere


# The columns of a work item an inbox row shows, and those a page is merged by.
_ITEM_COLUMNS = ("id", "step_id", "step_name", "form", "due_on", "assignee_user_id", "created_at", "claimed_by",
                 "plan_task_id")


def inbox_columns(items: Any = None) -> list[Any]:
    """An inbox row's columns, `INBOX_ROW`: the work item's (of `items`, the table or a
    subquery of its `_ITEM_COLUMNS`), its task's and its plan's, and who took it. The due
    date is named with AS: SQLite matches a compound's ORDER BY to its columns by those
    names alone (`due_page`)."""
    w, t, p = items if items is not None else orm.work_items, orm.plan_tasks, orm.plans
    return [
        w.c.id.label("work_item_id"), w.c.step_id, w.c.step_name, w.c.form, w.c.due_on.label("due_on"),
        w.c.assignee_user_id,
        t.c.id.label("task_id"), t.c.ref.label("task_ref"), t.c.title.label("task_title"),
        p.c.id.label("plan_id"), p.c.number.label("plan_number"), p.c.title.label("plan_title"), w.c.claimed_by,
    ]


# Constants written into the inbox's statements, not bound: PostgreSQL then knows them
# as well in a prepared statement's generic plan as in a custom one (`_person`), as it
# knows the ready state (`orm.ready`). 0 is the count tables' "no holder", a step's
# "nobody" and an empty sum.
_ZERO, _NO_ROLE = literal_column("0", Integer), literal_column("''", String)


def _branches(user_id: int, unit_id: int | None, role: str, whose: str | None = None) -> list[Any]:
    """`_held_branches`' conditions alone."""
    return [branch for _, branch in _held_branches(user_id, unit_id, role, whose)]


def _held_branches(user_id: int, unit_id: int | None, role: str, whose: str | None = None) -> list[tuple[str, Any]]:
    """Ready steps for this person, as disjoint conditions, each with its holder (a kind
    of `_HOLDERS`): held by name, taken by them
    (and not also theirs by name), or waiting for their unit's role (a step for a role
    with no unit, the leaders', waits for everyone with that role) and not taken by a
    colleague; `whose` keeps the first two ("mine") or the others ("unit"). Each names
    `state` with its own columns, so that each is one range of an index that ends in
    (due_on, id): `ix_work_items_user_ready`, `_claimed_ready`, `_unit_ready`."""
    w = orm.work_items
    ready = orm.ready(w)
    # "Nobody holds it" as the columns: PostgreSQL's statistics say how many steps are
    # free (it takes an expression for a rare one and sorts them all instead of reading
    # its index); the name and claim indexes hold no step without a holder (migration
    # 0033), so SQLite cannot read the free steps through them.
    nobody = and_(w.c.assignee_user_id.is_(None), w.c.claimed_by.is_(None))
    free = and_(w.c.candidate_role == role, nobody)
    mine = [("person", and_(ready, w.c.assignee_user_id == user_id)),
            ("person", and_(ready, w.c.claimed_by == user_id, func.coalesce(w.c.assignee_user_id, _ZERO) != user_id))]
    units = [("free", and_(ready, w.c.candidate_unit_id.is_(None), free))]
    if unit_id is not None:
        units.append(("unit", and_(ready, w.c.candidate_unit_id == unit_id, free)))
    return {"mine": mine, "unit": units}.get(whose or "", mine + units)


# The holders of `_held_branches`' conditions: the person (by name and taken), a role
# with no unit, the person's unit's role.
_HOLDERS = ("person", "free", "unit")


def waiting_for(user_id: int, unit_id: int | None, role: str) -> Any:
    """Every ready step for this person (`_branches`) as one OR: SQLite's OR optimisation
    and PostgreSQL's BitmapOr read only the person's rows instead of every ready step."""
    return or_(*_branches(user_id, unit_id, role))


def _held_parts(table: Table, user_id: Any, unit_id: Any, role: Any, whose: str | None) -> list[tuple[str, Any]]:
    """`_held_by`'s rows as disjoint conditions, each with its holder (`_HOLDERS`): each
    one range of the table's index on its holder."""
    c = table.c
    mine = [("person", _person_holds(c, user_id))]
    units = [(holder, and_(c.holder_user_id == _ZERO, c.holder_unit_id == unit, c.holder_role == role))
             for holder, unit in (("free", _ZERO), ("unit", unit_id)) if unit is not None]
    return {"mine": mine, "unit": units}.get(whose or "", mine + units)


def _held_by(table: Table, user_id: Any, unit_id: Any, role: Any, whose: str | None) -> Any:
    """The rows of a count table (`orm.inbox_counts`) of this person's inbox: theirs, and
    their unit's role's (migration 0019 names the holders as `_branches` does); the role's
    two holders as one IN (PostgreSQL reads them in one BitmapOr), not two ranges as in
    `_held_parts`."""
    c = table.c
    person = _person_holds(c, user_id)
    unit = and_(c.holder_user_id == _ZERO, c.holder_unit_id.in_([_ZERO] if unit_id is None else [_ZERO, unit_id]),
                c.holder_role == role)
    return {"mine": person, "unit": unit}.get(whose or "", or_(person, unit))


def _person_holds(c: Any, user_id: Any) -> Any:
    """A count table's rows held by the person, by name or taken: no unit, no role."""
    return and_(c.holder_user_id == user_id, c.holder_unit_id == _ZERO, c.holder_role == _NO_ROLE)


# The values of a person's inbox page, bound at each read into statements built once per
# shape (`due_page`, `_inbox_counts`, `_inbox_choices`): building these unions and
# subqueries costs SQLAlchemy more than the database takes to run them.
_USER, _UNIT, _ROLE, _STEP, _PLAN, _STEP_NAME = (bindparam(name) for name in ("user_id", "unit_id", "role", "step_id",
                                                                              "plan_id", "step_name"))
_TODAY, _SOON, _BEFORE, _FROM = (bindparam(name, type_=Date) for name in ("today", "soon_until", "due_before",
                                                                            "due_from"))
# A page's bounds (reach, offset, limit), by `sqlite`. On PostgreSQL they are written into
# the statement (`planned_with`): bound, they left the generic plan of a prepared page
# statement to guess a tenth of the holder's steps under the LIMIT, so PostgreSQL planned
# the page again at every execution (twice the time it took to run).
_BOUNDS = {sqlite: tuple(planned_with(name, sqlite) for name in ("reach", "offset", "limit"))
           for sqlite in (True, False)}


def _person(sqlite: bool) -> tuple[Any, Any, Any]:
    """The reader's id, unit and role in the statements of `repository._inbox_values`. On
    PostgreSQL each is a one-value subquery, which its planner cannot see into: with the values
    visible, it planned an inbox of few steps (the monitor's, any person's with few)
    cheaper than its generic plan, so it planned every read again (0.8 ms for a page it
    ran in 0.06), though the generic plan runs the same. Unseen, every inbox is planned
    for a holder of average size, once per connection; each branch is still one range of
    its index, the subquery's value its bound."""
    if sqlite:
        return _USER, _UNIT, _ROLE
    return tuple(select(bindparam(name, type_=kind)).scalar_subquery()
                 for name, kind in (("user_id", Integer), ("unit_id", Integer), ("role", String)))


def narrowing(user_id: int, where: InboxWhere, plan_ids: list[int] | None = None) -> list[Any]:
    """The conditions of `where` on an inbox's rows; `plan_ids`, if given, the plans kept
    (as `where.plan_id` keeps one)."""
    w, t = orm.work_items, orm.plan_tasks
    found = [t.c.search_folded.like(f"% {word} %") for word in where.words]
    if where.plan_id is not None:
        plan_ids = [where.plan_id]
    if plan_ids is not None:
        # The work item's own copy of its plan (migration 0028): with the holder branch,
        # one range of an index (`ix_work_items_*_plan`), on both databases at any size.
        found.append(w.c.plan_id.in_(plan_ids))
    if where.step_id:
        found.append(w.c.step_id == where.step_id)
    if where.whose == "mine":
        found.append(or_(w.c.assignee_user_id == user_id, w.c.claimed_by == user_id))
    elif where.whose == "unit":
        found.append(and_(w.c.assignee_user_id.is_(None), w.c.claimed_by.is_(None)))
    if where.due_before is not None:
        found.append(w.c.due_on < where.due_before)
    if where.due_from is not None:
        found.append(or_(w.c.due_on >= where.due_from, w.c.due_on.is_(None)) if where.undated
                     else w.c.due_on >= where.due_from)
    return found


@functools.cache
def due_page(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
              sqlite: bool, plan: bool = False, named: bool = False, kept: frozenset[tuple[str, bool]] | None = None
              ) -> Any:
    """A page in due order (undated last, then by id), as inbox rows: from each holder
    branch (`_branches`), its dated and its undated steps in the order of its index, as
    many as the page reaches, then those few sorted and joined to their tasks and plans
    (on SQLite each joined as it is read, and merged). No step past the page is read.
    With `plan`, of one plan: each branch's steps of it through its
    `ix_work_items_*_plan` index, in the same order; with `named`, of one step
    name (a part of the step order, `steps_of_page`); with `kept`, only the parts of those
    (holder, dated) pairs (`parts_kept`). (Not for a filter by words: it joins the task.)
    Built once per shape (`repository._shape`), for `repository._inbox_values`."""
    w = orm.work_items
    by_step = [w.c.step_id == _STEP] if step else []
    if plan:
        by_step.append(w.c.plan_id == _PLAN)
    if named:
        by_step.append(w.c.step_name == _STEP_NAME)
    dated = [w.c.due_on.is_not(None), *by_step]
    if before:
        dated.append(w.c.due_on < _BEFORE)
    if after:
        dated.append(w.c.due_on >= _FROM)
    columns = [w.c[name] for name in _ITEM_COLUMNS]
    reach = _BOUNDS[sqlite][0]
    parts = []
    user, unit, role = _person(sqlite)
    for holder, branch in _held_branches(user, unit if with_unit else None, role, whose):
        if kept is None or (holder, True) in kept:
            parts.append(select(*columns).where(branch, *dated).order_by(w.c.due_on, w.c.id).limit(reach))
        if not before and (not after or undated) and (kept is None or (holder, False) in kept):
            # (by due_on too, all NULL: else PostgreSQL does not see the index's order)
            parts.append(select(*columns).where(branch, w.c.due_on.is_(None), *by_step)
                         .order_by(w.c.due_on, w.c.id).limit(reach))
    if sqlite and len(parts) > 1:
        # Each part joined to its task and plan as it is read, the parts merged in the
        # compound's ORDER BY, which SQLite reads from each part's index in that order and
        # stops at the page's end: no part's rows are kept in a temporary table and sorted
        # again after the join (at 100,000 open a staff member's page, of their steps
        # assigned and taken, in 0.16 ms of SQLite's CPU time instead of 0.24). The parts
        # need no LIMIT of their own: SQLite's merge stops each at the page's reach.
        page = union_all(*(_joined(part).order_by(None).limit(None) for part in parts))
        rows = page.selected_columns
        return (page.order_by(rows.due_on.asc().nulls_last(), rows.work_item_id)
                .limit(_BOUNDS[sqlite][2]).offset(_BOUNDS[sqlite][1]))
    return _lists_merged(parts, lambda merged: [merged.c.due_on.asc().nulls_last(), merged.c.id], sqlite)


@functools.cache
def lists_received_page(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
                         undated: bool, sqlite: bool, kept: frozenset[tuple[str, bool]] | None = None) -> Any:
    """A page in the order received (newest first), as `due_page` reads one in due order:
    from each holder branch in the order of an index ending in (created_at, id)
    (`ix_work_items_unit_received` for a unit's role; a person's own are few), as many as
    the page reaches; with `kept`, only the branches of holders in it with steps, dated
    or not. Built once per shape (`repository._shape`), for `repository._inbox_values`."""
    w = orm.work_items
    narrowed = [w.c.step_id == _STEP] if step else []
    if before:
        narrowed.append(w.c.due_on < _BEFORE)
    if after:
        narrowed.append(or_(w.c.due_on >= _FROM, w.c.due_on.is_(None)) if undated else w.c.due_on >= _FROM)
    columns = [w.c[name] for name in _ITEM_COLUMNS]
    user, unit, role = _person(sqlite)
    parts = [select(*columns).where(branch, *narrowed).order_by(w.c.created_at.desc(), w.c.id.desc())
             .limit(_BOUNDS[sqlite][0])
             for holder, branch in _held_branches(user, unit if with_unit else None, role, whose)
             if kept is None or (holder, True) in kept or (holder, False) in kept]
    if sqlite and len(parts) > 1:
        # As `due_page` merges a page of several parts: each part joined as it is read,
        # the parts merged in the compound's ORDER BY, which names its columns alone, so
        # each row also gives its time received, last (`WorkItemRepository._page_of` leaves it out), as the
        # stored text: made a `datetime`, each would cost more than the merge saves. At
        # 100,000 open a unit head's page of their unit's steps, 30 assigned to them and
        # 40 taken, in 0.40 ms of SQLite's CPU time instead of 0.58 (the unit's part
        # joined and merged from its index, not 50 rows of each kept and sorted again).
        received = type_coerce(w.c.created_at, String).label("received")
        page = union_all(*(_joined(part).add_columns(received).order_by(None).limit(None) for part in parts))
        rows = page.selected_columns
        return (page.order_by(rows.received.desc(), rows.work_item_id.desc())
                .limit(_BOUNDS[sqlite][2]).offset(_BOUNDS[sqlite][1]))
    return _lists_merged(parts, lambda merged: [merged.c.created_at.desc(), merged.c.id.desc()], sqlite)


def _lists_merged(parts: list[Any], order: Any, sqlite: bool) -> Any:
    """The inbox page of the rows of `parts` (work items, each part under its LIMIT), in
    `order` (of the merged rows), joined to their tasks and plans."""
    t, p = orm.plan_tasks, orm.plans
    if len(parts) == 1:
        # One part (a unit head's steps, all dated): its rows joined as it reads them, in
        # its index's order, with no UNION to merge and sort (a lone subquery was read
        # whole, then joined and sorted again). PostgreSQL likewise joins each row in a
        # nested loop under the LIMIT: as a subquery, its 50 rows were joined by hash and
        # sorted again (at 20,000 open the unit head's page 0.03 ms more, in the order
        # received 0.06, of 0.4; prepared, alternated, 3,000 pairs).
        return _joined(parts[0]).limit(_BOUNDS[sqlite][2]).offset(_BOUNDS[sqlite][1])
    # LIMIT inside a UNION needs its own SELECT on SQLite.
    merged = (union_all(*(select(part.subquery()) for part in parts)) if len(parts) > 1 else parts[0]).subquery()
    return (select(*inbox_columns(merged))
            .join(t, t.c.id == merged.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .order_by(*order(merged)).offset(_BOUNDS[sqlite][1]).limit(_BOUNDS[sqlite][2]))


def _joined(part: Any) -> Any:
    """A part of an inbox page (a read of work items) as inbox rows: joined to each
    step's task and plan, in the part's order."""
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    return (part.with_only_columns(*inbox_columns())
            .join_from(w, t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id))


def _counted(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
             sqlite: bool) -> list[Any]:
    """The rows of `inbox_counts` of a person's inbox narrowed by whose, step and due date."""
    user, unit, role = _person(sqlite)
    held = [_held_by(orm.inbox_counts, user, unit if with_unit else None, role, whose)]
    if not sqlite and whose is None:
        # The holders' OR bounded by each holder column's values too (PostgreSQL makes each
        # IN an array its index scan reads by): a condition of the index's scan whatever
        # PostgreSQL's estimates. With the OR alone it read the holders' rows in a BitmapOr,
        # or, its index freshly built (migration 0047, or any REINDEX), read the whole index
        # and filtered it (at 20,000 open the head's 418 rows of 2,732, twice the time).
        c = orm.inbox_counts.c
        held += [c.holder_user_id.in_([user, _ZERO]), c.holder_unit_id.in_([_ZERO, unit] if with_unit else [_ZERO]),
                 c.holder_role.in_([_NO_ROLE, role])]
    return [*held, *_counts_narrowed(step, before, after, undated)]


def _counts_narrowed(step: bool, before: bool, after: bool, undated: bool) -> list[Any]:
    """`_counted`'s conditions but the holder's."""
    c = orm.inbox_counts.c
    conditions = []
    if step:
        conditions.append(c.step_id == _STEP)
    if before:
        conditions.append(c.due_on < _BEFORE)
    if after:
        conditions.append(or_(c.due_on >= _FROM, c.due_on.is_(None)) if undated else c.due_on >= _FROM)
    return conditions


@functools.cache
def step_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The steps of each step id in a person's inbox narrowed by whose and due date, from
    `inbox_counts` (`step_names`); built once per shape (`repository._shape`)."""
    c = orm.inbox_counts.c
    return (select(c.step_id, func.sum(c.n).label("n"))
            .where(*_counted(with_unit, whose, step, before, after, undated, sqlite))
            .group_by(c.step_id).having(func.sum(c.n) > _ZERO))


@functools.cache
def _inbox_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                  sqlite: bool) -> Any:
    """The inbox's counts narrowed by whose, step and due date, from `inbox_counts`; built
    once per shape (`repository._shape`), for `repository._inbox_values`.

    On SQLite summed per holder first (`_held_parts`), then those few rows summed: tested
    by all nine sums (each holder's under its own condition), the unit head's 535 count
    rows at 20,000 open took SQLite 0.16 ms, 0.11 per holder. Each of a holder's four sums
    is a range of the table's index by (holder, due date) of its own (migration 0047): the
    overdue, soon and undated rows read alone, the total the only sum of every row (under
    FILTER, each row read was tested by the three ranges: the unit head's 435 count rows
    at 100,000 open 0.25 ms of SQLite's time, now 0.12). Unless narrowed by due date, a
    holder's total is the sum of its keys in `_choices_held` instead, read for the filters
    anyway: the same steps (the triggers write a step's +1 or -1 into both tables for the
    same holders), a row per plan and step where `inbox_counts` has one per step and due
    date (the unit head's 418 dates at 20,000 open). PostgreSQL reads the holders' rows
    of the one sum in one scan (`_counted`): summed per holder (a BitmapOr of the holders
    then), the head's took it 0.025 ms more, and its client 0.04 ms more CPU; each sum a
    range of its own, a statement of twelve subqueries, each started at every read."""
    c = orm.inbox_counts.c
    narrowed = _counts_narrowed(step, before, after, undated)
    user, unit, role = _person(sqlite)

    # Each a sum under FILTER, not of a CASE: a row skips the sums it is not in instead of
    # adding zero to them (over 500 count rows, SQLite a fifth less, PostgreSQL 6%).
    def summed(condition: Any = None) -> Any:
        return func.sum(c.n) if condition is None else func.sum(c.n).filter(condition)
    if not sqlite:
        def total(condition: Any = None) -> Any:
            return func.coalesce(summed(condition), _ZERO)
        holders = {"person": c.holder_user_id != _ZERO,
                   "free": and_(c.holder_user_id == _ZERO, c.holder_unit_id == _ZERO),
                   "unit": c.holder_unit_id != _ZERO}
        # Each holder's dated and undated steps (`_READS_HELD`): which parts a page reads (`parts_kept`).
        held = [total(and_(holders[holder], c.due_on.is_not(None) if dated else c.due_on.is_(None))).label(name)
                for name, (holder, dated) in _READS_HELD.items()]
        return (select(total().label("total"), total(c.due_on < _TODAY).label("overdue"),
                       total(and_(c.due_on >= _TODAY, c.due_on <= _SOON)).label("soon"), *held)
                .where(*_counted(with_unit, whose, step, before, after, undated, sqlite)))

    def ranged(held: Any, dates: Any = None) -> Any:
        """A holder's sum of the rows of `dates`: one range of the index, read alone."""
        return select(summed()).where(held, *narrowed, *([] if dates is None else [dates])).scalar_subquery()
    keys = _choices_held(with_unit)

    def total(holder: str, held: Any) -> Any:
        """A holder's steps under the filters: from its keys in `_choices_held`, or, narrowed
        by due date, which those keys do not hold, its range of `inbox_counts`."""
        if before or after:
            return ranged(held)
        return select(func.sum(keys.c.n)).where(keys.c.holder == _named(holder),
                                                *([keys.c.step_id == _STEP] if step else [])).scalar_subquery()
    parts = [select(_named(holder).label("holder"), total(holder, held).label("n"),
                    ranged(held, c.due_on < _TODAY).label("overdue"),
                    ranged(held, and_(c.due_on >= _TODAY, c.due_on <= _SOON)).label("soon"),
                    ranged(held, c.due_on.is_(None)).label("undated"))
             for holder, held in _held_parts(orm.inbox_counts, user, unit if with_unit else None, role, whose)]
    by_holder = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    n, undated_n = by_holder.c.n, by_holder.c.undated

    def of(value: Any, holder: str | None = None) -> Any:
        return func.coalesce(func.sum(value) if holder is None else func.sum(value).filter(by_holder.c.holder
                                                                                             == _named(holder)), _ZERO)
    dated_n = n - func.coalesce(undated_n, _ZERO)
    return select(of(n).label("total"), of(by_holder.c.overdue).label("overdue"), of(by_holder.c.soon).label("soon"),
                  *(of(dated_n if dated else undated_n, holder).label(name)
                    for name, (holder, dated) in _READS_HELD.items()))


def _named(holder: str) -> Any:
    """A holder's name written into the SQL, as the ready state is."""
    return literal_column(f"'{holder}'", String)


@functools.cache
def plan_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The counts of one plan's steps in a person's inbox, narrowed by whose, step and due
    date: each holder branch's range of its `ix_work_items_*_plan` index. Built once per
    shape (`repository._shape`), for `repository._inbox_values`; on PostgreSQL the plan is
    hidden from the planner as the person is (`_person`): built per read with the values bound, its
    custom plans cost less than the generic one and it was planned again at every read."""
    w = orm.work_items
    user, unit, role = _person(sqlite)
    plan = _PLAN if sqlite else select(bindparam("plan_id", type_=Integer)).scalar_subquery()
    conditions = [or_(*_branches(user, unit if with_unit else None, role, whose)), w.c.plan_id == plan]
    if step:
        conditions.append(w.c.step_id == _STEP)
    if before:
        conditions.append(w.c.due_on < _BEFORE)
    if after:
        conditions.append(or_(w.c.due_on >= _FROM, w.c.due_on.is_(None)) if undated else w.c.due_on >= _FROM)
    # Counted under FILTER, not summed from a CASE per row (as `_inbox_counts`): a head's
    # 1,000 steps of one plan took SQLite 8% less.
    overdue, soon = w.c.due_on < _TODAY, and_(w.c.due_on >= _TODAY, w.c.due_on <= _SOON)
    return select(func.count().label("total"), func.count().filter(overdue).label("overdue"),
                  func.count().filter(soon).label("soon")).where(*conditions)


@functools.cache
def _inbox_choices(with_unit: bool, sqlite: bool) -> Any:
    """The plans and steps of a whole inbox, from `inbox_choices`, for a page in plan or
    step order: a row per plan, step and whose (`mine` 1: the person's own, by name or
    taken; 0: their unit's role's), with each plan's and step name's place in those orders."""
    c, p = orm.inbox_choices.c, orm.plans
    if sqlite:  # from the keys read for the counts' totals too
        c = _choices_held(with_unit).c
        mine = case((c.holder == _named("person"), literal_column("1", Integer)), else_=_ZERO)
        held = (select(c.plan_id, c.step_id, c.step_name, mine.label("mine"), func.sum(c.n).label("n"))
                .group_by(c.plan_id, c.step_id, c.step_name, mine).subquery())
    else:
        mine = case((c.holder_user_id == _ZERO, _ZERO), else_=literal_column("1", Integer))
        user, unit, role = _person(sqlite)
        held = (select(c.plan_id, c.step_id, c.step_name, mine.label("mine"), func.sum(c.n).label("n"))
                .where(_held_by(orm.inbox_choices, user, unit if with_unit else None, role, None))
                .group_by(c.plan_id, c.step_id, c.step_name, mine).having(func.sum(c.n) > _ZERO).subquery())
    # `place`: the plan's rank in the inbox's plan order (`WorkItemRepository._sorted_page`), with the database's
    # own order of numbers; `step_place`, the step name's in the step order, with its order
    # of names (collation); `n`: its steps of that step id (`plans_of_page`, `steps_of_page`).
    return (select(p.c.id.label("plan_id"), p.c.number.label("plan_number"), p.c.title.label("plan_title"),
                   held.c.step_id, held.c.step_name, held.c.mine, held.c.n,
                   func.dense_rank().over(order_by=(p.c.number, p.c.id)).label("place"),
                   func.dense_rank().over(order_by=held.c.step_name).label("step_place"))
            .join(held, held.c.plan_id == p.c.id))


def _inbox_filters(with_unit: bool, sqlite: bool) -> tuple[Any, Any]:
    """The plans (id, number, and title if it has no number) and the steps (step id,
    name) of a whole inbox to filter by, from `inbox_choices`, each plan once and each
    step once: two JSON arrays of arrays (`plans`, `steps`), each a scalar subquery, read
    beside the counts in their one row (`filters_read`). A row per plan, step and whose,
    with the plan's columns, the step's and the places, each made a dict, grew with the
    plans an inbox spans (a head's holds a plan per thousand open tasks); at 20,000 open
    the head's counts with a row per plan and per step took SQLite a tenth less than with
    those. Those rows, in a UNION ALL beside the counts' row, each carried its eight empty
    columns and were sorted out in Python: at 100,000 open SQLite took 0.09 ms more for
    the head's inbox_page (100 plans) than with the two arrays, 0.02 ms less for a staff
    member's (one plan, one step: two short texts decoded cost more than three rows; CPU,
    the two alternated call by call, 5,000 pairs)."""
    c, p = orm.inbox_choices.c, orm.plans
    if sqlite:
        # The plans and the step names of the person's keys with steps (`_choices_held`),
        # each holder's rows grouped once for both (and for the counts' totals). PostgreSQL
        # reads the holders' rows in one BitmapOr: per holder, the monitor's empty inbox
        # took it 0.08 ms more (each range's scan and group set up), a unit head's no less.
        keys = _choices_held(with_unit)
        plans = select(keys.c.plan_id)
        steps = select(keys.c.step_id, keys.c.step_name).distinct().subquery()
    else:
        user, unit, role = _person(sqlite)
        held = _held_by(orm.inbox_choices, user, unit if with_unit else None, role, None)
        plans = select(c.plan_id).where(held).group_by(c.plan_id).having(func.sum(c.n) > _ZERO)
        steps = (select(c.step_id, c.step_name).where(held)
                 .group_by(c.step_id, c.step_name).having(func.sum(c.n) > _ZERO).subquery())
    array, arrays = (func.json_array, func.json_group_array) if sqlite else (func.json_build_array, func.json_agg)

    # As text, decoded by `filters_read` on both databases: typed JSON, the row would go
    # through `cursor_reads`' result processors (its columns transposed, SQLite's JSON
    # processor two Python calls a value), and psycopg decodes a json value itself.
    def listed(*columns: Any) -> Any:
        return cast(arrays(array(*columns)), Text)
    # A plan with a number is labelled by it (`list_inbox`): its title is left out, a
    # hundred titles of a unit head's plans were most of the arrays' text, written in
    # JSON by the database and read again (at 100,000 open a quarter of the plans' part).
    untitled = case((func.coalesce(p.c.number, literal_column("''", String)) == literal_column("''", String),
                     p.c.title))
    return (select(listed(p.c.id, p.c.number, untitled)).where(p.c.id.in_(plans)).scalar_subquery().label("plans"),
            select(listed(steps.c.step_id, steps.c.step_name)).scalar_subquery().label("steps"))


@functools.cache
def _choices_held(with_unit: bool) -> Any:
    """On SQLite, the keys (plan, step id, step name) of a person's `inbox_choices` with
    steps, each with its holder (`_HOLDERS`) and its steps (`n`): per holder one range of
    the table's index, grouped as it is read, in the index's order. A key with steps has
    a positive sum: a key's sum is the steps it holds, so the holder's sum of its keys is
    its steps. Read by the filters' plans and step names and by the counts' totals, so
    SQLite keeps it once (a CTE named more than once is materialized): grouped apart, the
    plans in the index's order and the step names sorted (over the holders' OR, SQLite
    sorted a unit head's 100 choice rows first to group them), each read the rows again."""
    c = orm.inbox_choices.c
    user, unit, role = _person(True)
    return union_all(*(
        select(_named(holder).label("holder"), c.plan_id, c.step_id, c.step_name, func.sum(c.n).label("n"))
        .where(held).group_by(c.plan_id, c.step_id, c.step_name).having(func.sum(c.n) > _ZERO)
        for holder, held in _held_parts(orm.inbox_choices, user, unit if with_unit else None, role, None)
    )).cte("held")


@functools.cache
def filters(with_unit: bool, sqlite: bool) -> Any:
    """`_inbox_filters` alone (a filter by plan or words counts the rows it leaves)."""
    return _held_within(select(*_inbox_filters(with_unit, sqlite)), with_unit, sqlite)


def _held_within(statement: Any, with_unit: bool, sqlite: bool) -> Any:
    """On SQLite, where it reads `_choices_held`, `statement` as a SELECT of its columns
    from itself with that CTE written inside: a statement is a read if it starts with
    SELECT (`unit_of_work.track_reads`, `refuse_writes`), and SQLAlchemy writes a CTE first."""
    if not sqlite:
        return statement
    return select(*statement.add_cte(_choices_held(with_unit), nest_here=True).subquery().c)


READS_COUNTS = ("total", "overdue", "soon")
_READS_HELD = {f"{holder}_{'dated' if dated else 'undated'}": (holder, dated)
               for holder in _HOLDERS for dated in (True, False)}
_READS_PLACES = ("n", "place", "step_place", "mine")
_READS_CHOICES = ("plan_id", "plan_number", "plan_title", "step_id", "step_name")
# Where each part's columns are in a row of `reads_counts_and_choices` ("part" first).
COUNTS_AT = slice(-len(READS_COUNTS) - len(_READS_HELD), -len(_READS_HELD))
HELD_AT = slice(-len(_READS_HELD), None)


def parts_kept(held: tuple[int, ...], reach: int | None) -> frozenset[tuple[str, bool]]:
    """The (holder, dated) parts of a page with steps, from their counts (`_READS_HELD`'s
    order); with `reach`, a page in due order as far as that: undated steps come after
    all the dated ones, so none is read when the dated ones alone reach that far."""
    kept = {part for part, n in zip(_READS_HELD.values(), held) if n}
    if reach is not None and sum(n for (_, dated), n in zip(_READS_HELD.values(), held) if dated) >= reach:
        kept = {(holder, dated) for holder, dated in kept if dated}
    return frozenset(kept)


@functools.cache
def reads_counts_and_choices(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
                              undated: bool, sqlite: bool) -> Any:
    """`_inbox_counts` (one row, `part` "counts") and `_inbox_choices` (`part` "choices")
    as one statement, each row with the other's columns empty; built once per shape."""
    counts = _inbox_counts(with_unit, whose, step, before, after, undated, sqlite).subquery()
    choices = _inbox_choices(with_unit, sqlite).subquery()
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    return _held_within(union_all(
        select(literal_column("'counts'").label("part"), no_int.label("plan_id"), no_text.label("plan_number"),
               no_text.label("plan_title"), no_text.label("step_id"), no_text.label("step_name"),
               *(no_int.label(name) for name in _READS_PLACES),
               *(counts.c[name] for name in (*READS_COUNTS, *_READS_HELD))),
        select(literal_column("'choices'").label("part"),
               *(choices.c[name] for name in _READS_CHOICES + _READS_PLACES),
               *(cast(null(), Integer).label(name) for name in (*READS_COUNTS, *_READS_HELD))),
    ), with_unit, sqlite)


@functools.cache
def reads_counts_and_filters(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
                              undated: bool, sqlite: bool) -> Any:
    """`_inbox_counts` and `_inbox_filters` as one statement of one row: the counts
    (`READS_COUNTS`, `_READS_HELD`), then the plans and steps; built once per shape."""
    counts = _inbox_counts(with_unit, whose, step, before, after, undated, sqlite).subquery()
    return _held_within(select(*(counts.c[name] for name in (*READS_COUNTS, *_READS_HELD)),
                               *_inbox_filters(with_unit, sqlite)), with_unit, sqlite)


def filters_read(plans: str | None, steps: str | None) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The plans (id, number, title or None) and steps (step id, name) of
    `_inbox_filters`' two arrays, as tuples (PostgreSQL's `json_agg` of no row is NULL,
    SQLite's an empty array)."""
    return list(map(tuple, json.loads(plans) if plans else ())), list(map(tuple, json.loads(steps) if steps else ()))


def plans_of_page(held: list[dict[str, Any]], offset: int, limit: int) -> tuple[list[int], int]:
    """The plans a page in plan order spans, and how many of the first one's steps come
    before the page; from the inbox's choices (`_inbox_choices`: a row per plan and step,
    with the plan's place in plan order and its steps of that step)."""
    steps: dict[int, int] = {}
    places: dict[int, int] = {}
    for row in held:
        steps[row["plan_id"]] = steps.get(row["plan_id"], 0) + row["n"]
        places[row["plan_id"]] = row["place"]
    before, spanned, skip = 0, [], 0
    for plan_id in sorted(steps, key=places.__getitem__):
        if before < offset + limit and before + steps[plan_id] > offset:
            skip = skip if spanned else offset - before
            spanned.append(plan_id)
        before += steps[plan_id]
    return spanned, skip


def steps_of_page(held: list[dict[str, Any]], offset: int, limit: int) -> list[tuple[str, int, int]]:
    """The step names a page in step order spans, each with how many of its steps come
    before the page and how many the page takes; from the inbox's choices, as
    `plans_of_page` (each name's place in the database's order of names)."""
    steps: dict[str, int] = {}
    places: dict[str, int] = {}
    for row in held:
        steps[row["step_name"]] = steps.get(row["step_name"], 0) + row["n"]
        places[row["step_name"]] = row["step_place"]
    before, spanned = 0, []
    for name in sorted(steps, key=places.__getitem__):
        skip = max(offset - before, 0)
        take = min(steps[name] - skip, offset + limit - before - skip)
        if take > 0:
            spanned.append((name, skip, take))
        before += steps[name]
    return spanned


def step_names(held: list[dict[str, Any]], counted: list[tuple[str, int]]) -> list[dict[str, Any]] | None:
    """The choices' rows of `steps_of_page` for an inbox narrowed by due date: each step
    name's steps (`counted`: per step id, from `step_counts`) with its place from the
    whole inbox's choices (`held`); None when a step id has two names in `held` (two
    versions of a process) or none, so that the step ids do not say the names."""
    names: dict[str, set[str]] = {}
    places: dict[str, int] = {}
    for row in held:
        names.setdefault(row["step_id"], set()).add(row["step_name"])
        places[row["step_name"]] = row["step_place"]
    if any(len(names.get(step_id, ())) != 1 for step_id, _ in counted):
        return None
    return [{"step_name": name, "n": n, "step_place": places[name]}
            for step_id, n in counted for name in names[step_id]]


def sum_when(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

