"""A search narrowed to a state: where its matches' state is tested, or the state's ids read first.

A match's state is tested on the state index on SQLite, on the task's row otherwise
(`state_read`); a state of few tasks is read first and the matches tested among its ids
(`state_ids_statement`, `StateRead`, `in_state_ids`: how many it holds is estimated by
`ProgressQueries._state_first`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, LargeBinary, bindparam, func, literal_column, select

from adapters.storage import orm
from adapters.storage.dialects import planned_with
from adapters.storage.reads.statement_shapes import AmongIds
from adapters.storage.reads.task_states import by_state, in_state_conditions, indexed_by_alias, written
from adapters.storage.reads.text_search import task_words
from engine.reading.progress import IN_PROGRESS, OVERDUE, TaskScope

_t, _p = orm.plan_tasks, orm.plans


def state_read(scope: TaskScope, sqlite: bool) -> Any:
    """What a search of `scope` (`symbolic`) tests its matches' state on: `by_state` on
    SQLite when the word index gives them, else their task (PostgreSQL reads the task's
    row for its words; a reader's matches read first are each looked up by id, a few).
    A state of few tasks is not looked up match by match but read first (`in_state_ids`)."""
    return by_state if sqlite and scope.words and scope.matches is None else _t


@dataclass
class StateRead:
    """A state's tasks on a day as a search reads them first (`ProgressQueries._state_first`):
    how many (the probe's estimate; `math.inf` past `_STATE_SHARE`), their ids once read,
    and those ids as `in_state_ids` binds them, made once a unit of work."""

    estimate: float
    ids: tuple[int, ...] | None = None
    _bound: dict[str, Any] | None = None

    def bound(self, sqlite: bool) -> dict[str, Any]:
        """The read ids' values: a byte for each id on SQLite (`_id_bits`), else a list."""
        if self._bound is None:
            assert self.ids is not None
            self._bound = {"state_bits": _id_bits(self.ids)} if sqlite else {"state_ids": list(self.ids)}
        return self._bound


def in_state_ids(sqlite: bool) -> list[Any]:
    """A search's state test among the ids of the state's tasks read first (`state_ids`,
    `ProgressQueries._state_first`). On SQLite on the word index's rowid: its byte in
    `state_bits` (`_id_bits`), so that no task is read and no index searched: a rowid
    among the ids bound as a list was a search of the list's temporary index, which
    SQLite builds again for each read of the statement (the page's three). At 100,000
    open (CPU, a shared machine) the staff member's overdue count, 100,000 rowids tested
    among 7,639 ids, took 34-43 ms so, 28-36 as a byte; its page 45-50 ms, 34-35. On
    PostgreSQL the way in: each of the state's tasks looked up by its id (one array), its
    words tested on its row, in place of a test of the state on every match."""
    if sqlite:
        # (`+ 1`: SQLite counts a blob's bytes from 1; past its end `substr` gives no byte)
        byte = func.substr(bindparam("state_bits", type_=LargeBinary), task_words.c.rowid + literal_column("1"),
                           literal_column("1"))
        return [byte == literal_column("x'01'")]
    return [AmongIds(_t.c.id, "state_ids")]


def _id_bits(ids: tuple[int, ...]) -> bytes:
    """`ids` as bytes, the byte at each id 1, the others 0 (`in_state_ids`)."""
    bits = bytearray(max(ids, default=0) + 1)
    for task_id in ids:
        bits[task_id] = 1
    return bytes(bits)


@functools.lru_cache(maxsize=16)
def state_ids_statement(state: str, probe: bool, sqlite: bool) -> Any:
    """The ids of the tasks in `state` on `state_day`, in id order, from `ix_plan_tasks_state`
    alone (its entries read in order, each tested, none of the tasks' long rows read: on
    PostgreSQL an index-only scan, migration 0045); `probe`, no more than `up_to` of them,
    each with the first and the last id of all the tasks (`ProgressQueries._state_first`'s
    estimate). The due dates of the state, if it has some, are tested first: SQLite tests
    the conditions in their order, and the state's CASE for each entry took the overdue
    tasks' read of 20,000 entries 4.0 ms, 2.3 after the test of its due date. The day and
    the probe's LIMIT are written in on PostgreSQL (`planned_with`): a generic plan guesses
    a third of the tasks due before a bound day, the state's CASE a few of them, and may
    then read the state from another index (by due date, each task's row for its id) and
    sort it, where the index in id order stops at the probe's end.

    On SQLite all the ids of a state with a range of due dates (overdue, in progress) are
    read plan by plan, each plan's range of `ix_plan_tasks_plan_due` (plan, due date,
    closing date, status, and the id), in no order (they are tested as a set): read in id
    order, every task's entry was, its due date tested. At 100,000 open the overdue
    tasks' read (7,639 of them, 100 plans) took 15.5 ms of CPU, 7.4 so."""
    day = planned_with("state_day", sqlite, Date)
    if sqlite and not probe and state in (OVERDUE, IN_PROGRESS):
        by_plan = indexed_by_alias(_t, "in_state", "ix_plan_tasks_plan_due")
        in_state, *due = in_state_conditions(day, state, written(state), day, by_plan.c)
        return select(by_plan.c.id).where(by_plan.c.plan_id.in_(select(_p.c.id)), *due, in_state)
    tasks = indexed_by_alias(_t, "in_state", "ix_plan_tasks_state")
    in_state, *due = in_state_conditions(day, state, written(state), day, tasks.c)
    ids = select(tasks.c.id).where(*due, in_state).order_by(tasks.c.id)
    if not probe:
        return ids
    ends = (select(func.min(_t.c.id)).scalar_subquery(), select(func.max(_t.c.id)).scalar_subquery())
    return ids.add_columns(*ends).limit(planned_with("up_to", sqlite))
