"""The inbox's pages: a person's ready steps a page at a time, as inbox rows (`INBOX_ROW`),
each statement built once per shape of the question and bound at each read
(`WorkItemRepository.inbox_page`).

A page is read from the work-item index alone (`work_items`: each holder branch's rows
from its own index, in the page's order, `inbox_holders`), joined to its tasks and plans;
in plan or step order, from the plans or step names it spans, known from the inbox's
filter choices (`inbox_totals`). None touches `process_instances.state`."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import String, and_, or_, select, type_coerce, union_all

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from adapters.storage.reads.inbox_holders import BEFORE, FROM, PLAN, STEP, STEP_NAME, held_branches, person
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


# A page's bounds (reach, offset, limit), by `sqlite`. On PostgreSQL they are written into
# the statement (`planned_with`): bound, they left the generic plan of a prepared page
# statement to guess a tenth of the holder's steps under the LIMIT, so PostgreSQL planned
# the page again at every execution (twice the time it took to run).
_BOUNDS = {sqlite: tuple(planned_with(name, sqlite) for name in ("reach", "offset", "limit"))
           for sqlite in (True, False)}


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
    branch (`inbox_holders.branches`), its dated and its undated steps in the order of its
    index, as many as the page reaches, then those few sorted and joined to their tasks and
    plans (on SQLite each joined as it is read, and merged). No step past the page is read.
    With `plan`, of one plan: each branch's steps of it through its
    `ix_work_items_*_plan` index, in the same order; with `named`, of one step
    name (a part of the step order, `steps_of_page`); with `kept`, only the parts of those
    (holder, dated) pairs (`inbox_totals.parts_kept`). (Not for a filter by words: it joins
    the task.) Built once per shape (`repository._shape`), for `repository._inbox_values`."""
    w = orm.work_items
    by_step = [w.c.step_id == STEP] if step else []
    if plan:
        by_step.append(w.c.plan_id == PLAN)
    if named:
        by_step.append(w.c.step_name == STEP_NAME)
    dated = [w.c.due_on.is_not(None), *by_step]
    if before:
        dated.append(w.c.due_on < BEFORE)
    if after:
        dated.append(w.c.due_on >= FROM)
    columns = [w.c[name] for name in _ITEM_COLUMNS]
    reach = _BOUNDS[sqlite][0]
    parts = []
    user, unit, role = person(sqlite)
    for holder, branch in held_branches(user, unit if with_unit else None, role, whose):
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
    narrowed = [w.c.step_id == STEP] if step else []
    if before:
        narrowed.append(w.c.due_on < BEFORE)
    if after:
        narrowed.append(or_(w.c.due_on >= FROM, w.c.due_on.is_(None)) if undated else w.c.due_on >= FROM)
    columns = [w.c[name] for name in _ITEM_COLUMNS]
    user, unit, role = person(sqlite)
    parts = [select(*columns).where(branch, *narrowed).order_by(w.c.created_at.desc(), w.c.id.desc())
             .limit(_BOUNDS[sqlite][0])
             for holder, branch in held_branches(user, unit if with_unit else None, role, whose)
             if kept is None or (holder, True) in kept or (holder, False) in kept]
    if sqlite and len(parts) > 1:
        # As `due_page` merges a page of several parts: each part joined as it is read,
        # the parts merged in the compound's ORDER BY, which names its columns alone, so
        # each row also gives its time received, last (`WorkItemRepository._page_of` leaves
        # it out), as the stored text: made a `datetime`, each would cost more than the merge saves. At
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


def plans_of_page(held: list[dict[str, Any]], offset: int, limit: int) -> tuple[list[int], int]:
    """The plans a page in plan order spans, and how many of the first one's steps come
    before the page; from the inbox's choices (`inbox_totals._inbox_choices`: a row per
    plan and step, with the plan's place in plan order and its steps of that step)."""
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


