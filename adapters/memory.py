"""In-memory storage: the unit of work and repositories of `engine/unit_of_work.py`,
held in dicts, so that service rules are unit-tested without a database.

Fakes in the sense of *Architecture Patterns with Python*: each subclasses the real
port, so a port method one lacks fails when the repository is made. They keep the
semantics services rely on: a unit of work works on its own copy of the committed
state and puts it back only on commit (a refused request changes nothing, and what a
service returned stays as it was read); ids are given on `add` from one counter that,
like a database sequence, no rollback winds back.
`tests/integration/test_memory_storage_agrees.py` holds them to the answers SQLite and
PostgreSQL give. This module imports no SQLAlchemy, which is why it sits in
`adapters/` rather than in `adapters/storage/` (whose package builds the SQL engine on
import).

Not faked: `ProgressQueries` (the dashboard, search and report read models are SQL
aggregates, tested against the real databases); `uow.progress` is absent here.
"""
from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable

from engine import model
from engine import unit_of_work as ports
from engine.deadlines.recipients import HEAD, LEADER
from engine.deadlines.working_days import CalendarCache
from engine.tasks.inbox import INBOX_ROW
from engine.workflow import SpecCache

if TYPE_CHECKING:
    from engine.tasks.inbox import InboxWhere

TABLES = ("units", "users", "plans", "tasks", "process_versions", "process_events", "instances", "work_items",
          "audit", "attachments", "office_days", "notices", "arrivals", "extensions", "import_drafts", "logins",
          "incidents", "jobs")

# Rows kept as dicts (the SQL repositories return them so), with their columns' defaults.
NOTICE_COLUMNS = dict.fromkeys((
    "key", "plan_task_id", "instance_id", "step_task_id", "step_id", "step_name", "rung", "due", "days_late",
    "recipient_user_id", "created_at", "read_at", "email_to", "last_error", "next_attempt_at", "sent_at",
    "mail_claimed_by", "mail_lease_until")) | {"subject": "", "body": "", "email_state": "none", "attempts": 0}
INCIDENT_COLUMNS = dict.fromkeys((
    "instance_id", "plan_task_id", "source", "element", "error", "created_at", "updated_at", "work_item_id",
    "user_id", "data", "resolved_at", "resolved_by")) | {"state": "open", "attempts": 1}
ARRIVAL_COLUMNS = dict.fromkeys((
    "key", "kind", "plan_task_id", "work_item_id", "extension_request_id", "step_name", "due", "recipient_user_id",
    "created_at", "read_at", "email_to", "last_error", "next_attempt_at", "sent_at", "mail_claimed_by",
    "mail_lease_until")) | {"subject": "", "body": "", "email_state": "none", "attempts": 0}
EXTENSION_COLUMNS = dict.fromkeys((
    "plan_task_id", "instance_id", "work_item_id", "step_task_id", "step_id", "step_name", "requested_by",
    "requested_at", "old_due", "new_due", "reason", "approver_user_id", "approver_unit_id", "approver_role",
    "decided_by", "decided_at")) | {"state": "pending", "comment": ""}


class MemoryDatabase:
    """The committed state of a fake database, shared by the units of work it gives."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, Any]] = {name: {} for name in TABLES}
        self.specs = SpecCache()  # parsed specs are not data: shared, as `Storage` shares them
        self.calendars = CalendarCache()  # unused (no version): the calendar follows the days as they are
        self._last_id = 0

    def next_id(self) -> int:
        # One counter for every table: an id passed to the wrong repository finds nothing.
        self._last_id += 1
        return self._last_id

    def clone(self) -> MemoryDatabase:
        """Another database with the same committed rows: a test's own copy of an
        office prepared once (loading the directory hashes passwords, which is slow)."""
        other = MemoryDatabase()
        other.tables, other._last_id = _copy(self.tables), self._last_id
        return other

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


def _copy(value: Any) -> Any:
    """A deep copy that rebuilds domain objects through their constructor: once the ORM
    has mapped them (integration tests in the same process), `copy.deepcopy` would
    share their SQLAlchemy state with the original."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _copy(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _last(value: Any) -> tuple[bool, Any]:
    """Sort key putting None after every value (SQL's NULLS LAST)."""
    return (value is None, value)


class MemoryUnitOfWork(ports.AbstractUnitOfWork):
    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database
        self.specs = database.specs
        self.calendars = database.calendars
        self.committed = False
        self.tables: dict[str, dict[int, Any]] = {}

    def __enter__(self) -> MemoryUnitOfWork:
        self.tables = _copy(self.database.tables)
        self.users = UserRepository(self, "users")
        self.units = UnitRepository(self, "units")
        self.plans = PlanRepository(self, "plans")
        self.tasks = TaskRepository(self, "tasks")
        self.process_versions = ProcessVersionRepository(self, "process_versions")
        self.instances = InstanceRepository(self, "instances")
        self.work_items = WorkItemRepository(self, "work_items")
        self.audit = AuditRepository(self, "audit")
        self.attachments = AttachmentRepository(self, "attachments")
        self.office_days = OfficeDayRepository(self, "office_days")
        self.notices = NoticeRepository(self, "notices")
        self.arrivals = ArrivalRepository(self, "arrivals")
        self.extensions = ExtensionRepository(self, "extensions")
        self.import_drafts = ImportDraftRepository(self, "import_drafts")
        self.logins = LoginAttemptRepository(self, "logins")
        self.incidents = IncidentRepository(self, "incidents")
        self.jobs = JobRepository(self, "jobs")
        return self

    def reading(self) -> MemoryUnitOfWork:
        self.read_only = True  # until the `with` ends (`__exit__`)
        return self

    def commit(self) -> None:
        _refused_if_reading(self)
        self.database.tables = _copy(self.tables)  # the work goes on, on our own copy
        self.committed = True

    def rollback(self) -> None:
        self.tables = _copy(self.database.tables)

    def flush(self) -> None:
        """Nothing to do: rows get their ids on `add`."""
        _refused_if_reading(self)


def _refused_if_reading(uow: MemoryUnitOfWork) -> None:
    if uow.read_only:
        raise ports.ReadOnlyWork("a unit of work entered for reading was asked to write")


class _Table:
    def __init__(self, uow: MemoryUnitOfWork, table: str) -> None:
        self._uow = uow
        self._table = table

    @property
    def rows(self) -> dict[int, Any]:
        return self._uow.tables[self._table]

    def _where(self, test: Callable[[Any], bool] = lambda row: True, **equal: Any) -> list[Any]:
        return [row for row in self.rows.values()
                if all(_get(row, k) == v for k, v in equal.items()) and test(row)]

    def _new_id(self) -> int:
        return self._uow.database.next_id()

    def _insert(self, defaults: dict[str, Any], values: dict[str, Any]) -> int:
        return self._insert_into(self._table, defaults, values)

    def _insert_into(self, table: str, defaults: dict[str, Any], values: dict[str, Any]) -> int:
        row_id = self._new_id()
        self._uow.tables[table][row_id] = {**defaults, **values, "id": row_id}
        return row_id

    def _joined(self, row: dict[str, Any], **names: str) -> dict[str, Any]:
        """`row` with columns of its task and plan (`task_ref="ref"`, `plan_number="number"` …)."""
        task = self._uow.tables["tasks"].get(row["plan_task_id"])
        plan = self._uow.tables["plans"].get(task.plan_id)
        extra = {}
        for name, column in names.items():
            source = task if name.startswith("task_") else plan
            extra[name] = getattr(source, column)
        return {**row, **extra}


class _ObjectRepository(_Table):
    def add(self, obj: Any) -> None:
        if obj.id is None:
            obj.id = self._new_id()
        self.rows[obj.id] = obj

    def add_many(self, objs: list[Any]) -> None:
        for obj in objs:
            self.add(obj)

    def get(self, obj_id: int) -> Any | None:
        return self.rows.get(obj_id)

    def _names(self, ids: Iterable[int], column: str) -> dict[int, str]:
        return {i: getattr(self.rows[i], column) for i in set(ids) if i and i in self.rows}


class UserRepository(_ObjectRepository, ports.UserRepository):
    def acting(self, user_id: int) -> model.Actor | None:
        user = self.get(user_id)
        return None if user is None else model.Actor(user.id, user.unit_id, user.role, user.active)

    def profile(self, user_id: int) -> dict[str, Any] | None:
        user = self.get(user_id)
        if user is None:
            return None
        unit = self._uow.tables["units"].get(user.unit_id)
        fields = ("id", "username", "full_name", "unit_id", "role", "email", "session_version", "active")
        return {**{name: getattr(user, name) for name in fields}, "unit_name": unit.name if unit else None}

    def by_username(self, username: str) -> model.User | None:
        return next(iter(self._where(username=username)), None)

    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]:
        people = self._where(lambda u: role is None or u.role == role, unit_id=unit_id, active=True)
        return sorted(people, key=lambda u: (u.full_name, u.id))

    def with_role(self, role: str) -> list[model.User]:
        return sorted(self._where(role=role, active=True), key=lambda u: u.id)

    def names(self, user_ids: Iterable[int]) -> dict[int, str]:
        return self._names(user_ids, "full_name")

    def directory(self, user_ids: Iterable[int], unit_ids: Iterable[int], roles: Iterable[str]) -> list[model.User]:
        ids, units, wanted_roles = set(user_ids), set(unit_ids), set(roles)
        return self._where(lambda u: u.id in ids or (u.active and (u.unit_id in units or u.role in wanted_roles)))


class UnitRepository(_ObjectRepository, ports.UnitRepository):
    def list(self) -> list[model.Unit]:
        return sorted(self.rows.values(), key=lambda u: u.name)

    def by_name(self, name: str) -> model.Unit | None:
        return next(iter(self._where(name=name)), None)

    def names(self, unit_ids: Iterable[int]) -> dict[int, str]:
        return self._names(unit_ids, "name")


class PlanRepository(_ObjectRepository, ports.PlanRepository):
    def heading(self, plan_id: int, reader_id: int | None = None) -> tuple[model.Plan, str | None] | None:
        plan = self.get(plan_id)
        if plan is None:
            return None
        unit = self._uow.tables["units"].get(plan.monitor_unit_id)
        return plan, unit.name if unit else None

    def list_with_counts(self) -> list[dict[str, Any]]:
        tasks = list(self._uow.tables["tasks"].values())
        rows = [{**dataclasses.asdict(plan), "tasks": sum(t.plan_id == plan.id for t in tasks),
                 "closed": sum(t.plan_id == plan.id and t.status == "closed" for t in tasks)}
                for plan in self.rows.values()]
        # Newest issue first, undated last, then newest id: stable sorts, the main key last.
        rows.sort(key=lambda r: r["id"], reverse=True)
        rows.sort(key=lambda r: r["issued_on"] or date.min, reverse=True)
        return rows


class TaskRepository(_ObjectRepository, ports.TaskRepository):
    def for_plan(self, plan_id: int) -> list[model.PlanTask]:
        return sorted(self._where(plan_id=plan_id), key=lambda t: t.position)

    def with_plans(self, task_ids: Iterable[int]) -> dict[int, tuple[model.PlanTask, model.Plan]]:
        plans = self._uow.tables["plans"]
        return {t.id: (t, plans[t.plan_id]) for t in (self.rows.get(i) for i in set(task_ids)) if t is not None}


class ProcessVersionRepository(_ObjectRepository, ports.ProcessVersionRepository):
    def live(self, process_key: str) -> model.ProcessVersion | None:
        return next(iter(self._where(process_key=process_key, is_live=True)), None)

    def for_key(self, process_key: str) -> list[model.ProcessVersion]:
        return sorted(self._where(process_key=process_key), key=lambda v: v.number, reverse=True)

    def instance_counts(self, process_key: str) -> dict[int, int]:
        versions = {v.id for v in self._where(process_key=process_key)}
        counts: dict[int, int] = {}
        for instance in self._uow.tables["instances"].values():
            if instance.status == "running" and instance.process_version_id in versions:
                counts[instance.process_version_id] = counts.get(instance.process_version_id, 0) + 1
        return counts

    def keys(self) -> list[str]:
        return sorted({v.process_key for v in self.rows.values()})

    def record(self, values: dict[str, Any]) -> int:
        return self._insert_into("process_events", {"actor_user_id": None, "from_version_id": None,
                                                    "to_version_id": None, "detail": {}}, values)

    def history(self, process_key: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        users = self._uow.tables["users"]
        events = [e for e in self._uow.tables["process_events"].values()
                  if process_key is None or e["process_key"] == process_key]
        events.sort(key=lambda e: (e["at"], e["id"]), reverse=True)
        return [{**e, "actor_name": users[e["actor_user_id"]].full_name if e["actor_user_id"] else None}
                for e in events[:limit]]


class InstanceRepository(_ObjectRepository, ports.InstanceRepository):
    def lock(self, instance_id: int) -> model.ProcessInstance | None:
        """One writer at a time is all a unit test has: nothing to wait for."""
        return self.get(instance_id)

    def write_states(self, instances: list[model.ProcessInstance]) -> None:
        """The instances are this unit of work's own rows: written already."""

    def lock_step(self, work_item_id: int, user_id: int) -> ports.LockedStep | None:
        tables = self._uow.tables
        item = tables["work_items"].get(work_item_id)
        if item is None:
            return None
        instance = self.get(item.instance_id)
        task = tables["tasks"][instance.plan_task_id]
        items = sorted((i for i in tables["work_items"].values()
                        if i.instance_id == instance.id and (i.state == "ready" or i.id == item.id)),
                       key=lambda i: i.id)
        incident = self._uow.incidents.open_for_instance(instance.id)
        people = (self._uow.users.in_unit(item.candidate_unit_id)
                  if item.form == "assign" and item.candidate_unit_id is not None else None)
        told = [u for u in tables["users"].values()
                if u.id == task.director_user_id or u.active and (
                    u.role == LEADER or u.role == HEAD and u.unit_id in {tu.unit_id for tu in task.units})]
        return ports.LockedStep(item=item, instance=instance, task=task, plan=tables["plans"][task.plan_id],
                                user=tables["users"].get(user_id), items=items, incident=incident, people=people,
                                told=told)

    def for_task(self, plan_task_id: int) -> model.ProcessInstance | None:
        found = self._where(plan_task_id=plan_task_id)
        return max(found, key=lambda i: i.id) if found else None

    def running_ids_for_version(self, version_id: int) -> list[int]:
        return sorted(i.id for i in self._where(process_version_id=version_id, status="running"))

    def running_ids(self) -> list[int]:
        return sorted(i.id for i in self._where(status="running"))

    def armed_between(self, start: datetime, end: datetime) -> list[int]:
        armed = self._where(lambda i: i.next_timer_at is not None and start <= i.next_timer_at <= end,
                            status="running")
        return sorted(i.id for i in armed)

    def due_for_timers(self, now: datetime, limit: int) -> list[model.ProcessInstance]:
        due = self._where(lambda i: i.next_timer_at is not None and i.next_timer_at <= now, status="running")
        return sorted(due, key=lambda i: i.next_timer_at)[:limit]


class WorkItemRepository(_ObjectRepository, ports.WorkItemRepository):
    def add_many(self, objs: list[model.WorkItem], later: bool = False) -> None:
        super().add_many(objs)  # each gets its id now, `later` or not

    def add(self, obj: model.WorkItem) -> None:
        if self._where(lambda i: i.id != obj.id, instance_id=obj.instance_id, task_uuid=obj.task_uuid):
            raise ValueError(f"a work item of instance {obj.instance_id} for {obj.task_uuid} exists")  # the unique key
        super().add(obj)

    def ready_for_instance(self, instance_id: int) -> list[model.WorkItem]:
        return sorted(self._where(instance_id=instance_id, state="ready"), key=lambda i: i.id)

    def ready_for_instances(self, instance_ids: Iterable[int]) -> dict[int, list[model.WorkItem]]:
        ids = set(instance_ids)
        found: dict[int, list[model.WorkItem]] = {i: [] for i in ids}
        for item in sorted(self._where(lambda i: i.instance_id in ids, state="ready"), key=lambda i: i.id):
            found[item.instance_id].append(item)
        return found

    def for_step(self, instance_id: int, task_uuid: str) -> model.WorkItem | None:
        return next(iter(self._where(instance_id=instance_id, task_uuid=task_uuid)), None)

    def inbox_page(self, user_id: int, unit_id: int | None, role: str, where: InboxWhere) -> dict[str, Any]:
        tasks, plans = self._uow.tables["tasks"], self._uow.tables["plans"]

        def waiting(item: model.WorkItem) -> bool:
            if user_id in (item.assignee_user_id, item.claimed_by):
                return True
            free = item.assignee_user_id is None and item.claimed_by is None
            return free and item.candidate_role == role and item.candidate_unit_id in (None, unit_id)

        def narrowed(item: model.WorkItem) -> bool:
            task, due = tasks[item.plan_task_id], item.due_on
            mine = user_id in (item.assignee_user_id, item.claimed_by)
            return (all(f" {word} " in task.search_folded for word in where.words)
                    and where.plan_id in (None, task.plan_id) and where.step_id in (None, "", item.step_id)
                    and (where.whose != "mine" or mine) and (where.whose != "unit" or not mine)
                    and (where.due_before is None or (due is not None and due < where.due_before))
                    and (where.due_from is None or (due is None and where.undated)
                         or (due is not None and due >= where.due_from)))

        inbox = self._where(waiting, state="ready")
        found = [i for i in inbox if narrowed(i)]
        dated = [i.due_on for i in found if i.due_on is not None]
        counts = {"total": len(found), "overdue": sum(d < where.today for d in dated),
                  "soon": sum(where.today <= d <= where.soon_until for d in dated)}
        order: Callable[[model.WorkItem], Any] = {
            "received": lambda i: (-i.created_at.timestamp(), -i.id),
            "plan": lambda i: (_last(plans[tasks[i.plan_task_id].plan_id].number), tasks[i.plan_task_id].plan_id,
                               tasks[i.plan_task_id].position, i.id),
            "step": lambda i: (i.step_name, _last(i.due_on), i.id),
        }.get(where.sort, lambda i: (_last(i.due_on), i.id))
        page = sorted(found, key=order)[where.offset:where.offset + where.limit]
        held = [self._inbox_row(i) for i in inbox]
        return {"rows": [_row_of({**self._inbox_row(i), "claimed_by": i.claimed_by}) for i in page], "counts": counts,
                "plans": list({(r["plan_id"], r["plan_number"], r["plan_title"]) for r in held}),
                "steps": list({(r["step_id"], r["step_name"]) for r in held})}

    def open_for_tasks(self, task_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        ids = set(task_ids)
        items = self._where(lambda i: i.plan_task_id in ids, state="ready")
        users, units = self._uow.tables["users"], self._uow.tables["units"]
        return [(i.plan_task_id, i.id, i.step_id, i.step_name, i.due_on, i.assignee_user_id, i.candidate_role,
                 users[i.assignee_user_id].full_name if i.assignee_user_id in users else None,
                 units[i.candidate_unit_id].name if i.candidate_unit_id in units else None)
                for i in sorted(items, key=lambda i: i.id)]  # (`STEP_ROW`'s columns)

    def _inbox_row(self, item: model.WorkItem) -> dict[str, Any]:
        row = {name: getattr(item, name) for name in (
            "plan_task_id", "step_id", "step_name", "form", "due_on", "assignee_user_id", "candidate_unit_id",
            "candidate_role", "created_at")}
        row["work_item_id"] = item.id
        row = self._joined(row, task_ref="ref", task_title="title", plan_id="id", plan_number="number",
                           plan_title="title")
        row["task_id"] = row.pop("plan_task_id")
        return row

    def people_on_tasks(self, task_ids: Iterable[int]) -> dict[int, set[int]]:
        ids = set(task_ids)
        people: dict[int, set[int]] = {}
        for item in self._where(lambda i: i.plan_task_id in ids):
            for user_id in (item.assignee_user_id, item.completed_by):
                if user_id is not None:
                    people.setdefault(item.plan_task_id, set()).add(user_id)
        return people


class AuditRepository(_ObjectRepository, ports.AuditRepository):
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        users, units = self._uow.tables["users"], self._uow.tables["units"]
        rows = []
        for event in sorted(self._where(plan_task_id=plan_task_id), key=lambda e: (e.at, e.id)):
            actor = users.get(event.actor_user_id)
            unit = units.get(actor.unit_id) if actor else None
            rows.append({**dataclasses.asdict(event), "actor_name": actor.full_name if actor else None,
                         "actor_unit": unit.name if unit else None})
        return rows


class AttachmentRepository(_ObjectRepository, ports.AttachmentRepository):
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        columns = ("id", "filename", "content_type", "size", "uploaded_at", "uploaded_by", "work_item_id")
        found = sorted(self._where(plan_task_id=plan_task_id), key=lambda a: a.id)
        return [{name: getattr(a, name) for name in columns} for a in found]


class OfficeDayRepository(_ObjectRepository, ports.OfficeDayRepository):
    def add(self, obj: model.DeclaredDay) -> None:
        if self._where(lambda d: d.id != obj.id, day=obj.day):
            raise ValueError(f"{obj.day} is in the calendar already")  # the unique key
        super().add(obj)

    def list(self) -> list[model.DeclaredDay]:
        return sorted(self.rows.values(), key=lambda d: d.day)

    def version(self) -> None:
        return None

    def remove(self, day: model.DeclaredDay) -> None:
        self.rows.pop(day.id, None)


class _Outbox(_Table):
    """A table of things people are told, with their mail: `notices` or `arrivals`."""

    columns: dict[str, Any]

    def add_if_absent(self, values: dict[str, Any]) -> int | None:
        if self._where(key=values["key"]):
            return None
        return self._insert(self.columns, values)

    def add_many_if_absent(self, rows: list[dict[str, Any]]) -> set[str]:
        return {row["key"] for row in rows if self.add_if_absent(row) is not None}

    def for_user(self, user_id: int, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        found = sorted(self._where(recipient_user_id=user_id), key=lambda n: (n["created_at"], n["id"]), reverse=True)
        return [self._joined(n, task_ref="ref", task_title="title", plan_id="id", plan_number="number",
                             plan_title="title", plan_issued_on="issued_on") for n in found[offset:offset + limit]]

    def count_for_user(self, user_id: int) -> int:
        return len(self._where(recipient_user_id=user_id))

    def one_for_user(self, user_id: int, row_id: int) -> dict[str, Any] | None:
        found = [n for n in self.for_user(user_id, limit=len(self.rows)) if n["id"] == row_id]
        return found[0] if found else None

    def unread_count(self, user_id: int) -> int:
        return len(self._where(recipient_user_id=user_id, read_at=None))

    def mark_read(self, user_id: int, at: datetime, row_id: int | None = None) -> None:
        for row in self._where(lambda n: row_id is None or n["id"] == row_id,
                               recipient_user_id=user_id, read_at=None):
            row["read_at"] = at

    def claim_mail(self, now: datetime, owner: str, lease_until: datetime) -> dict[str, Any] | None:
        def claimable(n: dict[str, Any]) -> bool:
            free = n["mail_lease_until"] is None or n["mail_lease_until"] <= now
            return n["next_attempt_at"] is not None and n["next_attempt_at"] <= now and free

        waiting = sorted(self._where(claimable, email_state="pending"), key=lambda n: (n["next_attempt_at"], n["id"]))
        if not waiting:
            return None
        row = waiting[0]
        row.update(mail_claimed_by=owner, mail_lease_until=lease_until)
        return {name: row[name] for name in ("id", "key", "email_to", "subject", "body", "attempts")}

    def finish_mail(self, row_id: int, owner: str, **values: Any) -> bool:
        row = self.rows.get(row_id)
        if row is None or row["mail_claimed_by"] != owner:
            return False
        row.update(mail_claimed_by=None, mail_lease_until=None, **values)
        return True

    def mail_problems(self, limit: int = 200) -> list[dict[str, Any]]:
        def trouble(n: dict[str, Any]) -> bool:
            return n["email_state"] == "failed" or (n["email_state"] == "pending" and n["attempts"] > 0)

        users = self._uow.tables["users"]
        found = sorted(self._where(trouble), key=lambda n: (n["created_at"], n["id"]), reverse=True)[:limit]
        return [{**self._joined(n, task_ref="ref", task_title="title"),
                 "recipient_name": users[n["recipient_user_id"]].full_name} for n in found]


class NoticeRepository(_Outbox, ports.NoticeRepository):
    columns = NOTICE_COLUMNS


class ArrivalRepository(_Outbox, ports.ArrivalRepository):
    columns = ARRIVAL_COLUMNS

    def add_many_later(self, rows: list[dict[str, Any]]) -> None:
        self.add_many_if_absent(rows)  # at once: nothing here is sent later

    def digest_recipients(self, before: datetime) -> list[int]:
        return sorted({a["recipient_user_id"] for a in self._where(lambda a: a["created_at"] < before,
                                                                   email_state="digest")})

    def lock_recipient(self, user_id: int) -> bool:
        return True  # one unit of work at a time

    def held_for_digest(self, user_id: int, before: datetime) -> list[dict[str, Any]]:
        held = self._where(lambda a: a["created_at"] < before, recipient_user_id=user_id, email_state="digest")
        return [self._joined(a, task_ref="ref", task_title="title")
                for a in sorted(held, key=lambda a: (a["created_at"], a["id"]))]

    def set_mail_state(self, arrival_ids: list[int], **values: Any) -> None:
        for arrival_id in arrival_ids:
            self.rows[arrival_id].update(values)

    def retry(self, outbox: str, row_id: int, now: datetime) -> bool:
        row = self._uow.tables[outbox].get(row_id)
        if row is None or row["email_state"] != "failed":
            return False
        row.update(email_state="pending", next_attempt_at=now, attempts=0)
        return True

    def mail_waiting(self) -> int:
        return sum(1 for outbox in ("notices", "arrivals") for row in self._uow.tables[outbox].values()
                   if row["email_state"] in ("pending", "digest"))


class ExtensionRepository(_Table, ports.ExtensionRepository):
    def add(self, values: dict[str, Any]) -> int:
        return self._insert(EXTENSION_COLUMNS, values)

    def get(self, request_id: int, lock: bool = False) -> dict[str, Any] | None:
        row = self.rows.get(request_id)
        return dict(row) if row else None

    def pending_for_item(self, work_item_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._where(work_item_id=work_item_id, state="pending")]

    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in sorted(self._where(plan_task_id=plan_task_id), key=lambda r: r["id"])]

    def decide(self, request_id: int, **values: Any) -> None:
        self.rows[request_id].update(values)

    def pending_for_approver(self, user_id: int, unit_id: int | None, role: str) -> list[dict[str, Any]]:
        def waits_for_me(r: dict[str, Any]) -> bool:
            if r["approver_user_id"] is not None:
                return r["approver_user_id"] == user_id
            return r["approver_role"] == role and r["approver_unit_id"] in (None, unit_id)

        users = self._uow.tables["users"]
        found = sorted(self._where(waits_for_me, state="pending"), key=lambda r: (r["requested_at"], r["id"]))
        return [{**self._joined(r, task_ref="ref", task_title="title", plan_id="id", plan_number="number"),
                 "requested_by_name": users[r["requested_by"]].full_name} for r in found]

    def waiting_date_tasks(self) -> list[dict[str, Any]]:
        plans = self._uow.tables["plans"]
        waiting = [t for t in self._uow.tables["tasks"].values() if t.status == "waiting_date"]
        rows = []
        for task in sorted(waiting, key=lambda t: (t.plan_id, t.position)):
            plan = plans[task.plan_id]
            rows.append({"id": task.id, "ref": task.ref, "title": task.title, "deadline_text": task.deadline_text,
                         "plan_id": plan.id, "plan_number": plan.number, "plan_title": plan.title,
                         "monitor_unit_id": plan.monitor_unit_id})
        return rows


class ImportDraftRepository(_Table, ports.ImportDraftRepository):
    def add(self, created_by: int, created_at: datetime, source_name: str, data: dict[str, Any]) -> int:
        return self._insert({}, {"created_by": created_by, "created_at": created_at, "source_name": source_name,
                                 "data": _copy(data)})

    def get(self, draft_id: int) -> dict[str, Any] | None:
        row = self.rows.get(draft_id)
        return _copy(row) if row else None

    def update(self, draft_id: int, data: dict[str, Any]) -> None:
        self.rows[draft_id]["data"] = _copy(data)

    def delete(self, draft_id: int) -> None:
        self.rows.pop(draft_id, None)


class LoginAttemptRepository(_Table, ports.LoginAttemptRepository):
    """Rows keyed by the username key itself, as the table's primary key is."""

    def retry_at(self, key: str) -> datetime | None:
        return (self.rows.get(key) or {}).get("retry_at")

    def count_failure(self, key: str, at: datetime, forget_before: datetime) -> int:
        row = self.rows.get(key)
        failures = 1 if row is None or row["last_failure_at"] < forget_before else row["failures"] + 1
        self.rows[key] = {**(row or {"retry_at": None}), "failures": failures, "last_failure_at": at}
        return failures

    def hold(self, key: str, until: datetime) -> None:
        self.rows[key]["retry_at"] = until

    def forget(self, key: str) -> None:
        self.rows.pop(key, None)


class IncidentRepository(_Table, ports.IncidentRepository):
    def add(self, values: dict[str, Any]) -> int:
        return self._insert(INCIDENT_COLUMNS, _copy(values))

    def get(self, incident_id: int) -> dict[str, Any] | None:
        row = self.rows.get(incident_id)
        return _copy(row) if row else None

    def update(self, incident_id: int, **values: Any) -> None:
        self.rows[incident_id].update(_copy(values))

    def open_for_instance(self, instance_id: int) -> dict[str, Any] | None:
        found = sorted(self._where(instance_id=instance_id, state="open"), key=lambda i: i["id"])
        return _copy(found[0]) if found else None

    def open_for_instances(self, instance_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        found = {}
        for instance_id in set(instance_ids):
            row = self.open_for_instance(instance_id)
            if row is not None:
                found[instance_id] = row
        return found

    def open_rows(self, limit: int = 500) -> list[dict[str, Any]]:
        instances, versions = self._uow.tables["instances"], self._uow.tables["process_versions"]
        rows = []
        for row in sorted(self._where(state="open"), key=lambda i: (i["updated_at"], i["id"]), reverse=True)[:limit]:
            version = versions[instances[row["instance_id"]].process_version_id]
            rows.append({**self._joined(row, task_ref="ref", task_title="title", plan_id="id", plan_number="number"),
                         "process_version_id": version.id, "process_key": version.process_key,
                         "version_number": version.number})
        return rows

    def open_count(self) -> int:
        return len(self._where(state="open"))


class JobRepository(_Table, ports.JobRepository):
    def add(self, values: dict[str, Any]) -> int:
        defaults = {"started_at": None, "finished_at": None, "claimed_until": None, "error": None}
        return self._insert(defaults, _copy(values))

    def get(self, job_id: int) -> dict[str, Any] | None:
        row = self.rows.get(job_id)
        return {k: _copy(v) for k, v in row.items() if k not in ("payload", "file_data")} if row else None

    def claim(self, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
        for row in sorted(self.rows.values(), key=lambda r: r["id"]):
            if row["state"] == "queued" or (row["state"] == "running" and row["claimed_until"] < now):
                row.update(state="running", claimed_until=lease_until, started_at=now)
                return _copy(row)
        return None

    def progress(self, job_id: int, done: int, lease_until: datetime | None,
                 finished_at: datetime | None = None) -> None:
        row = self.rows[job_id]
        row.update(done=done, claimed_until=lease_until)
        if finished_at is not None:
            row.update(state="done", finished_at=finished_at, claimed_until=None)

    def fail(self, job_id: int, error: str, at: datetime) -> None:
        self.rows[job_id].update(state="failed", error=error, finished_at=at, claimed_until=None)

    def keep_file(self, job_id: int, name: str, data: bytes) -> None:
        self.rows[job_id].update(file_name=name, file_data=data)

    def file(self, job_id: int) -> tuple[str, bytes] | None:
        row = self.rows.get(job_id) or {}
        return (row["file_name"], row["file_data"]) if row.get("file_name") else None


def _row_of(row: dict[str, Any]) -> tuple[Any, ...]:
    """An inbox row as the repository gives it: a tuple of `INBOX_ROW`'s columns."""
    return tuple(row[name] for name in INBOX_ROW)
