"""What designers and leaders do with an incident: retry it once the cause is fixed, or
move its instance to a fixed process version and retry there.

A step's incident is retried with the input the person gave (kept on the incident);
a timer's or a load's by firing what is due now, as the sweep would.
"""
from __future__ import annotations

from typing import Any

from engine.clock import Clock
from engine.deadlines import sweep
from engine.errors import N_, AlreadyDone, NotAllowed, NotFound, StepFailed
from engine.process import incidents, instance_migration
from engine.process.instance_migration import Stayed
from engine.tasks import steps
from engine.unit_of_work import AbstractUnitOfWork


def open_incidents(uow: AbstractUnitOfWork, user_id: int) -> list[dict[str, Any]]:
    """The open incidents, for a designer or a leader."""
    with uow:
        _require_viewer(uow, user_id)
        return uow.incidents.open_rows()


def versions(uow: AbstractUnitOfWork, process_key: str) -> list[dict[str, Any]]:
    """The versions an instance of `process_key` may be moved to, newest first."""
    with uow:
        return [{"id": v.id, "number": v.number, "comment": v.comment, "is_live": v.is_live}
                for v in uow.process_versions.for_key(process_key)]


def retry(uow: AbstractUnitOfWork, incident_id: int, user_id: int, clock: Clock | None = None) -> bool:
    """Try the failed work again; True if it went through (the incident is resolved),
    False if it failed again (one more attempt on the incident)."""
    incident = _open_incident(uow, incident_id, user_id)
    if incident["work_item_id"] is None:
        return sweep.fire_now(uow, incident["instance_id"], user_id, clock)
    try:
        steps.retry_step(uow, incident, user_id, clock)
    except StepFailed:
        return False
    return True


def move_and_retry(uow: AbstractUnitOfWork, incident_id: int, version_id: int, user_id: int,
                   clock: Clock | None = None) -> Stayed | bool:
    """Move the incident's instance to `version_id`, then retry; why it stayed, if it did."""
    incident = _open_incident(uow, incident_id, user_id)
    report = instance_migration.migrate(uow, incident["process_version_id"], version_id, user_id, clock,
                                        instance_ids=[incident["instance_id"]])
    return report.stayed[0] if report.stayed else retry(uow, incident_id, user_id, clock)


def _open_incident(uow: AbstractUnitOfWork, incident_id: int, user_id: int) -> dict[str, Any]:
    with uow:
        _require_viewer(uow, user_id)
        row = uow.incidents.get(incident_id)
        if row is None:
            raise NotFound(N_("This incident does not exist."))
        if row["state"] != "open":
            raise AlreadyDone(N_("This incident is already resolved."))
        return {**row, "process_version_id": uow.instances.get(row["instance_id"]).process_version_id}


def _require_viewer(uow: AbstractUnitOfWork, user_id: int) -> None:
    user = uow.users.get(user_id)
    if user is None or user.role not in incidents.VIEWERS:
        raise NotAllowed(N_("Only the process designers and the leadership handle incidents."))
