"""Who is told of a fired rung: the BPMN names the rung, this module names the people.

holder → the step's holder (its assignee, or the users of its unit+role);
unit_head → the heads of the task's lead unit(s); director → the task's
directing leader, else every leader.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from engine import model
from engine.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

RUNGS = ("holder", "unit_head", "director")


def recipients(uow: AbstractUnitOfWork, rung: str, task: model.PlanTask,
                holder: dict[str, Any] | None) -> list[model.User]:
    if rung == "holder":
        return _holders(uow, holder)
    if rung == "unit_head":
        return _unique(u for unit_id in task.unit_ids("lead") for u in uow.users.in_unit(unit_id, "unit_head"))
    if rung == "director":
        director = uow.users.get(task.director_user_id) if task.director_user_id else None
        return [director] if director is not None and director.active else uow.users.with_role("leader")
    log.warning("unknown notice rung %r (planflow:notice in the BPMN)", rung)
    return []


def _holders(uow: AbstractUnitOfWork, holder: dict[str, Any] | None) -> list[model.User]:
    if holder is None:
        return []
    if holder["assignee_user_id"]:
        user = uow.users.get(holder["assignee_user_id"])
        return [user] if user is not None else []
    if holder["candidate_unit_id"]:
        return uow.users.in_unit(holder["candidate_unit_id"], holder["candidate_role"])
    return uow.users.with_role(holder["candidate_role"]) if holder["candidate_role"] else []


def _unique(users: Iterable[model.User]) -> list[model.User]:
    seen: dict[int, model.User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())
