"""The people one write tells, read in one query and looked up in memory.

Telling the recipients of fired rungs or of arrived work asks for users by id, by
unit and role, or by role: asked of the database one question at a time, that is a
statement per step told. Instead the callers first say what they will ask
(`Wanted`), `load` reads those users at once, and `People` answers the questions
with the repository's rules (`UserRepository`): by id whatever the account's state,
by unit or by role only the active ones, a unit's people by name. A step reads with
itself the people its rungs may tell (`LockedStep.told`): what they answer is not
read again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from engine import model
from engine.process.actors import Holder
from engine.unit_of_work import AbstractUnitOfWork


@dataclass
class Wanted:
    user_ids: set[int] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    unit_roles: set[tuple[int, str]] = field(default_factory=set)  # a unit's people of one role

    def holder(self, holder: Holder) -> None:
        """What asking for `holder`'s people needs: the person, else the unit (its people
        of the role, when it names one), else the role."""
        if holder.user_id:
            self.user_ids.add(holder.user_id)
        elif holder.unit_id and holder.role:
            self.unit_roles.add((holder.unit_id, holder.role))
        elif holder.unit_id:
            self.unit_ids.add(holder.unit_id)
        elif holder.role:
            self.roles.add(holder.role)

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.unit_ids or self.roles or self.unit_roles)


class People:
    """The users `load` read, asked as `uow.users` is asked. `units`: units whose
    active people are all among `users` (read with `uow.users.in_unit`); `unit_roles`:
    (unit, role) pairs whose active people are; `roles`: roles whose active people are."""

    def __init__(self, users: Iterable[model.User], units: Iterable[int] = (),
                 unit_roles: Iterable[tuple[int, str]] = (), roles: Iterable[str] = ()) -> None:
        self._by_id = {user.id: user for user in users}
        self._units = set(units)
        self._unit_roles = set(unit_roles)
        self._roles = set(roles)

    def answers(self, wanted: Wanted) -> bool:
        """Whether every question `wanted` names is answered without a query."""
        return (wanted.user_ids <= self._by_id.keys() and wanted.unit_ids <= self._units
                and all(unit in self._units or (unit, role) in self._unit_roles for unit, role in wanted.unit_roles)
                and wanted.roles <= self._roles)

    def __iter__(self) -> Iterator[model.User]:
        """Everyone, in the order they were read."""
        return iter(self._by_id.values())

    def get(self, user_id: int) -> model.User | None:
        return self._by_id.get(user_id)

    def in_unit(self, unit_id: int, role: str | None = None) -> list[model.User]:
        found = [u for u in self._by_id.values()
                 if u.unit_id == unit_id and u.active and (role is None or u.role == role)]
        return sorted(found, key=lambda u: (u.full_name, u.id))

    def with_role(self, role: str) -> list[model.User]:
        return sorted((u for u in self._by_id.values() if u.role == role and u.active), key=lambda u: u.id)


def load(uow: AbstractUnitOfWork, wanted: Wanted, known: People | None = None) -> People:
    """The people `wanted` names, in one query (none when nobody is wanted, or when
    `known`, people the caller read already, answers for them all)."""
    if not wanted:
        return People([])
    if known is not None and known.answers(wanted):
        return known
    units = wanted.unit_ids | {unit for unit, _ in wanted.unit_roles}  # a unit's role: read with the unit
    return People(uow.users.directory(wanted.user_ids, units, wanted.roles))
