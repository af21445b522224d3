"""The read queries behind the dashboard, the overview, search and reports (`ProgressQueries`).

Each method is one SQL statement over plan tables, the work-item index and the audit
trail, whatever the number of tasks. Counts are GROUP BY in the database (a task's
state on a day is a CASE over its status and dates, `reads.task_states.task_state`), and
lists come a page at a time, so a read costs what its page costs, not what the plan
holds. None reads `process_instances.state`.

The statements are built in `adapters/storage/reads/`, a module an idea (its
`__init__` names them), once per shape of their scope (`reads.statement_shapes`); here
they are run, what a read learns is kept for the unit of work, and their rows are read.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from adapters.storage import cursor_reads, orm
from adapters.storage.dialects import on_sqlite
from adapters.storage.reads.count_statements import (
    count_statement,
    counted_slices_statement,
    counts_and_plans_statement,
    counts_by_plan_statement,
    counts_shape,
    person_page_statement,
)
from adapters.storage.reads.dashboard_statement import dashboard_statement
from adapters.storage.reads.page_details import (
    audit_statement,
    page_detail_parts,
    page_details_statement,
    ready_steps,
    task_units_statement,
    told,
)
from adapters.storage.reads.page_statements import slice_values, slices_statement, task_columns, unit_page
from adapters.storage.reads.reader_scope import readable_range_statement, reader_ids_statement, unit_holds_statement
from adapters.storage.reads.scope_conditions import of_one_person, of_one_unit
from adapters.storage.reads.search_states import StateRead, state_ids_statement
from adapters.storage.reads.statement_shapes import bound
from adapters.storage.reads.text_search import in_range, matches_statement
from adapters.storage.row_dicts import dicts
from engine import unit_of_work as ports
from engine.reading.progress import SEARCH_REACH, TASK_ROW, TaskScope, TaskSlice

_t, _p, _u = orm.plan_tasks, orm.plans, orm.units


class ProgressQueries(ports.ProgressQueries):
    def __init__(self, session: Session) -> None:
        self.session = session
        # A search's count and its page ask for the same reader's ids and the same matches
        # among them: each read once a unit of work (`_search_bound`), by reader and unit.
        self._reader_ids: dict[tuple[int, int | None], tuple[int, ...] | None] = {}
        self._matches: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[int, ...]] = {}
        self._ranges: dict[tuple[int, int | None], tuple[int | None, int | None]] = {}
        self._many: dict[int, bool] = {}  # (`_holds_many`, by unit: the count's and the page's)
        self._states: dict[tuple[str, date], StateRead] = {}  # (`_state_first`, by state and day)

    def _rows(self, statement: Any, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a statement built once and kept (`cursor_reads`)."""
        return cursor_reads.dicts(self.session, statement, values)

    def _built_rows(self, statement: Any) -> list[dict[str, Any]]:
        """The rows of a statement built for this read: through the session, whose cache
        of compiled statements knows it by its shape (compiling it here would cost more)."""
        return dicts(self.session.execute(statement))

    @property
    def _sqlite(self) -> bool:
        return on_sqlite(self.session)

    def tasks(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """Every task (of one plan, or of all, or those of `task_ids`), with its plan's number and title."""
        query = task_columns().order_by(_t.c.plan_id, _t.c.position, _t.c.id)
        if plan_id is not None:
            query = query.where(_t.c.plan_id == plan_id)
        if task_ids is not None:
            query = query.where(_t.c.id.in_(task_ids))
        found = self.session.execute(query)
        task_of = _task_of(tuple(found.keys()))
        return [task_of(row) + _NO_PLACE for row in found]

    def count(self, scope: TaskScope, state: str | None = None, up_to: int | None = None) -> int:
        shape, values = self._search_bound(scope)
        if shape[1] == ("matches",) and state is None:  # a reader's matches, narrowed by nothing else
            return len(values["matches"]) if up_to is None else min(len(values["matches"]), up_to)
        values.update(count_state=state, up_to=up_to)
        of_many = (self._sqlite and set(shape[1]) == {"reader_id", "reader_unit_id"}
                   and self._holds_many(scope.reader_unit_id))
        state_ids = None if up_to is None else self._state_first(shape, values, state, up_to)
        state_first = state_ids is not None
        if state_first and not state_ids:  # (a state of no task: no match in it)
            return 0
        statement = count_statement(shape, state is not None, up_to is not None, self._sqlite, of_many, state_first)
        _, [(found,)] = cursor_reads.rows(self.session, statement, values)
        return found or 0

    def counts_and_plans(self, scope: TaskScope, plans: TaskScope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """How many tasks of `scope` are in each state on `scope.as_of` (`state`, `n`), and
        the plans holding a task of `plans` (`id`, `number`, `title`), in one statement; a
        unit's from its groups in `unit_task_counts` (`_unit_state_counts`, `_unit_plans`)."""
        counted, values = counts_shape(scope, "")
        if scope == plans and not counted[0]:  # (a person's tasks, unfiltered: read once, by plan and state)
            return _counts_by_plan(cursor_reads.rows(self.session, counts_by_plan_statement(counted[1], self._sqlite),
                                                     values)[1])
        held, plans_values = counts_shape(plans, "plans_")
        found = self._parts(counts_and_plans_statement(counted, held, self._sqlite), ("counts", "plans"),
                            {**values, **plans_values})
        return ([{"state": state, "n": n} for state, n in found["counts"]],
                [{"id": plan_id, "number": number, "title": title} for plan_id, number, title in found["plans"]])

    def counts_plans_and_page(self, scope: TaskScope, plans: TaskScope, part: TaskSlice
                              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[Any, ...]] | None]:
        """`counts_and_plans`, and the page `part` of `scope`'s tasks (`task_slices`) when
        it is read in the same statement, else None: of one person's tasks, unfiltered
        (`plans` is `scope`), most urgent first, the person's tasks are looked up once for
        both (`person_page_statement`)."""
        if scope != plans or part.order != "urgency" or not of_one_person(scope):
            return (*self.counts_and_plans(scope, plans), None)
        shape, values = bound(scope)
        values.update(slice_values([part]), state_day=scope.as_of)
        keys, rows = cursor_reads.rows(self.session, person_page_statement(shape, part.state, self._sqlite), values)
        (_, counted_of), (page_keys, page_of) = _part_columns(keys, ("counts", "page"))
        task_of = _task_of(page_keys)
        counts, held = _counts_by_plan(counted_of(row) for row in rows if row[0] == 0)
        return counts, held, [task_of(page_of(row)) + _NO_PLACE for row in rows if row[0] == 1]

    def dashboard_counts(self, scope: TaskScope, choices: TaskScope) -> dict[str, list[dict[str, Any]]]:
        """In one statement: the tasks of `scope` per state (`states`: `state`, `n`), per
        lead unit and state (`units`: with `unit_id`, `name`; a task led by two units
        counts for both), per state and the months of their due and closing dates (`dates`:
        `state`, `due_month` and `closed_month` as "2024-03" or None, `n`; the completion
        chart sums them), and the units leading a task of `choices` (`choices`: `unit_id`,
        `name`).

        The states are the dates' rows summed. For a plan's tasks (narrowed by due dates or
        not), the dates are sums over the plan's groups in `plan_task_counts`, not its tasks
        grouped (narrowed to a lead unit, over the unit's groups of the plan in
        `unit_task_counts`: `_dated_groups`), and the lead units and the choices sums over its groups in
        `unit_task_counts`, not a look-up of each task's units (`plan_groups`). When
        `choices` is `scope` (an unfiltered dashboard), the choices are the lead units'
        part's units, not read again."""
        shape, values = bound(scope)
        choices_shape, choices_values = (None, {}) if choices == scope else bound(choices, "choices_")
        statement = dashboard_statement(shape, choices_shape, self._sqlite)
        found: dict[str, list[dict[str, Any]]] = {"units": [], "dates": [], "choices": []}
        for row in self._rows(statement, {**values, **choices_values}):
            found[row.pop("part")].append(row)
        if choices_shape is None:
            found["choices"] = list({r["unit_id"]: {"unit_id": r["unit_id"], "name": r["name"]}
                                     for r in found["units"]}.values())
        states: dict[str, int] = {}
        for row in found["dates"]:
            states[row["state"]] = states.get(row["state"], 0) + int(row["n"])
        return {"states": [{"state": state, "n": n} for state, n in states.items()], **found}

    def task_slices(self, scope: TaskScope, slices: list[TaskSlice]) -> list[list[tuple[Any, ...]]]:
        """Pages of the tasks of `scope`, one per slice (its `state` on `scope.as_of`, if
        given; in plan order, "position", most urgent first, "urgency": overdue, the
        longest late first, then open by due date, then done; or best match first,
        "words": `_relevance`), in one statement (on SQLite, one a page); rows as `tasks` gives
        them (of `TASK_ROW`)."""
        if len(slices) == 1 and slices[0].order == "urgency" and of_one_unit(scope):
            [part] = slices
            values = {"as_of": scope.as_of, "unit_id": scope.unit_id, "plan_id": scope.plan_id,
                      "due_from": scope.due_from, "due_to": scope.due_to, "reach": part.offset + part.limit,
                      "offset": part.offset, "limit": part.limit}
            shape = (part.state, scope.lead_unit_id is not None, scope.plan_id is not None,
                     scope.due_from is not None, scope.due_to is not None, self._sqlite)
            keys, rows = cursor_reads.rows(self.session, unit_page(*shape), values)
            task_of = _task_of(keys)
            return [[task_of(row) + _NO_PLACE for row in rows]]
        if self._sqlite and len(slices) > 1:
            # SQLite has no round trip to save, and as parts of one UNION ALL each page's rows
            # were copied and sorted again, with all their columns, in its outermost ORDER BY:
            # a page a statement, each in its own order. The dashboard's two pages (a plan of
            # 1,000 tasks at 20,000 open) took SQLite 0.45 ms of CPU together, 0.37 apart
            # (faster in 372 of 400 rounds); on PostgreSQL one round trip is less (0.75 ms, 0.84).
            return [page for part in slices for page in self._pages(scope, [part])]
        return self._pages(scope, slices)

    def _pages(self, scope: TaskScope, slices: list[TaskSlice]) -> list[list[tuple[Any, ...]]]:
        """`task_slices`' pages in one statement (`slices_statement`)."""
        shape, values = self._search_bound(scope)
        values.update(search_reach=SEARCH_REACH, state_day=scope.as_of)
        following = tuple(number for number, part in enumerate(slices)
                          if part.after is not None and part.order == "words" and scope.words)
        values.update(slice_values(slices))
        for number, part in enumerate(slices):
            if number in following:
                rest, rank = part.after
                values.update({f"reach_{number}": part.limit, f"after_ranked_{number}": int(rest == 0),
                               f"after_rank_{number}": rank if rest == 0 else 0,
                               f"after_id_{number}": rank if rest == 1 else 0})
        by_rowid = (self._sqlite and bool(scope.words) and set(shape[1]) == {"reader_id", "reader_unit_id"}
                    and self._holds_many(values["reader_unit_id"]))
        state_ids = (self._state_first(shape, values, slices[0].state, _PAGE_READS)
                     if len(slices) == 1 and slices[0].order == "words" else None)
        state_first = state_ids is not None
        if state_first and not state_ids:  # (a state of no task: no match in it)
            return [[]]
        statement = slices_statement(shape, tuple((p.state, p.order) for p in slices), self._sqlite, following,
                                     by_rowid, state_first)
        keys, rows = cursor_reads.rows(self.session, statement, values)
        task_of, part, rest, rank = _slice_columns(keys)
        found: list[list[tuple[Any, ...]]] = [[] for _ in slices]
        for row in rows:
            # (a search's row has its place in the order, to read on from)
            found[row[part]].append(task_of(row) + (_NO_PLACE if row[rest] is None else ((row[rest], row[rank]),)))
        return found

    def _search_bound(self, scope: TaskScope) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """`bound`; for a search by a reader who does not read every task and may read no
        more than `READER_IDS` tasks, with their ids read first (`reader_ids_statement`),
        then those of them holding the words (`matches_statement`), in place of the
        reader and of the word index (`TaskScope.matches`): the count and the page then
        look those tasks up by id, and the word index is read once a search, or not at
        all for a reader of no task. Given the UNION of the reader's ids to read,
        PostgreSQL hashed them and tested every task's words (a word most tasks hold read
        them all, for each part of the search: it costs the word match as nothing), even
        for a reader of a few hundred tasks.

        On SQLite a reader whose unit alone holds more than the cap (`_holds_many`, which the
        count and the page ask anyway) reads more: their ids are not read to find it out (a
        staff member of a unit of 13,424 tasks read 1,001 of them, 0.7 ms)."""
        if scope.reader_id is not None and scope.words and not (
                self._sqlite and scope.reader_unit_id is not None and self._holds_many(scope.reader_unit_id)):
            ids = self._ids_readable_by(scope.reader_id, scope.reader_unit_id)
            if ids is not None and len(ids) <= SEARCH_REACH:  # (each match ranked: `best_first`)
                scope = replace(scope, reader_id=None, reader_unit_id=None, matches=self._matches_among(ids, scope.words))
        shape, values = bound(scope)
        if in_range(scope):
            values["reader_first"], values["reader_last"] = self._readable_range(scope.reader_id, scope.reader_unit_id)
        return shape, values

    def _readable_range(self, reader_id: int, unit_id: int | None) -> tuple[int | None, int | None]:
        """The first and the last id of the tasks the reader may read (`in_range`)."""
        key = (reader_id, unit_id)
        if key not in self._ranges:
            _, [found] = cursor_reads.rows(self.session, readable_range_statement(unit_id is not None),
                                           {"reader_id": reader_id, "reader_unit_id": unit_id})
            self._ranges[key] = tuple(found)
        return self._ranges[key]

    def _matches_among(self, ids: tuple[int, ...], words: tuple[str, ...]) -> tuple[int, ...]:
        """Of the tasks `ids` (sorted), those holding every one of `words`, sorted."""
        key = (ids, words)
        if key not in self._matches:
            found: tuple[int, ...] = ()
            if ids:
                _, rows = cursor_reads.rows(self.session, matches_statement(words, self._sqlite),
                                            {"reader_ids": list(ids), "first_id": ids[0], "last_id": ids[-1]})
                found = tuple(sorted(task_id for task_id, in rows))
            self._matches[key] = found
        return self._matches[key]

    def _ids_readable_by(self, reader_id: int, unit_id: int | None) -> tuple[int, ...] | None:
        """The ids of the tasks the reader may read, if no more than `READER_IDS`. Read up
        to one more than that, then, if those came with an id twice, up to that many a read
        (each gives an id once at most, so they hold them all; more rows, more tasks): a
        reader of many tasks reads no more than the first, one of few only once."""
        key = (reader_id, unit_id)
        if key not in self._reader_ids:
            statement, reads = reader_ids_statement(unit_id is not None)
            values = {"reader_id": reader_id, "reader_unit_id": unit_id}
            ids: set[int] = set()
            for up_to in (READER_IDS + 1, reads * READER_IDS + 1):
                _, rows = cursor_reads.rows(self.session, statement, {**values, "up_to": up_to})
                ids = {task_id for task_id, in rows}
                if len(rows) < up_to or len(ids) > READER_IDS:
                    break
            self._reader_ids[key] = tuple(sorted(ids)) if len(ids) <= READER_IDS else None
        return self._reader_ids[key]

    def _state_first(self, shape: tuple[Any, ...], values: dict[str, Any], state: str | None,
                     reads: int) -> tuple[int, ...] | None:
        """The state's ids, if a search of `shape` (`_search_bound`'s) narrowed to `state` reads
        them first and tests the word index's matches among them (`in_state_ids`), the ids
        then bound in `values` (`StateRead.bound`); else (None) each match's state is tested
        as it is read (on SQLite in `ix_plan_tasks_state`, `state_read`; on PostgreSQL on
        its row). For a search through the word index (a reader's matches read first are
        few, each looked up by id), when the state holds no more tasks than `reads` (as
        many matches as the read tests at most: the count's cap; a page's ranked reads,
        `_PAGE_READS`) nor more than `_STATE_SHARE` of the office's tasks. On PostgreSQL
        the state's tasks are then each looked up by id and their words tested on their
        rows (`in_state_ids`), where the count read the table whole for the matches of a
        word most tasks hold, and a state with no range of due dates (waiting for a date,
        done) had its page test every match's row too.

        The state's ids are a read of that short index whole, a cost of the office's size;
        looked up match by match, a state of few tasks had every match of the words tested
        to find them (a staff member's overdue search, its words in every task, looked each
        match of their unit up, in the count and in each of the page's three reads). A
        state of many tasks finds its page among the first matches, where its ids would all
        be read: how many it holds is estimated first, from its first `_STATE_PROBE` ids (in
        id order: where the last of them stands among the tasks' ids), a read that stops
        there. At 20,000 open on SQLite (CPU, old and new alternated, 20 rounds, a shared
        machine) the staff member's overdue search (1,584 overdue) took 49.1 -> 26.8 ms, the
        unit head's of the tasks waiting for a date 55.4 -> 30.2, the monitor's overdue
        30.3 -> 20.1, a state of no task 45.7 -> 3.6; one of most tasks (in progress) 0.2 ms
        more (the probe). Near the count's cap it costs more: a state of half the tasks
        (9,928 overdue on a later day, its count read first, its page looked up) took the
        staff member's search 3.5 ms more, the monitor's 4.8 (6 rounds, none won); about
        even at 5,436 and 6,590 overdue, 10 ms less at 3,397 (two rounds each).

        On PostgreSQL 15 at 20,000 open (wall clock, old and new alternated, 20 rounds, a
        shared machine) the staff member's overdue search took 59.2 -> 39.0 ms (its count
        28 -> 10 ms; its page was already read from the overdue tasks' range of due dates,
        `in_state_conditions`), the monitor's 44.0 -> 26.6, the unit head's of the tasks waiting for
        a date (836) 190.5 -> 41.7, the new one faster in every round; one of most tasks
        (in progress: the probe, 0.1 ms of SQL) the staff member's +0.4 ms, the monitor's
        +0.0 (30 rounds, 14 won each). As on SQLite, the count's cap is too far there: with
        3,397 overdue (a later day) the state read first took 14-20 ms less, with 7,239
        1.4-3.5 ms more, with 8,990 8-11 ms more (6 rounds, one won), each id looked up
        where a read of the table tested them all: a share of the tasks, not a number,
        marks where that turns (at 100,000 open on SQLite, 7,639 overdue, the state read
        first took the staff member's search 122.6 -> 81.7 ms), so a state of more than a
        quarter of the tasks is not read first. With it, at 20,000 open on SQLite (CPU, 8
        rounds, a shared machine) the staff member's and the monitor's overdue searches
        with half the office overdue (9,928) took 4.5 and 5.6 ms less (8/8 rounds each),
        about even at 5,436 and 6,590 overdue (-0.7 to +0.3 ms), as before at 3,996. On
        PostgreSQL at 20,000 open (wall clock, CI running beside it: 170-200 ms where a
        quiet machine gave 75-100) at 6,590 overdue 13-21 ms less in 12 rounds (9 and 10
        won), after 8 rounds of 15-34 ms more (3 and 4 won); at 9,928, 5-8 ms less in 12
        rounds (8 won each) and 48-55 in 8 (5 and 8 won).

        On SQLite a search whose state's ids are read already (by the probe, a state of
        fewer than `_STATE_PROBE` tasks; or by the count, no more than its cap: the page
        then) tests its matches among them, however many more than its reads they are:
        read, they cost no more than their binding, and a test of each rowid the word index
        gives among them cost less than its look-up in `ix_plan_tasks_state` (its CASE run
        on each). At 100,000 open (CPU, old and new alternated, 10 rounds, a shared machine)
        the staff member's overdue search (7,639 overdue) took 24 ms less."""
        if not (state is not None and shape[2] and "matches" not in shape[1]):
            return None
        key = (state, values["as_of"])
        if key not in self._states:
            _, rows = cursor_reads.rows(self.session, state_ids_statement(state, True, self._sqlite),
                                        {"state_day": values["as_of"], "up_to": _STATE_PROBE})
            if len(rows) < _STATE_PROBE:  # (all of them)
                self._states[key] = StateRead(len(rows), tuple(task_id for task_id, _, _ in rows))
            else:
                _, first, last = rows[0]
                tasks = last - first + 1
                estimate = _STATE_PROBE * tasks / (rows[-1][0] - first + 1)
                self._states[key] = StateRead(estimate if estimate <= _STATE_SHARE * tasks else math.inf)
        read = self._states[key]
        if read.estimate > reads and not (self._sqlite and read.ids is not None):
            return None
        if read.ids is None:
            _, rows = cursor_reads.rows(self.session, state_ids_statement(state, False, self._sqlite),
                                        {"state_day": values["as_of"]})
            read.ids = tuple(task_id for task_id, in rows)
        values.update(read.bound(self._sqlite))
        return read.ids

    def _holds_many(self, unit_id: int) -> bool:
        """Whether the unit leads or coordinates more tasks than `READER_IDS` (`readable_matches`,
        `_search_reads`)."""
        if unit_id not in self._many:
            _, [(held,)] = cursor_reads.rows(self.session, unit_holds_statement(), {"unit_id": unit_id,
                                                                                    "up_to": READER_IDS + 1})
            self._many[unit_id] = held > READER_IDS
        return self._many[unit_id]

    def counted_slices(self, scope: TaskScope, slices: list[TaskSlice]) -> tuple[int, list[list[tuple[Any, ...]]]]:
        shape, values = bound(scope)
        values.update(slice_values(slices), state_day=scope.as_of)
        orders = tuple((p.state, p.order) for p in slices)
        statement = counted_slices_statement(shape, orders, self._sqlite)
        keys, rows = cursor_reads.rows(self.session, statement, values)
        if keys[-1] == "counted":  # one page, its rows each with the count (SQLite)
            [wanted] = slices
            if rows:
                counted = rows[0][-1]
            else:  # no row to tell it: none at all, or a page past the end (or of a state) to count apart
                counted = 0 if wanted.offset == 0 and wanted.state is None else self.count(scope)
            task_of = _task_of(keys)
            return counted, [[task_of(row) + _NO_PLACE for row in rows]]
        task_of, part, _, _ = _slice_columns(keys, "tasks_")
        count = keys.index("count_count")
        counted, found = 0, [[] for _ in slices]
        for row in rows:
            if row[0] == 0:  # the count's part
                counted = int(row[count] or 0)
            else:
                found[row[part]].append(task_of(row) + _NO_PLACE)
        return counted, found

    def _parts(self, statement: Any, names: tuple[str, ...], values: dict[str, Any]) -> dict[str, list[Any]]:
        """The rows of a `together` statement of parts `names`, by part, each a tuple of
        the part's own columns (in its statement's order)."""
        keys, rows = cursor_reads.rows(self.session, statement, values)
        parts = _part_columns(keys, names)
        found: list[list[Any]] = [[] for _ in names]
        for row in rows:
            found[row[0]].append(parts[row[0]][1](row))
        return dict(zip(names, found))

    def task_units(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """Who leads and who coordinates each task, with the units' names (`UNIT_ROW`)."""
        return cursor_reads.rows(self.session, task_units_statement(plan_id is not None, task_ids is not None),
                                 {"plan_id": plan_id, "task_ids": task_ids})[1]

    def open_steps(self, plan_id: int | None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """The ready steps of a plan's tasks (or of `task_ids`) and who holds them (a person,
        or a unit's role; `STEP_ROW`)."""
        return cursor_reads.rows(self.session, ready_steps(plan_id is not None, task_ids is not None),
                                 {"plan_id": plan_id, "task_ids": task_ids})[1]

    def audit(self, plan_id: int, action_prefix: str) -> list[dict[str, Any]]:
        """A plan's audit events whose action starts with `action_prefix`, oldest first."""
        return self._rows(audit_statement(action_prefix), {"plan_id": plan_id})

    def notices(self, plan_id: int | None, action_prefix: str, task_ids: list[int] | None = None
                ) -> list[tuple[Any, ...]]:
        """A plan's (or `task_ids`') notices sent, oldest first (`told`: `NOTICE_ROW`)."""
        return cursor_reads.rows(self.session, told(action_prefix, plan_id is not None, task_ids is not None),
                                 {"plan_id": plan_id, "task_ids": task_ids})[1]

    def page_details(self, task_ids: list[int], notices: str | None = None,
                     told_ids: list[int] | None = None) -> dict[str, list[Any]]:
        """The tasks' units (`UNIT_ROW`), open steps (`STEP_ROW`) and with `notices` the
        notices sent about `told_ids` (default: every task; `NOTICE_ROW`), as tuples: in one
        statement on PostgreSQL, one a part on SQLite.

        SQLite has no round trip to save, and a part's rows in the UNION ALL carry every
        other part's columns as NULLs: for a page of 50 tasks of a 20,000-task office the
        one statement took SQLite and the driver 0.55 ms, its parts one by one 0.29 (a
        cell of NULL read costs about what a cell of value does)."""
        values = {"task_ids": task_ids, "told_ids": task_ids if told_ids is None else told_ids}
        parts = page_detail_parts(notices)
        if not self._sqlite:
            return self._parts(page_details_statement(notices), tuple(name for name, _, _ in parts), values)
        return {name: cursor_reads.rows(self.session, statement, values)[1] for name, statement, _ in parts}

    def plan_counts(self, today: date) -> list[dict[str, Any]]:
        """Per plan holding a task: tasks, closed, overdue (open and past due), waiting for a
        date; summed from each plan's groups in `plan_task_counts`, not its tasks (every
        task of the office: at 100,000 open on SQLite, its SQL alone about 50 -> 13 ms of CPU)."""
        c = orm.plan_task_counts.c
        counts = (
            select(c.plan_id, func.sum(c.n).label("total"),
                   _sum(c.status == "closed", c.n).label("closed"),
                   _sum(and_(c.status == "open", c.due_on < today), c.n).label("overdue"),
                   _sum(c.status == "waiting_date", c.n).label("waiting"))
            .group_by(c.plan_id)
            .having(func.sum(c.n) > 0)  # (a plan's last task gone: its rows of +1 and -1 until folded)
            .subquery()
        )
        query = (
            select(_p.c.id, _p.c.number, _p.c.title, _p.c.year, _p.c.issued_on,
                   counts.c.total, counts.c.closed, counts.c.overdue, counts.c.waiting)
            .join(counts, counts.c.plan_id == _p.c.id)
            .order_by(_p.c.issued_on.desc().nulls_last(), _p.c.id.desc())
        )
        return self._built_rows(query)

    def overdue_by_lead_unit(self, today: date, limit: int) -> list[dict[str, Any]]:
        """The lead units with the most overdue tasks (open and past due) across all plans:
        summed from the units' groups in `unit_task_counts` (a task once for each unit
        leading it), not every overdue task joined to its units (at 100,000 open on SQLite,
        its SQL alone about 270 -> 26 ms of CPU)."""
        c = orm.unit_task_counts.c
        overdue = func.sum(c.n).label("overdue")
        query = (
            select(_u.c.id.label("unit_id"), _u.c.name, overdue)
            .select_from(orm.unit_task_counts)
            .join(_u, _u.c.id == c.unit_id)
            .where(c.lead == 1, c.status == "open", c.due_on < today)
            .group_by(_u.c.id, _u.c.name)
            .having(func.sum(c.n) > 0)  # (rows of +1 and -1 until folded)
            .order_by(overdue.desc(), _u.c.name)
            .limit(limit)
        )
        return self._built_rows(query)

    def units(self) -> list[dict[str, Any]]:
        """Every unit with its aliases: search matches "KSTTHC" as well as the full name."""
        return self._built_rows(select(_u.c.id, _u.c.name, _u.c.aliases).order_by(_u.c.name))


_NO_PLACE = (None,)  # a task's `place` on a page of another order than best match first


def _counts_by_plan(rows: Iterable[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`counts_and_plans`' answer from the rows of `_by_plan`: the counts by state summed
    over the plans, and the plans."""
    found: dict[int, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for plan_id, number, title, state, n in rows:
        counts[state] = counts.get(state, 0) + n
        found[plan_id] = {"id": plan_id, "number": number, "title": title}
    return [{"state": state, "n": n} for state, n in counts.items()], list(found.values())


@functools.lru_cache(maxsize=64)
def _task_of(keys: tuple[str, ...], prefix: str = "") -> Any:
    """One getter of a task's columns of `TASK_ROW` but its place (named `prefix` and the
    column's name) from a row of the columns `keys`, worked out once per statement."""
    return itemgetter(*(keys.index(prefix + name) for name in TASK_ROW[:-1]))


def _slice_columns(keys: tuple[str, ...], prefix: str = "") -> tuple[Any, int, int, int]:
    """Of `slices_statement`'s columns `keys` (each named `prefix` and its name, in a
    `together` statement): the getter of a task's columns (`_task_of`), and where the
    row's page (`part`) and its place (`rest`, `rank`) are."""
    return (_task_of(keys, prefix), *(keys.index(prefix + name) for name in ("part", "rest", "rank")))


@functools.lru_cache(maxsize=64)
def _part_columns(keys: tuple[str, ...], names: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    """Per part of a `together` statement whose columns are `keys`: its columns' names and
    one getter of their values, a tuple (each part has two columns or more; a dict
    comprehension per row cost more than the statement on SQLite); worked out once per
    statement, not at each read."""
    picks = [[(key[len(name) + 1:], i) for i, key in enumerate(keys) if key.startswith(name + "_")]
             for name in names]
    return [(tuple(key for key, _ in pick), itemgetter(*(i for _, i in pick))) for pick in picks]


# How many of a state's ids `ProgressQueries._state_first` reads to estimate how many
# tasks it holds, and as many matches as a search's page tests at most in its ranked
# reads (those with the words side by side and those with every word, `best_first`).
_STATE_PROBE = 64
# The share of the office's tasks beyond which a state is not read first, however few that
# is against the read's limit (`ProgressQueries._state_first`).
_STATE_SHARE = 0.25
_PAGE_READS = 2 * SEARCH_REACH


# A search by a reader of no more tasks than this looks each of them up by id
# (`ProgressQueries._search_bound`): as many as a search ranks of its matches.
READER_IDS = SEARCH_REACH


def _sum(condition: Any, n: Any) -> Any:
    """The sum of `n` (a count table's) over the rows meeting `condition`."""
    return func.coalesce(func.sum(case((condition, n), else_=0)), 0)
