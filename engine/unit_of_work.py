"""The unit of work: one transaction per request or job, rolled back unless committed.

Services see repositories only through this port; `adapters/storage` implements it
with SQLAlchemy. Read models (inbox, plan pages) are repository queries that return
plain rows and never load a workflow.
"""
from __future__ import annotations

import abc
from datetime import date, datetime
from typing import Any, Iterable, Protocol

from engine import model


class Repository(Protocol):
    def add(self, obj: Any) -> None: ...
    def get(self, obj_id: int) -> Any | None: ...


class UserRepository(Repository, Protocol):
    def by_username(self, username: str) -> model.User | None: ...
    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]: ...
    def with_role(self, role: str) -> list[model.User]: ...
    def names(self, user_ids: Iterable[int]) -> dict[int, str]: ...


class UnitRepository(Repository, Protocol):
    def list(self) -> list[model.Unit]: ...
    def by_name(self, name: str) -> model.Unit | None: ...
    def names(self, unit_ids: Iterable[int]) -> dict[int, str]: ...


class PlanRepository(Repository, Protocol):
    def list_with_counts(self) -> list[dict[str, Any]]: ...


class TaskRepository(Repository, Protocol):
    def for_plan(self, plan_id: int) -> list[model.PlanTask]: ...


class ProcessVersionRepository(Repository, Protocol):
    def live(self, process_key: str) -> model.ProcessVersion | None: ...
    def for_key(self, process_key: str) -> list[model.ProcessVersion]: ...
    def instance_counts(self, process_key: str) -> dict[int, int]: ...


class InstanceRepository(Repository, Protocol):
    def for_task(self, plan_task_id: int) -> model.ProcessInstance | None: ...
    def running_ids_for_version(self, version_id: int) -> list[int]: ...
    def due_for_timers(self, now: datetime, limit: int) -> list[model.ProcessInstance]: ...


class WorkItemRepository(Repository, Protocol):
    def ready_for_instance(self, instance_id: int) -> list[model.WorkItem]: ...
    def inbox_rows(self, user_id: int, unit_id: int | None, role: str) -> list[dict[str, Any]]: ...
    def open_for_tasks(self, task_ids: Iterable[int]) -> list[dict[str, Any]]: ...


class AuditRepository(Repository, Protocol):
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]: ...


class AttachmentRepository(Repository, Protocol):
    def for_task(self, plan_task_id: int) -> list[dict[str, Any]]: ...


class OfficeDayRepository(Repository, Protocol):
    def list(self) -> list[Any]: ...


class ProgressQueries(Protocol):
    """Read queries of the dashboard, search and reports (`engine/progress.py`)."""

    def tasks(self, plan_id: int | None = None) -> list[dict[str, Any]]: ...
    def task_units(self, plan_id: int | None = None) -> list[dict[str, Any]]: ...
    def open_steps(self, plan_id: int) -> list[dict[str, Any]]: ...
    def audit(self, plan_id: int, action_prefix: str) -> list[dict[str, Any]]: ...
    def plan_counts(self, today: date) -> list[dict[str, Any]]: ...
    def overdue_by_lead_unit(self, today: date, limit: int) -> list[dict[str, Any]]: ...
    def units(self) -> list[dict[str, Any]]: ...


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
    progress: ProgressQueries

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work durable; raise `AlreadyDone` if another writer got there first."""

    @abc.abstractmethod
    def rollback(self) -> None: ...

    @abc.abstractmethod
    def flush(self) -> None:
        """Give new rows their ids without committing."""
