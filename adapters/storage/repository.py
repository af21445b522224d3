"""SQLAlchemy repositories: one per aggregate, plus the read queries of list pages.

Read queries join the work-item index to plan tables in one statement and return
plain dicts; none of them touches `process_instances.state`.
"""
from __future__ import annotations

import functools
import json
from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable

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
    insert,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from adapters.storage import cursor_reads, orm
from adapters.storage.batched_writes import Rows, inserted, insert_new, update_by_id
from adapters.storage.dialects import begin_write, on_sqlite, planned_with
from adapters.storage.row_dicts import dicts
from adapters.storage.row_objects import part_at, write_labelled
from adapters.storage.step_read import LOCK_STEP_INSTANCE, STEP_AT, STEP_PARTS_AT, STEP_READ
from adapters.storage.progress_queries import ready_steps
from engine import model
from engine import unit_of_work as ports
from engine.errors import N_, AlreadyDone
from engine.tasks.inbox import INBOX_ROW, InboxWhere


class SqlRepository:
    model_class: type

    def __init__(self, session: Session, rows: Rows | None = None) -> None:
        self.session = session
        self.rows = Rows() if rows is None else rows  # the unit of work's, shared by its repositories

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def get(self, obj_id: int) -> Any | None:
        held = self.rows.get(self.model_class, obj_id)  # a row this unit of work read with Core
        return held if held is not None else self.session.get(self.model_class, obj_id)

    def _names(self, id_column: Any, name_column: Any, ids: Iterable[int]) -> dict[int, str]:
        """Names by id for the ids given (None and 0 ignored), in one query."""
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        rows = self.session.execute(select(id_column, name_column).where(id_column.in_(wanted)))
        return {key: value for key, value in rows}

    def _core(self, statement: Any, values: Any = None) -> Any:
        """A Core statement on the transaction's connection: the write paths' statements
        need nothing of the ORM's execution around them."""
        return self.session.connection().execute(statement, values)

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return dicts(self.session.execute(statement))


# Built once (a read's fixed cost is mostly building its statements): the acting person
# with the office days' version in one round trip (`CalendarCache`).
_ACTING = select(orm.users.c.id, orm.users.c.unit_id, orm.users.c.role, orm.users.c.active,
                 orm.OFFICE_DAYS_VERSION.label("office_days")).where(orm.users.c.id == bindparam("user_id"))
_PROFILE = (select(*(orm.users.c[name] for name in ("id", "username", "full_name", "unit_id", "role", "email",
                                                    "session_version", "active")),
                   orm.units.c.name.label("unit_name"), orm.OFFICE_DAYS_VERSION.label("office_days"))
            .outerjoin(orm.units, orm.units.c.id == orm.users.c.unit_id).where(orm.users.c.id == bindparam("user_id")))
# A unit's active people by name (with a role, or all of them): `UserRepository.in_unit`.
_WRITE_IN_UNIT = {with_role: select(orm.users).where(orm.users.c.unit_id == bindparam("unit_id"),
                                                      orm.users.c.active.is_(True),
                                                      *([orm.users.c.role == bindparam("role")] if with_role else []))
                  .order_by(orm.users.c.full_name) for with_role in (False, True)}
# Keys of `Session.info`: what this transaction saw (`SEEN`, shared with the request's
# later units of work until one of them commits: `SqlAlchemyUnitOfWork`), and whether it
# changed the office days.
_SEEN_VERSION, _ACTOR, _DAYS_WRITTEN = "office_days_version", "actor", "office_days_written"
SEEN = (_SEEN_VERSION, _ACTOR)


class UserRepository(SqlRepository, ports.UserRepository):
    model_class = model.User

    def acting(self, user_id: int) -> model.Actor | None:
        known = self.session.info.get(_ACTOR)
        if known is not None and known.id == user_id:  # this request's person, read as it began
            return known
        found = cursor_reads.dicts(self.session, _ACTING, {"user_id": user_id})
        return self._seen(found[0]) if found else None

    def profile(self, user_id: int) -> dict[str, Any] | None:
        found = cursor_reads.dicts(self.session, _PROFILE, {"user_id": user_id})
        if not found:
            return None
        self._seen(found[0])
        return {name: value for name, value in found[0].items() if name != "office_days"}

    def _seen(self, row: dict[str, Any]) -> model.Actor:
        actor = model.Actor(row["id"], row["unit_id"], row["role"], row["active"])
        self.session.info.setdefault(_SEEN_VERSION, row["office_days"])
        self.session.info.setdefault(_ACTOR, actor)
        return actor

    def by_username(self, username: str) -> model.User | None:
        return self.session.scalars(select(model.User).filter_by(username=username)).first()

    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]:
        # Core, its statements built once: a step reads its unit's people (the head's
        # choices, the next holder), and the ORM's query cost more than the rest of it.
        keys, rows = cursor_reads.rows(self.session, _WRITE_IN_UNIT[bool(role)], {"unit_id": unit_id, "role": role})
        return [self.rows.loaded(model.User, dict(zip(keys, row))) for row in rows]

    def with_role(self, role: str) -> list[model.User]:
        return list(self.session.scalars(select(model.User).filter_by(role=role, active=True)))

    def names(self, user_ids: Iterable[int]) -> dict[int, str]:
        return self._names(orm.users.c.id, orm.users.c.full_name, user_ids)

    def directory(self, user_ids: Iterable[int], unit_ids: Iterable[int], roles: Iterable[str]) -> list[model.User]:
        ids, units, wanted_roles = sorted(set(user_ids)), sorted(set(unit_ids)), sorted(set(roles))
        if not (ids or units or wanted_roles):
            return []
        # On the cursor (a step's or a sweep batch's people), built once per shape of the question.
        keys, rows = cursor_reads.rows(self.session, _write_directory(bool(ids), bool(units), bool(wanted_roles)),
                                       {"ids": ids, "units": units, "roles": wanted_roles})
        return [self.rows.loaded(model.User, dict(zip(keys, row))) for row in rows]


@functools.cache
def _write_directory(ids: bool, units: bool, roles: bool) -> Any:
    """`UserRepository.directory`'s read: users by id (whatever their state), the active
    ones of units, the active ones of roles; the lists bound as `ids`, `units`, `roles`."""
    u = orm.users.c
    wanted = [u.id.in_(bindparam("ids", expanding=True))] if ids else []
    if units:
        wanted.append(and_(u.active.is_(True), u.unit_id.in_(bindparam("units", expanding=True))))
    if roles:
        wanted.append(and_(u.active.is_(True), u.role.in_(bindparam("roles", expanding=True))))
    return select(orm.users).where(or_(*wanted))


class UnitRepository(SqlRepository, ports.UnitRepository):
    model_class = model.Unit

    def list(self) -> list[model.Unit]:
        return list(self.session.scalars(select(model.Unit).order_by(orm.units.c.name)))

    def by_name(self, name: str) -> model.Unit | None:
        return self.session.scalars(select(model.Unit).filter_by(name=name)).first()

    def names(self, unit_ids: Iterable[int]) -> dict[int, str]:
        return self._names(orm.units.c.id, orm.units.c.name, unit_ids)


# A plan with its monitor unit's name and the office days' version, read with Core: the
# ORM's loading of the plan was a tenth of a plan page's time. With a reader, also who
# they are (`_ACTING`'s columns, NULL for no such person), in the same round trip.
_READER = orm.users.alias("reader")
_HEADING = (select(*orm.plans.c, orm.units.c.name.label("monitor"), orm.OFFICE_DAYS_VERSION.label("office_days"))
            .outerjoin(orm.units, orm.units.c.id == orm.plans.c.monitor_unit_id)
            .where(orm.plans.c.id == bindparam("plan_id")))
_HEADING_AND_READER = (_HEADING.add_columns(*(_READER.c[name].label(f"reader_{name}")
                                             for name in ("id", "unit_id", "role", "active")))
                       .outerjoin(_READER, _READER.c.id == bindparam("user_id")))


class PlanRepository(SqlRepository, ports.PlanRepository):
    model_class = model.Plan

    def heading(self, plan_id: int, reader_id: int | None = None) -> tuple[model.Plan, str | None] | None:
        known = self.session.info.get(_ACTOR)
        with_reader = reader_id is not None and (known is None or known.id != reader_id)
        keys, rows = cursor_reads.rows(self.session, _HEADING_AND_READER if with_reader else _HEADING,
                                       {"plan_id": plan_id, "user_id": reader_id})
        if not rows:
            return None
        row = dict(zip(keys, rows[0]))
        self.session.info.setdefault(_SEEN_VERSION, row["office_days"])
        if with_reader and row["reader_id"] is not None:  # `UserRepository.acting` answers from it
            self.session.info.setdefault(_ACTOR, model.Actor(row["reader_id"], row["reader_unit_id"],
                                                             row["reader_role"], row["reader_active"]))
        plan = self.rows.loaded(model.Plan, {column.name: row[column.name] for column in orm.plans.c})
        return plan, row["monitor"]

    def list_with_counts(self) -> list[dict[str, Any]]:
        t = orm.plan_tasks
        counts = (
            select(
                t.c.plan_id,
                func.count().label("tasks"),
                func.sum(func.cast(t.c.status == "closed", orm.Integer)).label("closed"),
            )
            .group_by(t.c.plan_id)
            .subquery()
        )
        p = orm.plans
        query = (
            select(p, func.coalesce(counts.c.tasks, 0).label("tasks"), func.coalesce(counts.c.closed, 0).label("closed"))
            .outerjoin(counts, counts.c.plan_id == p.c.id)
            .order_by(p.c.issued_on.desc().nulls_last(), p.c.id.desc())
        )
        return self._rows(query)


def _write_with_plans_query() -> tuple[Any, dict[str, dict[str, str]]]:
    """`TaskRepository.with_plans`: tasks by id with their plans and units, labelled."""
    t, p, tu = orm.plan_tasks, orm.plans, orm.task_units
    columns, parts = write_labelled({"t": t, "p": p, "tu": tu})
    return (select(*columns).join(p, p.c.id == t.c.plan_id).outerjoin(tu, tu.c.task_id == t.c.id)
            .where(t.c.id.in_(bindparam("ids", expanding=True))).order_by(t.c.id, tu.c.id)), parts


class TaskRepository(SqlRepository, ports.TaskRepository):
    model_class = model.PlanTask

    def add_many(self, tasks: list[model.PlanTask]) -> None:
        insert_new(self.session, self.rows, orm.plan_tasks, tasks, ("plan_id", "position"))
        for task in tasks:
            for unit in task.units:
                unit.task_id = task.id
        insert_new(self.session, self.rows, orm.task_units, [u for task in tasks for u in task.units],
                   ("task_id", "role", "position"))

    def for_plan(self, plan_id: int) -> list[model.PlanTask]:
        query = select(model.PlanTask).filter_by(plan_id=plan_id).order_by(orm.plan_tasks.c.position)
        return list(self.session.scalars(query))

    def with_plans(self, task_ids: Iterable[int]) -> dict[int, tuple[model.PlanTask, model.Plan]]:
        ids = sorted(set(task_ids))
        if not ids:
            return {}
        # On the cursor, its rows made into the domain objects (`Rows.loaded`): a sweep batch's read.
        parts, (task_at, plan_at, unit_at) = _WITH_PLANS_PARTS_AT, _WITH_PLANS_IDS_AT
        plans: dict[int, model.Plan] = {}
        units: dict[int, dict[int, model.TaskUnit]] = {}
        firsts: dict[int, Any] = {}
        for row in cursor_reads.rows(self.session, _WRITE_WITH_PLANS, {"ids": ids})[1]:
            task_id, plan_id, unit_id = row[task_at], row[plan_at], row[unit_at]
            firsts.setdefault(task_id, row)
            if plan_id not in plans:
                plans[plan_id] = self.rows.loaded(model.Plan, part_at(row, parts["p"]))
            if unit_id is not None:
                unit = self.rows.loaded(model.TaskUnit, part_at(row, parts["tu"]))
                units.setdefault(task_id, {}).setdefault(unit_id, unit)
        found = {}
        for task_id, row in firsts.items():
            task_units = sorted(units.get(task_id, {}).values(), key=lambda x: x.position)
            found[task_id] = (self.rows.loaded(model.PlanTask, part_at(row, parts["t"]), units=task_units),
                              plans[row[plan_at]])
        return found


class ProcessVersionRepository(SqlRepository, ports.ProcessVersionRepository):
    model_class = model.ProcessVersion

    def live(self, process_key: str) -> model.ProcessVersion | None:
        query = select(model.ProcessVersion).filter_by(process_key=process_key, is_live=True)
        return self.session.scalars(query).first()

    def keys(self) -> list[str]:
        return list(self.session.scalars(select(orm.process_versions.c.process_key).distinct()
                                         .order_by(orm.process_versions.c.process_key)))

    def for_key(self, process_key: str) -> list[model.ProcessVersion]:
        query = select(model.ProcessVersion).filter_by(process_key=process_key)
        return list(self.session.scalars(query.order_by(orm.process_versions.c.number.desc())))

    def instance_counts(self, process_key: str) -> dict[int, int]:
        """Running instances per version of `process_key`: one grouped query for the designer's list."""
        v, i = orm.process_versions, orm.process_instances
        query = (
            select(v.c.id, func.count(i.c.id))
            .join(i, and_(i.c.process_version_id == v.c.id, i.c.status == "running"))
            .where(v.c.process_key == process_key)
            .group_by(v.c.id)
        )
        return {version_id: count for version_id, count in self.session.execute(query)}

    def record(self, values: dict[str, Any]) -> int:
        return self.session.execute(insert(orm.process_events).values(**values)).inserted_primary_key[0]

    def history(self, process_key: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        e, u = orm.process_events, orm.users
        query = (select(e, u.c.full_name.label("actor_name")).outerjoin(u, u.c.id == e.c.actor_user_id)
                 .order_by(e.c.at.desc(), e.c.id.desc()).limit(limit))
        if process_key is not None:
            query = query.where(e.c.process_key == process_key)
        return self._rows(query)


# The columns `instances.store` writes.
_STATE_COLUMNS = ("state", "serializer_version", "state_version", "updated_at", "next_timer_at", "status")


# Built once: an idle sweep runs every minute and costs little more than this read.
_ANY_DUE = (select(orm.process_instances.c.id)
            .where(orm.process_instances.c.next_timer_at <= bindparam("now"),
                   orm.process_instances.c.status == "running")
            .limit(1))


# The sweep's batch, oldest timer first, with the office days' version (its calendar's);
# its rows made into instances (`Rows.loaded`).
_WRITE_DUE = (select(orm.process_instances, orm.OFFICE_DAYS_VERSION.label("office_days"))
              .where(orm.process_instances.c.next_timer_at <= bindparam("now"),
                     orm.process_instances.c.status == "running")
              .order_by(orm.process_instances.c.next_timer_at)
              .limit(bindparam("limit", type_=Integer))
              # Several scheduler workers: each takes rows the others have not locked.
              .with_for_update(skip_locked=True, of=orm.process_instances))
# Where an instance's columns and the version are in a row of `_WRITE_DUE` (read on the cursor).
_WRITE_DUE_AT = tuple(enumerate(c.name for c in orm.process_instances.c))
_WRITE_DUE_VERSION_AT = len(_WRITE_DUE_AT)


_WRITE_WITH_PLANS, _WITH_PLANS_PARTS = _write_with_plans_query()
# Where each table's columns are in a row of `_WRITE_WITH_PLANS` (read on the cursor), and the ids.
_WITH_PLANS_AT = {name: n for n, name in enumerate(_WRITE_WITH_PLANS.selected_columns.keys())}
_WITH_PLANS_PARTS_AT = {prefix: tuple((_WITH_PLANS_AT[label], name) for label, name in labels.items())
                        for prefix, labels in _WITH_PLANS_PARTS.items()}
_WITH_PLANS_IDS_AT = (_WITH_PLANS_AT["t_id"], _WITH_PLANS_AT["p_id"], _WITH_PLANS_AT["tu_id"])


class InstanceRepository(SqlRepository, ports.InstanceRepository):
    model_class = model.ProcessInstance

    def add_many(self, instances: list[model.ProcessInstance]) -> None:
        insert_new(self.session, self.rows, orm.process_instances, instances, ("plan_task_id",))

    def lock(self, instance_id: int) -> model.ProcessInstance | None:
        """The instance, locked until commit, with its work items read again.

        A second writer waits here until the first commits, then sees its state: it
        applies its change to the fresh workflow, or finds its step gone (409).
        """
        begin_write(self.session)
        fresh = {"populate_existing": True}
        query = select(model.ProcessInstance).where(orm.process_instances.c.id == instance_id)
        instance = self.session.scalars(query.with_for_update().execution_options(**fresh)).first()
        if instance is not None:
            items = select(model.WorkItem).where(orm.work_items.c.instance_id == instance_id)
            self.session.scalars(items.execution_options(**fresh)).all()
        return instance

    def write_states(self, instances: list[model.ProcessInstance]) -> None:
        # Core: the ORM sends one UPDATE per versioned row.
        if not instances:
            return
        rows = [{"_id": x.id, "_read": x.version, **{name: getattr(x, name) for name in _STATE_COLUMNS}}
                for x in instances]
        if all(self.rows.read_values(x) is not None for x in instances):
            # Held (a step's, a sweep's): sent with the next write, checked there against
            # the version read; from now on held as written.
            self.rows.pending.append((orm.process_instances, _STATE_COLUMNS, rows))
        else:
            written = self._core(update_by_id(orm.process_instances, _STATE_COLUMNS, True), rows).rowcount
            if written != len(rows):
                # Another writer saved one since it was read: ours must not overwrite it.
                raise AlreadyDone(N_("This step was already completed or has moved on."))
        for instance, row in zip(instances, rows):
            # What the row holds now (or will once sent): nothing left to write of these columns.
            instance.version = row["_read"] + 1
            held = self.rows.read_values(instance)
            if held is not None:
                self.rows.written(instance, {**held, "version": instance.version,
                                             **{name: row[name] for name in _STATE_COLUMNS}})
            else:  # one the ORM loaded (`lock`): it writes the rest, if anything else changed
                for name in (*_STATE_COLUMNS, "version"):
                    set_committed_value(instance, name, getattr(instance, name))

    def lock_step(self, work_item_id: int, user_id: int) -> ports.LockedStep | None:
        """Two statements where `lock` and the look-ups after it took seven: the lock,
        then one query of everything read after it (so read fresh on PostgreSQL too,
        where a row joined to a locked row keeps the version seen before the wait).
        That query is Core: its rows become the domain objects here, held by the unit
        of work (`Rows`), at a fraction of the ORM's cost."""
        begin_write(self.session)
        # PostgreSQL: BEGIN, the lock and the read are three round trips. Sent as one
        # (psycopg's pipeline mode: sound at READ COMMITTED, where the read's snapshot
        # is taken after the lock) they were slower: +0.05 ms a step of client CPU and
        # of wall time, more than two round trips cost here (~0.03 ms each, measured).
        if not on_sqlite(self.session):  # SQLite: BEGIN IMMEDIATE was the lock
            cursor_reads.rows(self.session, LOCK_STEP_INSTANCE, {"item": work_item_id})
        _, read = cursor_reads.rows(self.session, STEP_READ, {"item": work_item_id, "user": user_id})
        parts, at = STEP_PARTS_AT, STEP_AT
        person_at = at["pu_id"]
        rows = [row for row in read if row[person_at] is None]
        if not rows:
            return None
        first = rows[0]
        self.session.info.setdefault(_SEEN_VERSION, first[at["office_days"]])  # the step's calendar, read with it
        items: dict[int, model.WorkItem] = {}
        units: dict[int, model.TaskUnit] = {}
        item_at, unit_at = at["w_id"], at["tu_id"]
        for row in rows:
            if row[item_at] not in items:
                items[row[item_at]] = self.rows.loaded(model.WorkItem, part_at(row, parts["w"]))
            if row[unit_at] is not None and row[unit_at] not in units:
                units[row[unit_at]] = self.rows.loaded(model.TaskUnit, part_at(row, parts["tu"]))
        item = items.get(work_item_id)
        if item is None:
            return None
        task = self.rows.loaded(model.PlanTask, part_at(first, parts["t"]),
                                units=sorted(units.values(), key=lambda x: x.position))
        user = self.rows.loaded(model.User, part_at(first, parts["u"])) if first[at["u_id"]] is not None else None
        incident = ({"id": first[at["incident_id"]], "work_item_id": first[at["incident_work_item_id"]]}
                    if first[at["incident_id"]] is not None else None)
        read_people = [self.rows.loaded(model.User, part_at(row, parts["pu"]))
                       for row in read if row[person_at] is not None]
        unit_id = item.candidate_unit_id if item.form == "assign" else None
        people = None if unit_id is None else [u for u in read_people if u.unit_id == unit_id and u.active]
        return ports.LockedStep(item=item, instance=self.rows.loaded(model.ProcessInstance,
                                                                     part_at(first, parts["i"])),
                                task=task, plan=self.rows.loaded(model.Plan, part_at(first, parts["p"])),
                                user=user, items=list(items.values()), incident=incident, people=people,
                                told=[u for u in read_people if people is None or u not in people])

    def for_task(self, plan_task_id: int) -> model.ProcessInstance | None:
        query = select(model.ProcessInstance).filter_by(plan_task_id=plan_task_id)
        return self.session.scalars(query.order_by(orm.process_instances.c.id.desc())).first()

    def running_ids_for_version(self, version_id: int) -> list[int]:
        c = orm.process_instances.c
        query = select(c.id).where(c.process_version_id == version_id, c.status == "running").order_by(c.id)
        return list(self.session.scalars(query))

    def running_ids(self) -> list[int]:
        c = orm.process_instances.c
        return list(self.session.scalars(select(c.id).where(c.status == "running").order_by(c.id)))

    def armed_between(self, start: datetime, end: datetime) -> list[int]:
        """Running instances whose next timer falls in [start, end] (the indexed column)."""
        c = orm.process_instances.c
        query = select(c.id).where(c.status == "running", c.next_timer_at.between(start, end)).order_by(c.id)
        return list(self.session.scalars(query))

    def due_for_timers(self, now: datetime, limit: int) -> list[model.ProcessInstance]:
        # Most sweeps find nothing due: one indexed read, without a lock, says so before
        # the sweep takes SQLite's write lock or locks rows. What it saw is read again below.
        # (Both on the cursor, as the batch's other reads: no Core execution or row objects.)
        if not cursor_reads.rows(self.session, _ANY_DUE, {"now": now})[1]:
            return []
        begin_write(self.session)  # SQLite: one writer at a time, people and sweep alike
        _, rows = cursor_reads.rows(self.session, _WRITE_DUE, {"now": now, "limit": limit})
        if rows:  # the batch's calendar, read with it
            self.session.info.setdefault(_SEEN_VERSION, rows[0][_WRITE_DUE_VERSION_AT])
        return [self.rows.loaded(model.ProcessInstance, part_at(row, _WRITE_DUE_AT)) for row in rows]


# The columns of a work item an inbox row shows, and those a page is merged by.
_ITEM_COLUMNS = ("id", "step_id", "step_name", "form", "due_on", "assignee_user_id", "created_at", "claimed_by",
                 "plan_task_id")


def _inbox_columns(items: Any = None) -> list[Any]:
    """An inbox row's columns, `INBOX_ROW`: the work item's (of `items`, the table or a
    subquery of its `_ITEM_COLUMNS`), its task's and its plan's, and who took it. The due
    date is named with AS: SQLite matches a compound's ORDER BY to its columns by those
    names alone (`_due_page`)."""
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


def _waiting_for(user_id: int, unit_id: int | None, role: str) -> Any:
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
# shape (`_due_page`, `_inbox_counts`, `_inbox_choices`): building these unions and
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
    """The reader's id, unit and role in the statements of `_inbox_values`. On PostgreSQL
    each is a one-value subquery, which its planner cannot see into: with the values
    visible, it planned an inbox of few steps (the monitor's, any person's with few)
    cheaper than its generic plan, so it planned every read again (0.8 ms for a page it
    ran in 0.06), though the generic plan runs the same. Unseen, every inbox is planned
    for a holder of average size, once per connection; each branch is still one range of
    its index, the subquery's value its bound."""
    if sqlite:
        return _USER, _UNIT, _ROLE
    return tuple(select(bindparam(name, type_=kind)).scalar_subquery()
                 for name, kind in (("user_id", Integer), ("unit_id", Integer), ("role", String)))


def _inbox_values(user_id: int, unit_id: int | None, role: str, where: InboxWhere) -> dict[str, Any]:
    return {"user_id": user_id, "unit_id": unit_id, "role": role, "step_id": where.step_id, "plan_id": where.plan_id,
            "today": where.today, "soon_until": where.soon_until, "due_before": where.due_before,
            "due_from": where.due_from, "reach": where.offset + where.limit, "offset": where.offset,
            "limit": where.limit}


def _shape(unit_id: int | None, where: InboxWhere) -> tuple[Any, ...]:
    """What the statements of `_due_page` and `_inbox_counts` are built from, but the values."""
    return (unit_id is not None, where.whose, bool(where.step_id), where.due_before is not None,
            where.due_from is not None, where.undated)


def _narrowing(user_id: int, where: InboxWhere, plan_ids: list[int] | None = None) -> list[Any]:
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
def _due_page(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
              sqlite: bool, plan: bool = False, named: bool = False, kept: frozenset[tuple[str, bool]] | None = None
              ) -> Any:
    """A page in due order (undated last, then by id), as inbox rows: from each holder
    branch (`_branches`), its dated and its undated steps in the order of its index, as
    many as the page reaches, then those few sorted and joined to their tasks and plans
    (on SQLite each joined as it is read, and merged). No step past the page is read.
    With `plan`, of one plan: each branch's steps of it through its
    `ix_work_items_*_plan` index, in the same order; with `named`, of one step
    name (a part of the step order, `_steps_of_page`); with `kept`, only the parts of those
    (holder, dated) pairs (`_parts_kept`). (Not for a filter by words: it joins the task.)
    Built once per shape (`_shape`), for `_inbox_values`."""
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
def _lists_received_page(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
                         undated: bool, sqlite: bool, kept: frozenset[tuple[str, bool]] | None = None) -> Any:
    """A page in the order received (newest first), as `_due_page` reads one in due order:
    from each holder branch in the order of an index ending in (created_at, id)
    (`ix_work_items_unit_received` for a unit's role; a person's own are few), as many as
    the page reaches; with `kept`, only the branches of holders in it with steps, dated
    or not. Built once per shape (`_shape`), for `_inbox_values`."""
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
        # As `_due_page` merges a page of several parts: each part joined as it is read,
        # the parts merged in the compound's ORDER BY, which names its columns alone, so
        # each row also gives its time received, last (`_page_of` leaves it out), as the
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
    return (select(*_inbox_columns(merged))
            .join(t, t.c.id == merged.c.plan_task_id).join(p, p.c.id == t.c.plan_id)
            .order_by(*order(merged)).offset(_BOUNDS[sqlite][1]).limit(_BOUNDS[sqlite][2]))


def _joined(part: Any) -> Any:
    """A part of an inbox page (a read of work items) as inbox rows: joined to each
    step's task and plan, in the part's order."""
    w, t, p = orm.work_items, orm.plan_tasks, orm.plans
    return (part.with_only_columns(*_inbox_columns())
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
def _step_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The steps of each step id in a person's inbox narrowed by whose and due date, from
    `inbox_counts` (`_step_names`); built once per shape (`_shape`)."""
    c = orm.inbox_counts.c
    return (select(c.step_id, func.sum(c.n).label("n"))
            .where(*_counted(with_unit, whose, step, before, after, undated, sqlite))
            .group_by(c.step_id).having(func.sum(c.n) > _ZERO))


@functools.cache
def _inbox_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                  sqlite: bool) -> Any:
    """The inbox's counts narrowed by whose, step and due date, from `inbox_counts`; built
    once per shape (`_shape`), for `_inbox_values`.

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
        # Each holder's dated and undated steps (`_READS_HELD`): which parts a page reads (`_parts_kept`).
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
def _plan_counts(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool, undated: bool,
                 sqlite: bool) -> Any:
    """The counts of one plan's steps in a person's inbox, narrowed by whose, step and due
    date: each holder branch's range of its `ix_work_items_*_plan` index. Built once per
    shape (`_shape`), for `_inbox_values`; on PostgreSQL the plan is hidden from the
    planner as the person is (`_person`): built per read with the values bound, its
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
    # `place`: the plan's rank in the inbox's plan order (`_sorted_page`), with the database's
    # own order of numbers; `step_place`, the step name's in the step order, with its order
    # of names (collation); `n`: its steps of that step id (`_plans_of_page`, `_steps_of_page`).
    return (select(p.c.id.label("plan_id"), p.c.number.label("plan_number"), p.c.title.label("plan_title"),
                   held.c.step_id, held.c.step_name, held.c.mine, held.c.n,
                   func.dense_rank().over(order_by=(p.c.number, p.c.id)).label("place"),
                   func.dense_rank().over(order_by=held.c.step_name).label("step_place"))
            .join(held, held.c.plan_id == p.c.id))


def _inbox_filters(with_unit: bool, sqlite: bool) -> tuple[Any, Any]:
    """The plans (id, number, and title if it has no number) and the steps (step id,
    name) of a whole inbox to filter by, from `inbox_choices`, each plan once and each
    step once: two JSON arrays of arrays (`plans`, `steps`), each a scalar subquery, read
    beside the counts in their one row (`_filters_read`). A row per plan, step and whose,
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

    # As text, decoded by `_filters_read` on both databases: typed JSON, the row would go
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
def _filters(with_unit: bool, sqlite: bool) -> Any:
    """`_inbox_filters` alone (a filter by plan or words counts the rows it leaves)."""
    return _held_within(select(*_inbox_filters(with_unit, sqlite)), with_unit, sqlite)


def _held_within(statement: Any, with_unit: bool, sqlite: bool) -> Any:
    """On SQLite, where it reads `_choices_held`, `statement` as a SELECT of its columns
    from itself with that CTE written inside: a statement is a read if it starts with
    SELECT (`unit_of_work.track_reads`, `refuse_writes`), and SQLAlchemy writes a CTE first."""
    if not sqlite:
        return statement
    return select(*statement.add_cte(_choices_held(with_unit), nest_here=True).subquery().c)


_READS_COUNTS = ("total", "overdue", "soon")
_READS_HELD = {f"{holder}_{'dated' if dated else 'undated'}": (holder, dated)
               for holder in _HOLDERS for dated in (True, False)}
_READS_PLACES = ("n", "place", "step_place", "mine")
_READS_CHOICES = ("plan_id", "plan_number", "plan_title", "step_id", "step_name")
# Where each part's columns are in a row of `_reads_counts_and_choices` ("part" first).
_COUNTS_AT = slice(-len(_READS_COUNTS) - len(_READS_HELD), -len(_READS_HELD))
_HELD_AT = slice(-len(_READS_HELD), None)


def _parts_kept(held: tuple[int, ...], reach: int | None) -> frozenset[tuple[str, bool]]:
    """The (holder, dated) parts of a page with steps, from their counts (`_READS_HELD`'s
    order); with `reach`, a page in due order as far as that: undated steps come after
    all the dated ones, so none is read when the dated ones alone reach that far."""
    kept = {part for part, n in zip(_READS_HELD.values(), held) if n}
    if reach is not None and sum(n for (_, dated), n in zip(_READS_HELD.values(), held) if dated) >= reach:
        kept = {(holder, dated) for holder, dated in kept if dated}
    return frozenset(kept)


@functools.cache
def _reads_counts_and_choices(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
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
               *(counts.c[name] for name in (*_READS_COUNTS, *_READS_HELD))),
        select(literal_column("'choices'").label("part"),
               *(choices.c[name] for name in _READS_CHOICES + _READS_PLACES),
               *(cast(null(), Integer).label(name) for name in (*_READS_COUNTS, *_READS_HELD))),
    ), with_unit, sqlite)


@functools.cache
def _reads_counts_and_filters(with_unit: bool, whose: str | None, step: bool, before: bool, after: bool,
                              undated: bool, sqlite: bool) -> Any:
    """`_inbox_counts` and `_inbox_filters` as one statement of one row: the counts
    (`_READS_COUNTS`, `_READS_HELD`), then the plans and steps; built once per shape."""
    counts = _inbox_counts(with_unit, whose, step, before, after, undated, sqlite).subquery()
    return _held_within(select(*(counts.c[name] for name in (*_READS_COUNTS, *_READS_HELD)),
                               *_inbox_filters(with_unit, sqlite)), with_unit, sqlite)


def _filters_read(plans: str | None, steps: str | None) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The plans (id, number, title or None) and steps (step id, name) of
    `_inbox_filters`' two arrays, as tuples (PostgreSQL's `json_agg` of no row is NULL,
    SQLite's an empty array)."""
    return list(map(tuple, json.loads(plans) if plans else ())), list(map(tuple, json.loads(steps) if steps else ()))


def _plans_of_page(held: list[dict[str, Any]], offset: int, limit: int) -> tuple[list[int], int]:
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


def _steps_of_page(held: list[dict[str, Any]], offset: int, limit: int) -> list[tuple[str, int, int]]:
    """The step names a page in step order spans, each with how many of its steps come
    before the page and how many the page takes; from the inbox's choices, as
    `_plans_of_page` (each name's place in the database's order of names)."""
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


def _step_names(held: list[dict[str, Any]], counted: list[tuple[str, int]]) -> list[dict[str, Any]] | None:
    """The choices' rows of `_steps_of_page` for an inbox narrowed by due date: each step
    name's steps (`counted`: per step id, from `_step_counts`) with its place from the
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


def _sum_when(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# The ready items of a sweep batch's instances (Core, made into items by `Rows.loaded`).
_WRITE_READY_OF = (select(*orm.written(orm.work_items))
                   .where(orm.work_items.c.instance_id.in_(bindparam("ids", expanding=True)),
                          orm.ready(orm.work_items))
                   .order_by(orm.work_items.c.id))


class WorkItemRepository(SqlRepository, ports.WorkItemRepository):
    model_class = model.WorkItem

    def add_many(self, items: list[model.WorkItem], later: bool = False) -> None:
        insert_new(self.session, self.rows, orm.work_items, items, ("instance_id", "task_uuid"), later)

    def ready_for_instance(self, instance_id: int) -> list[model.WorkItem]:
        query = (select(model.WorkItem).where(orm.work_items.c.instance_id == instance_id, orm.ready(orm.work_items))
                 .order_by(orm.work_items.c.id))  # no index gives an order since 0033: say it
        return list(self.session.scalars(query))

    def ready_for_instances(self, instance_ids: Iterable[int]) -> dict[int, list[model.WorkItem]]:
        ids = sorted(set(instance_ids))
        found: dict[int, list[model.WorkItem]] = {i: [] for i in ids}
        for values in cursor_reads.dicts(self.session, _WRITE_READY_OF, {"ids": ids}) if ids else ():
            found[values["instance_id"]].append(self.rows.loaded(model.WorkItem, values))
        return found

    def for_step(self, instance_id: int, task_uuid: str) -> model.WorkItem | None:
        return self.session.scalars(select(model.WorkItem).filter_by(instance_id=instance_id, task_uuid=task_uuid)).first()

    def inbox_page(self, user_id: int, unit_id: int | None, role: str, where: InboxWhere) -> dict[str, Any]:
        """One page of a person's inbox narrowed by `where`, with the narrowed set's counts
        (`total`, `overdue`, `soon`) and the plans and steps to filter by (of the whole inbox).

        Its cost follows the page, not the inbox: the counts and choices are sums over the
        count tables (a row per date, per plan and step), and in due order the page is
        read from each holder branch's index in that order, `_due_page` (the order
        received likewise, `_lists_received_page`); by a plan, from each branch's index of
        its steps of one plan (`ix_work_items_*_plan`); in plan or step order, from the
        plans or step names the page spans. A filter by plan or words counts the rows it
        leaves (a plan's: those ranges), and another order or filter sorts them."""
        sqlite = on_sqlite(self.session)
        values, shape = _inbox_values(user_id, unit_id, role, where), _shape(unit_id, where)
        # A filter by plan or words: the rows it leaves are counted (words join the task).
        by_task = bool(where.words) or where.plan_id is not None
        in_due_order = where.sort == "due" and not where.words
        # In plan order, narrowed by nothing but a step or whose, the page is read from the
        # few plans it spans, known from the count tables' steps per plan, step and whose
        # (`_plans_of_page`); in step order likewise, from the few step names it spans
        # (`_steps_of_page`), each read in due order, and narrowed by due date too.
        due_filtered = where.due_before is not None or where.due_from is not None
        by_plans = where.sort == "plan" and not by_task and not due_filtered
        # (Narrowed by due date, from the step ids' counts of those dates: `_step_names`.)
        by_steps = where.sort == "step" and not by_task and not where.step_id
        if by_task or not {"due": True, "received": True, "plan": by_plans, "step": by_steps}[where.sort]:
            # By a plan alone, the counts from a statement built once (`_plan_counts`).
            by_plan = by_task and not where.words
            if not (by_plan and in_due_order):  # (else neither its counts nor its page: not built)
                counts, rows = self._sorted_page(user_id, unit_id, role, where, count=by_task and not by_plan,
                                                 page=not in_due_order)
            if by_plan:
                counts = dict(zip(_READS_COUNTS, self._row_of(_plan_counts(*shape, sqlite), values)))
        ranked = by_plans or by_steps
        if by_task:
            plans, steps = _filters_read(*self._row_of(_filters(unit_id is not None, sqlite), values))
        elif not ranked:  # the counts and the plans and steps, both from count tables, in one round trip
            total, overdue, soon, *parts, plans, steps = self._row_of(_reads_counts_and_filters(*shape, sqlite),
                                                                      values)
            counts = {"total": total, "overdue": overdue, "soon": soon}
            # The page reads only the holder branches with steps under the filters.
            holders = tuple(n or 0 for n in parts)
            kept = _parts_kept(holders, where.offset + where.limit if in_due_order else None)
            plans, steps = _filters_read(plans, steps)
        else:  # a page read from the plans or step names it spans: a row per plan, step and whose
            keys, found = cursor_reads.rows(self.session, _reads_counts_and_choices(*shape, sqlite), values)
            held = []
            for row in found:
                if row[0] == "counts":
                    counts = dict(zip(_READS_COUNTS, row[_COUNTS_AT]))
                    holders = tuple(n or 0 for n in row[_HELD_AT])
                else:
                    held.append(dict(zip(keys, row)))
            plans = [(row["plan_id"], row["plan_number"], row["plan_title"]) for row in held]
            steps = [(row["step_id"], row["step_name"]) for row in held]
            held = [row for row in held if where.step_id in (None, row["step_id"])
                    and where.whose in (None, ("unit", "mine")[row["mine"]])]
            if by_steps and due_filtered:
                held = _step_names(held, cursor_reads.rows(self.session, _step_counts(*shape, sqlite), values)[1])
                if held is None:  # the step ids do not say the names: sorted from the rows
                    rows = self._sorted_page(user_id, unit_id, role, where, count=False)[1]
            if by_steps and held is not None:
                rows = [row for name, skip, take in _steps_of_page(held, where.offset, where.limit)
                        for row in self._page_of(_due_page(*shape, sqlite, named=True, kept=_parts_kept(holders, None)),
                                                 {**values, "step_name": name, "reach": skip + take, "offset": skip,
                                                  "limit": take})]
            if by_plans:
                plan_ids, skip = _plans_of_page(held, where.offset, where.limit)
                rows = self._sorted_page(user_id, unit_id, role, replace(where, offset=skip), count=False,
                                         plan_ids=plan_ids)[1] if plan_ids else []
        if (in_due_order or where.sort == "received" and not by_task) and not counts["total"]:
            rows = []  # the filters leave nothing (an empty inbox, as a monitor's often is): no page to read
        elif in_due_order:
            rows = self._page_of(_due_page(*shape, sqlite, where.plan_id is not None,
                                           kept=None if by_task else kept), values)
        elif where.sort == "received" and not by_task:
            rows = self._page_of(_lists_received_page(*shape, sqlite, kept), values)
        return {"rows": rows, "counts": {k: int(v or 0) for k, v in counts.items()}, "plans": plans, "steps": steps}

    def _sorted_page(self, user_id: int, unit_id: int | None, role: str, where: InboxWhere,
                     count: bool, plan_ids: list[int] | None = None,
                     page: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The page in an order no index gives (or of a filter that joins the task), sorted
        from all the rows the filters leave (of `plan_ids` only, if given); and, if
        `count`, their counts."""
        w, t, p = orm.work_items, orm.plan_tasks, orm.plans
        conditions = [_waiting_for(user_id, unit_id, role), *_narrowing(user_id, where, plan_ids)]
        base = select().select_from(w.join(t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id))
        counts: dict[str, Any] = {}
        if count:  # the task joined only for its words
            counted = base if where.words else select().select_from(w)
            counts = dict(self.session.execute(counted.add_columns(
                func.count().label("total"),
                _sum_when(w.c.due_on < where.today).label("overdue"),
                _sum_when(and_(w.c.due_on >= where.today, w.c.due_on <= where.soon_until)).label("soon"),
            ).where(*conditions)).one()._mapping)
        if not page:
            return counts, []
        order = {
            "received": [w.c.created_at.desc(), w.c.id.desc()],
            "plan": [p.c.number, t.c.plan_id, t.c.position, w.c.id],
            "step": [w.c.step_name, w.c.due_on.asc().nulls_last(), w.c.id],
        }.get(where.sort, [w.c.due_on.asc().nulls_last(), w.c.id])
        if where.sort == "plan":  # sorted by the task's columns: the page's rows read at once
            return counts, self._page_rows(base.add_columns(*_inbox_columns()).where(*conditions)
                                           .order_by(*order).offset(where.offset).limit(where.limit))
        if where.words:
            ids = base.add_columns(w.c.id).where(*conditions)
        else:  # the task is joined for the page's rows only
            ids = select(w.c.id).where(*conditions)
        ids = ids.order_by(*order).offset(where.offset).limit(where.limit).subquery()
        rows = self._page_rows(base.add_columns(*_inbox_columns())
                               .where(w.c.id.in_(select(ids.c.id))).order_by(*order))
        return counts, rows

    def _row_of(self, statement: Any, values: dict[str, Any]) -> tuple[Any, ...]:
        """The one row of a statement built once and kept (`cursor_reads`)."""
        return cursor_reads.rows(self.session, statement, values)[1][0]

    def _page_of(self, statement: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """An inbox page's rows of a statement built once and kept (`cursor_reads`): tuples
        of `INBOX_ROW`'s columns, as every page's statement selects them (`_inbox_columns`),
        but for the time received that SQLite's merge of a page in that order reads after
        them (`_lists_received_page`), left out."""
        found = cursor_reads.rows(self.session, statement, values)[1]
        if found and len(found[0]) > len(INBOX_ROW):
            return [row[:len(INBOX_ROW)] for row in found]
        return found

    def _page_rows(self, statement: Any) -> list[tuple[Any, ...]]:
        """`_page_of` of a statement built for this read (through the session)."""
        return [tuple(row) for row in self.session.execute(statement)]

    def open_for_tasks(self, task_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        ids = list(task_ids)
        if not ids:
            return []
        return cursor_reads.rows(self.session, ready_steps(False, True), {"task_ids": ids})[1]


    def people_on_tasks(self, task_ids: Iterable[int]) -> dict[int, set[int]]:
        """Per task, the users who hold or held one of its steps by name or completed one."""
        ids = list(task_ids)
        if not ids:
            return {}
        w = orm.work_items
        people: dict[int, set[int]] = {}
        for column in (w.c.assignee_user_id, w.c.completed_by):
            query = select(w.c.plan_task_id, column).where(w.c.plan_task_id.in_(ids), column.is_not(None)).distinct()
            for task_id, user_id in self.session.execute(query):
                people.setdefault(task_id, set()).add(user_id)
        return people


class AuditRepository(SqlRepository, ports.AuditRepository):
    model_class = model.AuditEvent

    def add_many(self, events: list[model.AuditEvent]) -> None:
        # Core (the ORM would insert them one by one on SQLite, to read each id back),
        # with the unit of work's next write: on PostgreSQL in the same statement.
        self.rows.insert_later(orm.audit_events, [{c: getattr(e, c) for c in inserted(orm.audit_events)}
                                                  for e in events])

    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        a, u, n = orm.audit_events, orm.users, orm.units
        query = (
            select(a, u.c.full_name.label("actor_name"), n.c.name.label("actor_unit"))
            .outerjoin(u, u.c.id == a.c.actor_user_id)
            .outerjoin(n, n.c.id == u.c.unit_id)
            .where(a.c.plan_task_id == plan_task_id)
            .order_by(a.c.at, a.c.id)
        )
        return self._rows(query)


class AttachmentRepository(SqlRepository, ports.AttachmentRepository):
    model_class = model.Attachment

    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        a = orm.attachments
        query = (
            select(a.c.id, a.c.filename, a.c.content_type, a.c.size, a.c.uploaded_at, a.c.uploaded_by,
                   a.c.work_item_id)
            .where(a.c.plan_task_id == plan_task_id)
            .order_by(a.c.id)
        )
        return self._rows(query)


class OfficeDayRepository(SqlRepository, ports.OfficeDayRepository):
    model_class = model.DeclaredDay

    def list(self) -> list[model.DeclaredDay]:
        return list(self.session.scalars(select(model.DeclaredDay).order_by(orm.office_days.c.day)))

    def add(self, obj: model.DeclaredDay) -> None:
        self.session.info[_DAYS_WRITTEN] = True
        super().add(obj)

    def remove(self, day: model.DeclaredDay) -> None:
        self.session.info[_DAYS_WRITTEN] = True
        self.session.delete(day)

    def version(self) -> int | None:
        """The version read with the acting person, else read now; None once this session
        has changed the days (its calendar holds what is not committed)."""
        info = self.session.info
        if info.get(_DAYS_WRITTEN):
            return None
        if _SEEN_VERSION not in info:
            info[_SEEN_VERSION] = self.session.scalar(select(orm.OFFICE_DAYS_VERSION))
        return info[_SEEN_VERSION]
