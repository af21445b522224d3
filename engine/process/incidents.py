"""Incidents: a runtime error of a step or a timer, kept where someone can act on it.

A step whose workflow fails (an expression that raises, a stored state that cannot be
read) must not answer 500 on every try, and a timer that fails must not be retried
every hour forever with nobody told. Either becomes the instance's one open incident
(element, error, first and last time, attempts). The person acting is told that
their input is kept (`StepFailed`); the sweep retries a timer incident after a
growing pause, a bounded number of times; designers and leaders see open incidents
on their page and retry after a fix (`engine/process/recovery.py`). A success resolves it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from engine.clock import to_storage
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

VIEWERS = ("designer", "leader")  # who sees incidents and may retry them
# Pauses before the sweep tries a failing timer again; after the last, it waits for a person.
TIMER_BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))


class LoadFailed(Exception):
    """The stored workflow could not be loaded (its cause is the reader's error)."""


def element_of(error: BaseException, default: str | None = None) -> str | None:
    """The BPMN element an error names (SpiffWorkflow's task errors carry their task)."""
    task = getattr(error, "task", None)
    spec = getattr(error, "task_spec", None) or getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None) or default


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:4000]


def record(uow: AbstractUnitOfWork, instance_id: int, plan_task_id: int, source: str, element: str | None,
           error: BaseException, now: datetime, **step: Any) -> dict[str, Any]:
    """Open the instance's incident, or count one more attempt on the open one.

    `source`: `step` (a person's completion; `step` holds work_item_id, user_id and
    data for the retry), `timer` (the sweep), `load` (the state could not be read).
    Returns the incident row as stored.
    """
    at = to_storage(now)
    values = {"source": source, "element": element, "error": describe(error), "updated_at": at, **step}
    current = uow.incidents.open_for_instance(instance_id)
    if current is None:
        incident_id = uow.incidents.add({"instance_id": instance_id, "plan_task_id": plan_task_id,
                                         "state": "open", "created_at": at, "attempts": 1, **values})
    else:
        incident_id = current["id"]
        uow.incidents.update(incident_id, attempts=current["attempts"] + 1, **values)
    log.warning("incident %s on instance %s (%s, %s): %s", incident_id, instance_id, source, element, error)
    return uow.incidents.get(incident_id)


def timer_retry_at(attempts: int, now: datetime) -> datetime | None:
    """When the sweep tries a failing instance again; None after the last pause."""
    return now + TIMER_BACKOFF[attempts - 1] if attempts <= len(TIMER_BACKOFF) else None


def resolve(uow: AbstractUnitOfWork, instance_id: int, now: datetime, user_id: int | None = None) -> None:
    """The instance ran: its open incident (if any) is over."""
    current = uow.incidents.open_for_instance(instance_id)
    if current is not None:
        uow.incidents.update(current["id"], state="resolved", resolved_at=to_storage(now), resolved_by=user_id)


def resolve_step(uow: AbstractUnitOfWork, current: dict[str, Any] | None, work_item_id: int, now: datetime,
                 user_id: int | None = None) -> None:
    """The step completed: the incident it had (if any) is over. `current`: the
    instance's open incident (its id and work_item_id), read with the step."""
    if current is not None and current["work_item_id"] == work_item_id:
        uow.incidents.update(current["id"], state="resolved", resolved_at=to_storage(now), resolved_by=user_id)


def resolve_timer_of(uow: AbstractUnitOfWork, current: dict[str, Any] | None, now: datetime) -> None:
    """The sweep ran the instance whose open incident is `current` (None: it has none):
    a timer or load incident is over (a step's waits for its retry, which carries the
    person's input)."""
    if current is not None and current["work_item_id"] is None:
        uow.incidents.update(current["id"], state="resolved", resolved_at=to_storage(now))


def open_count(uow: AbstractUnitOfWork) -> int:
    with uow:
        return uow.incidents.open_count()
