"""The domain: plain classes, mapped to tables by `adapters/storage/orm.py`.

Aggregates refer to each other by id, not by object, so that a service loads only
what it changes (a work item, an instance) and list pages never pull workflows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

ROLES = ("leader", "unit_head", "staff", "monitor", "designer")


@dataclass(eq=False)
class Unit:
    """A unit of the directory; its head is its user with the role `unit_head`."""

    name: str
    aliases: list[str] = field(default_factory=list)
    kind: str = "unit"  # "unit", or "group" for "Các sở, ban ngành" and the like
    id: int | None = None


@dataclass(eq=False)
class User:
    username: str
    full_name: str
    unit_id: int | None
    role: str
    password_hash: str
    email: str | None = None
    active: bool = True
    notice_mail: str = "each"  # "each": a mail per notice; "digest": one mail a day
    id: int | None = None
    session_version: int = 1  # raised by a logout: every older session ends


@dataclass(frozen=True)
class Actor:
    """Who acts or reads, as the rules of a request need them: not their whole row."""

    id: int
    unit_id: int | None
    role: str
    active: bool = True


@dataclass(eq=False)
class TaskUnit:
    """A unit's part in a task: `lead` (accountable) or `coordinator` (contributes)."""

    unit_id: int
    role: str
    position: int = 0


@dataclass(eq=False)
class PlanTask:
    ref: str
    title: str
    content: str = ""
    product: str = ""
    director: str = ""
    director_user_id: int | None = None
    deadline_text: str = ""
    schedule: dict[str, Any] = field(default_factory=dict)
    due_on: date | None = None  # the date the open step is measured against
    status: str = "open"  # "waiting_date" | "open" | "closed"
    closed_on: date | None = None
    position: int = 0
    units: list[TaskUnit] = field(default_factory=list)
    plan_id: int | None = None
    search_text: str = ""  # its words as written, then folded (engine/reading/search_text.py)
    search_folded: str = ""
    people: dict[str, list[int]] | None = None  # named at assign: {"co_handlers": [...], "informed": [...]}
    process_key: str = "plan_task"  # the process it follows (its plan's, unless chosen at import review)
    id: int | None = None

    def unit_ids(self, role: str) -> list[int]:
        return [u.unit_id for u in sorted(self.units, key=lambda u: u.position) if u.role == role]

    @classmethod
    def with_units(cls, ref: str, title: str, lead: Iterable[int], coordinators: Iterable[int] = (),
                   **fields: Any) -> PlanTask:
        """A task as a plan states it (before intake dates and stores it): its lead and
        coordinating units by id, in the plan's order."""
        units = [TaskUnit(unit_id=u, role="lead", position=i) for i, u in enumerate(lead)]
        units += [TaskUnit(unit_id=u, role="coordinator", position=i) for i, u in enumerate(coordinators)]
        fields.setdefault("process_key", None)  # none chosen: intake gives it the plan's
        return cls(ref=ref, title=title, units=units, **fields)


@dataclass(eq=False)
class Plan:
    title: str
    year: int
    number: str | None = None
    issued_on: date | None = None
    monitor_unit_id: int | None = None
    source_name: str | None = None
    created_at: datetime | None = None
    process_key: str = "plan_task"  # the process its tasks follow unless one chooses another
    id: int | None = None


@dataclass(eq=False)
class DeclaredDay:
    """A day the office declared off, or a make-up working day: one entry of its own
    calendar (engine/deadlines/office_days.py), with who declared it and when."""

    day: date
    kind: str  # "off" | "workday"
    name: str = ""
    created_by: int | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class ProcessVersion:
    """One saved version of a BPMN process; instances keep the version they started on."""

    process_key: str
    number: int
    bpmn_xml: str
    comment: str = ""
    created_by: int | None = None
    created_at: datetime | None = None
    is_live: bool = False
    id: int | None = None


@dataclass(eq=False)
class ProcessInstance:
    plan_task_id: int
    process_version_id: int
    state: str
    serializer_version: str  # SpiffWorkflow's serialization format the state was written in
    status: str = "running"  # "running" | "completed"
    next_timer_at: datetime | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1  # optimistic lock: bumped on every save
    state_version: str = "planflow-1"  # planflow's own layout of `state`, apart from SpiffWorkflow's format
    id: int | None = None


@dataclass(eq=False)
class WorkItem:
    """One ready human step: the inbox index row. Who may act is a user, or a unit+role."""

    instance_id: int
    plan_task_id: int
    task_uuid: str
    step_id: str
    step_name: str
    form: str
    actor: str
    assignee_user_id: int | None = None
    candidate_unit_id: int | None = None
    candidate_role: str | None = None
    due_on: date | None = None
    state: str = "ready"  # "ready" | "completed" | "cancelled"
    created_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: int | None = None
    claimed_by: int | None = None  # who took a step waiting for a unit's role, until given back
    claimed_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class AuditEvent:
    plan_task_id: int
    action: str
    at: datetime
    actor_user_id: int | None = None
    instance_id: int | None = None
    work_item_id: int | None = None
    step_id: str | None = None
    step_name: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(eq=False)
class Attachment:
    plan_task_id: int
    filename: str
    content_type: str
    data: bytes
    size: int
    uploaded_at: datetime
    uploaded_by: int | None = None
    work_item_id: int | None = None
    id: int | None = None
