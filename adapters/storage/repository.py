"""SQLAlchemy repositories: one per aggregate, plus the read queries of list pages.

Read queries join the work-item index to plan tables in one statement and return
plain dicts; none of them touches `process_instances.state`. What they build on has a
module of its own: the unit of work's held rows and batched writes (`batched_writes`),
rows made into domain objects (`row_objects`), the step's one read (`step_read`), and the
inbox's statements (in `reads/`): whose steps it holds (`inbox_holders`), its pages (`inbox_pages`), its
counts and filter choices (`inbox_totals`).
"""
from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Integer, and_, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from adapters.storage import cursor_reads, orm
from adapters.storage.batched_writes import Rows, inserted, insert_new, update_by_id
from adapters.storage.dialects import begin_write, on_sqlite
from adapters.storage.reads.inbox_holders import waiting_for
from adapters.storage.reads.inbox_pages import (
    due_page,
    inbox_columns,
    lists_received_page,
    narrowing,
    plans_of_page,
    steps_of_page,
)
from adapters.storage.reads.inbox_totals import (
    COUNTS_AT,
    HELD_AT,
    READS_COUNTS,
    filters,
    filters_read,
    parts_kept,
    plan_counts,
    reads_counts_and_choices,
    reads_counts_and_filters,
    step_counts,
    step_names,
    sum_when,
)
from adapters.storage.row_dicts import dicts
from adapters.storage.reads.page_details import ready_steps
from adapters.storage.row_objects import part_at, write_labelled
from adapters.storage.step_read import LOCK_STEP_INSTANCE, STEP_AT, STEP_PARTS_AT, STEP_READ
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
                  .order_by(orm.users.c.full_name, orm.users.c.id) for with_role in (False, True)}  # namesakes too
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
        # In a defined order: who is told, and in which order their names are shown, must
        # not depend on where the database keeps the rows.
        return list(self.session.scalars(select(model.User).filter_by(role=role, active=True).order_by(model.User.id)))

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


def _inbox_values(user_id: int, unit_id: int | None, role: str, where: InboxWhere) -> dict[str, Any]:
    return {"user_id": user_id, "unit_id": unit_id, "role": role, "step_id": where.step_id, "plan_id": where.plan_id,
            "today": where.today, "soon_until": where.soon_until, "due_before": where.due_before,
            "due_from": where.due_from, "reach": where.offset + where.limit, "offset": where.offset,
            "limit": where.limit}


def _shape(unit_id: int | None, where: InboxWhere) -> tuple[Any, ...]:
    """What the inbox's statements (`inbox_pages`, `inbox_totals`) are built from, but the values."""
    return (unit_id is not None, where.whose, bool(where.step_id), where.due_before is not None,
            where.due_from is not None, where.undated)


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
        read from each holder branch's index in that order, `due_page` (the order
        received likewise, `lists_received_page`); by a plan, from each branch's index of
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
        # (`plans_of_page`); in step order likewise, from the few step names it spans
        # (`steps_of_page`), each read in due order, and narrowed by due date too.
        due_filtered = where.due_before is not None or where.due_from is not None
        by_plans = where.sort == "plan" and not by_task and not due_filtered
        # (Narrowed by due date, from the step ids' counts of those dates: `step_names`.)
        by_steps = where.sort == "step" and not by_task and not where.step_id
        if by_task or not {"due": True, "received": True, "plan": by_plans, "step": by_steps}[where.sort]:
            # By a plan alone, the counts from a statement built once (`plan_counts`).
            by_plan = by_task and not where.words
            if not (by_plan and in_due_order):  # (else neither its counts nor its page: not built)
                counts, rows = self._sorted_page(user_id, unit_id, role, where, count=by_task and not by_plan,
                                                 page=not in_due_order)
            if by_plan:
                counts = dict(zip(READS_COUNTS, self._row_of(plan_counts(*shape, sqlite), values)))
        ranked = by_plans or by_steps
        if by_task:
            plans, steps = filters_read(*self._row_of(filters(unit_id is not None, sqlite), values))
        elif not ranked:  # the counts and the plans and steps, both from count tables, in one round trip
            total, overdue, soon, *parts, plans, steps = self._row_of(reads_counts_and_filters(*shape, sqlite),
                                                                      values)
            counts = {"total": total, "overdue": overdue, "soon": soon}
            # The page reads only the holder branches with steps under the filters.
            holders = tuple(n or 0 for n in parts)
            kept = parts_kept(holders, where.offset + where.limit if in_due_order else None)
            plans, steps = filters_read(plans, steps)
        else:  # a page read from the plans or step names it spans: a row per plan, step and whose
            keys, found = cursor_reads.rows(self.session, reads_counts_and_choices(*shape, sqlite), values)
            held = []
            for row in found:
                if row[0] == "counts":
                    counts = dict(zip(READS_COUNTS, row[COUNTS_AT]))
                    holders = tuple(n or 0 for n in row[HELD_AT])
                else:
                    held.append(dict(zip(keys, row)))
            plans = [(row["plan_id"], row["plan_number"], row["plan_title"]) for row in held]
            steps = [(row["step_id"], row["step_name"]) for row in held]
            held = [row for row in held if where.step_id in (None, row["step_id"])
                    and where.whose in (None, ("unit", "mine")[row["mine"]])]
            if by_steps and due_filtered:
                held = step_names(held, cursor_reads.rows(self.session, step_counts(*shape, sqlite), values)[1])
                if held is None:  # the step ids do not say the names: sorted from the rows
                    rows = self._sorted_page(user_id, unit_id, role, where, count=False)[1]
            if by_steps and held is not None:
                rows = [row for name, skip, take in steps_of_page(held, where.offset, where.limit)
                        for row in self._page_of(due_page(*shape, sqlite, named=True, kept=parts_kept(holders, None)),
                                                 {**values, "step_name": name, "reach": skip + take, "offset": skip,
                                                  "limit": take})]
            if by_plans:
                plan_ids, skip = plans_of_page(held, where.offset, where.limit)
                rows = self._sorted_page(user_id, unit_id, role, replace(where, offset=skip), count=False,
                                         plan_ids=plan_ids)[1] if plan_ids else []
        if (in_due_order or where.sort == "received" and not by_task) and not counts["total"]:
            rows = []  # the filters leave nothing (an empty inbox, as a monitor's often is): no page to read
        elif in_due_order:
            rows = self._page_of(due_page(*shape, sqlite, where.plan_id is not None,
                                           kept=None if by_task else kept), values)
        elif where.sort == "received" and not by_task:
            rows = self._page_of(lists_received_page(*shape, sqlite, kept), values)
        return {"rows": rows, "counts": {k: int(v or 0) for k, v in counts.items()}, "plans": plans, "steps": steps}

    def _sorted_page(self, user_id: int, unit_id: int | None, role: str, where: InboxWhere,
                     count: bool, plan_ids: list[int] | None = None,
                     page: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The page in an order no index gives (or of a filter that joins the task), sorted
        from all the rows the filters leave (of `plan_ids` only, if given); and, if
        `count`, their counts."""
        w, t, p = orm.work_items, orm.plan_tasks, orm.plans
        conditions = [waiting_for(user_id, unit_id, role), *narrowing(user_id, where, plan_ids)]
        base = select().select_from(w.join(t, t.c.id == w.c.plan_task_id).join(p, p.c.id == t.c.plan_id))
        counts: dict[str, Any] = {}
        if count:  # the task joined only for its words
            counted = base if where.words else select().select_from(w)
            counts = dict(self.session.execute(counted.add_columns(
                func.count().label("total"),
                sum_when(w.c.due_on < where.today).label("overdue"),
                sum_when(and_(w.c.due_on >= where.today, w.c.due_on <= where.soon_until)).label("soon"),
            ).where(*conditions)).one()._mapping)
        if not page:
            return counts, []
        order = {
            "received": [w.c.created_at.desc(), w.c.id.desc()],
            "plan": [p.c.number, t.c.plan_id, t.c.position, w.c.id],
            "step": [w.c.step_name, w.c.due_on.asc().nulls_last(), w.c.id],
        }.get(where.sort, [w.c.due_on.asc().nulls_last(), w.c.id])
        if where.sort == "plan":  # sorted by the task's columns: the page's rows read at once
            return counts, self._page_rows(base.add_columns(*inbox_columns()).where(*conditions)
                                           .order_by(*order).offset(where.offset).limit(where.limit))
        if where.words:
            ids = base.add_columns(w.c.id).where(*conditions)
        else:  # the task is joined for the page's rows only
            ids = select(w.c.id).where(*conditions)
        ids = ids.order_by(*order).offset(where.offset).limit(where.limit).subquery()
        rows = self._page_rows(base.add_columns(*inbox_columns())
                               .where(w.c.id.in_(select(ids.c.id))).order_by(*order))
        return counts, rows

    def _row_of(self, statement: Any, values: dict[str, Any]) -> tuple[Any, ...]:
        """The one row of a statement built once and kept (`cursor_reads`)."""
        return cursor_reads.rows(self.session, statement, values)[1][0]

    def _page_of(self, statement: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """An inbox page's rows of a statement built once and kept (`cursor_reads`): tuples
        of `INBOX_ROW`'s columns, as every page's statement selects them (`inbox_columns`),
        but for the time received that SQLite's merge of a page in that order reads after
        them (`lists_received_page`), left out."""
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
