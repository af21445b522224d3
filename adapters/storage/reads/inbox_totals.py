"""The inbox's counts and its filter choices: the steps its filters leave (all, overdue,
due soon, and per holder dated or not), and the plans and steps of the whole inbox to
filter by, summed from the count tables that triggers keep and `inbox_counts.py` folds
(`orm.inbox_counts`, `orm.inbox_choices`), or, for one plan, counted from each holder
branch's index (`plan_counts`); each statement built once per shape of the question and
bound at each read (`WorkItemRepository.inbox_page`)."""
from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import Integer, String, Text, and_, bindparam, case, cast, func, literal_column, null, or_, select, union_all

from adapters.storage import orm
from adapters.storage.reads.inbox_holders import (
    BEFORE,
    FROM,
    HOLDERS,
    NO_ROLE,
    PLAN,
    SOON,
    STEP,
    TODAY,
    ZERO,
    branches,
    held_by,
    held_parts,
    named,
    person,
)


def _counted(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
             sqlite: bool) -> list[Any]:
    """The rows of `inbox_counts` of a person's inbox narrowed by whose, step and due date."""
    user, unit, role = person(sqlite)
    held = [held_by(orm.inbox_counts, user, unit if with_unit else None, role, whose)]
    if not sqlite and whose is None:
        # The holders' OR bounded by each holder column's values too (PostgreSQL makes each
        # IN an array its index scan reads by): a condition of the index's scan whatever
        # PostgreSQL's estimates. With the OR alone it read the holders' rows in a BitmapOr,
        # or, its index freshly built (migration 0047, or any REINDEX), read the whole index
        # and filtered it (at 20,000 open the head's 418 rows of 2,732, twice the time).
        c = orm.inbox_counts.c
        held += [c.holder_user_id.in_([user, ZERO]), c.holder_unit_id.in_([ZERO, unit] if with_unit else [ZERO]),
                 c.holder_role.in_([NO_ROLE, role])]
    return [*held, *_counts_narrowed(step, before, after, undated)]


def _counts_narrowed(step: bool, before: bool, after: bool, undated: bool) -> list[Any]:
    """`_counted`'s conditions but the holder's."""
    c = orm.inbox_counts.c
    conditions = []
    if step:
        conditions.append(c.step_id == STEP)
    if before:
        conditions.append(c.due_on < BEFORE)
    if after:
        conditions.append(or_(c.due_on >= FROM, c.due_on.is_(None)) if undated else c.due_on >= FROM)
    return conditions


@functools.cache
def step_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The steps of each step id in a person's inbox narrowed by whose and due date, from
    `inbox_counts` (`step_names`); built once per shape (`repository._shape`)."""
    c = orm.inbox_counts.c
    return (select(c.step_id, func.sum(c.n).label("n"))
            .where(*_counted(with_unit, whose, step, before, after, undated, sqlite))
            .group_by(c.step_id).having(func.sum(c.n) > ZERO))


@functools.cache
def _inbox_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                  sqlite: bool) -> Any:
    """The inbox's counts narrowed by whose, step and due date, from `inbox_counts`; built
    once per shape (`repository._shape`), for `repository._inbox_values`.

    On SQLite summed per holder first (`held_parts`), then those few rows summed: tested
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
    user, unit, role = person(sqlite)

    # Each a sum under FILTER, not of a CASE: a row skips the sums it is not in instead of
    # adding zero to them (over 500 count rows, SQLite a fifth less, PostgreSQL 6%).
    def summed(condition: Any = None) -> Any:
        return func.sum(c.n) if condition is None else func.sum(c.n).filter(condition)
    if not sqlite:
        def total(condition: Any = None) -> Any:
            return func.coalesce(summed(condition), ZERO)
        holders = {"person": c.holder_user_id != ZERO,
                   "free": and_(c.holder_user_id == ZERO, c.holder_unit_id == ZERO),
                   "unit": c.holder_unit_id != ZERO}
        # Each holder's dated and undated steps (`_READS_HELD`): which parts a page reads (`parts_kept`).
        held = [total(and_(holders[holder], c.due_on.is_not(None) if dated else c.due_on.is_(None))).label(name)
                for name, (holder, dated) in _READS_HELD.items()]
        return (select(total().label("total"), total(c.due_on < TODAY).label("overdue"),
                       total(and_(c.due_on >= TODAY, c.due_on <= SOON)).label("soon"), *held)
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
        return select(func.sum(keys.c.n)).where(keys.c.holder == named(holder),
                                                *([keys.c.step_id == STEP] if step else [])).scalar_subquery()
    parts = [select(named(holder).label("holder"), total(holder, held).label("n"),
                    ranged(held, c.due_on < TODAY).label("overdue"),
                    ranged(held, and_(c.due_on >= TODAY, c.due_on <= SOON)).label("soon"),
                    ranged(held, c.due_on.is_(None)).label("undated"))
             for holder, held in held_parts(orm.inbox_counts, user, unit if with_unit else None, role, whose)]
    by_holder = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    n, undated_n = by_holder.c.n, by_holder.c.undated

    def of(value: Any, holder: str | None = None) -> Any:
        return func.coalesce(func.sum(value) if holder is None else func.sum(value).filter(by_holder.c.holder
                                                                                             == named(holder)), ZERO)
    dated_n = n - func.coalesce(undated_n, ZERO)
    return select(of(n).label("total"), of(by_holder.c.overdue).label("overdue"), of(by_holder.c.soon).label("soon"),
                  *(of(dated_n if dated else undated_n, holder).label(name)
                    for name, (holder, dated) in _READS_HELD.items()))


@functools.cache
def plan_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The counts of one plan's steps in a person's inbox, narrowed by whose, step and due
    date: each holder branch's range of its `ix_work_items_*_plan` index. Built once per
    shape (`repository._shape`), for `repository._inbox_values`; on PostgreSQL the plan is
    hidden from the planner as the person is (`person`): built per read with the values
    bound, its custom plans cost less than the generic one and it was planned again at every
    read."""
    w = orm.work_items
    user, unit, role = person(sqlite)
    plan = PLAN if sqlite else select(bindparam("plan_id", type_=Integer)).scalar_subquery()
    conditions = [or_(*branches(user, unit if with_unit else None, role, whose)), w.c.plan_id == plan]
    if step:
        conditions.append(w.c.step_id == STEP)
    if before:
        conditions.append(w.c.due_on < BEFORE)
    if after:
        conditions.append(or_(w.c.due_on >= FROM, w.c.due_on.is_(None)) if undated else w.c.due_on >= FROM)
    # Counted under FILTER, not summed from a CASE per row (as `_inbox_counts`): a head's
    # 1,000 steps of one plan took SQLite 8% less.
    overdue, soon = w.c.due_on < TODAY, and_(w.c.due_on >= TODAY, w.c.due_on <= SOON)
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
        mine = case((c.holder == named("person"), literal_column("1", Integer)), else_=ZERO)
        held = (select(c.plan_id, c.step_id, c.step_name, mine.label("mine"), func.sum(c.n).label("n"))
                .group_by(c.plan_id, c.step_id, c.step_name, mine).subquery())
    else:
        mine = case((c.holder_user_id == ZERO, ZERO), else_=literal_column("1", Integer))
        user, unit, role = person(sqlite)
        held = (select(c.plan_id, c.step_id, c.step_name, mine.label("mine"), func.sum(c.n).label("n"))
                .where(held_by(orm.inbox_choices, user, unit if with_unit else None, role, None))
                .group_by(c.plan_id, c.step_id, c.step_name, mine).having(func.sum(c.n) > ZERO).subquery())
    # `place`: the plan's rank in the inbox's plan order (`WorkItemRepository._sorted_page`),
    # with the database's own order of numbers; `step_place`, the step name's in the step
    # order, with its order of names (collation); `n`: its steps of that step id
    # (`inbox_pages.plans_of_page`, `inbox_pages.steps_of_page`).
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
        user, unit, role = person(sqlite)
        held = held_by(orm.inbox_choices, user, unit if with_unit else None, role, None)
        plans = select(c.plan_id).where(held).group_by(c.plan_id).having(func.sum(c.n) > ZERO)
        steps = (select(c.step_id, c.step_name).where(held)
                 .group_by(c.step_id, c.step_name).having(func.sum(c.n) > ZERO).subquery())
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
    steps, each with its holder (`HOLDERS`) and its steps (`n`): per holder one range of
    the table's index, grouped as it is read, in the index's order. A key with steps has
    a positive sum: a key's sum is the steps it holds, so the holder's sum of its keys is
    its steps. Read by the filters' plans and step names and by the counts' totals, so
    SQLite keeps it once (a CTE named more than once is materialized): grouped apart, the
    plans in the index's order and the step names sorted (over the holders' OR, SQLite
    sorted a unit head's 100 choice rows first to group them), each read the rows again."""
    c = orm.inbox_choices.c
    user, unit, role = person(True)
    return union_all(*(
        select(named(holder).label("holder"), c.plan_id, c.step_id, c.step_name, func.sum(c.n).label("n"))
        .where(held).group_by(c.plan_id, c.step_id, c.step_name).having(func.sum(c.n) > ZERO)
        for holder, held in held_parts(orm.inbox_choices, user, unit if with_unit else None, role, None)
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
               for holder in HOLDERS for dated in (True, False)}
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


def step_names(held: list[dict[str, Any]], counted: list[tuple[str, int]]) -> list[dict[str, Any]] | None:
    """The choices' rows of `inbox_pages.steps_of_page` for an inbox narrowed by due date:
    each step name's steps (`counted`: per step id, from `step_counts`) with its place from the
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

