"""Who may act on a step: the BPMN names an actor, the unit directory names people.

A user task carries `planflow:actor`; the actor is resolved against the workflow
data to a user by name, or to a unit and a role (any user of that unit with that
role may act, so a step waits for "the head of the lead unit" even when the head
changes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import model

ACTORS = ("lead_head", "coordinator_head", "assignee", "co_handler", "monitor", "director")


@dataclass(frozen=True)
class Holder:
    user_id: int | None = None
    unit_id: int | None = None
    role: str | None = None


class UnknownActor(ValueError):
    """The BPMN names an actor planflow does not know, or its data is missing (`variable` names it)."""

    def __init__(self, message: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


def resolve(actor: str, data: dict[str, Any]) -> Holder:
    """The holder of a step whose task spec names `actor`, given the step's data."""
    if actor == "lead_head":
        return Holder(unit_id=_required(data, "lead_unit"), role="unit_head")
    if actor == "coordinator_head":
        return Holder(unit_id=_required(data, "coordinator"), role="unit_head")
    if actor == "assignee":
        if data.get("assignee") is None and data.get("shared_with_unit"):
            # Given to the lead unit's staff: it waits for them until one takes it.
            return Holder(unit_id=_required(data, "lead_unit"), role="staff")
        return Holder(user_id=_required(data, "assignee"))
    if actor == "co_handler":
        return Holder(user_id=_required(data, "co_handler"))
    if actor == "monitor":
        return Holder(unit_id=_required(data, "monitor_unit"), role="monitor")
    if actor == "director":
        director = data.get("director")
        return Holder(user_id=director) if director else Holder(role="leader")
    raise UnknownActor(f"unknown actor {actor!r}; known: {', '.join(ACTORS)}")


def holds(user: model.User, holder: Holder) -> bool:
    """The one rule of who a holder is: the person named, else anyone with the role in
    the unit (in any unit when none is named: the leaders). Steps and extension
    approvals alike."""
    if holder.user_id is not None:
        return holder.user_id == user.id
    if holder.role != user.role:
        return False
    return holder.unit_id is None or holder.unit_id == user.unit_id


def holder_of(item: model.WorkItem) -> Holder:
    """Who holds a step now: whoever took it from the unit's role, else whom the BPMN names."""
    if item.claimed_by is not None:
        return Holder(user_id=item.claimed_by)
    return Holder(user_id=item.assignee_user_id, unit_id=item.candidate_unit_id, role=item.candidate_role)


def may_act(user: model.User, item: model.WorkItem) -> bool:
    return holds(user, holder_of(item))


def may_claim(user: model.User, item: model.WorkItem) -> bool:
    """A step waiting for a unit's role, not yet taken, that this person's role may act on."""
    return item.assignee_user_id is None and item.claimed_by is None and may_act(user, item)


def _required(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if value is None:
        raise UnknownActor(f"the step needs {name!r} in its data", name)
    return value
