"""Who is told of a fired rung: the BPMN names the rung, this module names the people.

holder → the step's holder (whoever took it, else its assignee, else the users of its
unit+role: `actors.holder_of`, the rule the inbox and `may_act` follow);
unit_head → the heads of the task's lead unit(s); director → the task's
directing leader, else every leader.
"""
from __future__ import annotations

import logging
from typing import Iterable

from engine import model
from engine.process import actors
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

RUNGS = ("holder", "unit_head", "director")


def recipients(uow: AbstractUnitOfWork, rung: str, task: model.PlanTask,
               step: model.WorkItem | None) -> list[model.User]:
    """The people told of `rung` fired on `step` (its work item; None when it has none)."""
    if rung == "holder":
        return _holders(uow, step)
    if rung == "unit_head":
        return _unique(u for unit_id in task.unit_ids("lead") for u in uow.users.in_unit(unit_id, "unit_head"))
    if rung == "director":
        director = uow.users.get(task.director_user_id) if task.director_user_id else None
        return [director] if director is not None and director.active else uow.users.with_role("leader")
    log.warning("unknown notice rung %r (planflow:notice in the BPMN)", rung)
    return []


def _holders(uow: AbstractUnitOfWork, step: model.WorkItem | None) -> list[model.User]:
    if step is None:
        return []
    holder = actors.holder_of(step)
    if holder.user_id:
        user = uow.users.get(holder.user_id)
        return [user] if user is not None else []
    if holder.unit_id:
        return uow.users.in_unit(holder.unit_id, holder.role)
    return uow.users.with_role(holder.role) if holder.role else []


def _unique(users: Iterable[model.User]) -> list[model.User]:
    seen: dict[int, model.User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())
