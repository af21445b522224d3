"""The unit of work: one transaction per request or job, rolled back unless committed.

Services see repositories only through these ports. Each is an abstract base class
with two implementations that subclass it: `adapters/storage` (SQLAlchemy, the real
databases) and `adapters/memory.py` (dicts, for unit tests of service rules); a port
method either lacks is an error when the repository is made, not a silent `None`.
Read models (inbox, plan pages) are repository queries that return plain rows and
never load a workflow.
"""
from __future__ import annotations

import abc
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable

from engine import model
from engine.deadlines.working_days import CalendarCache
from engine.workflow import SpecCache

if TYPE_CHECKING:
    from engine.reading.progress import TaskScope, TaskSlice
    from engine.tasks.inbox import InboxWhere


@dataclass(frozen=True)
class NewId:
    """The id of `row`, a new row given to its repository to be written with the unit of
    work's next write (`WorkItemRepository.add_many`'s `later`), as the value of another
    new row written with it: in one statement, where the id is known. In text (a key),
    between `text`'s two parts."""

    row: Any
    text: tuple[str, str] | None = None


def id_of(row: Any, text: tuple[str, str] | None = None) -> int | str | NewId:
    """`row`'s id (in `text`, between its two parts), or the `NewId` it will have."""
    if row.id is None:
        return NewId(row, text)
    return row.id if text is None else f"{text[0]}{row.id}{text[1]}"


@dataclass(frozen=True)
class LockedStep:
    """What completing a step reads (`InstanceRepository.lock_step`)."""

    item: model.WorkItem
    instance: model.ProcessInstance
    task: model.PlanTask
    plan: model.Plan
    user: model.User | None  # the person acting; None when there is no such user
    items: list[model.WorkItem]  # the asked item and the instance's ready ones, read after the lock
    incident: dict[str, Any] | None  # the instance's open incident
    # An assign step's: the active people of the unit it waits for, by name (whom it may
    # name, who may hold the next step); None for a step that waits for no unit's choice.
    people: list[model.User] | None = None
    # Whom the next steps and their rungs may need (`recipients.read_with_step`): the
    # task's directing leader (whatever the account's state), the active leaders, the
    # active heads of the task's units (lead and coordinating).
    told: list[model.User] = field(default_factory=list)


class Repository(abc.ABC):
    @abstractmethod
    def add(self, obj: Any) -> None: ...
    @abstractmethod
    def get(self, obj_id: int) -> Any | None: ...


class UserRepository(Repository):
    @abstractmethod
    def acting(self, user_id: int) -> model.Actor | None:
        """The person a request acts for, in one small read (which may also tell the
        office days' `version` in the same round trip)."""
    @abstractmethod
    def profile(self, user_id: int) -> dict[str, Any] | None:
        """What a page shows of its person, in one read: the row's columns but the
        password hash and the mail setting, and `unit_name`."""
    @abstractmethod
    def by_username(self, username: str) -> model.User | None: ...
    @abstractmethod
    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]: ...
    @abstractmethod
    def with_role(self, role: str) -> list[model.User]: ...
    @abstractmethod
    def names(self, user_ids: Iterable[int]) -> dict[int, str]: ...
    @abstractmethod
    def directory(self, user_ids: Iterable[int], unit_ids: Iterable[int], roles: Iterable[str]) -> list[model.User]:
        """In one query: the users by id (whatever their state), and the active users of
        the units and of the roles (`engine/process/people.py`)."""


class UnitRepository(Repository):
    @abstractmethod
    def list(self) -> list[model.Unit]: ...
    @abstractmethod
    def by_name(self, name: str) -> model.Unit | None: ...
    @abstractmethod
    def names(self, unit_ids: Iterable[int]) -> dict[int, str]: ...


class PlanRepository(Repository):
    @abstractmethod
    def list_with_counts(self) -> list[dict[str, Any]]: ...
    @abstractmethod
    def heading(self, plan_id: int, reader_id: int | None = None) -> tuple[model.Plan, str | None] | None:
        """The plan and the name of its monitoring unit, in one small read (which may also
        tell the office days' `version` in the same round trip); with `reader_id`, who
        reads it too, for `UserRepository.acting` to answer from."""


class TaskRepository(Repository):
    @abstractmethod
    def add_many(self, tasks: list[model.PlanTask]) -> None:
        """Store new tasks with their units now, in a number of statements that does not
        grow with them (positions unique within their plan); each gets its id."""
    @abstractmethod
    def for_plan(self, plan_id: int) -> list[model.PlanTask]: ...
    @abstractmethod
    def with_plans(self, task_ids: Iterable[int]) -> dict[int, tuple[model.PlanTask, model.Plan]]:
        """The tasks with their units and plans, by task id, in one query."""


class ProcessVersionRepository(Repository):
    @abstractmethod
    def live(self, process_key: str) -> model.ProcessVersion | None: ...
    @abstractmethod
    def for_key(self, process_key: str) -> list[model.ProcessVersion]: ...
    @abstractmethod
    def instance_counts(self, process_key: str) -> dict[int, int]: ...
    @abstractmethod
    def keys(self) -> list[str]:
        """The ids of the processes in the library, each with its versions."""
    @abstractmethod
    def record(self, values: dict[str, Any]) -> int:
        """Keep a designer's act on a process (a deploy, a migration batch) in its audit."""
    @abstractmethod
    def history(self, process_key: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The process's audit, newest first, with who acted."""


class InstanceRepository(Repository):
    @abstractmethod
    def add_many(self, instances: list[model.ProcessInstance]) -> None:
        """Store new instances (one per task) now, in one statement; each gets its id."""
    @abstractmethod
    def lock(self, instance_id: int) -> model.ProcessInstance | None:
        """Load the instance for writing: other writers wait until this transaction ends;
        the instance and its work items are read fresh after the wait."""
    @abstractmethod
    def for_task(self, plan_task_id: int) -> model.ProcessInstance | None: ...
    @abstractmethod
    def running_ids_for_version(self, version_id: int) -> list[int]: ...
    @abstractmethod
    def running_ids(self) -> list[int]: ...
    @abstractmethod
    def armed_between(self, start: datetime, end: datetime) -> list[int]: ...
    @abstractmethod
    def due_for_timers(self, now: datetime, limit: int) -> list[model.ProcessInstance]: ...
    @abstractmethod
    def write_states(self, instances: list[model.ProcessInstance]) -> None:
        """Write what `instances.store` set on these locked instances, in one statement
        (the storage may send it with its next write, at the latest at commit), each
        checked against the version it was read at (`AlreadyDone` if one moved)."""
    @abstractmethod
    def lock_step(self, work_item_id: int, user_id: int) -> LockedStep | None:
        """A step with all its completion needs, in one query, its instance locked as by
        `lock` (and its work items read again after the wait); None if no such step."""


class WorkItemRepository(Repository):
    @abstractmethod
    def add_many(self, items: list[model.WorkItem], later: bool = False) -> None:
        """Store new work items now, in one statement; each gets its id. With `later`,
        they may be written with the unit of work's next write instead, their ids given
        then: until it, the values of other new rows name them by `id_of`."""
    @abstractmethod
    def ready_for_instance(self, instance_id: int) -> list[model.WorkItem]:
        """The ready work items of one instance, in id order (the order they arose)."""
    @abstractmethod
    def ready_for_instances(self, instance_ids: Iterable[int]) -> dict[int, list[model.WorkItem]]:
        """The ready work items of several instances, by instance id, in one query."""
    @abstractmethod
    def for_step(self, instance_id: int, task_uuid: str) -> model.WorkItem | None:
        """The work item of one step of an instance, whatever its state."""
    @abstractmethod
    def inbox_page(self, user_id: int, unit_id: int | None, role: str, where: InboxWhere) -> dict[str, Any]:
        """A page of a person's inbox narrowed by `where`: its `rows` (tuples of
        `engine.tasks.inbox.INBOX_ROW`'s columns), the `counts` of what the filters leave
        (`total`, `overdue`, `soon`) and, of the whole inbox, the `plans` (tuples of id,
        number, title; the title may be None for a plan with a number, which labels it) and
        `steps` (tuples of step id, name) to filter by, each at least once."""
    @abstractmethod
    def open_for_tasks(self, task_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        """The tasks' ready steps by id, with who holds them, as `ProgressQueries.page_details`
        gives them (`steps`: tuples of `engine.reading.progress.STEP_ROW`)."""
    @abstractmethod
    def people_on_tasks(self, task_ids: Iterable[int]) -> dict[int, set[int]]: ...


class AuditRepository(Repository):
    @abstractmethod
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]: ...
    @abstractmethod
    def add_many(self, events: list[model.AuditEvent]) -> None:
        """Record events whose ids nobody reads back, in one statement, with the unit of
        work's next write (at the latest at commit)."""


class AttachmentRepository(Repository):
    @abstractmethod
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]: ...


class OfficeDayRepository(Repository):
    """The office's declared days (`model.DeclaredDay`)."""

    @abstractmethod
    def list(self) -> list[model.DeclaredDay]: ...
    @abstractmethod
    def remove(self, day: model.DeclaredDay) -> None: ...
    @abstractmethod
    def version(self) -> object | None:
        """A value that changes whenever the office days change (committed by anyone),
        for `CalendarCache`; None when unknown or when this unit of work changed them."""


class ProgressQueries(abc.ABC):
    """Read queries of the dashboard, search and reports (`engine/progress.py`)."""

    @abstractmethod
    def tasks(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """Tasks with their plan's number and title: tuples of `engine.reading.progress.TASK_ROW`."""
    @abstractmethod
    def task_units(self, plan_id: int | None = None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """Each task's lead and coordinating units: tuples of `engine.reading.progress.UNIT_ROW`."""
    @abstractmethod
    def count(self, scope: TaskScope, state: str | None = None, up_to: int | None = None) -> int:
        """How many tasks of `scope` (in `state` on its day), counted no further than `up_to`."""
    @abstractmethod
    def counts_and_plans(self, scope: TaskScope, plans: TaskScope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The tasks of `scope` per state (`state`, `n`) and the plans holding a task of
        `plans` (`id`, `number`, `title`), in one statement."""
    @abstractmethod
    def counts_plans_and_page(self, scope: TaskScope, plans: TaskScope, part: TaskSlice
                              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[Any, ...]] | None]:
        """`counts_and_plans`, and `task_slices`' page `part` of `scope` (None when the store
        did not read it in the same statement)."""
    @abstractmethod
    def dashboard_counts(self, scope: TaskScope, choices: TaskScope) -> dict[str, list[dict[str, Any]]]: ...
    @abstractmethod
    def task_slices(self, scope: TaskScope, slices: list[TaskSlice]) -> list[list[tuple[Any, ...]]]:
        """A page of `scope`'s tasks per slice, in one statement: tuples as `tasks` gives them."""
    @abstractmethod
    def counted_slices(self, scope: TaskScope, slices: list[TaskSlice]) -> tuple[int, list[list[tuple[Any, ...]]]]:
        """`count` and `task_slices` of `scope` in one statement."""
    @abstractmethod
    def open_steps(self, plan_id: int | None, task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """The tasks' ready steps by id: tuples of `engine.reading.progress.STEP_ROW`."""
    @abstractmethod
    def audit(self, plan_id: int, action_prefix: str) -> list[dict[str, Any]]: ...
    @abstractmethod
    def notices(self, plan_id: int | None, action_prefix: str,
                task_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
        """The notices sent (audit events whose action starts with `action_prefix`), oldest
        first: tuples of `engine.reading.progress.NOTICE_ROW` (`to`: the names of the
        people told, joined by ", ")."""
    @abstractmethod
    def page_details(self, task_ids: list[int], notices: str | None = None,
                     told_ids: list[int] | None = None) -> dict[str, list[Any]]:
        """For a page of tasks (in one statement where a statement is a round trip): their
        units as `task_units` gives them (`units`), their ready steps as `open_steps` gives
        them (`steps`, by id), and, given an action prefix, the notices sent about
        `told_ids` (every task of `task_ids` if None) as `notices` gives them (`notices`)."""
    @abstractmethod
    def plan_counts(self, today: date) -> list[dict[str, Any]]: ...
    @abstractmethod
    def overdue_by_lead_unit(self, today: date, limit: int) -> list[dict[str, Any]]: ...
    @abstractmethod
    def units(self) -> list[dict[str, Any]]: ...


class Outbox(abc.ABC):
    """A person's rows that may also go out by mail: deadline notices and work arrivals.
    Two tables (each kind keeps its own keys and columns), one shape."""

    @abstractmethod
    def add_if_absent(self, values: dict[str, Any]) -> int | None: ...
    @abstractmethod
    def add_many_if_absent(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert the rows whose key is not stored yet, in one statement; their keys."""
    @abstractmethod
    def for_user(self, user_id: int, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        """The person's rows, newest first."""
    @abstractmethod
    def count_for_user(self, user_id: int) -> int: ...
    @abstractmethod
    def one_for_user(self, user_id: int, row_id: int) -> dict[str, Any] | None:
        """One of the person's rows, as `for_user` gives it; None for anyone else's."""
    @abstractmethod
    def unread_count(self, user_id: int) -> int: ...
    @abstractmethod
    def mark_read(self, user_id: int, at: datetime, row_id: int | None = None) -> None: ...
    @abstractmethod
    def claim_mail(self, now: datetime, owner: str, lease_until: datetime) -> dict[str, Any] | None: ...
    @abstractmethod
    def finish_mail(self, row_id: int, owner: str, **values: Any) -> bool: ...
    @abstractmethod
    def mail_problems(self, limit: int = 200) -> list[dict[str, Any]]: ...


class NoticeRepository(Outbox):
    """Deadline notices and their mail outbox (`engine/deadlines/notices.py`)."""


class ArrivalRepository(Outbox):
    """Work arrivals (`engine/tasks/arrivals.py`) and their mail: the notices' outbox,
    the daily digest, and the mail page's look-ups over both outboxes."""

    @abstractmethod
    def add_many_later(self, rows: list[dict[str, Any]]) -> None:
        """Insert the rows whose key is not stored yet, in one statement, with the unit
        of work's next write (at the latest at commit)."""

    @abstractmethod
    def digest_recipients(self, before: datetime) -> list[int]: ...
    @abstractmethod
    def lock_recipient(self, user_id: int) -> bool: ...
    @abstractmethod
    def held_for_digest(self, user_id: int, before: datetime) -> list[dict[str, Any]]: ...
    @abstractmethod
    def set_mail_state(self, arrival_ids: list[int], **values: Any) -> None: ...
    @abstractmethod
    def retry(self, outbox: str, row_id: int, now: datetime) -> bool: ...
    @abstractmethod
    def mail_waiting(self) -> int: ...


class ExtensionRepository(abc.ABC):
    """Extension requests (`engine/extensions.py`) and the tasks waiting for a date."""

    @abstractmethod
    def add(self, values: dict[str, Any]) -> int: ...
    @abstractmethod
    def get(self, request_id: int, lock: bool = False) -> dict[str, Any] | None: ...
    @abstractmethod
    def pending_for_item(self, work_item_id: int) -> list[dict[str, Any]]: ...
    @abstractmethod
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]: ...
    @abstractmethod
    def decide(self, request_id: int, **values: Any) -> None: ...
    @abstractmethod
    def pending_for_approver(self, user_id: int, unit_id: int | None, role: str) -> list[dict[str, Any]]: ...
    @abstractmethod
    def waiting_date_tasks(self) -> list[dict[str, Any]]: ...


class ImportDraftRepository(abc.ABC):
    """Parsed plans waiting between upload and confirm (`engine/plan_import.py`)."""

    @abstractmethod
    def add(self, created_by: int, created_at: datetime, source_name: str, data: dict[str, Any]) -> int: ...
    @abstractmethod
    def get(self, draft_id: int) -> dict[str, Any] | None: ...
    @abstractmethod
    def update(self, draft_id: int, data: dict[str, Any]) -> None: ...
    @abstractmethod
    def delete(self, draft_id: int) -> None: ...


class LoginAttemptRepository(abc.ABC):
    """Failed logins per username (`engine/access/accounts.py`), shared by every worker."""

    @abstractmethod
    def retry_at(self, key: str) -> datetime | None: ...
    @abstractmethod
    def count_failure(self, key: str, at: datetime, forget_before: datetime) -> int: ...
    @abstractmethod
    def hold(self, key: str, until: datetime) -> None: ...
    @abstractmethod
    def forget(self, key: str) -> None: ...


class IncidentRepository(abc.ABC):
    """Incidents (`engine/process/incidents.py`), rows as dicts."""

    @abstractmethod
    def add(self, values: dict[str, Any]) -> int: ...
    @abstractmethod
    def get(self, incident_id: int) -> dict[str, Any] | None: ...
    @abstractmethod
    def update(self, incident_id: int, **values: Any) -> None: ...
    @abstractmethod
    def open_for_instance(self, instance_id: int) -> dict[str, Any] | None: ...
    @abstractmethod
    def open_for_instances(self, instance_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The open incident of each of several instances that has one, in one query."""
    @abstractmethod
    def open_rows(self, limit: int = 500) -> list[dict[str, Any]]:
        """Open incidents with task_ref, task_title, plan_id, plan_number, process_version_id,
        process_key and version_number; the latest failure first."""
    @abstractmethod
    def open_count(self) -> int: ...


class JobRepository(abc.ABC):
    """Background jobs (`engine/jobs.py`); rows as dicts, timestamps naive UTC."""

    @abstractmethod
    def add(self, values: dict[str, Any]) -> int: ...
    @abstractmethod
    def get(self, job_id: int) -> dict[str, Any] | None:
        """The job without its payload."""
    @abstractmethod
    def claim(self, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
        """The oldest queued job, or a running one whose lease passed, now running under
        a lease until `lease_until`; with its payload. None when there is none."""
    @abstractmethod
    def progress(self, job_id: int, done: int, lease_until: datetime | None,
                 finished_at: datetime | None = None) -> None:
        """Record `done`; with `finished_at`, the job is done."""
    @abstractmethod
    def fail(self, job_id: int, error: str, at: datetime) -> None: ...
    @abstractmethod
    def keep_file(self, job_id: int, name: str, data: bytes) -> None:
        """Keep the file a job made (a report), to be downloaded from its page."""
    @abstractmethod
    def file(self, job_id: int) -> tuple[str, bytes] | None:
        """The name and bytes of the file a job made, if any."""


class ReadOnlyWork(RuntimeError):
    """A write asked of a unit of work entered for reading (`AbstractUnitOfWork.reading`):
    a mistake in the code, never the user's."""


class AbstractUnitOfWork(abc.ABC):
    users: UserRepository
    units: UnitRepository
    plans: PlanRepository
    tasks: TaskRepository
    process_versions: ProcessVersionRepository
    instances: InstanceRepository
    work_items: WorkItemRepository
    audit: AuditRepository
    attachments: AttachmentRepository
    office_days: OfficeDayRepository
    notices: NoticeRepository
    arrivals: ArrivalRepository
    extensions: ExtensionRepository
    progress: ProgressQueries
    import_drafts: ImportDraftRepository
    logins: LoginAttemptRepository
    incidents: IncidentRepository
    jobs: JobRepository
    specs: SpecCache  # parsed process versions of this database
    calendars: CalendarCache  # the working-day calendar of this database's office days
    read_only = False  # entered through `reading`, until its `with` ends

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *args: object) -> None:
        self.read_only = False
        self.rollback()

    @abc.abstractmethod
    def reading(self) -> AbstractUnitOfWork:
        """This unit of work, for a service that only reads to enter (`with uow.reading():`).
        It refuses to write: `commit` and `flush` raise `ReadOnlyWork`, and so, on
        PostgreSQL, does any statement but a SELECT that locks nothing; for there its
        statements run without a transaction (no BEGIN, no COMMIT: two round trips of a
        small read's five), each seeing what was committed when it began, as each
        statement of a READ COMMITTED transaction does. A service whose statements must
        see one snapshot together, that locks, or that may write enters it plainly."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work durable; raise `AlreadyDone` if another writer got there first."""

    @abc.abstractmethod
    def rollback(self) -> None: ...

    @abc.abstractmethod
    def flush(self) -> None:
        """Give new rows their ids without committing."""
