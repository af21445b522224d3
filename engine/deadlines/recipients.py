"""Who is told of a fired rung: the BPMN names the rung, this module names the people.

holder → the step's holder (whoever took it, else its assignee, else the users of its
unit+role: `actors.holder_of`, the rule the inbox and `may_act` follow);
unit_head → the heads of the task's lead unit(s); director → the task's
directing leader, else every leader.

`want` says which users answering that needs, so that a batch of rungs reads its
people in one query (`engine/process/people.py`); `recipients` asks them of
`people`: a `People` so read, or `uow.users` itself. A step reads with itself the
people its rungs may tell (`read_with_step`), so that a step completed past the next
step's rungs reads nobody again.
"""
from __future__ import annotations

import logging
from typing import Iterable, Protocol

from engine import model
from engine.process import actors
from engine.process.people import People, Wanted

log = logging.getLogger(__name__)

RUNGS = ("holder", "unit_head", "director")
HEAD, LEADER = "unit_head", "leader"  # the roles of the unit_head rung's and the director rung's people


class Directory(Protocol):
    def get(self, user_id: int) -> model.User | None: ...
    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]: ...
    def with_role(self, role: str) -> list[model.User]: ...


def want(wanted: Wanted, rung: str, task: model.PlanTask, step: model.WorkItem | None) -> None:
    """Add to `wanted` the users `recipients` will ask for."""
    if rung == "holder":
        if step is not None:
            wanted.holder(actors.holder_of(step))
    elif rung == "unit_head":
        wanted.unit_roles.update((unit_id, HEAD) for unit_id in task.unit_ids("lead"))
    elif rung == "director":
        if task.director_user_id:
            wanted.user_ids.add(task.director_user_id)
        wanted.roles.add(LEADER)  # told when the directing leader is gone


def recipients(people: Directory, rung: str, task: model.PlanTask,
               step: model.WorkItem | None) -> list[model.User]:
    """The people told of `rung` fired on `step` (its work item; None when it has none)."""
    if rung == "holder":
        return _holders(people, step)
    if rung == "unit_head":
        return _unique(u for unit_id in task.unit_ids("lead") for u in people.in_unit(unit_id, HEAD))
    if rung == "director":
        director = people.get(task.director_user_id) if task.director_user_id else None
        return [director] if director is not None and director.active else people.with_role(LEADER)
    log.warning("unknown notice rung %r (planflow:notice in the BPMN)", rung)
    return []


def read_with_step(task: model.PlanTask, told: Iterable[model.User], unit: Iterable[model.User] = (),
                   unit_id: int | None = None) -> People:
    """The people a step read with itself: `told` (`LockedStep.told`: `task`'s directing
    leader, the active leaders, the active heads of its units, whom the unit_head and
    director rungs tell and a coordinating unit's step waits for), and `unit`, the
    active people of `unit_id` (an assign step's unit)."""
    return People([*unit, *told], units=[unit_id] if unit_id is not None else [],
                  unit_roles=[(part.unit_id, HEAD) for part in task.units], roles=[LEADER])


def _holders(people: Directory, step: model.WorkItem | None) -> list[model.User]:
    if step is None:
        return []
    holder = actors.holder_of(step)
    if holder.user_id:
        user = people.get(holder.user_id)
        return [user] if user is not None else []
    if holder.unit_id:
        return people.in_unit(holder.unit_id, holder.role)
    return people.with_role(holder.role) if holder.role else []


def _unique(users: Iterable[model.User]) -> list[model.User]:
    seen: dict[int, model.User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())
